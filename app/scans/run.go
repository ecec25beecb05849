package scans

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/ids"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/scan"
)

// Worker runs scan jobs from the queue. A job is a token, not a promise to
// run one particular scan: each run claims the fairest runnable scan (the
// account with the fewest scans running, then the oldest), so one account's
// backlog never starves another's single scan, and an account never runs
// more scans at once than its plan allows.
type Worker struct {
	river.WorkerDefaults[Args]
	svc *Service
}

// NewWorker returns the River worker for scans.
func NewWorker(svc *Service) *Worker { return &Worker{svc: svc} }

// Work claims and runs scans until none is runnable: a worker that has
// just finished one takes the next at once, instead of handing its slot back
// to River and waiting for the next fetch (FetchCooldown, and polling on
// SQLite, which has no LISTEN/NOTIFY: docs/BENCHMARKS.md, "Scan execution").
// Every claim is still the fairest one (claimNext), so looping changes when
// a slot is refilled, not who gets it.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.svc.runQueue(ctx)
}

// ErrHandedBack means the scan was interrupted by shutdown and returned to the queue.
var ErrHandedBack = errors.New("scan interrupted by shutdown; handed back to the queue")

var (
	errUserCancel = errors.New("cancelled by the user")
	errClaimLost  = errors.New("another worker owns the scan now")
)

// RunNext claims the fairest runnable scan, if any, and runs it.
func (s *Service) RunNext(ctx context.Context) error {
	sc, claim, err := s.claimNext(ctx)
	if err != nil || sc == nil {
		return err
	}
	_, err = s.execute(ctx, sc, claim, false)
	return err
}

// runQueue runs scans one after another while keepGoing allows, and the
// queue has a runnable one. On SQLite the finish of one claims the next in
// its own transaction, so a worker waits for the single writer once per
// scan, not twice.
func (s *Service) runQueue(ctx context.Context) error {
	sc, claim, err := s.claimNext(ctx)
	idle := sc == nil
	for err == nil && sc != nil {
		var nx next
		nx, err = s.execute(ctx, sc, claim, true)
		sc, claim, idle = nx.scan, nx.claim, nx.idle
		if err == nil && sc == nil && nx.claimAgain {
			sc, claim, err = s.claimNext(ctx)
			idle = sc == nil
		}
	}
	if err == nil && idle {
		s.dropIdleTokens(ctx)
	}
	return err
}

// next is what a worker does after a scan: run scan (claimed already, with
// claim), or claim one itself (claimAgain), or neither and end its job
// (idle: because nothing was runnable).
type next struct {
	scan       *ent.Scan
	claim      string
	claimAgain bool
	idle       bool
}

// dropIdleTokens deletes the scan tokens still waiting in River once no
// scan is pending. Workers that run the queue back to back leave most of
// the tokens accepted scans brought unused; each would be fetched and run
// only to find nothing, keeping the job queue busy long after the queue
// emptied. One statement, so a scan accepted meanwhile either is seen
// pending (nothing is deleted) or its token is not seen (not deleted).
// Running tokens are River's; the reconciler queues a token for pending
// work that has none.
func (s *Service) dropIdleTokens(ctx context.Context) {
	_, err := s.db.SQL.ExecContext(ctx, s.rebind(`DELETE FROM river_job WHERE kind = 'scan' AND state = 'available'
		AND NOT EXISTS (SELECT 1 FROM scans WHERE status = 'PENDING' AND cancel_requested = ?)`), false)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("dropping idle scan tokens", "err", err)
	}
}

// SetDraining stops (or resumes) claiming further scans in a worker that
// has just finished one. Shutdown sets it before it stops the job queue, so
// the drain waits for the scans running, not for the whole queue.
func (s *Service) SetDraining(on bool) { s.draining.Store(on) }

