package db

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/palisade/palisade/ent/migrate"
)

// Migrate brings the database up to date: Ent's schema (additive, never
// dropping data) and River's job tables. Every start runs it; it is
// idempotent and safe to run from several instances at once on PostgreSQL
// (River takes an advisory lock; Ent's DDL is IF NOT EXISTS-shaped).
func (d *DB) Migrate(ctx context.Context) error {
	// Ent's migration mutates package-level table descriptions: one at a time per process.
	migrateMu.Lock()
	err := d.Ent.Schema.Create(ctx, migrate.WithForeignKeys(true))
	migrateMu.Unlock()
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	if d.Limits.DB != d.SQL {
		if _, err := d.Limits.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS rate_limits (
			id TEXT PRIMARY KEY, tat INTEGER NOT NULL DEFAULT 0, nonce TEXT)`); err != nil {
			return fmt.Errorf("migrating rate limits: %w", err)
		}
	}
	if d.IsSQLite() {
		m, err := rivermigrate.New(riversqlite.New(d.SQL), nil)
		if err != nil {
			return fmt.Errorf("preparing job queue migration: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("migrating job queue: %w", err)
		}
		return nil
	}
	pool, err := pgxpool.New(ctx, d.URL)
	if err != nil {
		return fmt.Errorf("connecting job queue: %w", err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("preparing job queue migration: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating job queue: %w", err)
	}
	return nil
}

var migrateMu sync.Mutex
