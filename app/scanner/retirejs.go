package scanner

import (
	"bytes"
	"crypto/sha1"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
)

// The embedded retire.js repository and Palisade's supplement to it. Source,
// version, date and licence: app/scanner/data/retirejs/README.md.
var (
	//go:embed data/retirejs/jsrepository-v5.json
	retireJSData []byte
	//go:embed data/retirejs/palisade-supplement.json
	retireSupplementData []byte
)

// retireJSDate is the date of the embedded retire.js snapshot (the last
// commit of repository/jsrepository-v5.json it was taken at), shown in every
// verdict of content.vulnerable-libraries so a reader knows how fresh the
// judgement is.
const retireJSDate = "2026-08-20"

// retireVersionRE replaces retire's §§version§§ placeholder: retire's own
// [0-9][0-9.a-z_\-]+ (app/scanner/data/retirejs/README.md), bounded at 64
// characters so that most extractors have a bounded match length and can be
// run on windows around their literal instead of the whole script.
const retireVersionRE = `[0-9][0-9.a-z_\-]{0,63}`

// jsRepo is a compiled retire.js repository: per library, the extractors
// that recognise it and the vulnerable version ranges. Read-only once built,
// shared by every scan of a Scanner.
type jsRepo struct {
	// Date is the data's date ("2026-08-20"), Source where it came from
	// ("retire.js data" or the file set by PALISADE_RETIREJS_FILE).
	Date, Source string
	libs         []*jsLib
	// content are every library's file-content extractors, for one pass
	// over a script body; hashes maps a body's SHA-1 to library and version.
	content []*jsExtractor
	ac      *litMatcher // the content extractors' literals
	hashes  map[string]jsHashHit
	// Skipped counts extractors that could not be translated to Go's
	// regexp syntax (RE2 has no backtracking features) and are not applied.
	Skipped int
	// pageKey and scriptKey key the sightings memoised per response, so
	// two repositories never share them.
	pageKey, scriptKey string
}

type jsHashHit struct {
	lib     *jsLib
	version string
}

// jsLib is one library of the repository.
type jsLib struct {
	Key   string // retire's component name ("jquery", "moment.js")
	Name  string // display name ("jQuery", "Moment.js")
	uri   []*jsExtractor
	file  []*jsExtractor // matched against the whole last path segment
	vulns []libVuln
}

// jsExtractor is one compiled extractor regexp. Group 1 is the version;
// replace, for retire's filecontentreplace, rewrites the whole match into
// the version ("$1.$2").
type jsExtractor struct {
	lib     *jsLib
	re      *regexp.Regexp
	replace string
	// lits is the literal prefilter: every match contains one of them (nil
	// when none could be derived); the windows are cut around them. needs
	// are every such set the regexp requires (lits among them): a body
	// lacking any one set cannot match. maxLen bounds a match's length in
	// bytes (-1 unbounded, or anchored so windows would change its meaning).
	lits   [][]byte
	needs  [][][]byte
	maxLen int
	// needIDs are needs as ids of jsRepo.lits, anchor the index of lits.
	needIDs [][]int
	anchor  int
}

// retireFile is the JSON shape of jsrepository-v5.json (and of the
// supplement). Fields this scanner does not apply (func and ast extractors,
// which need a JavaScript engine) are not read.
type retireFile map[string]struct {
	Vulnerabilities []struct {
		AtOrAbove string   `json:"atOrAbove"`
		Below     string   `json:"below"`
		Excludes  []string `json:"excludes"`
		Severity  string   `json:"severity"`
		// Identifiers holds CVE (a list), githubID, summary and others
		// (issue, bug, retid) whose types vary in the data.
		Identifiers map[string]any `json:"identifiers"`
		Info        []string       `json:"info"`
		// Ranges is jsrepository-master.json's form of the range: several
		// [atOrAbove, below) per advisory instead of one.
		Ranges []retireRange `json:"ranges"`
		// Summary is where jsrepository-master.json keeps the summary.
		Summary string `json:"summary"`
	} `json:"vulnerabilities"`
	Extractors struct {
		URI                []string          `json:"uri"`
		Filename           []string          `json:"filename"`
		Filecontent        []string          `json:"filecontent"`
		Filecontentreplace []string          `json:"filecontentreplace"`
		Hashes             map[string]string `json:"hashes"`
	} `json:"extractors"`
}

