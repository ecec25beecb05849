package db

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// stmtCacheSize bounds the prepared statements a Pool keeps. The hot paths
// use a few dozen distinct statements; texts that differ only in an inlined
// OFFSET (deep pages) come and go through the LRU.
const stmtCacheSize = 256

// Pool is a *sql.DB that, on SQLite, prepares each statement text once and
// reuses it: parsing and planning were a fifth of an API request's CPU,
// and the driver keeps a prepared handle per connection. On PostgreSQL the
// pgx driver already caches statements, so the Pool passes straight through.
// It satisfies Ent's ExecQuerier, so an Ent client can run on it.
type Pool struct {
	*sql.DB
	cache bool

	mu    sync.Mutex
	lru   *list.List // of *cached, most recently used first
	bySQL map[string]*list.Element
}

type cached struct {
	query string
	stmt  *sql.Stmt
}

// newPool wraps db; cache turns statement reuse on.
func newPool(db *sql.DB, cache bool) *Pool {
	return &Pool{DB: db, cache: cache, lru: list.New(), bySQL: map[string]*list.Element{}}
}

// QueryContext runs query on a statement prepared once per connection.
func (p *Pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !p.cache {
		return p.DB.QueryContext(ctx, query, args...)
	}
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext is QueryContext for at most one row.
func (p *Pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if !p.cache {
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	st, err := p.stmt(ctx, query)
	if err != nil {
		// A *sql.Row cannot be built with an error from outside database/sql;
		// the unprepared path reports the same error at Scan.
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecContext runs query on a statement prepared once per connection.
func (p *Pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !p.cache {
		return p.DB.ExecContext(ctx, query, args...)
	}
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// stmt returns the cached statement for query, preparing it on first use
// and evicting the least recently used one beyond stmtCacheSize. Closing an
// evicted statement is safe while another goroutine still reads its rows:
// database/sql defers the close until they are done.
func (p *Pool) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	if e, ok := p.bySQL[query]; ok {
		p.lru.MoveToFront(e)
		st := e.Value.(*cached).stmt
		p.mu.Unlock()
		return st, nil
	}
	p.mu.Unlock()
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.bySQL[query]; ok { // prepared concurrently: keep the first
		st.Close()
		p.lru.MoveToFront(e)
		return e.Value.(*cached).stmt, nil
	}
	p.bySQL[query] = p.lru.PushFront(&cached{query: query, stmt: st})
	for p.lru.Len() > stmtCacheSize {
		old := p.lru.Remove(p.lru.Back()).(*cached)
		delete(p.bySQL, old.query)
		old.stmt.Close()
	}
	return st, nil
}

// Close closes the cached statements and the pool.
func (p *Pool) Close() error {
	p.mu.Lock()
	for e := p.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cached).stmt.Close()
	}
	p.lru.Init()
	clear(p.bySQL)
	p.mu.Unlock()
	return p.DB.Close()
}
