package scans

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/scanevent"
	"github.com/palisade/palisade/ent/usage"
)

// TestRunNextScansALoopbackSite: a token runs the scan with the real
// scanner against a real HTTP server and stores everything it found; the
// events tell the story from start to the terminal one.
func TestRunNextScansALoopbackSite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("runner", domain.PlanFree)
	sc := e.accept(acc, site(t))
	if err := e.svc.RunNext(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.get(sc.ID)
	if got.Status != domain.StatusCompleted || got.OverallScore == nil || got.Grade == "" || got.FindingsCount == 0 || got.Error != "" {
		t.Fatalf("after RunNext: status %s score %v grade %q findings %d error %q", got.Status, got.OverallScore, got.Grade, got.FindingsCount, got.Error)
	}
	n, _ := e.d.Ent.Finding.Query().Where(finding.ScanID(sc.ID), finding.AccountID(acc.ID)).Count(ctx)
	if n != got.FindingsCount {
		t.Errorf("%d finding rows, findings_count %d", n, got.FindingsCount)
	}
	evs, err := e.svc.Events(ctx, acc.ID, sc.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) < 3 || evs[0].Kind != "start" || evs[len(evs)-1].Kind != "complete" || !IsTerminalEvent(evs[len(evs)-1].Kind) {
		t.Fatalf("events: %d, first %q, last %q", len(evs), evs[0].Kind, evs[len(evs)-1].Kind)
	}
	for _, ev := range evs[1 : len(evs)-1] {
		if ev.Kind != "check:complete" || ev.CheckID == "" || IsTerminalEvent(ev.Kind) {
			t.Errorf("progress event %+v", ev)
		}
	}
	// Replay after an id gives the rest, in order.
	rest, err := e.svc.Events(ctx, acc.ID, sc.ID, evs[1].ID)
	if err != nil || len(rest) != len(evs)-2 || rest[0].ID != evs[2].ID {
		t.Errorf("events after #%d: %d (err %v), want %d", evs[1].ID, len(rest), err, len(evs)-2)
	}
	other := e.account("other", domain.PlanFree)
	if foreign, err := e.svc.Events(ctx, other.ID, sc.ID, 0); err != nil || len(foreign) != 0 {
		t.Errorf("another account sees %d events (err %v)", len(foreign), err)
	}
	if _, err := e.svc.Detail(ctx, other.ID, sc.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("another account's Detail: %v, want not found", err)
	}
	d, err := e.svc.Detail(ctx, acc.ID, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "COMPLETED" || len(d.Findings) != got.FindingsCount || d.Error != nil || len(d.Categories) == 0 {
		t.Errorf("detail: %s, %d findings, error %v, %d categories", d.Status, len(d.Findings), d.Error, len(d.Categories))
	}
	for i := 1; i < len(d.Findings); i++ {
		if scanner.SeverityRank(d.Findings[i-1].Severity) > scanner.SeverityRank(d.Findings[i].Severity) {
			t.Errorf("findings not sorted by severity: %s before %s", d.Findings[i-1].Severity, d.Findings[i].Severity)
		}
	}
	// No scan left: a token ends without work.
	if err := e.svc.RunNext(ctx); err != nil {
		t.Errorf("RunNext with nothing pending: %v", err)
	}
	e.checkCounts(acc.ID)
}

// TestCancel: a pending scan is cancelled at once and its quota given back;
// a running one is flagged, and its run stops within a heartbeat; an ended
// one is a conflict; another account's is not found.
func TestCancel(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(e *env, id string) // brings the scan into the state under test
		foreign  bool
		wantCode int // 409 or 404, for reading the table; checked as kinds
		want     domain.ScanStatus
		quota    int // used after the cancel
	}{
		{name: "pending", want: domain.StatusCancelled, quota: 0},
		{name: "running", setup: claimIt, want: domain.StatusRunning, quota: 1},
		{name: "completed", setup: func(e *env, id string) {
			claimIt(e, id)
			if _, err := e.svc.finish(context.Background(), e.get(id), e.get(id).Claim, domain.StatusCompleted, "", nil, 0, nil, false); err != nil {
				e.t.Fatal(err)
			}
		}, wantCode: http.StatusConflict, want: domain.StatusCompleted, quota: 1},
		{name: "another account's", foreign: true, wantCode: http.StatusNotFound, want: domain.StatusPending, quota: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			acc := e.account("canceller", domain.PlanFree)
			sc := e.accept(acc, site(t))
			if tc.setup != nil {
				tc.setup(e, sc.ID)
			}
			who := acc.ID
			if tc.foreign {
				who = e.account("stranger", domain.PlanFree).ID
			}
			got, err := e.svc.Cancel(ctx, who, sc.ID)
			switch {
			case tc.wantCode == http.StatusNotFound:
				if !errors.Is(err, errs.ErrNotFound) {
					t.Fatalf("err = %v, want not found", err)
				}
			case tc.wantCode != 0:
				if !isKind[*errs.Conflict](err) {
					t.Fatalf("err = %v, want %d", err, tc.wantCode)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if got.Status != tc.want || !got.CancelRequested {
					t.Errorf("returned scan: %s, cancel requested %v", got.Status, got.CancelRequested)
				}
			}
			row := e.get(sc.ID)
			if row.Status != tc.want {
				t.Errorf("row is %s, want %s", row.Status, tc.want)
			}
			used, _ := e.svc.Used(ctx, acc.ID)
			if used != tc.quota {
				t.Errorf("quota used %d, want %d", used, tc.quota)
			}
			if tc.want == domain.StatusCancelled {
				evs, _ := e.svc.Events(ctx, acc.ID, sc.ID, 0)
				if len(evs) != 1 || evs[0].Kind != "cancelled" || row.Error != "cancelled by the user" {
					t.Errorf("events %v, error %q", evs, row.Error)
				}
				// A cancelled pending scan is never claimed.
				if next, _, err := e.svc.claimNext(ctx); err != nil || next != nil {
					t.Errorf("cancelled scan claimed: %v %v", next, err)
				}
			}
			e.checkCounts(acc.ID)
		})
	}
}

