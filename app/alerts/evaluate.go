package alerts

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/site"
)

// Evaluator applies the alert rules (rules.go) to finished monitor runs
// (docs/monitoring.md, "Alert rules"). It needs the scan service to start
// the re-scan that confirms a regression, so it is built next to the
// alerts service rather than inside it.
type Evaluator struct {
	svc   *Service
	scans *scans.Service
}

// NewEvaluator wires the evaluator.
func NewEvaluator(svc *Service, sc *scans.Service) *Evaluator {
	return &Evaluator{svc: svc, scans: sc}
}

// Evaluation is what one evaluation did.
type Evaluation struct {
	// Skipped says why nothing was done ("" when the run was evaluated).
	Skipped string
	// Alerts are the alerts this evaluation recorded.
	Alerts []*ent.Alert
	// ConfirmScanID is the confirming re-scan it started.
	ConfirmScanID string
}

// errStateMoved: another evaluation wrote the monitor's state since this
// one read it; the evaluation is run again on the new state.
var errStateMoved = errors.New("the monitor's state changed during the evaluation")

// Evaluate applies the rules to the finished monitor run scanID, exactly
// once: in one transaction it reads the monitor, raises the alerts (each
// idempotent by its dedupe key), starts the confirming re-scan, and writes
// the new state conditionally on state_version. A run already evaluated
// (State.LastEvaluatedScanID), older than the last one evaluated, or a
// confirmation nobody waits for changes nothing; so does a run of a monitor
// that is gone or paused.
func (e *Evaluator) Evaluate(ctx context.Context, scanID string) (Evaluation, error) {
	var out Evaluation
	var err error
	for range 5 {
		err = e.svc.db.InTxRetry(ctx, func(tx *sql.Tx, c *ent.Client) error {
			var err error
			out, err = e.evaluateTx(ctx, tx, c, scanID)
			return err
		})
		if !errors.Is(err, errStateMoved) {
			break
		}
	}
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluating monitor run %s: %w", scanID, err)
	}
	return out, nil
}

