package monitors_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/usage"
	"github.com/palisade/palisade/ent/user"
)

// fx is a running Palisade with a fake clock and a loopback site to watch.
type fx struct {
	t     testing.TB
	e     *apptest.Env
	clock *apptest.Clock
	// target is the base URL of a loopback site; every path is a site of its own.
	target string
	svc    *monitors.Service
	// hits counts requests to the target.
	hits *atomic.Int64
}

// quietScheduler turns the leader's periodic scheduler off: tests call
// EnqueueDue themselves, at the fake clock's time, and count what it did.
func quietScheduler(s *apptest.Setup) { s.App.MonitorsEvery = -1 }

func setup(t testing.TB, opts ...apptest.Option) *fx {
	t.Helper()
	hits := &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><head><title>ok</title></head><body>ok</body></html>")
	}))
	t.Cleanup(srv.Close)
	clock := &apptest.Clock{}
	e := apptest.New(t, append([]apptest.Option{apptest.WithClock(clock), quietScheduler, apptest.WithRateLimit(10000)}, opts...)...)
	return &fx{t: t, e: e, clock: clock, target: srv.URL, svc: e.C.Monitors, hits: hits}
}

// account signs up an owner and returns the account and the owner's id.
func (f *fx) account(email string, plan billing.PlanID) (*ent.Account, string) {
	f.t.Helper()
	id := f.e.User(email, plan)
	ctx := context.Background()
	acc := f.e.C.DB.Ent.Account.Query().Where(account.ID(id)).OnlyX(ctx)
	u := f.e.C.DB.Ent.User.Query().Where(user.AccountID(id)).FirstX(ctx)
	return acc, u.ID
}

// create makes a monitor through the service, failing the test on an error.
func (f *fx) create(acc *ent.Account, userID string, in monitors.Input) (*ent.Monitor, *ent.Scan) {
	f.t.Helper()
	m, sc, err := f.svc.Create(context.Background(), acc, userID, in)
	if err != nil {
		f.t.Fatalf("creating a monitor of %q: %v", in.URL, err)
	}
	return m, sc
}

// scansOf counts the monitor's scans (the initial one included).
func (f *fx) scansOf(monitorID string) int {
	f.t.Helper()
	return f.e.C.DB.Ent.Scan.Query().Where(scan.MonitorID(monitorID), scan.SourceEQ(domain.TriggerMonitor)).CountX(context.Background())
}

// monitorRuns is the month's count of monitor runs of the account.
func (f *fx) monitorRuns(accountID string) int {
	f.t.Helper()
	u, err := f.e.C.DB.Ent.Usage.Query().Where(usage.AccountID(accountID)).Only(context.Background())
	if ent.IsNotFound(err) {
		return 0
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return u.MonitorRuns
}

// spend sets the account's monitor runs of this month to n.
func (f *fx) spend(accountID string, n int) {
	f.t.Helper()
	ctx := context.Background()
	if f.e.C.DB.Ent.Usage.Update().Where(usage.AccountID(accountID)).SetMonitorRuns(n).SaveX(ctx) == 0 {
		f.t.Fatal("no usage row to spend")
	}
}

// reload reads the monitor again.
func (f *fx) reload(m *ent.Monitor) *ent.Monitor {
	f.t.Helper()
	got, err := f.svc.Get(context.Background(), m.AccountID, m.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// enqueue runs the scheduler at the fake clock's time.
func (f *fx) enqueue() int {
	f.t.Helper()
	n, err := f.svc.EnqueueDue(context.Background(), f.clock.Now())
	if err != nil {
		f.t.Fatalf("EnqueueDue: %v", err)
	}
	return n
}

// jobs counts monitor_run jobs in River's table.
func (f *fx) jobs() int {
	f.t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM river_job WHERE kind = 'monitor_run'"
	if err := f.e.C.DB.SQL.QueryRow(q).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// waitScans waits until the monitor has n scans.
func (f *fx) waitScans(m *ent.Monitor, n int) {
	f.t.Helper()
	apptest.WaitFor(f.t, 20*time.Second, fmt.Sprintf("monitor %s has %d scans", m.ID, n), func() bool { return f.scansOf(m.ID) >= n })
}

// waitJobsDone waits until every monitor_run job has finished.
func (f *fx) waitJobsDone() {
	f.t.Helper()
	apptest.WaitFor(f.t, 30*time.Second, "monitor runs worked", func() bool {
		var n int
		q := "SELECT COUNT(*) FROM river_job WHERE kind = 'monitor_run' AND state NOT IN ('completed', 'discarded', 'cancelled')"
		if err := f.e.C.DB.SQL.QueryRow(q).Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		return n == 0
	})
}

// seed inserts n monitors of the account directly (no initial scan, no
// plan limit): daily at 06:00 with no jitter, due at the last slot before
// the clock's time. Sites are target/<prefix><i>.
func (f *fx) seed(accountID, prefix string, n int) []*ent.Monitor {
	f.t.Helper()
	ctx := context.Background()
	now := f.clock.Now().UTC()
	anchor := now.AddDate(0, 0, -30)
	next := monitors.LatestSlot(domain.FrequencyDaily, 6, 0, anchor, now)
	c := f.e.C.DB.Ent
	var out []*ent.Monitor
	for start := 0; start < n; start += 1000 {
		end := min(n, start+1000)
		sb := make([]*ent.SiteCreate, 0, end-start)
		for i := start; i < end; i++ {
			u := fmt.Sprintf("%s/%s%d", f.target, prefix, i)
			key, ok := scanner.TargetKey(u)
			if !ok {
				f.t.Fatalf("no target key for %s", u)
			}
			sb = append(sb, c.Site.Create().SetAccountID(accountID).SetTargetURL(u).SetTargetKey(key).
				SetTargetDomain("127.0.0.1").SetCreatedAt(anchor).SetUpdatedAt(anchor))
		}
		sites := c.Site.CreateBulk(sb...).SaveX(ctx)
		mb := make([]*ent.MonitorCreate, 0, len(sites))
		for _, s := range sites {
			mb = append(mb, c.Monitor.Create().SetAccountID(accountID).SetSiteID(s.ID).
				SetFrequency(domain.FrequencyDaily).SetHour(6).SetJitterSeconds(0).SetDepth(domain.DepthQuick).
				SetAlerts(domain.AlertRules{}).SetNextRunAt(next).SetCreatedAt(anchor).SetUpdatedAt(anchor))
		}
		out = append(out, c.Monitor.CreateBulk(mb...).SaveX(ctx)...)
	}
	return out
}