type retireRange struct {
	AtOrAbove string `json:"atOrAbove"`
	Below     string `json:"below"`
}

// retireIgnored are entries of the retire data that are not libraries:
// the format's example and the list of URLs retire's browser extension does
// not download.
var retireIgnored = map[string]bool{"retire-example": true, "dont check": true}

// jsLibNames are display names for retire's component keys; keys not listed
// are shown as retire names them.
var jsLibNames = map[string]string{
	"jquery": "jQuery", "jquery-ui": "jQuery UI", "jquery-migrate": "jQuery Migrate",
	"jquery-mobile": "jQuery Mobile", "jquery-validation": "jQuery Validation",
	"bootstrap": "Bootstrap", "angularjs": "AngularJS", "@angular/core": "Angular",
	"lodash": "Lodash", "moment.js": "Moment.js", "handlebars": "Handlebars",
	"jspdf": "jsPDF", "underscore.js": "Underscore.js", "vue": "Vue.js", "react": "React",
	"react-dom": "React DOM", "backbone.js": "Backbone.js", "mustache.js": "Mustache.js",
	"prototypejs": "Prototype", "ckeditor": "CKEditor", "ckeditor5": "CKEditor 5",
	"tinyMCE": "TinyMCE", "chart.js": "Chart.js", "threejs": "three.js", "pdf.js": "PDF.js",
	"highlightjs": "highlight.js", "markdown-it": "markdown-it", "marked": "Marked",
}

var jsRepoCount atomic.Int64

// embeddedJSRepo is the embedded repository, compiled on first use.
var embeddedJSRepo = sync.OnceValue(func() *jsRepo {
	r, err := buildJSRepo(retireJSData, retireJSDate, "retire.js data")
	if err != nil {
		panic("scanner: embedded retire.js data: " + err.Error()) // TestEmbeddedJSRepo keeps it valid
	}
	return r
})

// loadJSRepoFile reads a retire.js repository file (PALISADE_RETIREJS_FILE);
// its date is the file's modification date. The error names the file.
func loadJSRepoFile(path string) (*jsRepo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scanner: retire.js data %s: %w", path, err)
	}
	date := ""
	if st, err := os.Stat(path); err == nil {
		date = st.ModTime().UTC().Format("2006-01-02")
	}
	r, err := buildJSRepo(data, date, "retire.js data from "+filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("scanner: retire.js data %s: %w", path, err)
	}
	return r, nil
}

