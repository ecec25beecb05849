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

// Work claims and runs one scan.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.svc.RunNext(ctx)
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
	return s.execute(ctx, sc, claim)
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

const runningOf = "(SELECT COUNT(*) FROM scans r WHERE r.account_id = s.account_id AND r.status = 'RUNNING')"

// claimNext picks the fairest runnable scan and claims it with a
// conditional update, so across all instances exactly one run owns it.
func (s *Service) claimNext(ctx context.Context) (*ent.Scan, string, error) {
	pick := s.rebind(`SELECT s.id, s.account_id FROM scans s JOIN accounts a ON a.id = s.account_id
		WHERE s.status = 'PENDING' AND s.cancel_requested = ? AND ` + runningOf + ` < ` + planLimitSQL("a.plan") + `
		ORDER BY ` + runningOf + `, s.created_at, s.id LIMIT 1`)
	for range 8 {
		var id, accountID string
		err := s.db.SQL.QueryRowContext(ctx, pick, false).Scan(&id, &accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("picking a scan: %w", err)
		}
		claim := ids.Random(10)
		now := s.now()
		won := false
		err = s.db.InTxRetry(ctx, func(tx *sql.Tx, _ *ent.Client) error {
			won = false
			if !s.db.IsSQLite() {
				// Serialise claims per account so two instances cannot both take
				// its last slot. NO KEY UPDATE: it does not block the foreign-key
				// checks of inserts (findings, events) that reference the account.
				if _, err := tx.ExecContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
					return err
				}
			}
			var running, limit int
			err := tx.QueryRowContext(ctx, s.rebind(`SELECT (SELECT COUNT(*) FROM scans WHERE account_id = ? AND status = 'RUNNING'), `+
				planLimitSQL("plan")+` FROM accounts WHERE id = ?`), accountID, accountID).Scan(&running, &limit)
			if err != nil {
				return err
			}
			if running >= limit {
				return nil
			}
			res, err := tx.ExecContext(ctx, s.rebind(`UPDATE scans SET status = 'RUNNING', claim = ?, started_at = ?, heartbeat_at = ?, updated_at = ?
				WHERE id = ? AND status = 'PENDING' AND cancel_requested = ?`), claim, now, now, now, id, false)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil || n != 1 {
				return err
			}
			won = true
			return s.moveCount(ctx, tx, accountID, domain.StatusPending, domain.StatusRunning)
		})
		if err != nil {
			return nil, "", fmt.Errorf("claiming scan %s: %w", id, err)
		}
		if won {
			sc, err := s.db.Ent.Scan.Get(ctx, id)
			return sc, claim, err
		}
	}
	return nil, "", nil
}

// execute runs a claimed scan to a terminal state (or hands it back on shutdown).
func (s *Service) execute(ctx context.Context, sc *ent.Scan, claim string) error {
	s.metrics.started()
	defer s.metrics.stopped()
	s.event(ctx, sc, domain.EventStart, scanner.Event{})
	depth := scanner.Depth(sc.Depth)
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	deadlineCtx, stopDeadline := context.WithTimeout(scanCtx, s.exec.deadline(depth))
	defer stopDeadline()

	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		s.watch(deadlineCtx, sc.ID, claim, cancel)
	}()
	started := time.Now()
	res, scanErr := s.scanner.Scan(deadlineCtx, sc.TargetURL, depth, func(e scanner.Event) {
		s.event(context.WithoutCancel(ctx), sc, domain.EventCheckComplete, e)
	})
	took := time.Since(started)
	stopDeadline()
	<-watchDone
	bg := context.WithoutCancel(ctx)

	switch cause := context.Cause(scanCtx); {
	case errors.Is(cause, errClaimLost):
		s.log.Warn("scan claim lost; leaving it to its new owner", "scan_id", sc.ID)
		return nil
	case errors.Is(cause, errUserCancel):
		return s.finish(bg, sc, claim, domain.StatusCancelled, "cancelled by the user", res, took)
	case ctx.Err() != nil:
		// Shutdown or job timeout: give the scan back; River retries the job.
		err := s.db.InTx(bg, func(tx *sql.Tx, _ *ent.Client) error {
			res, err := tx.ExecContext(bg, s.rebind(`UPDATE scans SET status = 'PENDING', claim = '', updated_at = ? WHERE id = ? AND claim = ? AND status = 'RUNNING'`),
				s.now(), sc.ID, claim)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return err
			}
			return s.moveCount(bg, tx, sc.AccountID, domain.StatusRunning, domain.StatusPending)
		})
		if err != nil {
			return err
		}
		s.log.Info("scan handed back to the queue", "scan_id", sc.ID)
		return ErrHandedBack
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
	return s.finish(bg, sc, claim, status, msg, res, took)
}

