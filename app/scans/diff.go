package scans

import (
	"context"
	"errors"
	"fmt"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
)

// DiffView is the ScanDiff schema of app/api/openapi.json
// (`GET /api/v1/scan/{id}/diff`): the comparison of scan ScanID with the
// earlier scan AgainstID, in the shape of scanner.Diff (docs/scoring.md,
// "Comparing two scans").
type DiffView struct {
	ScanID    string `json:"scanId"`
	AgainstID string `json:"againstId"`
	scanner.Diff
}

// Diff compares the account's scan id with the scan against (before → after:
// against is the baseline). An empty against means the previous completed
// comparable scan of the same target (PreviousComparable). Either id unknown
// or another account's is errs.NotFound; scans that cannot be compared
// (another target, one not graded or not finished, no earlier scan) are an
// errs.Conflict whose message says why in one sentence.
func (s *Service) Diff(ctx context.Context, accountID, id, against string) (DiffView, error) {
	after, err := s.Get(ctx, accountID, id)
	if err != nil {
		return DiffView{}, err
	}
	afterRes, err := gradedResult(after, "the scan")
	if err != nil {
		return DiffView{}, err
	}
	var before *ent.Scan
	var beforeRes *scanner.Result
	if against == "" {
		before, beforeRes, err = PreviousComparable(ctx, s.db.Read, after)
		if err != nil {
			return DiffView{}, err
		}
		if before == nil {
			return DiffView{}, &errs.Conflict{Field: "against",
				Message: "there is no earlier graded scan of " + after.TargetURL + " to compare with"}
		}
	} else {
		if before, err = s.Get(ctx, accountID, against); err != nil {
			return DiffView{}, err
		}
		if before.ID == after.ID {
			return DiffView{}, &errs.Conflict{Field: "against", Message: "a scan cannot be compared with itself; pass another scan's id as against"}
		}
		if beforeRes, err = gradedResult(before, "the scan to compare against"); err != nil {
			return DiffView{}, err
		}
	}
	// Compare decides what is comparable (the same target, both graded) and says why not.
	d, err := scanner.Compare(beforeRes, afterRes)
	if err != nil {
		var nc *scanner.NotComparableError
		if errors.As(err, &nc) {
			return DiffView{}, &errs.Conflict{Field: "against", Message: nc.Reason}
		}
		return DiffView{}, err
	}
	return DiffView{ScanID: after.ID, AgainstID: before.ID, Diff: *d}, nil
}

// gradedResult is the stored result of a finished, graded scan, or the
// conflict that says why sc has nothing to compare.
func gradedResult(sc *ent.Scan, which string) (*scanner.Result, error) {
	switch sc.Status {
	case domain.StatusPending, domain.StatusRunning:
		return nil, &errs.Conflict{Message: which + " has not finished yet; compare it when it has"}
	}
	res, err := decodeResult(sc.Result)
	if err != nil {
		return nil, err
	}
	if res == nil || res.NotGraded != nil || sc.Status != domain.StatusCompleted || sc.Grade == "" {
		why := string(sc.Status)
		if res != nil && res.NotGraded != nil {
			why = trimDot(res.NotGraded.Detail)
		}
		return nil, &errs.Conflict{Message: fmt.Sprintf("%s (%s) was not graded (%s), so there is nothing to compare", which, sc.ID, why)}
	}
	if res.ScannedAt.IsZero() && sc.StartedAt != nil {
		res.ScannedAt = sc.StartedAt.UTC()
	}
	return res, nil
}
