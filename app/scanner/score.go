package scanner

import (
	"cmp"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

// CategoryInfo is one row of the category table.
type CategoryInfo struct {
	ID     string // as in Check.Category and Finding.Category: "tls"
	Title  string // how pages and reports name it: "TLS"
	Weight int    // points out of 100 (docs/scoring.md)
}

// Categories is the one category table: scoring, the tests and (later) the
// web and PDF layers read ids, titles and points from it, in display order.
// The points add up to 100; a category that has nothing scorable in a scan
// is left out and the others are scaled up to 100. A check's own Weight is
// relative to its siblings, so adding a check re-weights no other check and
// no other category.
var Categories = []CategoryInfo{
	{ID: catTLS, Title: "TLS", Weight: 25},
	{ID: catHeaders, Title: "Security headers", Weight: 25},
	{ID: catCookies, Title: "Cookies", Weight: 10},
	{ID: catRedirects, Title: "Redirects", Weight: 10},
	{ID: catDNS, Title: "DNS and e-mail", Weight: 10},
	{ID: catExposure, Title: "Exposure", Weight: 10},
	{ID: catContent, Title: "Page content", Weight: 10},
}

// CategoryByID returns the table row of a category id.
func CategoryByID(id string) (CategoryInfo, bool) {
	i := slices.IndexFunc(Categories, func(c CategoryInfo) bool { return c.ID == id })
	if i < 0 {
		return CategoryInfo{}, false
	}
	return Categories[i], true
}

// CategoryWeights are the points of each category (id → points), derived
// from Categories for callers that want a map.
var CategoryWeights = func() map[string]int {
	m := make(map[string]int, len(Categories))
	for _, c := range Categories {
		m[c.ID] = c.Weight
	}
	return m
}()

// CategoryOrder is the display order of category ids, derived from Categories.
var CategoryOrder = func() []string {
	ids := make([]string, len(Categories))
	for i, c := range Categories {
		ids[i] = c.ID
	}
	return ids
}()

// CheckPoints is what each check is worth out of 100 when every check of
// checks runs and scores (id → points): its category's points shared among
// the category's checks in proportion to their weights. It is what a weight
// means, and what a page can show next to a check.
func CheckPoints(checks []Check) map[string]float64 {
	sum := map[string]int{}
	for _, c := range checks {
		sum[c.Category] += max(c.Weight, 0)
	}
	pts := make(map[string]float64, len(checks))
	for _, c := range checks {
		if s := sum[c.Category]; s > 0 {
			pts[c.ID] = float64(CategoryWeights[c.Category]) * float64(max(c.Weight, 0)) / float64(s)
		} else {
			pts[c.ID] = 0
		}
	}
	return pts
}

// SecurityHeaders are the response headers whose absence Result.MissingHeaders lists.
var SecurityHeaders = []string{
	"strict-transport-security",
	"content-security-policy",
	"x-frame-options",
	"x-content-type-options",
	"referrer-policy",
	"permissions-policy",
	"cross-origin-opener-policy",
}

// scoreGradeSteps maps a score to a letter; the order is best first.
var scoreGradeSteps = []gradeStep{{90, "A+"}, {80, "A"}, {70, "B"}, {60, "C"}, {50, "D"}, {0, "F"}}

// gradeStep is the lowest score of a letter.
type gradeStep struct {
	min   int
	grade string
}

// GradeFor turns a 0–100 score into a letter grade (A+ 90–100 … F 0–49).
func GradeFor(score int) string {
	for _, g := range scoreGradeSteps {
		if score >= g.min {
			return g.grade
		}
	}
	return "F"
}

// scoreGradeRank orders grades, A+ = 0 (best) … F = 5; unknown grades rank as F.
func scoreGradeRank(g string) int {
	for i, s := range scoreGradeSteps {
		if s.grade == g {
			return i
		}
	}
	return len(scoreGradeSteps) - 1
}

// GradeRank orders the letter grades, A+ = 0 (best) … F = 5; ok is false
// for anything else ("" is no grade). Monitors use it to tell a drop
// (docs/monitoring.md, "Alert rules").
func GradeRank(g string) (rank int, ok bool) {
	for i, s := range scoreGradeSteps {
		if s.grade == g {
			return i, true
		}
	}
	return len(scoreGradeSteps) - 1, false
}

// CapGrade returns the worse of grade and cap ("" = no cap).
func CapGrade(grade, cap string) string {
	if cap == "" {
		return grade
	}
	if scoreGradeRank(cap) > scoreGradeRank(grade) {
		return cap
	}
	return grade
}

// Scored is one check's verdict as scoring sees it.
type Scored struct {
	Check   Check
	Outcome Outcome
}

// Scoring is everything scoring derives from a scan's verdicts.
type Scoring struct {
	// Categories in table order, each check with its Points and MaxPoints.
	Categories []Category
	// Overall is Unrounded rounded: the 0–100 score.
	Overall   int
	Unrounded float64
	// Grade is the score's letter, capped by the worst Outcome.Cap.
	Grade string
	// Cap is set when a cap made Grade worse than the score's letter.
	Cap *GradeCap
}

// scores reports whether a verdict moves the score: pass, warn and fail
// always, info only when the check counts it (Outcome.Counted); skipped and
// error never (docs/scoring.md, "Statuses").
func scores(o Outcome) bool {
	switch o.Status {
	case StatusPass, StatusWarn, StatusFail:
		return true
	case StatusInfo:
		return o.Counted
	}
	return false
}

// Score folds check verdicts into categories, an overall 0–100 score and a
// grade; ScoreAll says the same with each check's points and the cap that
// explains the grade.
func Score(results []Scored) (cats []Category, overall int, grade string) {
	sc := ScoreAll(results)
	return sc.Categories, sc.Overall, sc.Grade
}

// ScoreAll folds check verdicts into categories, an overall 0–100 score and
// a grade. Within a category earned = Σ weight×score and possible = Σ weight
// over the checks that score (pass/warn/fail, and info the check counts;
// skipped and error are left out of both); the category contributes its
// points × earned/possible; the overall score is the sum of contributions
// over the points of the categories that had anything scorable, ×100. So a
// check's Points are its share of that sum and ΣPoints is Unrounded. The
// worst Outcome.Cap caps the grade; Cap is set when it made the grade worse.
// Categories come out in table order (unknown ones after, by name), checks
// in the order given.
func ScoreAll(results []Scored) Scoring {
	type acc struct {
		earned, possible float64
		checks           []CheckResult
		// weight and earned fraction of each check, parallel to checks
		w, frac []float64
	}
	by := map[string]*acc{}
	var capOut *Scored
	for i, sr := range results {
		c, o := sr.Check, sr.Outcome
		a := by[c.Category]
		if a == nil {
			a = &acc{}
			by[c.Category] = a
		}
		reason := o.Reason
		if reason == "" && (o.Status == StatusSkipped || o.Status == StatusError) {
			reason = strings.TrimSuffix(o.Description, ".")
		}
		a.checks = append(a.checks, CheckResult{ID: c.ID, Name: c.Name, Category: c.Category, Status: o.Status,
			Value: o.Value, Description: o.Description, Reason: reason})
		w, f := 0.0, 0.0
		if scores(o) {
			w, f = max(float64(c.Weight), 0), outcomeScore(o)
			a.earned += w * f
			a.possible += w
		}
		a.w, a.frac = append(a.w, w), append(a.frac, f)
		if o.Cap != "" && (capOut == nil || scoreGradeRank(o.Cap) > scoreGradeRank(capOut.Outcome.Cap)) {
			capOut = &results[i]
		}
	}
	// Table order; categories missing from the table after, by name.
	rank := func(n string) int {
		if i := slices.IndexFunc(Categories, func(c CategoryInfo) bool { return c.ID == n }); i >= 0 {
			return i
		}
		return len(Categories)
	}
	names := slices.SortedFunc(maps.Keys(by), func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	var total, possible float64
	for _, n := range names {
		if a := by[n]; a.possible > 0 {
			info, _ := CategoryByID(n)
			total += a.earned / a.possible * float64(info.Weight)
			possible += float64(info.Weight)
		}
	}
	var sc Scoring
	for _, n := range names {
		a := by[n]
		info, _ := CategoryByID(n)
		w := info.Weight
		cat := Category{Name: n, MaxScore: w, Checks: a.checks, Grade: ""}
		if a.possible > 0 {
			frac := a.earned / a.possible
			cat.Score = int(math.Round(frac * float64(w)))
			cat.Grade = GradeFor(int(math.Round(frac * 100)))
			// A check's share of the overall score: its weight's share of
			// the category, the category's share of the scorable points.
			scale := float64(w) / a.possible / possible * 100
			for i := range cat.Checks {
				cat.Checks[i].MaxPoints = a.w[i] * scale
				cat.Checks[i].Points = a.w[i] * a.frac[i] * scale
			}
		}
		sc.Categories = append(sc.Categories, cat)
	}
	if possible > 0 {
		sc.Unrounded = total / possible * 100
		sc.Overall = int(math.Round(sc.Unrounded))
	}
	letter := GradeFor(sc.Overall)
	if possible == 0 {
		letter = "F"
	}
	sc.Grade = letter
	if capOut != nil {
		sc.Grade = CapGrade(letter, capOut.Outcome.Cap)
		if sc.Grade != letter {
			sc.Cap = &GradeCap{Grade: sc.Grade, Reason: capReason(*capOut), CheckID: capOut.Check.ID}
		}
	}
	return sc
}

// capReason is the sentence shown next to a capped grade: the check's own
// (Outcome.CapReason), or one made from its name and what it saw.
func capReason(s Scored) string {
	if r := strings.TrimSpace(s.Outcome.CapReason); r != "" {
		return r
	}
	name := cmp.Or(s.Check.Name, s.Check.ID)
	if v := strings.TrimSpace(s.Outcome.Value); v != "" {
		return name + ": " + clip(v, 160)
	}
	return name + " (" + s.Check.ID + ")"
}

// outcomeScore is the earned fraction 0..1; a pass (or a counted info) with
// Score 0 means full.
func outcomeScore(o Outcome) float64 {
	s := o.Score
	if (o.Status == StatusPass || o.Status == StatusInfo && o.Counted) && s == 0 {
		s = 1
	}
	return max(0, min(1, s))
}

func newResult(rawURL string, depth Depth) *Result {
	return &Result{
		TargetURL:      rawURL,
		Depth:          depth,
		Categories:     []Category{},
		Findings:       []Finding{},
		Headers:        map[string]string{},
		MissingHeaders: []string{},
		RedirectChain:  []Hop{},
	}
}

// buildResult fills res from the finished (or abandoned) run. Only evidence
// that was published is read; every goroutine of the run has ended. stop is
// nil when the run completed, else why it ended (ctx's error): checks it
// ended before are errors saying so, and the result is not graded.
func (r *scanRun) buildResult(res *Result, stop error) {
	ev := &r.ev
	scored := make([]Scored, 0, len(r.results))
	for i, cr := range r.results {
		switch {
		case cr != nil:
			scored = append(scored, Scored{Check: cr.check, Outcome: cr.out})
		case stop != nil:
			scored = append(scored, Scored{Check: r.s.checks[i], Outcome: unfinished(stop)})
		}
	}
	sc := ScoreAll(scored)
	if sc.Categories == nil {
		sc.Categories = []Category{}
	}
	res.Categories, res.OverallScore, res.Grade, res.GradeCap = sc.Categories, sc.Overall, sc.Grade, sc.Cap

	findings := []Finding{}
	for _, s := range scored {
		findings = append(findings, s.Outcome.Findings...)
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Compare(SeverityRank(a.Severity), SeverityRank(b.Severity))
	})
	res.Findings = findings
	res.Summary = summarize(findings)

	if ev.Page != nil {
		res.StatusCode = ev.Page.StatusCode
		res.FinalURL = ev.Page.URL
		res.Headers = resultHeaders(ev.Page.Header)
		for _, h := range SecurityHeaders {
			if _, ok := res.Headers[h]; !ok {
				res.MissingHeaders = append(res.MissingHeaders, h)
			}
		}
	}
	switch {
	case ev.Redirects != nil:
		res.RedirectChain = ev.Redirects
	case ev.PageChain != nil:
		res.RedirectChain = ev.PageChain
	}
	if ev.Coverage != nil {
		cov := *ev.Coverage
		cov.ProbesSent = ev.ProbesSent
		res.Coverage = &cov
	}
	if ev.TLS != nil {
		res.TLS = resultTLSInfo(ev.TLS, ev.TLSProbe, ev.Now)
	}
	res.ScriptOrigins = scriptOrigins(ev)
	pageDone := r.isPublished(NeedPage)
	if ev.Page == nil && pageDone {
		res.Error = "The site could not be reached: " + strings.TrimSuffix(ev.PageErr, ".") + "."
	}
	if ng := r.notGraded(stop, pageDone); ng != nil {
		if ng.Reason == NotGradedBlocked {
			res.Error = ng.Detail
		}
		res.ungrade(ng)
	}
}

// summarize counts findings by severity.
func summarize(findings []Finding) Summary {
	sum := Summary{Total: len(findings)}
	for _, f := range findings {
		switch f.Severity {
		case SeverityCritical:
			sum.Critical++
		case SeverityHigh:
			sum.High++
		case SeverityMedium:
			sum.Medium++
		case SeverityLow:
			sum.Low++
		default:
			sum.Info++
		}
	}
	return sum
}

// ungrade turns res into a result without a grade: no score, no category
// grades, no points, no findings (nothing was judged, so there is nothing to
// fix). The checks keep their statuses, so what ran is still visible.
func (res *Result) ungrade(ng *NotGraded) {
	res.NotGraded = ng
	res.Grade, res.OverallScore, res.GradeCap = "", 0, nil
	for i := range res.Categories {
		c := &res.Categories[i]
		c.Score, c.Grade = 0, ""
		for j := range c.Checks {
			c.Checks[j].Points, c.Checks[j].MaxPoints = 0, 0
		}
	}
	res.Findings = []Finding{}
	res.Summary = Summary{}
	// A challenge page's scripts are the blocker's, not the site's.
	res.ScriptOrigins = nil
}

// resultHeaders lower-cases names and joins repeated values with ", ".
func resultHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		out[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	return out
}

func resultTLSInfo(f *TLSFacts, p *TLSProbe, now time.Time) *TLSInfo {
	info := &TLSInfo{
		Version:     tls.VersionName(f.Version),
		CipherSuite: tls.CipherSuiteName(f.CipherSuite),
		Trusted:     f.Trusted && f.HostnameOK,
		VerifyError: f.VerifyError,
		DNSNames:    []string{},
	}
	if len(f.Chain) > 0 {
		leaf := f.Chain[0]
		info.Subject = leaf.Subject.String()
		info.Issuer = leaf.Issuer.String()
		info.DNSNames = append(info.DNSNames, leaf.DNSNames...)
		for _, ip := range leaf.IPAddresses {
			info.DNSNames = append(info.DNSNames, ip.String())
		}
		info.NotBefore = leaf.NotBefore
		info.NotAfter = leaf.NotAfter
		if now.IsZero() {
			now = time.Now()
		}
		info.DaysLeft = int(math.Floor(leaf.NotAfter.Sub(now).Hours() / 24))
	}
	if p != nil {
		for _, v := range p.Versions {
			info.Protocols = append(info.Protocols, tls.VersionName(v))
		}
	}
	return info
}

// ScoringSemver is the version of the scoring rules (docs/scoring.md,
// "Scoring version and changelog"): the major moves when a stored grade
// would read differently today, the minor when checks are added, the patch
// for fixes that move no grade.
const ScoringSemver = "2.1.0"

// ScoringVersion is ScoringSemver plus a short digest of the check table
// (ids, categories, depths, weights), the category points and the grade
// steps: "2.0.0+ab12cd34". A weight changed without a new semver still
// shows as another version. Every result carries the version it was graded
// with.
var ScoringVersion = scoringVersionOf(AllChecks())

// scoringVersionOf is ScoringVersion for a check table.
func scoringVersionOf(checks []Check) string {
	return ScoringSemver + "+" + scoringDigest(checks, Categories, scoreGradeSteps)
}

// scoringDigest is the first 8 hex digits of SHA-256 over a canonical,
// line-based encoding of what decides a grade. Tabs separate fields; ids,
// categories and grades contain none.
func scoringDigest(checks []Check, cats []CategoryInfo, steps []gradeStep) string {
	h := sha256.New()
	for _, c := range checks {
		fmt.Fprintf(h, "check\t%s\t%s\t%s\t%d\n", c.ID, c.Category, c.Depth, c.Weight)
	}
	for _, c := range cats {
		fmt.Fprintf(h, "category\t%s\t%d\n", c.ID, c.Weight)
	}
	for _, g := range steps {
		fmt.Fprintf(h, "grade\t%s\t%d\n", g.grade, g.min)
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
}
