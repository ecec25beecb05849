package scanner

import (
	"bytes"
	"embed"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// The engine that applies gitleaks' rules (secrets.go says which, and why
// this engine rather than gitleaks itself): parse the rule files, find the
// anchors of every rule in one pass per search byte, run each rule's regex
// only near its anchors, and gate each match as gitleaks does.

// glConfig is the part of gitleaks' configuration format we read.
type glConfig struct {
	Allowlist  *glAllowlist  `toml:"allowlist"`
	Allowlists []glAllowlist `toml:"allowlists"`
	Rules      []glRule      `toml:"rules"`
}

type glRule struct {
	ID          string        `toml:"id"`
	Regex       string        `toml:"regex"`
	Path        string        `toml:"path"`
	SecretGroup int           `toml:"secretGroup"`
	Entropy     float64       `toml:"entropy"`
	Keywords    []string      `toml:"keywords"`
	Allowlist   *glAllowlist  `toml:"allowlist"`
	Allowlists  []glAllowlist `toml:"allowlists"`
}

type glAllowlist struct {
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
}

// secretAllow is one compiled allowlist. and: every condition must hold
// (gitleaks' condition = "AND"); an AND list with paths or commits can
// never hold for a web page.
type secretAllow struct {
	target    string // "secret" (default), "match" or "line"
	re        *regexp.Regexp
	stopwords []string // lower-case
	and       bool
	never     bool
}

func (a *secretAllow) allows(secret, match, line string) bool {
	if a.never {
		return false
	}
	t := secret
	switch a.target {
	case "match":
		t = match
	case "line":
		t = line
	}
	reOK := a.re != nil && t != "" && a.re.MatchString(t)
	stopOK := false
	if len(a.stopwords) > 0 && secret != "" {
		ls := strings.ToLower(secret)
		for _, w := range a.stopwords {
			if strings.Contains(ls, w) {
				stopOK = true
				break
			}
		}
	}
	if a.and {
		return (a.re == nil || reOK) && (len(a.stopwords) == 0 || stopOK)
	}
	return reOK || stopOK
}

func compileAllow(g glAllowlist) (*secretAllow, error) {
	a := &secretAllow{target: g.RegexTarget, and: strings.EqualFold(g.Condition, "AND")}
	if a.and && (len(g.Paths) > 0 || len(g.Commits) > 0) {
		a.never = true
	}
	if len(g.Regexes) > 0 {
		re, err := regexp.Compile("(?:" + strings.Join(g.Regexes, ")|(?:") + ")")
		if err != nil {
			return nil, err
		}
		a.re = re
	}
	for _, w := range g.StopWords {
		a.stopwords = append(a.stopwords, strings.ToLower(w))
	}
	if a.re == nil && len(a.stopwords) == 0 {
		a.never = true // only paths or commits: nothing to match on a web page
	}
	return a, nil
}

// secretRule is one compiled rule. back and fwd bound where a match can be
// relative to an anchor occurrence: the regex runs only on the window
// [occurrence-back, occurrence+fwd), never on the whole body.
type secretRule struct {
	id   string
	re   *regexp.Regexp // run on windows (windowRegex)
	full *regexp.Regexp // gitleaks' regex as written
	// anchored, when set, is tried at each anchor occurrence instead of re
	// on windows; wordBoundary: the occurrence must be at a \b.
	anchored     *regexp.Regexp
	wordBoundary bool
	group        int
	entropy      float64
	allow        []*secretAllow
	use          secretRuleUse
	back         int
	fwd          int
	// keywords are gitleaks' own: with full, tests apply the rule the way
	// gitleaks does (whole body, when a keyword is anywhere in it).
	keywords []string
}

// secretAnchor is one literal of the prefilter. Rules that share a literal
// share its occurrences.
type secretAnchor struct {
	lit   []byte
	fold  bool // case-insensitive (gitleaks keywords are)
	rules []int
}

// secretTrigger is an anchor found by one of its bytes: the prefilter looks
// for that byte with bytes.IndexByte (vectorised) and compares the anchor
// around each occurrence, so the body is searched once per trigger byte, not
// once per keyword, and never lower-cased. The bytes are chosen per body
// from a sample of it (a base64-heavy page is full of upper-case letters, a
// bundle of hex hashes full of digits): few bytes, rare in that body, that
// between them are in every anchor (triggerCover); the byte next to the
// trigger then rejects most occurrences with one table read.
type secretTrigger struct {
	anchor int
	off    int // position of the trigger byte in the anchor
}

type secretEngine struct {
	rules   []secretRule
	order   []int // rules, the most severe kinds first (scan stops at maxSecretsPerRes)
	anchors []secretAnchor
	global  []*secretAllow
	// units[u] are the anchors a search unit finds: u < 256 is the byte u,
	// 256+i the letter 'a'+i in both cases (what a case-insensitive anchor's
	// letter needs).
	units [256 + 26][]int
}

// Windows are capped for regexes without a bound (a private key block, a
// JWT): a match longer than maxSecretWindow is not reported.
const (
	maxSecretWindow  = 16 << 10
	maxSecretBack    = 256
	maxAnchorHits    = 4096 // occurrences of one anchor examined per body
	maxSecretsPerRes = 50
)

var secretEngineOnce = sync.OnceValues(func() (*secretEngine, error) {
	return buildSecretEngine(secretRuleFiles, "data/gitleaks/gitleaks.toml", "data/gitleaks/palisade.toml")
})

// secretRules is the engine built from the embedded rules. The embedded
// files are tested (TestSecretEngineBuilds), so a failure here is a bug.
func secretRules() *secretEngine {
	e, err := secretEngineOnce()
	if err != nil {
		panic("scanner: embedded secret rules: " + err.Error())
	}
	return e
}

func buildSecretEngine(fsys embed.FS, files ...string) (*secretEngine, error) {
	e := &secretEngine{}
	anchorIx := map[string]int{}
	found := map[string]bool{}
	for _, name := range files {
		data, err := fsys.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var cfg glConfig
		if _, err := toml.Decode(usedRules(string(data)), &cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		globals := cfg.Allowlists
		if cfg.Allowlist != nil {
			globals = append(globals, *cfg.Allowlist)
		}
		for _, g := range globals {
			a, err := compileAllow(g)
			if err != nil {
				return nil, fmt.Errorf("%s: global allowlist: %w", name, err)
			}
			e.global = append(e.global, a)
		}
		for _, r := range cfg.Rules {
			use, ok := secretRuleUses[r.ID]
			if !ok {
				continue
			}
			if found[r.ID] {
				return nil, fmt.Errorf("%s: rule %s defined twice", name, r.ID)
			}
			found[r.ID] = true
			if r.Regex == "" || r.Path != "" {
				return nil, fmt.Errorf("%s: rule %s: not a content rule", name, r.ID)
			}
			full, err := regexp.Compile(r.Regex)
			if err != nil {
				return nil, fmt.Errorf("%s: rule %s: %w", name, r.ID, err)
			}
			if r.SecretGroup > full.NumSubexp() {
				return nil, fmt.Errorf("%s: rule %s: secretGroup %d of %d groups", name, r.ID, r.SecretGroup, full.NumSubexp())
			}
			lits, fold := use.anchors, false
			if len(lits) == 0 {
				lits, fold = r.Keywords, true
			}
			lists := r.Allowlists
			if r.Allowlist != nil {
				lists = append(lists, *r.Allowlist)
			}
			matchTarget := false
			for _, g := range lists {
				matchTarget = matchTarget || g.RegexTarget == "match"
			}
			win, err := windowRegex(r.Regex, lits, matchTarget)
			if err != nil {
				return nil, fmt.Errorf("%s: rule %s: %w", name, r.ID, err)
			}
			re, err := regexp.Compile(win.expr)
			if err != nil || re.NumSubexp() != full.NumSubexp() {
				return nil, fmt.Errorf("%s: rule %s: windowed regex %q: %v", name, r.ID, win.expr, err)
			}
			sr := secretRule{id: r.ID, re: re, full: full, group: r.SecretGroup, entropy: r.Entropy, use: use, keywords: r.Keywords,
				back: win.back, fwd: win.fwd, wordBoundary: win.wordBoundary}
			if win.anchored != "" {
				if sr.anchored, err = regexp.Compile(win.anchored); err != nil || sr.anchored.NumSubexp() != full.NumSubexp() {
					return nil, fmt.Errorf("%s: rule %s: anchored regex %q: %v", name, r.ID, win.anchored, err)
				}
			}
			for _, g := range lists {
				a, err := compileAllow(g)
				if err != nil {
					return nil, fmt.Errorf("%s: rule %s allowlist: %w", name, r.ID, err)
				}
				sr.allow = append(sr.allow, a)
			}
			if len(lits) == 0 {
				return nil, fmt.Errorf("%s: rule %s has no keyword to prefilter on", name, r.ID)
			}
			ri := len(e.rules)
			e.rules = append(e.rules, sr)
			for _, l := range lits {
				if len(l) < 2 {
					return nil, fmt.Errorf("%s: rule %s: anchor %q is too short", name, r.ID, l)
				}
				if fold {
					l = strings.ToLower(l)
				}
				key := fmt.Sprint(fold, l)
				ai, ok := anchorIx[key]
				if !ok {
					ai = len(e.anchors)
					anchorIx[key] = ai
					e.anchors = append(e.anchors, secretAnchor{lit: []byte(l), fold: fold})
				}
				if !slices.Contains(e.anchors[ai].rules, ri) {
					e.anchors[ai].rules = append(e.anchors[ai].rules, ri)
				}
			}
		}
	}
	for ai, a := range e.anchors {
		var seen [256 + 26]bool
		for _, c := range a.lit {
			us := []int{int(c)}
			if l := lowerASCII(c); l >= 'a' && l <= 'z' {
				us = append(us, 256+int(l-'a'))
				if a.fold {
					us = us[1:] // one case alone does not find it
				}
			}
			for _, u := range us {
				if !seen[u] {
					seen[u] = true
					e.units[u] = append(e.units[u], ai)
				}
			}
		}
	}
	e.order = make([]int, len(e.rules))
	for i := range e.order {
		e.order[i] = i
	}
	slices.SortStableFunc(e.order, func(a, b int) int {
		return SeverityRank(e.rules[a].use.kind.sev) - SeverityRank(e.rules[b].use.kind.sev)
	})
	for id := range secretRuleUses {
		if !found[id] {
			return nil, fmt.Errorf("rule %s is not in the rule files", id)
		}
	}
	return e, nil
}

// sampleBytes counts the bytes of a sample of body: all of it up to 8 KiB,
// else 32 evenly spaced runs of 256 bytes.
func sampleBytes(body []byte, cnt *[256]int32) {
	const run, runs = 256, 32
	if len(body) <= run*runs {
		for _, c := range body {
			cnt[c]++
		}
		return
	}
	step := (len(body) - run) / (runs - 1)
	for i := range runs {
		for _, c := range body[i*step : i*step+run] {
			cnt[c]++
		}
	}
}

// triggerOffset is the position of the anchor's byte rarest in the sample
// (both cases for a case-insensitive anchor) among those the cover searches
// for (all when in is nil).
func triggerOffset(a *secretAnchor, cnt *[256]int32, in *[256]bool) int {
	best, bestN := -1, int32(math.MaxInt32)
	for i, c := range a.lit {
		n := cnt[c]
		ok := in == nil || in[c]
		if a.fold && lowerASCII(c) != upperASCII(c) {
			n = cnt[lowerASCII(c)] + cnt[upperASCII(c)]
			ok = in == nil || (in[lowerASCII(c)] && in[upperASCII(c)])
		}
		if ok && n < bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		return triggerOffset(a, cnt, nil)
	}
	return best
}

// usedRules keeps, of a rule file, its header (the global allowlist) and
// the [[rules]] blocks of the rules we use: gitleaks' file has 222 rules, one
// with a stopword list of 1,500 words, and decoding only ours makes building
// the engine (once per process, at the first scan) several times cheaper.
// A block whose id line is not where gitleaks writes it is kept, so a
// format change costs time, never a rule.
func usedRules(text string) string {
	const sep = "\n[[rules]]\n"
	blocks := strings.Split(text, sep)
	var b strings.Builder
	b.WriteString(blocks[0])
	for _, blk := range blocks[1:] {
		first, _, _ := strings.Cut(blk, "\n")
		if id, ok := strings.CutPrefix(first, "id = "); ok {
			if _, used := secretRuleUses[strings.Trim(id, `"`)]; !used {
				continue
			}
		}
		b.WriteString(sep)
		b.WriteString(blk)
	}
	return b.String()
}

// triggerCover chooses the bytes to search for in a large body: a greedy
// weighted set cover (cheapest sampled count per anchor newly covered),
// then pruned of choices the later ones made redundant, so that one byte,
// such as the '-' of "glpat-", "xoxb-" and "sk-ant-api03", serves many
// anchors instead of each anchor's own rarest byte costing a pass. Small
// bodies skip it: their passes cost less than the choice.
func (e *secretEngine) triggerCover(cnt *[256]int32) *[256]bool {
	in := new([256]bool)
	covered := make([]bool, len(e.anchors))
	var chosen []int
	for left := len(e.anchors); left > 0; {
		bestU, bestCost := -1, 0.0
		for u := range e.units {
			gain := 0
			for _, ai := range e.units[u] {
				if !covered[ai] {
					gain++
				}
			}
			if gain == 0 {
				continue
			}
			cost := 0
			for _, c := range unitBytes(u) {
				if !in[c] {
					cost += int(cnt[c])
				}
			}
			if c := (float64(cost) + 0.5) / float64(gain); bestU < 0 || c < bestCost {
				bestU, bestCost = u, c
			}
		}
		if bestU < 0 {
			break
		}
		chosen = append(chosen, bestU)
		for _, c := range unitBytes(bestU) {
			in[c] = true
		}
		for _, ai := range e.units[bestU] {
			if !covered[ai] {
				covered[ai] = true
				left--
			}
		}
	}
	// Drop a choice when the others still find every anchor, the most
	// costly first.
	slices.SortFunc(chosen, func(a, b int) int { return unitCost(b, cnt) - unitCost(a, cnt) })
	for i := range chosen {
		var without [256]bool
		for j, v := range chosen {
			if j != i && v >= 0 {
				for _, c := range unitBytes(v) {
					without[c] = true
				}
			}
		}
		all := true
		for ai := range e.anchors {
			if !anchorCovered(&e.anchors[ai], &without) {
				all = false
				break
			}
		}
		if all {
			chosen[i] = -1
			*in = without
		}
	}
	return in
}

// unitBytes are the bytes a search unit looks for (see secretEngine.units).
func unitBytes(u int) []byte {
	if u < 256 {
		return []byte{byte(u)}
	}
	l := byte('a' + u - 256)
	return []byte{l, upperASCII(l)}
}

func unitCost(u int, cnt *[256]int32) int {
	n := 0
	for _, c := range unitBytes(u) {
		n += int(cnt[c])
	}
	return n
}

// anchorCovered: some byte of the anchor is searched for (a letter of a
// case-insensitive anchor in both cases).
func anchorCovered(a *secretAnchor, in *[256]bool) bool {
	for _, c := range a.lit {
		if a.fold && lowerASCII(c) != upperASCII(c) {
			if in[lowerASCII(c)] && in[upperASCII(c)] {
				return true
			}
		} else if in[c] {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// windowRegex prepares a rule's regex for the windows around its anchors
// and says how far before (back) and after (fwd) an anchor's start a match
// can reach. When every match starts at an anchor (the regex begins with
// the anchor, after at most a \b), it also gives the regex anchored with ^,
// tried once at each occurrence: an unanchored search would try every byte
// of the window as a start, and a case-insensitive regex has no literal
// prefix for Go's regexp to skip with. A leading optional run without a group (gitleaks' context
// rules start with [\w.-]{0,50}? to take in the setting's name) is
// dropped: it changes where a match starts, never whether it matches or the
// secret when the secret is a group (unless an allowlist looks at the
// whole match, then it is kept),
// and Go's regexp pays for it at every byte. back is what the regex can
// match before the element that starts with every anchor, or its longest
// match when no element does; a regex without a bound gets the caps.
func windowRegex(expr string, anchors []string, matchTarget bool) (w secretWindow, err error) {
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return w, err
	}
	subs := []*syntax.Regexp{parsed}
	if parsed.Op == syntax.OpConcat {
		subs = parsed.Sub
	}
	// Only when the secret is a group: without one the secret is the match.
	if len(subs) > 1 && !matchTarget && optionalRun(subs[0]) && hasCapture(parsed) {
		subs = subs[1:]
		expr = (&syntax.Regexp{Op: syntax.OpConcat, Flags: parsed.Flags, Sub: subs}).String()
	}
	whole := 0
	for _, sub := range subs {
		n := syntaxMaxLen(sub)
		if n < 0 {
			whole = -1
			break
		}
		whole += n
	}
	prefix := whole
	w.expr = expr
	for k, sub := range subs {
		if !startsWithAll(sub, anchors) {
			continue
		}
		prefix = 0
		zeroWidth := true
		for _, p := range subs[:k] {
			if n := syntaxMaxLen(p); n < 0 {
				prefix = -1
				break
			} else {
				prefix += n
			}
			switch p.Op {
			case syntax.OpWordBoundary:
				w.wordBoundary = true
			case syntax.OpEmptyMatch:
			default:
				zeroWidth = false
			}
		}
		if prefix == 0 && zeroWidth {
			// Every match starts at an anchor: try the regex there only.
			w.anchored = "^(?:" + (&syntax.Regexp{Op: syntax.OpConcat, Flags: parsed.Flags, Sub: subs[k:]}).String() + ")"
		}
		break
	}
	w.back, w.fwd = maxSecretBack, maxSecretWindow
	if prefix >= 0 && prefix < maxSecretBack {
		w.back = prefix + 1
	}
	if whole >= 0 && whole < maxSecretWindow {
		w.fwd = whole + 1
	}
	return w, nil
}

// secretWindow is how a rule's regex runs near its anchors (windowRegex).
type secretWindow struct {
	expr         string // the regex for windows
	anchored     string // when every match starts at an anchor: the regex anchored there ("" if not)
	wordBoundary bool   // anchored: the match must start at a \b, checked by hand
	back, fwd    int
}

// optionalRun: a repetition that may match nothing and holds no group.
func optionalRun(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpStar, syntax.OpQuest:
	case syntax.OpRepeat:
		if re.Min != 0 {
			return false
		}
	default:
		return false
	}
	return !hasCapture(re)
}

func hasCapture(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCapture {
		return true
	}
	return slices.ContainsFunc(re.Sub, hasCapture)
}

// startsWithAll: every match of re starts with one of the anchors as far
// as its text shows (its String, without leading group openers, begins
// with each anchor, case-insensitively). Escapes and factored alternations
// fail the test, which only widens the window.
func startsWithAll(re *syntax.Regexp, anchors []string) bool {
	s := strings.ToLower(re.String())
	for {
		t := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "(?i:"), "(?:"), "(")
		if t == s {
			break
		}
		s = t
	}
	for _, a := range anchors {
		if !strings.HasPrefix(s, strings.ToLower(a)) {
			return false
		}
	}
	return len(anchors) > 0
}

func syntaxMaxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += runeMaxLen(r, re.Flags&syntax.FoldCase != 0)
		}
		return n
	case syntax.OpCharClass:
		hi := rune(0)
		for i := 1; i < len(re.Rune); i += 2 {
			hi = max(hi, re.Rune[i])
		}
		return runeMaxLen(hi, false)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 4
	case syntax.OpCapture:
		return syntaxMaxLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			m := syntaxMaxLen(s)
			if m < 0 {
				return -1
			}
			n += m
		}
		return n
	case syntax.OpAlternate:
		n := 0
		for _, s := range re.Sub {
			m := syntaxMaxLen(s)
			if m < 0 {
				return -1
			}
			n = max(n, m)
		}
		return n
	case syntax.OpQuest:
		return syntaxMaxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpRepeat:
		m := syntaxMaxLen(re.Sub[0])
		if re.Max < 0 || m < 0 {
			return -1
		}
		return m * re.Max
	}
	return 0 // empty-width assertions, empty match
}

func runeMaxLen(r rune, fold bool) int {
	switch {
	case fold && r < 0x80:
		// Go's case folding maps 'k' to the Kelvin sign and 's' to 'ſ'.
		if r == 'k' || r == 'K' || r == 's' || r == 'S' {
			return 3
		}
		return 1
	case r < 0x80:
		return 1
	case r < 0x800:
		return 2
	case r < 0x10000:
		return 3
	}
	return 4
}

