package scanner

import (
	"context"
	"net/http"
	"net/http/httptest"
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
