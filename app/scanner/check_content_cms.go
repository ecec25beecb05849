package scanner

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

const idContentCMS = "content.cms"

var (
	wpGeneratorRE = regexp.MustCompile(`(?i)^WordPress\s+(\d{1,6}\.\d{1,6}(?:\.\d{1,6})?)`)
	// Core stylesheets and a few core scripts carry the WordPress version
	// in ?ver= (the bundled libraries under wp-includes/js carry their own).
	wpCoreVerRE   = regexp.MustCompile(`(?i)/wp-includes/(?:css/[^?#]*\.css|js/(?:wp-emoji-release|wp-embed|comment-reply)(?:\.min)?\.js)\?(?:[^#]*&)?ver=(\d{1,6}\.\d{1,6}(?:\.\d{1,6})?)(?:[&#]|$)`)
	wpFingerprint = regexp.MustCompile(`(?i)/wp-(?:content|includes)/`)
	drupalGenRE   = regexp.MustCompile(`(?i)^Drupal\s+(\d+)`)
	joomlaGenRE   = regexp.MustCompile(`(?i)^Joomla!?\s*(\d+(?:\.\d+)*)?`)
)

// cmsFacts is what a page tells about its CMS.
type cmsFacts struct {
	CMS        string // "WordPress", "Drupal", "Joomla" or ""
	Version    string
	FromMeta   bool // the version is announced by <meta name="generator">
	DrupalMajr string
	// components are the WordPress plugins and themes of the page's
	// same-site assets, in document order.
	components []*wpComponent
	// feed is the path (and query) of the site's feed from the page's
	// <link rel="alternate">, "" when it names none.
	feed string
}

// cmsOfPage fingerprints one page (memoised). Only assets on the page's
// own site count: a link to another site's WordPress does not make this one
// WordPress, and text that merely mentions wp-content is not an asset.
func cmsOfPage(p *Response) *cmsFacts {
	return memoize(p, "cms", func() *cmsFacts {
		c := &cmsFacts{}
		f := htmlOf(p)
		for _, g := range f.Generators {
			if m := wpGeneratorRE.FindStringSubmatch(g); m != nil {
				c.CMS, c.Version, c.FromMeta = "WordPress", m[1], true
			} else if m := drupalGenRE.FindStringSubmatch(g); m != nil {
				c.CMS, c.DrupalMajr = "Drupal", m[1]
			} else if m := joomlaGenRE.FindStringSubmatch(g); m != nil {
				c.CMS, c.Version = "Joomla", m[1]
			}
		}
		base := baseURLOf(p, f)
		site := siteOf(hostOfURL(p.URL))
		baseU, err := url.Parse(base)
		if err != nil {
			return c
		}
		// Each asset is parsed once; the registrable domain is looked up
		// once per host (assets mostly share one).
		lastHost, lastSite := "", ""
		byKey := map[string]*wpComponent{}
		for _, a := range f.Assets {
			if !wpFingerprint.MatchString(a) {
				continue
			}
			h, path, query, ok := wpAssetURL(baseU, a)
			if !ok {
				continue
			}
			if h != lastHost {
				lastHost, lastSite = h, siteOf(h)
			}
			if lastSite != site {
				continue
			}
			if c.CMS == "" {
				c.CMS = "WordPress"
			}
			if c.CMS != "WordPress" {
				continue
			}
			if c.Version == "" {
				if m := wpCoreVerRE.FindStringSubmatch(a); m != nil {
					c.Version = m[1]
				}
			}
			kind, slug, dir, rest, ver, ok := wpComponentOf(path, query)
			if !ok {
				continue
			}
			k := wpKey(kind, slug)
			comp := byKey[k]
			if comp == nil {
				if len(byKey) >= 100 {
					continue
				}
				comp = &wpComponent{Kind: kind, Slug: slug, Dir: dir}
				byKey[k] = comp
				c.components = append(c.components, comp)
			}
			comp.add(rest, ver)
		}
		if c.CMS == "WordPress" {
			c.feed = wpFeedLink(f, base, site)
		}
		return c
	})
}

