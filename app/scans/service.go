// Package scans is the life of a scan: accepting it (quota, validation, row
// and job in one transaction), running it on a worker, and reading it back
// for the web app and the API. Every read is scoped by account.
package scans

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/scanevent"
	"github.com/palisade/palisade/ent/usage"
)

// Service runs the scan life cycle.
type Service struct {
	db      *db.DB
	jobs    jobs.Inserter
	scanner *scanner.Scanner
	log     *slog.Logger
	now     func() time.Time
	exec    ExecOptions
	metrics metrics
	// draining stops workers from claiming another scan after the one
	// they run (SetDraining).
	draining atomic.Bool
	pickOnce sync.Once
	pick     string // pickSQL's statement, built once
	// onFinish, when set, runs in the transaction that stores a monitor
	// run's outcome (SetFinishHook).
	onFinish FinishHook
}

// FinishHook is called inside the transaction that stores the outcome of a
// scan started by a monitor (sc.MonitorID set), with the final status. The
// monitors service uses it to queue the run's evaluation in that same
// transaction, so no finished run goes unevaluated after a crash.
type FinishHook func(ctx context.Context, tx *sql.Tx, sc *ent.Scan, status domain.ScanStatus) error

// SetFinishHook installs h (before workers start).
func (s *Service) SetFinishHook(h FinishHook) { s.onFinish = h }

// NewService wires the scan service.
func NewService(d *db.DB, ins jobs.Inserter, sc *scanner.Scanner, log *slog.Logger) *Service {
	return &Service{db: d, jobs: ins, scanner: sc, log: log, now: func() time.Time { return time.Now().UTC() }, metrics: newMetrics()}
}

// SetClock replaces the service's clock (before workers start). Tests use a
// clock they move by hand, so heartbeat staleness and usage periods are
// tested without waiting for wall time to pass; production keeps time.Now.
func (s *Service) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC() }
}

// Args is the River job that runs one scan.
type Args struct {
	ScanID string `json:"scanId"`
}

// Kind names the job in River's table.
func (Args) Kind() string { return "scan" }

