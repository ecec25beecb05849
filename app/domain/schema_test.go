package domain_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	entschema "entgo.io/ent/dialect/sql/schema"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/invite"
	"github.com/palisade/palisade/ent/migrate"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/user"
)

// TestSchemaUsesTheDomainValues checks the generated schema against the
// domain types: a type changed without `go generate ./ent` (or a schema that
// stopped using GoType) would make the database accept a different set
// than the code.
func TestSchemaUsesTheDomainValues(t *testing.T) {
	column := func(tb *entschema.Table, name string) *entschema.Column {
		for _, c := range tb.Columns {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("table %s has no column %s", tb.Name, name)
		return nil
	}
	for _, tc := range []struct {
		table, column string
		enums         []string
		def           string
		generatedDef  string
	}{
		{"scans", "status", domain.ScanStatus("").Values(), string(domain.StatusPending), string(scan.DefaultStatus)},
		{"scans", "depth", domain.Depth("").Values(), string(domain.DepthStandard), string(scan.DefaultDepth)},
		{"accounts", "plan", domain.PlanID("").Values(), string(domain.PlanFree), string(account.DefaultPlan)},
		{"users", "role", domain.Role("").Values(), string(domain.RoleOwner), string(user.DefaultRole)},
		{"invites", "role", domain.Role("").Values(), string(domain.RoleMember), string(invite.DefaultRole)},
	} {
		t.Run(tc.table+"."+tc.column, func(t *testing.T) {
			i := slices.IndexFunc(migrate.Tables, func(tb *entschema.Table) bool { return tb.Name == tc.table })
			if i < 0 {
				t.Fatalf("no table %s", tc.table)
			}
			c := column(migrate.Tables[i], tc.column)
			if !slices.Equal(c.Enums, tc.enums) {
				t.Errorf("enum values %q, domain has %q", c.Enums, tc.enums)
			}
			if c.Default != tc.def || tc.generatedDef != tc.def {
				t.Errorf("default: column %v, generated %q; want %q", c.Default, tc.generatedDef, tc.def)
			}
		})
	}
}

// TestStoredStrings writes every value through Ent and reads the columns
// back with plain SQL, on SQLite or (PALISADE_TEST_DATABASE_URL) PostgreSQL:
// the typed fields store exactly the strings the rows held before the types
// existed, so no data changes.
func TestStoredStrings(t *testing.T) {
	ctx := context.Background()
	d := testdb.Open(t)
	// Every query below has one parameter, the row's id.
	rebind := func(q string) string {
		if d.IsSQLite() {
			return q
		}
		return strings.Replace(q, "?", "$1", 1)
	}
	raw := func(q string, id any) string {
		t.Helper()
		var s string
		if err := d.SQL.QueryRowContext(ctx, rebind(q), id).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	for _, p := range []domain.PlanID{domain.PlanFree, domain.PlanPro, domain.PlanEnterprise} {
		acc := d.Ent.Account.Create().SetName("Acme").SetPlan(p).SaveX(ctx)
		if got := raw(`SELECT plan FROM accounts WHERE id = ?`, acc.ID); got != string(p) {
			t.Errorf("plan %q stored as %q", p, got)
		}
	}
	acc := d.Ent.Account.Create().SetName("Acme").SaveX(ctx)
	if acc.Plan != domain.PlanFree {
		t.Errorf("new account's plan = %q, want free", acc.Plan)
	}
	for i, r := range []domain.Role{domain.RoleOwner, domain.RoleMember} {
		u := d.Ent.User.Create().SetAccountID(acc.ID).SetEmail(string(r) + "@example.com").SetPasswordHash("x").SetRole(r).SaveX(ctx)
		if got := raw(`SELECT role FROM users WHERE id = ?`, u.ID); got != string(r) {
			t.Errorf("user role %q stored as %q", r, got)
		}
		inv := d.Ent.Invite.Create().SetAccountID(acc.ID).SetTokenHash(string(rune('a' + i))).SetRole(r).
			SetExpiresAt(time.Now().Add(time.Hour)).SaveX(ctx)
		if got := raw(`SELECT role FROM invites WHERE id = ?`, inv.ID); got != string(r) {
			t.Errorf("invite role %q stored as %q", r, got)
		}
	}
	var scanID string
	for _, dep := range domain.Depths() {
		for _, st := range domain.ScanStatuses() {
			sc := d.Ent.Scan.Create().SetAccountID(acc.ID).SetTargetURL("https://example.com/").SetTargetDomain("example.com").
				SetDepth(dep).SetStatus(st).SaveX(ctx)
			var gotDepth, gotStatus string
			if err := d.SQL.QueryRowContext(ctx, rebind(`SELECT depth, status FROM scans WHERE id = ?`), sc.ID).Scan(&gotDepth, &gotStatus); err != nil {
				t.Fatal(err)
			}
			if gotDepth != string(dep) || gotStatus != string(st) {
				t.Errorf("scan %s/%s stored as %s/%s", dep, st, gotDepth, gotStatus)
			}
			// Reading back through Ent yields the typed constant.
			back := d.Ent.Scan.GetX(ctx, sc.ID)
			if back.Depth != dep || back.Status != st {
				t.Errorf("scan %s/%s read back as %s/%s", dep, st, back.Depth, back.Status)
			}
			scanID = sc.ID
		}
	}
	for _, k := range []domain.EventKind{domain.EventStart, domain.EventCheckComplete, domain.EventComplete, domain.EventFailed, domain.EventCancelled} {
		e := d.Ent.ScanEvent.Create().SetAccountID(acc.ID).SetScanID(scanID).SetKind(k).SaveX(ctx)
		if got := raw(`SELECT kind FROM scan_events WHERE id = ?`, e.ID); got != string(k) {
			t.Errorf("event kind %q stored as %q", k, got)
		}
	}
	// The schema still refuses values outside the sets.
	if err := d.Ent.Scan.Create().SetAccountID(acc.ID).SetTargetURL("https://example.com/").SetTargetDomain("example.com").
		SetStatus("DONE").Exec(ctx); err == nil {
		t.Error("a scan with status DONE was stored")
	}
	if err := d.Ent.User.Create().SetAccountID(acc.ID).SetEmail("x@example.com").SetPasswordHash("x").SetRole("admin").Exec(ctx); err == nil {
		t.Error("a user with role admin was stored")
	}
}
