package scans

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/predicate"
	"github.com/palisade/palisade/ent/scan"
)

// Page limits of every list.
const (
	DefaultLimit = 20
	MaxLimit     = 50
)

// ListParams select a page of an account's scans, newest first.
type ListParams struct {
	Page   int
	Limit  int
	Status string
	Domain string
	// Cursor continues after the last item of a previous page; its cost does
	// not grow with depth.
	Cursor string
}

// Pagination is the `pagination` object of list answers.
type Pagination struct {
	Page       int    `json:"page"`
	Limit      int    `json:"limit"`
	Total      int    `json:"total"`
	Pages      int    `json:"pages"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// listColumns are what a list shows: never the stored result JSON.
var listColumns = []string{scan.FieldID, scan.FieldAccountID, scan.FieldTargetURL, scan.FieldTargetDomain, scan.FieldDepth,
	scan.FieldStatus, scan.FieldOverallScore, scan.FieldGrade, scan.FieldFindingsCount,
	scan.FieldCreatedAt, scan.FieldCompletedAt, scan.FieldUpdatedAt}

// List returns one page of the account's scans and the pagination facts.
func (s *Service) List(ctx context.Context, accountID string, p ListParams) ([]*ent.Scan, Pagination, error) {
	if p.Page == 0 {
		p.Page = 1
	}
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Page < 1 {
		return nil, Pagination{}, &errs.Validation{Field: "page", Message: "page must be 1 or more"}
	}
	if p.Limit < 1 {
		return nil, Pagination{}, &errs.Validation{Field: "limit", Message: "limit must be 1 or more"}
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	preds := []predicate.Scan{scan.AccountID(accountID)}
	if p.Status != "" {
		st, ok := domain.ParseScanStatus(p.Status)
		if !ok {
			return nil, Pagination{}, &errs.Validation{Field: "status", Message: "status must be PENDING, RUNNING, COMPLETED, FAILED or CANCELLED"}
		}
		preds = append(preds, scan.StatusEQ(st))
	}
	if p.Domain != "" {
		preds = append(preds, scan.TargetDomain(strings.ToLower(strings.TrimSpace(p.Domain))))
	}
	var total int
	var err error
	if p.Domain != "" {
		// One site's history: an index range count on (account_id, target_domain).
		total, err = s.db.Read.Scan.Query().Where(preds...).Count(ctx)
	} else {
		// Whole history: the per-status counters, never a COUNT(*) over it.
		total, err = s.countScans(ctx, accountID, strings.ToUpper(p.Status))
	}
	if err != nil {
		return nil, Pagination{}, err
	}
	q := s.db.Read.Scan.Query().Where(preds...).
		Select(listColumns...).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).
		Limit(p.Limit + 1)
	if p.Cursor != "" {
		at, id, err := decodeCursor(p.Cursor)
		if err != nil {
			return nil, Pagination{}, &errs.Validation{Field: "cursor", Message: "cursor is not one this API returned"}
		}
		// A row-value comparison, which both engines turn into one range
		// scan of the (account_id, created_at, id) index whatever the
		// statistics; the equivalent OR of two conditions is not always.
		q = q.Where(func(s *entsql.Selector) {
			s.Where(entsql.CompositeLT([]string{s.C(scan.FieldCreatedAt), s.C(scan.FieldID)}, at, id))
		})
	} else if p.Page > 1 {
		// Deep pages in one statement: the subquery skips rows on the
		// covering (account_id, created_at, id) index, reading ids only, and
		// the outer query fetches just this page's rows by primary key, so
		// OFFSET never reads the rows it skips. The account scopes the
		// subquery; the outer query has no predicate of its own that could
		// tempt a planner without statistics onto the account index.
		offset := (p.Page - 1) * p.Limit
		q = s.db.Read.Scan.Query().
			Where(func(sel *entsql.Selector) {
				page := entsql.Select(entsql.Table(scan.Table).As("page").C(scan.FieldID)).From(entsql.Table(scan.Table).As("page"))
				for _, pred := range preds {
					pred(page)
				}
				page.OrderBy(entsql.Desc(page.C(scan.FieldCreatedAt)), entsql.Desc(page.C(scan.FieldID))).
					Offset(offset).Limit(p.Limit + 1)
				sel.Where(entsql.In(sel.C(scan.FieldID), page))
			}).
			Select(listColumns...).
			Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID))
	}
	items, err := q.All(ctx)
	if err != nil {
		return nil, Pagination{}, err
	}
	return s.page(items, p, total)
}

// page trims the one-extra row used to detect a next page into the cursor.
func (s *Service) page(items []*ent.Scan, p ListParams, total int) ([]*ent.Scan, Pagination, error) {
	pg := Pagination{Page: p.Page, Limit: p.Limit, Total: total, Pages: (total + p.Limit - 1) / p.Limit}
	if len(items) > p.Limit {
		items = items[:p.Limit]
		last := items[len(items)-1]
		pg.NextCursor = EncodeCursor(last.CreatedAt, last.ID)
	}
	return items, pg, nil
}

// EncodeCursor makes the opaque cursor that continues after (t, id).
func EncodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", err
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok || id == "" {
		return time.Time{}, "", fmt.Errorf("malformed cursor")
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, id, err
}

// Trend returns the account's last n completed scans of site, oldest
// first, for the grade trend chart.
func (s *Service) Trend(ctx context.Context, accountID, site string, n int) ([]*ent.Scan, error) {
	rows, err := s.db.Read.Scan.Query().
		Where(scan.AccountID(accountID), scan.TargetDomain(strings.ToLower(strings.TrimSpace(site))),
			scan.StatusEQ(domain.StatusCompleted), scan.OverallScoreNotNil()).
		Select(scan.FieldID, scan.FieldOverallScore, scan.FieldGrade, scan.FieldCreatedAt).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).Limit(n).All(ctx)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows, nil
}
