//go:build e2e

package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
)

// target is a loopback website with a few security headers. The home page
// answers after page, every other path (the scanner's probes for exposed
// files) after probe: so the checks on the page finish first and the
// exposure checks later, and a poll in between sees the scan half done.
func target(t *testing.T, page, probe time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		delay := page
		if r.URL.Path != "/" {
			delay = probe
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>`+
			`<body><h1>Welcome to the shop</h1><form method="post" action="/login"><input name="q"></form></body></html>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserJourney walks the whole web app in Chromium: sign up, scan and
// watch it live, report, API key, history paging, log out — checking on
// every page that the CSP holds and no script fails.
func TestBrowserJourney(t *testing.T) {
	began := time.Now()
	env := apptest.New(t)
	slow := target(t, 300*time.Millisecond, 2500*time.Millisecond)
	fast := target(t, 0, 0)
	b := NewBrowser(t, env.URL)
	email := "ada@example.com"

	// Landing page, then to sign-up through the boosted header link. The
	// marker set now survives only if no step reloads the page.
	b.Do("open the landing page",
		chromedp.Navigate(env.URL+"/"),
		chromedp.WaitVisible(tid("home"), chromedp.ByQuery),
	)
	b.Eval("set the no-reload marker", `window.__e2e = 1`, nil)
	b.Screenshot("landing")
	b.CheckConsole("landing")

	b.Do("go to sign-up",
		chromedp.Click(`header a[href="/signup"]`, chromedp.ByQuery, chromedp.NodeVisible),
		chromedp.WaitVisible(tid("signup"), chromedp.ByQuery),
	)
	expectPath(t, b, "sign-up", "/signup")
	b.Screenshot("signup")

	// Sign up: the dashboard shows who is signed in and an empty history.
	b.Do("sign up",
		chromedp.SetValue("#email", email, chromedp.ByQuery),
		chromedp.SetValue("#password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click(tid("signup-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("usage"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("empty-scans"), chromedp.ByQuery),
	)
	expectPath(t, b, "after sign-up", "/dashboard")
	if got := b.Text(tid("viewer")); got != email {
		t.Errorf("dashboard viewer = %q, want %q", got, email)
	}
	if got := b.Text(tid("usage")); !strings.Contains(got, "0 of 3") {
		t.Errorf("usage panel = %q, want 0 of 3 scans", got)
	}
	expectNoReload(t, b, "sign-up")
	b.Screenshot("dashboard")
	b.CheckConsole("dashboard")

	// Start a scan of the slow loopback target and watch it: progress
	// first, then the result swapped in by polling, without a reload.
	b.Do("start a scan",
		chromedp.SetValue("#scan-url", slow.URL+"/", chromedp.ByQuery),
		chromedp.SetValue("#scan-depth", "STANDARD", chromedp.ByQuery),
		chromedp.Click(tid("scan-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("scan-progress"), chromedp.ByQuery),
	)
	scanPath := b.Path()
	if !regexp.MustCompile(`^/scans/scn_[a-z0-9]+$`).MatchString(scanPath) {
		t.Fatalf("after starting a scan the address is %q, want /scans/scn_…", scanPath)
	}
	scanID := strings.TrimPrefix(scanPath, "/scans/")
	b.Eval("count live swaps",
		`window.__swaps = 0; window.__checks = 0;
		document.body.addEventListener("htmx:afterSwap", function () {
			window.__swaps++;
			window.__checks = Math.max(window.__checks, document.querySelectorAll('[data-testid="progress-item"]').length);
		}); true`, nil)
	live := time.Now()
	b.WaitFor("the first checks show while the scan runs",
		`document.querySelector('[data-testid="progress-item"]') !== null || document.querySelector('[data-testid="scan-result"]') !== null`, 30*time.Second)
	if b.Count(tid("scan-result")) > 0 {
		t.Errorf("the scan page went from no checks straight to the result: no live progress was shown")
	} else if done := b.Text(tid("scan-progress") + " p.muted"); !regexp.MustCompile(`^[1-9]\d* checks done`).MatchString(done) {
		t.Errorf("progress line = %q, want N checks done…", done)
	}
	b.Screenshot("scan-live")
	b.DoWithin("the scan completes live", 90*time.Second,
		chromedp.WaitVisible(tid("scan-result"), chromedp.ByQuery),
	)
	var swaps, checks int
	b.Eval("read live swaps", `window.__swaps`, &swaps)
	b.Eval("read live checks", `window.__checks`, &checks)
	t.Logf("scan result after %s, %d live swaps, up to %d checks shown while running", time.Since(live).Round(100*time.Millisecond), swaps, checks)
	if swaps < 1 {
		t.Errorf("the result appeared without an htmx swap (%d swaps): was the page reloaded?", swaps)
	}
	expectNoReload(t, b, "live scan")
	expectPath(t, b, "scan result", scanPath)
	if got := b.Count(tid("scan-progress")); got != 0 {
		t.Errorf("%d progress panels left next to the result", got)
	}
	if g := b.Text(`[data-testid="scan-result"] .grade-xl`); !regexp.MustCompile(`^[A-F][+-]?$`).MatchString(g) {
		t.Errorf("grade badge = %q, want a letter grade", g)
	}
	if s := b.Text(tid("score")); !regexp.MustCompile(`Score \d+ / 100`).MatchString(s) {
		t.Errorf("score = %q", s)
	}
	if n := b.Count(tid("finding")); n == 0 {
		t.Errorf("no findings for a site without CSP or HSTS")
	}
	b.Screenshot("scan-result")
	b.CheckConsole("scan result")

	// Generate a PDF report: the versions panel is swapped in place with a
	// row and a download link; the download is a PDF.
	b.Do("generate a report",
		chromedp.Click(tid("generate-report"), chromedp.ByQuery, chromedp.NodeVisible),
		chromedp.WaitVisible(`#report-versions `+tid("download-report"), chromedp.ByQuery),
	)
	if n := b.Count(`#report-versions ` + tid("report-row")); n != 1 {
		t.Errorf("%d report rows after generating one", n)
	}
	var href string
	b.Eval("read the download link", `document.querySelector('[data-testid="download-report"]').getAttribute("href")`, &href)
	if !regexp.MustCompile(`^/reports/[a-z]+_[a-z0-9]+/pdf$`).MatchString(href) {
		t.Errorf("download link = %q", href)
	}
	expectNoReload(t, b, "report generation")
	pdf, name := download(t, b, tid("download-report"))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("downloaded report %q starts with %q, want %%PDF-", name, pdf[:min(len(pdf), 8)])
	}
	if !strings.HasSuffix(name, ".pdf") {
		t.Errorf("downloaded report is named %q, want *.pdf", name)
	}
	expectNoReload(t, b, "download")
	b.CheckConsole("report")

	// The reports page lists it.
	b.Do("open reports",
		chromedp.Click(`nav.main a[href="/reports"]`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("reports")+" "+tid("report-row"), chromedp.ByQuery),
	)
	expectPath(t, b, "reports", "/reports")
	b.Screenshot("reports")
	b.CheckConsole("reports")

	// Billing: the Free plan with one scan used; Stripe is off here.
	b.Do("open billing",
		chromedp.Click(`nav.main a[href="/billing"]`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("current-plan"), chromedp.ByQuery),
	)
	if got := b.Text(tid("current-plan")); !strings.Contains(got, "Free plan") || !strings.Contains(got, "1 of 3") {
		t.Errorf("billing current plan = %q, want Free with 1 of 3 used", got)
	}
	b.Screenshot("billing")
	b.CheckConsole("billing")

	// API keys: create one, shown once; it works; revoke it; it is refused.
	b.Do("open API keys",
		chromedp.Click(`nav.main a[href="/keys"]`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("empty-keys"), chromedp.ByQuery),
		chromedp.SetValue("#key-name", "CI", chromedp.ByQuery),
		chromedp.Click(tid("create-key"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("new-key-value"), chromedp.ByQuery),
	)
	key := b.Text(tid("new-key-value"))
	if !regexp.MustCompile(`^pal_[A-Za-z0-9_-]{20,}$`).MatchString(key) {
		t.Fatalf("new key = %q, want pal_…", key)
	}
	if n := b.Count(tid("key-row") + `[data-key-state="active"]`); n != 1 {
		t.Errorf("%d active key rows after creating one", n)
	}
	b.Screenshot("api-keys")
	if code, body := apiGet(t, env, "/api/v1/usage", key); code != http.StatusOK {
		t.Errorf("GET /api/v1/usage with the new key = %d %s", code, body)
	}
	b.Do("the key is shown only once",
		chromedp.Click(`nav.main a[href="/keys"]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(tid("new-key-value"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("key-row"), chromedp.ByQuery),
	)
	if html := b.Text("main"); strings.Contains(html, key) {
		t.Errorf("the keys page shows the whole key again")
	}
	b.Do("revoke the key",
		chromedp.Click(tid("revoke-key"), chromedp.ByQuery, chromedp.NodeVisible),
		chromedp.WaitVisible(tid("key-row")+`[data-key-state="revoked"]`, chromedp.ByQuery),
	)
	if n := b.Count(tid("revoke-key")); n != 0 {
		t.Errorf("a revoked key still has a Revoke button")
	}
	if code, body := apiGet(t, env, "/api/v1/usage", key); code != http.StatusForbidden {
		t.Errorf("GET /api/v1/usage with the revoked key = %d %s, want 403", code, body)
	}
	expectNoReload(t, b, "API keys")
	b.CheckConsole("API keys")

	// History paging: Enterprise (no monthly ceiling), 21 more scans of the
	// fast target, then page 2 and back.
	ctx := context.Background()
	u, err := env.C.Auth.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.C.Auth.SetPlan(ctx, u.AccountID, billing.Enterprise); err != nil {
		t.Fatal(err)
	}
	acc, err := env.C.Auth.Account(ctx, u.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 21 {
		if _, err := env.C.Scans.Accept(ctx, acc, fmt.Sprintf("%s/?n=%d", fast.URL, i), "QUICK"); err != nil {
			t.Fatalf("accepting scan %d: %v", i, err)
		}
	}
	b.Do("open the dashboard with two pages of scans",
		chromedp.Click(`nav.main a[href="/dashboard"]`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("next-page"), chromedp.ByQuery),
	)
	page1 := rowIDs(t, b)
	if len(page1) != 20 {
		t.Errorf("page 1 has %d rows, want 20", len(page1))
	}
	if got := b.Text(tid("pager")); !strings.Contains(got, "Page 1 of 2 · 22 scans") {
		t.Errorf("pager = %q", got)
	}
	b.Do("go to older scans",
		chromedp.Click(tid("next-page"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("prev-page"), chromedp.ByQuery),
	)
	expectPath(t, b, "page 2", "/dashboard?page=2")
	page2 := rowIDs(t, b)
	if len(page2) != 2 {
		t.Errorf("page 2 has %d rows, want 2", len(page2))
	}
	for _, id := range page2 {
		if slices.Contains(page1, id) {
			t.Errorf("scan %s is on both pages", id)
		}
	}
	if !slices.Contains(page2, scanID) {
		t.Errorf("the first scan %s is not on page 2 (%v)", scanID, page2)
	}
	b.Screenshot("dashboard-page-2")
	b.Eval("browser back", `history.back(); true`, nil)
	b.WaitFor("back on page 1", `location.search === "" && document.querySelector('[data-testid="next-page"]') !== null && document.querySelector('[data-testid="prev-page"]') === null`, stepTimeout)
	if back := rowIDs(t, b); !slices.Equal(back, page1) {
		t.Errorf("after Back the rows are %v, want page 1 %v", back, page1)
	}
	// Back restores the whole page, not only the list.
	if b.Count(tid("usage")) != 1 || b.Count(tid("viewer")) != 1 || b.Count("#new-scan") != 1 {
		b.Screenshot("FAILED-back")
		t.Fatalf("after Back only part of the dashboard is there (header, usage or scan form missing): %s", b.where())
	}
	expectNoReload(t, b, "paging")
	b.CheckConsole("paging")

	// Log out: the landing page, and the dashboard now asks to log in.
	b.Do("log out",
		chromedp.Click(tid("logout"), chromedp.ByQuery, chromedp.NodeVisible),
		chromedp.WaitVisible(tid("home"), chromedp.ByQuery),
	)
	expectPath(t, b, "after log out", "/")
	if n := b.Count(tid("viewer")); n != 0 {
		t.Errorf("the header still shows the viewer after log out")
	}
	b.Do("the dashboard needs a session again",
		chromedp.Navigate(env.URL+"/dashboard"),
		chromedp.WaitVisible(tid("login"), chromedp.ByQuery),
	)
	expectPath(t, b, "dashboard after log out", "/login")
	b.CheckConsole("log out")
	t.Logf("journey took %s", time.Since(began).Round(100*time.Millisecond))
}

// expectPath checks the address bar's path and query.
func expectPath(t *testing.T, b *Browser, step, want string) {
	t.Helper()
	if got := b.Path(); got != want {
		t.Errorf("%s: address is %q, want %q", step, got, want)
	}
}

// expectNoReload checks that the marker set on the landing page is still
// there: every navigation so far was an htmx swap, not a page load.
func expectNoReload(t *testing.T, b *Browser, step string) {
	t.Helper()
	var v int
	b.Eval("read the no-reload marker", `window.__e2e || 0`, &v)
	if v != 1 {
		t.Errorf("%s: the page was reloaded (no-reload marker gone)", step)
	}
}

// rowIDs is the scan ids of the dashboard's rows, in order.
func rowIDs(t *testing.T, b *Browser) []string {
	t.Helper()
	var ids []string
	b.Eval("read scan rows", `Array.from(document.querySelectorAll('[data-testid="scan-row"]')).map(function (r) { return r.getAttribute("data-scan-id"); })`, &ids)
	return ids
}

// download clicks sel with downloads going to a fresh folder and returns
// the file's bytes and suggested name.
func download(t *testing.T, b *Browser, sel string) ([]byte, string) {
	t.Helper()
	dir := t.TempDir()
	b.Do("allow downloads",
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dir).WithEventsEnabled(true),
	)
	b.Do("click "+sel, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
	var name string
	select {
	case ev := <-b.started:
		name = ev.SuggestedFilename
	case <-time.After(stepTimeout):
		t.Fatalf("clicking %s started no download", sel)
	}
	select {
	case ev := <-b.downloads:
		if ev.State != browser.DownloadProgressStateCompleted {
			t.Fatalf("download of %s: %s", name, ev.State)
		}
		// AllowAndName stores the file under its GUID.
		data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil {
			t.Fatalf("reading the download: %v", err)
		}
		return data, name
	case <-time.After(stepTimeout):
		t.Fatalf("download of %s did not complete", name)
	}
	return nil, ""
}

// apiGet calls the JSON API from Go with a key.
func apiGet(t *testing.T, env *apptest.Env, path, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
