// Package db opens Palisade's database — SQLite (pure Go) or PostgreSQL — and
// migrates both the Ent schema and River's tables. The rest of the app sees
// one *sql.DB and one Ent client whatever the engine.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/palisade/palisade/ent"
)

// DB is an open database: the raw pool (shared with River) and the Ent client on it.
type DB struct {
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres
	Ent     *ent.Client
	// ReadSQL and Read serve the hot read paths (lists, look-ups). On SQLite
	// they are a separate pool of read-only connections, so readers never
	// queue behind the single writer, and they reuse prepared statements;
	// on PostgreSQL they are SQL and Ent.
	ReadSQL *Pool
	Read    *ent.Client
	// Limits holds the API rate-limit state. On SQLite it is a file of its
	// own next to the main one: its write per request would otherwise empty
	// every read connection's page cache on the main file. On PostgreSQL it
	// is SQL.
	Limits *Pool
	// URL is the connection string as configured (PostgreSQL: also used by River's pgx pool).
	URL string
}

// Open connects to databaseURL ("sqlite:PATH" or "postgres://…"). For SQLite
// the file's directory is created and the connection is set up for a server:
// WAL, foreign keys, a busy timeout and immediate write transactions.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	var (
		sqlDB, readDB *sql.DB
		dia           string
		limitsPath    string
		err           error
	)
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, fmt.Errorf("database URL %q names no file", databaseURL)
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("creating database directory: %w", err)
			}
		}
		sqlDB, err = openSQLite(path, false)
		if err != nil {
			return nil, err
		}
		// SQLite has one writer at a time. One write connection makes writers
		// queue in Go, in order, instead of in SQLite's sleeping busy handler
		// (River's SQLite driver asks for exactly this).
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxIdleTime(0)
		readDB, err = openSQLite(path, true)
		if err != nil {
			sqlDB.Close()
			return nil, err
		}
		limitsPath = strings.TrimSuffix(path, ".db") + "-limits.db"
		readDB.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
		readDB.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
		dia = dialect.SQLite
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		sqlDB, err = sql.Open("pgx", databaseURL)
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		dia = dialect.Postgres
	default:
		return nil, fmt.Errorf("database URL must start with sqlite: or postgres://, got %q", databaseURL)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ping(pingCtx, sqlDB); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	d := &DB{SQL: sqlDB, Dialect: dia, Ent: ent.NewClient(ent.Driver(entsql.OpenDB(dia, sqlDB))), URL: databaseURL}
	d.ReadSQL, d.Read, d.Limits = newPool(sqlDB, false), d.Ent, newPool(sqlDB, false)
	if readDB != nil {
		d.ReadSQL = newPool(readDB, true)
		d.Read = ent.NewClient(ent.Driver(entsql.NewDriver(dia, entsql.Conn{ExecQuerier: d.ReadSQL})))
		limits, err := openSQLite(limitsPath, false)
		if err != nil {
			d.Close()
			return nil, err
		}
		limits.SetMaxOpenConns(1)
		if err := ping(pingCtx, limits); err != nil {
			limits.Close()
			d.Close()
			return nil, fmt.Errorf("connecting to the rate-limit database: %w", err)
		}
		d.Limits = newPool(limits, true)
	}
	return d, nil
}

// ping opens the pool's first connection, which runs the pragmas. Several
// instances opening a new SQLite file at once race to switch it to WAL; the
// loser of that lock upgrade gets SQLITE_BUSY at once (SQLite does not wait
// where waiting could deadlock), so a busy answer is retried.
func ping(ctx context.Context, db *sql.DB) error {
	return Retry(ctx, RetryPolicy{Attempts: 10, Initial: 10 * time.Millisecond, Max: 250 * time.Millisecond},
		func() error { return db.PingContext(ctx) })
}

// openSQLite opens a pool on the file with the pragmas a server wants: WAL,
// foreign keys, a busy timeout, NORMAL sync; write transactions start
// IMMEDIATE so they never deadlock upgrading. (A larger page cache and mmap
// were measured and did not help: see docs/BENCHMARKS.md.)
func openSQLite(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	// busy_timeout comes first: the pragmas run in order, and switching a new
	// file to WAL takes a lock that instances opening it at the same moment
	// must wait for rather than fail on (SQLITE_BUSY).
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	q.Set("_time_format", "sqlite")
	return sql.Open("sqlite", "file:"+path+"?"+q.Encode())
}

// Close closes the Ent clients and the pools.
func (d *DB) Close() error {
	if d.ReadSQL.DB != d.SQL {
		d.ReadSQL.Close()
	}
	if d.Limits != nil && d.Limits.DB != d.SQL {
		d.Limits.Close()
	}
	return d.Ent.Close()
}

// IsSQLite reports whether the database is SQLite.
func (d *DB) IsSQLite() bool { return d.Dialect == dialect.SQLite }

// TxClient returns an Ent client bound to tx, so Ent writes and River's job
// insert (which takes the same *sql.Tx) commit or roll back together.
func (d *DB) TxClient(tx *sql.Tx) *ent.Client {
	drv := entsql.NewDriver(d.Dialect, entsql.Conn{ExecQuerier: tx})
	return ent.NewClient(ent.Driver(sharedTxDriver{drv}))
}

// sharedTxDriver is an Ent driver over a transaction someone else owns.
// Ent opens nested "transactions" for some writes; here they join the outer
// one, exactly as Ent's own transactional client does.
type sharedTxDriver struct{ *entsql.Driver }

// Tx joins the outer transaction.
func (d sharedTxDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d.Driver), nil }

// Close does nothing: the owner commits or rolls back.
func (d sharedTxDriver) Close() error { return nil }

// EntTx runs fn in one of client's transactions, committing when it returns
// nil and rolling back on an error or a panic (which must not leave the
// transaction, and SQLite's write lock, open). It is InTx for code that
// holds only an Ent client.
func EntTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// InTx runs fn in a transaction, committing when it returns nil.
func (d *DB) InTx(ctx context.Context, fn func(tx *sql.Tx, client *ent.Client) error) (err error) {
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		// A panic must not leave the transaction (and SQLite's write lock) open.
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx, d.TxClient(tx)); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