// rawSecret is one match that passed a rule's gates.
type rawSecret struct {
	rule   int
	secret string
	kind   *secretKind
}

// scan finds the rules' secrets in body. The prefilter finds every anchor
// occurrence (up to maxAnchorHits per anchor); each rule then runs its
// regex on the merged windows around its anchors' occurrences, and a match
// goes through the gates in gitleaks' order: entropy, global allowlist,
// rule allowlists; then our placeholder list and the rule's judge.
func (e *secretEngine) scan(body []byte) []rawSecret {
	occ := e.prefilter(body)
	var out []rawSecret
	seen := map[string]bool{}
	var starts []int
	for _, ri := range e.order {
		r := &e.rules[ri]
		starts = starts[:0]
		for ai := range e.anchors {
			if len(occ[ai]) > 0 && slices.Contains(e.anchors[ai].rules, ri) {
				starts = append(starts, occ[ai]...)
			}
		}
		if len(starts) == 0 {
			continue
		}
		slices.Sort(starts)
		if r.anchored != nil {
			end := 0 // matches do not overlap, as with FindAll
			for _, st := range slices.Compact(starts) {
				if st < end || (r.wordBoundary && !wordBoundaryAt(body, st)) {
					continue
				}
				w1 := min(len(body), st+r.fwd)
				m := r.anchored.FindSubmatchIndex(body[st:w1])
				if m == nil || (m[1] == w1-st && w1 < len(body)) {
					continue
				}
				end = st + m[1]
				if hit, ok := e.judge(ri, body, st, m); ok && !seen[hit.secret] {
					seen[hit.secret] = true
					out = append(out, hit)
					if len(out) == maxSecretsPerRes {
						return out
					}
				}
			}
			continue
		}
		for i := 0; i < len(starts); {
			w0, w1 := max(0, starts[i]-r.back), min(len(body), starts[i]+r.fwd)
			i++
			for i < len(starts) && starts[i]-r.back <= w1 {
				w1 = min(len(body), starts[i]+r.fwd)
				i++
			}
			for _, m := range r.re.FindAllSubmatchIndex(body[w0:w1], -1) {
				// A match at a window edge may be an artefact of the cut
				// (\b, $); a real one never reaches the edges (back and fwd
				// exceed the longest match).
				if (m[0] == 0 && w0 > 0) || (m[1] == w1-w0 && w1 < len(body)) {
					continue
				}
				if hit, ok := e.judge(ri, body, w0, m); ok && !seen[hit.secret] {
					seen[hit.secret] = true
					out = append(out, hit)
					if len(out) == maxSecretsPerRes {
						return out // enough to grade; a hostile body gets no more work
					}
				}
			}
		}
	}
	return out
}

