package scanner

import (
	"regexp"
	"strings"
)

const idContentCMS = "content.cms"

var (
	wpGeneratorRE = regexp.MustCompile(`(?i)^WordPress\s+(\d+\.\d+(?:\.\d+)?)`)
	// Core stylesheets and the emoji script carry the WordPress version in ?ver=.
	wpCoreVerRE = regexp.MustCompile(`(?i)/wp-includes/(?:css/[^?#]*\.css|js/wp-emoji-release\.min\.js)\?(?:[^#]*&)?ver=(\d+\.\d+(?:\.\d+)?)(?:[&#]|$)`)
	wpPluginRE  = regexp.MustCompile(`(?i)/wp-content/plugins/([a-z0-9_-]+)/(?:[^?#"']*\?(?:[^#"']*&)?ver=([0-9][0-9a-z.\-]*))?`)
	wpThemeRE   = regexp.MustCompile(`(?i)/wp-content/themes/([a-z0-9_-]+)/(?:[^?#"']*\?(?:[^#"']*&)?ver=([0-9][0-9a-z.\-]*))?`)
	drupalGenRE = regexp.MustCompile(`(?i)^Drupal\s+(\d+)`)
	joomlaGenRE = regexp.MustCompile(`(?i)^Joomla!?\s*(\d+(?:\.\d+)*)?`)
)

// wpPluginVuln is a well-known, actively exploited WordPress plugin vulnerability.
type wpPluginVuln struct {
	Slug, Name   string
	Since, Below string
	CVE          string
	Sev          Severity
	What         string
}

// wpPluginVulns is deliberately small: only mass-exploited plugin bugs with
// a clear fixed version. It is not a substitute for a plugin vulnerability feed.
var wpPluginVulns = []wpPluginVuln{
	{Slug: "wp-file-manager", Name: "WP File Manager", Since: "6.0", Below: "6.9", CVE: "CVE-2020-25213", Sev: SeverityCritical, What: "unauthenticated file upload and remote code execution"},
	{Slug: "contact-form-7", Name: "Contact Form 7", Below: "5.3.2", CVE: "CVE-2020-35489", Sev: SeverityHigh, What: "unrestricted file upload"},
	{Slug: "elementor", Name: "Elementor", Since: "3.6.0", Below: "3.6.3", CVE: "CVE-2022-1329", Sev: SeverityHigh, What: "authenticated remote code execution"},
	{Slug: "ultimate-member", Name: "Ultimate Member", Below: "2.6.7", CVE: "CVE-2023-3460", Sev: SeverityCritical, What: "unauthenticated privilege escalation to administrator"},
	{Slug: "litespeed-cache", Name: "LiteSpeed Cache", Below: "6.4", CVE: "CVE-2024-28000", Sev: SeverityCritical, What: "unauthenticated privilege escalation"},
	{Slug: "really-simple-ssl", Name: "Really Simple Security", Since: "9.0.0", Below: "9.1.2", CVE: "CVE-2024-10924", Sev: SeverityCritical, What: "authentication bypass"},
	{Slug: "woocommerce-payments", Name: "WooCommerce Payments", Since: "4.8.0", Below: "5.6.2", CVE: "CVE-2023-28121", Sev: SeverityCritical, What: "authentication bypass"},
	{Slug: "duplicator", Name: "Duplicator", Below: "1.3.28", CVE: "CVE-2020-11738", Sev: SeverityHigh, What: "unauthenticated arbitrary file download"},
	{Slug: "revslider", Name: "Slider Revolution", Below: "4.2", CVE: "CVE-2014-9734", Sev: SeverityHigh, What: "unauthenticated arbitrary file download (wp-config.php)"},
	{Slug: "wp-fastest-cache", Name: "WP Fastest Cache", Below: "1.2.2", CVE: "CVE-2023-6063", Sev: SeverityHigh, What: "unauthenticated SQL injection"},
	{Slug: "essential-addons-for-elementor-lite", Name: "Essential Addons for Elementor", Since: "5.4.0", Below: "5.7.2", CVE: "CVE-2023-32243", Sev: SeverityCritical, What: "unauthenticated password reset of any user"},
}

// wpOldestSupported is the first WordPress branch we do not call outdated.
const wpOldestSupported = "6.0"

// cmsFacts is what a page tells about its CMS.
type cmsFacts struct {
	CMS        string // "WordPress", "Drupal", "Joomla" or ""
	Version    string
	FromMeta   bool              // the version is announced by <meta name="generator">
	Plugins    map[string]string // slug → version ("" when unknown)
	Themes     map[string]string
	DrupalMajr string
}

// cmsOfPage fingerprints one page (memoised).
func cmsOfPage(p *Response) *cmsFacts {
	return memoize(p, "cms", func() *cmsFacts {
		c := &cmsFacts{Plugins: map[string]string{}, Themes: map[string]string{}}
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
		for _, a := range f.Assets {
			if !strings.Contains(a, "/wp-") {
				continue
			}
			if c.CMS == "" {
				c.CMS = "WordPress"
			}
			if c.Version == "" {
				if m := wpCoreVerRE.FindStringSubmatch(a); m != nil {
					c.Version = m[1]
				}
			}
			if m := wpPluginRE.FindStringSubmatch(a); m != nil {
				slug := strings.ToLower(m[1])
				if c.Plugins[slug] == "" {
					c.Plugins[slug] = m[2]
				}
			}
			if m := wpThemeRE.FindStringSubmatch(a); m != nil {
				slug := strings.ToLower(m[1])
				if c.Themes[slug] == "" {
					c.Themes[slug] = m[2]
				}
			}
		}
		return c
	})
}

