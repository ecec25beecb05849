// Package ratelimit enforces requests-per-minute limits that hold across
// every instance: the state is one row per key in the database, advanced by a
// single atomic upsert (the generic cell rate algorithm). Busy keys take
// their allowance in small leases (see lease.go), so the database sees one
// write per lease rather than one per request.
package ratelimit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/ids"
)

// Window is the period a limit is expressed over.
const Window = time.Minute

// Decision is the outcome of one request, with what the X-RateLimit headers report.
type Decision struct {
	Allowed   bool
	Limit     int
	Remaining int
	// Reset is when the full allowance is available again.
	Reset time.Time
	// RetryAfter is how long to wait before the next request is allowed (denied requests only).
	RetryAfter time.Duration
}

// Limiter checks requests against per-key limits.
type Limiter struct {
	db     *db.DB
	q      string
	now    func() time.Time
	leases leases
}

// New returns a limiter on d.
func New(d *db.DB) *Limiter {
	max := "MAX"
	ph := []string{"?1", "?2", "?3", "?4", "?5", "?6"}
	if !d.IsSQLite() {
		max = "GREATEST"
		ph = []string{"$1", "$2::bigint", "$3::bigint", "$4", "$5::bigint", "$6"}
	}
	// Allowed iff max(tat, now) + T - now <= W + slack; then tat advances and the
	// row carries this request's nonce, which is how the caller tells an
	// allowed request from a denied one in the same statement.
	q := fmt.Sprintf(`INSERT INTO rate_limits (id, tat, nonce) VALUES (%[2]s, %[3]s + %[4]s, %[5]s)
ON CONFLICT (id) DO UPDATE SET
  tat = CASE WHEN %[1]s(rate_limits.tat, %[3]s) + %[4]s - %[3]s <= %[6]s THEN %[1]s(rate_limits.tat, %[3]s) + %[4]s ELSE rate_limits.tat END,
  nonce = CASE WHEN %[1]s(rate_limits.tat, %[3]s) + %[4]s - %[3]s <= %[6]s THEN excluded.nonce ELSE rate_limits.nonce END
RETURNING tat, nonce`, max, ph[0], ph[1], ph[2], ph[3], ph[4])
	return &Limiter{db: d, q: q, now: time.Now, leases: leases{m: map[string]*lease{}}}
}

// AllowN counts one event for key against limit per window (log-in
// attempts use a longer window than API requests). It always asks the
// database, so it is exact however many instances share the key.
func (l *Limiter) AllowN(ctx context.Context, key string, limit int, window time.Duration) (Decision, error) {
	if limit <= 0 {
		return Decision{Allowed: true}, nil
	}
	return l.take(ctx, key, limit, window, 1)
}

// take moves key's state by n events (n < 0 gives unused ones back) in one
// statement: all n are admitted or none is. The decision reports what is
// left after them.
func (l *Limiter) take(ctx context.Context, key string, limit int, window time.Duration, n int) (Decision, error) {
	perMinute := limit
	now := l.now().UnixMicro()
	w := window.Microseconds()
	t := max(1, w/int64(perMinute)) // emission interval
	nonce := ids.Random(8)
	var tat int64
	var got sql.NullString
	// Concurrent requests read the clock before they queue for the row, so
	// one that runs later may carry an earlier "now". Half an interval of
	// slack absorbs that without ever admitting an extra request.
	slack := min(t/2, time.Second.Microseconds())
	if err := l.db.Limits.QueryRowContext(ctx, l.q, key, now, int64(n)*t, nonce, w+slack).Scan(&tat, &got); err != nil {
		return Decision{}, fmt.Errorf("rate limit: %w", err)
	}
	d := Decision{Limit: perMinute, Allowed: got.String == nonce, Reset: time.UnixMicro(max(tat, now))}
	if d.Allowed {
		d.Remaining = int((w - (tat - now)) / t)
	} else {
		d.RetryAfter = max(time.Duration(max(tat, now)+t-now-w)*time.Microsecond, time.Second)
	}
	d.Remaining = min(max(d.Remaining, 0), perMinute)
	return d, nil
}
