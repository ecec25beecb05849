package scanner

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// cr is a check result with its points (max 10 unless said).
func cr(id string, st Status, points float64) CheckResult {
	cat := id[:indexDot(id)]
	max := 10.0
	if st == StatusSkipped || st == StatusError {
		max, points = 0, 0
	}
	return CheckResult{ID: id, Name: id, Category: cat, Status: st, Points: points, MaxPoints: max}
}

func indexDot(s string) int {
	for i := range s {
		if s[i] == '.' {
			return i
		}
	}
	return len(s)
}

func res(target string, depth Depth, score int, grade string, checks []CheckResult, findings ...Finding) *Result {
	by := map[string][]CheckResult{}
	var order []string
	for _, c := range checks {
		if _, ok := by[c.Category]; !ok {
			order = append(order, c.Category)
		}
		by[c.Category] = append(by[c.Category], c)
	}
	r := &Result{TargetURL: target, Depth: depth, OverallScore: score, Grade: grade, Findings: findings,
		ScannedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	for _, n := range order {
		r.Categories = append(r.Categories, Category{Name: n, Checks: by[n]})
	}
	return r
}

func fnd(check, title string) Finding {
	return Finding{CheckID: check, Category: check[:indexDot(check)], Severity: SeverityHigh, Title: title}
}

func titles(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.CheckID+": "+f.Title)
	}
	return out
}