// prefilter returns, per anchor, where it occurs in body (at most
// maxAnchorHits each; nil when absent).
func (e *secretEngine) prefilter(body []byte) [][]int {
	occ := make([][]int, len(e.anchors))
	var cnt [256]int32
	sampleBytes(body, &cnt)
	var in *[256]bool
	if len(body) >= 64<<10 {
		in = e.triggerCover(&cnt)
	}
	// Per trigger byte, its anchors indexed by the byte next to the trigger
	// (after it, or before it for an anchor triggered on its last byte), so
	// an occurrence costs two table reads unless that neighbour fits.
	type trigIndex struct {
		t          byte
		next, prev [257]uint16 // entries of neighbour c: ents[x[c]:x[c+1]]
		ents       []secretTrigger
	}
	type ent struct {
		secretTrigger
		nb   byte
		prev bool
	}
	var byTrig [256][]ent
	var used []byte
	for ai := range e.anchors {
		a := &e.anchors[ai]
		off := triggerOffset(a, &cnt, in)
		nbOff, isPrev := off+1, false
		if off == len(a.lit)-1 {
			nbOff, isPrev = off-1, true
		}
		ts, nbs := []byte{a.lit[off]}, []byte{a.lit[nbOff]}
		if a.fold {
			ts, nbs = foldVariants(ts[0]), foldVariants(nbs[0])
		}
		for _, t := range ts {
			if byTrig[t] == nil {
				used = append(used, t)
			}
			for _, nb := range nbs {
				byTrig[t] = append(byTrig[t], ent{secretTrigger{anchor: ai, off: off}, nb, isPrev})
			}
		}
	}
	idx := make([]trigIndex, len(used))
	for i, t := range used {
		x := &idx[i]
		x.t = t
		es := byTrig[t]
		x.ents = make([]secretTrigger, len(es))
		// Counting sort by neighbour: the next-byte entries, then the
		// previous-byte ones.
		base := uint16(0)
		for _, dir := range []bool{false, true} {
			tab := &x.next
			if dir {
				tab = &x.prev
			}
			var n [256]uint16
			for _, en := range es {
				if en.prev == dir {
					n[en.nb]++
				}
			}
			for c := range 256 {
				tab[c] = base
				base += n[c]
			}
			tab[256] = base
			pos := *tab
			for _, en := range es {
				if en.prev == dir {
					x.ents[pos[en.nb]] = en.secretTrigger
					pos[en.nb]++
				}
			}
		}
	}
	check := func(ents []secretTrigger, p int) {
		for _, tr := range ents {
			a := &e.anchors[tr.anchor]
			s := p - tr.off
			if s < 0 || s+len(a.lit) > len(body) || len(occ[tr.anchor]) >= maxAnchorHits {
				continue
			}
			w := body[s : s+len(a.lit)]
			if (a.fold && bytes.EqualFold(w, a.lit)) || (!a.fold && bytes.Equal(w, a.lit)) {
				occ[tr.anchor] = append(occ[tr.anchor], s)
			}
		}
	}
	for i := range idx {
		x := &idx[i]
		for from := 0; from < len(body); {
			j := bytes.IndexByte(body[from:], x.t)
			if j < 0 {
				break
			}
			p := from + j
			from = p + 1
			if p+1 < len(body) {
				c := body[p+1]
				if lo, hi := x.next[c], x.next[c+1]; lo < hi {
					check(x.ents[lo:hi], p)
				}
			}
			if p > 0 {
				c := body[p-1]
				if lo, hi := x.prev[c], x.prev[c+1]; lo < hi {
					check(x.ents[lo:hi], p)
				}
			}
		}
	}
	return occ
}