func claimIt(e *env, id string) {
	got, _, err := e.svc.claimNext(context.Background())
	if err != nil || got == nil || got.ID != id {
		e.t.Fatalf("claiming %s: %v %v", id, got, err)
	}
}

// runInBackground claims the only pending scan and executes it in a
// goroutine, returning what execute returns.
func runInBackground(t *testing.T, e *env, ctx context.Context) (string, <-chan error) {
	t.Helper()
	sc, claim, err := e.svc.claimNext(context.Background())
	if err != nil || sc == nil {
		t.Fatalf("claim: %v %v", sc, err)
	}
	done := make(chan error, 1)
	go func() { _, err := e.svc.execute(ctx, sc, claim, false); done <- err }()
	return sc.ID, done
}

func wait(t *testing.T, done <-chan error, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		t.Fatalf("the run did not end within %v", timeout)
		return nil
	}
}

// TestRunningScanObservesItsFlags: what another instance writes to the row
// (a user's cancel, a new owner after a hand-back) stops this run within a
// heartbeat; shutdown hands the scan back to the queue.
func TestRunningScanObservesItsFlags(t *testing.T) {
	for _, tc := range []struct {
		name      string
		interrupt func(e *env, accountID, id string, stop context.CancelFunc)
		wantErr   error
		want      domain.ScanStatus
		wantError string
	}{
		{name: "user cancel", interrupt: func(e *env, accountID, id string, _ context.CancelFunc) {
			if _, err := e.svc.Cancel(context.Background(), accountID, id); err != nil {
				e.t.Error(err)
			}
		}, want: domain.StatusCancelled, wantError: "cancelled by the user"},
		{name: "claim taken over", interrupt: func(e *env, _, id string, _ context.CancelFunc) {
			if err := e.d.Ent.Scan.UpdateOneID(id).SetClaim("new-owner").Exec(context.Background()); err != nil {
				e.t.Error(err)
			}
		}, want: domain.StatusRunning},
		{name: "shutdown", interrupt: func(_ *env, _, _ string, stop context.CancelFunc) { stop() },
			wantErr: ErrHandedBack, want: domain.StatusPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			acc := e.account("flags", domain.PlanFree)
			e.accept(acc, tarpit(t))
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			id, done := runInBackground(t, e, ctx)
			waitFor(t, 5*time.Second, "the start event", func() bool {
				evs, _ := e.svc.Events(context.Background(), acc.ID, id, 0)
				return len(evs) > 0
			})
			tc.interrupt(e, acc.ID, id, stop)
			if err := wait(t, done, 5*time.Second); !errors.Is(err, tc.wantErr) {
				t.Fatalf("execute = %v, want %v", err, tc.wantErr)
			}
			row := e.get(id)
			if row.Status != tc.want || row.Error != tc.wantError {
				t.Errorf("row: %s %q, want %s %q", row.Status, row.Error, tc.want, tc.wantError)
			}
			if tc.want == domain.StatusPending && row.Claim != "" {
				t.Errorf("handed-back scan keeps claim %q", row.Claim)
			}
			if tc.name != "claim taken over" {
				e.checkCounts(acc.ID)
			}
		})
	}
}

