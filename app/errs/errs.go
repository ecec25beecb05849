// Package errs holds the error kinds every layer shares. Services say what
// went wrong with one of these kinds, named after what happened; app/httpx
// alone turns a kind into a status code, a `{"error":…}` body or an HTML
// page (see docs/ARCHITECTURE.md, "Error model"). That is why this package
// knows nothing of HTTP: a service that picks a status code has decided how
// a surface it does not own answers.
//
// Every kind's Message is one sentence safe to show the caller; details for
// the log go in a wrapping error, never in Message.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// NotFound means the thing does not exist for this caller. A foreign
// tenant's id is reported exactly like a missing one, so ids of other
// accounts cannot be probed. Message is optional ("not found" when empty).
type NotFound struct {
	Message string
}

// ErrNotFound is the plain NotFound most lookups return. Every *NotFound
// matches it with errors.Is, so callers need test for one value only.
var ErrNotFound = &NotFound{}

// Error returns the message, or "not found".
func (e *NotFound) Error() string {
	if e.Message == "" {
		return "not found"
	}
	return e.Message
}

// Is makes every NotFound match ErrNotFound.
func (e *NotFound) Is(target error) bool { return target == ErrNotFound }

// Validation is bad input tied to a field: the form re-renders with Message
// next to Field; the API answers naming it.
type Validation struct {
	Field   string
	Message string
}

// Error returns the message, ready to show next to the field.
func (e *Validation) Error() string { return e.Message }

// QuotaExceeded means the account's monthly scan quota is used up. The
// numbers travel with it because the API returns them as fields, so a
// program can tell when to come back.
type QuotaExceeded struct {
	Limit, Used int
	ResetsAt    time.Time
	// What names the allowance when it is not the scan quota ("monitor runs").
	What string
}

// Error is the sentence the API and the dashboard have always shown.
func (e *QuotaExceeded) Error() string {
	if e.What != "" {
		return fmt.Sprintf("the monthly allowance of %d %s is used up; it resets on %s", e.Limit, e.What, e.ResetsAt.Format("2 January 2006"))
	}
	return fmt.Sprintf("the monthly scan quota of %d scans is used up; it resets on %s", e.Limit, e.ResetsAt.Format("2 January 2006"))
}

// RateLimited means the caller is over a rate and may retry after RetryAfter.
type RateLimited struct {
	RetryAfter time.Duration
	Message    string
}

// Error returns the message.
func (e *RateLimited) Error() string { return e.Message }

// Unauthenticated means the caller did not prove who they are: no API key,
// a malformed Authorization header, a wrong password.
type Unauthenticated struct {
	Message string
}

// Error returns the message.
func (e *Unauthenticated) Error() string { return e.Message }

// Forbidden means the caller is known but may not do this (a member doing
// an owner's job, a depth the plan lacks, a revoked key). Field, when set,
// names the form field whose value was refused, so a form can flag it.
type Forbidden struct {
	Field   string
	Message string
	// Details are extra fields of the API's error body ({"limit": 5}).
	Details map[string]any
}

// Error returns the message.
func (e *Forbidden) Error() string { return e.Message }

// Conflict means the request collides with the state the database holds,
// typically because a concurrent request got there first (an invitation
// already used, an e-mail address already taken) or the thing is in the
// wrong state (a report not ready yet). Repeating the request as it is
// cannot succeed. Field, when set, names the input that collides (the
// e-mail address already taken).
type Conflict struct {
	Field   string
	Message string
	// Details are extra fields of the API's error body ({"siteId": "sit_…"}).
	Details map[string]any
}

// Error returns the message.
func (e *Conflict) Error() string { return e.Message }

// Gone means the thing existed once and no longer does: an expired or used
// link. It differs from NotFound in what the person should do (start over).
type Gone struct {
	Message string
}

// Error returns the message.
func (e *Gone) Error() string { return e.Message }

// TargetRefused means a URL was well-formed but Palisade may not scan it
// (a private address, a port outside the allowed set, a name that does not
// resolve). Field names the input that held it.
type TargetRefused struct {
	Field   string
	Message string
}

// Error returns the message.
func (e *TargetRefused) Error() string { return e.Message }

// TooLarge means the input is bigger than the limit for it.
type TooLarge struct {
	Message string
}

// Error returns the message.
func (e *TooLarge) Error() string { return e.Message }

// Unavailable means a part this request needs is not configured or not
// running here (a webhook secret that was never set); retrying elsewhere or
// later may succeed.
type Unavailable struct {
	Message string
}

// Error returns the message.
func (e *Unavailable) Error() string { return e.Message }

// Upstream means a service Palisade depends on (Stripe) failed to answer
// properly; the request itself was fine.
type Upstream struct {
	Message string
}

// Error returns the message.
func (e *Upstream) Error() string { return e.Message }

// Field returns the form field an error should be shown next to, and its
// message, for every kind a person can act on; ok is false for internal
// errors, which a form must not show. An empty field means the form as a
// whole. Forms use this rather than a status code, so a kind that gains a
// field is flagged without touching the handler.
func Field(err error) (field, msg string, ok bool) {
	var (
		v  *Validation
		f  *Forbidden
		t  *TargetRefused
		q  *QuotaExceeded
		r  *RateLimited
		c  *Conflict
		g  *Gone
		nf *NotFound
		tl *TooLarge
		un *Unauthenticated
	)
	switch {
	case errors.As(err, &v):
		return v.Field, v.Message, true
	case errors.As(err, &f):
		return f.Field, f.Message, true
	case errors.As(err, &t):
		return t.Field, t.Message, true
	case errors.As(err, &q):
		return "", q.Error(), true
	case errors.As(err, &r):
		return "", r.Message, true
	case errors.As(err, &c):
		return c.Field, c.Message, true
	case errors.As(err, &g):
		return "", g.Message, true
	case errors.As(err, &tl):
		return "", tl.Message, true
	case errors.As(err, &un):
		return "", un.Message, true
	case errors.As(err, &nf):
		return "", nf.Error(), true
	}
	return "", "", false
}
