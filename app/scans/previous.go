package scans

import (
	"context"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/scan"
)

// previousWindow bounds how many earlier scans of one domain are looked at
// for one of the same target: a domain's scans on other ports or paths are
// skipped, and hundreds of them would mean the user has no comparable scan.
const previousWindow = 50

// PreviousComparable returns the latest graded scan of the same target
// (scheme, host, port, path: scanner.SameTarget) in s's account that was
// created before s, with its result; nil and nil when there is none. The
// domain index narrows the rows; the target is compared in Go, so a scan
// of http://host:8080 is never compared with one of https://host.
func PreviousComparable(ctx context.Context, c *ent.Client, s *ent.Scan) (*ent.Scan, *scanner.Result, error) {
	rows, err := c.Scan.Query().
		Where(scan.AccountID(s.AccountID), scan.TargetDomain(s.TargetDomain), scan.StatusEQ(domain.StatusCompleted),
			scan.GradeNEQ(""), scan.CreatedAtLT(s.CreatedAt), scan.IDNEQ(s.ID)).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).Limit(previousWindow).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range rows {
		if !scanner.SameTarget(p.TargetURL, s.TargetURL) {
			continue
		}
		res, err := decodeResult(p.Result)
		if err != nil || res == nil || res.NotGraded != nil {
			continue
		}
		return p, res, nil
	}
	return nil, nil, nil
}

// Previous is PreviousComparable for the account's scan sc: the scan the
// "changes since the previous scan" views compare sc with. sc must be one
// the account's own queries returned (Get); a scan of another account has
// no previous scan here.
func (s *Service) Previous(ctx context.Context, accountID string, sc *ent.Scan) (*ent.Scan, *scanner.Result, error) {
	if sc == nil || sc.AccountID != accountID {
		return nil, nil, nil
	}
	return PreviousComparable(ctx, s.db.Read, sc)
}
