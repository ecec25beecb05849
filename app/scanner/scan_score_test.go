package scanner

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

func TestGradeFor(t *testing.T) {
	cases := map[int]string{100: "A+", 90: "A+", 89: "A", 80: "A", 79: "B", 70: "B", 69: "C", 60: "C", 59: "D", 50: "D", 49: "F", 0: "F"}
	for score, want := range cases {
		if got := GradeFor(score); got != want {
			t.Errorf("GradeFor(%d) = %s, want %s", score, got, want)
		}
	}
	caps := []struct{ grade, cap, want string }{{"A+", "", "A+"}, {"A+", "C", "C"}, {"D", "C", "D"}, {"B", "F", "F"}, {"F", "A", "F"}}
	for _, c := range caps {
		if got := CapGrade(c.grade, c.cap); got != c.want {
			t.Errorf("CapGrade(%s, %s) = %s, want %s", c.grade, c.cap, got, c.want)
		}
	}
}

func TestScore(t *testing.T) {
	ck := func(id, cat string, w int) Check { return Check{ID: id, Name: id, Category: cat, Weight: w} }
	out := func(s Status, score float64) Outcome { return Outcome{Status: s, Score: score} }
	cases := []struct {
		name    string
		in      []Scored
		overall int
		grade   string
		cats    map[string][2]int // name → score, max
	}{
		{
			name:    "all pass",
			in:      []Scored{{ck("tls.a", "tls", 10), out(StatusPass, 0)}, {ck("headers.a", "headers", 5), out(StatusPass, 1)}},
			overall: 100, grade: "A+",
			cats: map[string][2]int{"tls": {25, 25}, "headers": {25, 25}},
		},
		{
			// tls 1/2 of 25 = 12.5, headers full 25: 37.5/50 = 75.
			name:    "weights between categories",
			in:      []Scored{{ck("tls.a", "tls", 10), out(StatusPass, 1)}, {ck("tls.b", "tls", 10), out(StatusFail, 0)}, {ck("headers.a", "headers", 3), out(StatusPass, 1)}},
			overall: 75, grade: "B",
			cats: map[string][2]int{"tls": {13, 25}, "headers": {25, 25}},
		},
		{
			// info and error left out of both earned and possible.
			name:    "info and error excluded",
			in:      []Scored{{ck("dns.a", "dns", 10), out(StatusWarn, 0.5)}, {ck("dns.b", "dns", 10), out(StatusInfo, 0)}, {ck("dns.c", "dns", 10), out(StatusError, 0)}},
			overall: 50, grade: "D",
			cats: map[string][2]int{"dns": {5, 10}},
		},
		{
			// a category with nothing scorable is shown but not counted.
			name:    "unscorable category left out",
			in:      []Scored{{ck("cookies.a", "cookies", 10), out(StatusInfo, 0)}, {ck("content.a", "content", 4), out(StatusFail, 0)}, {ck("content.b", "content", 6), out(StatusPass, 1)}},
			overall: 60, grade: "C",
			cats: map[string][2]int{"cookies": {0, 10}, "content": {6, 10}},
		},
		{
			name:    "worst cap wins",
			in:      []Scored{{ck("tls.a", "tls", 10), Outcome{Status: StatusPass, Cap: "B"}}, {ck("content.a", "content", 10), Outcome{Status: StatusPass, Cap: "F"}}},
			overall: 100, grade: "F",
			cats: map[string][2]int{"tls": {25, 25}, "content": {10, 10}},
		},
		{name: "nothing scorable", in: []Scored{{ck("tls.a", "tls", 10), out(StatusInfo, 0)}}, overall: 0, grade: "F", cats: map[string][2]int{"tls": {0, 25}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cats, overall, grade := Score(tc.in)
			if overall != tc.overall || grade != tc.grade {
				t.Errorf("overall %d grade %s, want %d %s", overall, grade, tc.overall, tc.grade)
			}
			if len(cats) != len(tc.cats) {
				t.Errorf("categories %+v", cats)
			}
			for _, c := range cats {
				if w := tc.cats[c.Name]; c.Score != w[0] || c.MaxScore != w[1] {
					t.Errorf("category %s = %d/%d, want %d/%d", c.Name, c.Score, c.MaxScore, w[0], w[1])
				}
			}
		})
	}
}

