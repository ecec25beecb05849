package scanner

import (
	"cmp"
	"crypto/tls"
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
var scoreGradeSteps = []struct {
	min   int
	grade string
}{{90, "A+"}, {80, "A"}, {70, "B"}, {60, "C"}, {50, "D"}, {0, "F"}}

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

// Score folds check verdicts into categories, an overall 0–100 score and a
// grade. Within a category earned = Σ weight×score and possible = Σ weight
// over pass/warn/fail checks (info and error are left out of both); the
// category contributes its weight × earned/possible; the overall score is
// the sum of contributions over the weights of the categories that had
// anything scorable, ×100, rounded. The worst Outcome.Cap caps the grade.
// Categories come out in table order (unknown ones after, by name), checks
// in the order given.
func Score(results []Scored) (cats []Category, overall int, grade string) {
	type acc struct {
		earned, possible float64
		checks           []CheckResult
	}
	by := map[string]*acc{}
	capGrade := ""
	for _, sr := range results {
		c, o := sr.Check, sr.Outcome
		a := by[c.Category]
		if a == nil {
			a = &acc{}
			by[c.Category] = a
		}
		a.checks = append(a.checks, CheckResult{ID: c.ID, Name: c.Name, Category: c.Category, Status: o.Status, Value: o.Value, Description: o.Description})
		switch o.Status {
		case StatusPass, StatusWarn, StatusFail:
			w := max(float64(c.Weight), 0)
			a.earned += w * outcomeScore(o)
			a.possible += w
		}
		if o.Cap != "" && (capGrade == "" || scoreGradeRank(o.Cap) > scoreGradeRank(capGrade)) {
			capGrade = o.Cap
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
		a := by[n]
		info, _ := CategoryByID(n)
		w := info.Weight
		cat := Category{Name: n, MaxScore: w, Checks: a.checks, Grade: ""}
		if a.possible > 0 {
			frac := a.earned / a.possible
			cat.Score = int(math.Round(frac * float64(w)))
			cat.Grade = GradeFor(int(math.Round(frac * 100)))
			total += frac * float64(w)
			possible += float64(w)
		}
		cats = append(cats, cat)
	}
	if possible > 0 {
		overall = int(math.Round(total / possible * 100))
	}
	grade = GradeFor(overall)
	if possible == 0 {
		grade = "F"
	}
	return cats, overall, CapGrade(grade, capGrade)
}

// outcomeScore is the earned fraction 0..1; a pass with Score 0 means full.
func outcomeScore(o Outcome) float64 {
	s := o.Score
	if o.Status == StatusPass && s == 0 {
		s = 1
	}
	return max(0, min(1, s))
}

func newResult(rawURL string, depth Depth) *Result {
	return &Result{
		TargetURL:      rawURL,
		Depth:          depth,
		Grade:          "F",
		Categories:     []Category{},
		Findings:       []Finding{},
		Headers:        map[string]string{},
		MissingHeaders: []string{},
		RedirectChain:  []Hop{},
	}
}

// buildResult fills res from the finished (or abandoned) run. Only evidence
// that was published is read; every goroutine of the run has ended.
func (r *scanRun) buildResult(res *Result) {
	ev := &r.ev
	var scored []Scored
	for _, cr := range r.results {
		if cr != nil {
			scored = append(scored, Scored{Check: cr.check, Outcome: cr.out})
		}
	}
	cats, overall, grade := Score(scored)
	if cats == nil {
		cats = []Category{}
	}
	res.Categories, res.OverallScore, res.Grade = cats, overall, grade

	findings := []Finding{}
	for _, s := range scored {
		findings = append(findings, s.Outcome.Findings...)
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Compare(SeverityRank(a.Severity), SeverityRank(b.Severity))
	})
	res.Findings = findings
	res.Summary = Summary{Total: len(findings)}
	for _, f := range findings {
		switch f.Severity {
		case SeverityCritical:
			res.Summary.Critical++
		case SeverityHigh:
			res.Summary.High++
		case SeverityMedium:
			res.Summary.Medium++
		case SeverityLow:
			res.Summary.Low++
		default:
			res.Summary.Info++
		}
	}

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
	if ev.TLS != nil {
		res.TLS = resultTLSInfo(ev.TLS, ev.TLSProbe, ev.Now)
	}
	if ev.Page == nil && r.isPublished(NeedPage) {
		res.Error = "The site could not be reached: " + strings.TrimSuffix(ev.PageErr, ".") + "."
		res.OverallScore = 0
		res.Grade = "F"
	}
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
