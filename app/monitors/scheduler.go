package monitors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/monitor"
)

// Queue is the River queue monitor runs are started on: a run only takes
// the allowance and queues the scan, so it never waits behind scans.
const Queue = "monitors"

// BatchSize is how many due monitors one transaction of EnqueueDue
// advances: its UPDATE binds three parameters per monitor, well inside
// SQLite's and PostgreSQL's limits.
const BatchSize = 1000

// RunArgs is one due run of a monitor: the job EnqueueDue inserts for the
// slot. Its unique key is (monitor, slot), so however many schedulers see
// the slot, River holds one job for it.
type RunArgs struct {
	MonitorID string    `json:"monitorId" river:"unique"`
	Slot      time.Time `json:"slot" river:"unique"`
}

// Kind names the job in River's table.
func (RunArgs) Kind() string { return "monitor_run" }

// InsertOpts: on the monitors queue, unique by monitor and slot.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// manyInserter is the batch insert of River's client (both engines'
// inserters have it); the fast form skips reading the rows back.
type manyInserter interface {
	InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
}

// due is a monitor EnqueueDue read, with the slot it is due for.
type due struct {
	id              string
	next, slot, adv time.Time
}

// EnqueueDue enqueues the due run of every active monitor whose next run
// is at or before now, in batches, and returns how many it enqueued. A
// monitor is due for its latest slot at or before now (after an outage,
// one run, not one per missed slot). In each batch's transaction the
// monitors' next_run_at is advanced to their first slot after now with a
// conditional write (only rows whose next_run_at is still the value read),
// and a job is inserted for exactly the rows that write changed; so two
// instances running this at once enqueue each run once (docs/ARCHITECTURE.md,
// "Monitors: exactly-once scheduling").
func (s *Service) EnqueueDue(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	total := 0
	// after pages past rows another instance holds (their conditional write
	// failed here), so a batch that changes nothing does not loop.
	var afterNext time.Time
	afterID := ""
	for {
		q := s.db.Ent.Monitor.Query().Where(monitor.Active(true), monitor.NextRunAtLTE(now))
		if afterID != "" {
			q = q.Where(monitor.Or(monitor.NextRunAtGT(afterNext),
				monitor.And(monitor.NextRunAt(afterNext), monitor.IDGT(afterID))))
		}
		rows, err := q.Order(ent.Asc(monitor.FieldNextRunAt), ent.Asc(monitor.FieldID)).Limit(BatchSize).
			Select(monitor.FieldID, monitor.FieldFrequency, monitor.FieldHour,
				monitor.FieldJitterSeconds, monitor.FieldCreatedAt, monitor.FieldNextRunAt).All(ctx)
		if err != nil {
			return total, fmt.Errorf("reading due monitors: %w", err)
		}
		if len(rows) == 0 {
			return total, nil
		}
		batch := make([]due, len(rows))
		for i, m := range rows {
			slot := LatestSlot(m.Frequency, m.Hour, m.JitterSeconds, m.CreatedAt, now)
			if slot.Before(m.NextRunAt) {
				slot = m.NextRunAt.UTC()
			}
			batch[i] = due{id: m.ID, next: m.NextRunAt,
				slot: slot, adv: NextRun(m.Frequency, m.Hour, m.JitterSeconds, m.CreatedAt, now)}
		}
		n, err := s.enqueueBatch(ctx, batch, now)
		if err != nil {
			return total, err
		}
		total += n
		last := rows[len(rows)-1]
		afterNext, afterID = last.NextRunAt, last.ID
		if len(rows) < BatchSize {
			return total, nil
		}
	}
}