// buildJSRepo parses and compiles retire.js repository data, then merges
// Palisade's supplement (docs/scoring.md, "content.vulnerable-libraries"):
// its extractors always apply; its vulnerabilities only to libraries the
// retire data does not know, so a newer retire file wins where it has data.
func buildJSRepo(data []byte, date, source string) (*jsRepo, error) {
	var main, sup retireFile
	if err := json.Unmarshal(data, &main); err != nil {
		return nil, fmt.Errorf("not retire.js repository JSON: %w", err)
	}
	if len(main) == 0 {
		return nil, fmt.Errorf("no libraries in the repository")
	}
	if err := json.Unmarshal(retireSupplementData, &sup); err != nil {
		return nil, fmt.Errorf("supplement: %w", err)
	}
	n := strconv.FormatInt(jsRepoCount.Add(1), 10)
	r := &jsRepo{Date: date, Source: source, hashes: map[string]jsHashHit{},
		pageKey: "jslibs-page|" + n, scriptKey: "jslibs-script|" + n}
	byKey := map[string]*jsLib{}
	add := func(f retireFile, supplement bool) error {
		for _, key := range slices.Sorted(mapKeys(f)) {
			if retireIgnored[key] {
				continue
			}
			e := f[key]
			l := byKey[key]
			known := l != nil
			if l == nil {
				l = &jsLib{Key: key, Name: jsLibNames[key]}
				if l.Name == "" {
					l.Name = key
				}
				byKey[key] = l
				r.libs = append(r.libs, l)
			}
			if !supplement || !known {
				for _, v := range e.Vulnerabilities {
					summary, _ := v.Identifiers["summary"].(string)
					if summary == "" {
						summary = v.Summary
					}
					ranges := v.Ranges
					if len(ranges) == 0 {
						ranges = []retireRange{{v.AtOrAbove, v.Below}}
					}
					for _, rg := range ranges {
						if rg.Below == "" {
							return fmt.Errorf("%s: a vulnerability without \"below\"", key)
						}
						lv := libVuln{Since: rg.AtOrAbove, Below: rg.Below, IDs: advisoryIDs(v.Identifiers), Sev: retireSeverity(v.Severity),
							What: summary, Excludes: v.Excludes}
						lv.since, lv.below = retireVersion(rg.AtOrAbove), retireVersion(rg.Below)
						for _, x := range v.Excludes {
							lv.excludes = append(lv.excludes, retireVersion(x))
						}
						l.vulns = append(l.vulns, lv)
					}
				}
			}
			x := e.Extractors
			for _, s := range x.URI {
				if ex := r.compile(l, s, false); ex != nil {
					l.uri = append(l.uri, ex)
				}
			}
			for _, s := range x.Filename {
				if ex := r.compile(l, s, true); ex != nil {
					l.file = append(l.file, ex)
				}
			}
			for _, s := range x.Filecontent {
				if ex := r.compile(l, s, false); ex != nil {
					r.content = append(r.content, ex)
				}
			}
			for _, s := range x.Filecontentreplace {
				// "/regex/replacement/" (app/scanner/data/retirejs/README.md).
				pat, rep, ok := splitReplace(s)
				if !ok {
					r.Skipped++
					continue
				}
				if ex := r.compile(l, pat, false); ex != nil {
					ex.replace = jsReplacementToGo(rep)
					r.content = append(r.content, ex)
				}
			}
			for h, v := range x.Hashes {
				r.hashes[strings.ToLower(h)] = jsHashHit{l, v}
			}
		}
		return nil
	}
	if err := add(main, false); err != nil {
		return nil, err
	}
	if err := add(sup, true); err != nil {
		return nil, fmt.Errorf("supplement: %w", err)
	}
	// One automaton finds every content extractor's literals in one pass.
	ids := map[string]int{}
	var lits [][]byte
	for _, ex := range r.content {
		for _, set := range ex.needs {
			var setIDs []int
			for _, l := range set {
				id, ok := ids[string(l)]
				if !ok {
					id = len(lits)
					ids[string(l)] = id
					lits = append(lits, l)
				}
				setIDs = append(setIDs, id)
			}
			ex.needIDs = append(ex.needIDs, setIDs)
		}
	}
	r.ac = newLitMatcher(lits)
	return r, nil
}

