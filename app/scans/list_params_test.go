package scans

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent/scan"
)

// TestListParams: what List refuses, what it clamps, and the totals it
// reports from the counters (or, for one domain, from the index).
func TestListParams(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("lister", domain.PlanEnterprise)
	target := site(t)
	for range 3 {
		e.clock.Advance(time.Second)
		e.accept(acc, target)
	}
	claimIt(e, e.firstPending(acc.ID))
	for _, tc := range []struct {
		name      string
		p         ListParams
		field     string // a validation error on this field
		wantItems int
		wantPg    Pagination
		cursor    bool
	}{
		{name: "defaults", p: ListParams{}, wantItems: 3, wantPg: Pagination{Page: 1, Limit: DefaultLimit, Total: 3, Pages: 1}},
		{name: "limit clamped", p: ListParams{Limit: 1000}, wantItems: 3, wantPg: Pagination{Page: 1, Limit: MaxLimit, Total: 3, Pages: 1}},
		{name: "next cursor on a full page", p: ListParams{Limit: 2}, wantItems: 2, wantPg: Pagination{Page: 1, Limit: 2, Total: 3, Pages: 2}, cursor: true},
		{name: "second page by number", p: ListParams{Page: 2, Limit: 2}, wantItems: 1, wantPg: Pagination{Page: 2, Limit: 2, Total: 3, Pages: 2}},
		{name: "status filter any case", p: ListParams{Status: "running"}, wantItems: 1, wantPg: Pagination{Page: 1, Limit: DefaultLimit, Total: 1, Pages: 1}},
		{name: "domain filter counts rows", p: ListParams{Domain: " 127.0.0.1 "}, wantItems: 3, wantPg: Pagination{Page: 1, Limit: DefaultLimit, Total: 3, Pages: 1}},
		{name: "unknown domain", p: ListParams{Domain: "nowhere.example"}, wantPg: Pagination{Page: 1, Limit: DefaultLimit}},
		{name: "negative page", p: ListParams{Page: -1}, field: "page"},
		{name: "negative limit", p: ListParams{Limit: -5}, field: "limit"},
		{name: "unknown status", p: ListParams{Status: "DONE"}, field: "status"},
		{name: "cursor not base64", p: ListParams{Cursor: "%%%"}, field: "cursor"},
		{name: "cursor without id", p: ListParams{Cursor: base64.RawURLEncoding.EncodeToString([]byte("2026-11-15T12:00:00Z"))}, field: "cursor"},
		{name: "cursor with a bad time", p: ListParams{Cursor: base64.RawURLEncoding.EncodeToString([]byte("yesterday|scn_x"))}, field: "cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, pg, err := e.svc.List(ctx, acc.ID, tc.p)
			if tc.field != "" {
				var v *errs.Validation
				if !errors.As(err, &v) || v.Field != tc.field {
					t.Fatalf("err = %v, want a validation error on %q", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (pg.NextCursor != "") != tc.cursor {
				t.Errorf("next cursor %q, want one: %v", pg.NextCursor, tc.cursor)
			}
			pg.NextCursor = ""
			if len(items) != tc.wantItems || pg != tc.wantPg {
				t.Errorf("%d items, %+v; want %d, %+v", len(items), pg, tc.wantItems, tc.wantPg)
			}
			for _, it := range items {
				if it.Result != "" || it.AccountID != acc.ID {
					t.Errorf("list item %s carries its result or another account", it.ID)
				}
			}
		})
	}
}

func (e *env) firstPending(accountID string) string {
	e.t.Helper()
	id, err := e.d.Ent.Scan.Query().Where(scan.AccountID(accountID), scan.StatusEQ(domain.StatusPending)).
		Order(scan.ByCreatedAt()).FirstID(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestTrend: the last n completed, scored scans of one domain, oldest first,
// never another domain's, another account's or an unfinished one.
func TestTrend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("trend", domain.PlanEnterprise)
	other := e.account("other", domain.PlanEnterprise)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	mk := func(accountID, domain string, st domain.ScanStatus, score *int, at time.Time) string {
		c := e.d.Ent.Scan.Create().SetAccountID(accountID).SetTargetURL("https://" + domain + "/").SetTargetDomain(domain).
			SetStatus(st).SetCreatedAt(at).SetUpdatedAt(at)
		if score != nil {
			c.SetOverallScore(*score).SetGrade("B")
		}
		sc, err := c.Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return sc.ID
	}
	score := func(n int) *int { return &n }
	var want []string
	for i := range 5 {
		id := mk(acc.ID, "a.example", domain.StatusCompleted, score(60+i), base.Add(time.Duration(i)*time.Hour))
		if i >= 2 {
			want = append(want, id)
		}
	}
	mk(acc.ID, "a.example", domain.StatusFailed, nil, base.Add(10*time.Hour))
	mk(acc.ID, "a.example", domain.StatusRunning, nil, base.Add(11*time.Hour))
	mk(acc.ID, "b.example", domain.StatusCompleted, score(90), base.Add(12*time.Hour))
	mk(other.ID, "a.example", domain.StatusCompleted, score(10), base.Add(13*time.Hour))
	rows, err := e.svc.Trend(ctx, acc.ID, " A.example", 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("trend %v, want %v", got, want)
	}
}

// TestUsedAndTheCalendarMonth: usage is per calendar month in UTC; a new
// month starts at zero, and cancelling an old month's pending scan gives
// the unit back to that month.
func TestUsedAndTheCalendarMonth(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc := e.account("monthly", domain.PlanFree)
	e.clock.Set(time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC))
	old := e.accept(acc, site(t))
	e.clock.Advance(2 * time.Minute)
	if used, err := e.svc.Used(ctx, acc.ID); err != nil || used != 0 {
		t.Fatalf("December's usage %d (%v), want 0", used, err)
	}
	e.accept(acc, site(t))
	if _, err := e.svc.Cancel(ctx, acc.ID, old.ID); err != nil {
		t.Fatal(err)
	}
	if used, _ := e.svc.Used(ctx, acc.ID); used != 1 {
		t.Errorf("December's usage %d after cancelling November's scan, want 1", used)
	}
	e.clock.Set(time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC))
	if used, _ := e.svc.Used(ctx, acc.ID); used != 0 {
		t.Errorf("November's usage %d after its scan was cancelled, want 0", used)
	}
	if got := ResetsAt(time.Date(2026, 12, 31, 23, 0, 0, 0, time.FixedZone("x", -5*3600))); !got.Equal(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ResetsAt across a year end in UTC-5 = %v", got)
	}
}