// enqueueBatch advances and enqueues one batch in one transaction.
func (s *Service) enqueueBatch(ctx context.Context, batch []due, now time.Time) (int, error) {
	var n int
	err := s.db.InTxRetry(ctx, func(tx *sql.Tx, _ *ent.Client) error {
		won, err := s.advance(ctx, tx, batch, now)
		if err != nil {
			return err
		}
		params := make([]river.InsertManyParams, 0, len(won))
		for _, d := range batch {
			if won[d.id] {
				params = append(params, river.InsertManyParams{Args: RunArgs{MonitorID: d.id, Slot: d.slot}})
			}
		}
		n = len(params)
		if n == 0 {
			return nil
		}
		if mi, ok := s.jobs.(manyInserter); ok {
			_, err = mi.InsertManyFastTx(ctx, tx, params)
			return err
		}
		for _, p := range params {
			if _, err := s.jobs.InsertTx(ctx, tx, p.Args, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueueing due monitors: %w", err)
	}
	if n > 0 {
		s.log.Info("monitor runs enqueued", "count", n)
	}
	return n, nil
}

// advance moves each monitor's next_run_at from the value read to its next
// slot in one UPDATE joined to a VALUES list of (id, next slot, value read),
// only where next_run_at still holds the value read, and returns the ids it
// changed (UPDATE … FROM and RETURNING: SQLite 3.35+ and PostgreSQL).
func (s *Service) advance(ctx context.Context, tx *sql.Tx, batch []due, now time.Time) (map[string]bool, error) {
	var (
		sb   strings.Builder
		args []any
	)
	arg := func(v any) string {
		args = append(args, v)
		if s.db.IsSQLite() {
			return "?"
		}
		return fmt.Sprintf("$%d", len(args))
	}
	// A VALUES parameter has no column to take its type from: PostgreSQL
	// needs it cast (SQLite compares the stored text).
	ts := func(t time.Time) string {
		if s.db.IsSQLite() {
			return arg(t)
		}
		return "CAST(" + arg(t) + " AS timestamptz)"
	}
	sb.WriteString("WITH v(id, adv, prev) AS (VALUES ")
	for i, d := range batch {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(" + arg(d.id) + ", " + ts(d.adv) + ", " + ts(d.next) + ")")
	}
	sb.WriteString(") UPDATE monitors SET next_run_at = v.adv, updated_at = " + arg(now) +
		" FROM v WHERE monitors.id = v.id AND monitors.next_run_at = v.prev AND monitors.active = " + arg(true) +
		" RETURNING monitors.id")
	rows, err := tx.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("advancing monitors: %w", err)
	}
	defer rows.Close()
	won := make(map[string]bool, len(batch))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		won[id] = true
	}
	return won, rows.Err()
}

// Worker starts a monitor's due run.
type Worker struct {
	river.WorkerDefaults[RunArgs]
	s *Service
}

// NewWorker returns the RunArgs worker.
func NewWorker(s *Service) *Worker { return &Worker{s: s} }

// Work runs the slot.
func (w *Worker) Work(ctx context.Context, j *river.Job[RunArgs]) error {
	return w.s.Run(ctx, j.Args.MonitorID, j.Args.Slot)
}

// Run starts the monitor's run for slot: nothing when the monitor is gone
// or paused, or the slot already ran (a retried job). Otherwise it takes a
// monitor run and accepts the scan in the transaction that records the
// slot, so a slot has at most one scan; when the month's monitor runs are
// spent (or the target is now refused) the slot is recorded with last_skip
// saying why, and no scan.
func (s *Service) Run(ctx context.Context, monitorID string, slot time.Time) error {
	slot = slot.UTC()
	m, err := s.db.Ent.Monitor.Query().Where(monitor.ID(monitorID)).WithSite().Only(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !m.Active || (m.LastSlot != nil && !m.LastSlot.Before(slot)) {
		return nil
	}
	now := s.now()
	claim := func(c *ent.Client) *ent.MonitorUpdate {
		return c.Monitor.Update().Where(monitor.ID(m.ID), monitor.Active(true),
			monitor.Or(monitor.LastSlotIsNil(), monitor.LastSlotLT(slot))).SetLastSlot(slot).SetUpdatedAt(now)
	}
	var sc *ent.Scan
	err = s.db.InTxRetry(ctx, func(tx *sql.Tx, c *ent.Client) error {
		n, err := claim(c).Save(ctx)
		if err != nil || n == 0 {
			sc = nil
			return err
		}
		acc, err := c.Account.Query().Where(account.ID(m.AccountID)).Only(ctx)
		if err != nil {
			return err
		}
		sc, err = s.scans.AcceptRequest(ctx, scans.Request{Account: acc, URL: m.Edges.Site.TargetURL, Depth: string(m.Depth),
			Source: domain.TriggerMonitor, MonitorID: m.ID, Tx: tx, TxClient: c})
		if err != nil {
			return err
		}
		return c.Monitor.UpdateOneID(m.ID).SetLastRunAt(now).SetLastScanID(sc.ID).SetLastSkip("").Exec(ctx)
	})
	_, why, shown := errs.Field(err)
	switch {
	case err == nil && sc != nil:
		s.log.Info("monitor run started", "monitor_id", m.ID, "account_id", m.AccountID, "scan_id", sc.ID, "slot", slot)
		return nil
	case err == nil:
		return nil
	case !shown || errors.Is(err, errs.ErrNotFound):
		return err
	}
	// A refusal a person can act on (the allowance is spent, the target is
	// refused): the slot is skipped, said why, and not retried.
	skip := fmt.Sprintf("the run due %s did not start: %s", slot.Format("2 January 2006 15:04 UTC"), why)
	if r := []rune(skip); len(r) > 300 {
		skip = string(r[:297]) + "..."
	}
	err = s.db.InTxRetry(ctx, func(_ *sql.Tx, c *ent.Client) error {
		return claim(c).SetLastSkip(skip).Exec(ctx)
	})
	if err != nil {
		return err
	}
	s.log.Warn("monitor run skipped", "monitor_id", m.ID, "account_id", m.AccountID, "slot", slot, "reason", why)
	return nil
}
