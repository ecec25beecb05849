package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/palisade/palisade/app/db/migrations"
)

// RevisionTable records which migration files a database has run: one row
// per file, with the file's SHA-256 so an edited file is noticed.
const RevisionTable = "schema_migrations"

// migrateLockKey is the PostgreSQL advisory lock every instance takes while it
// migrates ("palisade" in ASCII). Only migrations use it.
const migrateLockKey int64 = 0x70616c6973616465

// Migrate brings the database up to date: the embedded SQL migrations
// (app/db/migrations) and River's job tables; on SQLite also the rate-limit
// file's own migrations. `palisade serve` and `palisade migrate` both run it;
// it is idempotent, and instances starting together wait for each other
// instead of racing (see migratePostgres and migrateSQLite).
//
// The applier is ours rather than goose's or Atlas's executor because of the
// locks: on PostgreSQL one session advisory lock must cover our files and
// River's migration together, and on SQLite all of it must run in one write
// transaction with foreign keys switched off on that connection beforehand.
// Neither tool lets River's migration share its lock or transaction.
func (d *DB) Migrate(ctx context.Context) error {
	folder := migrations.SQLite
	if !d.IsSQLite() {
		folder = migrations.Postgres
	}
	dir, err := migrations.Dir(folder)
	if err != nil {
		return err
	}
	if err := d.migrateMain(ctx, dir); err != nil {
		return err
	}
	if d.Limits.DB != d.SQL {
		limits, err := migrations.Dir(migrations.SQLiteLimits)
		if err != nil {
			return err
		}
		if err := migrateSQLite(ctx, d.Limits.DB, migrations.SQLiteLimits, limits, nil); err != nil {
			return fmt.Errorf("migrating rate limits: %w", err)
		}
	}
	return nil
}

// migrateMain applies dir, the main database's migrations, and River's.
func (d *DB) migrateMain(ctx context.Context, dir migrate.Dir) error {
	if !d.IsSQLite() {
		if err := migratePostgres(ctx, d.SQL, dir); err != nil {
			return fmt.Errorf("migrating schema: %w", err)
		}
		return nil
	}
	river := func(ctx context.Context, tx *sql.Tx) error {
		m, err := rivermigrate.New(riversqlite.New(d.SQL), nil)
		if err != nil {
			return fmt.Errorf("preparing job queue migration: %w", err)
		}
		// MigrateTx is deprecated because some River migrations cannot share a
		// transaction on PostgreSQL; on SQLite they can, and they must run in
		// the exclusive transaction that holds our migration lock.
		//lint:ignore SA1019 deliberate: see the comment above.
		if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("migrating job queue: %w", err)
		}
		return nil
	}
	if err := migrateSQLite(ctx, d.SQL, migrations.SQLite, dir, river); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

// migrateSQLite runs everything in one write transaction on a pinned
// connection. The pool is opened with _txlock=immediate, so BEGIN is BEGIN
// IMMEDIATE, which in WAL mode takes the database's one writer lock: a second
// process blocks (busy_timeout) until the first commits, then finds nothing
// left to do. Foreign keys are switched off on that connection before BEGIN
// because the pragma is a no-op inside a transaction, and Atlas rebuilds a
// table (create new, copy, drop old, rename) to change its foreign keys;
// with them on, dropping a parent table would cascade into its children.
// PRAGMA foreign_key_check before COMMIT refuses a migration that leaves
// dangling references.
func migrateSQLite(ctx context.Context, db *sql.DB, folder string, dir migrate.Dir, river func(context.Context, *sql.Tx) error) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); ferr != nil {
			// Never hand the pool a connection without foreign keys.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, ferr)
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	a := applier{dia: dialect.SQLite, folder: folder, dir: dir}
	inspect := func(ctx context.Context, stmts []string) (*schema.Schema, *schema.Schema, migrate.Driver, error) {
		return inspectSQLite(ctx, tx, stmts)
	}
	if err := a.run(ctx, tx, func(ctx context.Context, f func(q querier) error) error { return f(tx) }, inspect); err != nil {
		return err
	}
	if river != nil {
		if err := river(ctx, tx); err != nil {
			return err
		}
	}
	if err := foreignKeyCheck(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// foreignKeyCheck fails when any row references a missing parent.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		bad = append(bad, fmt.Sprintf("%s row %d → %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("migration leaves rows with missing parents: %s", strings.Join(bad, ", "))
	}
	return nil
}