// TestDeadline: a scan that outlives its depth's deadline ends FAILED with
// "deadline exceeded", keeping what it had found so far.
func TestDeadline(t *testing.T) {
	e := newEnv(t)
	e.svc.SetExecOptions(ExecOptions{Heartbeat: 10 * time.Millisecond, Deadline: func(scanner.Depth) time.Duration { return 500 * time.Millisecond }})
	acc := e.account("slow", domain.PlanFree)
	// The home page answers; every other path hangs, so the scan has a
	// partial result when the deadline strikes.
	sc, err := e.svc.Accept(context.Background(), acc, site(t, "*"), "STANDARD")
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	if err := e.svc.RunNext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 5*time.Second {
		t.Errorf("a 500 ms deadline took %v", took)
	}
	row := e.get(sc.ID)
	if row.Status != domain.StatusFailed || row.Error != "deadline exceeded" {
		t.Fatalf("row: %s %q", row.Status, row.Error)
	}
	res, err := decodeResult(row.Result)
	if err != nil || res == nil || res.StatusCode != 200 || res.Error != "deadline exceeded" {
		t.Fatalf("partial result: %+v, %v", res, err)
	}
	if row.OverallScore != nil {
		t.Errorf("a failed scan got a score of %d", *row.OverallScore)
	}
	e.checkCounts(acc.ID)
}

// TestReconcile: a RUNNING scan whose heartbeat is older than StaleAfter
// (its instance died) goes back to PENDING with a fresh token, and its old
// owner can no longer finish it; a fresh one is left alone. The test moves
// the service's clock instead of waiting 15 s.
func TestReconcile(t *testing.T) {
	for _, tc := range []struct {
		name        string
		age         time.Duration // time since the last heartbeat
		noHeartbeat bool
		handedBack  bool
	}{
		{name: "fresh heartbeat", age: time.Second},
		{name: "just under the limit", age: 15*time.Second - time.Millisecond},
		{name: "stale heartbeat", age: 16 * time.Second, handedBack: true},
		{name: "an hour old", age: time.Hour, handedBack: true},
		{name: "never beat", noHeartbeat: true, handedBack: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			acc := e.account("orphans", domain.PlanFree)
			sc := e.accept(acc, site(t))
			claimed, claim, err := e.svc.claimNext(ctx)
			if err != nil || claimed == nil {
				t.Fatal(err)
			}
			if tc.noHeartbeat {
				if err := e.d.Ent.Scan.UpdateOneID(sc.ID).ClearHeartbeatAt().Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Advance(tc.age)
			tokens := e.jobCount()
			if err := e.svc.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			row := e.get(sc.ID)
			if !tc.handedBack {
				if row.Status != domain.StatusRunning || row.Claim != claim || e.jobCount() != tokens {
					t.Fatalf("a live scan was touched: %s claim %q, tokens %d → %d", row.Status, row.Claim, tokens, e.jobCount())
				}
				return
			}
			if row.Status != domain.StatusPending || row.Claim != "" || e.jobCount() != tokens+1 {
				t.Fatalf("orphan: %s claim %q, tokens %d → %d", row.Status, row.Claim, tokens, e.jobCount())
			}
			e.checkCounts(acc.ID)
			// The presumed-dead worker wakes up: its result is dropped.
			if _, err := e.svc.finish(ctx, claimed, claim, domain.StatusCompleted, "", sampleResult(sc.TargetURL), time.Second, nil, false); err != nil {
				t.Fatal(err)
			}
			if row := e.get(sc.ID); row.Status != domain.StatusPending || row.Result != "" {
				t.Errorf("the old owner finished a handed-back scan: %s", row.Status)
			}
			// Idempotent: a second pass finds nothing to hand back.
			tokens = e.jobCount()
			if err := e.svc.Reconcile(ctx); err != nil || e.jobCount() != tokens {
				t.Errorf("second Reconcile: %v, tokens %d → %d", err, tokens, e.jobCount())
			}
		})
	}
}

