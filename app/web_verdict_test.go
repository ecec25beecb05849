package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	entfinding "github.com/palisade/palisade/ent/finding"
)

// stored is a finished scan written straight to the database with a
// hand-built result, as the worker stores one (row, result JSON, finding
// rows), so the pages can be tested on every kind of verdict.
type stored struct {
	url    string
	status domain.ScanStatus
	depth  domain.Depth
	at     time.Time
	err    string
	res    *scanner.Result // nil: none stored (a scan cancelled before it ran)
}

func storeScan(t *testing.T, env *apptest.Env, accountID string, s stored) string {
	t.Helper()
	ctx := t.Context()
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	if s.depth == "" {
		s.depth = domain.DepthStandard
	}
	if s.at.IsZero() {
		s.at = time.Now().UTC().Add(-time.Minute)
	}
	done := s.at.Add(4 * time.Second)
	c := env.C.DB.Ent.Scan.Create().SetAccountID(accountID).SetTargetURL(s.url).SetTargetDomain(u.Hostname()).
		SetDepth(s.depth).SetStatus(s.status).SetCreatedAt(s.at).SetUpdatedAt(done).SetStartedAt(s.at).
		SetCompletedAt(done).SetDurationMs(4000)
	if s.err != "" {
		c.SetError(s.err)
	}
	if s.res != nil {
		js, err := json.Marshal(s.res)
		if err != nil {
			t.Fatal(err)
		}
		c.SetResult(string(js)).SetFindingsCount(len(s.res.Findings))
		if s.status == domain.StatusCompleted && s.res.NotGraded == nil {
			c.SetGrade(s.res.Grade).SetOverallScore(s.res.OverallScore)
		}
	}
	sc, err := c.Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.res != nil {
		for _, f := range s.res.Findings {
			if err := env.C.DB.Ent.Finding.Create().SetAccountID(accountID).SetScanID(sc.ID).SetCheckID(f.CheckID).
				SetCategory(f.Category).SetSeverity(entfinding.Severity(f.Severity)).SetTitle(f.Title).
				SetDescription(f.Description).SetRecommendation(f.Recommendation).SetEvidence(f.Evidence).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sc.ID
}

// verdictResult is a graded result of target with the given checks in one
// category; its findings are those given.
func verdictResult(target string, score int, grade string, checks []scanner.CheckResult, findings ...scanner.Finding) *scanner.Result {
	u, _ := url.Parse(target)
	for i := range checks {
		checks[i].Category = "headers"
	}
	return &scanner.Result{TargetURL: target, TargetDomain: u.Hostname(), Depth: scanner.Standard, FinalURL: target,
		StatusCode: 200, DurationMs: 4200, OverallScore: score, Grade: grade, ScannedAt: time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC),
		ScoringVersion: "2.0.0+ab12cd34", Categories: []scanner.Category{{Name: "headers", Score: score, MaxScore: 100, Grade: grade, Checks: checks},
			{Name: "dns", MaxScore: 10, Checks: []scanner.CheckResult{{ID: "dns.spf", Name: "SPF record", Category: "dns", Status: scanner.StatusSkipped, Reason: "the target is an IP address; DNS records of a domain do not apply"}}}},
		Findings: findings, Headers: map[string]string{"Server": "test"}}
}

func accountOf(t *testing.T, env *apptest.Env, email string) string {
	t.Helper()
	u, err := env.C.Auth.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.AccountID
}

func TestScanPageVerdicts(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "verdicts@example.com")
	acc := accountOf(t, env, "verdicts@example.com")
	hostile := `<script>alert(1)</script>`
	nginx := `add_header Strict-Transport-Security "max-age=31536000" always;`
	apache := `Header always set Strict-Transport-Security "max-age=31536000"`

	checks := func() []scanner.CheckResult {
		return []scanner.CheckResult{
			{ID: "hsts", Name: "Strict-Transport-Security", Status: scanner.StatusFail, Points: 0, MaxPoints: 10},
			{ID: "csp", Name: "Content-Security-Policy", Status: scanner.StatusPass, Points: 10, MaxPoints: 10},
			{ID: "referrer-policy", Name: "Referrer-Policy", Status: scanner.StatusInfo, Points: 5, MaxPoints: 5},
			{ID: "dns-caa", Name: "CAA records", Status: scanner.StatusSkipped, Reason: "the target is an IP address, which has no DNS records"},
			{ID: "sri", Name: "Subresource integrity", Status: scanner.StatusError, Reason: "the page could not be fetched"},
		}
	}
	hstsFinding := scanner.Finding{CheckID: "hsts", Category: "headers", Severity: scanner.SeverityHigh, Title: "HSTS not set",
		Description: "Browsers may be downgraded to HTTP.", Recommendation: "the prose, never parsed",
		Fix: &scanner.Fix{Advice: "Send HSTS on every HTTPS response.", Snippets: []scanner.Snippet{
			{Server: scanner.ServerNginx, Code: nginx}, {Server: scanner.ServerApache, Code: apache}, {Server: scanner.ServerHTML, Code: hostile}}}}

	capped := verdictResult("https://localhost:20443/", 62, "F", checks(), hstsFinding)
	capped.GradeCap = &scanner.GradeCap{Grade: "F", Reason: "HSTS is not set on an HTTPS site", CheckID: "hsts"}
	unreachable := verdictResult("https://down.example/", 0, "", nil, hstsFinding)
	unreachable.Categories = []scanner.Category{{Name: "tls", Grade: "F", Checks: []scanner.CheckResult{{ID: "tls", Name: "TLS", Status: scanner.StatusError}}}}
	unreachable.NotGraded = &scanner.NotGraded{Reason: scanner.NotGradedUnreachable, Detail: "The connection to down.example:443 was refused.",
		Advice: "Check that the site is up and answers on port 443, then scan again."}

	ids := map[string]string{
		"capped":      storeScan(t, env, acc, stored{url: "https://localhost:20443/", status: domain.StatusCompleted, res: capped}),
		"unreachable": storeScan(t, env, acc, stored{url: "https://down.example/", status: domain.StatusCompleted, res: unreachable}),
		"cancelled":   storeScan(t, env, acc, stored{url: "https://slow.example/", status: domain.StatusCancelled, err: "cancelled by the user"}),
		"failed":      storeScan(t, env, acc, stored{url: "https://slow.example/", status: domain.StatusFailed, err: "deadline exceeded"}),
	}

	cases := []struct {
		name  string
		scan  string
		check func(t *testing.T, doc *goquery.Document)
	}{
		{"capped grade is explained", "capped", func(t *testing.T, doc *goquery.Document) {
			if g := doc.Find(`[data-testid="scan-hero"] [data-testid="grade"]`).Text(); g != "F" {
				t.Errorf("grade = %q", g)
			}
			if s := text(doc, "score"); s != "Score 62 / 100" {
				t.Errorf("score = %q", s)
			}
			if c := text(doc, "grade-cap"); !strings.HasPrefix(c, "Capped at F: HSTS is not set on an HTTPS site") || !strings.Contains(c, "Strict-Transport-Security") {
				t.Errorf("cap = %q", c)
			}
		}},
		{"a category with nothing scored says so instead of 0 points", "capped", func(t *testing.T, doc *goquery.Document) {
			pts := doc.Find(`[data-testid="category-points"]`)
			if pts.Length() != 2 || pts.Eq(0).Text() != "62 / 100 points" || !strings.HasPrefix(pts.Eq(1).Text(), "not scored") {
				t.Errorf("category points = %q", pts.Map(func(_ int, s *goquery.Selection) string { return s.Text() }))
			}
		}},
		{"hero says what, when and by which rules", "capped", func(t *testing.T, doc *goquery.Document) {
			for tid, want := range map[string]string{"scan-domain": "localhost:20443", "target-url": "https://localhost:20443/",
				"depth": "STANDARD", "scoring-version": "2.0.0+ab12cd34"} {
				if got := text(doc, tid); got != want {
					t.Errorf("%s = %q, want %q", tid, got, want)
				}
			}
			if got := text(doc, "scanned-at"); !strings.Contains(got, "30 Nov 2026 09:15 UTC") || !strings.Contains(got, "took 4.2 s") {
				t.Errorf("scanned-at = %q", got)
			}
		}},
		{"check chips, points and reasons", "capped", func(t *testing.T, doc *goquery.Document) {
			for _, tc := range []struct{ id, chip, points, reason string }{
				{"hsts", "fail", "0 / 10", ""},
				{"csp", "pass", "10 / 10", ""},
				{"referrer-policy", "info", "5 / 5", ""},
				{"dns-caa", "skipped", "not scored", "the target is an IP address, which has no DNS records"},
				{"sri", "error", "not scored", "the page could not be fetched"},
			} {
				li := doc.Find(`[data-testid="check"][data-check-id="` + tc.id + `"]`)
				chip := li.Find(`[data-testid="check-status"]`)
				if chip.Text() != tc.chip || !chip.HasClass("chk-"+tc.chip) {
					t.Errorf("%s chip = %q (class %q), want %q", tc.id, chip.Text(), chip.AttrOr("class", ""), tc.chip)
				}
				if got := li.Find(`[data-testid="check-points"]`).Text(); got != tc.points {
					t.Errorf("%s points = %q, want %q", tc.id, got, tc.points)
				}
				if got := li.Find(`[data-testid="check-reason"]`).Text(); got != tc.reason {
					t.Errorf("%s reason = %q, want %q", tc.id, got, tc.reason)
				}
			}
		}},
		{"fix snippets per server", "capped", func(t *testing.T, doc *goquery.Document) {
			f := doc.Find(`[data-testid="finding"][data-check-id="hsts"]`)
			if got := f.Find(`[data-testid="fix-advice"]`).Text(); got != "Fix: Send HSTS on every HTTPS response." {
				t.Errorf("advice = %q", got)
			}
			sn := f.Find(`[data-testid="fix-snippet"]`)
			want := []struct{ server, label, code string }{{"nginx", "nginx", nginx}, {"apache", "Apache", apache}, {"html", "HTML", hostile}}
			if sn.Length() != len(want) {
				t.Fatalf("%d snippets, want %d", sn.Length(), len(want))
			}
			sn.Each(func(i int, s *goquery.Selection) {
				w := want[i]
				if s.AttrOr("data-server", "") != w.server || s.Find(`[data-testid="fix-server"]`).Text() != w.label ||
					s.Find("pre").Text() != w.code || s.Find(`[data-testid="copy-snippet"]`).AttrOr("data-copy", "") != w.code {
					t.Errorf("snippet %d = %q %q %q", i, s.AttrOr("data-server", ""), s.Find(`[data-testid="fix-server"]`).Text(), s.Find("pre").Text())
				}
			})
			if f.Find("script").Length() != 0 {
				t.Error("a snippet's code became markup")
			}
			if strings.Contains(f.Text(), "the prose, never parsed") {
				t.Error("the recommendation prose is shown beside the structured fix")
			}
		}},
		{"unreachable is not graded", "unreachable", func(t *testing.T, doc *goquery.Document) {
			notGradedPage(t, doc, "unreachable")
			if got := text(doc, "not-graded-detail"); got != "The connection to down.example:443 was refused." {
				t.Errorf("detail = %q", got)
			}
			if got := text(doc, "not-graded-advice"); !strings.Contains(got, "answers on port 443") {
				t.Errorf("advice = %q", got)
			}
		}},
		{"cancelled is not graded", "cancelled", func(t *testing.T, doc *goquery.Document) {
			notGradedPage(t, doc, "cancelled")
		}},
		{"failed is not graded and says why", "failed", func(t *testing.T, doc *goquery.Document) {
			notGradedPage(t, doc, "failed")
			if got := text(doc, "not-graded-detail"); !strings.Contains(got, "deadline exceeded") {
				t.Errorf("detail = %q", got)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.Get("/scans/" + ids[tc.scan])
			if p.Status != http.StatusOK {
				t.Fatalf("scan page = %d", p.Status)
			}
			tc.check(t, p.Doc)
		})
	}
}

// notGradedPage asserts a page shows no verdict: no grade, no score, no
// categories, no fixes, and never "Nothing to fix here".
func notGradedPage(t *testing.T, doc *goquery.Document, reason string) {
	t.Helper()
	ng := doc.Find(`[data-testid="not-graded"]`)
	if ng.Length() != 1 || ng.AttrOr("data-reason", "") != reason {
		t.Fatalf("not-graded panel: %d, reason %q, want %q", ng.Length(), ng.AttrOr("data-reason", ""), reason)
	}
	if text(doc, "not-graded-detail") == "" || text(doc, "not-graded-advice") == "" {
		t.Errorf("the panel does not say what happened and what to try")
	}
	if g := doc.Find(`[data-testid="scan-hero"] [data-testid="grade"]`).Text(); g != "–" {
		t.Errorf("grade = %q, want none", g)
	}
	if s := text(doc, "score"); s != "Not graded" {
		t.Errorf("score = %q", s)
	}
	body := doc.Find(`[data-testid="scan-result"]`)
	for _, tid := range []string{"category", "finding", "fix", "no-findings", "download-fix", "grade-cap", "changes"} {
		if n := body.Find(`[data-testid="` + tid + `"]`).Length(); n != 0 {
			t.Errorf("a not-graded page shows %d %s", n, tid)
		}
	}
	if strings.Contains(body.Text(), "Nothing to fix") {
		t.Error(`a not-graded page says "Nothing to fix"`)
	}
}

func text(doc *goquery.Document, testid string) string {
	return strings.Join(strings.Fields(doc.Find(`[data-testid="`+testid+`"]`).First().Text()), " ")
}

// comparable fixtures: two graded scans of one target a day apart, where
// the later one fixed HSTS and lost CSP, and a QUICK-only check.
func compareFixtures(t *testing.T, env *apptest.Env, acc, target string, at time.Time) (before, after string) {
	t.Helper()
	hsts := scanner.Finding{CheckID: "hsts", Category: "headers", Severity: scanner.SeverityHigh, Title: "HSTS not set"}
	csp := scanner.Finding{CheckID: "csp", Category: "headers", Severity: scanner.SeverityMedium, Title: "CSP not set"}
	xfo := scanner.Finding{CheckID: "xfo", Category: "headers", Severity: scanner.SeverityLow, Title: "X-Frame-Options not set"}
	env1 := scanner.Finding{CheckID: "dotenv", Category: "exposure", Severity: scanner.SeverityCritical, Title: ".env exposed"}
	r1 := verdictResult(target, 50, "D", []scanner.CheckResult{
		{ID: "hsts", Name: "Strict-Transport-Security", Status: scanner.StatusFail, MaxPoints: 20},
		{ID: "csp", Name: "Content-Security-Policy", Status: scanner.StatusPass, Points: 20, MaxPoints: 20},
		{ID: "xfo", Name: "X-Frame-Options", Status: scanner.StatusFail, MaxPoints: 10},
		{ID: "dotenv", Name: ".env file", Status: scanner.StatusFail, MaxPoints: 10},
	}, hsts, xfo, env1)
	r1.Depth = scanner.Deep
	r1.ScannedAt = at
	r2 := verdictResult(target, 50, "D", []scanner.CheckResult{
		{ID: "hsts", Name: "Strict-Transport-Security", Status: scanner.StatusPass, Points: 20, MaxPoints: 20},
		{ID: "csp", Name: "Content-Security-Policy", Status: scanner.StatusFail, MaxPoints: 20},
		{ID: "xfo", Name: "X-Frame-Options", Status: scanner.StatusFail, MaxPoints: 10},
		{ID: "dotenv", Name: ".env file", Status: scanner.StatusSkipped, Reason: "DEEP scans only"},
	}, csp, xfo)
	r2.Depth = scanner.Quick
	r2.ScannedAt = at.Add(24 * time.Hour)
	before = storeScan(t, env, acc, stored{url: target, status: domain.StatusCompleted, depth: domain.DepthDeep, at: at, res: r1})
	after = storeScan(t, env, acc, stored{url: target, status: domain.StatusCompleted, depth: domain.DepthQuick, at: at.Add(24 * time.Hour), res: r2})
	return before, after
}

func TestComparePage(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "compare@example.com")
	acc := accountOf(t, env, "compare@example.com")
	other := signUp(t, env, "compare-other@example.com")
	otherAcc := accountOf(t, env, "compare-other@example.com")
	day := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Minute)
	const target = "https://localhost:20443/"
	before, after := compareFixtures(t, env, acc, target, day)
	otherPort := storeScan(t, env, acc, stored{url: "https://localhost:20444/", status: domain.StatusCompleted, at: day.Add(time.Hour),
		res: verdictResult("https://localhost:20444/", 90, "A", nil)})
	cancelled := storeScan(t, env, acc, stored{url: target, status: domain.StatusCancelled, at: day.Add(2 * time.Hour)})
	foreign := storeScan(t, env, otherAcc, stored{url: target, status: domain.StatusCompleted, at: day.Add(3 * time.Hour),
		res: verdictResult(target, 90, "A", nil)})
	_ = other

	cases := []struct {
		name     string
		path     string
		status   int
		reason   string // in the not-comparable alert
		comparer bool   // the diff is shown
	}{
		{"two scans of one target", "/scans/" + after + "/compare?against=" + before, 200, "", true},
		{"either order", "/scans/" + before + "/compare?against=" + after, 200, "", true},
		{"the previous one by default", "/scans/" + after + "/compare", 200, "", true},
		{"another port", "/scans/" + after + "/compare?against=" + otherPort, 409, "different targets", false},
		{"a cancelled scan", "/scans/" + after + "/compare?against=" + cancelled, 409, "not graded", false},
		{"itself", "/scans/" + after + "/compare?against=" + after, 409, "itself", false},
		{"another account's scan", "/scans/" + after + "/compare?against=" + foreign, 404, "", false},
		{"another account's scan first", "/scans/" + foreign + "/compare?against=" + after, 404, "", false},
		{"an unknown scan", "/scans/" + after + "/compare?against=scn_nope", 404, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.Get(tc.path)
			if p.Status != tc.status {
				t.Fatalf("%s = %d, want %d: %s", tc.path, p.Status, tc.status, text(p.Doc, "not-comparable"))
			}
			if tc.reason != "" && !strings.Contains(text(p.Doc, "not-comparable"), tc.reason) {
				t.Errorf("reason = %q, want %q", text(p.Doc, "not-comparable"), tc.reason)
			}
			if got := p.Doc.Find(`[data-testid="diff"]`).Length() == 1; got != tc.comparer {
				t.Fatalf("diff shown = %v, want %v", got, tc.comparer)
			}
			if !tc.comparer {
				return
			}
			doc := p.Doc
			if d := doc.Find(`[data-testid="side-Before"] [data-testid="side-depth"]`).Text(); d != "DEEP" {
				t.Errorf("before depth = %q", d)
			}
			if d := doc.Find(`[data-testid="side-After"] [data-testid="side-depth"]`).Text(); d != "QUICK" {
				t.Errorf("after depth = %q", d)
			}
			refs := func(list string) []string {
				var out []string
				doc.Find(`[data-testid="findings-` + list + `"] [data-testid="finding-ref"]`).Each(func(_ int, s *goquery.Selection) {
					out = append(out, s.AttrOr("data-check-id", ""))
				})
				return out
			}
			for list, want := range map[string]string{"new": "csp", "fixed": "hsts", "still-open": "xfo"} {
				if got := strings.Join(refs(list), ","); got != want {
					t.Errorf("%s findings = %q, want %q", list, got, want)
				}
			}
			if nc := doc.Find(`[data-testid="not-compared-check"][data-check-id="dotenv"]`).Length(); nc != 1 {
				t.Errorf("the DEEP-only check is not listed as not compared")
			}
			for id, change := range map[string]string{"hsts": "improved", "csp": "regressed", "xfo": "unchanged", "dotenv": "not-compared"} {
				if got := doc.Find(`[data-testid="check-diff"][data-check-id="`+id+`"]`).AttrOr("data-change", ""); got != change {
					t.Errorf("check %s change = %q, want %q", id, got, change)
				}
			}
		})
	}

	// The scan page offers the other graded scans of the same target, newest first.
	p := b.Get("/scans/" + after)
	var offered []string
	p.Doc.Find(`[data-testid="compare-form"] option`).Each(func(_ int, s *goquery.Selection) { offered = append(offered, s.AttrOr("value", "")) })
	if strings.Join(offered, ",") != before {
		t.Errorf("compare form offers %v, want only %s", offered, before)
	}
	if a := p.Doc.Find(`[data-testid="compare-form"]`).AttrOr("action", ""); a != "/scans/"+after+"/compare" {
		t.Errorf("compare form action = %q", a)
	}
}