// wpFeedLink is the path of the posts feed a WordPress page links to
// (<link rel="alternate" href=".../feed/"> or "?feed=rss2" without pretty
// permalinks), on the page's own site; comment feeds are not it.
func wpFeedLink(f *htmlFacts, base, site string) string {
	for _, l := range f.Links {
		if !hasWord(strings.Fields(strings.ToLower(l.Rel)), "alternate") {
			continue
		}
		u, err := url.Parse(resolveRef(base, l.Href))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || siteOf(u.Hostname()) != site {
			continue
		}
		p := u.EscapedPath()
		if strings.Contains(p, "/comments/") || len(p)+len(u.RawQuery) > 300 {
			continue
		}
		if strings.HasSuffix(p, "/feed/") || strings.HasSuffix(p, "/feed") {
			return p
		}
		if q := u.Query().Get("feed"); q == "rss2" || q == "atom" || q == "rss" {
			return p + "?feed=" + q
		}
	}
	return ""
}

// wpVersionRead is a plugin's or theme's version and where it was read.
type wpVersionRead struct {
	Version, Where string
}

// componentVersion is a component's version: its readme.txt Stable tag (a
// plugin) or style.css Version: (a theme) when the DEEP fetch read one,
// else its own assets' ?ver=.
func componentVersion(ev *Evidence, c *wpComponent, core string) wpVersionRead {
	if f := ev.WordPress; f != nil {
		if c.Kind == "plugin" {
			if rm := wpReadmeOf(f.Readmes[c.Slug]); rm.Version != "" {
				return wpVersionRead{rm.Version, c.Dir + "readme.txt: Stable tag: " + rm.Version}
			}
		} else if v := wpStyleVersionOf(f.Styles[c.Slug]); v != "" {
			return wpVersionRead{v, c.Dir + "style.css: Version: " + v}
		}
	}
	v, where := c.assetVersion(core)
	return wpVersionRead{v, where}
}

// checkContentCMS: CMS sites are compromised mostly through outdated cores
// and plugins, which bots find by the versions sites disclose. The check
// identifies WordPress (core from the generator, the feed or core assets;
// plugins and themes from their own assets and, at DEEP, readme.txt and
// style.css), Drupal and Joomla, and reports every problem it finds: each
// vulnerable plugin or theme, a core missing security releases or on a
// branch without them, and the generator disclosure (docs/scoring.md,
// "content.cms").
var checkContentCMS = Check{
	ID: idContentCMS, Name: "CMS and plugin versions", Category: catContent, Depth: Deep, Weight: 1,
	Needs: []EvidenceKind{NeedPage, NeedCrawl, NeedWordPress},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentCMS)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		s := wpSiteOf(pages)
		if s.CMS == "" {
			return o.Skipped("no WordPress, Drupal or Joomla fingerprint was found, so there is no CMS to judge")
		}
		if s.CMS == "WordPress" {
			return judgeWordPress(o, ev, s)
		}
		return judgeOtherCMS(o, s)
	},
}

// judgeOtherCMS judges Drupal and Joomla by their major version.
func judgeOtherCMS(o outcomeBuilder, s *wpSite) Outcome {
	name := s.CMS
	if s.Version != "" {
		name += " " + s.Version
	} else if s.DrupalMajr != "" {
		name += " " + s.DrupalMajr
	}
	value := clip(name, 250)
	eol := ""
	switch {
	case s.CMS == "Drupal" && s.DrupalMajr != "" && leadingInt(s.DrupalMajr) <= 9:
		eol = "Drupal " + s.DrupalMajr + " has reached end of life and no longer receives security fixes"
	case s.CMS == "Joomla" && s.Version != "" && leadingInt(s.Version) <= 3:
		eol = "Joomla " + s.Version + " has reached end of life"
	}
	if eol != "" {
		return o.Warn(0.25, value, eol+".", o.Finding(SeverityHigh, "Outdated CMS", eol+".",
			adviceFix("Upgrade to the current release of "+s.CMS+" and keep automatic security updates on."), name))
	}
	return o.Pass(1, value, s.CMS+" detected; its version is not end-of-life.")
}

