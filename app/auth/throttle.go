package auth

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/ratelimit"
	"github.com/palisade/palisade/ent"
)

// Limiter counts attempts against a limit per window, shared by every
// instance (app/ratelimit's database-backed limiter in production).
type Limiter interface {
	AllowN(ctx context.Context, key string, limit int, window time.Duration) (ratelimit.Decision, error)
}

// Log-in throttling: attempts per network address (any e-mail) and per
// e-mail address (from any network address), whether or not the account
// exists, so the throttle reveals nothing either.
const (
	LoginWindow     = 15 * time.Minute
	LoginPerIP      = 30
	LoginPerAccount = 10
)

// SetLimiter gives the service the limiter LogInFrom counts attempts with,
// and the logger it reports throttling to. The composition root sets it
// before serving; without one LogInFrom does not throttle.
func (s *Service) SetLimiter(l Limiter, log *slog.Logger) {
	s.limiter, s.log = l, log
}

// LogInFrom is LogIn for a person at clientIP, counted against both
// log-in limits first: over either, it answers RateLimited (with the longer
// wait) without checking the password, so guessing costs the guesser time
// and not us Argon2 work.
func (s *Service) LogInFrom(ctx context.Context, email, password, clientIP string) (*ent.User, error) {
	if s.limiter != nil {
		keys := []struct {
			key   string
			limit int
		}{
			{"login:ip:" + HashToken(clientIP)[:40], LoginPerIP},
			{"login:acct:" + HashToken(strings.ToLower(strings.TrimSpace(email)))[:40], LoginPerAccount},
		}
		var wait time.Duration
		for _, k := range keys {
			d, err := s.limiter.AllowN(ctx, k.key, k.limit, LoginWindow)
			if err != nil {
				return nil, err
			}
			if !d.Allowed && d.RetryAfter > wait {
				wait = d.RetryAfter
			}
		}
		if wait > 0 {
			s.logger().Warn("log-in throttled", "ip", clientIP)
			return nil, TooMany(wait, "log-in attempts")
		}
	}
	return s.LogIn(ctx, email, password)
}

// TooMany is the RateLimited a throttled form shows: the wait in whole
// minutes, rounded up, which is what a person can act on.
func TooMany(wait time.Duration, what string) *errs.RateLimited {
	mins := int((wait + time.Minute - 1) / time.Minute)
	plural := "s"
	if mins == 1 {
		plural = ""
	}
	return &errs.RateLimited{RetryAfter: wait, Message: fmt.Sprintf("Too many %s. Try again in %d minute%s.", what, mins, plural)}
}

func (s *Service) logger() *slog.Logger {
	if s.log == nil {
		return slog.Default()
	}
	return s.log
}
