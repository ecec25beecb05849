//go:build e2e

package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/palisade/palisade/app/apptest"
)

// TestFormErrorsInBrowser submits each form wrongly in Chromium and expects
// the page the server answers with (422 or 401, the form with its message)
// to be shown. The forms are boosted, so it is htmx that must swap an error
// status in.
func TestFormErrorsInBrowser(t *testing.T) {
	env := apptest.New(t)
	b := NewBrowser(t, env.URL)
	const wait = 5 * time.Second

	b.Do("open sign-up",
		chromedp.Navigate(env.URL+"/signup"),
		chromedp.WaitVisible(tid("signup"), chromedp.ByQuery),
	)
	if err := b.Try("sign up with a short password", wait,
		chromedp.SetValue("#email", "grace@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "short", chromedp.ByQuery),
		chromedp.Click(tid("signup-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("error-password"), chromedp.ByQuery),
	); err != nil {
		t.Errorf("the sign-up form's error is not shown: %v", err)
	} else {
		b.Screenshot("signup-error")
	}
	b.CheckConsole("sign-up with a short password")

	env.User("grace@example.com", "free")
	b.Do("open log-in",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(tid("login"), chromedp.ByQuery),
	)
	if err := b.Try("log in with a wrong password", wait,
		chromedp.SetValue("#email", "grace@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "not the password", chromedp.ByQuery),
		chromedp.Click(tid("login-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("form-error"), chromedp.ByQuery),
	); err != nil {
		t.Errorf("the log-in form's error is not shown: %v", err)
	}
	b.CheckConsole("log in with a wrong password")

	b.Do("log in",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(tid("login"), chromedp.ByQuery),
		chromedp.SetValue("#email", "grace@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click(tid("login-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("usage"), chromedp.ByQuery),
	)
	if err := b.Try("scan an address that is not a website", wait,
		chromedp.SetValue("#scan-url", "ftp://example.com/", chromedp.ByQuery),
		chromedp.Click(tid("scan-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(`#new-scan .field-error, #new-scan `+tid("form-error"), chromedp.ByQuery),
	); err != nil {
		t.Errorf("the scan form's error is not shown: %v", err)
	} else if msg := b.Text(`#new-scan .field-error, #new-scan ` + tid("form-error")); strings.TrimSpace(msg) == "" {
		t.Errorf("the scan form's error is empty")
	}
	b.CheckConsole("scan form error")

	if err := b.Try("create a key without a name", wait,
		chromedp.Click(`nav.main a[href="/keys"]`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("key-form"), chromedp.ByQuery),
		chromedp.Click(tid("create-key"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("error-name"), chromedp.ByQuery),
	); err != nil {
		t.Errorf("the key form's error is not shown: %v", err)
	}
	b.CheckConsole("key form error")

	if err := b.Try("open a scan that does not exist", wait,
		chromedp.Click(`nav.main a[href="/dashboard"]`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("usage"), chromedp.ByQuery),
		chromedp.Evaluate(`(function () { var a = document.createElement("a"); a.href = "/scans/scn_doesnotexist"; a.textContent = "x"; document.querySelector("main").appendChild(a); htmx.process(a); a.click(); return true; })()`, nil),
		chromedp.WaitVisible(tid("error-page"), chromedp.ByQuery),
	); err != nil {
		t.Errorf("a boosted link to a missing page shows nothing: %v", err)
	}
	b.CheckConsole("missing page")
}
