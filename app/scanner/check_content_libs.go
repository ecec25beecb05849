package scanner

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

const idContentVulnLibs = "content.vulnerable-libraries"

// libVuln is a known vulnerability of a range of library versions
// [Since, Below) (Since "" = from the first release; Below "" = unfixed).
type libVuln struct {
	Since, Below string
	IDs          []string
	Sev          Severity
	What         string
}

// libInfo describes one JavaScript library: how to recognise it in script
// URLs and banners, and its known vulnerabilities.
type libInfo struct {
	Key, Name string
	URLRes    []*regexp.Regexp // group 1 = version
	BannerRes []*regexp.Regexp // group 1 = version
	Vulns     []libVuln
	Fix       *Fix
}

// libURLPatterns builds the common CDN and file-name shapes for a library
// whose path names match names (a regexp alternation):
// /ajax/libs/NAME/1.2.3/…, /NAME@1.2.3/, /NAME-1.2.3.min.js, and WordPress
// core's /wp-includes/…/NAME.min.js?ver=1.2.3.
func libURLPatterns(names, file string) []*regexp.Regexp {
	v := `v?(\d+\.\d+\.\d+)`
	return []*regexp.Regexp{
		regexp.MustCompile(`(?i)/(?:` + names + `)/` + v + `/(?:[\w.-]+/)*` + file + `(?:\.(?:slim|min|bundle|runtime|core))*\.js\b`),
		regexp.MustCompile(`(?i)/(?:` + names + `)@` + v + `\b`),
		regexp.MustCompile(`(?i)/` + file + `[.-]` + v + `(?:\.(?:slim|min|bundle|runtime))*\.js\b`),
		regexp.MustCompile(`(?i)/wp-includes/.*/` + file + `(?:\.(?:slim|min))*\.js\?(?:.*&)?ver=(\d+\.\d+\.\d+)`),
	}
}

