package monitors_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/scan"
)

// TestOutageRunsTheMissedSlotOnce: the clock jumps ten days; the monitor
// runs once, for its latest slot, and is scheduled for the next one after now.
func TestOutageRunsTheMissedSlotOnce(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("outage@pro.example", billing.Pro)
	m, _ := f.create(acc, uid, monitors.Input{URL: f.target + "/outage", Frequency: "daily"})
	if n := f.enqueue(); n != 0 {
		t.Fatalf("enqueued %d before anything is due", n)
	}
	f.clock.Advance(10 * 24 * time.Hour)
	now := f.clock.Now()
	if n := f.enqueue(); n != 1 {
		t.Fatalf("after ten days enqueued %d, want 1", n)
	}
	if n := f.enqueue(); n != 0 {
		t.Fatalf("a second call enqueued %d more", n)
	}
	f.waitScans(m, 2)
	f.waitJobsDone()
	got := f.reload(m)
	slot := monitors.LatestSlot(m.Frequency, m.Hour, m.JitterSeconds, m.CreatedAt, now)
	if f.scansOf(m.ID) != 2 || f.jobs() != 1 || got.LastSlot == nil || !got.LastSlot.Equal(slot) || got.LastRunAt == nil || got.LastSkip != "" {
		t.Errorf("scans %d, jobs %d, last slot %v (want %v), last run %v, skip %q", f.scansOf(m.ID), f.jobs(), got.LastSlot, slot, got.LastRunAt, got.LastSkip)
	}
	if want := monitors.NextRun(m.Frequency, m.Hour, m.JitterSeconds, m.CreatedAt, now); !got.NextRunAt.Equal(want) || !got.NextRunAt.After(now) {
		t.Errorf("next run %v, want %v", got.NextRunAt, want)
	}
	// The job's retry (or a duplicate) of the slot starts nothing.
	if err := f.svc.Run(context.Background(), m.ID, slot); err != nil {
		t.Fatal(err)
	}
	if f.scansOf(m.ID) != 2 || f.monitorRuns(acc.ID) != 2 {
		t.Errorf("running the slot again: scans %d, monitor runs %d", f.scansOf(m.ID), f.monitorRuns(acc.ID))
	}
	// A day later the next slot is due.
	f.clock.Advance(24 * time.Hour)
	if n := f.enqueue(); n != 1 {
		t.Errorf("the next day enqueued %d, want 1", n)
	}
	f.waitScans(m, 3)
}

