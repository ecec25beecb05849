package sites_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
)

// TestListQueriesDoNotGrowWithThePage counts the statements List sends: the
// same for a page of 2 sites as for a page of 12, each with scans and a monitor.
func TestListQueriesDoNotGrowWithThePage(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	accID := env.User("sites-queries@example.com", billing.Enterprise)
	url := target(t)
	var queries atomic.Int64
	counted := *env.C.DB
	drv := dialect.DebugWithContext(entsql.OpenDB(env.C.DB.Dialect, env.C.DB.SQL), func(context.Context, ...any) { queries.Add(1) })
	counted.Read = ent.NewClient(ent.Driver(drv))
	svc := sites.NewService(&counted, nil, apptest.Logger(t))

	count := func(n int) int64 {
		t.Helper()
		queries.Store(0)
		got, _, err := svc.List(ctx, accID, sites.ListParams{Limit: n})
		if err != nil || len(got) != n {
			t.Fatalf("List: %d sites, %v", len(got), err)
		}
		for _, s := range got {
			if s.Monitor == nil || s.Grade == nil || s.LatestScanID == nil {
				t.Fatalf("site %s lacks its monitor or scans: %+v", s.ID, s)
			}
		}
		return queries.Load()
	}
	now := time.Now().UTC()
	for i := range 12 {
		s, err := env.C.Sites.Create(ctx, accID, fmt.Sprintf("%s/q%d", url, i), "")
		if err != nil {
			t.Fatal(err)
		}
		for j := range 3 {
			addScan(t, env, accID, s.ID, s.TargetURL, domain.DepthQuick, now.Add(time.Duration(j-10)*time.Hour), "B", 70+j)
		}
		env.C.DB.Ent.Monitor.Create().SetAccountID(accID).SetSiteID(s.ID).SetFrequency(domain.FrequencyWeekly).
			SetAlerts(domain.DefaultAlertRules()).SetNextRunAt(now.Add(time.Hour)).SetCreatedAt(now).SetUpdatedAt(now).SaveX(ctx)
	}
	small, large := count(2), count(12)
	t.Logf("List: %d statements for 2 sites, %d for 12", small, large)
	if small == 0 || small != large || large > 5 {
		t.Errorf("List sent %d statements for 2 sites and %d for 12; want the same, at most 5", small, large)
	}
}