var libTable = []libInfo{
	{Key: "jquery", Name: "jQuery",
		URLRes:    libURLPatterns(`jquery`, `jquery`),
		BannerRes: []*regexp.Regexp{regexp.MustCompile(`jQuery (?:JavaScript Library )?v(\d+\.\d+\.\d+)`)},
		Vulns: []libVuln{
			{Below: "1.9.0", IDs: []string{"CVE-2012-6708"}, Sev: SeverityMedium, What: "XSS: $() treats strings containing '<' anywhere as HTML"},
			{Below: "3.0.0", IDs: []string{"CVE-2015-9251"}, Sev: SeverityMedium, What: "XSS: cross-domain Ajax responses executed as script without dataType"},
			{Below: "3.4.0", IDs: []string{"CVE-2019-11358"}, Sev: SeverityMedium, What: "prototype pollution in jQuery.extend(true, …)"},
			{Since: "1.2.0", Below: "3.5.0", IDs: []string{"CVE-2020-11022", "CVE-2020-11023"}, Sev: SeverityMedium, What: "XSS: HTML passed to .html(), .append() and friends runs scripts even after sanitising"},
		},
		Fix: adviceFix("Upgrade to jQuery 3.7 or later (add jquery-migrate while fixing deprecated calls).")},
	{Key: "jquery-ui", Name: "jQuery UI",
		URLRes: append(libURLPatterns(`jquery-ui|jqueryui`, `jquery-ui`),
			regexp.MustCompile(`(?i)/wp-includes/js/jquery/ui/[a-z-]+(?:\.min)?\.js\?(?:.*&)?ver=(\d+\.\d+\.\d+)`)),
		BannerRes: []*regexp.Regexp{regexp.MustCompile(`jQuery UI - v(\d+\.\d+\.\d+)`)},
		Vulns: []libVuln{
			{Below: "1.12.0", IDs: []string{"CVE-2016-7103"}, Sev: SeverityMedium, What: "XSS through the dialog closeText option"},
			{Below: "1.13.0", IDs: []string{"CVE-2021-41182", "CVE-2021-41183", "CVE-2021-41184"}, Sev: SeverityMedium, What: "XSS through datepicker and .position() options"},
			{Below: "1.13.2", IDs: []string{"CVE-2022-31160"}, Sev: SeverityMedium, What: "XSS when refreshing checkboxradio labels"},
		},
		Fix: adviceFix("Upgrade to jQuery UI 1.13.2 or later.")},
	{Key: "bootstrap", Name: "Bootstrap",
		URLRes:    libURLPatterns(`bootstrap|twitter-bootstrap`, `bootstrap`),
		BannerRes: []*regexp.Regexp{regexp.MustCompile(`Bootstrap v(\d+\.\d+\.\d+) \(https?://getbootstrap\.com`)},
		Vulns: []libVuln{
			{Below: "3.4.0", IDs: []string{"CVE-2018-14040", "CVE-2018-14041", "CVE-2018-14042", "CVE-2018-20676", "CVE-2018-20677"}, Sev: SeverityMedium, What: "XSS through data-parent, data-target, data-viewport and tooltip options"},
			{Since: "4.0.0", Below: "4.1.2", IDs: []string{"CVE-2018-14040", "CVE-2018-14041", "CVE-2018-14042"}, Sev: SeverityMedium, What: "XSS through data-parent, data-target and tooltip data-container"},
			{Below: "3.4.1", IDs: []string{"CVE-2019-8331"}, Sev: SeverityMedium, What: "XSS through tooltip and popover data-template"},
			{Since: "4.0.0", Below: "4.3.1", IDs: []string{"CVE-2019-8331"}, Sev: SeverityMedium, What: "XSS through tooltip and popover data-template"},
		},
		Fix: adviceFix("Upgrade to Bootstrap 3.4.1 (3.x) or 4.3.1+ — better, to the supported 5.x line.")},
	{Key: "angularjs", Name: "AngularJS",
		URLRes: []*regexp.Regexp{
			regexp.MustCompile(`(?i)/(?:angular\.js|angularjs|angular)/(1\.\d+\.\d+)/angular(?:\.min)?\.js\b`),
			regexp.MustCompile(`(?i)/angular@(1\.\d+\.\d+)/`),
			regexp.MustCompile(`(?i)/angular[.-](1\.\d+\.\d+)(?:\.min)?\.js\b`),
		},
		BannerRes: []*regexp.Regexp{regexp.MustCompile(`AngularJS v(1\.\d+\.\d+)`)},
		Vulns: []libVuln{
			{Below: "1.8.0", IDs: []string{"CVE-2020-7676"}, Sev: SeverityMedium, What: "XSS through <option> elements in <select>"},
			{Since: "1.0.0", IDs: []string{"CVE-2023-26117"}, Sev: SeverityLow, What: "ReDoS in $resource (no fix: AngularJS reached end of life in 2021)"},
			{Since: "1.2.21", IDs: []string{"CVE-2023-26116"}, Sev: SeverityLow, What: "ReDoS in angular.copy() (no fix)"},
			{Since: "1.4.9", IDs: []string{"CVE-2023-26118"}, Sev: SeverityLow, What: "ReDoS in <input type=\"url\"> validation (no fix)"},
		},
		Fix: adviceFix("AngularJS 1.x is end-of-life and receives no fixes: migrate to Angular or another maintained framework (or a commercially supported AngularJS build).")},
	{Key: "lodash", Name: "Lodash",
		URLRes: libURLPatterns(`lodash|lodash\.js`, `lodash`),
		Vulns: []libVuln{
			{Below: "4.17.5", IDs: []string{"CVE-2018-3721"}, Sev: SeverityMedium, What: "prototype pollution in merge/mergeWith/defaultsDeep"},
			{Below: "4.17.11", IDs: []string{"CVE-2018-16487"}, Sev: SeverityMedium, What: "prototype pollution in merge"},
			{Below: "4.17.12", IDs: []string{"CVE-2019-10744"}, Sev: SeverityHigh, What: "prototype pollution in defaultsDeep"},
			{Below: "4.17.19", IDs: []string{"CVE-2020-8203"}, Sev: SeverityMedium, What: "prototype pollution in zipObjectDeep"},
			{Below: "4.17.21", IDs: []string{"CVE-2021-23337", "CVE-2020-28500"}, Sev: SeverityHigh, What: "code injection through template() and ReDoS in trim functions"},
		},
		Fix: adviceFix("Upgrade to Lodash 4.17.21 or later.")},
	{Key: "moment", Name: "Moment.js",
		URLRes:    libURLPatterns(`moment|moment\.js`, `moment(?:-with-locales)?`),
		BannerRes: []*regexp.Regexp{regexp.MustCompile(`//! version : (\d+\.\d+\.\d+)`)},
		Vulns: []libVuln{
			{Below: "2.15.2", IDs: []string{"CVE-2016-4055"}, Sev: SeverityLow, What: "ReDoS in duration parsing"},
			{Below: "2.19.3", IDs: []string{"CVE-2017-18214"}, Sev: SeverityLow, What: "ReDoS in date parsing"},
			{Below: "2.29.2", IDs: []string{"CVE-2022-24785"}, Sev: SeverityLow, What: "path traversal in locale loading (server-side use)"},
			{Below: "2.29.4", IDs: []string{"CVE-2022-31129"}, Sev: SeverityMedium, What: "ReDoS (quadratic) in RFC 2822 date parsing"},
		},
		Fix: adviceFix("Upgrade to Moment 2.29.4 or later (Moment is in maintenance mode: consider Luxon, date-fns or Temporal).")},
	{Key: "handlebars", Name: "Handlebars",
		URLRes:    libURLPatterns(`handlebars|handlebars\.js`, `handlebars`),
		BannerRes: []*regexp.Regexp{regexp.MustCompile(`(?i)handlebars v(\d+\.\d+\.\d+)`)},
		Vulns: []libVuln{
			{Below: "4.3.0", IDs: []string{"CVE-2019-19919"}, Sev: SeverityHigh, What: "prototype pollution leading to code execution through templates"},
			{Below: "4.7.7", IDs: []string{"CVE-2021-23369", "CVE-2021-23383"}, Sev: SeverityHigh, What: "code execution when compiling untrusted templates"},
		},
		Fix: adviceFix("Upgrade to Handlebars 4.7.7 or later; never compile templates from user input.")},
}