// watch keeps the scan's heartbeat fresh and stops the scan when a user
// cancels it from any instance, or when another run has taken it over.
func (s *Service) watch(ctx context.Context, id, claim string, cancel context.CancelCauseFunc) {
	t := time.NewTicker(s.exec.heartbeat())
	defer t.Stop()
	beat := s.rebind(`UPDATE scans SET heartbeat_at = ? WHERE id = ? AND claim = ?`)
	check := s.rebind(`SELECT cancel_requested, claim FROM scans WHERE id = ?`)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.db.SQL.ExecContext(ctx, beat, s.now(), id, claim); err != nil {
			continue
		}
		var cancelled bool
		var owner sql.NullString
		if err := s.db.SQL.QueryRowContext(ctx, check, id).Scan(&cancelled, &owner); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				// The scan is gone (its account was deleted): nothing to finish.
				cancel(errClaimLost)
				return
			}
			continue
		}
		if cancelled {
			cancel(errUserCancel)
			return
		}
		if owner.String != claim {
			cancel(errClaimLost)
			return
		}
	}
}

// finish stores the outcome, retrying transient database errors (a
// deadlock victim, a busy database) so a scan that ran is not run again.
func (s *Service) finish(ctx context.Context, sc *ent.Scan, claim string, status domain.ScanStatus, msg string, res *scanner.Result, took time.Duration) error {
	attempt := 0
	return db.Retry(ctx, db.RetryPolicy{Attempts: 6, Initial: 50 * time.Millisecond, Max: 2 * time.Second,
		OnRetry: func(err error, wait time.Duration) {
			attempt++
			s.log.Warn("storing scan result; retrying", "scan_id", sc.ID, "attempt", attempt, "wait_ms", wait.Milliseconds(), "err", err)
		}}, func() error { return s.finishOnce(ctx, sc, claim, status, msg, res, took) })
}

// finishOnce stores the outcome in one transaction, only if this run still
// owns the scan, and queues a token for the next runnable scan.
func (s *Service) finishOnce(ctx context.Context, sc *ent.Scan, claim string, status domain.ScanStatus, msg string, res *scanner.Result, took time.Duration) error {
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
	err := s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
		upd := c.Scan.Update().Where(scan.ID(sc.ID), scan.Claim(claim), scan.StatusEQ(domain.StatusRunning)).
			SetStatus(status).SetCompletedAt(now).SetUpdatedAt(now).SetDurationMs(took.Milliseconds())
		if msg != "" {
			upd = upd.SetError(msg)
		}
		b, err := json.Marshal(res)
		if err != nil {
			return err
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
			for _, f := range res.Findings {
				fix, err := encodeFix(f.Fix)
				if err != nil {
					return err
				}
				rec := f.Recommendation
				if rec == "" {
					rec = f.Fix.Text()
				}
				bulk = append(bulk, c.Finding.Create().
					SetAccountID(sc.AccountID).SetScanID(sc.ID).
					SetCheckID(f.CheckID).SetCategory(cmp.Or(f.Category, "other")).
					SetSeverity(finding.Severity(cmp.Or(string(f.Severity), "info"))).
					SetTitle(cmp.Or(f.Title, f.CheckID)).SetDescription(f.Description).
					SetRecommendation(rec).SetFix(fix).SetEvidence(f.Evidence))
			}
			for chunk := range slices.Chunk(bulk, 100) {
				if err := c.Finding.CreateBulk(chunk...).Exec(ctx); err != nil {
					return fmt.Errorf("storing findings: %w", err)
				}
			}
		}
		if err := c.ScanEvent.Create().SetAccountID(sc.AccountID).SetScanID(sc.ID).SetKind(status.EndEvent()).
			SetStatus(string(status)).SetName(msg).Exec(ctx); err != nil {
			return err
		}
		return s.queueIfPending(ctx, tx, c)
	})
	if errors.Is(err, errClaimLost) {
		s.log.Warn("scan finished by another run; result dropped", "scan_id", sc.ID)
		return nil
	}
	if err != nil {
		return err
	}
	s.log.Info("scan finished", "scan_id", sc.ID, "account_id", sc.AccountID, "status", status,
		"depth", sc.Depth, "duration_ms", took.Milliseconds(), "err", msg)
	return nil
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

func (s *Service) event(ctx context.Context, sc *ent.Scan, kind domain.EventKind, e scanner.Event) {
	err := s.db.Ent.ScanEvent.Create().SetAccountID(sc.AccountID).SetScanID(sc.ID).SetKind(kind).
		SetCheckID(e.CheckID).SetName(e.Name).SetStatus(string(e.Status)).Exec(ctx)
	if err != nil {
		s.log.Warn("recording scan progress", "scan_id", sc.ID, "err", err)
	}
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