// InsertOpts: a few attempts (a crashed instance's job is rescued and retried).
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// Period is the usage period of t: the calendar month in UTC.
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// ResetsAt is when the quota of t's period resets.
func ResetsAt(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// QuotaError is the error of an exhausted monthly quota.
func QuotaError(limit, used int, resets time.Time) *errs.QuotaExceeded {
	return &errs.QuotaExceeded{Limit: limit, Used: used, ResetsAt: resets}
}

// Accept validates and enqueues a manual scan for acc. The quota is taken,
// the row written and the job inserted in one transaction: all or nothing.
func (s *Service) Accept(ctx context.Context, acc *ent.Account, rawURL, depthIn string) (*ent.Scan, error) {
	return s.AcceptRequest(ctx, Request{Account: acc, URL: rawURL, Depth: depthIn})
}

// Request is a scan to accept. A manual scan (the zero Source) spends the
// month's scan quota; a monitor run spends the plan's monitor-run
// allowance instead; a confirming re-scan spends nothing (docs/monitoring.md).
type Request struct {
	Account *ent.Account
	URL     string
	Depth   string
	// Source is why the scan starts (default domain.TriggerManual).
	Source domain.Trigger
	// MonitorID is the monitor a monitor or confirm scan belongs to.
	MonitorID string
	// Tx, when set, is the caller's transaction (and TxClient its Ent
	// client): the scan is accepted inside it, so the caller's own writes
	// and the scan commit together. Validation (DNS) still runs first.
	Tx       *sql.Tx
	TxClient *ent.Client
}

// AcceptRequest validates and enqueues r: the allowance is taken, the site
// recorded (created on its first scan), the row written and the job
// inserted in one transaction.
func (s *Service) AcceptRequest(ctx context.Context, r Request) (*ent.Scan, error) {
	acc := r.Account
	if r.Source == "" {
		r.Source = domain.TriggerManual
	}
	if !r.Source.Valid() {
		return nil, fmt.Errorf("accepting a scan: unknown source %q", r.Source)
	}
	if r.URL == "" {
		return nil, &errs.Validation{Field: "url", Message: "url is required, e.g. https://example.com"}
	}
	depth, ok := scanner.ParseDepth(r.Depth)
	if !ok {
		return nil, &errs.Validation{Field: "depth", Message: "depth must be QUICK, STANDARD or DEEP"}
	}
	if err := allowsDepth(acc.Plan, depth); err != nil {
		return nil, err
	}
	var err error
	var target *scanner.Target
	if r.Source.Scheduled() {
		// A monitor's run, or its re-scan, is of a site accepted before:
		// no DNS here (it may run inside the caller's write transaction),
		// and a site that stopped resolving still gets its run, which the
		// scan grades "could not be scanned" (scanner.Normalize).
		if target, err = scanner.Normalize(r.URL); errors.Is(err, scanner.ErrRefused) {
			err = &errs.TargetRefused{Field: "url", Message: err.Error()}
		}
	} else {
		target, err = s.ValidateTarget(ctx, r.URL)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	var created *ent.Scan
	accept := func(tx *sql.Tx, c *ent.Client) error {
		// acc may come from the API key cache; the plan that grants the
		// depth and the quota is read here, in the transaction that spends it.
		fresh, err := c.Account.Query().Where(account.ID(acc.ID)).Select(account.FieldPlan).Only(ctx)
		if err != nil {
			return err
		}
		if err := allowsDepth(fresh.Plan, depth); err != nil {
			return err
		}
		plan := billing.Lookup(fresh.Plan)
		switch r.Source {
		case domain.TriggerManual:
			err = takeQuota(ctx, c, acc.ID, plan, now)
		case domain.TriggerMonitor:
			err = takeMonitorRun(ctx, c, acc.ID, plan, now)
		}
		if err != nil {
			return err
		}
		siteID, err := sites.EnsureTx(ctx, c, acc.ID, target.URL, target.Domain, now)
		if err != nil {
			return err
		}
		create := c.Scan.Create().
			SetAccountID(acc.ID).
			SetTargetURL(target.URL).
			SetTargetDomain(target.Domain).
			SetDepth(depth).
			SetSource(r.Source).
			SetSiteID(siteID).
			SetCreatedAt(now).
			SetUpdatedAt(now)
		if r.MonitorID != "" {
			create = create.SetMonitorID(r.MonitorID)
		}
		sc, err := create.Save(ctx)
		if err != nil {
			return err
		}
		res, err := s.jobs.InsertTx(ctx, tx, Args{ScanID: sc.ID}, nil)
		if err != nil {
			return fmt.Errorf("queueing scan: %w", err)
		}
		sc, err = sc.Update().SetJobID(res.Job.ID).Save(ctx)
		if err != nil {
			return err
		}
		created = sc
		return s.moveCount(ctx, tx, acc.ID, "", domain.StatusPending)
	}
	if r.Tx != nil {
		err = accept(r.Tx, r.TxClient)
	} else {
		err = s.db.InTxRetry(ctx, accept)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("scan accepted", "scan_id", created.ID, "account_id", acc.ID, "depth", depth, "domain", created.TargetDomain,
		"source", r.Source, "monitor_id", r.MonitorID)
	return created, nil
}

// ValidateTarget is the scanner's verdict on rawURL (syntax, scheme, the
// address guard with its DNS lookup) as a domain error: a refusal is
// errs.TargetRefused with the sentence that says why.
func (s *Service) ValidateTarget(ctx context.Context, rawURL string) (*scanner.Target, error) {
	t, err := s.scanner.Validate(ctx, rawURL)
	if err != nil {
		if errors.Is(err, scanner.ErrRefused) {
			return nil, &errs.TargetRefused{Field: "url", Message: err.Error()}
		}
		return nil, err
	}
	return t, nil
}

// takeMonitorRun counts one monitor run against the account's month,
// atomically, like takeQuota but against the monitor-run allowance.
func takeMonitorRun(ctx context.Context, c *ent.Client, accountID string, plan billing.Plan, now time.Time) error {
	period := Period(now)
	err := c.Usage.Create().SetAccountID(accountID).SetPeriod(period).SetScans(0).
		OnConflictColumns(usage.FieldAccountID, usage.FieldPeriod).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("recording usage: %w", err)
	}
	upd := c.Usage.Update().Where(usage.AccountID(accountID), usage.Period(period))
	if plan.MonitorRunsPerMonth != billing.Unlimited {
		upd = upd.Where(usage.MonitorRunsLT(plan.MonitorRunsPerMonth))
	}
	n, err := upd.AddMonitorRuns(1).SetUpdatedAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("recording usage: %w", err)
	}
	if n == 0 {
		return &errs.QuotaExceeded{Limit: plan.MonitorRunsPerMonth, Used: plan.MonitorRunsPerMonth, ResetsAt: ResetsAt(now),
			What: "monitor runs"}
	}
	return nil
}

// allowsDepth refuses a depth the plan does not include.
func allowsDepth(p domain.PlanID, depth scanner.Depth) error {
	plan := billing.Lookup(p)
	if !plan.AllowsDepth(depth) {
		return &errs.Forbidden{Field: "depth", Message: fmt.Sprintf("the %s plan does not include %s scans; upgrade to run them", plan.Name, depth)}
	}
	return nil
}

// takeQuota counts one scan against the account's month, atomically: a
// conditional increment that only succeeds while under the limit.
func takeQuota(ctx context.Context, c *ent.Client, accountID string, plan billing.Plan, now time.Time) error {
	period := Period(now)
	err := c.Usage.Create().SetAccountID(accountID).SetPeriod(period).SetScans(0).
		OnConflictColumns(usage.FieldAccountID, usage.FieldPeriod).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("recording usage: %w", err)
	}
	upd := c.Usage.Update().Where(usage.AccountID(accountID), usage.Period(period))
	if plan.ScansPerMonth != billing.Unlimited {
		upd = upd.Where(usage.ScansLT(plan.ScansPerMonth))
	}
	n, err := upd.AddScans(1).SetUpdatedAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("recording usage: %w", err)
	}
	if n == 0 {
		return QuotaError(plan.ScansPerMonth, plan.ScansPerMonth, ResetsAt(now))
	}
	return nil
}

