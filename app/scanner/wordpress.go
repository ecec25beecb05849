package scanner

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The WordPress knowledge the CMS check judges against: the core release
// list and the known-vulnerable plugin and theme versions. Both are dated
// data files (app/scanner/data/wordpress/README.md names their sources);
// PALISADE_WP_VULNS_FILE replaces the vulnerability table, and its optional
// "core" object the release list (docs/scoring.md, "content.cms").
//
//go:embed data/wordpress/releases.json data/wordpress/vulns.json
var wpDataFS embed.FS

// wpVersion is a version read by its numbers, as WordPress and its plugins
// number them: "4.1.5.3" is [4 1 5 3]; missing parts compare as 0, so
// "7.1" == "7.1.0". Four parts matter: LiteSpeed Cache 6.5.0.1 fixed what
// 6.5.0 did not.
type wpVersion []int

// parseWPVersion reads the leading numbers of s ("6.4.2-beta1" is 6.4.2):
// at most four parts, each at most six digits, so a hostile ?ver= cannot
// overflow; ok is false when s does not start with a number. Hand-written
// rather than a regexp: it runs for every version on every evaluation.
func parseWPVersion(s string) (wpVersion, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	v := make(wpVersion, 0, 4)
	for i := 0; len(v) < 4; {
		n, j := 0, i
		for j < len(s) && j-i < 6 && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			j++
		}
		if j == i {
			break
		}
		v = append(v, n)
		if j+1 >= len(s) || s[j] != '.' || s[j+1] < '0' || s[j+1] > '9' {
			break
		}
		i = j + 1
	}
	return v, len(v) > 0
}

// compare orders two versions by their numbers (-1, 0, 1).
func (a wpVersion) compare(b wpVersion) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := 0, 0
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// branch is the major.minor line a version belongs to ("6.4" of 6.4.2).
func (a wpVersion) branch() string {
	x, y := 0, 0
	if len(a) > 0 {
		x = a[0]
	}
	if len(a) > 1 {
		y = a[1]
	}
	return strconv.Itoa(x) + "." + strconv.Itoa(y)
}

// wpBranchRow is one row of the release list: a major.minor branch, its
// latest release, and whether the WordPress security team still ships
// security fixes for it.
type wpBranchRow struct {
	Branch   string `json:"branch"`
	Latest   string `json:"latest"`
	Released string `json:"released,omitempty"`
	Security bool   `json:"security"`
}

// wpReleaseFile is the release list's file format (data/wordpress/releases.json).
type wpReleaseFile struct {
	Source   string        `json:"source"`
	Date     string        `json:"date"`
	Branches []wpBranchRow `json:"branches"`
}

