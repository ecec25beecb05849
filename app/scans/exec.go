package scans

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/predicate"
	"github.com/palisade/palisade/ent/scan"
)

// ExecOptions tune how scans execute; zero values are production defaults.
type ExecOptions struct {
	// Deadline overrides a depth's deadline (tests use short ones).
	Deadline func(scanner.Depth) time.Duration
	// Heartbeat is how often a running scan proves it is alive and checks for cancellation.
	Heartbeat time.Duration
	// ProgressEvery is how often a running scan's check events are stored
	// (and so reach event streams on any instance); the rest are stored
	// with the outcome.
	ProgressEvery time.Duration
	// StaleAfter is how long without a heartbeat before a RUNNING scan is
	// presumed orphaned (its instance died) and handed back to the queue.
	StaleAfter time.Duration
}

func (o ExecOptions) deadline(d scanner.Depth) time.Duration {
	if o.Deadline != nil {
		return o.Deadline(d)
	}
	return d.Deadline()
}

func (o ExecOptions) heartbeat() time.Duration {
	if o.Heartbeat > 0 {
		return o.Heartbeat
	}
	return 500 * time.Millisecond
}

func (o ExecOptions) progressEvery() time.Duration {
	if o.ProgressEvery > 0 {
		return o.ProgressEvery
	}
	return 250 * time.Millisecond
}

func (o ExecOptions) staleAfter() time.Duration {
	if o.StaleAfter > 0 {
		return o.StaleAfter
	}
	return 15 * time.Second
}

// SetExecOptions replaces the execution options (before workers start).
func (s *Service) SetExecOptions(o ExecOptions) { s.exec = o }