// migratePostgres takes a session advisory lock on one dedicated connection
// and holds it across our files and River's migration, so instances starting
// together on an empty database run one after another (concurrent CREATE
// TABLE of one name fails on pg_type's unique index even with IF NOT
// EXISTS). Each file runs in its own transaction with its revision row:
// PostgreSQL's DDL is transactional, so a failed file leaves nothing behind.
func migratePostgres(ctx context.Context, db *sql.DB, dir migrate.Dir) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("taking the migration lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey); uerr != nil {
			// Closing the session is the other way to release the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	inTx := func(ctx context.Context, f func(q querier) error) error {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := f(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	a := applier{dia: dialect.Postgres, folder: migrations.Postgres, dir: dir}
	inspect := func(ctx context.Context, stmts []string) (live, base *schema.Schema, drv migrate.Driver, err error) {
		// The baseline is replayed into a scratch schema of this database in
		// a transaction that is rolled back: no second database needed.
		err = inTx(ctx, func(q querier) error {
			live, base, drv, err = inspectPostgres(ctx, q.(*sql.Tx), stmts)
			if err == nil {
				err = errRollback
			}
			return err
		})
		if errors.Is(err, errRollback) {
			err = nil
		}
		return live, base, drv, err
	}
	if err := a.run(ctx, conn, inTx, inspect); err != nil {
		return err
	}
	// River's own migrator, on other connections of the pool, while this
	// session holds the lock. Not MigrateTx: River's versions must commit one
	// by one on PostgreSQL (version 6 uses an enum value added by an earlier
	// one, which PostgreSQL refuses inside the adding transaction).
	m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
	if err != nil {
		return fmt.Errorf("preparing job queue migration: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating job queue: %w", err)
	}
	return nil
}

var errRollback = errors.New("rollback")

// querier is what both *sql.Tx and *sql.Conn offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// applier applies one folder of migrations; the caller holds the lock.
type applier struct {
	dia    string
	folder string
	dir    migrate.Dir
}

// revision is one row of the revision table.
type revision struct{ version, name, checksum string }

