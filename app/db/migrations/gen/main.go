// Command gen writes a new pair of versioned migrations (SQLite and
// PostgreSQL) from the current Ent schema: for each dialect it replays the
// committed folder on an empty scratch database, asks Atlas (through Ent's
// versioned-migration support) for the difference to ent/schema, and writes
// it as the next file plus an updated atlas.sum. Nothing is written when the
// folder already matches the schema. Run it from the module root:
//
//	go run ./app/db/migrations/gen -name add_x      # or: task migrate:new NAME=add_x
//	go run ./app/db/migrations/gen -hash            # rewrite atlas.sum after a reviewed hand edit
//
// SQLite's scratch database is in memory; PostgreSQL's is a database created
// on the server named by -postgres (or PALISADE_MIGRATE_DEV_URL) and dropped
// afterwards. See docs/ARCHITECTURE.md, "Migrations".
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/palisade/palisade/app/db/migrations"
	"github.com/palisade/palisade/app/ids"
)

const defaultDevURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func main() {
	devURL := os.Getenv("PALISADE_MIGRATE_DEV_URL")
	if devURL == "" {
		devURL = defaultDevURL
	}
	var (
		name   = flag.String("name", "", "name of the new migration, e.g. add_scan_tags (letters, digits, _)")
		root   = flag.String("dir", "app/db/migrations", "the migrations folder (run from the module root)")
		pgURL  = flag.String("postgres", devURL, "PostgreSQL server for the scratch database (env PALISADE_MIGRATE_DEV_URL)")
		only   = flag.String("dialect", "all", "all, sqlite or postgres")
		rehash = flag.Bool("hash", false, "only rewrite every folder's atlas.sum from its files")
	)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), log, *root, *name, *pgURL, *only, *rehash); err != nil {
		log.Error("generating migrations", "err", err)
		os.Exit(1)
	}
}

var validName = regexp.MustCompile(`^[a-z0-9_]+$`)

func run(ctx context.Context, log *slog.Logger, root, name, pgURL, only string, rehash bool) error {
	if rehash {
		for _, d := range []string{migrations.SQLite, migrations.Postgres, migrations.SQLiteLimits} {
			dir, err := migrate.NewLocalDir(filepath.Join(root, d))
			if err != nil {
				return err
			}
			sum, err := dir.Checksum()
			if err != nil {
				return err
			}
			if err := migrate.WriteSumFile(dir, sum); err != nil {
				return err
			}
			log.Info("atlas.sum rewritten", "dir", dir.Path())
		}
		return nil
	}
	if !validName.MatchString(name) {
		return errors.New("-name is required: lower-case letters, digits and _")
	}
	var sqliteFile string
	if only == "all" || only == dialect.SQLite || only == "sqlite" {
		f, err := generate(ctx, log, filepath.Join(root, migrations.SQLite), name, dialect.SQLite, "")
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		sqliteFile = f
	}
	if only == "all" || only == dialect.Postgres {
		f, err := generate(ctx, log, filepath.Join(root, migrations.Postgres), name, dialect.Postgres, pgURL)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if sqliteFile != "" && f != "" && f != sqliteFile {
			// One version for the pair, so a reviewer sees which files belong together.
			if err := rename(filepath.Join(root, migrations.Postgres), f, sqliteFile); err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
		}
	}
	return nil
}

// rename moves file from to to inside path and rewrites the folder's atlas.sum.
func rename(path, from, to string) error {
	if err := os.Rename(filepath.Join(path, from), filepath.Join(path, to)); err != nil {
		return err
	}
	dir, err := migrate.NewLocalDir(path)
	if err != nil {
		return err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return migrate.WriteSumFile(dir, sum)
}

// generate writes the next migration of one dialect's folder and returns its
// file name ("" when the folder already matches the schema).
func generate(ctx context.Context, log *slog.Logger, path, name, dia, pgURL string) (string, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return "", err
	}
	dir, err := migrate.NewLocalDir(path)
	if err != nil {
		return "", err
	}
	before, err := dir.Files()
	if err != nil {
		return "", err
	}
	dev, cleanup, err := scratch(ctx, dia, pgURL)
	if err != nil {
		return "", err
	}
	defer cleanup()
	if err := migrations.Diff(ctx, dev, dia, dir, name); err != nil {
		return "", err
	}
	after, err := dir.Files()
	if err != nil {
		return "", err
	}
	if len(after) == len(before) {
		log.Info("no changes: the folder already matches ent/schema", "dialect", dia, "dir", path)
		return "", nil
	}
	f := after[len(after)-1].Name()
	log.Info("migration written; review it before committing", "dialect", dia, "file", filepath.Join(path, f))
	return f, nil
}

// scratch opens an empty database to replay on: SQLite in memory, or a new
// PostgreSQL database dropped by cleanup.
func scratch(ctx context.Context, dia, pgURL string) (*sql.DB, func(), error) {
	if dia == dialect.SQLite {
		db, err := sql.Open("sqlite", "file:gen?mode=memory&_pragma=foreign_keys(1)")
		if err != nil {
			return nil, nil, err
		}
		db.SetMaxOpenConns(1) // one connection: every query sees the same in-memory database
		return db, func() { db.Close() }, nil
	}
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		return nil, nil, err
	}
	dbName := "palisade_migrate_gen_" + ids.Random(8)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+dbName); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("creating the scratch database (is PostgreSQL running at -postgres?): %w", err)
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		admin.Close()
		return nil, nil, err
	}
	u.Path = "/" + dbName
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		admin.Close()
		return nil, nil, err
	}
	return db, func() {
		db.Close()
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)")
		admin.Close()
	}, nil
}