// Cancel cancels the account's scan. A pending scan never starts and its
// quota is given back; a running one is stopped by the instance running it
// within about a second; a finished one is a conflict.
func (s *Service) Cancel(ctx context.Context, accountID, id string) (*ent.Scan, error) {
	sc, err := s.Get(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	switch sc.Status {
	case domain.StatusCompleted, domain.StatusFailed, domain.StatusCancelled:
		return nil, &errs.Conflict{Message: fmt.Sprintf("the scan has already ended (%s)", sc.Status)}
	}
	now := s.now()
	cancelled, err := cancelledResult(sc)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
		n, err := c.Scan.Update().Where(scan.ID(id), scan.AccountID(accountID), scan.StatusEQ(domain.StatusPending)).
			SetStatus(domain.StatusCancelled).SetCancelRequested(true).SetCompletedAt(now).SetUpdatedAt(now).
			SetError("cancelled by the user").SetResult(cancelled).ClearOverallScore().SetGrade("").Save(ctx)
		if err != nil {
			return err
		}
		if n == 1 {
			// Never started: give the quota back to the month it was taken
			// from. (Usage before counters: the order Accept takes them in.)
			if _, err := refundQuota(ctx, c, sc, now); err != nil {
				return err
			}
			if err := s.moveCount(ctx, tx, accountID, domain.StatusPending, domain.StatusCancelled); err != nil {
				return err
			}
			return c.ScanEvent.Create().SetAccountID(accountID).SetScanID(id).SetKind(domain.EventCancelled).
				SetStatus(string(domain.StatusCancelled)).SetName("cancelled by the user").Exec(ctx)
		}
		_, err = c.Scan.Update().Where(scan.ID(id), scan.AccountID(accountID), scan.StatusEQ(domain.StatusRunning)).
			SetCancelRequested(true).SetUpdatedAt(now).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("scan cancel requested", "scan_id", id, "account_id", accountID, "was", sc.Status)
	return s.Get(ctx, accountID, id)
}

// Reconcile repairs what a crash can leave behind: RUNNING scans whose
// heartbeat stopped go back to PENDING with a fresh token, and pending work
// with no live token gets one. Each instance runs it at start and the
// cluster's leader schedules it as a periodic job (app/jobs); it is
// idempotent.
func (s *Service) Reconcile(ctx context.Context) error {
	cutoff := s.now().Add(-s.exec.staleAfter())
	stale, err := s.db.Ent.Scan.Query().
		Where(scan.StatusEQ(domain.StatusRunning), scan.Or(scan.HeartbeatAtLT(cutoff), scan.HeartbeatAtIsNil())).
		Select(scan.FieldID, scan.FieldClaim, scan.FieldAccountID, scan.FieldCancelRequested, scan.FieldTargetURL,
			scan.FieldTargetDomain, scan.FieldDepth, scan.FieldCreatedAt, scan.FieldStartedAt).All(ctx)
	if err != nil {
		return err
	}
	for _, sc := range stale {
		if sc.CancelRequested {
			// Its user asked to cancel it: handing it back would leave it
			// PENDING for ever (claims skip cancelled scans), so it ends here.
			if err := s.endCancelled(ctx, sc, domain.StatusRunning, scan.Claim(sc.Claim)); err != nil {
				return err
			}
			continue
		}
		err := s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
			n, err := c.Scan.Update().Where(scan.ID(sc.ID), scan.Claim(sc.Claim), scan.StatusEQ(domain.StatusRunning)).
				SetStatus(domain.StatusPending).SetClaim("").SetUpdatedAt(s.now()).Save(ctx)
			if err != nil || n == 0 {
				return err
			}
			if err := s.moveCount(ctx, tx, sc.AccountID, domain.StatusRunning, domain.StatusPending); err != nil {
				return err
			}
			_, err = s.jobs.InsertTx(ctx, tx, Args{ScanID: sc.ID}, nil)
			return err
		})
		if err != nil {
			return err
		}
		s.log.Warn("orphaned scan handed back to the queue", "scan_id", sc.ID)
	}
	// A scan handed back (shutdown, lost heartbeat) just as its user asked
	// to cancel it is PENDING with the flag set, which no worker claims: end it.
	stuck, err := s.db.Ent.Scan.Query().Where(scan.StatusEQ(domain.StatusPending), scan.CancelRequested(true)).
		Select(scan.FieldID, scan.FieldAccountID, scan.FieldTargetURL, scan.FieldTargetDomain, scan.FieldDepth,
			scan.FieldCreatedAt, scan.FieldStartedAt).All(ctx)
	if err != nil {
		return err
	}
	for _, sc := range stuck {
		if err := s.endCancelled(ctx, sc, domain.StatusPending); err != nil {
			return err
		}
	}
	pending, err := s.db.Ent.Scan.Query().Where(scan.StatusEQ(domain.StatusPending), scan.CancelRequested(false)).Exist(ctx)
	if err != nil || !pending {
		return err
	}
	var live int
	err = s.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'scan' AND state IN ('available', 'scheduled', 'retryable', 'running', 'pending')`).Scan(&live)
	if err != nil {
		return err
	}
	if live > 0 {
		return nil
	}
	return s.db.InTx(ctx, func(tx *sql.Tx, _ *ent.Client) error {
		_, err := s.jobs.InsertTx(ctx, tx, Args{}, nil)
		return err
	})
}

// endCancelled ends a scan whose cancellation no worker will carry out, if it
// is still in status from (and matches where): CANCELLED, with its counters
// moved and the event that closes its stream, in one transaction.
func (s *Service) endCancelled(ctx context.Context, sc *ent.Scan, from domain.ScanStatus, where ...predicate.Scan) error {
	now := s.now()
	cancelled, err := cancelledResult(sc)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
		n, err := c.Scan.Update().Where(append(where, scan.ID(sc.ID), scan.StatusEQ(from))...).
			SetStatus(domain.StatusCancelled).SetClaim("").SetCompletedAt(now).SetUpdatedAt(now).
			SetError("cancelled by the user").SetResult(cancelled).ClearOverallScore().SetGrade("").Save(ctx)
		if err != nil || n == 0 {
			return err
		}
		if from == domain.StatusPending && sc.StartedAt == nil {
			// It never started running: nothing reached the target.
			if _, err := refundQuota(ctx, c, sc, now); err != nil {
				return err
			}
		}
		if err := s.moveCount(ctx, tx, sc.AccountID, from, domain.StatusCancelled); err != nil {
			return err
		}
		return c.ScanEvent.Create().SetAccountID(sc.AccountID).SetScanID(sc.ID).SetKind(domain.EventCancelled).
			SetStatus(string(domain.StatusCancelled)).SetName("cancelled by the user").Exec(ctx)
	})
	if err == nil {
		s.log.Info("cancelled scan ended by the reconciler", "scan_id", sc.ID, "was", from)
	}
	return err
}

// Stats are the operational figures exposed on /metrics.
type Stats struct {
	QueueDepth int // scans accepted and not yet started
	Running    int // scans running on any instance
}

// Stats counts queued and running scans across all instances.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.ReadSQL.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM scans WHERE status = 'PENDING'),
		(SELECT COUNT(*) FROM scans WHERE status = 'RUNNING')`).Scan(&st.QueueDepth, &st.Running)
	return st, err
}

// moveCount moves one scan of the account from one status to another in the
// per-status counters (from "" for a new scan), inside the caller's
// transaction. The two rows are always touched in the same (alphabetical)
// order, so concurrent transactions cannot deadlock on them.
func (s *Service) moveCount(ctx context.Context, tx *sql.Tx, accountID string, from, to domain.ScanStatus) error {
	q := s.rebind(`INSERT INTO scan_counts (account_id, status, n) VALUES (?, ?, ?)
		ON CONFLICT (account_id, status) DO UPDATE SET n = scan_counts.n + excluded.n`)
	type delta struct {
		status domain.ScanStatus
		n      int
	}
	steps := []delta{{to, 1}}
	if from != "" {
		steps = append(steps, delta{from, -1})
		if from < to {
			steps[0], steps[1] = steps[1], steps[0]
		}
	}
	for _, d := range steps {
		if _, err := tx.ExecContext(ctx, q, accountID, string(d.status), d.n); err != nil {
			return fmt.Errorf("counting scans: %w", err)
		}
	}
	return nil
}

// countScans returns how many of the account's scans have status (all when empty), from the counters.
func (s *Service) countScans(ctx context.Context, accountID, status string) (int, error) {
	q := `SELECT COALESCE(SUM(n), 0) FROM scan_counts WHERE account_id = ?`
	args := []any{accountID}
	if status != "" {
		q += ` AND status = ?`
		args = append(args, status)
	}
	var n int64
	err := s.db.ReadSQL.QueryRowContext(ctx, s.rebind(q), args...).Scan(&n)
	return int(n), err
}
