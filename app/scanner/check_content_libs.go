package scanner

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
	"golang.org/x/net/html"
)

const idContentVulnLibs = "content.vulnerable-libraries"

// libVuln is a known vulnerability of a range of library versions
// [Since, Below) (Since "" = from the first release; Below "" = unfixed).
// The JavaScript libraries' come from the retire.js data (retirejs.go), the
// CMS plugins' from check_content_cms.go.
type libVuln struct {
	Since, Below string
	IDs          []string
	Sev          Severity
	What         string
	// Excludes are versions inside the range that are not affected
	// (retire's "excludes").
	Excludes []string
	// since and below are Since and Below parsed once when the data is
	// loaded (retireVersion, keeping pre-releases); nil: parseVersion.
	since, below *semver.Version
	// excludes are Excludes parsed once when loaded (nil: parsed when used).
	excludes []*semver.Version
}

// compareVersions orders two versions as the library and CMS tables mean
// them: by their numbers only ("3.4.1" < "3.10"; missing parts count as 0),
// with pre-release and build suffixes ignored ("3.5.0-beta" == "3.5.0"), so
// a pre-release is judged like the release it leads to. The comparison is
// Masterminds/semver's; see parseVersion for inputs that are not SemVer.
func compareVersions(a, b string) int {
	return parseVersion(a).Compare(parseVersion(b))
}

// versionPrefixRE is the leading "1", "1.2" or "1.2.3" of a version string.
var versionPrefixRE = regexp.MustCompile(`^v?\d{1,9}(?:\.\d{1,9}){0,2}`)

// parseVersion reads a version the way compareVersions needs it.
// semver.NewVersion is lenient ("v1", "1.2" and "1.2.3-beta.1" parse), and
// its pre-release and metadata are dropped. What it refuses is read by its
// leading numbers: a fourth part ("1.2.3.4" reads as 1.2.3), a letter suffix
// without a dash ("6.9.1a" reads as 6.9.1, WordPress ?ver= values), or a
// part of more than nine digits (cut to its first nine). Anything without a
// leading number is 0.0.0, the oldest version, as before the library was used.
func parseVersion(s string) *semver.Version {
	v, err := semver.NewVersion(s)
	if err != nil {
		if v, err = semver.NewVersion(versionPrefixRE.FindString(s)); err != nil {
			return semver.New(0, 0, 0, "", "")
		}
	}
	if v.Prerelease() == "" && v.Metadata() == "" {
		return v
	}
	return semver.New(v.Major(), v.Minor(), v.Patch(), "", "")
}

// leadingInt is the major number of a version ("10" of Drupal 10).
func leadingInt(s string) int {
	return int(min(parseVersion(s).Major(), 1<<31-1))
}

// vulnsFor returns the vulnerabilities affecting version v: at or above
// Since, below Below, and not one of Excludes.
func vulnsFor(vs []libVuln, ver *semver.Version) []libVuln {
	var out []libVuln
	for _, x := range vs {
		if x.Since != "" && ver.Compare(boundOf(x.since, x.Since)) < 0 {
			continue
		}
		if x.Below != "" && ver.Compare(boundOf(x.below, x.Below)) >= 0 {
			continue
		}
		if len(x.Excludes) > 0 && excluded(x, ver) {
			continue
		}
		out = append(out, x)
	}
	return out
}

func boundOf(parsed *semver.Version, s string) *semver.Version {
	if parsed != nil {
		return parsed
	}
	return parseVersion(s)
}

// excluded says whether ver is one of x's excluded versions, read from
// those parsed at load when there are (a check runs thousands of times a
// second; docs/BENCHMARKS.md, Scanner).
func excluded(x libVuln, ver *semver.Version) bool {
	if len(x.excludes) == len(x.Excludes) {
		for _, e := range x.excludes {
			if e != nil && e.Equal(ver) {
				return true
			}
		}
		return false
	}
	for _, e := range x.Excludes {
		if retireVersion(e).Equal(ver) {
			return true
		}
	}
	return false
}

