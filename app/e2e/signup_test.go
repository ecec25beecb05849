//go:build e2e

package e2e_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/mail/mailtest"
)

// TestSignUpByEmailInBrowser: with a mail server, sign-up in Chromium ends
// on "check your inbox"; the link from the mail opens a page whose button
// creates the account and lands on the dashboard.
func TestSignUpByEmailInBrowser(t *testing.T) {
	srv := mailtest.New(t)
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.SMTPURL = srv.URL() }))
	b := NewBrowser(t, env.URL)
	const wait = 10 * time.Second

	b.Do("sign up",
		chromedp.Navigate(env.URL+"/signup"),
		chromedp.WaitVisible(tid("signup"), chromedp.ByQuery),
		chromedp.SetValue("#email", "mail@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "a long enough password", chromedp.ByQuery),
		chromedp.Click(tid("signup-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("signup-sent"), chromedp.ByQuery),
	)
	b.Screenshot("signup-sent")
	b.CheckConsole("sign up")

	link := regexp.MustCompile(`/signup/confirm/[A-Za-z0-9_-]+`).FindString(srv.Wait(t, 1, wait)[0].Body)
	if link == "" {
		t.Fatal("no confirmation link in the mail")
	}
	b.Do("open the link",
		chromedp.Navigate(env.URL+link),
		chromedp.WaitVisible(tid("signup-confirm"), chromedp.ByQuery),
	)
	b.Screenshot("signup-confirm")
	b.DoWithin("confirm", wait,
		chromedp.Click(tid("confirm-submit"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("usage"), chromedp.ByQuery),
	)
	expectPath(t, b, "confirm", "/dashboard")
	if got := b.Text(tid("viewer")); got != "mail@example.com" {
		t.Errorf("dashboard viewer = %q", got)
	}
	b.CheckConsole("confirm")
}
