package db

import (
	"context"

	"ariga.io/atlas/sql/migrate"
)

// MigrateMainWith is Migrate for the main database with another migration
// directory, so tests can apply altered files through the production path.
func (d *DB) MigrateMainWith(ctx context.Context, dir migrate.Dir) error {
	return d.migrateMain(ctx, dir)
}
