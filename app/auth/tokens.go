package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// newToken returns prefix + 32 random bytes (256 bits) in URL-safe base64.
func newToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the only form in which session tokens and API keys are
// stored. The tokens carry 256 random bits, so a fast hash is safe and lets
// a lookup be one indexed equality query.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewLinkToken returns a 256-bit token for a link sent by e-mail; like
// every other token, only its HashToken is stored.
func NewLinkToken() string { return newToken("") }
