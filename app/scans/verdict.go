package scans

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/usage"
)

// Advice shown when the scan itself ended without a verdict
// (docs/scoring.md, "Scans that are not graded").
const (
	adviceCancelled = "Start a new scan when you are ready; a cancelled scan is not graded."
	adviceFailed    = "Scan again in a few minutes; if it fails again, try a QUICK scan or check that the site answers quickly."
)

// settle makes res say what the scan's end means for its grade, before it
// is stored: a result that is not graded (the scanner said so, or the scan
// was cancelled or failed) has no grade, no score, no cap and no findings,
// so no surface can offer a fix list for a site nothing was judged of. It
// returns the result to store, which is never nil for an ended scan, so the
// stored JSON always carries notGraded when there is no grade.
func settle(sc *ent.Scan, status domain.ScanStatus, msg string, res *scanner.Result) *scanner.Result {
	if res == nil {
		res = &scanner.Result{TargetURL: sc.TargetURL, TargetDomain: sc.TargetDomain, Depth: sc.Depth, Error: msg}
	}
	if res.ScannedAt.IsZero() && sc.StartedAt != nil {
		res.ScannedAt = sc.StartedAt.UTC()
	}
	SettleResult(res, status, msg)
	return res
}

// SettleResult is settle for a result with no scan row (`palisade scan`):
// it sets NotGraded for a cancelled or failed scan the scanner did not
// explain, and clears the grade, score, cap and findings of any result that
// is not graded.
func SettleResult(res *scanner.Result, status domain.ScanStatus, msg string) {
	if res.NotGraded == nil {
		switch status {
		case domain.StatusCancelled:
			res.NotGraded = &scanner.NotGraded{Reason: scanner.NotGradedCancelled,
				Detail: "The scan was cancelled before it finished.", Advice: adviceCancelled}
		case domain.StatusFailed:
			detail := msg
			if detail == "" {
				detail = "the scan could not complete"
			}
			res.NotGraded = &scanner.NotGraded{Reason: scanner.NotGradedFailed,
				Detail: fmt.Sprintf("The scan could not complete: %s.", trimDot(detail)), Advice: adviceFailed}
		}
	}
	if res.NotGraded != nil {
		res.Grade = ""
		res.OverallScore = 0
		res.GradeCap = nil
		res.Findings = nil
		res.Summary = scanner.Summary{}
	}
}

// StatusOf is the terminal status (and its error message) of a scan whose
// result the scanner says is not graded; see statusOf.
func StatusOf(res *scanner.Result) (domain.ScanStatus, string) { return statusOf(res) }

// statusOf is the terminal status of a scan the scanner says is not graded:
// one that never reached the site failed; one that reached a challenge page
// completed (the site answered, just not with itself).
func statusOf(res *scanner.Result) (domain.ScanStatus, string) {
	if res == nil || res.NotGraded == nil {
		return domain.StatusCompleted, ""
	}
	switch res.NotGraded.Reason {
	case scanner.NotGradedUnreachable, scanner.NotGradedFailed:
		return domain.StatusFailed, trimDot(res.NotGraded.Detail)
	case scanner.NotGradedCancelled:
		return domain.StatusCancelled, "cancelled"
	}
	return domain.StatusCompleted, ""
}

// refundable reports whether a scan with this result never reached its
// target, so its unit of quota goes back to the month it was taken from.
func refundable(res *scanner.Result) bool {
	return res != nil && res.NotGraded != nil && res.NotGraded.Reason == scanner.NotGradedUnreachable
}

// refundQuota gives the scan's unit back to the usage of the month it was
// accepted in, at most once: the flag flips false → true in a conditional
// update and only the transaction that flipped it decrements the counter,
// so any number of concurrent finishers refund exactly one unit. It must
// run inside the caller's transaction (c is its client).
func refundQuota(ctx context.Context, c *ent.Client, sc *ent.Scan, now time.Time) (bool, error) {
	n, err := c.Scan.Update().Where(scan.ID(sc.ID), scan.QuotaRefunded(false)).SetQuotaRefunded(true).Save(ctx)
	if err != nil || n == 0 {
		return false, err
	}
	// A unit goes back to the allowance it came from: the scan quota for a
	// manual scan, the monitor runs for a monitor's; a confirming re-scan
	// took nothing.
	upd := c.Usage.Update().Where(usage.AccountID(sc.AccountID), usage.Period(Period(sc.CreatedAt)))
	switch sc.Source {
	case domain.TriggerMonitor:
		upd = upd.Where(usage.MonitorRunsGT(0)).AddMonitorRuns(-1)
	case domain.TriggerConfirm:
		return true, nil
	default:
		upd = upd.Where(usage.ScansGT(0)).AddScans(-1)
	}
	if _, err := upd.SetUpdatedAt(now).Save(ctx); err != nil {
		return false, fmt.Errorf("refunding quota: %w", err)
	}
	return true, nil
}

func trimDot(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '.' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

// encodeFix is a finding's structured fix as stored in findings.fix ("" for none).
func encodeFix(f *scanner.Fix) (string, error) {
	if f == nil {
		return "", nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encoding a fix: %w", err)
	}
	return string(b), nil
}

// decodeFix reads findings.fix back; a row without one (stored before fixes
// were structured) has none.
func decodeFix(s string) *scanner.Fix {
	if s == "" {
		return nil
	}
	var f scanner.Fix
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return nil
	}
	return &f
}

// cancelledResult is the stored result of a scan cancelled where no worker
// ran it to the end: not graded, nothing judged.
func cancelledResult(sc *ent.Scan) (string, error) {
	b, err := json.Marshal(settle(sc, domain.StatusCancelled, "cancelled by the user", nil))
	return string(b), err
}
