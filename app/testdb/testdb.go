// Package testdb gives each test a database of its own: a fresh SQLite file,
// or, when PALISADE_TEST_DATABASE_URL is set, a fresh PostgreSQL database
// created on that server and dropped afterwards. It imports nothing of the
// app, so any package's tests can use it.
package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/ids"
)

// URL returns a database URL that exists only for this test.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("PALISADE_TEST_DATABASE_URL")
	if base == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "palisade.db")
	}
	name := "palisade_t_" + ids.Random(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening PostgreSQL: %v", err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PALISADE_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open opens a fresh, migrated database for the test and closes it at the end.
func Open(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
