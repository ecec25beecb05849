// Package ids makes the opaque identifiers and secrets Palisade hands out.
// Ids are random rather than sequential so that they reveal nothing about
// volume and cannot be enumerated across tenants.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns prefix + "_" + 26 characters of base32 (128 random bits), e.g.
// "scn_3k…". The prefix tells a support engineer what kind of thing an id is.
func New(prefix string) string {
	return prefix + "_" + Random(16)
}

// Random returns n random bytes in lower-case base32.
func Random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("ids: crypto/rand failed: " + err.Error())
	}
	return strings.ToLower(enc.EncodeToString(b))
}
