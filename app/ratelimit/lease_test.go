package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

// fixedClock returns a limiter clock that moves only when the test moves it.
func fixedClock(l *Limiter, at *time.Time) { l.now = func() time.Time { return *at } }

// twoInstances is two limiters on one database, as two servers would have,
// sharing one clock the test moves.
func twoInstances(t *testing.T) (a, b *Limiter, clock *time.Time) {
	d := openDB(t)
	a, b = New(d), New(d)
	at := time.Unix(1_800_000_000, 0)
	fixedClock(a, &at)
	fixedClock(b, &at)
	return a, b, &at
}

// TestLeaseAdmitsExactlyTheLimitAlone: one instance spending leases admits
// exactly the limit, no more, and asks the database far less than once a request.
func TestLeaseAdmitsExactlyTheLimitAlone(t *testing.T) {
	for _, tc := range []struct {
		name      string
		perMinute int
		requests  int
		maxTakes  int
	}{
		{"pro-sized limit", 600, 700, 160}, // leases of up to 60: the 100 denied requests each ask
		{"enterprise-sized limit", 6000, 5000, 60},
		{"huge limit", 1_000_000, 5000, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New(openDB(t))
			clock := time.Unix(1_800_000_000, 0)
			fixedClock(l, &clock)
			allowed, lastRemaining := 0, tc.perMinute
			for i := range tc.requests {
				dec, err := l.Allow(t.Context(), "key", tc.perMinute)
				if err != nil {
					t.Fatal(err)
				}
				if !dec.Allowed {
					continue
				}
				allowed++
				if dec.Remaining != lastRemaining-1 {
					t.Fatalf("request %d: remaining %d after %d, want it to count down by one", i+1, dec.Remaining, lastRemaining)
				}
				lastRemaining = dec.Remaining
			}
			if want := min(tc.requests, tc.perMinute); allowed != want {
				t.Fatalf("allowed %d of %d at %d a minute, want %d", allowed, tc.requests, tc.perMinute, want)
			}
			if l.leases.takes > tc.maxTakes {
				t.Fatalf("%d database round trips for %d requests, want at most %d", l.leases.takes, tc.requests, tc.maxTakes)
			}
		})
	}
}

// TestLeasesNeverOverAdmitAcrossInstances: two instances (two limiters on one
// database) racing for one key admit at most the limit together, and lose at
// most one lease's worth to tokens the other still holds.
func TestLeasesNeverOverAdmitAcrossInstances(t *testing.T) {
	a, b, _ := twoInstances(t)
	const perMinute = 600
	allowed := admitted(t, []*Limiter{a, a, b, b}, "shared", perMinute, 250)
	if allowed > perMinute || allowed < perMinute-perMinute/maxLeaseShare {
		t.Fatalf("two instances admitted %d at %d a minute, want at most %d and at least %d", allowed, perMinute, perMinute, perMinute-perMinute/maxLeaseShare)
	}
}

// TestLeaseGivesBackWhatItDidNotSpend: an expired lease's unspent tokens go
// back to the shared state, so another instance sees exactly what was spent
// plus what is leased now.
func TestLeaseGivesBackWhatItDidNotSpend(t *testing.T) {
	a, b, clock := twoInstances(t)
	const perMinute = 600 // one token every 100 ms, leases of up to 60
	for range 200 {
		if dec, err := a.Allow(t.Context(), "k", perMinute); err != nil || !dec.Allowed {
			t.Fatalf("burst: %+v %v", dec, err)
		}
	}
	*clock = clock.Add(leaseTTL + 100*time.Millisecond) // A's lease expires; 11 tokens refill
	if dec, err := a.Allow(t.Context(), "k", perMinute); err != nil || !dec.Allowed {
		t.Fatalf("after expiry: %+v %v", dec, err)
	}
	held := a.leases.get("k").left
	dec, err := b.Allow(t.Context(), "k", perMinute)
	if err != nil || !dec.Allowed {
		t.Fatalf("other instance: %+v %v", dec, err)
	}
	// Out of the allowance: A's 201 spent and `held` leased, B's one, less 11 refilled.
	if want := perMinute - (201 + held + 1 - 11); dec.Remaining != want {
		t.Fatalf("other instance sees %d remaining, want %d (A holds %d)", dec.Remaining, want, held)
	}
}

// TestLeaseFollowsAPlanChange: a new limit drops the old lease at once; the
// first request after a change asks the database under the new limit.
func TestLeaseFollowsAPlanChange(t *testing.T) {
	const before = 6000 // a token every 10 ms
	for _, after := range []int{600, 10} {
		t.Run(strconv.Itoa(after), func(t *testing.T) {
			l := New(openDB(t))
			clock := time.Unix(1_800_000_000, 0)
			fixedClock(l, &clock)
			for range 50 {
				if dec, _ := l.Allow(t.Context(), "k", before); !dec.Allowed {
					t.Fatal("denied under a large limit")
				}
			}
			left := l.leases.get("k").left
			if left <= 10 {
				t.Fatalf("the test needs more unspent tokens in the lease than the smallest new limit, has %d", left)
			}
			// The state carries over as time: the 50 spent and the lease
			// taken out are (50+left)×10 ms of debt under the new limit too.
			interval := time.Minute / time.Duration(after)
			debt := time.Duration(50+left) * time.Minute / before
			want := int((time.Minute - debt - interval) / interval)
			first, err := l.Allow(t.Context(), "k", after)
			if err != nil || !first.Allowed || first.Limit != after || first.Remaining != want {
				t.Fatalf("after the change to %d: %+v %v, want allowed with %d remaining", after, first, err, want)
			}
			allowed := 1
			for range after + 20 {
				if dec, _ := l.Allow(t.Context(), "k", after); dec.Allowed {
					allowed++
				}
			}
			if allowed > after {
				t.Fatalf("%d allowed after the change to %d a minute", allowed, after)
			}
		})
	}
}