// TestReconcileQueuesATokenForPendingWork: PENDING scans with no live token
// (say, their tokens were discarded) get one; with a live token, none is added.
func TestReconcileQueuesATokenForPendingWork(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("tokens", domain.PlanFree)
	if err := e.svc.Reconcile(ctx); err != nil || e.jobCount() != 0 {
		t.Fatalf("nothing pending: %v, %d tokens", err, e.jobCount())
	}
	e.accept(acc, site(t))
	if err := e.svc.Reconcile(ctx); err != nil || e.jobCount() != 1 {
		t.Fatalf("pending with its own token: %v, %d tokens, want 1", err, e.jobCount())
	}
	if _, err := e.d.SQL.ExecContext(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = CURRENT_TIMESTAMP`); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if live := e.jobCount("available"); live != 1 {
		t.Errorf("%d live tokens after reconciling pending work without one, want 1", live)
	}
}

// TestWorkersRunAcceptedScans: with River's workers running, accepted scans
// complete, including one held back by the free plan's limit of one.
func TestWorkersRunAcceptedScans(t *testing.T) {
	e := newEnv(t)
	e.startWorkers()
	acc := e.account("queue", domain.PlanFree)
	target := site(t)
	a, b := e.accept(acc, target), e.accept(acc, target)
	ctx := context.Background()
	waitFor(t, 60*time.Second, "both scans completed", func() bool {
		n, _ := e.d.Ent.Scan.Query().Where(scan.IDIn(a.ID, b.ID), scan.StatusEQ(domain.StatusCompleted)).Count(ctx)
		return n == 2
	})
	st, err := e.svc.Stats(ctx)
	if err != nil || st.QueueDepth != 0 || st.Running != 0 {
		t.Errorf("stats %+v, %v", st, err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(e.svc.Collectors()...)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch {
			case m.GetGauge() != nil:
				got[f.GetName()] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				got[f.GetName()+"_count"] += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	for name, v := range map[string]float64{"palisade_scans_queued": 0, "palisade_scan_duration_seconds_count": 2, "palisade_instance_scans_running": 0} {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("metric %s = %v (present %v), want %v; all: %v", name, g, ok, v, got)
		}
	}
	u, _ := e.d.Ent.Usage.Query().Where(usage.AccountID(acc.ID)).Only(ctx)
	if u.Scans != 2 {
		t.Errorf("usage %d, want 2", u.Scans)
	}
	e.checkCounts(acc.ID)
}

// TestReconcileEndsCancelledOrphans: a scan whose user asked to cancel it
// is never handed back to the queue (no worker claims a cancelled scan, so
// it would stay PENDING for ever): an orphan with the flag set, and a scan
// handed back just as the flag was set, both end CANCELLED with their
// stream's closing event, and the counters follow.
func TestReconcileEndsCancelledOrphans(t *testing.T) {
	for _, handedBack := range []bool{false, true} {
		t.Run(map[bool]string{false: "running orphan with the flag set", true: "handed back with the flag set"}[handedBack], func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			acc := e.account("cancelled-orphans", domain.PlanFree)
			sc := e.accept(acc, site(t))
			if claimed, _, err := e.svc.claimNext(ctx); err != nil || claimed == nil {
				t.Fatal(err)
			}
			if err := e.d.Ent.Scan.UpdateOneID(sc.ID).SetCancelRequested(true).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Hour)
			if handedBack {
				// What a shutdown hand-back that raced the cancel leaves behind.
				err := e.d.InTx(ctx, func(tx *sql.Tx, _ *ent.Client) error {
					if _, err := tx.ExecContext(ctx, e.svc.rebind(`UPDATE scans SET status = 'PENDING', claim = '' WHERE id = ?`), sc.ID); err != nil {
						return err
					}
					return e.svc.moveCount(ctx, tx, acc.ID, domain.StatusRunning, domain.StatusPending)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := e.svc.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			row := e.get(sc.ID)
			if row.Status != domain.StatusCancelled || row.Claim != "" || row.CompletedAt == nil {
				t.Fatalf("after Reconcile: %s claim %q completed %v, want CANCELLED", row.Status, row.Claim, row.CompletedAt)
			}
			n, err := e.d.Ent.ScanEvent.Query().Where(scanevent.ScanID(sc.ID), scanevent.Kind(domain.EventCancelled)).Count(ctx)
			if err != nil || n != 1 {
				t.Errorf("%d cancelled events (%v), want 1", n, err)
			}
			e.checkCounts(acc.ID)
			// Nothing is left for a worker, and a second pass changes nothing.
			if claimed, _, err := e.svc.claimNext(ctx); err != nil || claimed != nil {
				t.Errorf("claimed %v after the scan was cancelled (%v)", claimed, err)
			}
			if err := e.svc.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			if n, _ := e.d.Ent.ScanEvent.Query().Where(scanevent.ScanID(sc.ID), scanevent.Kind(domain.EventCancelled)).Count(ctx); n != 1 {
				t.Errorf("second Reconcile wrote another cancelled event (%d)", n)
			}
		})
	}
}

// TestWatchStopsWhenTheScanIsGone: a running scan whose row disappears (its
// account was deleted) is stopped at the next heartbeat, not left to run to
// its deadline.
func TestWatchStopsWhenTheScanIsGone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("gone", domain.PlanFree)
	sc := e.accept(acc, site(t))
	claimed, claim, err := e.svc.claimNext(ctx)
	if err != nil || claimed == nil {
		t.Fatal(err)
	}
	e.svc.SetExecOptions(ExecOptions{Heartbeat: 10 * time.Millisecond})
	if _, err := e.d.Ent.Account.Delete().Where(account.ID(acc.ID)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.watch(scanCtx, sc, claim, cancel, &progress{}) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("watch kept running after the scan's row was deleted")
	}
	if cause := context.Cause(scanCtx); !errors.Is(cause, errClaimLost) {
		t.Errorf("cause %v, want errClaimLost", cause)
	}
}
