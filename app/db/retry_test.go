package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/ent"
)

// rawSQLite opens a pool on path that waits at most 1 ms for a lock, so a
// conflict surfaces as an error at once instead of in the busy handler.
func rawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(1)")
	d, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	d.SetMaxOpenConns(1)
	t.Cleanup(func() { d.Close() })
	return d
}

func mustExec(t *testing.T, ctx context.Context, e interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string) {
	t.Helper()
	if _, err := e.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// sqliteErrors provokes real SQLite errors: SQLITE_BUSY (a second writer
// while the first holds the write lock), SQLITE_BUSY_SNAPSHOT (a reader
// upgrading to a writer after someone else committed) and a UNIQUE
// constraint violation, which is not transient.
func sqliteErrors(t *testing.T) (busy, snapshot, unique error) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "busy.db")
	a, b := rawSQLite(t, path), rawSQLite(t, path)
	mustExec(t, ctx, a, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
	mustExec(t, ctx, a, "INSERT INTO t (id, v) VALUES (1, 0)")

	txA, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, txA, "UPDATE t SET v = v + 1 WHERE id = 1")
	_, busy = b.ExecContext(ctx, "UPDATE t SET v = v + 10 WHERE id = 1")
	if err := txA.Commit(); err != nil {
		t.Fatal(err)
	}

	txA, err = a.BeginTx(ctx, nil) // deferred: a reader until its first write
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := txA.QueryRowContext(ctx, "SELECT v FROM t WHERE id = 1").Scan(&v); err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, b, "UPDATE t SET v = v + 100 WHERE id = 1")
	_, snapshot = txA.ExecContext(ctx, "UPDATE t SET v = v + 1 WHERE id = 1")
	_ = txA.Rollback()

	_, unique = a.ExecContext(ctx, "INSERT INTO t (id, v) VALUES (1, 0)")
	for name, err := range map[string]error{"busy": busy, "snapshot": snapshot, "unique": unique} {
		var se *sqlite.Error
		if !errors.As(err, &se) {
			t.Fatalf("%s: want a *sqlite.Error, got %T %v", name, err, err)
		}
	}
	return busy, snapshot, unique
}

// pgErrors provokes real PostgreSQL errors: 40001 (two SERIALIZABLE
// transactions updating the same row), 40P01 (two transactions locking two
// rows in opposite orders) and 23505 (a unique violation, not transient).
func pgErrors(t *testing.T) (serialization, deadlock, unique error) {
	ctx := t.Context()
	d := testdb.Open(t)
	mustExec(t, ctx, d.SQL, "CREATE TABLE retry_probe (id INT PRIMARY KEY, v INT)")
	mustExec(t, ctx, d.SQL, "INSERT INTO retry_probe VALUES (1, 0), (2, 0)")
	ser := &sql.TxOptions{Isolation: sql.LevelSerializable}

	t1, err := d.SQL.BeginTx(ctx, ser)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := d.SQL.BeginTx(ctx, ser)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	for _, tx := range []*sql.Tx{t1, t2} {
		if err := tx.QueryRowContext(ctx, "SELECT v FROM retry_probe WHERE id = 1").Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, ctx, t1, "UPDATE retry_probe SET v = v + 1 WHERE id = 1")
	if err := t1.Commit(); err != nil {
		t.Fatal(err)
	}
	_, serialization = t2.ExecContext(ctx, "UPDATE retry_probe SET v = v + 1 WHERE id = 1")
	_ = t2.Rollback()

	t1, _ = d.SQL.BeginTx(ctx, nil)
	t2, _ = d.SQL.BeginTx(ctx, nil)
	for _, tx := range []*sql.Tx{t1, t2} {
		mustExec(t, ctx, tx, "SET LOCAL deadlock_timeout = '20ms'")
	}
	mustExec(t, ctx, t1, "UPDATE retry_probe SET v = v + 1 WHERE id = 1")
	mustExec(t, ctx, t2, "UPDATE retry_probe SET v = v + 1 WHERE id = 2")
	errs := make(chan error, 2)
	go func() { _, err := t1.ExecContext(ctx, "UPDATE retry_probe SET v = v + 1 WHERE id = 2"); errs <- err }()
	go func() { _, err := t2.ExecContext(ctx, "UPDATE retry_probe SET v = v + 1 WHERE id = 1"); errs <- err }()
	// One of the two is chosen as the victim; its error ends its wait and
	// with its rollback the other's update goes through.
	for range 2 {
		if err := <-errs; err != nil {
			deadlock = err
			_ = t1.Rollback()
			_ = t2.Rollback()
		}
	}
	_ = t1.Rollback()
	_ = t2.Rollback()

	_, unique = d.SQL.ExecContext(ctx, "INSERT INTO retry_probe VALUES (1, 0)")
	for name, err := range map[string]error{"serialization": serialization, "deadlock": deadlock, "unique": unique} {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: want a *pgconn.PgError, got %T %v", name, err, err)
		}
	}
	return serialization, deadlock, unique
}

