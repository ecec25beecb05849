package auth

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/app/mail/mailtest"
	"github.com/palisade/palisade/app/ratelimit"
	"github.com/palisade/palisade/app/store"
	"github.com/palisade/palisade/ent"
)

// TestKeyState: the state every surface shows, from the key's timestamps.
func TestKeyState(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		name    string
		revoked *time.Time
		expires *time.Time
		want    KeyState
	}{
		{"no expiry", nil, nil, KeyActive},
		{"expires later", nil, &future, KeyActive},
		{"expires at this instant", nil, &now, KeyExpired},
		{"expired", nil, &past, KeyExpired},
		{"revoked", &past, nil, KeyRevoked},
		{"revoked wins over expired", &past, &past, KeyRevoked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := StateOf(&ent.APIKey{RevokedAt: tc.revoked, ExpiresAt: tc.expires}, now); got != tc.want {
				t.Fatalf("StateOf = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestParseKeyExpiry: the form's lifetime, or a Validation on "expires".
func TestParseKeyExpiry(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want *time.Time
		bad  bool
	}{
		{"", nil, false},
		{"30", ptr(now.AddDate(0, 0, 30)), false},
		{"3650", ptr(now.AddDate(0, 0, 3650)), false},
		{"0", nil, true},
		{"3651", nil, true},
		{"-1", nil, true},
		{"soon", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseKeyExpiry(tc.in, now)
			var v *errs.Validation
			switch {
			case tc.bad:
				if !errors.As(err, &v) || v.Field != "expires" {
					t.Fatalf("err = %v, want a Validation on expires", err)
				}
			case err != nil:
				t.Fatal(err)
			case (got == nil) != (tc.want == nil) || got != nil && !got.Equal(*tc.want):
				t.Fatalf("expiry = %v, want %v", got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestCreateKeyLimitIsAFormError: the plan's key limit is a Conflict the
// form shows for the whole form, not a field.
func TestCreateKeyLimitIsAFormError(t *testing.T) {
	s, _ := newServiceDB(t)
	ctx := context.Background()
	acc, u, err := s.SignUp(ctx, SignUpInput{Email: "keys@example.com", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, _, err = s.CreateKey(ctx, acc.ID, "k", u.ID, nil)
		if err != nil {
			break
		}
	}
	field, msg, ok := errs.Field(err)
	if !errors.Is(err, ErrKeyLimit) || !ok || field != "" || !strings.Contains(msg, "Revoke one first") {
		t.Fatalf("over the limit: %v (field %q, shown %v)", err, field, ok)
	}
}

// throttled is an auth service with a real limiter on its database.
func throttled(t *testing.T) (*Service, *db.DB) {
	s, d := newServiceDB(t)
	s.SetLimiter(ratelimit.New(d), testLogger)
	return s, d
}

// TestLogInFromThrottles: per e-mail address and per network address, the
// attempts over the limit are RateLimited before the password is checked,
// whether or not the account exists.
func TestLogInFromThrottles(t *testing.T) {
	cases := []struct {
		name     string
		attempts func(i int) (email, ip string)
		allowed  int
	}{
		{"one address from many networks", func(i int) (string, string) { return "Victim@example.com", "198.51.100." + strconv.Itoa(i) }, LoginPerAccount},
		{"many addresses from one network", func(i int) (string, string) { return "user" + strconv.Itoa(i) + "@example.com", "203.0.113.7" }, LoginPerIP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := throttled(t)
			ctx := context.Background()
			if _, _, err := s.SignUp(ctx, SignUpInput{Email: "victim@example.com", Password: "a long enough password"}); err != nil {
				t.Fatal(err)
			}
			for i := range tc.allowed {
				email, ip := tc.attempts(i)
				if _, err := s.LogInFrom(ctx, email, "wrong password!", ip); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("attempt %d: %v, want ErrBadCredentials", i+1, err)
				}
			}
			email, ip := tc.attempts(tc.allowed)
			_, err := s.LogInFrom(ctx, email, "a long enough password", ip)
			var rl *errs.RateLimited
			if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > LoginWindow ||
				!regexp.MustCompile(`^Too many log-in attempts\. Try again in \d+ minutes?\.$`).MatchString(rl.Message) {
				t.Fatalf("attempt %d: %v, want RateLimited", tc.allowed+1, err)
			}
		})
	}
}

// TestLogInFromRace: concurrent attempts for one address get exactly the
// allowance, on either engine.
func TestLogInFromRace(t *testing.T) {
	s, _ := throttled(t)
	ctx := context.Background()
	const callers = LoginPerAccount + 6
	errsOf := race(callers, func(i int) error {
		_, err := s.LogInFrom(ctx, "nobody@example.com", "wrong password!", "192.0.2."+strconv.Itoa(i))
		return err
	})
	limited := 0
	for _, err := range errsOf {
		var rl *errs.RateLimited
		switch {
		case errors.As(err, &rl):
			limited++
		case !errors.Is(err, ErrBadCredentials):
			t.Errorf("attempt: %v", err)
		}
	}
	if limited != callers-LoginPerAccount {
		t.Fatalf("%d of %d attempts throttled, want %d", limited, callers, callers-LoginPerAccount)
	}
}

// signUpEnv is the sign-up flow on real parts: the database, its limiter
// and KV store, and an SMTP server on loopback.
func signUpEnv(t *testing.T, withMail bool) (*SignUps, *Service, *mailtest.Server) {
	t.Helper()
	s, d := throttled(t)
	var mailer Mailer
	var srv *mailtest.Server
	if withMail {
		srv = mailtest.New(t)
		sender, err := mail.New(srv.URL(), "palisade@example.com", nil, testLogger)
		if err != nil {
			t.Fatal(err)
		}
		go sender.Run()
		t.Cleanup(func() { _ = sender.Close(context.Background()) })
		mailer = sender
	}
	links := SignUpLinks{
		Confirm: func(tok string) string { return "https://palisade.test/signup/confirm/" + tok },
		LogIn:   func() string { return "https://palisade.test/login" },
	}
	return NewSignUps(s, ratelimit.New(d), store.NewKVStorage(d.Ent), mailer, links, testLogger), s, srv
}

var confirmLink = regexp.MustCompile(`https://palisade\.test/signup/confirm/(\S+)`)

// TestSignUpByMail: nothing exists until the mailed link is confirmed,
// once; a taken address gets a log-in note instead and the same answer.
func TestSignUpByMail(t *testing.T) {
	g, s, srv := signUpEnv(t, true)
	ctx := context.Background()
	if _, _, err := s.SignUp(ctx, SignUpInput{Email: "taken@example.com", Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	st, err := g.Start(ctx, SignUpInput{Email: " New@Example.com", Password: "a long enough password"}, "https://example.com", "198.51.100.1")
	if err != nil || st.User != nil || st.Email != "new@example.com" {
		t.Fatalf("Start = %+v, %v; want a pending sign-up for new@example.com", st, err)
	}
	if ok, _ := s.EmailTaken(ctx, "new@example.com"); ok {
		t.Fatal("the account exists before the link was opened")
	}
	if st, err := g.Start(ctx, SignUpInput{Email: "taken@example.com", Password: "a long enough password"}, "", "198.51.100.1"); err != nil || st.User != nil {
		t.Fatalf("a taken address answered %+v, %v; want the same answer as a new one", st, err)
	}
	msgs := srv.Wait(t, 2, 10*time.Second)
	var link string
	for _, m := range msgs {
		switch m.To {
		case "new@example.com":
			sub := confirmLink.FindStringSubmatch(m.Body)
			if m.Subject != "Confirm your Palisade sign-up" || sub == nil {
				t.Fatalf("confirmation mail: %q %q", m.Subject, m.Body)
			}
			link = sub[1]
		case "taken@example.com":
			if m.Subject != "Your Palisade account" || !strings.Contains(m.Body, "https://palisade.test/login") || confirmLink.MatchString(m.Body) {
				t.Fatalf("note to a taken address: %q %q", m.Subject, m.Body)
			}
		default:
			t.Fatalf("mail to %s", m.To)
		}
	}
	if p, err := g.Pending(link); err != nil || p.Email != "new@example.com" || p.URL != "https://example.com" {
		t.Fatalf("Pending = %+v, %v", p, err)
	}
	u, p, err := g.Confirm(ctx, link)
	if err != nil || u.Email != "new@example.com" || p.URL != "https://example.com" {
		t.Fatalf("Confirm = %v, %+v, %v", u, p, err)
	}
	for _, step := range []func() error{
		func() error { _, err := g.Pending(link); return err },
		func() error { _, _, err := g.Confirm(ctx, link); return err },
		func() error { _, _, err := g.Confirm(ctx, "not-a-link"); return err },
	} {
		var gone *errs.Gone
		if err := step(); !errors.As(err, &gone) {
			t.Errorf("a used or unknown link: %v, want Gone", err)
		}
	}
}

// TestSignUpThrottles: the network's allowance is RateLimited; a
// recipient's mail allowance is silent (same answer, no mail).
func TestSignUpThrottles(t *testing.T) {
	t.Run("per network", func(t *testing.T) {
		g, _, _ := signUpEnv(t, false)
		ctx := context.Background()
		for i := range SignUpPerIP {
			var v *errs.Validation
			if _, err := g.Start(ctx, SignUpInput{Email: "bad", Password: "x"}, "", "198.51.100.9"); !errors.As(err, &v) {
				t.Fatalf("sign-up %d: %v, want a Validation", i+1, err)
			}
		}
		_, err := g.Start(ctx, SignUpInput{Email: "late@example.com", Password: "a long enough password"}, "", "198.51.100.9")
		var rl *errs.RateLimited
		if !errors.As(err, &rl) || !strings.HasPrefix(rl.Message, "Too many sign-ups from your network.") {
			t.Fatalf("over the limit: %v", err)
		}
		if _, err := g.Start(ctx, SignUpInput{Email: "other@example.com", Password: "a long enough password"}, "", "198.51.100.10"); err != nil {
			t.Fatalf("another network: %v", err)
		}
	})
	t.Run("per recipient", func(t *testing.T) {
		g, _, srv := signUpEnv(t, true)
		ctx := context.Background()
		for i := range SignUpMailsPerTo + 2 {
			if _, err := g.Start(ctx, SignUpInput{Email: "flood@example.com", Password: "a long enough password"}, "", "198.51.100."+strconv.Itoa(i)); err != nil {
				t.Fatalf("sign-up %d: %v", i+1, err)
			}
		}
		srv.Wait(t, SignUpMailsPerTo, 10*time.Second)
		// One more delivery would have been queued with the others; give the
		// sender a marker message to prove the queue drained past them.
		if _, err := g.Start(ctx, SignUpInput{Email: "marker@example.com", Password: "a long enough password"}, "", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		msgs := srv.Wait(t, SignUpMailsPerTo+1, 10*time.Second)
		n := 0
		for _, m := range msgs {
			if m.To == "flood@example.com" {
				n++
			}
		}
		if n != SignUpMailsPerTo {
			t.Fatalf("%d mails to one recipient, want %d", n, SignUpMailsPerTo)
		}
	})
}

// TestSignUpWithoutMail: the account is made at once, and a taken address
// is a Conflict on the "email" field.
func TestSignUpWithoutMail(t *testing.T) {
	g, _, _ := signUpEnv(t, false)
	ctx := context.Background()
	st, err := g.Start(ctx, SignUpInput{Email: "now@example.com", Password: "a long enough password"}, "", "198.51.100.1")
	if err != nil || st.User == nil || st.User.Email != "now@example.com" || st.User.Role != domain.RoleOwner {
		t.Fatalf("Start = %+v, %v", st, err)
	}
	_, err = g.Start(ctx, SignUpInput{Email: "NOW@example.com", Password: "a long enough password"}, "", "198.51.100.1")
	if field, _, ok := errs.Field(err); !errors.Is(err, ErrEmailTaken) || !ok || field != "email" {
		t.Fatalf("taken address: %v (field %q)", err, field)
	}
}

// testLogger drops the flows' log lines (app/apptest, which has a logger
// into t.Log, imports this package).
var testLogger = slog.New(slog.DiscardHandler)