// TestResultFindingsAndSummary: findings come out most severe first with
// their check and category filled in, and the summary counts them.
func TestResultFindingsAndSummary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	mk := func(id string, sev ...Severity) Check {
		return Check{ID: id, Name: id, Category: "headers", Weight: 1, Needs: []EvidenceKind{NeedPage}, Evaluate: func(*Evidence) Outcome {
			o := Outcome{Status: StatusFail}
			for _, s := range sev {
				o.Findings = append(o.Findings, Finding{Severity: s, Title: string(s)})
			}
			return o
		}}
	}
	s := newTestScanner(t, Options{}, []Check{mk("headers.a", SeverityLow, SeverityCritical), mk("headers.b", SeverityMedium), mk("headers.c", SeverityHigh, SeverityInfo),
		{ID: "headers.panics", Category: "headers", Weight: 1, Evaluate: func(*Evidence) Outcome { panic("boom") }}})
	res, err := s.Scan(context.Background(), srv.URL, Quick, nil)
	if err != nil {
		t.Fatal(err)
	}
	var order []Severity
	for _, f := range res.Findings {
		order = append(order, f.Severity)
		if f.CheckID == "" || f.Category != "headers" {
			t.Errorf("finding without origin: %+v", f)
		}
	}
	want := []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}
	if len(order) != len(want) {
		t.Fatalf("findings %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if res.Summary != (Summary{Total: 5, Critical: 1, High: 1, Medium: 1, Low: 1, Info: 1}) {
		t.Errorf("summary %+v", res.Summary)
	}
	if cr, ok := findCheck(res, "headers.panics"); !ok || cr.Status != StatusError {
		t.Errorf("a panicking check must become an error verdict: %+v", cr)
	}
}

// TestScoreStatuses: which verdicts move the score (docs/scoring.md,
// "Statuses"): pass/warn/fail always; info only when counted, and then
// exactly like a pass of its score; skipped and error never. The reason of a
// skipped or error verdict reaches the CheckResult.
func TestScoreStatuses(t *testing.T) {
	ck := func(id string, w int) Check { return Check{ID: id, Name: id, Category: "headers", Weight: w} }
	base := Scored{ck("headers.base", 5), Outcome{Status: StatusFail}}
	cases := []struct {
		name    string
		out     Outcome
		overall int
		// points and max points of the check under test
		pts, max float64
		reason   string
	}{
		{"pass", Outcome{Status: StatusPass}, 50, 50, 50, ""},
		{"pass of half", Outcome{Status: StatusPass, Score: 0.5}, 25, 25, 50, ""},
		{"warn", Outcome{Status: StatusWarn, Score: 0.5}, 25, 25, 50, ""},
		{"fail", Outcome{Status: StatusFail}, 0, 0, 50, ""},
		{"info not counted", Outcome{Status: StatusInfo, Score: 1}, 0, 0, 0, ""},
		{"info counted like a pass of its score", Outcome{Status: StatusInfo, Counted: true, Score: 0.5}, 25, 25, 50, ""},
		{"info counted with no score is full, as a pass", Outcome{Status: StatusInfo, Counted: true}, 50, 50, 50, ""},
		{"skipped", Outcome{Status: StatusSkipped, Reason: "the target is an IP address", Score: 1}, 0, 0, 0, "the target is an IP address"},
		{"skipped reason from its description", Outcome{Status: StatusSkipped, Description: "Runs at DEEP."}, 0, 0, 0, "Runs at DEEP"},
		{"error", Outcome{Status: StatusError, Reason: "the page could not be fetched", Score: 1}, 0, 0, 0, "the page could not be fetched"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := ScoreAll([]Scored{base, {ck("headers.x", 5), tc.out}})
			if sc.Overall != tc.overall {
				t.Errorf("overall %d, want %d", sc.Overall, tc.overall)
			}
			cr := sc.Categories[0].Checks[1]
			if math.Abs(cr.Points-tc.pts) > 1e-9 || math.Abs(cr.MaxPoints-tc.max) > 1e-9 {
				t.Errorf("points %v/%v, want %v/%v", cr.Points, cr.MaxPoints, tc.pts, tc.max)
			}
			if cr.Reason != tc.reason || cr.Status != tc.out.Status {
				t.Errorf("status %s reason %q, want %s %q", cr.Status, cr.Reason, tc.out.Status, tc.reason)
			}
		})
	}
	// A counted info scores exactly as the pass it stands for.
	pass := ScoreAll([]Scored{base, {ck("headers.x", 5), Outcome{Status: StatusPass, Score: 0.5}}})
	info := ScoreAll([]Scored{base, {ck("headers.x", 5), Outcome{Status: StatusInfo, Counted: true, Score: 0.5}}})
	if pass.Unrounded != info.Unrounded || pass.Grade != info.Grade {
		t.Errorf("counted info %v %s, pass %v %s", info.Unrounded, info.Grade, pass.Unrounded, pass.Grade)
	}
}