// advisoryIDs names an advisory by its CVE ids, else its GitHub advisory
// id, else none (its summary then says what it is).
func advisoryIDs(ids map[string]any) []string {
	var out []string
	if cves, ok := ids["CVE"].([]any); ok {
		for _, c := range cves {
			if s, ok := c.(string); ok && strings.HasPrefix(s, "CVE-") {
				out = append(out, s)
			}
		}
	}
	if gh, ok := ids["githubID"].(string); ok && gh != "" && len(out) == 0 {
		out = append(out, gh)
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// compile translates one retire extractor (a JavaScript regexp with the
// §§version§§ placeholder) to Go and derives its prefilter; nil, counted in
// Skipped, when Go cannot express it.
func (r *jsRepo) compile(l *jsLib, src string, whole bool) *jsExtractor {
	expr, ok := jsRegexpToGo(src)
	if !ok {
		r.Skipped++
		return nil
	}
	expr = strings.ReplaceAll(expr, "§§version§§", retireVersionRE)
	if whole {
		expr = `^(?:` + expr + `)$`
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		r.Skipped++
		return nil
	}
	ex := &jsExtractor{lib: l, re: re, maxLen: -1}
	if t, err := syntax.Parse(expr, syntax.Perl); err == nil {
		ex.needs = requiredLiteralSets(t)
		for i, set := range ex.needs {
			if ex.lits == nil || shortest(set) > shortest(ex.lits) {
				ex.lits, ex.anchor = set, i
			}
		}
		ex.maxLen = maxMatchLen(t)
	}
	return ex
}

// splitReplace splits retire's "/regex/replacement/".
func splitReplace(s string) (pat, rep string, ok bool) {
	if len(s) < 4 || s[0] != '/' || s[len(s)-1] != '/' {
		return "", "", false
	}
	i := strings.LastIndex(s[:len(s)-1], "/")
	if i <= 0 {
		return "", "", false
	}
	return s[1:i], s[i+1 : len(s)-1], true
}

var jsDollarRE = regexp.MustCompile(`\$(\d)`)

// jsReplacementToGo turns JavaScript's "$1.$2" into Go's "${1}.${2}" (Go
// would read "$1a" as a group named "1a").
func jsReplacementToGo(s string) string { return jsDollarRE.ReplaceAllString(s, `$${$1}`) }

// jsRegexpToGo rewrites the JavaScript regexp features retire's data uses
// that RE2 lacks: lookaround groups are dropped (they only narrow a match,
// so the Go form matches a little more), a backreference \N becomes a copy
// of group N's pattern (same: "any text group N could match"), and a
// repeat above RE2's limit of 1000 ({1,2500}) becomes unbounded. false when
// the source cannot be read.
func jsRegexpToGo(src string) (string, bool) {
	// Pass 1: the source text of each capture group, for backreferences.
	var groups []string
	type open struct {
		start int
		group int // index in groups, -1 for a group that does not capture
	}
	var stack []open
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\\':
			i++
		case '[':
			i = skipClass(src, i)
		case '(':
			g := -1
			if capturesAt(src, i) {
				g = len(groups)
				groups = append(groups, "")
			}
			stack = append(stack, open{i, g})
		case ')':
			if len(stack) == 0 {
				return "", false
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if o.group >= 0 {
				groups[o.group] = src[o.start+1 : i]
			}
		}
	}
	if len(stack) != 0 {
		return "", false
	}
	// Pass 2: rewrite.
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			if d := src[i+1]; d >= '1' && d <= '9' {
				n := int(d - '1')
				if n >= len(groups) {
					return "", false
				}
				g := groups[n]
				if strings.HasPrefix(g, "?<") {
					if k := strings.IndexByte(g, '>'); k > 0 {
						g = g[k+1:]
					}
				}
				b.WriteString("(?:" + g + ")")
			} else {
				b.WriteString(src[i : i+2])
			}
			i++
		case c == '[':
			j := skipClass(src, i)
			b.WriteString(src[i : j+1])
			i = j
		case c == '(' && (strings.HasPrefix(src[i:], "(?=") || strings.HasPrefix(src[i:], "(?!") ||
			strings.HasPrefix(src[i:], "(?<=") || strings.HasPrefix(src[i:], "(?<!")):
			j := skipGroup(src, i)
			if j < 0 {
				return "", false
			}
			i = j
		case c == '{':
			j := strings.IndexByte(src[i:], '}')
			if j < 0 {
				b.WriteByte(c)
				continue
			}
			lo, hi, ok := strings.Cut(src[i+1:i+j], ",")
			if n, err := strconv.Atoi(hi); ok && err == nil && n > 1000 {
				b.WriteString("{" + lo + ",}")
				i += j
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// capturesAt reports whether the group opened at src[i] captures: "(" or
// a named "(?<name>", not "(?:" or a lookaround.
func capturesAt(src string, i int) bool {
	s := src[i:]
	if !strings.HasPrefix(s, "(?") {
		return true
	}
	return strings.HasPrefix(s, "(?<") && !strings.HasPrefix(s, "(?<=") && !strings.HasPrefix(s, "(?<!")
}

// skipClass returns the index of the ']' closing the class opened at i.
func skipClass(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '^' {
		j++
	}
	if j < len(s) && s[j] == ']' {
		j++
	}
	for ; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case ']':
			return j
		}
	}
	return len(s) - 1
}

// skipGroup returns the index of the ')' closing the group opened at i, -1
// when unbalanced.
func skipGroup(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			j = skipClass(s, j)
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// requiredLiteralSets are the literal sets every match of t contains one
// literal of each (an AND of ORs; nil when none is known): the prefilter
// that lets a script skip an extractor without running its regexp. Sets
// with a literal shorter than 3 bytes are dropped as too common to rule
// anything out.
func requiredLiteralSets(t *syntax.Regexp) [][][]byte {
	var out [][][]byte
	for _, set := range reqSets(t) {
		if shortest(set) >= 3 {
			out = append(out, set)
		}
	}
	return out
}

func reqSets(t *syntax.Regexp) [][][]byte {
	switch t.Op {
	case syntax.OpLiteral:
		if t.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return [][][]byte{{[]byte(string(t.Rune))}}
	case syntax.OpCapture, syntax.OpPlus:
		return reqSets(t.Sub[0])
	case syntax.OpRepeat:
		if t.Min >= 1 {
			return reqSets(t.Sub[0])
		}
	case syntax.OpConcat:
		var all [][][]byte
		for _, s := range t.Sub {
			all = append(all, reqSets(s)...)
		}
		return all
	case syntax.OpAlternate:
		// One literal of each branch: the branch's best set.
		var union [][]byte
		for _, s := range t.Sub {
			var best [][]byte
			for _, set := range reqSets(s) {
				if best == nil || shortest(set) > shortest(best) {
					best = set
				}
			}
			if best == nil {
				return nil
			}
			union = append(union, best...)
		}
		return [][][]byte{union}
	}
	return nil
}

func shortest(ls [][]byte) int {
	n := -1
	for _, l := range ls {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// maxMatchLen bounds the length in bytes of a match of t; -1 when unbounded
// or when t has anchors or word boundaries, whose meaning a window would
// change.
func maxMatchLen(t *syntax.Regexp) int {
	switch t.Op {
	case syntax.OpEmptyMatch:
		return 0
	case syntax.OpLiteral:
		n := 0
		for _, r := range t.Rune {
			n += utf8.RuneLen(r)
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture, syntax.OpQuest:
		return maxMatchLen(t.Sub[0])
	case syntax.OpRepeat:
		if t.Max < 0 {
			return -1
		}
		n := maxMatchLen(t.Sub[0])
		if n < 0 {
			return -1
		}
		return n * t.Max
	case syntax.OpConcat, syntax.OpAlternate:
		total := 0
		for _, s := range t.Sub {
			n := maxMatchLen(s)
			if n < 0 {
				return -1
			}
			if t.Op == syntax.OpConcat {
				total += n
			} else {
				total = max(total, n)
			}
		}
		return total
	}
	return -1 // star, plus, anchors, word boundaries
}

// maxWindows bounds the windows one extractor is run on; beyond it the
// literal is common in this body and the regexp runs once over the whole.
const maxWindows = 64

// matchesSmall returns the versions ex finds in a short input (a URL or a
// file name): the regexp runs when every literal set it needs is present.
func (ex *jsExtractor) matchesSmall(b []byte, out []string) []string {
	for _, set := range ex.needs {
		if !slices.ContainsFunc(set, func(l []byte) bool { return bytes.Contains(b, l) }) {
			return out
		}
	}
	return ex.run(b, out)
}

// matchesAt returns the versions ex finds in body given where its literals
// occur (occ[id] = end offsets of literal id, nil when absent; more than
// maxWindows means "many"). With a bounded match length the regexp runs
// only on windows around the anchor literal's occurrences (merged when
// they overlap): a match must contain one, so it lies inside such a window.
func (ex *jsExtractor) matchesAt(body []byte, occ [][]int32, out []string) []string {
	for _, ids := range ex.needIDs {
		if !slices.ContainsFunc(ids, func(id int) bool { return len(occ[id]) > 0 }) {
			return out
		}
	}
	if ex.lits == nil || ex.maxLen < 0 {
		return ex.run(body, out)
	}
	type win struct{ lo, hi int }
	var wins []win
	for _, id := range ex.needIDs[ex.anchor] {
		if len(occ[id]) > maxWindows {
			return ex.run(body, out)
		}
		for _, end := range occ[id] {
			wins = append(wins, win{max(0, int(end)-ex.maxLen), min(len(body), int(end)-1+ex.maxLen)})
		}
	}
	if len(wins) > maxWindows {
		return ex.run(body, out)
	}
	sort.Slice(wins, func(i, j int) bool { return wins[i].lo < wins[j].lo })
	cur := wins[0]
	for _, w := range wins[1:] {
		if w.lo <= cur.hi {
			cur.hi = max(cur.hi, w.hi)
			continue
		}
		out = ex.run(body[cur.lo:cur.hi], out)
		cur = w
	}
	return ex.run(body[cur.lo:cur.hi], out)
}

// maxMatchesPerExtractor bounds the versions one extractor reports from one
// body: a hostile script repeating a banner cannot grow the findings.
const maxMatchesPerExtractor = 8

func (ex *jsExtractor) run(b []byte, out []string) []string {
	for _, m := range ex.re.FindAllSubmatchIndex(b, maxMatchesPerExtractor) {
		var v string
		if ex.replace != "" {
			v = string(ex.re.Expand(nil, []byte(ex.replace), b, m))
		} else if len(m) >= 4 && m[2] >= 0 {
			v = string(b[m[2]:m[3]])
		}
		if v = cleanJSVersion(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// cleanJSVersion drops retire's ".min"/"-min" file-name tail
// (app/scanner/data/retirejs/README.md) and refuses what does not start with a digit.
func cleanJSVersion(v string) string {
	v = strings.TrimSuffix(strings.TrimSuffix(v, ".min"), "-min")
	if v == "" || v[0] < '0' || v[0] > '9' || len(v) > 64 {
		return ""
	}
	return v
}

// jsSighting is a library version seen at a URL.
type jsSighting struct {
	lib     *jsLib
	version string
	parsed  *semver.Version
	where   string
}

func (r *jsRepo) sight(out []jsSighting, l *jsLib, versions []string, where string) []jsSighting {
	for _, v := range versions {
		if !slices.ContainsFunc(out, func(s jsSighting) bool { return s.lib == l && s.version == v }) {
			out = append(out, jsSighting{lib: l, version: v, parsed: retireVersion(v), where: where})
		}
	}
	return out
}

// inURL recognises libraries from a script URL: retire's uri extractors on
// the whole URL, its filename extractors on the last path segment.
func (r *jsRepo) inURL(u string, out []jsSighting) []jsSighting {
	name := u
	if pu, err := url.Parse(u); err == nil {
		name = pu.Path
	}
	name = name[strings.LastIndexByte(name, '/')+1:]
	ub, nb := []byte(u), []byte(name)
	for _, l := range r.libs {
		var vs []string
		for _, ex := range l.uri {
			vs = ex.matchesSmall(ub, vs)
		}
		for _, ex := range l.file {
			vs = ex.matchesSmall(nb, vs)
		}
		out = r.sight(out, l, vs, u)
	}
	return out
}

// inContent recognises libraries in a script body: every file-content
// extractor (each library of a bundle with its own version), and, when the
// body was read whole, the SHA-1 of known builds.
func (r *jsRepo) inContent(body []byte, whole bool, where string, out []jsSighting) []jsSighting {
	if bytes.IndexByte(body, '\r') >= 0 { // retire reads \r\n and \r as \n
		body = bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	occ := r.ac.find(body, maxWindows+1)
	var vs []string
	for _, ex := range r.content {
		vs = ex.matchesAt(body, occ, vs[:0])
		out = r.sight(out, ex.lib, vs, where)
	}
	if whole && len(r.hashes) > 0 {
		sum := sha1.Sum(body)
		if h, ok := r.hashes[hex.EncodeToString(sum[:])]; ok {
			out = r.sight(out, h.lib, []string{h.version}, where)
		}
	}
	return out
}

// retireVersion parses a version of the retire data or of a sighting: its
// numbers as parseVersion reads them, and, unlike parseVersion, a
// pre-release tail kept ("1.12.4-rc1", "3.0.0beta2"), because retire orders
// a pre-release before its release (app/scanner/data/retirejs/README.md): jQuery
// 3.5.0-rc1 is still below the fix in 3.5.0.
func retireVersion(s string) *semver.Version {
	if s == "" {
		return nil
	}
	v := parseVersion(s)
	rest := strings.TrimPrefix(s, versionPrefixRE.FindString(s))
	rest = strings.TrimLeft(rest, "-.")
	if rest == "" || !isASCIILetter(rest[0]) {
		return v
	}
	pre := strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' {
			return c
		}
		return '.'
	}, rest)
	pre = strings.Trim(strings.ReplaceAll(pre, "..", "."), ".")
	if pre == "" {
		return v
	}
	return semver.New(v.Major(), v.Minor(), v.Patch(), pre, "")
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// retireSeverity maps retire's severities to Palisade's.
func retireSeverity(s string) Severity {
	switch strings.ToLower(s) {
	case "critical":
		return SeverityCritical
	case "high":
		return SeverityHigh
	case "low":
		return SeverityLow
	default:
		return SeverityMedium
	}
}
