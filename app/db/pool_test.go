package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// openPool opens a real SQLite file with a statement-caching pool on it.
func openPool(t *testing.T) *Pool {
	t.Helper()
	sqlDB, err := openSQLite(filepath.Join(t.TempDir(), "pool.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	p := newPool(sqlDB, true)
	t.Cleanup(func() { p.Close() })
	if _, err := p.ExecContext(t.Context(), "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := p.ExecContext(t.Context(), "INSERT INTO t (id, v) VALUES (?, ?)", i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestPoolReusesStatementsAndAnswersRight(t *testing.T) {
	p := openPool(t)
	ctx := t.Context()
	const q = "SELECT v FROM t WHERE id = ?"
	for i := range 5 {
		var v string
		if err := p.QueryRowContext(ctx, q, i).Scan(&v); err != nil || v != fmt.Sprint("v", i) {
			t.Fatalf("id %d: %q %v", i, v, err)
		}
	}
	first, _ := p.stmt(ctx, q)
	second, _ := p.stmt(ctx, q)
	if first == nil || first != second {
		t.Fatal("the same text did not give the same prepared statement")
	}
	// The CREATE, the INSERT and the SELECT: three texts, three statements.
	if n := len(p.bySQL); n != 3 {
		t.Fatalf("%d cached statements, want 3", n)
	}
}

func TestPoolEvictsBeyondItsSizeWithoutBreakingOpenRows(t *testing.T) {
	p := openPool(t)
	ctx := t.Context()
	rows, err := p.QueryContext(ctx, "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal("no first row")
	}
	// Push the open statement out of the cache: it is closed while its rows are being read.
	for i := range stmtCacheSize + 10 {
		var n int
		if err := p.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + count(*) FROM t", i)).Scan(&n); err != nil || n != i+5 {
			t.Fatalf("query %d: %d %v", i, n, err)
		}
	}
	if n := p.lru.Len(); n != stmtCacheSize || len(p.bySQL) != stmtCacheSize {
		t.Fatalf("cache holds %d (%d by text), want %d", n, len(p.bySQL), stmtCacheSize)
	}
	got := 1
	for rows.Next() {
		got++
	}
	if err := rows.Err(); err != nil || got != 5 {
		t.Fatalf("rows of an evicted statement: %d read, err %v; want all 5", got, err)
	}
}

func TestPoolReportsBadStatements(t *testing.T) {
	p := openPool(t)
	ctx := context.Background()
	if _, err := p.QueryContext(ctx, "SELECT nope FROM t"); err == nil {
		t.Error("QueryContext of a bad statement: no error")
	}
	var n int
	if err := p.QueryRowContext(ctx, "SELECT nope FROM t").Scan(&n); err == nil {
		t.Error("QueryRowContext of a bad statement: no error at Scan")
	}
	if _, err := p.ExecContext(ctx, "UPDATE nope SET x = 1"); err == nil {
		t.Error("ExecContext of a bad statement: no error")
	}
	if len(p.bySQL) != 2 { // the CREATE and the INSERT only
		t.Errorf("bad statements were cached: %d entries", len(p.bySQL))
	}
}

func TestPoolWithoutCachePassesThrough(t *testing.T) {
	sqlDB, err := openSQLite(filepath.Join(t.TempDir(), "plain.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	p := newPool(sqlDB, false)
	defer p.Close()
	var n int
	if err := p.QueryRowContext(t.Context(), "SELECT 41 + 1").Scan(&n); err != nil || n != 42 {
		t.Fatalf("%d %v", n, err)
	}
	if len(p.bySQL) != 0 {
		t.Fatalf("a pass-through pool cached %d statements", len(p.bySQL))
	}
}
