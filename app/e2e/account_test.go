//go:build e2e

package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/palisade/palisade/app/apptest"
)

// TestCancelTeamAndSettingsInBrowser: cancel a running scan from its page,
// invite a colleague by link, and change the password — in Chromium.
func TestCancelTeamAndSettingsInBrowser(t *testing.T) {
	env := apptest.New(t)
	slow := target(t, 8*time.Second, 8*time.Second) // slower than the test: only a cancel ends it
	b := NewBrowser(t, env.URL)
	env.User("lin@example.com", "pro")
	b.Do("log in",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(tid("login"), chromedp.ByQuery),
		chromedp.SetValue("#email", "lin@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click(tid("login-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("usage"), chromedp.ByQuery),
	)

	b.Do("start a slow scan",
		chromedp.SetValue("#scan-url", slow.URL+"/", chromedp.ByQuery),
		chromedp.SetValue("#scan-depth", "QUICK", chromedp.ByQuery),
		chromedp.Click(tid("scan-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cancel-scan"), chromedp.ByQuery),
	)
	b.DoWithin("cancel it", 10*time.Second,
		// Clicked from the page itself: the scan body is re-rendered every
		// second while the scan runs, and a click by node id can land between
		// chromedp finding the button and pressing it ("Could not find node").
		chromedp.Evaluate(`document.querySelector('[data-testid="cancel-scan"]').click()`, nil),
		chromedp.WaitVisible(tid("scan-result"), chromedp.ByQuery),
	)
	if got := b.Text(tid("scan-result") + " " + tid("status")); got != "CANCELLED" {
		t.Errorf("status after cancel = %q, want CANCELLED", got)
	}
	b.CheckConsole("cancel a scan")

	b.Do("open the team page",
		chromedp.Navigate(env.URL+"/team"),
		chromedp.WaitVisible(tid("members"), chromedp.ByQuery),
		chromedp.Click(tid("create-invite"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("invite-link-value"), chromedp.ByQuery),
	)
	if link := b.Text(tid("invite-link-value")); !strings.Contains(link, "/invite/") {
		t.Errorf("invite link = %q", link)
	}
	b.Screenshot("team")
	b.CheckConsole("team")

	b.Do("change the password",
		chromedp.Navigate(env.URL+"/account"),
		chromedp.WaitVisible(tid("change-password"), chromedp.ByQuery),
		chromedp.SetValue("#current", "correct horse battery", chromedp.ByQuery),
		chromedp.SetValue("#new", "an even better passphrase", chromedp.ByQuery),
		chromedp.Click(tid("change-password"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("settings-message"), chromedp.ByQuery),
	)
	b.Screenshot("settings")
	b.CheckConsole("settings")
	if _, err := env.C.Auth.LogIn(t.Context(), "lin@example.com", "an even better passphrase"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}
