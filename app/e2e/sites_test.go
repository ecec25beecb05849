//go:build e2e

package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/palisade/palisade/app/apptest"
)

// TestSiteMonitorInBrowser: sign in, open a site, create a monitor with the
// form, and see its initial run on the site page's timeline once the real
// worker has run it against a loopback HTTPS target. The Sites page and the
// site page must not scroll sideways on a phone.
func TestSiteMonitorInBrowser(t *testing.T) {
	env := apptest.New(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1></body></html>`)
	}))
	t.Cleanup(srv.Close)
	b := NewBrowser(t, env.URL)
	env.User("sam@example.com", "pro")
	b.Do("log in",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(tid("login"), chromedp.ByQuery),
		chromedp.SetValue("#email", "sam@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click(tid("login-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("usage"), chromedp.ByQuery),
	)
	b.Do("open Sites from the navigation",
		chromedp.Click(tid("nav-sites"), chromedp.ByQuery, chromedp.NodeVisible),
		chromedp.WaitVisible(tid("empty-sites"), chromedp.ByQuery),
	)
	b.Do("add a site",
		chromedp.SetValue("#site-url", srv.URL+"/", chromedp.ByQuery),
		chromedp.SetValue("#site-label", "Shop", chromedp.ByQuery),
		chromedp.Click(tid("site-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("new-monitor"), chromedp.ByQuery),
	)
	sitePath := b.Path()
	if !regexp.MustCompile(`^/sites/sit_[a-z0-9]+$`).MatchString(sitePath) {
		t.Fatalf("after adding a site the address is %q", sitePath)
	}
	if got := b.Text(tid("site-title")); got != "Shop" {
		t.Errorf("site title %q", got)
	}
	b.Screenshot("site-new-monitor")
	noSidewaysScroll(t, b, env.URL, sitePath, 390, tid("new-monitor"))
	noSidewaysScroll(t, b, env.URL, sitePath, 1280, tid("new-monitor"))
	b.CheckConsole("site page")

	b.Do("create a monitor with the form",
		chromedp.SetValue("#monitor-create-frequency", "daily", chromedp.ByQuery),
		chromedp.SetValue("#monitor-create-hour", "8", chromedp.ByQuery),
		chromedp.SetValue("#monitor-create-depth", "QUICK", chromedp.ByQuery),
		chromedp.Click(tid("monitor-create-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("monitor"), chromedp.ByQuery),
	)
	if got := b.Text(tid("monitor-state")); !strings.Contains(got, "daily") || !strings.Contains(got, "08:00") {
		t.Errorf("monitor state %q", got)
	}
	if b.Count(tid("timeline-row")) != 1 {
		t.Fatalf("the initial run is not on the timeline: %s", b.where())
	}
	b.CheckConsole("monitor created")

	// The site page does not poll: reload until the worker has graded the run.
	deadline := time.Now().Add(90 * time.Second)
	for b.Count(tid("timeline-row")+" "+tid("grade")) == 0 {
		if time.Now().After(deadline) {
			b.Screenshot("FAILED-initial-run")
			t.Fatalf("the initial run was not graded within 90s: %s", b.where())
		}
		time.Sleep(500 * time.Millisecond)
		b.Do("reload the site page", chromedp.Reload(), chromedp.WaitVisible(tid("timeline"), chromedp.ByQuery))
	}
	if got := b.Text(tid("timeline-row")); !strings.Contains(got, "monitor") {
		t.Errorf("timeline row %q does not say a monitor ran it", got)
	}
	if b.Count(tid("chart-wide")+" "+tid("point")) != 1 || b.Count(tid("chart-wide")+" "+tid("y-label")) != 1 {
		t.Errorf("the chart does not show the run")
	}
	b.Do("open the settings", chromedp.Click(`details.monitor-edit summary`, chromedp.ByQuery))
	b.Screenshot("site-1280")
	b.CheckConsole("initial run")

	for _, width := range []int64{1280, 390} {
		for _, path := range []string{"/sites", sitePath} {
			noSidewaysScroll(t, b, env.URL, path, width, tid("trend-chart"))
		}
	}
	b.CheckConsole("sites pages")
}

// noSidewaysScroll opens path at width px and fails the test when the page
// is wider than the window; it leaves a screenshot of what it saw.
func noSidewaysScroll(t *testing.T, b *Browser, base, path string, width int64, ready string) {
	t.Helper()
	b.Do(fmt.Sprintf("open %s at %d px", path, width),
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(ready, chromedp.ByQuery),
	)
	var overflow int
	b.Eval("measure the overflow", `document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow)
	if overflow > 0 {
		t.Errorf("%s at %d px scrolls sideways by %d px", path, width, overflow)
	}
	b.Screenshot(fmt.Sprintf("%s-%d", strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"), width))
}
