package netguard

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// Resolutions remembers, for the lifetime of one scan, the addresses each
// host name resolved to and whether the Policy allowed them. A Dialer with
// Resolutions asks DNS for a name once: every later connection to that name
// goes to an address that was checked when it was looked up, so the scan
// costs one A/AAAA resolution per host and a name cannot be rebound to a
// refused address between the check and the connection (there is no second
// answer to rebind). Concurrent first lookups of a name share one query.
//
// It is meant to live as long as one scan (seconds to a minute): it keeps
// answers without regard to their TTL.
type Resolutions struct {
	mu sync.Mutex
	m  map[string]*resolution
}

type resolution struct {
	done  chan struct{}
	addrs []netip.Addr // allowed addresses; nil when err is set
	err   error
	// retry marks a lookup that ended because its own caller's context
	// ended: not an answer about the host, so waiters look it up again.
	retry bool
}

// NewResolutions returns an empty cache.
func NewResolutions() *Resolutions { return &Resolutions{m: map[string]*resolution{}} }

// Seed records addrs, already checked against the Policy, as host's answer
// (the validation of the target resolved it before the scan started). A
// host already known keeps its answer.
func (c *Resolutions) Seed(host string, addrs []netip.Addr) {
	if len(addrs) == 0 {
		return
	}
	host = strings.ToLower(canonicalHost(host))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[host]; ok {
		return
	}
	e := &resolution{done: make(chan struct{}), addrs: slices.Clone(addrs)}
	close(e.done)
	c.m[host] = e
}

// get returns host's answer, running lookup when nobody has yet. A lookup
// that failed because its own ctx ended is not kept.
func (c *Resolutions) get(ctx context.Context, host string, lookup func(context.Context) ([]netip.Addr, error)) ([]netip.Addr, error) {
	host = strings.ToLower(host) // DNS names are case-insensitive
	for {
		c.mu.Lock()
		e := c.m[host]
		if e == nil {
			e = &resolution{done: make(chan struct{})}
			c.m[host] = e
			c.mu.Unlock()
			e.addrs, e.err = lookup(ctx)
			if e.err != nil && ctx.Err() != nil {
				e.retry = true
				c.mu.Lock()
				if c.m[host] == e {
					delete(c.m, host)
				}
				c.mu.Unlock()
			}
			close(e.done)
			return slices.Clone(e.addrs), e.err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if !e.retry {
			return slices.Clone(e.addrs), e.err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}