func (e *Evaluator) evaluateTx(ctx context.Context, tx *sql.Tx, c *ent.Client, scanID string) (Evaluation, error) {
	log := e.svc.log.With("scan_id", scanID)
	skip := func(why string) (Evaluation, error) {
		log.Debug("monitor run not evaluated", "why", why)
		return Evaluation{Skipped: why}, nil
	}
	sc, err := c.Scan.Get(ctx, scanID)
	if ent.IsNotFound(err) {
		return skip("the scan is gone")
	}
	if err != nil {
		return Evaluation{}, err
	}
	if sc.MonitorID == nil || !sc.Source.Scheduled() {
		return skip("not a monitor run")
	}
	if !sc.Status.Terminal() {
		return Evaluation{}, fmt.Errorf("scan %s has not finished (%s)", sc.ID, sc.Status)
	}
	if sc.Status == domain.StatusCancelled {
		// Someone stopped the run: that says nothing about the site.
		return skip("the run was cancelled")
	}
	log = log.With("monitor_id", *sc.MonitorID, "account_id", sc.AccountID)
	mon, err := c.Monitor.Query().Where(monitor.ID(*sc.MonitorID), monitor.AccountID(sc.AccountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return skip("the monitor is gone")
	}
	if err != nil {
		return Evaluation{}, err
	}
	if !mon.Active {
		return skip("the monitor is paused")
	}
	st := mon.State
	if st.LastEvaluatedScanID == sc.ID {
		return skip("already evaluated")
	}
	if st.LastEvaluatedScanID != "" {
		last, err := c.Scan.Query().Where(scan.ID(st.LastEvaluatedScanID), scan.AccountID(sc.AccountID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return Evaluation{}, err
		}
		if last != nil && last.CreatedAt.After(sc.CreatedAt) {
			return skip("a later run was evaluated already")
		}
	}
	confirming := false
	switch {
	case sc.Source == domain.TriggerConfirm:
		if st.Confirming == nil || st.Confirming.ScanID != sc.ID {
			return skip("no regression waits for this confirmation")
		}
		confirming = true
	case st.Confirming != nil:
		// The re-scan could not settle the regression (it was not graded,
		// or it has not run yet): this run settles it.
		confirming = true
	}
	s, err := c.Site.Query().Where(site.ID(mon.SiteID), site.AccountID(sc.AccountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return skip("the site is gone")
	}
	if err != nil {
		return Evaluation{}, err
	}
	run, err := runOf(sc)
	if err != nil {
		return Evaluation{}, err
	}
	var base *Run
	if confirming {
		if id := st.Confirming.BaselineScanID; id != "" {
			b, err := c.Scan.Query().Where(scan.ID(id), scan.AccountID(sc.AccountID)).Only(ctx)
			if err != nil && !ent.IsNotFound(err) {
				return Evaluation{}, err
			}
			if b != nil {
				if base, err = gradedRun(b); err != nil {
					return Evaluation{}, err
				}
			}
		}
	} else if base, err = previousRun(ctx, c, sc); err != nil {
		return Evaluation{}, err
	}
	in := RuleInput{MonitorID: mon.ID, Site: siteRef(s), BaseURL: e.svc.baseURL, Rules: mon.Alerts, State: st,
		Run: run, Baseline: base, Confirming: confirming}
	dec := Decide(in)
	out := Evaluation{}
	if dec.Confirm {
		k, err := e.startConfirm(ctx, tx, c, sc, mon)
		var refused bool
		if refused = isRefusal(err); refused {
			// The re-scan cannot even start (the address is refused now,
			// the plan no longer has the depth): this run is all there is
			// to go on, so it is decided as its own confirmation.
			log.Warn("confirming re-scan refused; deciding on the run alone", "err", err)
			in.Confirming = true
			dec = Decide(in)
		} else if err != nil {
			return Evaluation{}, err
		}
		if !refused {
			dec.State.Confirming.ScanID = k.ID
			out.ConfirmScanID = k.ID
		}
	}
	for _, p := range dec.Alerts {
		r, err := e.svc.RaiseTx(ctx, tx, c, sc.AccountID, mon.ID, p.DedupeKey, p.Content, mon.Alerts)
		if err != nil {
			return Evaluation{}, err
		}
		if p.Opens != nil {
			if dec.State.Open == nil {
				dec.State.Open = map[domain.AlertKind]domain.OpenAlert{}
			}
			o := *p.Opens
			o.AlertID = r.Alert.ID
			dec.State.Open[p.Kind] = o
		}
		if r.New {
			out.Alerts = append(out.Alerts, r.Alert)
			log.Info("alert raised", "alert_id", r.Alert.ID, "site_id", s.ID, "kind", p.Kind, "deliveries", len(r.Deliveries))
		}
	}
	n, err := c.Monitor.Update().Where(monitor.ID(mon.ID), monitor.AccountID(sc.AccountID), monitor.StateVersion(mon.StateVersion)).
		SetState(dec.State).AddStateVersion(1).SetUpdatedAt(e.svc.now()).Save(ctx)
	if err != nil {
		return Evaluation{}, fmt.Errorf("recording the monitor's state: %w", err)
	}
	if n == 0 {
		return Evaluation{}, errStateMoved
	}
	log.Info("monitor run evaluated", "site_id", s.ID, "graded", run.Graded, "confirming", confirming,
		"alerts", len(out.Alerts), "confirm_scan_id", out.ConfirmScanID)
	return out, nil
}

// startConfirm accepts the confirming re-scan of run sc inside the
// evaluation's transaction: the same target, monitor and depth; it spends
// no allowance (docs/monitoring.md, "Plan limits").
func (e *Evaluator) startConfirm(ctx context.Context, tx *sql.Tx, c *ent.Client, sc *ent.Scan, mon *ent.Monitor) (*ent.Scan, error) {
	acc, err := c.Account.Query().Where(account.ID(sc.AccountID)).Only(ctx)
	if err != nil {
		return nil, err
	}
	return e.scans.AcceptRequest(ctx, scans.Request{Account: acc, URL: sc.TargetURL, Depth: string(sc.Depth),
		Source: domain.TriggerConfirm, MonitorID: mon.ID, Tx: tx, TxClient: c})
}

// isRefusal reports an error AcceptRequest returns before it writes
// anything: the transaction is intact and the evaluation goes on.
func isRefusal(err error) bool {
	var (
		tr *errs.TargetRefused
		v  *errs.Validation
		f  *errs.Forbidden
	)
	return errors.As(err, &tr) || errors.As(err, &v) || errors.As(err, &f)
}

// previousRun is the run sc is compared with: the latest completed, graded
// monitor run (scheduled or confirming) of the same site at the same depth
// created before it. Manual scans are not runs: what a person scanned in
// between does not move a monitor's baseline.
func previousRun(ctx context.Context, c *ent.Client, sc *ent.Scan) (*Run, error) {
	if sc.SiteID == nil {
		return nil, nil
	}
	rows, err := c.Scan.Query().
		Where(scan.AccountID(sc.AccountID), scan.SiteID(*sc.SiteID), scan.DepthEQ(sc.Depth), scan.StatusEQ(domain.StatusCompleted),
			scan.GradeNEQ(""), scan.SourceIn(domain.TriggerMonitor, domain.TriggerConfirm), scan.IDNEQ(sc.ID), scan.CreatedAtLT(sc.CreatedAt)).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).Limit(5).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range rows {
		r, err := gradedRun(p)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return r, nil
		}
	}
	return nil, nil
}

// gradedRun is the run of a graded scan, nil for one without a grade.
func gradedRun(sc *ent.Scan) (*Run, error) {
	r, err := runOf(sc)
	if err != nil || !r.Graded {
		return nil, err
	}
	return &r, nil
}

// runOf reads a finished scan as the rules see it. A scan is graded when it
// completed with a grade and its result has no NotGraded; otherwise the
// reason is the result's NotGraded detail, else the scan's error.
func runOf(sc *ent.Scan) (Run, error) {
	r := Run{ScanID: sc.ID, Source: sc.Source, At: sc.CreatedAt}
	if sc.StartedAt != nil {
		r.At = *sc.StartedAt
	}
	if sc.Result != "" {
		var res scanner.Result
		if err := json.Unmarshal([]byte(sc.Result), &res); err != nil {
			return Run{}, fmt.Errorf("decoding the result of %s: %w", sc.ID, err)
		}
		r.Result = &res
	}
	r.Graded = sc.Status == domain.StatusCompleted && sc.Grade != "" && r.Result != nil && r.Result.NotGraded == nil && r.Result.Grade != ""
	if !r.Graded {
		reason := ""
		if r.Result != nil && r.Result.NotGraded != nil {
			reason = r.Result.NotGraded.Detail
		}
		r.Reason = cmp.Or(reason, sc.Error, "the scan ended "+strings.ToLower(string(sc.Status)))
	}
	return r, nil
}

// siteRef names the site in alerts: its label, else its host[:port][/path].
func siteRef(s *ent.Site) SiteRef {
	return SiteRef{ID: s.ID, URL: s.TargetURL, Label: s.Label, Name: bounded(cmp.Or(s.Label, scanner.TargetLabel(s.TargetURL)), 200)}
}

// EvaluateWorker runs EvaluateArgs jobs: the evaluation of a finished
// monitor run, queued in the transaction that stored its outcome.
type EvaluateWorker struct {
	river.WorkerDefaults[EvaluateArgs]
	ev *Evaluator
}

// NewEvaluateWorker returns the River worker for evaluations.
func NewEvaluateWorker(ev *Evaluator) *EvaluateWorker { return &EvaluateWorker{ev: ev} }

// Work evaluates the run; an error is retried (the evaluation is idempotent).
func (w *EvaluateWorker) Work(ctx context.Context, job *river.Job[EvaluateArgs]) error {
	_, err := w.ev.Evaluate(ctx, job.Args.ScanID)
	return err
}