// keepGoing reports whether a worker that is finishing a scan claims
// another in the same job: not while draining or shutting down, and only
// while the job has time left for the longest scan (River's JobTimeout
// bounds the job, not each scan); otherwise the finish queues a token and
// the next scan runs in a job of its own.
func (s *Service) keepGoing(ctx context.Context) bool {
	if ctx.Err() != nil || s.draining.Load() {
		return false
	}
	dl, ok := ctx.Deadline()
	if !ok {
		return true
	}
	longest := time.Duration(0)
	for _, d := range []scanner.Depth{scanner.Quick, scanner.Standard, scanner.Deep} {
		longest = max(longest, s.exec.deadline(d))
	}
	return time.Until(dl) > longest+30*time.Second
}

// rebind turns ? placeholders into $n for PostgreSQL.
func (s *Service) rebind(q string) string {
	if s.db.IsSQLite() {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// planLimitSQL is the plan catalogue's concurrency limits as a SQL CASE, so
// the catalogue stays the single source of the numbers.
func planLimitSQL(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for _, p := range billing.Plans() {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", p.ID, p.ConcurrentScans)
	}
	b.WriteString(" ELSE 1 END")
	return b.String()
}

// runningPerAccount counts RUNNING scans per account once per pick (a few
// rows: at most the instances' workers), instead of once per pending scan.
const runningPerAccount = "(SELECT account_id, COUNT(*) AS n FROM scans WHERE status = 'RUNNING' GROUP BY account_id)"

// claimNext picks the fairest runnable scan and claims it with a
// conditional update, so across all instances exactly one run owns it. The
// pick, the claim, its start event and the row read back are one write
// transaction (claimTx). On SQLite the single writer serialises claims, so
// no two runs pick the same scan; on PostgreSQL the pick skips scans that
// another claim has locked, so concurrent workers take the next fairest
// instead of queueing for the same one. A pick that loses the account's
// last slot to another instance is picked again.
func (s *Service) claimNext(ctx context.Context) (*ent.Scan, string, error) {
	for range 8 {
		var (
			won   *ent.Scan
			claim string
			none  bool
		)
		err := s.db.InTxRetry(ctx, func(tx *sql.Tx, c *ent.Client) error {
			var err error
			won, claim, none, err = s.claimTx(ctx, tx, c)
			return err
		})
		if err != nil {
			return nil, "", fmt.Errorf("claiming a scan: %w", err)
		}
		if none {
			return nil, "", nil
		}
		if won != nil {
			return won, claim, nil
		}
	}
	return nil, "", nil
}

// pickSQL selects the fairest runnable scan: of the accounts under their
// plan's concurrency limit, the one with the fewest scans running, then a
// person's scan before a monitor's (scheduled runs cannot starve manual
// scans, docs/monitoring.md), then the oldest scan.
func (s *Service) pickSQL() string {
	s.pickOnce.Do(func() {
		s.pick = s.rebind(`SELECT s.id, s.account_id FROM scans s JOIN accounts a ON a.id = s.account_id
		LEFT JOIN ` + runningPerAccount + ` r ON r.account_id = s.account_id
		WHERE s.status = 'PENDING' AND s.cancel_requested = ? AND COALESCE(r.n, 0) < ` + planLimitSQL("a.plan") + `
		ORDER BY COALESCE(r.n, 0), CASE WHEN s.source = 'manual' THEN 0 ELSE 1 END, s.created_at, s.id LIMIT 1`)
	})
	return s.pick
}

// claimTx claims, inside tx, the scan pickSQL selects there (none: there is
// no runnable scan). won is nil when another instance took the account's
// last slot first.
func (s *Service) claimTx(ctx context.Context, tx *sql.Tx, c *ent.Client) (won *ent.Scan, claim string, none bool, err error) {
	// The scan starts when its claim holds the writer, not before it waited
	// for it: started_at measures the scan, not the queue.
	now := s.now()
	var id, accountID string
	err = tx.QueryRowContext(ctx, s.pickSQL(), false).Scan(&id, &accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", true, nil
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("picking a scan: %w", err)
	}
	if !s.db.IsSQLite() {
		// Serialise claims per account so two instances cannot both take
		// its last slot. NO KEY UPDATE: it does not block the foreign-key
		// checks of inserts (findings, events) that reference the account.
		if _, err := tx.ExecContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
			return nil, "", false, err
		}
		// Another instance may have taken the account's last slot since the
		// pick read its count. (In a SQLite write transaction the pick's
		// count is final: no other writer runs meanwhile.)
		var running, limit int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT (SELECT COUNT(*) FROM scans WHERE account_id = ? AND status = 'RUNNING'), `+
			planLimitSQL("plan")+` FROM accounts WHERE id = ?`), accountID, accountID).Scan(&running, &limit)
		if err != nil {
			return nil, "", false, err
		}
		if running >= limit {
			return nil, "", false, nil
		}
	}
	claim = ids.Random(10)
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE scans SET status = 'RUNNING', claim = ?, started_at = ?, heartbeat_at = ?, updated_at = ?
		WHERE id = ? AND status = 'PENDING' AND cancel_requested = ?`), claim, now, now, now, id, false)
	if err != nil {
		return nil, "", false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, "", false, err
	}
	if err := s.moveCount(ctx, tx, accountID, domain.StatusPending, domain.StatusRunning); err != nil {
		return nil, "", false, err
	}
	if err := c.ScanEvent.Create().SetAccountID(accountID).SetScanID(id).SetKind(domain.EventStart).
		SetCheckID("").SetName("").SetStatus("").SetCreatedAt(now).Exec(ctx); err != nil {
		return nil, "", false, err
	}
	won, err = c.Scan.Get(ctx, id)
	if err != nil {
		return nil, "", false, err
	}
	return won, claim, false, nil
}

