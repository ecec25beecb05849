package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/db/migrations"
	"github.com/palisade/palisade/app/testdb"
)

// folder is the main database's migration folder for the engine under test.
func folder(d *db.DB) string {
	if d.IsSQLite() {
		return migrations.SQLite
	}
	return migrations.Postgres
}

// versions returns each applied version with how often it was recorded.
func versions(t *testing.T, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) map[string]int {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), "SELECT version, COUNT(*) FROM "+db.RevisionTable+" GROUP BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		out[v] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fileVersions is every version in an embedded folder, each once.
func fileVersions(t *testing.T, name string) map[string]int {
	t.Helper()
	dir, err := migrations.Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range files {
		out[f.Version()] = 1
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestMigrateConcurrentStart is the defect of issue 12: instances started
// together on an empty database. All must come up, and every file must be
// recorded exactly once.
func TestMigrateConcurrentStart(t *testing.T) {
	const n = 6
	url := testdb.URL(t)
	ctx := t.Context()
	var (
		wg   sync.WaitGroup
		errs = make([]error, n)
		dbs  = make([]*db.DB, n)
	)
	for i := range n {
		wg.Go(func() {
			d, err := db.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			dbs[i] = d
			errs[i] = d.Migrate(ctx)
		})
	}
	wg.Wait()
	for i, d := range dbs {
		if d != nil {
			defer d.Close()
		}
		if errs[i] != nil {
			t.Errorf("instance %d: %v", i, errs[i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	d := dbs[0]
	if got, want := versions(t, d.SQL), fileVersions(t, folder(d)); !sameCounts(got, want) {
		t.Errorf("revisions %v, want each of %v once", got, want)
	}
	if d.IsSQLite() {
		if got, want := versions(t, d.Limits), fileVersions(t, migrations.SQLiteLimits); !sameCounts(got, want) {
			t.Errorf("limits revisions %v, want each of %v once", got, want)
		}
	}
	var total, distinct int
	if err := d.SQL.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT version) FROM river_migration").Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if total == 0 || total != distinct {
		t.Errorf("river_migration: %d rows, %d versions", total, distinct)
	}
}

type revisionRow struct{ version, checksum, appliedAt string }

func revisionRows(t *testing.T, d *db.DB) []revisionRow {
	t.Helper()
	rows, err := d.SQL.QueryContext(t.Context(), "SELECT version, checksum, CAST(applied_at AS TEXT) FROM "+db.RevisionTable+" ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []revisionRow
	for rows.Next() {
		var r revisionRow
		if err := rows.Scan(&r.version, &r.checksum, &r.appliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestMigrateIsIdempotent: a second Migrate changes nothing, and a new file
// is applied once however often Migrate runs.
func TestMigrateIsIdempotent(t *testing.T) {
	d := testdb.Open(t)
	ctx := t.Context()
	before, beforeSchema := revisionRows(t, d), inspect(t, d)
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if after := revisionRows(t, d); !slices.Equal(before, after) {
		t.Errorf("second Migrate changed the revisions:\n%v\n%v", before, after)
	}
	assertSameSchema(t, d, beforeSchema, inspect(t, d))

	dir := withFile(t, folder(d), "20991231000000_extra.sql", "CREATE TABLE extra_t (id integer PRIMARY KEY);\n")
	for range 2 {
		if err := d.MigrateMainWith(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
	if got := versions(t, d.SQL)["20991231000000"]; got != 1 {
		t.Errorf("new file recorded %d times, want 1", got)
	}
	if _, err := d.SQL.ExecContext(ctx, "INSERT INTO extra_t (id) VALUES (1)"); err != nil {
		t.Errorf("the new file's table: %v", err)
	}
}

// withFile is the embedded folder plus one more file, with atlas.sum rewritten.
func withFile(t *testing.T, name, file, content string) *migrate.MemDir {
	t.Helper()
	dir, err := migrations.Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.WriteFile(file, []byte(content)); err != nil {
		t.Fatal(err)
	}
	rehash(t, dir)
	return dir
}

func rehash(t *testing.T, dir *migrate.MemDir) {
	t.Helper()
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(dir, sum); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateRefusesChangedFiles: an edited file is refused, whether or not
// its atlas.sum was regenerated, and nothing is applied.
func TestMigrateRefusesChangedFiles(t *testing.T) {
	d := testdb.Open(t)
	name := folder(d)
	baseline := baselineName(t, name)
	for _, tc := range []struct {
		name      string
		updateSum bool
		want      string
	}{
		{"file edited, atlas.sum not", false, "atlas.sum does not match"},
		{"applied file edited, atlas.sum regenerated", true, "has changed since"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			err := fs.WalkDir(migrations.FS, name, func(p string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return err
				}
				b, err := fs.ReadFile(migrations.FS, p)
				if path.Base(p) == baseline {
					b = append(b, "\nCREATE TABLE sneaked_in (id integer PRIMARY KEY);\n"...)
				}
				fsys[p] = &fstest.MapFile{Data: b}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = migrations.Load(fsys, name)
			if tc.updateSum {
				if err == nil {
					t.Fatal("loaded an edited folder before its sum was rewritten")
				}
				dir := &migrate.MemDir{}
				for p, f := range fsys {
					if err := dir.WriteFile(path.Base(p), f.Data); err != nil {
						t.Fatal(err)
					}
				}
				rehash(t, dir)
				err = d.MigrateMainWith(t.Context(), dir)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if _, err := d.SQL.ExecContext(t.Context(), "SELECT 1 FROM sneaked_in"); err == nil {
				t.Error("the edited file's statement ran")
			}
		})
	}
}

func baselineName(t *testing.T, name string) string {
	t.Helper()
	dir, err := migrations.Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil || len(files) == 0 {
		t.Fatalf("files: %v %d", err, len(files))
	}
	return files[0].Name()
}

// atlasDriver opens Atlas's inspector on the database.
func atlasDriver(t *testing.T, d *db.DB) migrate.Driver {
	t.Helper()
	var (
		drv migrate.Driver
		err error
	)
	if d.IsSQLite() {
		drv, err = sqlite.Open(d.SQL)
	} else {
		drv, err = postgres.Open(d.SQL)
	}
	if err != nil {
		t.Fatal(err)
	}
	return drv
}

// inspect is the database's whole schema (our tables, River's, the revisions).
func inspect(t *testing.T, d *db.DB) *schema.Schema {
	t.Helper()
	s, err := atlasDriver(t, d).InspectSchema(t.Context(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tableNames(s *schema.Schema) []string {
	var out []string
	for _, t := range s.Tables {
		out = append(out, t.Name)
	}
	slices.Sort(out)
	return out
}

func assertSameSchema(t *testing.T, d *db.DB, got, want *schema.Schema) {
	t.Helper()
	if g, w := tableNames(got), tableNames(want); !slices.Equal(g, w) {
		t.Fatalf("tables %v, want %v", g, w)
	}
	got.Name = want.Name
	for _, pair := range [][2]*schema.Schema{{got, want}, {want, got}} {
		changes, err := atlasDriver(t, d).SchemaDiff(pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) > 0 {
			var s []string
			for _, c := range changes {
				s = append(s, fmt.Sprintf("%T %+v", c, c))
			}
			t.Fatalf("schemas differ: %s", strings.Join(s, "\n"))
		}
	}
}

// load runs a dump (testdata/) on the database at path or URL.
func load(t *testing.T, driver, dsn, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(t.Context(), string(b)); err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
}

// TestMigrateAdoptsAutoMigratedDatabase starts from copies of databases that
// Ent's auto-migration made before versioned migrations (testdata/, dumped
// from that code): the baseline is recorded without running, rows survive,
// and the result is the schema a fresh database gets. A database whose
// schema is not the baseline is refused with the difference.
func TestMigrateAdoptsAutoMigratedDatabase(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter string // run on the copy before Migrate
		want  string // error; "" for success
	}{
		{name: "today's schema"},
		{name: "schema drifted", alter: "DROP INDEX apikey_account_id", want: "is not the baseline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			url := testdb.URL(t)
			if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
				load(t, "sqlite", "file:"+path, "testdata/today-sqlite.sql")
				load(t, "sqlite", "file:"+strings.TrimSuffix(path, ".db")+"-limits.db", "testdata/today-sqlite-limits.sql")
			} else {
				load(t, "pgx", url, "testdata/today-postgres.sql")
			}
			d, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if tc.alter != "" {
				if _, err := d.SQL.ExecContext(ctx, tc.alter); err != nil {
					t.Fatal(err)
				}
			}
			acc, err := d.Ent.Account.Create().SetName("Acme").Save(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Limits.ExecContext(ctx, "INSERT INTO rate_limits (id, tat) VALUES ('key_1', 42)"); err != nil {
				t.Fatal(err)
			}
			err = d.Migrate(ctx)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "apikey_account_id") {
					t.Fatalf("error %v, want one containing %q and naming the index", err, tc.want)
				}
				// On SQLite the revision table went with the rolled-back transaction.
				var n int
				if err := d.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+db.RevisionTable).Scan(&n); err == nil && n != 0 {
					t.Errorf("%d revisions recorded on a refused database", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := versions(t, d.SQL), fileVersions(t, folder(d)); !sameCounts(got, want) {
				t.Errorf("revisions %v, want %v", got, want)
			}
			if _, err := d.Ent.Account.Get(ctx, acc.ID); err != nil {
				t.Errorf("account after Migrate: %v", err)
			}
			var tat int64
			if err := d.Limits.QueryRowContext(ctx, "SELECT tat FROM rate_limits WHERE id = 'key_1'").Scan(&tat); err != nil || tat != 42 {
				t.Errorf("rate limit after Migrate: %d %v", tat, err)
			}
			fresh := testdb.Open(t)
			assertSameSchema(t, d, inspect(t, d), inspect(t, fresh))
			if d.IsSQLite() {
				if got, want := versions(t, d.Limits), fileVersions(t, migrations.SQLiteLimits); !sameCounts(got, want) {
					t.Errorf("limits revisions %v, want %v", got, want)
				}
			}
		})
	}
}

// TestMigrateSQLiteRebuildsWithForeignKeysOff: Atlas changes a SQLite
// table's foreign keys by rebuilding it (new table, copy, drop, rename).
// With foreign keys on, dropping a parent with children fails; the applier
// switches them off first, checks the references before COMMIT, and
// switches them on again.
func TestMigrateSQLiteRebuildsWithForeignKeysOff(t *testing.T) {
	if os.Getenv("PALISADE_TEST_DATABASE_URL") != "" {
		t.Skip("SQLite only")
	}
	d := testdb.Open(t)
	ctx := t.Context()
	acc, err := d.Ent.Account.Create().SetName("Acme").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Ent.User.Create().SetEmail("a@example.com").SetPasswordHash("x").SetAccount(acc).Save(ctx); err != nil {
		t.Fatal(err)
	}
	var create string
	if err := d.SQL.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE name = 'accounts'").Scan(&create); err != nil {
		t.Fatal(err)
	}
	rebuild := strings.Replace(create, "CREATE TABLE `accounts`", "CREATE TABLE `new_accounts`", 1) + ";\n" +
		"INSERT INTO `new_accounts` SELECT * FROM `accounts`;\n" +
		"DROP TABLE `accounts`;\n" +
		"ALTER TABLE `new_accounts` RENAME TO `accounts`;\n"
	for _, tc := range []struct {
		name, file, sql, want string
	}{
		{"rebuild of a parent table", "20991231000000_rebuild.sql", rebuild, ""},
		{"dangling reference", "20991231000001_orphan.sql", "DELETE FROM `accounts`;\n", "missing parents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := d.MigrateMainWith(ctx, withFile(t, migrations.SQLite, tc.file, tc.sql))
			if tc.want == "" && err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if n, err := d.Ent.User.Query().Count(ctx); err != nil || n != 1 {
				t.Errorf("users after the migration: %d %v", n, err)
			}
			if _, err := d.Ent.Account.Get(ctx, acc.ID); err != nil {
				t.Errorf("account after the migration: %v", err)
			}
			var on int
			if err := d.SQL.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
				t.Errorf("foreign_keys = %d (%v) after Migrate, want 1", on, err)
			}
		})
	}
}

// TestMigrationsMatchEntSchema fails CI when ent/schema changed and no
// migration was written for it: it replays the folder on an empty database
// and asks Ent/Atlas for the difference to the schema.
func TestMigrationsMatchEntSchema(t *testing.T) {
	dia, name, dev := dialect.SQLite, migrations.SQLite, (*sql.DB)(nil)
	if u := testdb.URL(t); strings.HasPrefix(u, "sqlite:") {
		var err error
		if dev, err = sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(1)"); err != nil {
			t.Fatal(err)
		}
		dev.SetMaxOpenConns(1)
	} else {
		var err error
		dia, name = dialect.Postgres, migrations.Postgres
		if dev, err = sql.Open("pgx", u); err != nil {
			t.Fatal(err)
		}
	}
	defer dev.Close()
	committed, err := migrations.Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	empty := &migrate.MemDir{}
	rehash(t, empty)
	// The second case proves the check can fire: a folder without the
	// baseline is missing the whole schema.
	for _, tc := range []struct {
		name    string
		dir     *migrate.MemDir
		missing bool
	}{
		{"the committed folder", committed, false},
		{"a folder without its files", empty, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := tc.dir.Files()
			if err := migrations.Diff(t.Context(), dev, dia, tc.dir, "pending"); err != nil {
				t.Fatal(err)
			}
			after, _ := tc.dir.Files()
			got := len(after) != len(before)
			if tc.missing && !got {
				t.Fatal("no migration written for a folder that lacks the whole schema")
			}
			if got && !tc.missing {
				t.Fatalf("ent/schema and app/db/migrations/%s disagree: run `task migrate:new NAME=describe_the_change` (go run ./app/db/migrations/gen -name …), review and commit the files. The missing migration:\n%s",
					name, after[len(after)-1].Bytes())
			}
		})
	}
}

// TestAtlasSumMatchesFiles: every folder's atlas.sum, embedded and on disk,
// is the one Atlas computes from its files.
func TestAtlasSumMatchesFiles(t *testing.T) {
	for _, name := range []string{migrations.SQLite, migrations.Postgres, migrations.SQLiteLimits} {
		t.Run(name, func(t *testing.T) {
			if _, err := migrations.Dir(name); err != nil {
				t.Error(err)
			}
			local, err := migrate.NewLocalDir(path.Join("migrations", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate.Validate(local); err != nil {
				t.Errorf("%s on disk: %v; run `go run ./app/db/migrations/gen -hash` after a reviewed edit", name, err)
			}
		})
	}
}
