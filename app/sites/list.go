package sites

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/predicate"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/site"
)

// Page limits of the list: the same as every other list's (app/scans).
const (
	DefaultLimit = 20
	MaxLimit     = 50
	// HistoryLimit bounds a site's scan history; TrendLimit its chart.
	HistoryLimit = 100
	TrendLimit   = 200
)

// ListParams select a page of an account's sites, newest first.
type ListParams struct {
	Page  int
	Limit int
	// Cursor continues after the last item of a previous page.
	Cursor string
}

// Pagination is the `pagination` object of list answers (the same fields
// as scans.Pagination, which the API converts it to).
type Pagination struct {
	Page       int    `json:"page"`
	Limit      int    `json:"limit"`
	Total      int    `json:"total"`
	Pages      int    `json:"pages"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Summary is a site as lists show it: the API's Site schema.
type Summary struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Domain string `json:"domain"`
	// Name is how pages name it: host, ":port" when not the default, path when not "/".
	Name      string    `json:"name"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"createdAt"`
	// LatestScanID and LatestStatus are the site's newest scan, whatever its status.
	LatestScanID *string            `json:"latestScanId"`
	LatestStatus *domain.ScanStatus `json:"latestStatus"`
	// Grade, Score and ScannedAt are of the newest graded scan (GradedScanID).
	GradedScanID *string         `json:"gradedScanId"`
	Grade        *string         `json:"grade"`
	Score        *int            `json:"score"`
	ScannedAt    *time.Time      `json:"scannedAt"`
	Monitor      *MonitorSummary `json:"monitor"`
}

// MonitorSummary is the site's monitor as the list shows it.
type MonitorSummary struct {
	ID        string           `json:"id"`
	Frequency domain.Frequency `json:"frequency"`
	Depth     domain.Depth     `json:"depth"`
	Hour      int              `json:"hour"`
	Active    bool             `json:"active"`
	// NextRunAt is when the next scheduled run is due; null while paused.
	NextRunAt *time.Time `json:"nextRunAt"`
	LastRunAt *time.Time `json:"lastRunAt"`
}

// HistoryEntry is one scan of a site, with its grade change against the
// previous graded scan at the same depth.
type HistoryEntry struct {
	ID            string            `json:"id"`
	Depth         domain.Depth      `json:"depth"`
	Status        domain.ScanStatus `json:"status"`
	Source        domain.Trigger    `json:"source"`
	Grade         *string           `json:"grade"`
	Score         *int              `json:"score"`
	FindingsCount int               `json:"findingsCount"`
	CreatedAt     time.Time         `json:"createdAt"`
	CompletedAt   *time.Time        `json:"completedAt"`
	// PreviousScanID and PreviousGrade are the graded scan before this one at
	// the same depth; GradeChange is up, down or same (null when either is missing).
	PreviousScanID *string `json:"previousScanId"`
	PreviousGrade  *string `json:"previousGrade"`
	GradeChange    *string `json:"gradeChange"`
}

// Grade changes of HistoryEntry.GradeChange.
const (
	ChangeUp   = "up"
	ChangeDown = "down"
	ChangeSame = "same"
)

// Detail is one site with its scan history, newest first: the API's SiteDetail.
type Detail struct {
	Summary
	Scans []HistoryEntry `json:"scans"`
}

// TrendPoint is one graded scan on the site's score chart.
type TrendPoint struct {
	ScanID    string       `json:"scanId"`
	ScannedAt time.Time    `json:"scannedAt"`
	Score     int          `json:"score"`
	Grade     string       `json:"grade"`
	Depth     domain.Depth `json:"depth"`
}

var historyColumns = []string{scan.FieldID, scan.FieldSiteID, scan.FieldDepth, scan.FieldStatus, scan.FieldSource,
	scan.FieldOverallScore, scan.FieldGrade, scan.FieldFindingsCount, scan.FieldCreatedAt, scan.FieldCompletedAt}

// List returns one page of the account's sites, newest first, each with its
// latest scan, latest grade and monitor. It costs five statements whatever
// the page size: the count, the page, the newest scan of each site, the
// newest graded scan of each site, and their monitors.
func (s *Service) List(ctx context.Context, accountID string, p ListParams) ([]Summary, Pagination, error) {
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
	p.Limit = min(p.Limit, MaxLimit)
	c := s.db.Read
	total, err := c.Site.Query().Where(site.AccountID(accountID)).Count(ctx)
	if err != nil {
		return nil, Pagination{}, err
	}
	q := c.Site.Query().Where(site.AccountID(accountID)).
		Order(ent.Desc(site.FieldCreatedAt), ent.Desc(site.FieldID)).Limit(p.Limit + 1)
	if p.Cursor != "" {
		at, id, err := decodeCursor(p.Cursor)
		if err != nil {
			return nil, Pagination{}, &errs.Validation{Field: "cursor", Message: "cursor is not one this API returned"}
		}
		q = q.Where(func(sel *entsql.Selector) {
			sel.Where(entsql.CompositeLT([]string{sel.C(site.FieldCreatedAt), sel.C(site.FieldID)}, at, id))
		})
	} else if p.Page > 1 {
		q = q.Offset((p.Page - 1) * p.Limit)
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, Pagination{}, err
	}
	pg := Pagination{Page: p.Page, Limit: p.Limit, Total: total, Pages: (total + p.Limit - 1) / p.Limit}
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		last := rows[len(rows)-1]
		pg.NextCursor = encodeCursor(last.CreatedAt, last.ID)
	}
	out, err := s.summaries(ctx, c, accountID, rows)
	return out, pg, err
}

// summaries adds each site's latest scans and monitor, in three queries.
func (s *Service) summaries(ctx context.Context, c *ent.Client, accountID string, rows []*ent.Site) ([]Summary, error) {
	out := make([]Summary, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	siteIDs := make([]string, len(rows))
	for i, r := range rows {
		siteIDs[i] = r.ID
	}
	latest, err := latestScans(ctx, c, accountID, siteIDs, false)
	if err != nil {
		return nil, err
	}
	graded, err := latestScans(ctx, c, accountID, siteIDs, true)
	if err != nil {
		return nil, err
	}
	mons, err := c.Monitor.Query().Where(monitor.AccountID(accountID), monitor.SiteIDIn(siteIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	bySite := make(map[string]*ent.Monitor, len(mons))
	for _, m := range mons {
		bySite[m.SiteID] = m
	}
	for _, r := range rows {
		out = append(out, summaryOf(r, latest[r.ID], graded[r.ID], bySite[r.ID]))
	}
	return out, nil
}

// latestScans returns the newest scan (or newest graded scan) of each of
// the sites, in one query: a correlated subquery picks each site's newest
// id on the (account_id, site_id, created_at, id) index.
func latestScans(ctx context.Context, c *ent.Client, accountID string, siteIDs []string, gradedOnly bool) (map[string]*ent.Scan, error) {
	rows, err := c.Scan.Query().
		Where(scan.AccountID(accountID), scan.SiteIDIn(siteIDs...)).
		Where(func(sel *entsql.Selector) {
			inner := entsql.Table(scan.Table).As("newer")
			sub := entsql.Select(inner.C(scan.FieldID)).From(inner).
				Where(entsql.And(
					entsql.EQ(inner.C(scan.FieldAccountID), accountID),
					entsql.ColumnsEQ(inner.C(scan.FieldSiteID), sel.C(scan.FieldSiteID)),
				))
			if gradedOnly {
				sub.Where(entsql.And(entsql.EQ(inner.C(scan.FieldStatus), domain.StatusCompleted), entsql.NotNull(inner.C(scan.FieldOverallScore))))
			}
			sub.OrderBy(entsql.Desc(inner.C(scan.FieldCreatedAt)), entsql.Desc(inner.C(scan.FieldID))).Limit(1)
			sel.Where(entsql.In(sel.C(scan.FieldID), sub))
		}).
		Select(historyColumns...).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the sites' latest scans: %w", err)
	}
	out := make(map[string]*ent.Scan, len(rows))
	for _, r := range rows {
		if r.SiteID != nil {
			out[*r.SiteID] = r
		}
	}
	return out, nil
}

func summaryOf(r *ent.Site, latest, graded *ent.Scan, m *ent.Monitor) Summary {
	sum := Summary{ID: r.ID, URL: r.TargetURL, Domain: r.TargetDomain, Name: scanner.TargetLabel(r.TargetURL),
		Label: r.Label, CreatedAt: r.CreatedAt.UTC()}
	if latest != nil {
		id, st := latest.ID, latest.Status
		sum.LatestScanID, sum.LatestStatus = &id, &st
	}
	if graded != nil {
		id, g := graded.ID, graded.Grade
		sum.GradedScanID, sum.Grade, sum.Score = &id, &g, graded.OverallScore
		at := graded.CreatedAt.UTC()
		if graded.CompletedAt != nil {
			at = graded.CompletedAt.UTC()
		}
		sum.ScannedAt = &at
	}
	if m != nil {
		ms := &MonitorSummary{ID: m.ID, Frequency: m.Frequency, Depth: m.Depth, Hour: m.Hour, Active: m.Active, LastRunAt: utcPtr(m.LastRunAt)}
		if m.Active {
			next := m.NextRunAt.UTC()
			ms.NextRunAt = &next
		}
		sum.Monitor = ms
	}
	return sum
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Get returns the account's site with its newest HistoryLimit scans,
// newest first; another account's id is ErrNotFound.
func (s *Service) Get(ctx context.Context, accountID, id string) (*Detail, error) {
	c := s.db.Read
	st, err := s.site(ctx, c, accountID, id)
	if err != nil {
		return nil, err
	}
	sums, err := s.summaries(ctx, c, accountID, []*ent.Site{st})
	if err != nil {
		return nil, err
	}
	rows, err := c.Scan.Query().Where(scan.AccountID(accountID), scan.SiteID(id)).Select(historyColumns...).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).Limit(HistoryLimit).All(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.history(ctx, c, accountID, id, rows)
	if err != nil {
		return nil, err
	}
	return &Detail{Summary: sums[0], Scans: entries}, nil
}

// history turns rows (newest first) into entries with their grade change
// against the previous graded scan at the same depth. The oldest graded scan
// of each depth in the window looks further back with one query per depth,
// so the first row of the window is compared like any other.
func (s *Service) history(ctx context.Context, c *ent.Client, accountID, siteID string, rows []*ent.Scan) ([]HistoryEntry, error) {
	out := make([]HistoryEntry, len(rows))
	// Walk oldest to newest, remembering the last graded scan per depth.
	prev := map[domain.Depth]*ent.Scan{}
	for _, d := range domain.Depths() {
		var oldest *ent.Scan
		for i := len(rows) - 1; i >= 0; i-- {
			if rows[i].Depth == d && graded(rows[i]) {
				oldest = rows[i]
				break
			}
		}
		if oldest == nil {
			continue
		}
		before, err := c.Scan.Query().Where(scan.AccountID(accountID), scan.SiteID(siteID), scan.DepthEQ(d),
			scan.StatusEQ(domain.StatusCompleted), scan.OverallScoreNotNil()).
			Where(func(sel *entsql.Selector) {
				sel.Where(entsql.CompositeLT([]string{sel.C(scan.FieldCreatedAt), sel.C(scan.FieldID)}, oldest.CreatedAt, oldest.ID))
			}).
			Select(historyColumns...).Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).First(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		if before != nil {
			prev[d] = before
		}
	}
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		e := HistoryEntry{ID: r.ID, Depth: r.Depth, Status: r.Status, Source: r.Source, Score: r.OverallScore,
			FindingsCount: r.FindingsCount, CreatedAt: r.CreatedAt.UTC(), CompletedAt: utcPtr(r.CompletedAt)}
		if graded(r) {
			g := r.Grade
			e.Grade = &g
			if p := prev[r.Depth]; p != nil {
				pid, pg := p.ID, p.Grade
				e.PreviousScanID, e.PreviousGrade = &pid, &pg
				ch := GradeChange(pg, g)
				e.GradeChange = &ch
			}
			prev[r.Depth] = r
		}
		out[i] = e
	}
	return out, nil
}

func graded(r *ent.Scan) bool {
	return r.Status == domain.StatusCompleted && r.OverallScore != nil && r.Grade != ""
}

// gradeOrder is the grades, best first (docs/scoring.md).
var gradeOrder = []string{"A+", "A", "B", "C", "D", "F"}

// GradeChange says whether after is better (up), worse (down) or the same as before.
func GradeChange(before, after string) string {
	b, a := slices.Index(gradeOrder, before), slices.Index(gradeOrder, after)
	switch {
	case a < b:
		return ChangeUp
	case a > b:
		return ChangeDown
	}
	return ChangeSame
}

// Trend returns the site's newest TrendLimit graded scans, oldest first,
// for its score chart (every depth; the chart draws one line per depth).
func (s *Service) Trend(ctx context.Context, accountID, siteID string) ([]TrendPoint, error) {
	c := s.db.Read
	if _, err := s.site(ctx, c, accountID, siteID); err != nil {
		return nil, err
	}
	return s.trend(ctx, c, accountID, []string{siteID})
}

// Trends returns up to perSite newest trend points of each of several
// sites of the account, oldest first, keyed by site, in one query (the
// Sites page draws a small chart per site).
func (s *Service) Trends(ctx context.Context, accountID string, siteIDs []string, perSite int) (map[string][]TrendPoint, error) {
	out := map[string][]TrendPoint{}
	if len(siteIDs) == 0 {
		return out, nil
	}
	perSite = min(max(perSite, 1), TrendLimit)
	rows, err := s.trendRows(ctx, s.db.Read, accountID, siteIDs, perSite*len(siteIDs))
	if err != nil {
		return nil, err
	}
	// rows are newest first: keep each site's newest perSite, then reverse.
	for _, r := range rows {
		if r.SiteID == nil || len(out[*r.SiteID]) >= perSite {
			continue
		}
		out[*r.SiteID] = append(out[*r.SiteID], pointOf(r))
	}
	for _, ps := range out {
		slices.Reverse(ps)
	}
	return out, nil
}

func (s *Service) trend(ctx context.Context, c *ent.Client, accountID string, siteIDs []string) ([]TrendPoint, error) {
	rows, err := s.trendRows(ctx, c, accountID, siteIDs, TrendLimit)
	if err != nil {
		return nil, err
	}
	out := make([]TrendPoint, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, pointOf(rows[i]))
	}
	return out, nil
}

func (s *Service) trendRows(ctx context.Context, c *ent.Client, accountID string, siteIDs []string, limit int) ([]*ent.Scan, error) {
	preds := []predicate.Scan{scan.AccountID(accountID), scan.StatusEQ(domain.StatusCompleted), scan.OverallScoreNotNil()}
	if len(siteIDs) == 1 {
		preds = append(preds, scan.SiteID(siteIDs[0]))
	} else {
		preds = append(preds, scan.SiteIDIn(siteIDs...))
	}
	return c.Scan.Query().Where(preds...).Select(historyColumns...).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).Limit(limit).All(ctx)
}

func pointOf(r *ent.Scan) TrendPoint {
	at := r.CreatedAt.UTC()
	if r.CompletedAt != nil {
		at = r.CompletedAt.UTC()
	}
	return TrendPoint{ScanID: r.ID, ScannedAt: at, Score: *r.OverallScore, Grade: r.Grade, Depth: r.Depth}
}

func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", err
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok || id == "" || !strings.HasPrefix(id, "sit_") {
		return time.Time{}, "", fmt.Errorf("malformed cursor")
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, id, err
}
