// Package migrations holds Palisade's reviewed SQL migrations, one folder per
// dialect, embedded in the binary so `palisade serve` and `palisade migrate`
// need nothing on disk. The SQLite and PostgreSQL folders are written by
// `task migrate:new NAME` (app/db/migrations/gen) from the Ent schema and
// reviewed before commit; sqlite-limits is the SQLite rate-limit file's own
// small history, written by hand. Each folder has an atlas.sum that the
// applier verifies before it runs anything (see docs/ARCHITECTURE.md,
// "Migrations").
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"ariga.io/atlas/sql/migrate"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/palisade/palisade/ent/migrate"
)

// The folder names inside FS.
const (
	SQLite       = "sqlite"
	Postgres     = "postgres"
	SQLiteLimits = "sqlite-limits"
)

// FS is every migration folder.
//
//go:embed sqlite/*.sql sqlite/atlas.sum postgres/*.sql postgres/atlas.sum sqlite-limits/*.sql sqlite-limits/atlas.sum
var FS embed.FS

// Dir returns the named folder as an Atlas directory, its atlas.sum checked
// against the files: a file edited, added or removed without regenerating
// the sum is refused here, before anything touches a database.
func Dir(name string) (*migrate.MemDir, error) { return Load(FS, name) }

// Load is Dir on any file system (tests give it altered copies).
func Load(fsys fs.FS, name string) (*migrate.MemDir, error) {
	entries, err := fs.ReadDir(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", name, err)
	}
	dir := &migrate.MemDir{} // not OpenMemDir: that one is shared process-wide by name
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, path.Join(name, e.Name()))
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migrations %s: atlas.sum does not match the files (%w); an applied migration is never edited: add a new one with `task migrate:new NAME`; after a reviewed edit of an unapplied file run `task migrate:hash`", name, err)
	}
	return dir, nil
}

// Diff replays dir on the empty database dev and writes the difference to
// the Ent schema as a new file named name into dir (nothing when there is
// none). The generator and the drift test in app/db both call it. Ent's
// table descriptions are package-level and Ent mutates them while it plans,
// so callers in one process must not run it concurrently.
func Diff(ctx context.Context, dev *sql.DB, dia string, dir migrate.Dir, name string) error {
	m, err := schema.NewMigrate(entsql.OpenDB(dia, dev),
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dia),
		schema.WithFormatter(migrate.DefaultFormatter),
		schema.WithForeignKeys(true),
	)
	if err != nil {
		return err
	}
	return m.NamedDiff(ctx, name, entmigrate.Tables...)
}