func foldVariants(c byte) []byte {
	if lowerASCII(c) != upperASCII(c) {
		return []byte{lowerASCII(c), upperASCII(c)}
	}
	return []byte{c}
}

// judge applies a rule's gates to one match (indexes relative to w0).
func (e *secretEngine) judge(ri int, body []byte, w0 int, m []int) (rawSecret, bool) {
	r := &e.rules[ri]
	match := string(bytes.Trim(body[w0+m[0]:w0+m[1]], "\n"))
	secret := match
	if r.group > 0 {
		if g := m[2*r.group]; g >= 0 {
			secret = string(body[w0+g : w0+m[2*r.group+1]])
		}
	} else {
		for g := 1; 2*g < len(m); g++ {
			if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
				secret = string(body[w0+m[2*g] : w0+m[2*g+1]])
				break
			}
		}
	}
	if r.entropy > 0 && shannonEntropy(secret) <= r.entropy {
		return rawSecret{}, false
	}
	if inDataURI(body, w0+m[0]) {
		return rawSecret{}, false
	}
	line := ""
	needLine := func() string {
		if line == "" {
			line = lineAround(body, w0+m[0], w0+m[1])
		}
		return line
	}
	for _, lists := range [][]*secretAllow{e.global, r.allow} {
		for _, a := range lists {
			l := ""
			if a.target == "line" {
				l = needLine()
			}
			if a.allows(secret, match, l) {
				return rawSecret{}, false
			}
		}
	}
	if isPlaceholder(secret) {
		return rawSecret{}, false
	}
	kind := r.use.kind
	if r.use.judge != nil {
		if kind = r.use.judge(secret); kind == nil {
			return rawSecret{}, false
		}
	}
	return rawSecret{rule: ri, secret: secret, kind: kind}, true
}

