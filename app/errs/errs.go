// Package errs holds the few error kinds every layer shares, so services can
// say what went wrong and the single HTTP error handler can say it to people
// (HTML) and programs (JSON) with the right status code.
package errs

import (
	"errors"
	"net/http"
)

// ErrNotFound means the thing does not exist for this caller. A foreign
// tenant's id is reported exactly like a missing one.
var ErrNotFound = errors.New("not found")

// Validation is bad input tied to a field: the form re-renders with Message
// next to Field; the API answers 400 naming it.
type Validation struct {
	Field   string
	Message string
}

// Error returns the message, ready to show next to the field.
func (e *Validation) Error() string { return e.Message }

// Status is an error that carries its HTTP status and a one-sentence message
// safe to show, plus optional extra JSON fields (e.g. quota details).
type Status struct {
	Code    int
	Message string
	Extra   map[string]any
	Headers map[string]string
}

// Error returns the one-sentence message shown to the caller.
func (e *Status) Error() string { return e.Message }

// New returns a Status error.
func New(code int, msg string) *Status { return &Status{Code: code, Message: msg} }

// Conflict means the request collides with what the database already holds,
// typically because a concurrent request got there first (an invitation
// already used, an e-mail address already taken). Repeating the request
// cannot succeed, so it is answered 409 rather than retried or shown as a 500.
type Conflict struct {
	Message string
}

// Error returns the one-sentence message shown to the caller.
func (e *Conflict) Error() string { return e.Message }

// Code returns the HTTP status an error deserves.
func Code(err error) int {
	var s *Status
	var v *Validation
	var c *Conflict
	switch {
	case errors.As(err, &s):
		return s.Code
	case errors.As(err, &v):
		return http.StatusBadRequest
	case errors.As(err, &c):
		return http.StatusConflict
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}
