package scans

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/scanevent"
)

// TestWorkerRunsTheQueueBackToBack: one job runs every runnable scan, one
// after another, each claimed fairly (the account with fewer running first)
// and within its plan's limit, exactly once; it queues no tokens while it
// goes on itself, and once nothing is pending the unused tokens are gone.
func TestWorkerRunsTheQueueBackToBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account("a", domain.PlanPro)
	b := e.account("b", domain.PlanPro)
	c := e.account("c", domain.PlanFree) // one scan at once
	target := site(t)
	held := e.accept(a, target)
	claimIt(e, held.ID) // a has one running for the whole test
	cHeld := e.accept(c, target)
	claimIt(e, cHeld.ID) // c is at its limit
	// The clock stands still unless moved: created_at orders the scans.
	e.clock.Advance(time.Second)
	cWaits := e.accept(c, target) // the oldest, but c may not run two
	e.clock.Advance(time.Second)
	a1 := e.accept(a, target)
	e.clock.Advance(time.Second)
	a2 := e.accept(a, target)
	e.clock.Advance(time.Second)
	b1 := e.accept(b, target) // newer, but its account runs nothing
	e.clock.Advance(time.Second)
	b2 := e.accept(b, target) // the finish of b1 claims it: b still runs fewer
	tokens := e.jobCount()

	if err := e.svc.runQueue(ctx); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, sc := range []*ent.Scan{a1, a2, b1, b2} {
		if got := e.get(sc.ID); got.Status != domain.StatusCompleted {
			t.Errorf("scan %s is %s (%q), want COMPLETED", sc.ID, got.Status, got.Error)
		}
		starts, _ := e.d.Ent.ScanEvent.Query().Where(scanevent.ScanID(sc.ID), scanevent.Kind(domain.EventStart)).Count(ctx)
		ends, _ := e.d.Ent.ScanEvent.Query().Where(scanevent.ScanID(sc.ID), scanevent.KindIn(domain.EventComplete, domain.EventFailed)).Count(ctx)
		if starts != 1 || ends != 1 {
			t.Errorf("scan %s started %d and ended %d times, want once each", sc.ID, starts, ends)
		}
	}
	starts, err := e.d.Ent.ScanEvent.Query().Where(scanevent.Kind(domain.EventStart)).Order(ent.Asc(scanevent.FieldID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range starts {
		if ev.ScanID != held.ID && ev.ScanID != cHeld.ID {
			order = append(order, ev.ScanID)
		}
	}
	if want := []string{b1.ID, b2.ID, a1.ID, a2.ID}; !slices.Equal(order, want) {
		t.Errorf("start order %v, want %v (b's scans first: a has one running; c none: it is at its limit)", order, want)
	}
	if got := e.get(held.ID); got.Status != domain.StatusRunning {
		t.Errorf("the held scan is %s, want RUNNING", got.Status)
	}
	if got := e.get(cWaits.ID); got.Status != domain.StatusPending {
		t.Errorf("c's second scan is %s, want PENDING (Free runs one at once)", got.Status)
	}
	if n := e.jobCount(); n != tokens {
		t.Errorf("%d tokens after the run, %d before: a worker that goes on queues none, and a pending scan keeps them", n, tokens)
	}
	e.checkCounts(a.ID)
	e.checkCounts(b.ID)
	e.checkCounts(c.ID)

	// c's running scan ends elsewhere: its finish queues a token; a worker
	// runs c's last scan, finds nothing pending, and the tokens go.
	if _, err := e.svc.finish(ctx, e.get(cHeld.ID), e.get(cHeld.ID).Claim, domain.StatusCompleted, "", sampleResult(target), time.Second, nil, false); err != nil {
		t.Fatal(err)
	}
	if n := e.jobCount(); n != tokens+1 {
		t.Errorf("%d tokens after c's finish, want %d", n, tokens+1)
	}
	if err := e.svc.runQueue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(cWaits.ID); got.Status != domain.StatusCompleted {
		t.Errorf("c's second scan is %s, want COMPLETED", got.Status)
	}
	if n := e.jobCount("available"); n != 0 {
		t.Errorf("%d tokens left with nothing pending, want 0", n)
	}
	e.checkCounts(c.ID)
}

// TestDrainingWorkerStopsAfterItsScan: once shutdown has begun a worker
// finishes the scan it runs, claims no other and leaves a token for the
// rest; a job without time left for the longest scan stops the same way.
func TestDrainingWorkerStopsAfterItsScan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("drain", domain.PlanPro)
	target := site(t)
	first := e.accept(acc, target)
	e.clock.Advance(time.Second) // the first is the older
	second := e.accept(acc, target)
	tokens := e.jobCount()
	e.svc.SetDraining(true)
	if err := e.svc.runQueue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(first.ID); got.Status != domain.StatusCompleted {
		t.Errorf("first scan %s, want COMPLETED", got.Status)
	}
	if got := e.get(second.ID); got.Status != domain.StatusPending {
		t.Errorf("second scan %s, want PENDING: a draining worker claims no other", got.Status)
	}
	if n := e.jobCount(); n != tokens+1 {
		t.Errorf("%d tokens, want %d: the finish queues one for the pending scan", n, tokens+1)
	}
	e.checkCounts(acc.ID)

	e.svc.SetDraining(false)
	if !e.svc.keepGoing(ctx) {
		t.Error("keepGoing without a deadline = false")
	}
	short, cancel := context.WithTimeout(ctx, scanner.Deep.Deadline())
	defer cancel()
	if e.svc.keepGoing(short) {
		t.Errorf("keepGoing with %v left = true; the longest scan may take %v", scanner.Deep.Deadline(), scanner.Deep.Deadline())
	}
	long, cancel2 := context.WithTimeout(ctx, scanner.Deep.Deadline()+time.Minute)
	defer cancel2()
	if !e.svc.keepGoing(long) {
		t.Error("keepGoing with a minute to spare = false")
	}
}

