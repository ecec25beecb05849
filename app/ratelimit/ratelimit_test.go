package ratelimit

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/testdb"
)

func openDB(t *testing.T) *db.DB { return testdb.Open(t) }

func TestLimiterCountsDownAndRefills(t *testing.T) {
	d := openDB(t)
	l := New(d)
	clock := time.Unix(1_800_000_000, 0)
	l.now = func() time.Time { return clock }
	ctx := context.Background()
	for i := 1; i <= 10; i++ {
		dec, err := l.Allow(ctx, "key_a", 10)
		if err != nil {
			t.Fatal(err)
		}
		if !dec.Allowed || dec.Remaining != 10-i || dec.Limit != 10 {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i, dec, 10-i)
		}
	}
	dec, err := l.Allow(ctx, "key_a", 10)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Allowed || dec.RetryAfter != 6*time.Second || dec.Remaining != 0 {
		t.Fatalf("11th request: %+v, want denied, retry after 6s", dec)
	}
	// Another key is independent.
	if dec, _ := l.Allow(ctx, "key_b", 10); !dec.Allowed || dec.Remaining != 9 {
		t.Fatalf("other key: %+v", dec)
	}
	// After one emission interval one request is allowed again, and no more.
	clock = clock.Add(6 * time.Second)
	if dec, _ := l.Allow(ctx, "key_a", 10); !dec.Allowed || dec.Remaining != 0 {
		t.Fatalf("after 6s: %+v, want one allowed", dec)
	}
	if dec, _ := l.Allow(ctx, "key_a", 10); dec.Allowed {
		t.Fatalf("after 6s a second request was allowed: %+v", dec)
	}
	// After a full minute the whole allowance is back.
	clock = clock.Add(time.Minute)
	if dec, _ := l.Allow(ctx, "key_a", 10); !dec.Allowed || dec.Remaining != 9 {
		t.Fatalf("after a minute: %+v", dec)
	}
}

// TestLimiterIsAtomic: 40 concurrent requests with a limit of 10 admit exactly 10.
func TestLimiterIsAtomic(t *testing.T) {
	l := New(openDB(t))
	// Real time passes during the test; one token refills only every 6 s.
	if allowed := admitted(t, slices.Repeat([]*Limiter{l}, 40), "key_c", 10, 1); allowed != 10 {
		t.Fatalf("allowed %d of 40 concurrent requests, want 10", allowed)
	}
}

// admitted sends each requests for key from one goroutine per entry of ls
// (a limiter may appear more than once) and counts those allowed.
func admitted(t *testing.T, ls []*Limiter, key string, perMinute, each int) int {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	allowed := 0
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				dec, err := l.Allow(context.Background(), key, perMinute)
				if err != nil {
					t.Error(err)
					return
				}
				if dec.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return allowed
}
