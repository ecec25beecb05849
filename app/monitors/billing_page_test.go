package monitors_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/user"
)

// TestBillingPageShowsMonitorLimits: the billing page lists every plan's
// monitors and monitor runs a month (the catalogue's numbers), and the
// account's own use of them.
func TestBillingPageShowsMonitorLimits(t *testing.T) {
	f := setup(t)
	b := f.e.Browser()
	b.Get("/signup")
	b.Post("/signup", url.Values{"email": {"watcher@example.com"}, "password": {"a long enough password"}})
	ctx := context.Background()
	u := f.e.C.DB.Ent.User.Query().Where(user.Email("watcher@example.com")).OnlyX(ctx)
	acc := f.e.C.DB.Ent.Account.Query().Where(account.ID(u.AccountID)).OnlyX(ctx)
	f.create(acc, u.ID, monitors.Input{URL: f.target + "/billing"})

	p := b.Get("/billing")
	if p.Status != 200 {
		t.Fatalf("GET /billing = %d", p.Status)
	}
	free := billing.Lookup(billing.Free)
	want := fmt.Sprintf("1 of %d monitors · 1 of %d monitor runs used this month", free.Monitors, free.MonitorRunsPerMonth)
	if got := strings.Join(strings.Fields(p.Doc.Find(`[data-testid="monitor-usage"]`).Text()), " "); got != want {
		t.Errorf("usage = %q, want %q", got, want)
	}
	for _, plan := range billing.Plans() {
		row := p.Doc.Find(`[data-testid="limits-` + string(plan.ID) + `"]`)
		if row.Length() != 1 {
			t.Errorf("no limits row for %s", plan.ID)
			continue
		}
		if got := row.Find(`[data-testid="limit-monitors"]`).Text(); got != fmt.Sprint(plan.Monitors) {
			t.Errorf("%s monitors = %q, want %d", plan.ID, got, plan.Monitors)
		}
		if got := row.Find(`[data-testid="limit-monitor-runs"]`).Text(); got != fmt.Sprintf("%d monitor runs a month", plan.MonitorRunsPerMonth) {
			t.Errorf("%s monitor runs = %q, want %d a month", plan.ID, got, plan.MonitorRunsPerMonth)
		}
		for _, fr := range plan.MonitorFrequencies {
			if !strings.Contains(row.Text(), string(fr)) {
				t.Errorf("%s: frequency %s not shown in %q", plan.ID, fr, row.Text())
			}
		}
	}
}
