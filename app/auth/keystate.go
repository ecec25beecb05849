package auth

import (
	"strconv"
	"time"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent"
)

// KeyState is where an API key is in its life. It is computed from the
// key's timestamps, never stored, so the web page, the CLI and
// AuthenticateKey cannot disagree about whether a key still works.
type KeyState string

// The states of an API key. Revoked wins over expired: a revoked key was
// switched off by a person, which is what they will look for.
const (
	KeyActive  KeyState = "active"
	KeyRevoked KeyState = "revoked"
	KeyExpired KeyState = "expired"
)

// StateOf is k's state at now. A key expires at the instant of ExpiresAt.
func StateOf(k *ent.APIKey, now time.Time) KeyState {
	switch {
	case k.RevokedAt != nil:
		return KeyRevoked
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return KeyExpired
	}
	return KeyActive
}

// MaxKeyDays is the longest lifetime a key can be given (about ten years).
const MaxKeyDays = 3650

// ParseKeyExpiry reads the lifetime a person chose for a new key, in whole
// days ("" is a key that never expires), into its expiry time after now.
// Anything else is a Validation on the "expires" field, the name of the
// form's select, so the form flags it like any other bad input.
func ParseKeyExpiry(days string, now time.Time) (*time.Time, error) {
	if days == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 1 || n > MaxKeyDays {
		return nil, &errs.Validation{Field: "expires", Message: "Choose when the key expires from the list."}
	}
	t := now.UTC().AddDate(0, 0, n)
	return &t, nil
}