// lodashMarkers locate Lodash builds, whose version is a string constant
// shortly after the license banner (VERSION = '4.17.21' / ="4.17.21").
var (
	lodashMarkers  = [][]byte{[]byte("@license Lodash"), []byte("lodash.com/license"), []byte("@license lodash")}
	lodashVerRE    = regexp.MustCompile(`(?:VERSION\s*=\s*|=\s*)['"](4\.\d{1,2}\.\d{1,2})['"]`)
	momentMarkerRE = regexp.MustCompile(`(?i)moment(?:\.js)?`)
	momentVerRE    = regexp.MustCompile(`\.version\s*=\s*['"](2\.\d{1,2}\.\d{1,2})['"]`)
)

// libSighting is a library version seen somewhere. Parsed is Version read
// by parseVersion when the sighting is made, so memoised sightings are
// parsed once per response, not on every evaluation.
type libSighting struct {
	Key, Version, Where string
	Parsed              *semver.Version
}

func sighting(key, version, where string) libSighting {
	return libSighting{Key: key, Version: version, Where: where, Parsed: parseVersion(version)}
}

// libsInURL recognises libraries from a script URL.
func libsInURL(u string) []libSighting {
	var out []libSighting
	for _, l := range libTable {
		for _, re := range l.URLRes {
			if m := re.FindStringSubmatch(u); m != nil {
				out = append(out, sighting(l.Key, m[1], u))
				break
			}
		}
	}
	return out
}

// libsOf recognises libraries from a fetched script's URL and banners
// (memoised per response).
func libsOf(r *Response) []libSighting {
	ix := indexOf(r)
	ix.libsOnce.Do(func() {
		ix.libs = libsInURL(r.URL)
		body := r.Body
		for _, l := range libTable {
			for _, re := range l.BannerRes {
				for _, m := range re.FindAllSubmatch(body, 5) {
					ix.libs = append(ix.libs, sighting(l.Key, string(m[1]), r.URL))
				}
			}
		}
		for _, mk := range lodashMarkers {
			if i := bytes.Index(body, mk); i >= 0 {
				end := min(len(body), i+40000)
				if m := lodashVerRE.FindSubmatch(body[i:end]); m != nil {
					ix.libs = append(ix.libs, sighting("lodash", string(m[1]), r.URL))
				}
				break
			}
		}
		if loc := momentMarkerRE.FindIndex(body); loc != nil {
			if m := momentVerRE.FindSubmatch(body); m != nil {
				ix.libs = append(ix.libs, sighting("moment", string(m[1]), r.URL))
			}
		}
	})
	return ix.libs
}

// pageLibs recognises libraries from the <script src> URLs of a page (memoised).
func pageLibs(p *Response) []libSighting {
	return memoize(p, "libs", func() []libSighting {
		f := htmlOf(p)
		base := baseURLOf(p, f)
		var out []libSighting
		for _, s := range f.Scripts {
			if s.HasSrc && s.Src != "" {
				out = append(out, libsInURL(resolveRef(base, s.Src))...)
			}
		}
		return out
	})
}

// compareVersions orders two versions as the library and CMS tables mean
// them: by their numbers only ("3.4.1" < "3.10"; missing parts count as 0),
// with pre-release and build suffixes ignored ("3.5.0-beta" == "3.5.0"), so
// a pre-release is judged like the release it leads to. The comparison is
// Masterminds/semver's; see parseVersion for inputs that are not SemVer.
func compareVersions(a, b string) int {
	return parseVersion(a).Compare(tableVersion(b))
}

