package scans

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/scanevent"
)

// TestClaimIsFair: a token takes the PENDING scan of the account with the
// fewest scans running, then the oldest, and never one whose account is at
// its plan's limit.
func TestClaimIsFair(t *testing.T) {
	type acct struct {
		plan    domain.PlanID
		running int
	}
	for _, tc := range []struct {
		name     string
		accounts map[string]acct
		pending  []string // accounts, oldest scan first
		want     int      // index into pending; -1: nothing is runnable
	}{
		{"oldest first", map[string]acct{"a": {domain.PlanPro, 0}, "b": {domain.PlanPro, 0}}, []string{"b", "a", "b"}, 0},
		{"fewest running before oldest", map[string]acct{"a": {domain.PlanPro, 1}, "b": {domain.PlanPro, 0}}, []string{"a", "a", "b"}, 2},
		{"backlog does not starve a newcomer", map[string]acct{"big": {domain.PlanEnterprise, 2}, "small": {domain.PlanFree, 0}}, []string{"big", "big", "big", "big", "small"}, 4},
		{"free account at its limit waits", map[string]acct{"a": {domain.PlanFree, 1}}, []string{"a"}, -1},
		{"account at its limit is passed over", map[string]acct{"a": {domain.PlanFree, 1}, "b": {domain.PlanFree, 0}}, []string{"a", "b"}, 1},
		{"pro runs up to three", map[string]acct{"a": {domain.PlanPro, 2}}, []string{"a"}, 0},
		{"pro's fourth waits", map[string]acct{"a": {domain.PlanPro, 3}}, []string{"a"}, -1},
		{"nothing pending", map[string]acct{"a": {domain.PlanPro, 1}}, nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			target := site(t)
			ctx := context.Background()
			accs := map[string]*ent.Account{}
			for name, a := range tc.accounts {
				accs[name] = e.account(name, a.plan)
				// Running scans first, one at a time, so each claim takes the only pending scan.
				for range a.running {
					sc := e.accept(accs[name], target)
					got, _, err := e.svc.claimNext(ctx)
					if err != nil || got == nil || got.ID != sc.ID {
						t.Fatalf("setting up a running scan: claimed %v, %v", got, err)
					}
				}
			}
			var pending []string
			for _, name := range tc.pending {
				e.clock.Advance(time.Second)
				pending = append(pending, e.accept(accs[name], target).ID)
			}
			got, claim, err := e.svc.claimNext(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want < 0 {
				if got != nil {
					t.Fatalf("claimed %s of %s; nothing should be runnable", got.ID, got.AccountID)
				}
				return
			}
			if got == nil || got.ID != pending[tc.want] {
				t.Fatalf("claimed %v, want pending scan #%d (%s of %q)", got, tc.want, pending[tc.want], tc.pending[tc.want])
			}
			if got.Status != domain.StatusRunning || got.Claim != claim || claim == "" || got.StartedAt == nil || got.HeartbeatAt == nil {
				t.Errorf("claimed row = status %s claim %q (returned %q) started %v heartbeat %v", got.Status, got.Claim, claim, got.StartedAt, got.HeartbeatAt)
			}
			for _, a := range accs {
				e.checkCounts(a.ID)
			}
		})
	}
}

// TestConcurrentClaims: N workers racing for the same scans (on either
// engine) — exactly one wins each scan, and an account never gets more
// slots than its plan has.
func TestConcurrentClaims(t *testing.T) {
	for _, tc := range []struct {
		name    string
		plan    domain.PlanID
		pending int
		callers int
		want    int
	}{
		{"one scan, many workers", domain.PlanEnterprise, 1, 8, 1},
		{"free account's single slot", domain.PlanFree, 3, 8, 1},
		{"pro account's three slots", domain.PlanPro, 6, 8, 3},
		{"more workers than scans", domain.PlanEnterprise, 5, 10, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			target := site(t)
			acc := e.account("racer", tc.plan)
			for range tc.pending {
				e.accept(acc, target)
			}
			var mu sync.Mutex
			won := map[string]int{}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range tc.callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					sc, _, err := e.svc.claimNext(context.Background())
					if err != nil {
						t.Errorf("claimNext: %v", err)
						return
					}
					if sc != nil {
						mu.Lock()
						won[sc.ID]++
						mu.Unlock()
					}
				}()
			}
			close(start)
			wg.Wait()
			for id, n := range won {
				if n != 1 {
					t.Errorf("scan %s was claimed %d times", id, n)
				}
			}
			running, _ := e.d.Ent.Scan.Query().Where(scan.StatusEQ(domain.StatusRunning)).Count(context.Background())
			if len(won) != tc.want || running != tc.want {
				t.Errorf("%d scans claimed, %d RUNNING; want %d", len(won), running, tc.want)
			}
			e.checkCounts(acc.ID)
		})
	}
}

// sampleResult is what a scanner could return: two findings, a score, a grade.
func sampleResult(url string) *scanner.Result {
	return &scanner.Result{
		TargetURL: url, FinalURL: url, StatusCode: 200, OverallScore: 71, Grade: "C",
		Findings: []scanner.Finding{
			{CheckID: "headers.csp", Category: "headers", Severity: scanner.Severity("high"), Title: "No CSP", Recommendation: "Add one"},
			{CheckID: "headers.hsts"}, // category, severity and title take their defaults
		},
	}
}

