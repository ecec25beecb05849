package scans

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/predicate"
	"github.com/palisade/palisade/ent/scan"
)

// TestCursorWalksTiesExactlyOnce: scans created in the same instant are
// ordered by id, and a cursor that lands inside such a group continues
// exactly after the last item, at every page size.
func TestCursorWalksTiesExactlyOnce(t *testing.T) {
	d := testdb.Open(t)
	ctx := t.Context()
	acc, err := d.Ent.Account.Create().SetName("ties").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, err := d.Ent.Account.Create().SetName("other").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	// 5 instants with 5 scans each, the instants a microsecond and a second apart.
	offsets := []time.Duration{0, time.Microsecond, time.Second, time.Second + 500*time.Millisecond, time.Hour}
	bulk := d.Ent.Scan.MapCreateBulk(make([]int, 25), func(c *ent.ScanCreate, i int) {
		at := base.Add(offsets[i/5])
		c.SetAccountID(acc.ID).SetTargetURL("https://t.example/").SetTargetDomain("t.example").SetCreatedAt(at).SetUpdatedAt(at)
	})
	if err := bulk.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Another account's scans interleave in time and must never appear.
	if err := d.Ent.Scan.Create().SetAccountID(other.ID).SetTargetURL("https://o.example/").SetTargetDomain("o.example").
		SetCreatedAt(base.Add(time.Second)).SetUpdatedAt(base).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := d.Ent.Scan.Query().Where(scan.AccountID(acc.ID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, func(a, b *ent.Scan) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	s := NewService(d, nil, nil, slog.New(slog.DiscardHandler))
	for _, limit := range []int{1, 2, 3, 4, 5, 7, 25, 50} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			var got []string
			cursor := ""
			for range 30 {
				items, pg, err := s.List(ctx, acc.ID, ListParams{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					got = append(got, it.ID)
				}
				if cursor = pg.NextCursor; cursor == "" {
					break
				}
			}
			want := make([]string, len(all))
			for i, sc := range all {
				want[i] = sc.ID
			}
			if !slices.Equal(got, want) {
				t.Fatalf("walk by cursor gave %d scans in this order:\n%v\nwant %d:\n%v", len(got), got, len(want), want)
			}
		})
	}
}

// TestPagesMatchTheOrder: every page by number holds exactly its slice of
// the account's history, filtered or not, and never another account's scan.
func TestPagesMatchTheOrder(t *testing.T) {
	d := testdb.Open(t)
	ctx := t.Context()
	var accs []*ent.Account
	for _, name := range []string{"mine", "theirs"} {
		a, err := d.Ent.Account.Create().SetName(name).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a)
	}
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	bulk := d.Ent.Scan.MapCreateBulk(make([]int, 60), func(c *ent.ScanCreate, i int) {
		at := base.Add(time.Duration(i/2) * time.Second) // pairs share an instant
		site := fmt.Sprintf("d%d.example", i%3)
		st := domain.StatusCompleted
		if i%4 == 0 {
			st = domain.StatusFailed
		}
		c.SetAccountID(accs[i%5/4].ID).SetTargetURL("https://" + site + "/").SetTargetDomain(site).
			SetStatus(st).SetCreatedAt(at).SetUpdatedAt(at)
	})
	if err := bulk.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	s := NewService(d, nil, nil, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		name   string
		params ListParams
		where  []predicate.Scan
	}{
		{"all", ListParams{}, nil},
		{"one domain", ListParams{Domain: "d1.example"}, []predicate.Scan{scan.TargetDomain("d1.example")}},
		{"failed only", ListParams{Status: "failed"}, []predicate.Scan{scan.StatusEQ(domain.StatusFailed)}},
	} {
		want, err := d.Ent.Scan.Query().Where(append(tc.where, scan.AccountID(accs[0].ID))...).
			Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{4, 7} {
			for page := 1; page <= (len(want)+limit-1)/limit+1; page++ {
				p := tc.params
				p.Page, p.Limit = page, limit
				items, _, err := s.List(ctx, accs[0].ID, p)
				if err != nil {
					t.Fatal(err)
				}
				lo, hi := min((page-1)*limit, len(want)), min(page*limit, len(want))
				var got []string
				for _, it := range items {
					got = append(got, it.ID)
				}
				if !slices.Equal(got, want[lo:hi]) {
					t.Fatalf("%s, limit %d, page %d: %v, want %v", tc.name, limit, page, got, want[lo:hi])
				}
			}
		}
	}
}