// wpVulnRow is one known vulnerability: versions [since, fixed_in) of the
// plugin or theme slug (since "" = from the first release, fixed_in "" =
// no fixed release), except the backported fixes listed in patched (a
// version at or above a patched release of its own major.minor branch).
type wpVulnRow struct {
	Slug     string   `json:"slug"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Since    string   `json:"since,omitempty"`
	FixedIn  string   `json:"fixed_in"`
	Patched  []string `json:"patched,omitempty"`
	CVE      string   `json:"cve"`
	Severity Severity `json:"severity"`
	What     string   `json:"what"`
}

// wpVulnFile is the vulnerability table's file format (data/wordpress/vulns.json
// and PALISADE_WP_VULNS_FILE). Core, when present, replaces the release list.
type wpVulnFile struct {
	Source string         `json:"source"`
	Date   string         `json:"date"`
	Core   *wpReleaseFile `json:"core,omitempty"`
	Vulns  []wpVulnRow    `json:"vulns"`
}

// wpVuln is a row with its versions parsed once, at load.
type wpVuln struct {
	wpVulnRow
	since, fixed wpVersion
	patched      []wpVersion
}

// affects reports whether version v is in the row's range and not patched.
func (x *wpVuln) affects(v wpVersion) bool {
	if x.since != nil && v.compare(x.since) < 0 {
		return false
	}
	if x.fixed != nil && v.compare(x.fixed) >= 0 {
		return false
	}
	for _, p := range x.patched {
		if p.branch() == v.branch() && v.compare(p) >= 0 {
			return false
		}
	}
	return true
}

// wpBranch is a release-list row with its latest release parsed.
type wpBranch struct {
	wpBranchRow
	latest wpVersion
}

// wpTable is the parsed knowledge, read-only once built.
type wpTable struct {
	CoreSource, CoreDate string
	VulnSource, VulnDate string
	branches             map[string]*wpBranch
	newest               *wpBranch // the newest branch of the list
	oldest               wpVersion // the oldest branch of the list, as a version
	vulns                map[string][]*wpVuln
	rows                 int
}

// wpKey is the table key of a plugin or theme.
func wpKey(kind, slug string) string { return kind + "/" + strings.ToLower(slug) }

var (
	wpSlugRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	wpCVERE  = regexp.MustCompile(`^CVE-\d{4}-\d{4,7}$`)
)

// buildWPTable validates and parses the release list and the vulnerability
// table; an error names the bad row.
func buildWPTable(rel *wpReleaseFile, vf *wpVulnFile) (*wpTable, error) {
	if rel == nil || len(rel.Branches) == 0 {
		return nil, errors.New("the release list has no branches")
	}
	t := &wpTable{CoreSource: rel.Source, CoreDate: rel.Date, VulnSource: vf.Source, VulnDate: vf.Date,
		branches: map[string]*wpBranch{}, vulns: map[string][]*wpVuln{}, rows: len(vf.Vulns)}
	for i, b := range rel.Branches {
		bv, ok := parseWPVersion(b.Branch)
		lv, ok2 := parseWPVersion(b.Latest)
		if !ok || !ok2 || len(bv) != 2 || lv.branch() != b.Branch {
			return nil, fmt.Errorf("release branch %d (%q): want a major.minor branch and a latest release of it, got %q", i+1, b.Branch, b.Latest)
		}
		if t.branches[b.Branch] != nil {
			return nil, fmt.Errorf("release branch %d (%q) is listed twice", i+1, b.Branch)
		}
		wb := &wpBranch{wpBranchRow: b, latest: lv}
		t.branches[b.Branch] = wb
		if t.newest == nil || lv.compare(t.newest.latest) > 0 {
			t.newest = wb
		}
		if t.oldest == nil || bv.compare(t.oldest) < 0 {
			t.oldest = bv
		}
	}
	if len(vf.Vulns) == 0 {
		return nil, errors.New("the table has no vulns")
	}
	for i, r := range vf.Vulns {
		bad := func(why string) error { return fmt.Errorf("row %d (%q): %s", i+1, clip(r.Slug, 60), why) }
		x := &wpVuln{wpVulnRow: r}
		switch {
		case !wpSlugRE.MatchString(r.Slug):
			return nil, bad("the slug must be letters, digits, '.', '_' or '-'")
		case r.Kind != "plugin" && r.Kind != "theme":
			return nil, bad(`kind must be "plugin" or "theme"`)
		case strings.TrimSpace(r.Name) == "" || strings.TrimSpace(r.What) == "":
			return nil, bad("name and what are required")
		case !wpCVERE.MatchString(r.CVE):
			return nil, bad("cve must be a CVE id (CVE-2024-12345)")
		case r.Severity != SeverityCritical && r.Severity != SeverityHigh && r.Severity != SeverityMedium && r.Severity != SeverityLow:
			return nil, bad("severity must be critical, high, medium or low")
		}
		var ok bool
		if r.Since != "" {
			if x.since, ok = parseWPVersion(r.Since); !ok {
				return nil, bad("since is not a version")
			}
		}
		if r.FixedIn != "" {
			if x.fixed, ok = parseWPVersion(r.FixedIn); !ok {
				return nil, bad("fixed_in is not a version")
			}
			if x.since != nil && x.since.compare(x.fixed) >= 0 {
				return nil, bad("since must be below fixed_in")
			}
		}
		for _, p := range r.Patched {
			pv, ok := parseWPVersion(p)
			if !ok {
				return nil, bad("patched has a value that is not a version")
			}
			x.patched = append(x.patched, pv)
		}
		k := wpKey(r.Kind, r.Slug)
		t.vulns[k] = append(t.vulns[k], x)
	}
	return t, nil
}

// decodeStrict decodes JSON refusing unknown fields, so a misspelt column
// ("fixedin") is an error instead of a row that never matches.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("unexpected data after the JSON document")
	}
	return nil
}

// embeddedWPReleases is the embedded release list.
func embeddedWPReleases() *wpReleaseFile {
	b, err := wpDataFS.ReadFile("data/wordpress/releases.json")
	if err != nil {
		panic(err)
	}
	var rel wpReleaseFile
	if err := decodeStrict(b, &rel); err != nil {
		panic("scanner: embedded data/wordpress/releases.json: " + err.Error())
	}
	return &rel
}

// embeddedWPTable is the table built from the embedded files (parsed once;
// TestWPEmbeddedTable holds the files to the same validation as a
// replacement file).
var embeddedWPTable = sync.OnceValue(func() *wpTable {
	b, err := wpDataFS.ReadFile("data/wordpress/vulns.json")
	if err != nil {
		panic(err)
	}
	var vf wpVulnFile
	if err := decodeStrict(b, &vf); err != nil {
		panic("scanner: embedded data/wordpress/vulns.json: " + err.Error())
	}
	t, err := buildWPTable(embeddedWPReleases(), &vf)
	if err != nil {
		panic("scanner: embedded WordPress data: " + err.Error())
	}
	return t
})

// loadWPTable reads PALISADE_WP_VULNS_FILE: nil (the embedded table) when
// path is empty, else the file's table, which replaces the embedded one (and
// its release list when the file has "core"). Errors name the file.
func loadWPTable(path string) (*wpTable, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scanner: WordPress vulnerability file %s: %w", path, err)
	}
	var vf wpVulnFile
	if err := decodeStrict(b, &vf); err != nil {
		return nil, fmt.Errorf("scanner: WordPress vulnerability file %s: invalid JSON: %w", path, err)
	}
	rel := vf.Core
	if rel == nil {
		rel = embeddedWPReleases()
	}
	t, err := buildWPTable(rel, &vf)
	if err != nil {
		return nil, fmt.Errorf("scanner: WordPress vulnerability file %s: %w", path, err)
	}
	return t, nil
}

// wpTableOf is the table a scan judges with: the Scanner's file, or the embedded one.
func wpTableOf(ev *Evidence) *wpTable {
	if ev.WPTable != nil {
		return ev.WPTable
	}
	return embeddedWPTable()
}

// wpCoreVerdict is how a core version stands against the release list.
type wpCoreVerdict struct {
	Known       bool   // the version's branch (or its age) is in the list
	Unsupported bool   // the branch no longer gets security fixes (or predates the list)
	Outdated    bool   // not the latest release of its branch
	Latest      string // the branch's latest release
	Current     string // the newest release of the list
	Newer       bool   // newer than anything the list knows
}

// judgeCore places a core version in the release list.
func (t *wpTable) judgeCore(ver string) wpCoreVerdict {
	v, ok := parseWPVersion(ver)
	if !ok {
		return wpCoreVerdict{}
	}
	out := wpCoreVerdict{Current: t.newest.Latest}
	b := t.branches[v.branch()]
	switch {
	case b != nil:
		out.Known, out.Latest = true, b.Latest
		out.Unsupported = !b.Security
		out.Outdated = v.compare(b.latest) < 0
	case v.compare(t.newest.latest) > 0:
		out.Newer = true
	case v.compare(t.oldest) < 0:
		out.Known, out.Unsupported = true, true
	}
	return out
}

// wpComponent is a plugin or theme seen in a site's asset URLs.
type wpComponent struct {
	Kind, Slug string
	// Dir is the path of its directory as the site serves it
	// ("/blog/wp-content/plugins/elementor/"), where readme.txt is asked for.
	Dir string
	// own are the ?ver= values of its own assets, in document order;
	// libVers the ?ver= values of the libraries it bundles.
	own     []wpAssetVer
	libVers map[string]bool
	// more are the same component's sightings on the site's other pages
	// (site level only; the page-level values are shared, never copied).
	more []*wpComponent
}

// wpAssetVer is a ?ver= on one of a component's own assets.
type wpAssetVer struct {
	Ver, Path string
	Main      bool // the component's main stylesheet or script
}

// wpBundledRE recognises the path (below the component's directory) of a
// library a plugin or theme ships inside itself: its ?ver= is the
// library's version (Elementor's eicons 5.15.0), not the plugin's.
var wpBundledRE = regexp.MustCompile(`(?i)(?:^|/)(?:lib|libs|library|vendor|vendors|node_modules|bower_components|third-?party|external|packages)/|font-?awesome|eicons|elementor-icons|swiper|slick|select2|jquery|bootstrap|animate|waypoints|flatpickr|lightbox|photoswipe|magnific|owl[.-]?carousel|isotope|imagesloaded|masonry|dialog|share-link|chart|moment|lodash|popper|tippy|gsap|fancybox|lottie|dashicons|icon|fonts?/`)

// wpMainNames are the file names (without .min and the extension) of a
// component's main assets.
var wpMainNames = map[string]bool{"frontend": true, "front-end": true, "front": true, "public": true, "main": true,
	"style": true, "styles": true, "script": true, "scripts": true, "app": true, "index": true, "common": true, "global": true}

// isMainAsset reports whether rest (the path below the component's
// directory) is the component's own main stylesheet or script.
func isMainAsset(slug, rest string) bool {
	base := strings.ToLower(rest[strings.LastIndex(rest, "/")+1:])
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	s := strings.ToLower(strings.TrimPrefix(strings.TrimSuffix(slug, "-lite"), "wp-"))
	return wpMainNames[base] || strings.HasPrefix(base, "frontend") || (len(s) >= 3 && strings.Contains(base, s))
}

// wpVerRE is a ?ver= that is a version (a dot, numbers first): not a
// timestamp or a build hash.
var wpVerRE = regexp.MustCompile(`^\d{1,6}(?:\.\d{1,6}){1,3}(?:[-.+][0-9a-z.]{1,20})?$`)

// wpComponentRE finds /wp-content/plugins/<slug>/ or /wp-content/themes/<slug>/ in a path.
var wpComponentRE = regexp.MustCompile(`(?i)^(.*?/wp-content/)(plugins|themes)/([a-z0-9_.-]{1,100})/(.*)$`)

// add records one asset of the component.
func (c *wpComponent) add(rest, ver string) {
	if ver == "" || !wpVerRE.MatchString(ver) {
		return
	}
	if wpBundledRE.MatchString(rest) {
		if c.libVers == nil {
			c.libVers = map[string]bool{}
		}
		c.libVers[ver] = true
		return
	}
	if len(c.own) < 50 {
		c.own = append(c.own, wpAssetVer{Ver: ver, Path: clip(c.Dir+rest, 160), Main: isMainAsset(c.Slug, rest)})
	}
}

// assetVersion is the component's version as its own assets tell it, on
// every page it was seen: the main asset's, else the most frequent own
// ?ver=; never a bundled library's version, nor WordPress's own (what
// WordPress appends when a plugin gives none). where is the asset it was
// read from.
func (c *wpComponent) assetVersion(core string) (ver, where string) {
	isLib := func(v string) bool {
		if c.libVers[v] {
			return true
		}
		for _, m := range c.more {
			if m.libVers[v] {
				return true
			}
		}
		return false
	}
	var count map[string]int
	var best *wpAssetVer
	consider := func(own []wpAssetVer) {
		for i := range own {
			a := &own[i]
			if a.Ver == core || (!a.Main && isLib(a.Ver)) {
				continue
			}
			if count == nil {
				count = map[string]int{}
			}
			count[a.Ver]++
			if best == nil || (a.Main && !best.Main) || (a.Main == best.Main && count[a.Ver] > count[best.Ver]) {
				best = a
			}
		}
	}
	consider(c.own)
	for _, m := range c.more {
		consider(m.own)
	}
	if best == nil {
		return "", ""
	}
	return best.Ver, best.Path + "?ver=" + best.Ver
}

// wpComponentOf splits an asset's escaped path and raw query (on the
// site) into the component it belongs to and the path below its directory.
func wpComponentOf(path, rawQuery string) (kind, slug, dir, rest, ver string, ok bool) {
	m := wpComponentRE.FindStringSubmatch(path)
	// A directory past 300 bytes is no real install's; it is not asked for.
	if m == nil || strings.Trim(m[3], ".") == "" || len(m[1])+len(m[2])+len(m[3]) > 300 {
		return "", "", "", "", "", false
	}
	kind = strings.TrimSuffix(strings.ToLower(m[2]), "s")
	slug = strings.ToLower(m[3])
	return kind, slug, m[1] + m[2] + "/" + m[3] + "/", m[4], queryValue(rawQuery, "ver"), true
}

// queryValue is the first value of key in a raw query ("" when absent),
// read without building the url.Values map.
func queryValue(rawQuery, key string) string {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != key {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
		}
		return v
	}
	return ""
}

// wpAssetURL splits an asset reference of a page into its host, escaped
// path and raw query, resolved against base. A path-absolute reference
// ("/wp-content/…", the common case) is split without parsing a URL.
func wpAssetURL(baseU *url.URL, ref string) (host, path, rawQuery string, ok bool) {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") && !strings.Contains(ref, "/.") && !strings.Contains(ref, "\\") {
		ref, _, _ = strings.Cut(ref, "#")
		path, rawQuery, _ = strings.Cut(ref, "?")
		return baseU.Hostname(), path, rawQuery, true
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", "", "", false
	}
	u := baseU.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", "", false
	}
	return u.Hostname(), u.EscapedPath(), u.RawQuery, true
}

// wpReadme is what a plugin's readme.txt says.
type wpReadme struct {
	Confirmed bool   // it is a WordPress readme (not an error or catch-all page)
	Version   string // its Stable tag, "" when none or "trunk"
	Tag       string // the Stable tag as written (clipped)
}

var (
	wpReadmeHeadRE   = regexp.MustCompile(`^\s*===[^=\r\n]{1,200}===`)
	wpReadmeStableRE = regexp.MustCompile(`(?im)^[ \t*]*Stable tag:[ \t]*([^\s]{1,40})`)
	wpStyleNameRE    = regexp.MustCompile(`(?im)^[ \t/*#@]*Theme Name:[ \t]*\S`)
	wpStyleVerRE     = regexp.MustCompile(`(?im)^[ \t/*#@]*Version:[ \t]*([0-9][0-9a-z.\-]{0,30})`)
	wpMajorRE        = regexp.MustCompile(`^\d{1,6}$`)
	wpFeedGenRE      = regexp.MustCompile(`(?i)<generator>\s*https?://wordpress\.org/\?v=(\d{1,6}(?:\.\d{1,6}){1,2})\s*</generator>`)
)

// textFile reports whether r is a 200 answer that is not an HTML page: a
// soft-404 site answers a missing readme.txt with its HTML catch-all page.
func textFile(r *Response) bool {
	if r == nil || r.StatusCode != 200 {
		return false
	}
	if strings.Contains(mimeOf(r.Header), "html") {
		return false
	}
	return !bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("<"))
}

// wpReadmeOf reads a plugin's readme.txt (memoised per response).
func wpReadmeOf(r *Response) wpReadme {
	if r == nil {
		return wpReadme{}
	}
	return memoize(r, "wp-readme", func() wpReadme {
		if !textFile(r) {
			return wpReadme{}
		}
		body := r.Body[:min(len(r.Body), 16<<10)]
		m := wpReadmeStableRE.FindSubmatch(body)
		if m == nil && !wpReadmeHeadRE.Match(body) {
			return wpReadme{}
		}
		out := wpReadme{Confirmed: true}
		if m != nil {
			out.Tag = clip(string(m[1]), 40)
			if wpVerRE.Match(m[1]) || wpMajorRE.Match(m[1]) {
				out.Version = string(m[1])
			}
		}
		return out
	})
}

// wpStyleVersionOf reads the Version: header of a theme's style.css
// (memoised); "" when the answer is not a theme stylesheet.
func wpStyleVersionOf(r *Response) string {
	if r == nil {
		return ""
	}
	return memoize(r, "wp-style", func() string {
		if !textFile(r) {
			return ""
		}
		head := r.Body[:min(len(r.Body), 8<<10)]
		if !wpStyleNameRE.Match(head) {
			return ""
		}
		if m := wpStyleVerRE.FindSubmatch(head); m != nil && wpVerRE.Match(m[1]) {
			return string(m[1])
		}
		return ""
	})
}

// wpFeedVersionOf reads the core version from a feed's <generator>
// (memoised); "" when there is none.
func wpFeedVersionOf(r *Response) string {
	if r == nil || r.StatusCode != 200 {
		return ""
	}
	return memoize(r, "wp-feed", func() string {
		if m := wpFeedGenRE.FindSubmatch(r.Body[:min(len(r.Body), 16<<10)]); m != nil {
			return string(m[1])
		}
		return ""
	})
}

// wpSite is what all the pages read tell about a WordPress site.
type wpSite struct {
	cmsFacts
	Plugins, Themes map[string]*wpComponent
	// Home is the path WordPress is installed at ("" or "/blog"), from
	// the asset paths; Feed the feed a page links to ("" = none).
	Home, Feed string
}

// wpSiteOf merges the fingerprints of every page, main page first.
func wpSiteOf(pages []*Response) *wpSite {
	s := &wpSite{Plugins: map[string]*wpComponent{}, Themes: map[string]*wpComponent{}, Home: "-"}
	for _, p := range pages {
		pc := cmsOfPage(p)
		if s.CMS == "" {
			s.CMS = pc.CMS
		}
		if pc.Version != "" && (s.Version == "" || (pc.FromMeta && !s.FromMeta)) {
			s.Version, s.FromMeta = pc.Version, pc.FromMeta
		}
		if s.DrupalMajr == "" {
			s.DrupalMajr = pc.DrupalMajr
		}
		if s.Feed == "" {
			s.Feed = pc.feed
		}
		for _, c := range pc.components {
			into := s.Plugins
			if c.Kind == "theme" {
				into = s.Themes
			}
			if have := into[c.Slug]; have != nil {
				if len(have.more) < 100 {
					have.more = append(have.more, c)
				}
			} else {
				into[c.Slug] = &wpComponent{Kind: c.Kind, Slug: c.Slug, Dir: c.Dir, own: c.own, libVers: c.libVers}
			}
			if s.Home == "-" {
				s.Home = strings.TrimSuffix(c.Dir[:strings.Index(strings.ToLower(c.Dir), "/wp-content/")], "/")
			}
		}
	}
	if s.Home == "-" {
		s.Home = ""
	}
	return s
}