// checkContentCMS: CMS sites are compromised mostly through outdated cores
// and plugins, which bots find by the versions pages disclose. The check
// identifies WordPress (core, themes, plugins with ?ver=), Drupal and
// Joomla, flags end-of-life cores and plugins with well-known exploited
// vulnerabilities, and notes version disclosure.
var checkContentCMS = Check{
	ID: idContentCMS, Name: "CMS and plugin versions", Category: catContent, Depth: Deep, Weight: 1,
	Needs: []EvidenceKind{NeedPage, NeedCrawl},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentCMS)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		c := cmsFacts{Plugins: map[string]string{}, Themes: map[string]string{}}
		for _, p := range pages {
			pc := cmsOfPage(p)
			if c.CMS == "" {
				c.CMS = pc.CMS
			}
			if c.Version == "" || (pc.FromMeta && !c.FromMeta) {
				if pc.Version != "" {
					c.Version, c.FromMeta = pc.Version, pc.FromMeta
				}
			}
			if c.DrupalMajr == "" {
				c.DrupalMajr = pc.DrupalMajr
			}
			for k, v := range pc.Plugins {
				if c.Plugins[k] == "" {
					c.Plugins[k] = v
				}
			}
			for k, v := range pc.Themes {
				if c.Themes[k] == "" {
					c.Themes[k] = v
				}
			}
		}
		if c.CMS == "" {
			return o.Skipped("no WordPress, Drupal or Joomla fingerprint was found, so there is no CMS to judge")
		}
		// A plugin without its own version gets WordPress's: not a plugin version.
		for k, v := range c.Plugins {
			if v != "" && v == c.Version {
				c.Plugins[k] = ""
			}
		}
		var parts []string
		name := c.CMS
		if c.Version != "" {
			name += " " + c.Version
		} else if c.DrupalMajr != "" {
			name += " " + c.DrupalMajr
		}
		parts = append(parts, name)
		plugins := sortedKeys(c.Plugins)
		if len(plugins) > 0 {
			var ps []string
			for _, k := range plugins {
				ps = append(ps, strings.TrimSuffix(k+" "+c.Plugins[k], " "))
			}
			parts = append(parts, "plugins: "+strings.Join(ps, ", "))
		}
		if th := sortedKeys(c.Themes); len(th) > 0 {
			parts = append(parts, "themes: "+strings.Join(th, ", "))
		}
		value := clip(strings.Join(parts, "; "), 250)
		out := Outcome{Value: value}
		worst := SeverityInfo
		for _, slug := range plugins {
			v := c.Plugins[slug]
			if v == "" {
				continue
			}
			ver := parseVersion(v)
			for _, pv := range wpPluginVulns {
				if pv.Slug != slug || (pv.Since != "" && ver.Compare(tableVersion(pv.Since)) < 0) || ver.Compare(tableVersion(pv.Below)) >= 0 {
					continue
				}
				if SeverityRank(pv.Sev) < SeverityRank(worst) {
					worst = pv.Sev
				}
				out.Findings = append(out.Findings, o.Finding(pv.Sev, pv.Name+" "+v+" is vulnerable ("+pv.CVE+")",
					"The WordPress plugin "+pv.Name+" "+v+" has a publicly exploited vulnerability, "+pv.CVE+": "+pv.What+".",
					&Fix{Advice: "Update " + pv.Name + " to " + pv.Below + " or later now (Dashboard → Plugins, or WP-CLI), enable automatic plugin updates, and check for signs of compromise (unknown admin users, modified files).",
						Snippets: []Snippet{{Server: ServerShell, Code: "wp plugin update " + slug}}},
					"/wp-content/plugins/"+slug+"/ ?ver="+v))
			}
		}
		if len(out.Findings) > 0 {
			out.Status, out.Score = StatusFail, 0
			out.Description = "A plugin with a known, exploited vulnerability is installed."
			return out
		}
		eol := ""
		switch {
		case c.CMS == "WordPress" && c.Version != "" && compareVersions(c.Version, wpOldestSupported) < 0:
			eol = "WordPress " + c.Version + " is years out of date and no longer receives security fixes"
		case c.CMS == "Drupal" && c.DrupalMajr != "" && leadingInt(c.DrupalMajr) <= 9:
			eol = "Drupal " + c.DrupalMajr + " has reached end of life and no longer receives security fixes"
		case c.CMS == "Joomla" && c.Version != "" && leadingInt(c.Version) <= 3:
			eol = "Joomla " + c.Version + " has reached end of life"
		}
		if eol != "" {
			out.Status, out.Score = StatusWarn, 0.25
			out.Description = eol + "."
			out.Findings = []Finding{o.Finding(SeverityHigh, "Outdated CMS",
				eol+".",
				adviceFix("Upgrade to the current release of "+c.CMS+" and keep automatic security updates on."),
				name)}
			return out
		}
		out.Status, out.Score = StatusPass, 1
		out.Description = c.CMS + " detected; no known-vulnerable plugin version found (the embedded list covers only mass-exploited plugins)."
		if c.FromMeta {
			out.Score = 0.8
			out.Description += " The page announces \"" + clip(name, 80) + "\" in <meta name=\"generator\">, which lets bots match it against vulnerability lists: remove it for full points (WordPress: remove_action('wp_head', 'wp_generator'); in the theme's functions.php)."
		}
		return out
	},
}