func TestChangesPanel(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "changes@example.com")
	acc := accountOf(t, env, "changes@example.com")
	day := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Minute)
	const target = "https://localhost:20443/"
	first := storeScan(t, env, acc, stored{url: target, status: domain.StatusCompleted, at: day.Add(-time.Hour),
		res: verdictResult(target, 70, "C", nil)})
	// A scan of another port of the same host is never "the previous scan".
	lone := storeScan(t, env, acc, stored{url: "https://localhost:20444/", status: domain.StatusCompleted, at: day.Add(30 * time.Hour),
		res: verdictResult("https://localhost:20444/", 70, "C", nil)})
	before, after := compareFixtures(t, env, acc, target, day)

	cases := []struct {
		name    string
		scan    string
		present bool
		against string
	}{
		{"the first scan of a target", first, false, ""},
		{"only another port was scanned before", lone, false, ""},
		{"a previous scan of the target", after, true, before},
		{"the previous one is the latest before", before, true, first},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.Get("/scans/" + tc.scan)
			panel := p.Doc.Find(`[data-testid="changes"]`)
			if got := panel.Length() == 1; got != tc.present {
				t.Fatalf("changes panel shown = %v, want %v", got, tc.present)
			}
			if !tc.present {
				return
			}
			if href := panel.Find(`[data-testid="compare-link"]`).AttrOr("href", ""); href != "/scans/"+tc.scan+"/compare?against="+tc.against {
				t.Errorf("compare link = %q", href)
			}
			if tc.scan == after {
				if got := text(p.Doc, "score-change"); !strings.Contains(got, "50 → 50") || !strings.Contains(got, "(±0)") {
					t.Errorf("score change = %q", got)
				}
				causes := panel.Find(`[data-testid="cause"]`)
				if causes.Length() != 2 || panel.Find(`[data-testid="cause"][data-check-id="hsts"]`).Length() != 1 {
					t.Errorf("causes = %q", causes.Text())
				}
				if panel.Find(`[data-testid="findings-fixed"] [data-check-id="hsts"]`).Length() != 1 ||
					panel.Find(`[data-testid="findings-fixed"] [data-check-id="dotenv"]`).Length() != 0 {
					t.Errorf("fixed = %q", panel.Find(`[data-testid="findings-fixed"]`).Text())
				}
				if panel.Find(`[data-testid="not-compared-check"][data-check-id="dotenv"]`).Length() != 1 {
					t.Errorf("the DEEP-only check is not listed as not compared")
				}
			}
		})
	}
}

