package scanner

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelBoundAndCancel: the crawl's fan-out runs every call while the
// context lives, never more than 4 at once (and really 4: the first four
// meet at a barrier a serial loop could never pass), and starts nothing new
// once the context has ended.
func TestParallelBoundAndCancel(t *testing.T) {
	cases := []struct {
		name     string
		n        int
		cancelAt int // the call that cancels the context; -1 = none, -2 = cancelled before
		wantMin  int // calls that must have run
		wantMax  int // calls that may have run
	}{
		{"all run", 20, -1, 20, 20},
		{"fewer than the limit", 3, -1, 3, 3},
		{"cancelled before", 20, -2, 0, 0},
		{"cancelled at the fifth call", 20, 4, 5, 5 + 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelAt == -2 {
				cancel()
			}
			var inFlight, peak, calls atomic.Int32
			barrier := min(tc.n, 4)
			if tc.cancelAt == -2 {
				barrier = 0
			}
			var arrived sync.WaitGroup
			arrived.Add(barrier)
			met := make(chan struct{})
			go func() { arrived.Wait(); close(met) }()
			var r scanRun
			r.parallel(ctx, tc.n, func(i int) {
				cur := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
				}
				c := calls.Add(1)
				if int(c) <= barrier {
					arrived.Done()
					select {
					case <-met:
					case <-time.After(3 * time.Second): // only to fail instead of hanging
						t.Error("the first calls did not run at the same time")
					}
				}
				// Counted by calls, not by index: goroutines run in no
				// particular order, so item 4 may start after items 5…19.
				if int(c) == tc.cancelAt+1 {
					cancel()
				}
			})
			if got := int(calls.Load()); got < tc.wantMin || got > tc.wantMax {
				t.Errorf("%d calls, want %d..%d", got, tc.wantMin, tc.wantMax)
			}
			if p := peak.Load(); p > 4 {
				t.Errorf("%d calls in flight at once, limit 4", p)
			}
		})
	}
}

// TestPoliteLimiterDeadline: a wait that could only end after the context's
// deadline fails at once, as a deadline error (so the fetch reports a
// timeout), and a host's burst is not shared with other hosts.
func TestPoliteLimiterDeadline(t *testing.T) {
	cases := []struct {
		name    string
		rate    float64
		burst   int
		taken   int // tokens taken before the timed wait
		timeout time.Duration
		wantErr bool
	}{
		{"token in the burst", 1, 2, 1, time.Hour, false},
		{"next token after the deadline", 0.001, 1, 1, 10 * time.Second, true},
		{"unlimited rate", 0, 1, 5, 50 * time.Millisecond, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPoliteLimiter(tc.rate, tc.burst)
			for i := 0; i < tc.taken; i++ {
				if err := p.wait(context.Background(), "h"); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.wait(context.Background(), "other"); err != nil {
				t.Fatalf("other host: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			err := p.wait(ctx, "h")
			if tc.wantErr {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("err = %v, want a deadline error", err)
				}
				if ctx.Err() != nil {
					t.Error("the wait slept until the deadline instead of failing at once")
				}
				if s := sentenceOf(err); s != "the server did not send its response in time" {
					t.Errorf("reported as %q", s)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
