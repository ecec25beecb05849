package auth

import (
	"context"
	"sync"
	"time"

	"github.com/palisade/palisade/ent/apikey"
)

// keyCacheTTL bounds how long a key's state, and its account's plan, may be
// served from memory: a revoked key stops working, and a plan change
// applies, on every instance within this time. On the instance that made
// the change it applies at once (the cache entry is dropped).
const keyCacheTTL = 500 * time.Millisecond

type cachedKey struct {
	info *APIKeyInfo
	err  error
	at   time.Time
}

// keyCache remembers recent key look-ups so authentication costs a map read
// on the hot path instead of a database round trip.
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

func (c *keyCache) get(hash string, now time.Time) (cachedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.Sub(e.at) > keyCacheTTL {
		return cachedKey{}, false
	}
	return e, true
}

func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// forget drops the entries of one account's keys.
func (c *keyCache) forget(accountID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.m {
		if e.info != nil && e.info.Key.AccountID == accountID {
			delete(c.m, h)
		}
	}
}

func (c *keyCache) put(hash string, e cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedKey{}
	}
	c.m[hash] = e
}

// keyUse accumulates request counts and last-used times per key so they are
// written in batches, not one write per request.
type keyUse struct {
	mu      sync.Mutex
	pending map[string]*useDelta
}

type useDelta struct {
	n    int64
	last time.Time
}

// RecordKeyUse notes one request made with the key; FlushKeyUse writes it.
func (s *Service) RecordKeyUse(keyID string) {
	s.use.mu.Lock()
	defer s.use.mu.Unlock()
	if s.use.pending == nil {
		s.use.pending = map[string]*useDelta{}
	}
	d := s.use.pending[keyID]
	if d == nil {
		d = &useDelta{}
		s.use.pending[keyID] = d
	}
	d.n++
	d.last = s.now()
}

// FlushKeyUse writes the accumulated counts and last-used times. The
// container calls it every few seconds and at shutdown.
func (s *Service) FlushKeyUse(ctx context.Context) error {
	s.use.mu.Lock()
	batch := s.use.pending
	s.use.pending = nil
	s.use.mu.Unlock()
	for id, d := range batch {
		err := s.db.APIKey.Update().Where(apikey.ID(id)).AddRequestCount(d.n).SetLastUsedAt(d.last).Exec(ctx)
		if err != nil {
			// Put it back so the counts are not lost.
			s.use.mu.Lock()
			if s.use.pending == nil {
				s.use.pending = map[string]*useDelta{}
			}
			if cur := s.use.pending[id]; cur != nil {
				cur.n += d.n
			} else {
				s.use.pending[id] = d
			}
			s.use.mu.Unlock()
			return err
		}
	}
	return nil
}