// TestPointsAddUpToScore: ΣPoints over a result is its unrounded overall
// score, with every category present and with categories left out (their
// points are shared by the others), and no check earns more than its max.
func TestPointsAddUpToScore(t *testing.T) {
	ev := typicalEvidence()
	var all []Scored
	for _, c := range AllChecks() {
		all = append(all, Scored{Check: c, Outcome: evalCheck(c, ev)})
	}
	drop := func(cats ...string) []Scored {
		var out []Scored
		for _, s := range all {
			if !slices.Contains(cats, s.Check.Category) {
				out = append(out, s)
			}
		}
		return out
	}
	skipAll := func(in []Scored, cat string) []Scored {
		out := slices.Clone(in)
		for i := range out {
			if out[i].Check.Category == cat {
				out[i].Outcome = Outcome{Status: StatusSkipped, Reason: "n/a"}
			}
		}
		return out
	}
	ck := func(id, cat string, w int) Check { return Check{ID: id, Name: id, Category: cat, Weight: w} }
	cases := []struct {
		name string
		in   []Scored
	}{
		{"typical scan, every category", all},
		{"no dns, no exposure", drop("dns", "exposure")},
		{"dns all skipped", skipAll(all, "dns")},
		{"only tls", drop("headers", "cookies", "redirects", "dns", "exposure", "content")},
		{"hand-made", []Scored{
			{ck("tls.a", "tls", 3), Outcome{Status: StatusWarn, Score: 0.3}},
			{ck("tls.b", "tls", 7), Outcome{Status: StatusPass}},
			{ck("cookies.a", "cookies", 1), Outcome{Status: StatusInfo, Counted: true, Score: 0.5}},
			{ck("cookies.b", "cookies", 2), Outcome{Status: StatusError}},
			{ck("content.a", "content", 2), Outcome{Status: StatusFail, Score: 0.1}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := ScoreAll(tc.in)
			var sum, maxSum float64
			for _, c := range sc.Categories {
				for _, cr := range c.Checks {
					if cr.Points < 0 || cr.Points > cr.MaxPoints+1e-9 {
						t.Errorf("%s earned %v of %v", cr.ID, cr.Points, cr.MaxPoints)
					}
					sum += cr.Points
					maxSum += cr.MaxPoints
				}
			}
			if math.Abs(sum-sc.Unrounded) > 1e-9 || int(math.Round(sum)) != sc.Overall {
				t.Errorf("Σ points %v, unrounded score %v, overall %d", sum, sc.Unrounded, sc.Overall)
			}
			if math.Abs(maxSum-100) > 1e-9 {
				t.Errorf("Σ max points %v, want 100", maxSum)
			}
		})
	}
}

// TestGradeCapExplained: the worst cap caps the grade, and GradeCap names
// it, with the check's reason or one made from the check, only when the
// cap made the grade worse than the score's letter.
func TestGradeCapExplained(t *testing.T) {
	ck := func(id, name string) Check { return Check{ID: id, Name: name, Category: "tls", Weight: 1} }
	pass := Scored{ck("tls.ok", "OK"), Outcome{Status: StatusPass}}
	cases := []struct {
		name  string
		in    []Scored
		grade string
		cap   *GradeCap
	}{
		{"no cap", []Scored{pass}, "A+", nil},
		{"cap with its reason", []Scored{pass, {ck("tls.expiry", "Certificate expiry"), Outcome{Status: StatusPass, Cap: "F", CapReason: "the certificate expired on 2 March 2026"}}},
			"F", &GradeCap{Grade: "F", Reason: "the certificate expired on 2 March 2026", CheckID: "tls.expiry"}},
		{"reason made from the check", []Scored{pass, {ck("tls.https", "HTTPS available"), Outcome{Status: StatusPass, Value: "HTTPS unreachable", Cap: "C"}}},
			"C", &GradeCap{Grade: "C", Reason: "HTTPS available: HTTPS unreachable", CheckID: "tls.https"}},
		{"the worst cap wins", []Scored{pass, {ck("tls.a", "A"), Outcome{Status: StatusPass, Cap: "C", CapReason: "c"}}, {ck("tls.b", "B"), Outcome{Status: StatusPass, Cap: "F", CapReason: "f"}}, {ck("tls.c", "C"), Outcome{Status: StatusPass, Cap: "D", CapReason: "d"}}},
			"F", &GradeCap{Grade: "F", Reason: "f", CheckID: "tls.b"}},
		// 2 of 3 checks fail: 33/100 is an F already; a C cap changes nothing.
		{"a cap no worse than the score is not shown", []Scored{pass, {ck("tls.a", "A"), Outcome{Status: StatusFail, Cap: "C", CapReason: "c"}}, {ck("tls.b", "B"), Outcome{Status: StatusFail}}},
			"F", nil},
		{"a cap equal to the letter is not shown", []Scored{{ck("tls.a", "A"), Outcome{Status: StatusPass, Score: 0.65, Cap: "C", CapReason: "c"}}},
			"C", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := ScoreAll(tc.in)
			if sc.Grade != tc.grade {
				t.Errorf("grade %s (score %d), want %s", sc.Grade, sc.Overall, tc.grade)
			}
			switch {
			case tc.cap == nil && sc.Cap != nil:
				t.Errorf("cap %+v, want none", *sc.Cap)
			case tc.cap != nil && (sc.Cap == nil || *sc.Cap != *tc.cap):
				t.Errorf("cap %+v, want %+v", sc.Cap, *tc.cap)
			}
		})
	}
}