// jsLibAdvice is what Palisade adds to "Upgrade X to Y" where the retire
// data's ranges do not say it: end of life, maintenance mode, companions.
var jsLibAdvice = map[string]string{
	"jquery":     "Add jquery-migrate while fixing deprecated calls.",
	"angularjs":  "AngularJS 1.x reached end of life in 2021 and receives no fixes: migrate to Angular or another maintained framework (or a commercially supported AngularJS build).",
	"moment.js":  "Moment is in maintenance mode: consider Luxon, date-fns or Temporal.",
	"handlebars": "Never compile templates from user input.",
	"bootstrap":  "Better, move to the supported 5.x line.",
}

// jsFixFor is the fix of library l at the versions vs affect: the lowest
// release that clears every listed vulnerability, not only the ones seen
// (the fix of one range can fall inside another's), or, when a range has no
// end, that no fixed release is known. retire writes "the whole 3.x line"
// as below 3.999.999 and "no fix" as below 999.999.999
// (app/scanner/data/retirejs/README.md): the first becomes the next major release.
func jsFixFor(l *jsLib, vs []libVuln) *Fix {
	var target *semver.Version
	targetS := ""
	raise := func(xs []libVuln) {
		for _, x := range xs {
			b := boundOf(x.below, x.Below)
			if target == nil || b.Compare(target) > 0 {
				target, targetS = b, x.Below
			}
		}
	}
	raise(vs)
	fixed := false
	for range len(l.vulns) + 1 {
		if target == nil || target.Major() >= 999 {
			break
		}
		if target.Minor() >= 999 || target.Patch() >= 999 {
			target = semver.New(target.Major()+1, 0, 0, "", "")
			targetS = target.String()
		}
		more := vulnsFor(l.vulns, target)
		if len(more) == 0 {
			fixed = true
			break
		}
		raise(more)
	}
	var advice string
	if !fixed {
		advice = "No fixed release of " + l.Name + " is known for all of these vulnerabilities: replace it or remove it."
	} else {
		advice = "Upgrade " + l.Name + " to " + targetS + " or later."
	}
	if a := jsLibAdvice[l.Key]; a != "" {
		advice += " " + a
	}
	return adviceFix(advice)
}

// jsLibsOfPage recognises libraries on a page: its <script src> URLs and
// its inline scripts (memoised per page and repository).
func jsLibsOfPage(p *Response, repo *jsRepo) []jsSighting {
	return memoize(p, repo.pageKey, func() []jsSighting {
		f := htmlOf(p)
		base := baseURLOf(p, f)
		var out []jsSighting
		for _, s := range f.Scripts {
			if s.HasSrc && s.Src != "" {
				out = repo.inURL(resolveRef(base, s.Src), out)
			}
		}
		if f.IsHTML {
			for _, body := range inlineScripts(p.Body) {
				out = repo.inContent(body, false, p.URL+" (inline script)", out)
			}
		}
		return out
	})
}

// jsLibsOfScript recognises libraries in a fetched script: its URL, its
// whole body (up to the fetcher's cap) and, when read whole, its hash.
func jsLibsOfScript(r *Response, repo *jsRepo) []jsSighting {
	return memoize(r, repo.scriptKey, func() []jsSighting {
		out := repo.inURL(r.URL, nil)
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			out = repo.inContent(r.Body, !r.Truncated, r.URL, out)
		}
		return out
	})
}

// maxVersionsPerLib and maxLibSightings bound what one evaluation reports:
// a real bundle holds a library in one or two versions.
const (
	maxVersionsPerLib = 4
	maxLibSightings   = 40
)

// maxInlineScripts bounds the inline scripts read from one page.
const maxInlineScripts = 64

// inlineScripts returns the bodies of a page's <script> elements without
// src, in document order.
func inlineScripts(body []byte) [][]byte {
	if !bytes.Contains(body, []byte("<script")) && !bytes.Contains(body, []byte("<SCRIPT")) {
		return nil
	}
	var out [][]byte
	z := html.NewTokenizer(bytes.NewReader(body))
	inScript := false
	for len(out) < maxInlineScripts {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			inScript = string(name) == "script"
			for inScript && hasAttr {
				var k []byte
				k, _, hasAttr = z.TagAttr()
				if string(k) == "src" {
					inScript = false
				}
			}
		case html.TextToken:
			if inScript {
				out = append(out, bytes.Clone(z.Text()))
			}
			inScript = false
		default:
			inScript = false
		}
	}
	return out
}