// execute runs a claimed scan to a terminal state (or hands it back on
// shutdown). With loop set it decides, as the scan finishes, whether its
// worker goes on to another (keepGoing) and returns what to run next; a
// worker that does not continue leaves a token for the queue instead.
func (s *Service) execute(ctx context.Context, sc *ent.Scan, claim string, loop bool) (next, error) {
	s.metrics.started()
	defer s.metrics.stopped()
	depth := scanner.Depth(sc.Depth)
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	deadlineCtx, stopDeadline := context.WithTimeout(scanCtx, s.exec.deadline(depth))
	defer stopDeadline()

	prog := &progress{}
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		s.watch(deadlineCtx, sc, claim, cancel, prog)
	}()
	started := time.Now()
	res, scanErr := s.scanner.Scan(deadlineCtx, sc.TargetURL, depth, func(e scanner.Event) {
		prog.add(e, s.now())
	})
	took := time.Since(started)
	stopDeadline()
	<-watchDone
	bg := context.WithoutCancel(ctx)
	// What the watcher has not flushed yet is stored with the outcome, in
	// its transaction: coalesced, never lost for a scan that ends here.
	rest := prog.take()

	switch cause := context.Cause(scanCtx); {
	case errors.Is(cause, errClaimLost):
		// Its progress belongs to a run that no longer owns the scan.
		s.log.Warn("scan claim lost; leaving it to its new owner", "scan_id", sc.ID, "progress_dropped", len(rest))
		return next{}, nil
	case errors.Is(cause, errUserCancel):
		return s.finish(bg, sc, claim, domain.StatusCancelled, "cancelled by the user", res, took, rest, loop && s.keepGoing(ctx))
	case ctx.Err() != nil:
		// Shutdown or job timeout: give the scan back; River retries the job.
		err := s.db.InTx(bg, func(tx *sql.Tx, c *ent.Client) error {
			res, err := tx.ExecContext(bg, s.rebind(`UPDATE scans SET status = 'PENDING', claim = '', updated_at = ? WHERE id = ? AND claim = ? AND status = 'RUNNING'`),
				s.now(), sc.ID, claim)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return err
			}
			if err := s.storeProgress(bg, c, sc, rest); err != nil {
				return err
			}
			return s.moveCount(bg, tx, sc.AccountID, domain.StatusRunning, domain.StatusPending)
		})
		if err != nil {
			return next{}, err
		}
		s.log.Info("scan handed back to the queue", "scan_id", sc.ID)
		return next{}, ErrHandedBack
	}
	status, msg := domain.StatusCompleted, ""
	switch {
	case errors.Is(scanErr, context.DeadlineExceeded) || errors.Is(deadlineCtx.Err(), context.DeadlineExceeded):
		status, msg = domain.StatusFailed, "deadline exceeded"
	case scanErr != nil:
		status, msg = domain.StatusFailed, scanErr.Error()
	case res == nil:
		status, msg = domain.StatusFailed, "the scanner returned no result"
	case res.Error != "" && res.StatusCode == 0:
		status, msg = domain.StatusFailed, res.Error
	case res.NotGraded != nil:
		status, msg = statusOf(res)
	}
	s.metrics.observe(string(depth), took)
	return s.finish(bg, sc, claim, status, msg, res, took, rest, loop && s.keepGoing(ctx))
}

