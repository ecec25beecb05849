package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Leases: a busy key takes its allowance from the database a few requests at
// a time and spends them in memory, so 5,000 requests a second cost tens of
// writes, not thousands. The database still holds the truth: a lease is
// taken out of the shared state before it is spent, so no number of
// instances can admit more than the limit. What a lease can cost is the
// opposite error, admitting slightly fewer: tokens an instance leased and did
// not spend are handed back with its next lease, and otherwise refill within
// seconds.
const (
	// leaseTTL is how long a lease may be spent. Longer would hold more of
	// the allowance out of other instances' reach.
	leaseTTL = time.Second
	// maxLeaseShare caps a lease at this fraction of the per-minute limit,
	// and maxLease in absolute terms. A limit under 2×maxLeaseShare (the
	// free plan's 10 a minute) never leases: every request asks the
	// database, and the headers count down exactly.
	maxLeaseShare = 10
	maxLease      = 100
)

// lease is one key's allowance held by this instance.
type lease struct {
	mu      sync.Mutex
	limit   int       // the per-minute limit the lease was taken under
	left    int       // tokens not yet spent
	size    int       // the size of the next lease: doubles while leases run out, halves while they expire
	expires time.Time // spend by
	// dbRemaining and reset are what the database reported when the lease
	// was taken; the headers add the tokens still left in the lease.
	dbRemaining int
	reset       time.Time
}

type leases struct {
	mu    sync.Mutex
	m     map[string]*lease
	takes int
}

func (ls *leases) get(key string) *lease {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	le, ok := ls.m[key]
	if !ok {
		le = &lease{size: 1}
		ls.m[key] = le
	}
	return le
}

// sweep forgets leases that ran out long ago, so the map holds only keys
// in recent use. It runs every 1,024th database take.
func (ls *leases) sweep(now time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.takes++; ls.takes%1024 != 0 {
		return
	}
	for k, le := range ls.m {
		if le.mu.TryLock() {
			if now.Sub(le.expires) > time.Minute {
				delete(ls.m, k)
			}
			le.mu.Unlock()
		}
	}
}

// Allow counts one API request for key against perMinute. Requests to the
// same key on this instance queue on the key's lease while one of them asks
// the database, which would serialise them on the row anyway.
func (l *Limiter) Allow(ctx context.Context, key string, perMinute int) (Decision, error) {
	if perMinute <= 0 {
		return Decision{Allowed: true}, nil
	}
	most := min(perMinute/maxLeaseShare, maxLease)
	if most < 2 {
		return l.take(ctx, key, perMinute, Window, 1)
	}
	le := l.leases.get(key)
	le.mu.Lock()
	defer le.mu.Unlock()
	now := l.now()
	live := now.Before(le.expires) && le.limit == perMinute
	if live && le.left > 0 {
		le.left--
		return Decision{Allowed: true, Limit: perMinute, Remaining: min(le.dbRemaining+le.left, perMinute), Reset: le.reset}, nil
	}
	// Size the next lease by how the last one went: spent before it expired
	// means the key is busy; expired unspent means it is not.
	switch {
	case le.limit != perMinute:
		le.size, le.left = 1, 0 // a plan change: start over, and the old units do not add up
	case live:
		le.size = min(le.size*2, most)
	case le.left > 0:
		le.size = max(le.size/2, 1)
	}
	le.size = min(le.size, most)
	giveBack := le.left
	d, err := l.take(ctx, key, perMinute, Window, le.size-giveBack)
	if err == nil && !d.Allowed && le.size > 1 {
		// Not room for a whole lease: fall back to this one request, exactly.
		le.size = 1
		d, err = l.take(ctx, key, perMinute, Window, 1-giveBack)
	}
	l.leases.sweep(now)
	if err != nil {
		return Decision{}, err
	}
	le.limit, le.left = perMinute, 0
	if !d.Allowed {
		le.expires = time.Time{}
		return d, nil
	}
	le.left, le.expires = le.size-1, now.Add(leaseTTL)
	le.dbRemaining, le.reset = d.Remaining, d.Reset
	d.Remaining = min(d.Remaining+le.left, perMinute)
	return d, nil
}