// TestProgressIsStoredWhileTheScanRuns: check events reach the table (and
// so every instance's stream) while the scan runs, and what is left is
// stored with the outcome, before the terminal event, in order.
func TestProgressIsStoredWhileTheScanRuns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("progress", domain.PlanFree)
	e.accept(acc, site(t))
	sc, claim, err := e.svc.claimNext(ctx)
	if err != nil || sc == nil {
		t.Fatalf("claim: %v %v", sc, err)
	}
	e.svc.SetExecOptions(ExecOptions{Heartbeat: time.Hour, ProgressEvery: 10 * time.Millisecond})
	prog := &progress{}
	watchCtx, stop := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.watch(watchCtx, sc, claim, stop, prog) }()
	prog.add(scanner.Event{CheckID: "a", Name: "A", Status: scanner.StatusPass}, e.clock.Now())
	waitFor(t, 5*time.Second, "the first check's event while the scan runs", func() bool {
		evs, _ := e.svc.Events(ctx, acc.ID, sc.ID, 0)
		return len(evs) == 2 && evs[1].CheckID == "a"
	})
	stop(nil)
	<-done
	prog.add(scanner.Event{CheckID: "b", Name: "B", Status: scanner.StatusFail}, e.clock.Now())
	prog.add(scanner.Event{CheckID: "c", Name: "C", Status: scanner.StatusWarn}, e.clock.Now())
	if _, err := e.svc.finish(ctx, sc, claim, domain.StatusCompleted, "", sampleResult(sc.TargetURL), time.Second, prog.take(), false); err != nil {
		t.Fatal(err)
	}
	evs, err := e.svc.Events(ctx, acc.ID, sc.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, string(ev.Kind)+":"+ev.CheckID+":"+ev.Status)
	}
	want := []string{"start::", "check:complete:a:pass", "check:complete:b:fail", "check:complete:c:warn", "complete::COMPLETED"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %s, want %s", i, got[i], want[i])
		}
	}
}
