package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/mail/mailtest"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/kv"
)

// withSMTP points the env's mail at srv, which turns on confirmation by e-mail.
func withSMTP(srv *mailtest.Server) apptest.Option {
	return apptest.WithConfig(func(c *config.Config) { c.SMTPURL = srv.URL() })
}

var confirmLink = regexp.MustCompile(`https?://\S+/signup/confirm/[A-Za-z0-9_-]+`)

// TestSignUpByEmailDoesNotTellWhoHasAnAccount: with a mail server, a new
// address and a taken one get the same page; only the mailbox learns which.
func TestSignUpByEmailDoesNotTellWhoHasAnAccount(t *testing.T) {
	srv := mailtest.New(t)
	env := apptest.New(t, withSMTP(srv))
	env.User("taken@example.com", billing.Pro)

	signUp := func(email string) *apptest.Page {
		b := env.Browser()
		b.Get("/signup")
		return b.Post("/signup", url.Values{"email": {email}, "password": {"a long enough password"}, "account": {"Acme"}})
	}
	fresh, taken := signUp("New@Example.com"), signUp("taken@example.com")
	panel := func(p *apptest.Page) string {
		return strings.Replace(p.Doc.Find(`[data-testid="signup-sent"]`).Text(), "new@example.com", "taken@example.com", 1)
	}
	if fresh.Status != 200 || taken.Status != 200 || panel(fresh) == "" || panel(fresh) != panel(taken) {
		t.Fatalf("new address: %d %q\ntaken address: %d %q\nwant the same page", fresh.Status, panel(fresh), taken.Status, panel(taken))
	}
	if _, err := env.C.Auth.UserByEmail(t.Context(), "new@example.com"); err == nil {
		t.Fatal("an account was created before the address was confirmed")
	}
	// Both paths did the same writes: one pending sign-up each.
	if n, err := env.C.DB.Ent.KV.Query().Where(kv.IDGTE("signup:"), kv.IDLT("signup;")).Count(t.Context()); err != nil || n != 2 {
		t.Errorf("%d pending sign-ups stored (%v), want 2: one per path", n, err)
	}
	byTo := map[string]mailtest.Received{}
	for _, m := range srv.Wait(t, 2, 5*time.Second) {
		byTo[m.To] = m
	}
	if m := byTo["taken@example.com"]; !strings.Contains(m.Body, "already have an account") || confirmLink.MatchString(m.Body) {
		t.Errorf("mail to the taken address: %+v", m)
	}
	link := confirmLink.FindString(byTo["new@example.com"].Body)
	if link == "" {
		t.Fatalf("no confirmation link in %+v", byTo["new@example.com"])
	}
	path := link[strings.Index(link, "/signup/confirm/"):]

	// Opening the link (as a mail scanner would) creates nothing; the button does.
	b := env.Browser()
	p := b.Get(path)
	if p.Status != 200 || p.Doc.Find(`[data-testid="signup-confirm"] form input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("confirmation page = %d %s", p.Status, p.Body)
	}
	if _, err := env.C.Auth.UserByEmail(t.Context(), "new@example.com"); err == nil {
		t.Fatal("opening the link created the account")
	}
	p = b.Post(path, nil)
	if p.URL.Path != "/dashboard" || p.Doc.Find(`[data-testid="viewer"]`).Text() != "new@example.com" {
		t.Fatalf("confirming ended at %d %s", p.Status, p.URL)
	}
	// The password chosen at sign-up is the one that logs in.
	if _, err := env.C.Auth.LogIn(t.Context(), "new@example.com", "a long enough password"); err != nil {
		t.Errorf("log-in with the sign-up password: %v", err)
	}
	// A link works once.
	if p := env.Browser().Get(path); p.Status != http.StatusGone || !strings.Contains(p.Body, "expired or has already been used") {
		t.Errorf("used link = %d %s", p.Status, p.Body)
	}
}

// TestSignUpMailsAreThrottledPerRecipient: the form cannot flood an inbox,
// and saying so would tell too much, so the page stays the same.
func TestSignUpMailsAreThrottledPerRecipient(t *testing.T) {
	srv := mailtest.New(t)
	env := apptest.New(t, withSMTP(srv))
	for i := range 5 {
		b := env.Browser()
		b.Get("/signup")
		if p := b.Post("/signup", url.Values{"email": {"victim@example.com"}, "password": {"a long enough password"}}); p.Status != 200 ||
			p.Doc.Find(`[data-testid="signup-sent"]`).Length() != 1 {
			t.Fatalf("sign-up %d = %d", i+1, p.Status)
		}
	}
	srv.Wait(t, 3, 5*time.Second)
	// Drain the outgoing queue: after Close every mail the requests queued
	// has been delivered, so a fourth one would be counted now.
	if err := env.C.Mail.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Fatalf("%d mails to one address in an hour, want 3", n)
	}
}

// TestSignUpIsThrottledPerNetwork: the 21st sign-up from one address in an
// hour is refused with a clear wait, whatever the mode. Behind a trusted
// proxy the address is the client's from X-Forwarded-For; from anyone else
// the header changes nothing.
func TestSignUpIsThrottledPerNetwork(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies string
		// whether a second client, named only by X-Forwarded-For, has its own allowance
		separate bool
	}{
		{"direct", "", false},
		{"behind a trusted proxy", "127.0.0.1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := apptest.New(t, apptest.WithConfig(func(c *config.Config) {
				var err error
				if c.TrustedProxies, err = config.ParsePrefixes("PALISADE_TRUSTED_PROXIES", tc.proxies); err != nil {
					t.Fatal(err)
				}
			}))
			signUp := func(b *apptest.Browser, email, password string) *apptest.Page {
				b.Get("/signup")
				return b.Post("/signup", url.Values{"email": {email}, "password": {password}})
			}
			first := env.Browser()
			first.Header.Set("X-Forwarded-For", "198.51.100.1")
			for i := range 20 {
				if p := signUp(first, "bad", "x"); p.Status != http.StatusUnprocessableEntity {
					t.Fatalf("sign-up %d = %d, want 422 for the bad input", i+1, p.Status)
				}
			}
			p := signUp(first, "late@example.com", "a long enough password")
			if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many sign-ups from your network") || p.Header.Get("Retry-After") == "" {
				t.Fatalf("21st sign-up = %d %q", p.Status, p.Doc.Find(`[data-testid="form-error"]`).Text())
			}
			if p.Doc.Find(`input[name="email"]`).AttrOr("value", "") != "late@example.com" {
				t.Error("the throttled form lost what was typed")
			}
			second := env.Browser()
			second.Header.Set("X-Forwarded-For", "198.51.100.2")
			if got := signUp(second, "other@example.com", "a long enough password").Status != http.StatusTooManyRequests; got != tc.separate {
				t.Fatalf("another client by X-Forwarded-For has its own allowance: %v, want %v", got, tc.separate)
			}
		})
	}
}