// wordBoundaryAt is \b at body[i] (ASCII word characters, as Go's regexp).
func wordBoundaryAt(body []byte, i int) bool {
	word := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
	}
	before := i > 0 && word(body[i-1])
	after := i < len(body) && word(body[i])
	return before != after
}

// inDataURI reports whether body[i] is inside the base64 payload of a
// data: URI (an inline image or font): random base64 holds "EAAA…" or
// "AKIA…" followed by the right characters often enough to look like a
// token, and no credential is ever stored there.
func inDataURI(body []byte, i int) bool {
	j := i
	for j > 0 && i-j < 1<<20 && isBase64Byte(body[j-1]) {
		j--
	}
	return bytes.HasSuffix(body[:j], []byte(";base64,"))
}

func isBase64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

// lineAround is the line holding body[i:j], clipped to 1 KiB either side
// (minified scripts are one line of hundreds of kilobytes).
func lineAround(body []byte, i, j int) string {
	lo := max(0, i-1024)
	if k := bytes.LastIndexByte(body[lo:i], '\n'); k >= 0 {
		lo += k + 1
	}
	hi := min(len(body), j+1024)
	if k := bytes.IndexByte(body[j:hi], '\n'); k >= 0 {
		hi = j + k
	}
	return string(body[lo:hi])
}

// shannonEntropy is gitleaks' entropy: bits per character of s.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	h, inv := 0.0, 1/float64(len(s))
	for _, c := range counts {
		f := float64(c) * inv
		h -= f * math.Log2(f)
	}
	return h
}