func TestCompare(t *testing.T) {
	const site = "https://example.com/"
	deep := res(site, Deep, 40, "F", []CheckResult{
		cr("headers.hsts", StatusFail, 0),
		cr("headers.csp", StatusFail, 0),
		cr("exposure.sensitive-files", StatusFail, 0),
		cr("content.libraries", StatusFail, 0),
	}, fnd("headers.hsts", "HSTS missing"), fnd("headers.csp", "No CSP"),
		fnd("exposure.sensitive-files", ".env exposed"), fnd("content.libraries", "jQuery 1.8 vulnerable"))

	tests := []struct {
		name             string
		before, after    *Result
		wantErr          bool
		new, fixed, open []string
		notCompared      []string
		changes          map[string]Change
		scoreDelta       int
		gradeChanged     bool
		firstCause       string
	}{
		{
			name:   "QUICK after DEEP: the checks QUICK does not run are not compared, never fixed",
			before: deep,
			after: res(site, Quick, 70, "B", []CheckResult{
				cr("headers.hsts", StatusPass, 10),
				cr("headers.csp", StatusFail, 0),
				cr("exposure.sensitive-files", StatusSkipped, 0),
				cr("content.libraries", StatusSkipped, 0),
			}, fnd("headers.csp", "No CSP")),
			fixed:        []string{"headers.hsts: HSTS missing"},
			open:         []string{"headers.csp: No CSP"},
			new:          []string{},
			notCompared:  []string{"exposure.sensitive-files", "content.libraries"},
			changes:      map[string]Change{"headers.hsts": ChangeImproved, "headers.csp": ChangeUnchanged, "exposure.sensitive-files": ChangeNotCompared},
			scoreDelta:   30,
			gradeChanged: true,
			firstCause:   "headers.hsts",
		},
		{
			name:   "a check absent from the older result (stored before it existed) is not compared",
			before: res(site, Standard, 80, "A", []CheckResult{cr("headers.hsts", StatusPass, 10)}),
			after: res(site, Standard, 70, "B", []CheckResult{cr("headers.hsts", StatusPass, 10), cr("headers.corp", StatusFail, 0)},
				fnd("headers.corp", "CORP invalid")),
			new: []string{}, fixed: []string{}, open: []string{},
			notCompared: []string{"headers.corp"},
			changes:     map[string]Change{"headers.hsts": ChangeUnchanged, "headers.corp": ChangeNotCompared},
			scoreDelta:  -10, gradeChanged: true,
		},
		{
			name:   "an error on either side is not compared, and its finding is not fixed",
			before: res(site, Standard, 50, "D", []CheckResult{cr("dns.spf", StatusFail, 0)}, fnd("dns.spf", "No SPF")),
			after:  res(site, Standard, 50, "D", []CheckResult{cr("dns.spf", StatusError, 0)}),
			new:    []string{}, fixed: []string{}, open: []string{},
			notCompared: []string{"dns.spf"},
			changes:     map[string]Change{"dns.spf": ChangeNotCompared},
		},
		{
			name:   "new, fixed and still open on the same target; a regression is a cause",
			before: res(site, Standard, 60, "C", []CheckResult{cr("headers.hsts", StatusFail, 0), cr("headers.csp", StatusPass, 10)}, fnd("headers.hsts", "HSTS missing")),
			after: res(site, Standard, 55, "D", []CheckResult{cr("headers.hsts", StatusFail, 0), cr("headers.csp", StatusWarn, 4)},
				fnd("headers.hsts", "HSTS missing"), fnd("headers.csp", "CSP allows unsafe-eval")),
			new: []string{"headers.csp: CSP allows unsafe-eval"}, fixed: []string{}, open: []string{"headers.hsts: HSTS missing"},
			notCompared: []string{},
			changes:     map[string]Change{"headers.hsts": ChangeUnchanged, "headers.csp": ChangeRegressed},
			scoreDelta:  -5, gradeChanged: true, firstCause: "headers.csp",
		},
		{
			name:   "the share of points decides, not the points: a QUICK scan spreads a category over fewer checks",
			before: res(site, Deep, 80, "A", []CheckResult{{ID: "content.sri", Category: "content", Status: StatusPass, Points: 2, MaxPoints: 2}}),
			after:  res(site, Quick, 80, "A", []CheckResult{{ID: "content.sri", Category: "content", Status: StatusPass, Points: 5, MaxPoints: 5}}),
			new:    []string{}, fixed: []string{}, open: []string{}, notCompared: []string{},
			changes: map[string]Change{"content.sri": ChangeUnchanged},
		},
		{
			name:   "results stored before points existed fall back to the status",
			before: res(site, Standard, 60, "C", []CheckResult{{ID: "headers.hsts", Category: "headers", Status: StatusFail}}),
			after:  res(site, Standard, 70, "B", []CheckResult{{ID: "headers.hsts", Category: "headers", Status: StatusPass}}),
			new:    []string{}, fixed: []string{}, open: []string{}, notCompared: []string{},
			changes:    map[string]Change{"headers.hsts": ChangeImproved},
			scoreDelta: 10, gradeChanged: true, firstCause: "headers.hsts",
		},
		{name: "another port is another target", before: deep, after: res("https://example.com:8443/", Deep, 40, "F", nil), wantErr: true},
		{name: "another scheme is another target", before: deep, after: res("http://example.com/", Deep, 40, "F", nil), wantErr: true},
		{name: "another path is another target", before: deep, after: res("https://example.com/shop/", Deep, 40, "F", nil), wantErr: true},
		{name: "a scan that was not graded is not comparable", before: deep,
			after: func() *Result {
				r := res(site, Deep, 0, "", nil)
				r.NotGraded = &NotGraded{Reason: NotGradedUnreachable, Detail: "The connection was refused."}
				return r
			}(), wantErr: true},
		{name: "no result", before: nil, after: deep, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Compare(tc.before, tc.after)
			if tc.wantErr {
				if !errors.Is(err, ErrNotComparable) {
					t.Fatalf("err = %v, want not comparable", err)
				}
				var nc *NotComparableError
				if !errors.As(err, &nc) || nc.Reason == "" {
					t.Fatalf("err %v has no reason", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for what, pair := range map[string][2][]string{
				"new": {titles(d.New), tc.new}, "fixed": {titles(d.Fixed), tc.fixed}, "still open": {titles(d.StillOpen), tc.open},
				"not compared": {d.NotCompared, tc.notCompared},
			} {
				if !slices.Equal(pair[0], pair[1]) {
					t.Errorf("%s = %q, want %q", what, pair[0], pair[1])
				}
			}
			got := map[string]Change{}
			for _, c := range d.Checks {
				got[c.ID] = c.Change
			}
			for id, want := range tc.changes {
				if got[id] != want {
					t.Errorf("check %s: change %q, want %q", id, got[id], want)
				}
			}
			if d.ScoreDelta != tc.scoreDelta || d.GradeChanged != tc.gradeChanged {
				t.Errorf("score delta %d grade changed %v, want %d %v", d.ScoreDelta, d.GradeChanged, tc.scoreDelta, tc.gradeChanged)
			}
			if tc.firstCause != "" && (len(d.Causes) == 0 || d.Causes[0].ID != tc.firstCause) {
				t.Errorf("causes = %+v, want %s first", d.Causes, tc.firstCause)
			}
			for _, c := range d.Causes {
				if c.Change == ChangeNotCompared || c.Change == ChangeUnchanged {
					t.Errorf("cause %s has change %q", c.ID, c.Change)
				}
			}
		})
	}
}

func TestCompareKeepsCaps(t *testing.T) {
	a := res("https://example.com/", Standard, 62, "F", []CheckResult{cr("tls.expiry", StatusFail, 0)})
	a.GradeCap = &GradeCap{Grade: "F", Reason: "the certificate expired", CheckID: "tls.expiry"}
	b := res("https://example.com/", Standard, 90, "A+", []CheckResult{cr("tls.expiry", StatusPass, 10)})
	d, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Before.GradeCap == nil || d.Before.GradeCap.CheckID != "tls.expiry" || d.After.GradeCap != nil {
		t.Errorf("caps before %+v after %+v", d.Before.GradeCap, d.After.GradeCap)
	}
}

func TestSameTarget(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://example.com/", "https://example.com/", true},
		{"https://example.com", "https://EXAMPLE.com:443/", true},
		{"example.com", "https://example.com/", true},
		{"https://example.com/?utm=1", "https://example.com/", true},
		{"http://example.com:80/", "http://example.com/", true},
		{"https://example.com:20443/", "http://example.com:20101/", false},
		{"https://example.com:20443/", "https://example.com/", false},
		{"https://example.com/", "http://example.com/", false},
		{"https://example.com/a", "https://example.com/b", false},
		{"https://www.example.com/", "https://example.com/", false},
		{"https://[::1]:8443/", "https://[::1]:8443/", true},
		{"ftp://example.com/", "ftp://example.com/", false},
	}
	for _, tc := range tests {
		if got := SameTarget(tc.a, tc.b); got != tc.want {
			t.Errorf("SameTarget(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestTargetLabel(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/":           "example.com",
		"https://localhost:20443/":       "localhost:20443",
		"http://example.com:80/":         "example.com",
		"https://example.com/shop/?x":    "example.com/shop/",
		"https://[::1]:8443/":            "[::1]:8443",
		"https://xn--bcher-kva.example/": "bücher.example",
		"not a url at all %":             "not a url at all %",
	} {
		if got := TargetLabel(in); got != want {
			t.Errorf("TargetLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