// judgeWordPress reports every problem of a WordPress site; none hides another.
func judgeWordPress(o outcomeBuilder, ev *Evidence, s *wpSite) Outcome {
	t := wpTableOf(ev)
	core, coreFrom := s.Version, ""
	switch {
	case s.FromMeta:
		coreFrom = "<meta name=\"generator\">"
	case ev.WordPress != nil && wpFeedVersionOf(ev.WordPress.Feed) != "":
		core, coreFrom = wpFeedVersionOf(ev.WordPress.Feed), "the feed's <generator>"
	case core != "":
		coreFrom = "the ?ver= of core assets"
	}
	var findings []Finding
	var problems []string
	score, fail := 1.0, false
	lower := func(x float64) { score = min(score, x) }

	parts := []string{"WordPress " + core}
	if core == "" {
		parts[0] = "WordPress"
	}
	var unknown []string
	for _, list := range []struct {
		kind  string
		comps map[string]*wpComponent
	}{{"theme", s.Themes}, {"plugin", s.Plugins}} { // themes first: there are few, and the value is clipped
		var names []string
		for _, slug := range sortedKeys(list.comps) {
			c := list.comps[slug]
			vr := componentVersion(ev, c, core)
			names = append(names, strings.TrimSpace(clip(slug, 60)+" "+clip(vr.Version, 24)))
			if vr.Version == "" {
				unknown = append(unknown, clip(slug, 60))
				continue
			}
			v, _ := parseWPVersion(vr.Version)
			var hit []*wpVuln
			for _, x := range t.vulns[wpKey(c.Kind, slug)] {
				if x.affects(v) {
					hit = append(hit, x)
				}
			}
			if len(hit) == 0 {
				continue
			}
			f, sev := wpVulnFinding(o, c, vr, hit)
			findings = append(findings, f)
			problems = append(problems, f.Title+".")
			switch sev {
			case SeverityCritical, SeverityHigh:
				fail = true
				lower(0)
			case SeverityMedium:
				lower(0.5)
			default:
				lower(0.75)
			}
		}
		if len(names) > 0 {
			parts = append(parts, list.kind+"s: "+strings.Join(names, ", "))
		}
	}

	coreNote := ""
	if core != "" {
		cv := t.judgeCore(core)
		listed := " (release list of " + t.CoreDate + ")"
		switch {
		case cv.Unsupported:
			lower(0.25)
			d := "WordPress " + core + " (read from " + coreFrom + ") is on a branch that no longer receives security fixes; the current release is " + cv.Current + listed + "."
			findings = append(findings, o.Finding(SeverityHigh, "WordPress "+clip(core, 24)+" no longer receives security fixes", d,
				wpCoreFix(cv.Current, ""), "WordPress "+core+" from "+coreFrom))
			problems = append(problems, d)
		case cv.Outdated:
			lower(0.5)
			d := "WordPress " + core + " (read from " + coreFrom + ") is not the latest release of its branch, " + cv.Latest + ", so it lacks the security fixes released since; the current release is " + cv.Current + listed + "."
			findings = append(findings, o.Finding(SeverityMedium, "WordPress "+clip(core, 24)+" is missing security releases", d,
				wpCoreFix(cv.Current, cv.Latest), "WordPress "+core+" from "+coreFrom))
			problems = append(problems, d)
		case cv.Newer:
			coreNote = "WordPress " + core + " is newer than the release list" + listed + ", so it was not judged."
		case cv.Known && cv.Latest != cv.Current:
			coreNote = "WordPress " + core + " is the latest release of its branch, which still receives security fixes; the current release is " + cv.Current + listed + "."
		case cv.Known:
			coreNote = "WordPress " + core + " is the current release" + listed + "."
		default:
			coreNote = "WordPress " + core + " is not a branch of the release list" + listed + ", so it was not judged."
		}
	} else {
		coreNote = "The WordPress version could not be read (no generator, feed or versioned core asset), so the core was not judged."
	}

	tableNote := fmt.Sprintf("Plugins and themes were matched against %d known vulnerabilities (table of %s).", t.rows, t.VulnDate)
	if f := ev.WordPress; f != nil && (f.Plugins > wpMaxReadmes || f.Themes > wpMaxStyles) {
		tableNote += fmt.Sprintf(" readme.txt was read for %d of %d plugins and style.css for %d of %d themes (the limits are %d and %d); the others' versions come from their assets alone.",
			min(f.Plugins, wpMaxReadmes), f.Plugins, min(f.Themes, wpMaxStyles), f.Themes, wpMaxReadmes, wpMaxStyles)
	}
	if len(unknown) > 0 {
		tableNote += " Not judged, as no version of theirs could be read: " + clip(strings.Join(unknown, ", "), 200) + "."
	}
	disclosure := ""
	if s.FromMeta {
		disclosure = " The page announces \"WordPress " + clip(core, 24) + "\" in <meta name=\"generator\">, which lets bots match it against vulnerability lists: remove it (remove_action('wp_head', 'wp_generator'); in the theme's functions.php)."
		lower(0.8)
	}
	value := clip(strings.Join(parts, "; "), 250)
	if len(findings) == 0 {
		desc := strings.TrimSpace(coreNote+" "+noneFound(ev, "known-vulnerable plugin or theme versions")+" "+tableNote) + disclosure
		return o.Pass(score, value, desc)
	}
	desc := strings.Join(problems, " ")
	if coreNote != "" {
		desc += " " + coreNote
	}
	desc += " " + tableNote + disclosure
	if fail {
		return o.Fail(0, value, desc, findings...)
	}
	return o.Warn(score, value, desc, findings...)
}