func TestHistoryShowsHostPortAndDate(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "ports@example.com")
	acc := accountOf(t, env, "ports@example.com")
	at := time.Date(2026, 11, 28, 14, 5, 0, 0, time.UTC)
	cases := []struct{ url, want string }{
		{"https://localhost:20443/", "localhost:20443"},
		{"http://localhost:20101/", "localhost:20101"},
		{"https://example.com:443/", "example.com"},
		{"http://example.org:80/", "example.org"},
		{"https://example.net/app", "example.net/app"},
	}
	ids := map[string]string{}
	for i, tc := range cases {
		ids[storeScan(t, env, acc, stored{url: tc.url, status: domain.StatusCompleted, at: at.Add(time.Duration(i) * time.Minute),
			res: verdictResult(tc.url, 80, "B", nil)})] = tc.want
	}
	p := b.Get("/dashboard")
	rows := p.Doc.Find(`[data-testid="scan-row"]`)
	if rows.Length() != len(cases) {
		t.Fatalf("%d rows, want %d", rows.Length(), len(cases))
	}
	rows.Each(func(_ int, r *goquery.Selection) {
		id := r.AttrOr("data-scan-id", "")
		if got := r.Find(`[data-testid="scan-target"]`).Text(); got != ids[id] {
			t.Errorf("row %s target = %q, want %q", id, got, ids[id])
		}
		if got := r.Find(`[data-testid="scan-date"]`).Text(); !strings.HasPrefix(got, "28 Nov 2026 14:0") {
			t.Errorf("row %s date = %q", id, got)
		}
	})
	for id, want := range ids {
		if got := text(b.Get("/scans/"+id).Doc, "scan-domain"); got != want {
			t.Errorf("scan page heading = %q, want %q", got, want)
		}
		if _, err := env.C.Reports.Create(t.Context(), acc, id); err != nil {
			t.Fatal(err)
		}
	}
	// The reports list names each report's site the same way.
	var sites []string
	b.Get("/reports").Doc.Find(`[data-testid="report-row"] td:first-child a`).Each(func(_ int, s *goquery.Selection) {
		sites = append(sites, s.Text())
	})
	for _, want := range ids {
		if !slices.Contains(sites, want) {
			t.Errorf("reports list sites %q lack %q", sites, want)
		}
	}
}