// TestScoringVersion: semver plus 8 hex digits over the check table, the
// same on every call, and another digest when a weight, a depth, a
// category's points or a grade step changes.
func TestScoringVersion(t *testing.T) {
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(ScoringSemver) + `\+[0-9a-f]{8}$`).MatchString(ScoringVersion) {
		t.Fatalf("ScoringVersion = %q", ScoringVersion)
	}
	base := scoringDigest(AllChecks(), Categories, scoreGradeSteps)
	if again := scoringDigest(AllChecks(), Categories, scoreGradeSteps); again != base || scoringVersionOf(AllChecks()) != ScoringVersion {
		t.Errorf("the digest is not stable: %s, then %s", base, again)
	}
	weight := AllChecks()
	weight[3].Weight++
	depth := AllChecks()
	depth[0].Depth = Deep
	cats := slices.Clone(Categories)
	cats[0].Weight, cats[1].Weight = cats[0].Weight-1, cats[1].Weight+1
	steps := slices.Clone(scoreGradeSteps)
	steps[1].min = 85
	for name, d := range map[string]string{
		"weight":   scoringDigest(weight, Categories, scoreGradeSteps),
		"depth":    scoringDigest(depth, Categories, scoreGradeSteps),
		"category": scoringDigest(AllChecks(), cats, scoreGradeSteps),
		"grades":   scoringDigest(AllChecks(), Categories, steps),
		"order":    scoringDigest(slices.Concat(AllChecks()[1:], AllChecks()[:1]), Categories, scoreGradeSteps),
	} {
		if d == base {
			t.Errorf("changing the %s keeps the digest %s", name, d)
		}
	}
	if AllChecks()[3].Weight == weight[3].Weight {
		t.Error("the modified copy shares the check table")
	}
}
