package errs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"status", New(http.StatusForbidden, "no"), http.StatusForbidden},
		{"validation", &Validation{Field: "email", Message: "bad"}, http.StatusBadRequest},
		{"conflict", &Conflict{Message: "already used"}, http.StatusConflict},
		{"wrapped conflict", fmt.Errorf("accepting: %w", &Conflict{Message: "already used"}), http.StatusConflict},
		{"not found", fmt.Errorf("x: %w", ErrNotFound), http.StatusNotFound},
		{"anything else", errors.New("boom"), http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Code(tc.err); got != tc.want {
				t.Fatalf("Code(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