// TestPausedMonitorNeverRuns: paused, nothing is due however long; resumed,
// the next run is the first slot after now (no catch-up); a job queued
// before the pause starts nothing.
func TestPausedMonitorNeverRuns(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	acc, uid := f.account("pause@pro.example", billing.Pro)
	m, _ := f.create(acc, uid, monitors.Input{URL: f.target + "/pause", Frequency: "daily"})
	off := false
	if _, err := f.svc.Update(ctx, acc, m.ID, monitors.Patch{Active: &off}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(31 * 24 * time.Hour)
	if n := f.enqueue(); n != 0 {
		t.Fatalf("a paused monitor was enqueued %d times", n)
	}
	slot := monitors.LatestSlot(m.Frequency, m.Hour, m.JitterSeconds, m.CreatedAt, f.clock.Now())
	if err := f.svc.Run(ctx, m.ID, slot); err != nil {
		t.Fatal(err)
	}
	if f.scansOf(m.ID) != 1 {
		t.Fatalf("a paused monitor ran: %d scans", f.scansOf(m.ID))
	}
	on := true
	got, err := f.svc.Update(ctx, acc, m.ID, monitors.Patch{Active: &on})
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()
	if want := monitors.NextRun(m.Frequency, m.Hour, m.JitterSeconds, m.CreatedAt, now); !got.NextRunAt.Equal(want) {
		t.Errorf("resumed: next run %v, want %v", got.NextRunAt, want)
	}
	if n := f.enqueue(); n != 0 {
		t.Errorf("resuming caught up %d runs", n)
	}
	f.clock.Advance(24 * time.Hour)
	if n := f.enqueue(); n != 1 {
		t.Errorf("a day after resuming enqueued %d, want 1", n)
	}
	f.waitScans(m, 2)
}

// TestDeletedMonitorsJobDoesNothing: a run queued for a monitor deleted
// since then starts no scan and does not fail.
func TestDeletedMonitorsJobDoesNothing(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("deleted@pro.example", billing.Pro)
	m, _ := f.create(acc, uid, monitors.Input{URL: f.target + "/gone", Frequency: "daily"})
	if err := f.svc.Delete(context.Background(), acc.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Run(context.Background(), m.ID, f.clock.Now()); err != nil {
		t.Errorf("Run of a deleted monitor = %v", err)
	}
	if f.scansOf(m.ID) != 1 {
		t.Errorf("a deleted monitor ran")
	}
}

// TestEnqueueDueConcurrently: many callers of EnqueueDue at once (the same
// instance, on either engine) enqueue each due run once and start one scan
// per slot.
func TestEnqueueDueConcurrently(t *testing.T) {
	f := setup(t)
	acc, _ := f.account("many@enterprise.example", billing.Enterprise)
	ms := f.seed(acc.ID, "c", 40)
	total := callConcurrently(t, 8, 5, func() (int, error) { return f.svc.EnqueueDue(context.Background(), f.clock.Now()) })
	if total != len(ms) || f.jobs() != len(ms) {
		t.Fatalf("enqueued %d (jobs %d), want %d", total, f.jobs(), len(ms))
	}
	f.waitJobsDone()
	for _, m := range ms {
		if n := f.scansOf(m.ID); n != 1 {
			t.Errorf("monitor %s has %d scans for one slot", m.ID, n)
		}
	}
}

// callConcurrently runs fn callers×times from callers goroutines started
// together and returns the sum of what it returned.
func callConcurrently(t *testing.T, callers, times int, fn func() (int, error)) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	start := make(chan struct{})
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range times {
				n, err := fn()
				if err != nil {
					t.Errorf("EnqueueDue: %v", err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return total
}

// TestTwoInstancesEnqueueEachRunOnce: two Palisades on one PostgreSQL
// database, both running the scheduler at once over and over, for two
// slots: each run is enqueued once and each slot has one scan.
func TestTwoInstancesEnqueueEachRunOnce(t *testing.T) {
	if os.Getenv("PALISADE_TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL: set PALISADE_TEST_DATABASE_URL")
	}
	f := setup(t)
	b := apptest.New(t, apptest.WithDatabase(f.e.C.Config.DatabaseURL), apptest.WithClock(f.clock), quietScheduler)
	acc, _ := f.account("shared@enterprise.example", billing.Enterprise)
	ms := f.seed(acc.ID, "two", 30)
	instances := []*monitors.Service{f.svc, b.C.Monitors}
	for slot := 1; slot <= 2; slot++ {
		var i int
		var mu sync.Mutex
		total := callConcurrently(t, 6, 5, func() (int, error) {
			mu.Lock()
			s := instances[i%2]
			i++
			mu.Unlock()
			return s.EnqueueDue(context.Background(), f.clock.Now())
		})
		if total != len(ms) || f.jobs() != slot*len(ms) {
			t.Fatalf("slot %d: enqueued %d (jobs %d), want %d", slot, total, f.jobs(), len(ms))
		}
		f.waitJobsDone()
		for _, m := range ms {
			if n := f.scansOf(m.ID); n != slot {
				t.Errorf("slot %d: monitor %s has %d scans", slot, m.ID, n)
			}
		}
		f.clock.Advance(24 * time.Hour)
	}
}

// TestManualScanBeforeDueMonitorRuns: 50 due monitor runs of other
// accounts are queued, then a person's scan; the next scan the dispatcher
// runs is the person's, and the monitors' come after it. No worker runs in
// the background: the test claims with RunNext itself, so the order is the
// dispatcher's and not a race with a blocking scan's timeout.
func TestManualScanBeforeDueMonitorRuns(t *testing.T) {
	f := setup(t, func(s *apptest.Setup) { s.App.NoWorkers = true })
	ctx := context.Background()
	var due []*ent.Monitor
	for i := range 5 {
		acc, _ := f.account(fmt.Sprintf("watcher%d@enterprise.example", i), billing.Enterprise)
		due = append(due, f.seed(acc.ID, fmt.Sprintf("w%d-", i), 10)...)
	}
	for _, m := range due {
		if err := f.svc.Run(ctx, m.ID, m.NextRunAt); err != nil {
			t.Fatal(err)
		}
	}
	pending := func() int {
		return f.e.C.DB.Ent.Scan.Query().Where(scan.SourceEQ(domain.TriggerMonitor), scan.StatusEQ(domain.StatusPending)).CountX(ctx)
	}
	if n := pending(); n != len(due) {
		t.Fatalf("%d monitor scans pending, want %d", n, len(due))
	}
	person, _ := f.account("person@pro.example", billing.Pro)
	manual, err := f.e.C.Scans.Accept(ctx, person, f.target+"/manual", "QUICK")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.C.Scans.RunNext(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.e.C.DB.Ent.Scan.GetX(ctx, manual.ID); got.StartedAt == nil || !got.Status.Terminal() {
		t.Errorf("the manual scan queued after 50 monitor runs did not run first: %s", got.Status)
	}
	if n := pending(); n != len(due) {
		t.Errorf("%d monitor scans pending after the first claim, want %d", n, len(due))
	}
	// The next claim takes a monitor's run: they are not starved either.
	if err := f.e.C.Scans.RunNext(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != len(due)-1 {
		t.Errorf("%d monitor scans pending after the second claim, want %d", n, len(due)-1)
	}
}

// TestRunJobIsUniqueBySlot: River keeps one job per (monitor, slot) even
// when the same run is inserted twice, the second line of defence behind
// EnqueueDue's conditional write.
func TestRunJobIsUniqueBySlot(t *testing.T) {
	f := setup(t, func(s *apptest.Setup) { s.App.NoWorkers = true })
	type fast interface {
		InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
	}
	ins, ok := f.e.C.Jobs.Inserter.(fast)
	if !ok {
		t.Fatalf("the inserter %T has no InsertManyFastTx", f.e.C.Jobs.Inserter)
	}
	slot := time.Date(2026, 3, 14, 6, 23, 57, 0, time.UTC)
	for _, args := range [][]monitors.RunArgs{
		{{MonitorID: "mon_a", Slot: slot}},
		{{MonitorID: "mon_a", Slot: slot}, {MonitorID: "mon_a", Slot: slot.AddDate(0, 0, 1)}, {MonitorID: "mon_b", Slot: slot}},
	} {
		err := f.e.C.DB.InTx(context.Background(), func(tx *sql.Tx, _ *ent.Client) error {
			params := make([]river.InsertManyParams, len(args))
			for i, a := range args {
				params[i] = river.InsertManyParams{Args: a}
			}
			_, err := ins.InsertManyFastTx(context.Background(), tx, params)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.jobs(); n != 3 {
		t.Errorf("%d monitor_run jobs, want 3 (one per monitor and slot)", n)
	}
}

// TestPeriodicJobEnqueuesDueRuns: the leader's periodic job finds a due
// monitor by itself and its run starts a scan.
func TestPeriodicJobEnqueuesDueRuns(t *testing.T) {
	f := setup(t, func(s *apptest.Setup) { s.App.MonitorsEvery = time.Second })
	acc, _ := f.account("periodic@pro.example", billing.Pro)
	m := f.seed(acc.ID, "p", 1)[0]
	f.waitScans(m, 1)
	got := f.reload(m)
	if got.LastSlot == nil || !got.NextRunAt.After(f.clock.Now()) {
		t.Errorf("after the periodic run: last slot %v, next run %v", got.LastSlot, got.NextRunAt)
	}
}

// TestDowngradedMonitorSkipsADepthThePlanLacks: a DEEP monitor of an
// account moved to Free keeps its schedule; its due run starts no scan and
// says why.
func TestDowngradedMonitorSkipsADepthThePlanLacks(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("downgrade@pro.example", billing.Pro)
	m, _ := f.create(acc, uid, monitors.Input{URL: f.target + "/deep", Frequency: "daily", Depth: "DEEP"})
	if err := f.e.C.Auth.SetPlan(context.Background(), acc.ID, billing.Free); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	if n := f.enqueue(); n != 1 {
		t.Fatalf("enqueued %d, want 1", n)
	}
	f.waitJobsDone()
	got := f.reload(m)
	if f.scansOf(m.ID) != 1 || got.LastSlot == nil || !strings.Contains(got.LastSkip, "DEEP") || !got.Active {
		t.Errorf("scans %d, last slot %v, skip %q, active %v", f.scansOf(m.ID), got.LastSlot, got.LastSkip, got.Active)
	}
}
