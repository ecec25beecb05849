package apptest

import (
	"sync"
	"testing"
	"time"
)

// WaitFor polls cond until it holds, failing the test with what if it does
// not within timeout. Tests wait for a condition, never for a guessed
// duration: that is fast when the system is fast and still right under the
// race detector on a loaded machine.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Eventually(timeout, cond) {
		t.Fatalf("%s: not within %v", what, timeout)
	}
}

// Eventually polls cond until it holds or timeout passes, and reports
// whether it held: for callers whose failure message needs what they saw.
// The pause between polls starts at 10 ms and doubles up to 250 ms, so a
// quick condition is seen at once and a slow one polled over the API stays
// well inside the plans' per-minute rate limits.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	pause := 10 * time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pause)
		pause = min(2*pause, 250*time.Millisecond)
	}
	return true
}

// Clock is wall time plus an offset the test moves forward: the services
// behave as in production, and a test passes an expiry or a cache's
// lifetime with Advance instead of sleeping through it.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// WithClock gives the identity and scan services the clock c.
func WithClock(c *Clock) Option { return func(s *Setup) { s.App.Clock = c.Now } }