func TestRetryableClassifiesDriverErrorsByCode(t *testing.T) {
	busy, snapshot, unique := sqliteErrors(t)
	var se *sqlite.Error
	if errors.As(snapshot, &se); se.Code() != sqlite3.SQLITE_BUSY_SNAPSHOT {
		t.Fatalf("the upgrade after a foreign commit gave code %d, want SQLITE_BUSY_SNAPSHOT", se.Code())
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"sqlite busy", busy, true},
		{"sqlite busy snapshot", snapshot, true},
		{"sqlite busy, wrapped twice", fmt.Errorf("storing: %w", fmt.Errorf("tx: %w", busy)), true},
		{"sqlite busy, joined", errors.Join(errors.New("rollback failed"), busy), true},
		{"sqlite unique violation", unique, false},
		// Text that looks like a transient error is not one: only codes count.
		{"message text only", errors.New("database is locked (SQLITE_BUSY); SQLSTATE 40001"), false},
		{"context cancelled", context.Canceled, false},
	}
	if os.Getenv("PALISADE_TEST_DATABASE_URL") != "" {
		ser, dead, pgUnique := pgErrors(t)
		cases = append(cases, []struct {
			name string
			err  error
			want bool
		}{
			{"postgres 40001 serialization failure", ser, true},
			{"postgres 40P01 deadlock", dead, true},
			{"postgres 40P01, wrapped", fmt.Errorf("deleting account: %w", dead), true},
			{"postgres 23505 unique violation", pgUnique, false},
		}...)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := db.Retryable(c.err); got != c.want {
				t.Fatalf("Retryable(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

func TestRetryStopsOnSuccessPermanentErrorOrAttempts(t *testing.T) {
	busy, _, unique := sqliteErrors(t)
	fast := db.RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 2 * time.Millisecond}
	cases := []struct {
		name      string
		results   []error // what fn returns on each call; nil after the list
		wantCalls int
		wantErr   error
	}{
		{"success at once", nil, 1, nil},
		{"busy twice, then success", []error{busy, busy}, 3, nil},
		{"busy every time: bounded", []error{busy, busy, busy, busy, busy, busy}, 4, busy},
		{"permanent error: no retry", []error{unique, busy}, 1, unique},
		{"busy, then permanent", []error{busy, unique}, 2, unique},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls, retries := 0, 0
			p := fast
			p.OnRetry = func(error, time.Duration) { retries++ }
			err := db.Retry(t.Context(), p, func() error {
				calls++
				if calls <= len(c.results) {
					return c.results[calls-1]
				}
				return nil
			})
			if calls != c.wantCalls || !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Fatalf("calls %d err %v, want calls %d err %v", calls, err, c.wantCalls, c.wantErr)
			}
			if retries != calls-1 && err == nil {
				t.Fatalf("OnRetry heard %d retries for %d calls", retries, calls)
			}
		})
	}
}

func TestRetryEndsWithTheContextAndKeepsTheLastError(t *testing.T) {
	busy, _, _ := sqliteErrors(t)
	ctx, cancel := context.WithCancel(t.Context())
	var calls atomic.Int32
	err := db.Retry(ctx, db.RetryPolicy{Attempts: 100, Initial: time.Hour, Max: time.Hour}, func() error {
		calls.Add(1)
		cancel() // the caller gives up while we would wait an hour
		return busy
	})
	if calls.Load() != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, busy) {
		t.Fatalf("calls %d err %v: want one call, the busy error and the cancellation", calls.Load(), err)
	}
}

// TestRetriedTransactionsLoseNoIncrement races writers on one row through
// Retry around InTx under SERIALIZABLE isolation on PostgreSQL, where losers get a
// real 40001 and must be run again until every increment lands; on SQLite
// the single write connection serialises them and none may be lost either.
func TestRetriedTransactionsLoseNoIncrement(t *testing.T) {
	d := testdb.Open(t)
	ctx := t.Context()
	mustExec(t, ctx, d.SQL, "CREATE TABLE retry_counter (id INT PRIMARY KEY, v INT)")
	mustExec(t, ctx, d.SQL, "INSERT INTO retry_counter VALUES (1, 0)")
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- db.Retry(ctx, db.RetryPolicy{Attempts: 50, Initial: time.Millisecond, Max: 20 * time.Millisecond}, func() error {
				return d.InTx(ctx, func(tx *sql.Tx, _ *ent.Client) error {
					update := "UPDATE retry_counter SET v = ? WHERE id = 1"
					if !d.IsSQLite() {
						update = "UPDATE retry_counter SET v = $1 WHERE id = 1"
						if _, err := tx.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"); err != nil {
							return err
						}
					}
					var v int
					if err := tx.QueryRowContext(ctx, "SELECT v FROM retry_counter WHERE id = 1").Scan(&v); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, update, v+1)
					return err
				})
			})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var v int
	if err := d.SQL.QueryRowContext(ctx, "SELECT v FROM retry_counter WHERE id = 1").Scan(&v); err != nil || v != n {
		t.Fatalf("counter %d (%v), want %d: an increment was lost", v, err, n)
	}
}