// Used returns how many scans the account has used this month.
func (s *Service) Used(ctx context.Context, accountID string) (int, error) {
	u, err := s.db.Read.Usage.Query().Where(usage.AccountID(accountID), usage.Period(Period(s.now()))).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return u.Scans, nil
}

// Get returns the account's scan; another account's id is ErrNotFound.
func (s *Service) Get(ctx context.Context, accountID, id string) (*ent.Scan, error) {
	sc, err := s.db.Read.Scan.Query().Where(scan.ID(id), scan.AccountID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	return sc, err
}

// Detail returns the full view of the account's scan.
func (s *Service) Detail(ctx context.Context, accountID, id string) (Detail, error) {
	sc, err := s.Get(ctx, accountID, id)
	if err != nil {
		return Detail{}, err
	}
	res, err := decodeResult(sc.Result)
	if err != nil {
		return Detail{}, err
	}
	var rows []*ent.Finding
	if res != nil {
		rows, err = sc.QueryFindings().Where(finding.AccountID(accountID)).All(ctx)
		if err != nil {
			return Detail{}, err
		}
		sortFindings(rows)
	}
	d := DetailOf(SummaryOf(sc), res, rows)
	if d.ScannedAt == nil && sc.StartedAt != nil {
		t := sc.StartedAt.UTC()
		d.ScannedAt = &t
	}
	if sc.Error != "" {
		// The row's error is authoritative (e.g. "deadline exceeded", "cancelled by the user").
		e := sc.Error
		d.Error = &e
	}
	return d, nil
}

func decodeResult(s string) (*scanner.Result, error) {
	if s == "" {
		return nil, nil
	}
	var r scanner.Result
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, fmt.Errorf("decoding stored result: %w", err)
	}
	return &r, nil
}

// Events returns the scan's progress events after id afterID, in order.
func (s *Service) Events(ctx context.Context, accountID, scanID string, afterID int) ([]*ent.ScanEvent, error) {
	return s.db.Read.ScanEvent.Query().
		Where(scanevent.ScanID(scanID), scanevent.AccountID(accountID), scanevent.IDGT(afterID)).
		Order(ent.Asc(scanevent.FieldID)).All(ctx)
}

// IsTerminalEvent reports whether an event kind ends a scan's stream.
func IsTerminalEvent(kind domain.EventKind) bool { return kind.Terminal() }
