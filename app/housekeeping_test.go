package app_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/kv"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/scancount"
)

// withSweepEvery sets how often the KV sweep job runs.
func withSweepEvery(d time.Duration) apptest.Option {
	return func(s *apptest.Setup) { s.App.SweepEvery = d }
}

// completedJobs counts River jobs of kind that finished successfully.
func completedJobs(t *testing.T, env *apptest.Env, kind string) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'"
	if !env.C.DB.IsSQLite() {
		q = "SELECT COUNT(*) FROM river_job WHERE kind = $1 AND state = 'completed'"
	}
	var n int
	if err := env.C.DB.SQL.QueryRowContext(context.Background(), q, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// eventually waits for cond, failing with what after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReconcilerJobHandsBackAnOrphanedScan leaves a scan RUNNING under the
// claim of an instance that no longer exists, its heartbeat an hour old,
// after the reconcile-at-start has run: only River's periodic reconciler
// can hand it back, and then it runs to completion here.
func TestReconcilerJobHandsBackAnOrphanedScan(t *testing.T) {
	env := apptest.New(t) // ReconcileEvery: 1 s
	site := target(t)
	acc := env.User("orphan@example.com", billing.Free)
	key := env.Key(acc)
	blocker := createScan(t, env, key, tarpit(t), "QUICK")
	waitStatus(t, env, blocker, 10*time.Second, domain.StatusRunning)
	orphan := createScan(t, env, key, site.URL, "QUICK") // free plan: waits behind the blocker

	ctx := context.Background()
	hourAgo := time.Now().Add(-time.Hour).UTC()
	err := env.C.DB.InTx(ctx, func(_ *sql.Tx, c *ent.Client) error {
		n, err := c.Scan.Update().Where(scan.ID(orphan), scan.StatusEQ(domain.StatusPending)).
			SetStatus(domain.StatusRunning).SetClaim("instance-that-died").SetStartedAt(hourAgo).SetHeartbeatAt(hourAgo).Save(ctx)
		if err != nil || n != 1 {
			t.Fatalf("orphaning the scan: %d rows, %v", n, err)
		}
		if err := c.ScanCount.Update().Where(scancount.AccountID(acc), scancount.Status("PENDING")).AddN(-1).Exec(ctx); err != nil {
			return err
		}
		return c.ScanCount.Update().Where(scancount.AccountID(acc), scancount.Status("RUNNING")).AddN(1).Exec(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := completedJobs(t, env, jobs.ReconcileArgs{}.Kind())
	if _, err := env.C.Scans.Cancel(ctx, acc, blocker); err != nil { // frees the account's slot
		t.Fatal(err)
	}
	waitStatus(t, env, blocker, 10*time.Second, domain.StatusCancelled)
	waitStatus(t, env, orphan, 30*time.Second, domain.StatusCompleted)
	sc, err := env.C.DB.Ent.Scan.Get(ctx, orphan)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Claim == "instance-that-died" {
		t.Fatal("the orphan still carries the dead instance's claim")
	}
	// River marks jobs completed in batches: the row may trail the work.
	eventually(t, 10*time.Second, "no reconciler job completed after the scan was orphaned", func() bool {
		return completedJobs(t, env, jobs.ReconcileArgs{}.Kind()) > before
	})
}

func TestSweepJobDeletesExpiredKeys(t *testing.T) {
	env := apptest.New(t, withSweepEvery(time.Second))
	ctx := context.Background()
	past, future := time.Now().Add(-time.Minute).UTC(), time.Now().Add(time.Hour).UTC()
	for id, exp := range map[string]time.Time{"expired": past, "live": future} {
		if err := env.C.DB.Ent.KV.Create().SetID(id).SetValue([]byte("v")).SetExpiresAt(exp).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.C.DB.Ent.KV.Create().SetID("forever").SetValue([]byte("v")).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the expired key is still stored", func() bool {
		// Only this test's keys: the instance keeps its own (the server key of docs/monitoring.md).
		n, err := env.C.DB.Ent.KV.Query().Where(kv.IDIn("expired", "live", "forever")).Count(ctx)
		return err == nil && n == 2
	})
	for _, id := range []string{"live", "forever"} {
		if _, err := env.C.DB.Ent.KV.Get(ctx, id); err != nil {
			t.Errorf("%s key: %v", id, err)
		}
	}
	eventually(t, 10*time.Second, "no completed sweep job: the key went some other way", func() bool {
		return completedJobs(t, env, jobs.SweepKVArgs{}.Kind()) > 0
	})
}
