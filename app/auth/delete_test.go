package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/migrate"
)

// fillAccount creates an account with a row in every table an account owns:
// users, sessions, keys, an invite, scans with findings and events, a report
// with its file, usage and scan counts, a site with its monitor, a webhook,
// an alert and its delivery.
func fillAccount(t *testing.T, s *Service, d *db.DB, name string) string {
	t.Helper()
	ctx := context.Background()
	acc, owner, err := s.SignUp(ctx, SignUpInput{Email: name + "@example.com", Password: "a long enough password", AccountName: name})
	if err != nil {
		t.Fatal(err)
	}
	member, err := d.Ent.User.Create().SetAccountID(acc.ID).SetEmail(name + "-member@example.com").
		SetPasswordHash(owner.PasswordHash).SetRole(domain.RoleMember).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{owner.ID, member.ID} {
		uu, err := d.Ent.User.Get(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSession(ctx, uu); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"CI", "deploy"} {
		if _, _, err := s.CreateKey(ctx, acc.ID, k, owner.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateInvite(ctx, acc.ID, domain.RoleMember); err != nil {
		t.Fatal(err)
	}
	for _, st := range []domain.ScanStatus{domain.StatusCompleted, domain.StatusRunning, domain.StatusPending} {
		sc, err := d.Ent.Scan.Create().SetAccountID(acc.ID).SetTargetURL("https://" + name + ".example.com/").
			SetTargetDomain(name + ".example.com").SetStatus(st).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Ent.ScanCount.Create().SetAccountID(acc.ID).SetStatus(st).SetN(1).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := d.Ent.ScanEvent.Create().SetAccountID(acc.ID).SetScanID(sc.ID).SetKind("start").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if st != domain.StatusCompleted {
			continue
		}
		if err := d.Ent.Finding.Create().SetAccountID(acc.ID).SetScanID(sc.ID).SetCheckID("hsts").SetCategory("tls").
			SetSeverity(finding.SeverityHigh).SetTitle("No HSTS").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := d.Ent.Report.Create().SetAccountID(acc.ID).SetScanID(sc.ID).SetVersion(1).SetTitle("Report").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Ent.ReportFile.Create().SetID(r.ID).SetReportID(r.ID).SetData([]byte("%PDF-1.7")).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Ent.Usage.Create().SetAccountID(acc.ID).SetPeriod("2026-12").SetScans(3).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Monitoring: a site with its monitor, an alert delivered to a webhook.
	st, err := d.Ent.Site.Create().SetAccountID(acc.ID).SetTargetURL("https://" + name + ".example.com/").
		SetTargetKey("https://" + name + ".example.com:443/").SetTargetDomain(name + ".example.com").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mon, err := d.Ent.Monitor.Create().SetAccountID(acc.ID).SetSiteID(st.ID).SetFrequency(domain.FrequencyWeekly).
		SetAlerts(domain.DefaultAlertRules()).SetNextRunAt(time.Now()).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := d.Ent.Webhook.Create().SetAccountID(acc.ID).SetURL("https://hooks.example.com/" + name).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	al, err := d.Ent.Alert.Create().SetAccountID(acc.ID).SetMonitorID(mon.ID).SetSiteID(st.ID).SetKind(domain.AlertGradeDrop).
		SetDedupeKey("k").SetSubject(name + " dropped from A to C").SetPayload("{}").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Ent.Delivery.Create().SetAccountID(acc.ID).SetAlertID(al.ID).SetChannel(domain.ChannelWebhook).
		SetTarget(hook.URL).SetWebhookID(hook.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

// tenantFree are the tables no account owns.
var tenantFree = map[string]bool{"kvs": true, "rate_limits": true, "stripe_events": true}

// rowsOf counts, per table, all rows (accountID "") or the account's rows.
func rowsOf(t *testing.T, d *db.DB, accountID string) map[string]int {
	t.Helper()
	ph := "$1"
	if d.IsSQLite() {
		ph = "?"
	}
	out := map[string]int{}
	for _, tab := range migrate.Tables {
		q, args := "SELECT count(*) FROM "+tab.Name, []any{}
		if accountID != "" {
			if tenantFree[tab.Name] {
				continue
			}
			args = append(args, accountID)
			switch tab.Name {
			case "accounts":
				q += " WHERE id = " + ph
			case "report_files":
				q += " WHERE report_file IN (SELECT id FROM reports WHERE account_id = " + ph + ")"
			default:
				q += " WHERE account_id = " + ph
			}
		}
		var n int
		if err := d.SQL.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[tab.Name] = n
	}
	return out
}

func TestDeleteAccountCascades(t *testing.T) {
	cases := []struct {
		name string
		del  func(s *Service, d *db.DB, accountID string) error
	}{
		{"DeleteAccount", func(s *Service, _ *db.DB, id string) error { return s.DeleteAccount(context.Background(), id) }},
		// The schema alone: one DELETE of the account row takes everything with it.
		{"one DELETE of the account row", func(_ *Service, d *db.DB, id string) error {
			q := "DELETE FROM accounts WHERE id = $1"
			if d.IsSQLite() {
				q = strings.Replace(q, "$1", "?", 1)
			}
			_, err := d.SQL.Exec(q, id)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newServiceDB(t)
			kept := fillAccount(t, s, d, "kept")
			gone := fillAccount(t, s, d, "gone")
			total, keptRows, goneRows := rowsOf(t, d, ""), rowsOf(t, d, kept), rowsOf(t, d, gone)
			for tab, n := range goneRows {
				if n == 0 {
					t.Fatalf("the fixture has no %s rows for the account", tab)
				}
			}
			if err := tc.del(s, d, gone); err != nil {
				t.Fatal(err)
			}
			after := rowsOf(t, d, "")
			for tab, n := range rowsOf(t, d, gone) {
				if n != 0 {
					t.Errorf("%s: %d rows of the deleted account remain", tab, n)
				}
			}
			for tab, n := range rowsOf(t, d, kept) {
				if n != keptRows[tab] {
					t.Errorf("%s: the other account has %d rows, had %d", tab, n, keptRows[tab])
				}
			}
			for tab, n := range after {
				if want := total[tab] - goneRows[tab]; n != want {
					t.Errorf("%s: %d rows in all, want %d", tab, n, want)
				}
			}
		})
	}
}