// progress is a running scan's check events not yet stored. The scanner's
// callback only appends here; the watcher stores them every ProgressEvery
// and the finish stores the rest, so a scan no longer waits for a write
// (on SQLite, a turn of the single writer) per check.
type progress struct {
	mu  sync.Mutex
	evs []progressEvent
}

type progressEvent struct {
	scanner.Event
	at time.Time
}

func (p *progress) add(e scanner.Event, at time.Time) {
	p.mu.Lock()
	p.evs = append(p.evs, progressEvent{e, at})
	p.mu.Unlock()
}

// take empties the buffer and returns what it held, in order.
func (p *progress) take() []progressEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	evs := p.evs
	p.evs = nil
	return evs
}

// putBack returns events whose write failed to the front of the buffer,
// so the next flush or the finish stores them, still in order.
func (p *progress) putBack(evs []progressEvent) {
	p.mu.Lock()
	p.evs = append(evs, p.evs...)
	p.mu.Unlock()
}

// storeProgress writes check events with client (a transaction's, or the
// pool's), in order, so their ids keep the order they happened in.
func (s *Service) storeProgress(ctx context.Context, c *ent.Client, sc *ent.Scan, evs []progressEvent) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([]*ent.ScanEventCreate, 0, len(evs))
	for _, e := range evs {
		rows = append(rows, c.ScanEvent.Create().SetAccountID(sc.AccountID).SetScanID(sc.ID).
			SetKind(domain.EventCheckComplete).SetCheckID(e.CheckID).SetName(e.Name).
			SetStatus(string(e.Status)).SetCreatedAt(e.at))
	}
	for chunk := range slices.Chunk(rows, 100) {
		if err := c.ScanEvent.CreateBulk(chunk...).Exec(ctx); err != nil {
			return fmt.Errorf("storing progress: %w", err)
		}
	}
	return nil
}

// watch keeps the scan's heartbeat fresh, stores its progress every
// ProgressEvery, and stops the scan when a user cancels it from any
// instance, or when another run has taken it over. The heartbeat is one
// statement that also reads the cancel flag: a row it does not match has
// another owner (or is gone with its account).
func (s *Service) watch(ctx context.Context, sc *ent.Scan, claim string, cancel context.CancelCauseFunc, prog *progress) {
	beatT := time.NewTicker(s.exec.heartbeat())
	defer beatT.Stop()
	flushT := time.NewTicker(s.exec.progressEvery())
	defer flushT.Stop()
	beat := s.rebind(`UPDATE scans SET heartbeat_at = ? WHERE id = ? AND claim = ? RETURNING cancel_requested`)
	for {
		select {
		case <-ctx.Done():
			return
		case <-flushT.C:
			if evs := prog.take(); len(evs) > 0 {
				// Not the scan's context: a write it interrupted might have
				// committed, and the finish would store the events again.
				if err := s.storeProgress(context.WithoutCancel(ctx), s.db.Ent, sc, evs); err != nil {
					prog.putBack(evs)
					if ctx.Err() == nil {
						s.log.Warn("recording scan progress", "scan_id", sc.ID, "err", err)
					}
				}
			}
			continue
		case <-beatT.C:
		}
		var cancelled bool
		err := s.db.SQL.QueryRowContext(ctx, beat, s.now(), sc.ID, claim).Scan(&cancelled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cancel(errClaimLost)
			return
		case err != nil:
			continue
		case cancelled:
			cancel(errUserCancel)
			return
		}
	}
}

