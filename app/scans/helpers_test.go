package scans

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/internal/testnet"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/scan"
)

// testClock is the service's clock in tests: it stands still until the test
// moves it, so "15 s without a heartbeat" costs no wall time.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one scan service on a fresh database with River's real inserter.
// The engine is not started unless a test calls startWorkers: most tests
// drive RunNext themselves, so what runs when is theirs to decide.
type env struct {
	t     *testing.T
	d     *db.DB
	svc   *Service
	eng   *jobs.Engine
	clock *testClock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := testdb.Open(t)
	sc, err := scanner.New(scanner.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	workers := river.NewWorkers()
	eng, err := jobs.New(context.Background(), d, workers, jobs.Options{Workers: 2, PollInterval: 50 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(ctx)
	})
	svc := NewService(d, eng.Inserter, sc, log)
	river.AddWorker(workers, NewWorker(svc))
	clock := &testClock{t: time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)}
	svc.SetClock(clock.Now)
	svc.SetExecOptions(ExecOptions{Heartbeat: 10 * time.Millisecond})
	return &env{t: t, d: d, svc: svc, eng: eng, clock: clock}
}

// with returns the env reporting to t: a subtest sharing its parent's
// database must fail itself, not its parent.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func (e *env) startWorkers() {
	e.t.Helper()
	if err := e.eng.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) account(name string, plan domain.PlanID) *ent.Account {
	e.t.Helper()
	a, err := e.d.Ent.Account.Create().SetName(name).SetPlan(plan).Save(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) accept(acc *ent.Account, url string) *ent.Scan {
	e.t.Helper()
	sc, err := e.svc.Accept(context.Background(), acc, url, "QUICK")
	if err != nil {
		e.t.Fatalf("accepting %s: %v", url, err)
	}
	return sc
}

func (e *env) get(id string) *ent.Scan {
	e.t.Helper()
	sc, err := e.d.Ent.Scan.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return sc
}

// jobCount is the number of scan tokens River holds in the given states (all when none).
func (e *env) jobCount(states ...string) int {
	e.t.Helper()
	q := `SELECT COUNT(*) FROM river_job WHERE kind = 'scan'`
	var args []any
	if len(states) > 0 {
		q += ` AND state IN (`
		for i, s := range states {
			if i > 0 {
				q += `, `
			}
			q += `?`
			args = append(args, s)
		}
		q += `)`
	}
	var n int
	if err := e.d.SQL.QueryRowContext(context.Background(), e.svc.rebind(q), args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// checkCounts asserts that the scan_counts counters agree with the rows,
// the invariant every status change keeps in its own transaction.
func (e *env) checkCounts(accountID string) {
	e.t.Helper()
	ctx := context.Background()
	for _, st := range []domain.ScanStatus{domain.StatusPending, domain.StatusRunning, domain.StatusCompleted, domain.StatusFailed, domain.StatusCancelled} {
		want, err := e.d.Ent.Scan.Query().Where(scan.AccountID(accountID), scan.StatusEQ(st)).Count(ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		got, err := e.svc.countScans(ctx, accountID, string(st))
		if err != nil {
			e.t.Fatal(err)
		}
		if got != want {
			e.t.Errorf("scan_counts says %d %s scans, the table has %d", got, st, want)
		}
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// site is a loopback target: the home page answers at once with a few
// headers missing (so the scan has findings); every path in hang never
// answers, so a scan that reaches it runs into its deadline.
func site(t *testing.T, hang ...string) string {
	t.Helper()
	blocked := map[string]bool{}
	for _, p := range hang {
		blocked[p] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if blocked["*"] && r.URL.Path != "/" || blocked[r.URL.Path] {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fmt.Fprint(w, "<!doctype html><html><head><title>t</title></head><body>hello</body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// tarpit holds a scan RUNNING: see testnet.Tarpit.
func tarpit(t *testing.T) string { return testnet.Tarpit(t) }