// TestFinish: only the run holding the claim stores an outcome, once; the
// result, findings, score, grade, terminal event and counters move together.
func TestFinish(t *testing.T) {
	long := strings.Repeat("x", 1500)
	// One database for the table: each case claims its own scan as soon as
	// it is accepted, so no case can claim another's.
	e := newEnv(t)
	target := site(t)
	for _, tc := range []struct {
		name      string
		claim     func(real string) string
		status    domain.ScanStatus
		msg       string
		noResult  bool
		twice     bool // the owner tries to finish a second time, differently
		wantState domain.ScanStatus
		wantError string
		wantScore bool
		findings  int
	}{
		{name: "owner completes", claim: same, status: domain.StatusCompleted, wantState: domain.StatusCompleted, wantScore: true, findings: 2},
		{name: "stranger is refused", claim: func(string) string { return "someone-else" }, status: domain.StatusCompleted, wantState: domain.StatusRunning},
		{name: "second finish is refused", claim: same, status: domain.StatusCompleted, twice: true, wantState: domain.StatusCompleted, wantScore: true, findings: 2},
		{name: "failure keeps the partial result but no grade and no fixes", claim: same, status: domain.StatusFailed, msg: "deadline exceeded", wantState: domain.StatusFailed, wantError: "deadline exceeded", findings: 0},
		{name: "failure without a result", claim: same, status: domain.StatusFailed, msg: "the scanner returned no result", noResult: true, wantState: domain.StatusFailed, wantError: "the scanner returned no result"},
		{name: "long error is cut to 1000 bytes", claim: same, status: domain.StatusFailed, msg: long, noResult: true, wantState: domain.StatusFailed, wantError: long[:1000]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			ctx := context.Background()
			acc := e.account(tc.name, domain.PlanPro)
			sc := e.accept(acc, target)
			claimed, claim, err := e.svc.claimNext(ctx)
			if err != nil || claimed == nil {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			var res *scanner.Result
			if !tc.noResult {
				res = sampleResult(target)
			}
			if _, err := e.svc.finish(ctx, claimed, tc.claim(claim), tc.status, tc.msg, res, 1234*time.Millisecond, nil, false); err != nil {
				t.Fatal(err)
			}
			if tc.twice {
				if _, err := e.svc.finish(ctx, claimed, claim, domain.StatusFailed, "late", sampleResult(target), time.Second, nil, false); err != nil {
					t.Fatal(err)
				}
			}
			got := e.get(sc.ID)
			if got.Status != tc.wantState || got.Error != tc.wantError {
				t.Fatalf("status %s error %q, want %s %q", got.Status, got.Error, tc.wantState, tc.wantError)
			}
			if (got.OverallScore != nil) != tc.wantScore || tc.wantScore && (*got.OverallScore != 71 || got.Grade != "C") {
				t.Errorf("score %v grade %q (want a score: %v)", got.OverallScore, got.Grade, tc.wantScore)
			}
			rows, err := e.d.Ent.Finding.Query().Where(finding.ScanID(sc.ID)).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.findings || got.FindingsCount != tc.findings {
				t.Errorf("%d finding rows, findings_count %d; want %d", len(rows), got.FindingsCount, tc.findings)
			}
			ends, _ := e.d.Ent.ScanEvent.Query().Where(scanevent.ScanID(sc.ID), scanevent.KindIn("complete", "failed", "cancelled")).Count(ctx)
			if tc.wantState == domain.StatusRunning {
				if ends != 0 || got.Result != "" {
					t.Errorf("a refused finish left %d terminal events and a result of %d bytes", ends, len(got.Result))
				}
				e.checkCounts(acc.ID)
				return
			}
			if ends != 1 || got.CompletedAt == nil || got.DurationMs != 1234 {
				t.Errorf("%d terminal events, completed %v, duration %v", ends, got.CompletedAt, got.DurationMs)
			}
			d, err := e.svc.Detail(ctx, acc.ID, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Findings) != tc.findings || (tc.wantError != "") != (d.Error != nil) {
				t.Errorf("detail: %d findings, error %v", len(d.Findings), d.Error)
			}
			if tc.findings > 0 && (d.Findings[0].CheckID != "headers.csp" || d.Findings[1].Title != "headers.hsts" || d.Findings[1].Category != "other") {
				t.Errorf("detail findings in order %+v", d.Findings)
			}
			if !tc.noResult && (d.FinalURL == nil || *d.FinalURL != target || d.StatusCode != 200) {
				t.Errorf("detail of the stored result: final %v status %d", d.FinalURL, d.StatusCode)
			}
			e.checkCounts(acc.ID)
		})
	}
}

func same(s string) string { return s }

// TestFinishQueuesTheNextScan: a scan held back by its account's limit gets
// a token when a slot frees, in the transaction that frees it.
func TestFinishQueuesTheNextScan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	target := site(t)
	acc := e.account("one-at-a-time", domain.PlanFree)
	first := e.accept(acc, target)
	claimed, claim, err := e.svc.claimNext(ctx)
	if err != nil || claimed == nil || claimed.ID != first.ID {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	e.accept(acc, target)
	if next, _, err := e.svc.claimNext(ctx); err != nil || next != nil {
		t.Fatalf("second scan of a free account claimed while the first runs: %v %v", next, err)
	}
	before := e.jobCount()
	if _, err := e.svc.finish(ctx, claimed, claim, domain.StatusCompleted, "", sampleResult(target), time.Second, nil, false); err != nil {
		t.Fatal(err)
	}
	if after := e.jobCount(); after != before+1 {
		t.Errorf("tokens %d → %d; finishing with a scan pending must queue one", before, after)
	}
	if next, _, err := e.svc.claimNext(ctx); err != nil || next == nil {
		t.Errorf("the waiting scan is not runnable after the first finished: %v %v", next, err)
	}
	// Nothing pending now: finishing queues nothing.
	before = e.jobCount()
	if _, err := e.svc.finish(ctx, claimed, claim, domain.StatusCompleted, "", nil, 0, nil, false); err != nil {
		t.Fatal(err)
	}
	if after := e.jobCount(); after != before {
		t.Errorf("tokens %d → %d with nothing pending", before, after)
	}
}
