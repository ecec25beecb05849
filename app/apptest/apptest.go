// Package apptest starts a real Palisade for tests: a fresh database (a
// SQLite file per test, or a fresh PostgreSQL database when
// PALISADE_TEST_DATABASE_URL is set), the full container with its workers,
// and the real router on a loopback listener.
package apptest

import (
	"context"

	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/palisade/palisade/app"
	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/billing"
)

// FastPasswords makes argon2id cheap in tests; production uses 64 MiB.
var FastPasswords = &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// DatabaseURL returns a database URL that exists only for this test (see testdb).
func DatabaseURL(t testing.TB) string { return testdb.URL(t) }

// Logger returns a logger that writes to the test log only when -v is set.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Env is a running Palisade.
type Env struct {
	T   testing.TB
	C   *app.Container
	URL string // base URL, e.g. http://127.0.0.1:41234
}

// Setup is what an Option may change before Palisade starts.
type Setup struct {
	Config *config.Config
	App    *app.Options
}

// Option adjusts the set-up before start.
type Option func(*Setup)

// WithConfig changes the configuration.
func WithConfig(f func(*config.Config)) Option { return func(s *Setup) { f(s.Config) } }

// WithDatabase makes the instance use an existing database (for several
// instances sharing one, as in production scale-out).
func WithDatabase(url string) Option { return func(s *Setup) { s.Config.DatabaseURL = url } }

// WithExec sets scan execution options (short deadlines, fast heartbeats).
func WithExec(e scans.ExecOptions) Option { return func(s *Setup) { s.App.Exec = e } }

// WithRateLimit replaces every plan's requests per minute (load tests).
func WithRateLimit(perMinute int) Option {
	return func(s *Setup) { s.App.RateLimitOverride = perMinute }
}

// WithWorkers sets PALISADE_WORKERS.
func WithWorkers(n int) Option { return func(s *Setup) { s.Config.Workers = n } }

// New starts Palisade for the test with loopback scan targets allowed, and
// stops it when the test ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	cfg, err := config.FromLookup(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ScanAllowCIDRs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cfg.Workers = 4
	appOpts := app.Options{Logger: Logger(t), PasswordParams: FastPasswords, PollInterval: 50 * time.Millisecond, ReconcileEvery: time.Second}
	for _, o := range opts {
		o(&Setup{Config: &cfg, App: &appOpts})
	}
	if cfg.DatabaseURL == "sqlite:data/palisade.db" {
		cfg.DatabaseURL = DatabaseURL(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	if cfg.BaseURL == "" || strings.HasPrefix(cfg.BaseURL, "http://127.0.0.1:8080") {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	ctx := context.Background()
	c, err := app.New(ctx, cfg, appOpts)
	if err != nil {
		ln.Close()
		t.Fatalf("starting palisade: %v", err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("starting workers: %v", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Listen(sctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Logf("shutdown: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Errorf("palisade did not shut down in 40s")
		}
	})
	return &Env{T: t, C: c, URL: "http://" + cfg.Addr}
}

// User creates an account with an owner and returns the owner's e-mail.
func (e *Env) User(email string, plan billing.PlanID) (accountID string) {
	e.T.Helper()
	acc, _, err := e.C.Auth.SignUp(context.Background(), auth.SignUpInput{Email: email, Password: "correct horse battery", Plan: plan})
	if err != nil {
		e.T.Fatalf("creating user %s: %v", email, err)
	}
	return acc.ID
}

// Key creates an API key for the account.
func (e *Env) Key(accountID string) string {
	e.T.Helper()
	_, plain, err := e.C.Auth.CreateKey(context.Background(), accountID, "test", "", nil)
	if err != nil {
		e.T.Fatalf("creating key: %v", err)
	}
	return plain
}

// Do sends an API request with the key and returns status and body.
func (e *Env) Do(method, path, key, contentType, body string) (int, http.Header, []byte) {
	e.T.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		e.T.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}
