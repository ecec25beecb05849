package errs

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestNotFoundMatchesSentinel: every NotFound, whatever its message, is
// errors.Is ErrNotFound, and NotFounds do not match one another.
func TestNotFoundMatchesSentinel(t *testing.T) {
	a, b := &NotFound{Message: "no invitation"}, &NotFound{Message: "no account"}
	if !errors.Is(fmt.Errorf("x: %w", a), ErrNotFound) {
		t.Error("a wrapped NotFound does not match ErrNotFound")
	}
	if errors.Is(a, b) {
		t.Error("two different NotFounds match each other")
	}
	if errors.Is(errors.New("not found"), ErrNotFound) {
		t.Error("a plain error matches ErrNotFound")
	}
}

// TestField: the field and message a form shows for each kind, and nothing
// for an internal error.
func TestField(t *testing.T) {
	resets := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		err       error
		field     string
		msg       string
		shownToUs bool
	}{
		{"validation", fmt.Errorf("w: %w", &Validation{Field: "expires", Message: "pick one"}), "expires", "pick one", true},
		{"forbidden with field", &Forbidden{Field: "depth", Message: "upgrade"}, "depth", "upgrade", true},
		{"target refused", &TargetRefused{Field: "url", Message: "private"}, "url", "private", true},
		{"quota is the whole form", &QuotaExceeded{Limit: 3, Used: 3, ResetsAt: resets}, "", "the monthly scan quota of 3 scans is used up; it resets on 1 February 2026", true},
		{"rate limited", &RateLimited{RetryAfter: time.Minute, Message: "wait"}, "", "wait", true},
		{"conflict", &Conflict{Message: "taken"}, "", "taken", true},
		{"gone", &Gone{Message: "expired"}, "", "expired", true},
		{"not found", ErrNotFound, "", "not found", true},
		{"internal", errors.New("disk full"), "", "", false},
		{"upstream is not a form error", &Upstream{Message: "stripe"}, "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, m, ok := Field(tc.err)
			if f != tc.field || m != tc.msg || ok != tc.shownToUs {
				t.Fatalf("Field(%v) = %q, %q, %v; want %q, %q, %v", tc.err, f, m, ok, tc.field, tc.msg, tc.shownToUs)
			}
		})
	}
}
