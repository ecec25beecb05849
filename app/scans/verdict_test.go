package scans

import (
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/usage"
)

// usedIn is the account's usage counter of the clock's month.
func (e *env) usedIn(accountID string) int {
	e.t.Helper()
	u, err := e.d.Ent.Usage.Query().Where(usage.AccountID(accountID), usage.Period(Period(e.clock.Now()))).Only(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Scans
}

func notGradedResult(url string, reason scanner.NotGradedReason) *scanner.Result {
	r := sampleResult(url)
	r.NotGraded = &scanner.NotGraded{Reason: reason, Detail: "The connection was refused.", Advice: "Check the port."}
	r.GradeCap = &scanner.GradeCap{Grade: "F", Reason: "x", CheckID: "tls.https"}
	r.Summary = scanner.Summary{Total: 2, High: 1, Info: 1}
	return r
}

// TestFinishNotGraded: a result that is not graded — because the scanner
// said so or because the scan was cancelled or failed — is stored with no
// grade, no score, no finding rows and notGraded in its JSON; only a scan
// that never reached its target gives its quota back.
func TestFinishNotGraded(t *testing.T) {
	target := site(t)
	for _, tc := range []struct {
		name       string
		status     domain.ScanStatus
		msg        string
		res        func() *scanner.Result
		wantReason scanner.NotGradedReason
		refunded   bool
	}{
		{"unreachable", domain.StatusFailed, "The connection was refused", func() *scanner.Result { return notGradedResult(target, scanner.NotGradedUnreachable) }, scanner.NotGradedUnreachable, true},
		{"blocked by a challenge", domain.StatusCompleted, "", func() *scanner.Result { return notGradedResult(target, scanner.NotGradedBlocked) }, scanner.NotGradedBlocked, false},
		{"failed without the scanner saying so", domain.StatusFailed, "deadline exceeded", func() *scanner.Result { return sampleResult(target) }, scanner.NotGradedFailed, false},
		{"failed with no result", domain.StatusFailed, "the scanner returned no result", func() *scanner.Result { return nil }, scanner.NotGradedFailed, false},
		{"cancelled while running", domain.StatusCancelled, "cancelled by the user", func() *scanner.Result { return sampleResult(target) }, scanner.NotGradedCancelled, false},
		{"cancelled while running, fetches cut short", domain.StatusCancelled, "cancelled by the user", func() *scanner.Result { return notGradedResult(target, scanner.NotGradedUnreachable) }, scanner.NotGradedCancelled, false},
		{"graded", domain.StatusCompleted, "", func() *scanner.Result { return sampleResult(target) }, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t) // its own queue: the case claims its own scan
			ctx := context.Background()
			acc := e.account(tc.name, domain.PlanPro)
			e.accept(acc, target)
			e.accept(acc, target) // two units used, so a double refund would show
			claimed, claim, err := e.svc.claimNext(ctx)
			if err != nil || claimed == nil {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			if _, err := e.svc.finish(ctx, claimed, claim, tc.status, tc.msg, tc.res(), time.Second, nil, false); err != nil {
				t.Fatal(err)
			}
			got := e.get(claimed.ID)
			rows, _ := e.d.Ent.Finding.Query().Where(finding.ScanID(claimed.ID)).Count(ctx)
			var stored scanner.Result
			if err := json.Unmarshal([]byte(got.Result), &stored); err != nil {
				t.Fatalf("stored result: %v", err)
			}
			d, err := e.svc.Detail(ctx, acc.ID, claimed.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantReason == "" {
				if got.Grade != "C" || got.OverallScore == nil || rows != 2 || stored.NotGraded != nil || d.NotGraded != nil || d.Grade == nil {
					t.Errorf("graded scan: grade %q score %v rows %d notGraded %v", got.Grade, got.OverallScore, rows, stored.NotGraded)
				}
			} else {
				if got.Grade != "" || got.OverallScore != nil || got.FindingsCount != 0 || rows != 0 {
					t.Errorf("row: grade %q score %v findings_count %d rows %d; want none", got.Grade, got.OverallScore, got.FindingsCount, rows)
				}
				if stored.NotGraded == nil || stored.NotGraded.Reason != tc.wantReason || stored.NotGraded.Detail == "" || stored.Grade != "" || len(stored.Findings) != 0 {
					t.Errorf("stored result: notGraded %+v grade %q findings %d", stored.NotGraded, stored.Grade, len(stored.Findings))
				}
				if d.NotGraded == nil || d.NotGraded.Reason != tc.wantReason || d.Grade != nil || d.OverallScore != nil || d.GradeCap != nil ||
					len(d.Findings) != 0 || d.Counts.Total != 0 {
					t.Errorf("detail: notGraded %+v grade %v score %v cap %v findings %d counts %+v", d.NotGraded, d.Grade, d.OverallScore, d.GradeCap, len(d.Findings), d.Counts)
				}
			}
			if d.ScannedAt == nil {
				t.Errorf("detail has no scannedAt")
			}
			want := 2
			if tc.refunded {
				want = 1
			}
			if used := e.usedIn(acc.ID); used != want || e.get(claimed.ID).QuotaRefunded != tc.refunded {
				t.Errorf("usage %d (refunded %v), want %d", used, e.get(claimed.ID).QuotaRefunded, want)
			}
			e.checkCounts(acc.ID)
		})
	}
}

// TestQuotaRefundedOnce: however many finishers and refunders race, the
// unit goes back exactly once (run it with PALISADE_TEST_DATABASE_URL set
// for PostgreSQL too).
func TestQuotaRefundedOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	target := site(t)
	acc := e.account("racer", domain.PlanPro)
	for range 3 {
		e.accept(acc, target)
	}
	claimed, claim, err := e.svc.claimNext(ctx)
	if err != nil || claimed == nil {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	const n = 8
	var wg sync.WaitGroup
	refunds := make(chan bool, n)
	errc := make(chan error, 2*n)
	start := make(chan struct{})
	for range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			errc <- func() error {
				_, err := e.svc.finish(ctx, claimed, claim, domain.StatusFailed, "refused", notGradedResult(target, scanner.NotGradedUnreachable), time.Second, nil, false)
				return err
			}()
		}()
		go func() {
			defer wg.Done()
			<-start
			errc <- e.d.InTxRetry(ctx, func(_ *sql.Tx, c *ent.Client) error {
				ok, err := refundQuota(ctx, c, claimed, e.clock.Now())
				if err == nil {
					refunds <- ok
				}
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errc)
	close(refunds)
	for err := range errc {
		if err != nil {
			t.Errorf("a racer failed: %v", err)
		}
	}
	won := 0
	for ok := range refunds {
		if ok {
			won++
		}
	}
	if won > 1 {
		t.Errorf("%d direct refunds succeeded", won)
	}
	if used := e.usedIn(acc.ID); used != 2 {
		t.Errorf("usage %d after the race, want 2 (3 accepted, 1 refunded)", used)
	}
	if !e.get(claimed.ID).QuotaRefunded {
		t.Error("the scan is not marked refunded")
	}
	e.checkCounts(acc.ID)
}

// TestCancelPendingRefundsOnce: a scan cancelled before it ran gives its
// unit back, once, however many cancels and reconcilers race.
func TestCancelPendingRefundsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	target := site(t)
	acc := e.account("canceller", domain.PlanPro)
	e.accept(acc, target)
	sc := e.accept(acc, target)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = e.svc.Cancel(ctx, acc.ID, sc.ID)
		}()
	}
	wg.Wait()
	if err := e.svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.get(sc.ID)
	if got.Status != domain.StatusCancelled || !got.QuotaRefunded {
		t.Fatalf("status %s refunded %v", got.Status, got.QuotaRefunded)
	}
	if used := e.usedIn(acc.ID); used != 1 {
		t.Errorf("usage %d, want 1", used)
	}
	d, err := e.svc.Detail(ctx, acc.ID, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.NotGraded == nil || d.NotGraded.Reason != scanner.NotGradedCancelled || d.Grade != nil || len(d.Findings) != 0 {
		t.Errorf("cancelled detail: notGraded %+v grade %v findings %d", d.NotGraded, d.Grade, len(d.Findings))
	}
	e.checkCounts(acc.ID)
}

// TestRunNextUnreachableIsNotGraded: a closed loopback port, through the
// real scanner: not graded (unreachable), no fixes, quota given back.
// Needs the scanner's NotGraded (issue 13, scanner engine).
func TestRunNextUnreachableIsNotGraded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/"
	l.Close()
	acc := e.account("closed", domain.PlanPro)
	sc := e.accept(acc, closed)
	if err := e.svc.RunNext(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Detail(ctx, acc.ID, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.NotGraded == nil || d.NotGraded.Reason != scanner.NotGradedUnreachable || d.Grade != nil || d.OverallScore != nil || len(d.Findings) != 0 {
		t.Errorf("closed port: status %s notGraded %+v grade %v score %v findings %d", d.Status, d.NotGraded, d.Grade, d.OverallScore, len(d.Findings))
	}
	if used := e.usedIn(acc.ID); used != 0 {
		t.Errorf("usage %d after an unreachable scan, want 0", used)
	}
}
