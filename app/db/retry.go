package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/palisade/palisade/ent"
)

// PostgreSQL SQLSTATEs of a transaction that lost to a concurrent one and
// may simply be run again (PostgreSQL manual, appendix A, class 40).
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

// Retryable reports whether err is a transient conflict worth running the
// whole transaction again for: a PostgreSQL serialization failure or
// deadlock victim, or a busy or locked SQLite database. It reads the
// drivers' error codes, never message text: messages change between driver
// versions and can quote user data that merely looks like a code.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgSerializationFailure || pgErr.Code == pgDeadlockDetected
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		// modernc turns on extended result codes, so Code() may be e.g.
		// SQLITE_BUSY_SNAPSHOT (517); the low byte is the primary code, which
		// groups every BUSY_* and LOCKED_* variant.
		switch liteErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// RetryPolicy bounds a retry loop. The zero value is the default: five
// tries, waits growing from 10 ms to at most 1 s with ±50 % jitter (so
// callers that collided do not collide again in lock-step), retrying only
// what Retryable accepts.
type RetryPolicy struct {
	// Attempts is the number of tries in all, the first included.
	Attempts int
	// Initial is the first wait; later ones grow by half each time.
	Initial time.Duration
	// Max caps a single wait.
	Max time.Duration
	// Retryable decides which errors are worth another try (default: Retryable).
	Retryable func(error) bool
	// OnRetry, when set, hears of each failed try that will be retried,
	// with the wait before the next one (for a log line).
	OnRetry func(err error, wait time.Duration)
}

// Retry runs fn until it succeeds, fails with an error the policy does not
// retry, runs out of attempts, or ctx ends; it returns fn's last error
// (with ctx's error joined when ctx ended first). fn must be safe to run
// again. It is the one retry loop in the application: the backoff itself is
// cenkalti/backoff's.
func Retry(ctx context.Context, p RetryPolicy, fn func() error) error {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Initial <= 0 {
		p.Initial = 10 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = time.Second
	}
	if p.Retryable == nil {
		p.Retryable = Retryable
	}
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(p.Initial),
		backoff.WithMaxInterval(p.Max),
		backoff.WithMultiplier(1.5),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMaxElapsedTime(0), // bounded by Attempts and ctx, not by a clock
	)
	var last error
	op := func() error {
		last = fn()
		if last != nil && !p.Retryable(last) {
			return backoff.Permanent(last)
		}
		return last
	}
	var notify backoff.Notify
	if p.OnRetry != nil {
		notify = p.OnRetry
	}
	err := backoff.RetryNotify(op, backoff.WithContext(backoff.WithMaxRetries(exp, uint64(p.Attempts-1)), ctx), notify)
	if err != nil && last != nil && !errors.Is(last, err) && ctx.Err() != nil {
		// The library reports only the context's error when ctx ended
		// between tries; keep the error that made us wait.
		return fmt.Errorf("%w (gave up: %w)", last, err)
	}
	return err
}

// InTxRetry is InTx under Retry's default policy: the transaction is run
// again when it loses a transient conflict. fn must be safe to run again.
func (d *DB) InTxRetry(ctx context.Context, fn func(tx *sql.Tx, client *ent.Client) error) error {
	return Retry(ctx, RetryPolicy{}, func() error { return d.InTx(ctx, fn) })
}