// checkContentVulnLibs: outdated front-end libraries with published CVEs
// turn an otherwise harmless bug into exploitable XSS or prototype
// pollution, and scanners find them automatically. Libraries and versions
// are recognised by the retire.js extractors (retirejs.go): script URLs and
// file names, the whole content of fetched and inline scripts (each library
// of a bundle with its own version) and the hashes of known builds, and
// judged against retire's version ranges (docs/scoring.md).
var checkContentVulnLibs = Check{
	ID: idContentVulnLibs, Name: "Known-vulnerable JavaScript libraries", Category: catContent, Depth: Deep, Weight: 2,
	Needs: []EvidenceKind{NeedPage, NeedCrawl},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentVulnLibs)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		repo := ev.JSLibs
		if repo == nil {
			repo = embeddedJSRepo()
		}
		judged := " Judged against " + repo.Source + " of " + repo.Date + "."
		var sightings []jsSighting
		for _, p := range pages {
			sightings = append(sightings, jsLibsOfPage(p, repo)...)
		}
		for _, u := range sortedKeys(ev.Scripts) {
			if r := ev.Scripts[u]; r != nil {
				sightings = append(sightings, jsLibsOfScript(r, repo)...)
			} else {
				sightings = repo.inURL(u, sightings)
			}
		}
		// One entry per library and version, where it was first seen; a
		// site's text is hostile, so a script repeating banners with made-up
		// versions cannot list more than maxVersionsPerLib of one library.
		type key struct {
			lib *jsLib
			ver string
		}
		first := map[key]bool{}
		perLib := map[*jsLib]int{}
		var order []jsSighting
		for _, s := range sightings {
			k := key{s.lib, s.version}
			if !first[k] && perLib[s.lib] < maxVersionsPerLib && len(order) < maxLibSightings {
				first[k] = true
				perLib[s.lib]++
				order = append(order, s)
			}
		}
		if len(order) == 0 {
			return o.Pass(1, "no known library version detected",
				noneFound(ev, "versions of the JavaScript libraries retire.js tracks")+judged)
		}
		var seen, bad []string
		worst := SeverityInfo
		out := Outcome{}
		for _, s := range order {
			l := s.lib
			seen = append(seen, l.Name+" "+s.version)
			vs := vulnsFor(l.vulns, s.parsed)
			if len(vs) == 0 {
				continue
			}
			var ids, whats []string
			sev := SeverityInfo
			for _, v := range vs {
				ids = append(ids, v.IDs...)
				if v.What != "" {
					whats = append(whats, clip(v.What, 160))
				}
				if SeverityRank(v.Sev) < SeverityRank(sev) {
					sev = v.Sev
				}
			}
			ids, whats = dedupe(ids), dedupe(whats)
			if SeverityRank(sev) < SeverityRank(worst) {
				worst = sev
			}
			idList := strings.Join(ids, ", ")
			if idList == "" {
				idList = "advisories without a CVE id"
			}
			bad = append(bad, l.Name+" "+s.version+" ("+idList+")")
			out.Findings = append(out.Findings, o.Finding(sev,
				clip(l.Name+" "+s.version+" has known vulnerabilities: "+idList, 200),
				clip(l.Name+" "+s.version+" (seen at "+clip(s.where, 120)+") is affected by "+idList+": "+strings.Join(whats, "; "), 1200)+"."+judged,
				jsFixFor(l, vs),
				s.where))
		}
		if len(bad) == 0 {
			return o.Pass(1, clip("detected: "+strings.Join(seen, ", "), 250),
				noneFound(ev, "known-vulnerable versions of the libraries recognised ("+clip(strings.Join(seen, ", "), 200)+")")+judged)
		}
		out.Value = clip(strings.Join(bad, "; "), 250)
		out.Description = "Outdated libraries with published vulnerabilities are loaded: " + clip(strings.Join(bad, "; "), 200) + "." + judged
		if worst == SeverityLow {
			out.Status, out.Score = StatusWarn, 0.5
		} else {
			out.Status, out.Score = StatusFail, 0
		}
		return out
	},
}