// run creates the revision table if needed, checks every applied file is
// unchanged, adopts a database made before versioned migrations, and applies
// the pending files, each through inTx.
func (a applier) run(ctx context.Context, q querier,
	inTx func(context.Context, func(querier) error) error,
	inspect func(ctx context.Context, baseline []string) (live, base *schema.Schema, drv migrate.Driver, err error),
) error {
	files, err := a.dir.Files()
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("migrations %s: no files", a.folder)
	}
	ts := "TIMESTAMP"
	if a.dia == dialect.Postgres {
		ts = "TIMESTAMPTZ"
	}
	if _, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+RevisionTable+` (
		version TEXT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
		applied_at `+ts+` NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return fmt.Errorf("creating %s: %w", RevisionTable, err)
	}
	applied, err := a.applied(ctx, q)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, f := range files {
		known[f.Version()] = true
		r, ok := applied[f.Version()]
		if ok && r.checksum != fileChecksum(f) {
			return fmt.Errorf("migrations %s: %s was applied to this database and has changed since (checksum %s, now %s); an applied migration is never edited, add a new one (task migrate:new NAME)",
				a.folder, f.Name(), r.checksum, fileChecksum(f))
		}
	}
	for v, r := range applied {
		if !known[v] {
			// A newer binary migrated this database; rolling upgrades run
			// old and new side by side, so this is not an error.
			slog.WarnContext(ctx, "database has a migration this binary does not know", "folder", a.folder, "version", v, "name", r.name)
		}
	}
	if len(applied) == 0 {
		adopted, err := a.adoptBaseline(ctx, q, files[0], inspect)
		if err != nil {
			return err
		}
		if adopted {
			applied[files[0].Version()] = revision{}
		}
	}
	for _, f := range files {
		if _, ok := applied[f.Version()]; ok {
			continue
		}
		stmts, err := f.Stmts()
		if err != nil {
			return fmt.Errorf("migrations %s: reading %s: %w", a.folder, f.Name(), err)
		}
		err = inTx(ctx, func(q querier) error {
			for _, s := range stmts {
				if _, err := q.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("%s: %w (statement: %.200s)", f.Name(), err, s)
				}
			}
			return a.record(ctx, q, f)
		})
		if err != nil {
			return fmt.Errorf("migrations %s: applying %w", a.folder, err)
		}
		slog.InfoContext(ctx, "migration applied", "folder", a.folder, "version", f.Version(), "name", f.Desc())
	}
	return nil
}

func (a applier) applied(ctx context.Context, q querier) (map[string]revision, error) {
	rows, err := q.QueryContext(ctx, "SELECT version, name, checksum FROM "+RevisionTable)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", RevisionTable, err)
	}
	defer rows.Close()
	out := map[string]revision{}
	for rows.Next() {
		var r revision
		if err := rows.Scan(&r.version, &r.name, &r.checksum); err != nil {
			return nil, err
		}
		out[r.version] = r
	}
	return out, rows.Err()
}

func (a applier) record(ctx context.Context, q querier, f migrate.File) error {
	ins := "INSERT INTO " + RevisionTable + " (version, name, checksum) VALUES (?, ?, ?)"
	if a.dia == dialect.Postgres {
		ins = "INSERT INTO " + RevisionTable + " (version, name, checksum) VALUES ($1, $2, $3)"
	}
	_, err := q.ExecContext(ctx, ins, f.Version(), f.Desc(), fileChecksum(f))
	return err
}

// adoptBaseline handles a database created by Ent's auto-migration before
// versioned migrations: it has the baseline's tables but no revisions. If
// its schema is exactly the baseline's, the baseline is recorded as applied;
// if it differs, nothing is guessed and the error lists the differences.
// A database with none of the baseline's tables is new: it gets every file.
func (a applier) adoptBaseline(ctx context.Context, q querier, baseline migrate.File,
	inspect func(ctx context.Context, baseline []string) (live, base *schema.Schema, drv migrate.Driver, err error),
) (bool, error) {
	stmts, err := baseline.Stmts()
	if err != nil {
		return false, err
	}
	live, base, drv, err := inspect(ctx, stmts)
	if err != nil {
		return false, fmt.Errorf("migrations %s: inspecting the existing schema: %w", a.folder, err)
	}
	filtered := schema.New(base.Name)
	filtered.Attrs = base.Attrs
	for _, t := range base.Tables {
		if lt, ok := live.Table(t.Name); ok {
			filtered.Tables = append(filtered.Tables, lt)
		}
	}
	if len(filtered.Tables) == 0 {
		return false, nil
	}
	changes, err := drv.SchemaDiff(filtered, base)
	if err != nil {
		return false, fmt.Errorf("migrations %s: comparing the existing schema with the baseline: %w", a.folder, err)
	}
	if len(changes) > 0 {
		desc := fmt.Sprintf("%d changes", len(changes))
		if plan, perr := drv.PlanChanges(ctx, "diff", changes); perr == nil {
			var s []string
			for _, c := range plan.Changes {
				s = append(s, c.Cmd)
			}
			desc = strings.Join(s, "; ")
		}
		return false, fmt.Errorf("migrations %s: the database has tables but no %s, and its schema is not the baseline %s; to reach the baseline it would need: %s",
			a.folder, RevisionTable, baseline.Name(), desc)
	}
	if err := a.record(ctx, q, baseline); err != nil {
		return false, err
	}
	slog.InfoContext(ctx, "existing schema matches the baseline; recorded it as applied", "folder", a.folder, "version", baseline.Version())
	return true, nil
}

// inspectSQLite inspects the live database (through tx) and the baseline
// replayed on an in-memory database.
func inspectSQLite(ctx context.Context, tx *sql.Tx, stmts []string) (live, base *schema.Schema, drv migrate.Driver, err error) {
	drv, err = sqlite.Open(tx)
	if err != nil {
		return nil, nil, nil, err
	}
	if live, err = drv.InspectSchema(ctx, "main", nil); err != nil {
		return nil, nil, nil, err
	}
	mem, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, nil, nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // each connection would be its own in-memory database
	for _, s := range stmts {
		if _, err := mem.ExecContext(ctx, s); err != nil {
			return nil, nil, nil, fmt.Errorf("replaying the baseline: %w", err)
		}
	}
	memDrv, err := sqlite.Open(mem)
	if err != nil {
		return nil, nil, nil, err
	}
	if base, err = memDrv.InspectSchema(ctx, "main", nil); err != nil {
		return nil, nil, nil, err
	}
	return live, base, drv, nil
}

// baselineSchema is the scratch schema the PostgreSQL baseline is replayed
// into, inside a transaction that is always rolled back.
const baselineSchema = "palisade_baseline_check"

// inspectPostgres inspects the live schema and the baseline replayed into a
// scratch schema; the caller rolls tx back.
func inspectPostgres(ctx context.Context, tx *sql.Tx, stmts []string) (live, base *schema.Schema, drv migrate.Driver, err error) {
	var current string
	if err := tx.QueryRowContext(ctx, "SELECT current_schema()").Scan(&current); err != nil {
		return nil, nil, nil, err
	}
	drv, err = postgres.Open(tx)
	if err != nil {
		return nil, nil, nil, err
	}
	if live, err = drv.InspectSchema(ctx, current, nil); err != nil {
		return nil, nil, nil, err
	}
	for _, s := range []string{"CREATE SCHEMA " + baselineSchema, "SET LOCAL search_path TO " + baselineSchema} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return nil, nil, nil, fmt.Errorf("replaying the baseline: %w", err)
		}
	}
	if base, err = drv.InspectSchema(ctx, baselineSchema, nil); err != nil {
		return nil, nil, nil, err
	}
	// Compare tables, not schema names.
	base.Name, base.Attrs = live.Name, live.Attrs
	return live, base, drv, nil
}

// fileChecksum is the SHA-256 of a migration file, kept in the revision table.
func fileChecksum(f migrate.File) string {
	h := sha256.Sum256(f.Bytes())
	return hex.EncodeToString(h[:])
}