// wpVulnFinding is the one finding of a vulnerable plugin or theme, naming
// every CVE its version has; sev is the worst of them.
func wpVulnFinding(o outcomeBuilder, c *wpComponent, vr wpVersionRead, hit []*wpVuln) (Finding, Severity) {
	sev := SeverityLow
	var ids, whats []string
	var fixTo wpVersion
	fixStr, noFix, backported := "", false, false
	name := hit[0].Name
	for _, x := range hit {
		if SeverityRank(x.Severity) < SeverityRank(sev) {
			sev = x.Severity
		}
		ids = append(ids, x.CVE)
		whats = append(whats, x.CVE+" ("+string(x.Severity)+"): "+x.What)
		if x.fixed == nil {
			noFix = true
		} else if fixTo == nil || x.fixed.compare(fixTo) > 0 {
			fixTo, fixStr = x.fixed, x.FixedIn
		}
		backported = backported || len(x.patched) > 0
	}
	ver := clip(vr.Version, 24)
	title := name + " " + ver + " is vulnerable (" + strings.Join(ids, ", ") + ")"
	desc := "The WordPress " + c.Kind + " " + name + " " + ver + " has known vulnerabilities: " + strings.Join(whats, "; ") + "."
	cmd := "wp " + c.Kind + " update " + c.Slug
	var advice string
	switch {
	case noFix:
		advice = "Remove " + name + " now: no fixed release exists for at least one of these vulnerabilities. Replace it with a maintained alternative and check for signs of compromise (unknown admin users, modified files)."
		cmd = "wp " + c.Kind + " delete " + c.Slug
		if c.Kind == "plugin" {
			cmd = "wp plugin deactivate " + c.Slug + " && wp plugin delete " + c.Slug
		}
	default:
		to := fixStr
		if backported {
			to += " (or the patched release of your branch)"
		}
		advice = "Update " + name + " to " + to + " or later now (Dashboard → " + strings.ToUpper(c.Kind[:1]) + c.Kind[1:] + "s, or WP-CLI), turn on automatic updates for it, and check for signs of compromise (unknown admin users, modified files)."
	}
	return o.Finding(sev, title, desc, &Fix{Advice: advice, Snippets: []Snippet{{Server: ServerShell, Code: cmd}}}, vr.Where), sev
}

// wpCoreFix is the fix of an outdated core: the branch's latest release at
// least, the current one better.
func wpCoreFix(current, branchLatest string) *Fix {
	advice := "Update WordPress to the current release, " + current + ", and keep automatic background updates on (Dashboard → Updates, or WP-CLI)."
	if branchLatest != "" {
		advice = "Update WordPress at least to " + branchLatest + " (the security release of your branch; `wp core update --minor`), better to the current " + current + ", and keep automatic background updates on."
	}
	return &Fix{Advice: advice, Snippets: []Snippet{{Server: ServerShell, Code: "wp core update"}}}
}