// tableVersions holds the parsed bounds of libTable, so
// the per-evaluation work is one parse per version seen, not two per table
// row (checks run thousands of times a second). Read-only after init.
var tableVersions = func() map[string]*semver.Version {
	m := map[string]*semver.Version{}
	for _, l := range libTable {
		for _, v := range l.Vulns {
			m[v.Since], m[v.Below] = parseVersion(v.Since), parseVersion(v.Below)
		}
	}
	return m
}()

// tableVersion is parseVersion for the versions of the embedded tables.
func tableVersion(s string) *semver.Version {
	if v, ok := tableVersions[s]; ok {
		return v
	}
	return parseVersion(s)
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

// vulnsFor returns the vulnerabilities affecting version v.
func vulnsFor(vs []libVuln, ver *semver.Version) []libVuln {
	var out []libVuln
	for _, x := range vs {
		if x.Since != "" && ver.Compare(tableVersion(x.Since)) < 0 {
			continue
		}
		if x.Below != "" && ver.Compare(tableVersion(x.Below)) >= 0 {
			continue
		}
		out = append(out, x)
	}
	return out
}

func libByKey(k string) *libInfo {
	if i := slices.IndexFunc(libTable, func(l libInfo) bool { return l.Key == k }); i >= 0 {
		return &libTable[i]
	}
	return nil
}

// checkContentVulnLibs: outdated front-end libraries with published CVEs
// turn an otherwise harmless bug into exploitable XSS or prototype
// pollution, and scanners find them automatically. Libraries are detected
// from script URLs (CDN paths, file names, WordPress ?ver=) and from the
// banners of same-origin scripts.
var checkContentVulnLibs = Check{
	ID: idContentVulnLibs, Name: "Known-vulnerable JavaScript libraries", Category: catContent, Depth: Deep, Weight: 2,
	Needs: []EvidenceKind{NeedPage, NeedCrawl},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentVulnLibs)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		var sightings []libSighting
		for _, p := range pages {
			sightings = append(sightings, pageLibs(p)...)
		}
		for _, u := range sortedKeys(ev.Scripts) {
			if r := ev.Scripts[u]; r != nil {
				sightings = append(sightings, libsOf(r)...)
			} else {
				sightings = append(sightings, libsInURL(u)...)
			}
		}
		// One entry per library and version.
		type key struct{ lib, ver string }
		found := map[key]string{}
		parsed := map[key]*semver.Version{}
		var order []key
		for _, s := range sightings {
			k := key{s.Key, s.Version}
			if _, ok := found[k]; !ok {
				found[k], parsed[k] = s.Where, s.Parsed
				order = append(order, k)
			}
		}
		if len(order) == 0 {
			return o.Pass(1, "no known library version detected",
				"No version of a tracked library (jQuery, jQuery UI, Bootstrap, AngularJS, Lodash, Moment, Handlebars) was recognised.")
		}
		var seen, bad []string
		worst := SeverityInfo
		out := Outcome{}
		for _, k := range order {
			l := libByKey(k.lib)
			seen = append(seen, l.Name+" "+k.ver)
			vs := vulnsFor(l.Vulns, parsed[k])
			if len(vs) == 0 {
				continue
			}
			var ids, whats []string
			sev := SeverityInfo
			for _, v := range vs {
				ids = append(ids, v.IDs...)
				whats = append(whats, v.What)
				if SeverityRank(v.Sev) < SeverityRank(sev) {
					sev = v.Sev
				}
			}
			ids = dedupe(ids)
			if SeverityRank(sev) < SeverityRank(worst) {
				worst = sev
			}
			bad = append(bad, l.Name+" "+k.ver+" ("+strings.Join(ids, ", ")+")")
			out.Findings = append(out.Findings, o.Finding(sev, l.Name+" "+k.ver+" has known vulnerabilities: "+strings.Join(ids, ", "),
				l.Name+" "+k.ver+" (seen at "+clip(found[k], 120)+") is affected by "+strings.Join(ids, ", ")+": "+strings.Join(whats, "; ")+".",
				l.Fix,
				found[k]))
		}
		if len(bad) == 0 {
			return o.Pass(1, clip("detected: "+strings.Join(seen, ", "), 250),
				"The libraries recognised have no known vulnerability in the embedded table.")
		}
		out.Value = clip(strings.Join(bad, "; "), 250)
		out.Description = "Outdated libraries with published vulnerabilities are loaded: " + clip(strings.Join(bad, "; "), 200) + "."
		if worst == SeverityLow {
			out.Status, out.Score = StatusWarn, 0.5
		} else {
			out.Status, out.Score = StatusFail, 0
		}
		return out
	},
}
