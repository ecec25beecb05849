// Package auth owns identities: accounts and their users, passwords,
// browser sessions and API keys. Secrets are only ever stored as hashes.
package auth

import (
	"context"
	"runtime"

	"github.com/alexedwards/argon2id"
)

// Hasher hashes and verifies passwords with argon2id. Each hash costs its
// memory parameter (64 MiB by default), so at most Limit run at once; the
// rest wait, which bounds the server's memory under a log-in flood.
type Hasher struct {
	params *argon2id.Params
	sem    chan struct{}
	dummy  string
}

// NewHasher returns a Hasher with params (nil means argon2id's defaults:
// 64 MiB, 1 pass) and at most limit concurrent hashes (0 means the CPU count).
func NewHasher(params *argon2id.Params, limit int) *Hasher {
	if params == nil {
		p := *argon2id.DefaultParams
		p.Parallelism = 1
		params = &p
	}
	if limit <= 0 {
		limit = runtime.NumCPU()
	}
	h := &Hasher{params: params, sem: make(chan struct{}, limit)}
	d, err := argon2id.CreateHash("palisade-dummy-password", params)
	if err != nil {
		panic("auth: argon2id failed: " + err.Error())
	}
	h.dummy = d
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the encoded argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return argon2id.CreateHash(password, h.params)
}

// Verify reports whether password matches hash. An empty hash (unknown user)
// is checked against a dummy so that the time taken does not reveal whether
// an e-mail address has an account.
func (h *Hasher) Verify(ctx context.Context, password, hash string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, h.dummy)
		return false, nil
	}
	return argon2id.ComparePasswordAndHash(password, hash)
}