// finish stores the outcome, retrying transient database errors (a
// deadlock victim, a busy database) so a scan that ran is not run again.
// continuing says the worker goes on to another scan: then it returns the
// scan claimed with the outcome (SQLite), or asks the worker to claim one.
func (s *Service) finish(ctx context.Context, sc *ent.Scan, claim string, status domain.ScanStatus, msg string, res *scanner.Result, took time.Duration, rest []progressEvent, continuing bool) (next, error) {
	attempt := 0
	var nx next
	err := db.Retry(ctx, db.RetryPolicy{Attempts: 6, Initial: 50 * time.Millisecond, Max: 2 * time.Second,
		OnRetry: func(err error, wait time.Duration) {
			attempt++
			s.log.Warn("storing scan result; retrying", "scan_id", sc.ID, "attempt", attempt, "wait_ms", wait.Milliseconds(), "err", err)
		}}, func() (err error) {
		nx, err = s.finishOnce(ctx, sc, claim, status, msg, res, took, rest, continuing)
		return err
	})
	if err != nil {
		return next{}, err
	}
	return nx, nil
}

// finishOnce stores the outcome in one transaction, only if this run still
// owns the scan: the progress not stored yet (rest), the result, the
// terminal event, and, unless its worker is continuing to the next scan
// itself, a token for the next runnable one. A continuing worker on SQLite
// claims its next scan in the same transaction (the same claim as
// claimNext's, fairness and limits included).
func (s *Service) finishOnce(ctx context.Context, sc *ent.Scan, claim string, status domain.ScanStatus, msg string, res *scanner.Result, took time.Duration, rest []progressEvent, continuing bool) (next, error) {
	if status == domain.StatusCancelled && res != nil && res.NotGraded != nil && res.NotGraded.Reason != scanner.NotGradedCancelled {
		// The user stopped it: whatever the interrupted fetches looked like, it
		// is a cancelled scan (and one that ran is not refunded).
		res.NotGraded = nil
	}
	res = settle(sc, status, msg, res)
	if msg != "" && (res.Error == "" || status != domain.StatusCompleted) {
		res.Error = msg
	}
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	now := s.now()
	// Encoded before the transaction: on SQLite every moment inside it holds
	// the single writer that the other scans wait for.
	b, err := json.Marshal(res)
	if err != nil {
		return next{}, err
	}
	fixes := make([]string, len(res.Findings))
	for i, f := range res.Findings {
		if fixes[i], err = encodeFix(f.Fix); err != nil {
			return next{}, err
		}
	}
	var nx next
	err = s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
		nx = next{}
		upd := c.Scan.Update().Where(scan.ID(sc.ID), scan.Claim(claim), scan.StatusEQ(domain.StatusRunning)).
			SetStatus(status).SetCompletedAt(now).SetUpdatedAt(now).SetDurationMs(took.Milliseconds())
		if msg != "" {
			upd = upd.SetError(msg)
		}
		upd = upd.SetResult(string(b)).SetFinalURL(truncate(res.FinalURL, 2048)).SetFindingsCount(len(res.Findings))
		if status == domain.StatusCompleted && res.NotGraded == nil {
			upd = upd.SetOverallScore(res.OverallScore).SetGrade(res.Grade)
		} else {
			upd = upd.ClearOverallScore().SetGrade("")
		}
		n, err := upd.Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errClaimLost
		}
		if err := s.moveCount(ctx, tx, sc.AccountID, domain.StatusRunning, status); err != nil {
			return err
		}
		if refundable(res) {
			if _, err := refundQuota(ctx, c, sc, now); err != nil {
				return err
			}
		}
		if len(res.Findings) > 0 {
			bulk := make([]*ent.FindingCreate, 0, len(res.Findings))
			for i, f := range res.Findings {
				rec := f.Recommendation
				if rec == "" {
					rec = f.Fix.Text()
				}
				bulk = append(bulk, c.Finding.Create().
					SetAccountID(sc.AccountID).SetScanID(sc.ID).
					SetCheckID(f.CheckID).SetCategory(cmp.Or(f.Category, "other")).
					SetSeverity(finding.Severity(cmp.Or(string(f.Severity), "info"))).
					SetTitle(cmp.Or(f.Title, f.CheckID)).SetDescription(f.Description).
					SetRecommendation(rec).SetFix(fixes[i]).SetEvidence(f.Evidence))
			}
			for chunk := range slices.Chunk(bulk, 100) {
				if err := c.Finding.CreateBulk(chunk...).Exec(ctx); err != nil {
					return fmt.Errorf("storing findings: %w", err)
				}
			}
		}
		if err := s.storeProgress(ctx, c, sc, rest); err != nil {
			return err
		}
		if err := c.ScanEvent.Create().SetAccountID(sc.AccountID).SetScanID(sc.ID).SetKind(status.EndEvent()).
			SetStatus(string(status)).SetName(msg).Exec(ctx); err != nil {
			return err
		}
		if s.onFinish != nil && sc.MonitorID != nil {
			// In the transaction that stores the outcome: a monitor run's
			// evaluation is queued exactly when its result is committed.
			if err := s.onFinish(ctx, tx, sc, status); err != nil {
				return fmt.Errorf("queueing the monitor's evaluation: %w", err)
			}
		}
		switch {
		case !continuing:
			return s.queueIfPending(ctx, tx, c)
		case !s.db.IsSQLite():
			nx.claimAgain = true
			return nil
		}
		won, wonClaim, none, err := s.claimTx(ctx, tx, c)
		if err != nil {
			return err
		}
		// Nothing runnable (none) ends the job; a claim lost to a race
		// leaves it to claimNext.
		nx = next{scan: won, claim: wonClaim, claimAgain: won == nil && !none, idle: none}
		return nil
	})
	if errors.Is(err, errClaimLost) {
		s.log.Warn("scan finished by another run; result dropped", "scan_id", sc.ID)
		return next{claimAgain: continuing}, nil
	}
	if err != nil {
		return next{}, err
	}
	s.log.Info("scan finished", "scan_id", sc.ID, "account_id", sc.AccountID, "status", status,
		"depth", sc.Depth, "duration_ms", took.Milliseconds(), "err", msg)
	return nx, nil
}

// queueIfPending inserts one token when runnable work remains, so a scan
// held back by its account's concurrency limit runs as soon as a slot frees.
func (s *Service) queueIfPending(ctx context.Context, tx *sql.Tx, c *ent.Client) error {
	n, err := c.Scan.Query().Where(scan.StatusEQ(domain.StatusPending), scan.CancelRequested(false)).Limit(1).Count(ctx)
	if err != nil || n == 0 {
		return err
	}
	_, err = s.jobs.InsertTx(ctx, tx, Args{}, nil)
	return err
}

func sortFindings(rows []*ent.Finding) {
	slices.SortStableFunc(rows, func(a, b *ent.Finding) int {
		return cmp.Or(
			cmp.Compare(scanner.SeverityRank(scanner.Severity(a.Severity)), scanner.SeverityRank(scanner.Severity(b.Severity))),
			cmp.Compare(a.CheckID, b.CheckID),
			cmp.Compare(a.Title, b.Title),
		)
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
