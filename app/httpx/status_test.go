package httpx

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/errs"
)

// TestStatus is the whole mapping from error kinds to answers: every kind
// of app/errs, wrapped or not, and the errors that must stay generic.
func TestStatus(t *testing.T) {
	resets := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		err     error
		code    int
		msg     string
		extra   map[string]any
		headers map[string]string
	}{
		{"validation", &errs.Validation{Field: "url", Message: "url is required"}, 400, "url is required", nil, nil},
		{"wrapped validation", fmt.Errorf("accepting: %w", &errs.Validation{Field: "x", Message: "bad x"}), 400, "bad x", nil, nil},
		{"quota", &errs.QuotaExceeded{Limit: 10, Used: 10, ResetsAt: resets}, 429,
			"the monthly scan quota of 10 scans is used up; it resets on 1 January 2026",
			map[string]any{"limit": 10, "used": 10, "resetsAt": "2026-01-01T00:00:00Z"}, nil},
		{"rate limited rounds up", &errs.RateLimited{RetryAfter: 2500 * time.Millisecond, Message: "slow down"}, 429, "slow down", nil, map[string]string{"Retry-After": "3"}},
		{"rate limited never 0", &errs.RateLimited{RetryAfter: 0, Message: "slow down"}, 429, "slow down", nil, map[string]string{"Retry-After": "1"}},
		{"unauthenticated", &errs.Unauthenticated{Message: "key required"}, 401, "key required", nil, nil},
		{"forbidden", &errs.Forbidden{Field: "depth", Message: "upgrade"}, 403, "upgrade", nil, nil},
		{"conflict", &errs.Conflict{Message: "already used"}, 409, "already used", nil, nil},
		{"gone", &errs.Gone{Message: "link expired"}, 410, "link expired", nil, nil},
		{"target refused", &errs.TargetRefused{Field: "url", Message: "private address"}, 422, "private address", nil, nil},
		{"too large", &errs.TooLarge{Message: "too big"}, 413, "too big", nil, nil},
		{"unavailable", &errs.Unavailable{Message: "not configured"}, 503, "not configured", nil, nil},
		{"upstream", fmt.Errorf("%w: card_error", &errs.Upstream{Message: "stripe failed"}), 502, "stripe failed", nil, nil},
		{"not found sentinel", fmt.Errorf("x: %w", errs.ErrNotFound), 404, "not found", nil, nil},
		{"not found with message", &errs.NotFound{Message: "no such endpoint"}, 404, "no such endpoint", nil, nil},
		{"fiber 415 keeps its message", fiber.NewError(415, "send JSON"), 415, "send JSON", nil, nil},
		{"fiber 413", fiber.ErrRequestEntityTooLarge, 413, "the request body is too large", nil, nil},
		{"fiber 405", fiber.ErrMethodNotAllowed, 405, "method not allowed", nil, nil},
		{"fiber 500 says nothing", fiber.NewError(500, "db password wrong"), 500, "internal error", nil, nil},
		{"anything else", errors.New("pq: connection refused"), 500, "internal error", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, msg, extra, headers := Status(tc.err)
			if code != tc.code || msg != tc.msg {
				t.Errorf("Status(%v) = %d %q, want %d %q", tc.err, code, msg, tc.code, tc.msg)
			}
			if !maps.Equal(extra, tc.extra) {
				t.Errorf("extra = %v, want %v", extra, tc.extra)
			}
			if !maps.Equal(headers, tc.headers) {
				t.Errorf("headers = %v, want %v", headers, tc.headers)
			}
			if code == http.StatusOK {
				t.Errorf("an error mapped to 200")
			}
		})
	}
}
