package scans

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/usage"
)

// TestAccept: an accepted scan is a PENDING row, a River token and one unit
// of the month's quota, all written together; a refused one writes none of
// them.
func TestAccept(t *testing.T) {
	e := newEnv(t)
	target := site(t)
	for _, tc := range []struct {
		name    string
		plan    domain.PlanID
		used    int // scans already used this month
		url     string
		depth   string
		wantErr func(error) bool // nil: accepted
		field   string
	}{
		{name: "free quick", plan: domain.PlanFree, url: target, depth: "QUICK"},
		{name: "pro deep", plan: domain.PlanPro, url: target, depth: "deep"},
		{name: "last free scan of the month", plan: domain.PlanFree, used: 2, url: target, depth: "STANDARD"},
		{name: "free quota used up", plan: domain.PlanFree, used: 3, url: target, depth: "QUICK", wantErr: isKind[*errs.QuotaExceeded]},
		{name: "enterprise has no ceiling", plan: domain.PlanEnterprise, used: 100000, url: target, depth: "QUICK"},
		{name: "free plan has no deep scans", plan: domain.PlanFree, url: target, depth: "DEEP", wantErr: isKind[*errs.Forbidden]},
		{name: "no url", plan: domain.PlanFree, url: "", depth: "QUICK", field: "url"},
		{name: "unknown depth", plan: domain.PlanFree, url: target, depth: "THOROUGH", field: "depth"},
		{name: "private address", plan: domain.PlanFree, url: "http://10.1.2.3/", depth: "QUICK", wantErr: isKind[*errs.TargetRefused]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			ctx := context.Background()
			acc := e.account(tc.name, tc.plan)
			if tc.used > 0 {
				if err := e.d.Ent.Usage.Create().SetAccountID(acc.ID).SetPeriod(Period(e.clock.Now())).SetScans(tc.used).Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			jobsBefore := e.jobCount()
			sc, err := e.svc.Accept(ctx, acc, tc.url, tc.depth)
			used, uerr := e.svc.Used(ctx, acc.ID)
			if uerr != nil {
				t.Fatal(uerr)
			}
			rows, _ := e.d.Ent.Scan.Query().Where(scan.AccountID(acc.ID)).Count(ctx)
			switch {
			case tc.field != "":
				var v *errs.Validation
				if !errors.As(err, &v) || v.Field != tc.field {
					t.Fatalf("err = %v, want a validation error on %q", err, tc.field)
				}
			case tc.wantErr != nil:
				if !tc.wantErr(err) {
					t.Fatalf("err = %#v, not the kind wanted", err)
				}
				var q *errs.QuotaExceeded
				if errors.As(err, &q) && !q.ResetsAt.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("quota error resets at %v, want the first of next month", q.ResetsAt)
				}
			default:
				if err != nil {
					t.Fatalf("Accept: %v", err)
				}
				if sc.Status != domain.StatusPending || sc.JobID == nil || sc.TargetDomain != "127.0.0.1" || !sc.CreatedAt.Equal(e.clock.Now()) {
					t.Errorf("accepted scan = %+v", sc)
				}
				var args string
				if err := e.d.SQL.QueryRowContext(ctx, e.svc.rebind(`SELECT CAST(args AS TEXT) FROM river_job WHERE id = ?`), *sc.JobID).Scan(&args); err != nil {
					t.Fatalf("the scan's job %d: %v", *sc.JobID, err)
				}
				var a Args
				if err := json.Unmarshal([]byte(args), &a); err != nil || a.ScanID != sc.ID {
					t.Errorf("job args %s (%v), want the scan id %s", args, err, sc.ID)
				}
				if used != tc.used+1 || rows != 1 || e.jobCount() != jobsBefore+1 {
					t.Errorf("after accepting: used %d (want %d), rows %d, jobs %d→%d", used, tc.used+1, rows, jobsBefore, e.jobCount())
				}
				e.checkCounts(acc.ID)
				return
			}
			if used != tc.used || rows != 0 || e.jobCount() != jobsBefore {
				t.Errorf("a refused scan left traces: used %d (want %d), rows %d, jobs %d→%d", used, tc.used, rows, jobsBefore, e.jobCount())
			}
		})
	}
}

// TestAcceptReadsThePlanInItsTransaction: a stale account (say, from the key
// cache) cannot grant a depth the account no longer has.
func TestAcceptReadsThePlanInItsTransaction(t *testing.T) {
	e := newEnv(t)
	acc := e.account("downgraded", domain.PlanPro)
	if err := e.d.Ent.Account.UpdateOneID(acc.ID).SetPlan(domain.PlanFree).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Accept(context.Background(), acc, site(t), "DEEP")
	if !isKind[*errs.Forbidden](err) {
		t.Fatalf("DEEP on a cached Pro account now Free: err = %v, want 403", err)
	}
}

// TestAcceptQuotaRace: many concurrent requests for an account's last
// scans get exactly as many as are left, and each winner has its row and
// its job.
func TestAcceptQuotaRace(t *testing.T) {
	e := newEnv(t)
	target := site(t)
	acc := e.account("racer", domain.PlanFree)
	ctx := context.Background()
	if err := e.d.Ent.Usage.Create().SetAccountID(acc.ID).SetPeriod(Period(e.clock.Now())).SetScans(1).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, refused := 0, 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Accept(ctx, acc, target, "QUICK")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case isKind[*errs.QuotaExceeded](err):
				refused++
			default:
				t.Errorf("Accept: %v", err)
			}
		}()
	}
	wg.Wait()
	u, err := e.d.Ent.Usage.Query().Where(usage.AccountID(acc.ID)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := e.d.Ent.Scan.Query().Where(scan.AccountID(acc.ID), scan.JobIDNotNil()).Count(ctx)
	if won != 2 || refused != n-2 || u.Scans != 3 || rows != 2 || e.jobCount() != 2 {
		t.Errorf("%d won, %d refused, usage %d, rows with a job %d, jobs %d; want 2, %d, 3, 2, 2", won, refused, u.Scans, rows, e.jobCount(), n-2)
	}
	e.checkCounts(acc.ID)
}

// isKind reports whether err is, or wraps, an error of type T.
func isKind[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}
