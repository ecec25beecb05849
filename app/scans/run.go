package scans

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/scan"
)

// Worker runs scan jobs from the queue.
type Worker struct {
	river.WorkerDefaults[Args]
	svc *Service
}

// NewWorker returns the River worker for scans.
func NewWorker(svc *Service) *Worker { return &Worker{svc: svc} }

// Work runs one scan job.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.svc.Run(ctx, job.Args.ScanID)
}

// ErrHandedBack means the scan was interrupted by shutdown and returned to the queue.
var ErrHandedBack = errors.New("scan interrupted by shutdown; handed back to the queue")

// Run executes the scan id. It is idempotent: a finished scan is left alone,
// so a retried or rescued job never completes a scan twice.
func (s *Service) Run(ctx context.Context, id string) error {
	c := s.db.Ent
	sc, err := c.Scan.Get(ctx, id)
	if ent.IsNotFound(err) {
		s.log.Warn("scan job for a missing scan", "scan_id", id)
		return nil
	}
	if err != nil {
		return err
	}
	switch sc.Status {
	case scan.StatusCOMPLETED, scan.StatusFAILED, scan.StatusCANCELLED:
		return nil
	}
	now := s.now()
	n, err := c.Scan.Update().
		Where(scan.ID(id), scan.StatusIn(scan.StatusPENDING, scan.StatusRUNNING)).
		SetStatus(scan.StatusRUNNING).SetStartedAt(now).SetUpdatedAt(now).Save(ctx)
	if err != nil || n == 0 {
		return err
	}
	s.event(ctx, sc, "start", scanner.Event{})
	started := time.Now()
	res, scanErr := s.scanner.Scan(ctx, sc.TargetURL, scanner.Depth(sc.Depth), func(e scanner.Event) {
		s.event(context.WithoutCancel(ctx), sc, "check:complete", e)
	})
	if scanErr != nil && errors.Is(scanErr, context.Canceled) {
		// Shutdown: give the scan back to the queue; River retries the job.
		bg := context.WithoutCancel(ctx)
		_ = c.Scan.Update().Where(scan.ID(id), scan.StatusEQ(scan.StatusRUNNING)).
			SetStatus(scan.StatusPENDING).SetUpdatedAt(s.now()).Exec(bg)
		return ErrHandedBack
	}
	return s.finish(context.WithoutCancel(ctx), sc, res, scanErr, time.Since(started))
}

// finish stores the outcome in one transaction, only if the scan is still RUNNING.
func (s *Service) finish(ctx context.Context, sc *ent.Scan, res *scanner.Result, scanErr error, took time.Duration) error {
	status := scan.StatusCOMPLETED
	msg := ""
	switch {
	case errors.Is(scanErr, context.DeadlineExceeded):
		status, msg = scan.StatusFAILED, "deadline exceeded"
	case scanErr != nil:
		status, msg = scan.StatusFAILED, scanErr.Error()
	case res == nil:
		status, msg = scan.StatusFAILED, "the scanner returned no result"
	case res.Error != "" && res.StatusCode == 0:
		status, msg = scan.StatusFAILED, res.Error
	}
	if res != nil && msg != "" && res.Error == "" {
		res.Error = msg
	}
	now := s.now()
	tx, err := s.db.Ent.Tx(ctx)
	if err != nil {
		return err
	}
	upd := tx.Scan.Update().Where(scan.ID(sc.ID), scan.StatusEQ(scan.StatusRUNNING)).
		SetStatus(status).SetCompletedAt(now).SetUpdatedAt(now).SetDurationMs(took.Milliseconds())
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if msg != "" {
		upd = upd.SetError(msg)
	}
	if res != nil {
		b, err := json.Marshal(res)
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		upd = upd.SetResult(string(b)).SetFinalURL(truncate(res.FinalURL, 2048)).
			SetFindingsCount(len(res.Findings)).SetDurationMs(res.DurationMs)
		if status == scan.StatusCOMPLETED {
			upd = upd.SetOverallScore(res.OverallScore).SetGrade(res.Grade)
		}
	}
	n, err := upd.Save(ctx)
	if err != nil || n == 0 {
		_ = tx.Rollback()
		return err
	}
	if res != nil && len(res.Findings) > 0 {
		bulk := make([]*ent.FindingCreate, 0, len(res.Findings))
		for _, f := range res.Findings {
			bulk = append(bulk, tx.Finding.Create().
				SetAccountID(sc.AccountID).SetScanID(sc.ID).
				SetCheckID(f.CheckID).SetCategory(f.Category).
				SetSeverity(finding.Severity(cmp.Or(string(f.Severity), "info"))).
				SetTitle(cmp.Or(f.Title, f.CheckID)).SetDescription(f.Description).
				SetRecommendation(f.Recommendation).SetEvidence(f.Evidence))
		}
		for chunk := range slices.Chunk(bulk, 100) {
			if err := tx.Finding.CreateBulk(chunk...).Exec(ctx); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("storing findings: %w", err)
			}
		}
	}
	kind := "complete"
	if status == scan.StatusFAILED {
		kind = "failed"
	}
	if err := tx.ScanEvent.Create().SetAccountID(sc.AccountID).SetScanID(sc.ID).SetKind(kind).
		SetStatus(string(status)).SetName(msg).Exec(ctx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.log.Info("scan finished", "scan_id", sc.ID, "account_id", sc.AccountID, "status", status,
		"depth", sc.Depth, "duration_ms", took.Milliseconds(), "err", msg)
	return nil
}

func (s *Service) event(ctx context.Context, sc *ent.Scan, kind string, e scanner.Event) {
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
