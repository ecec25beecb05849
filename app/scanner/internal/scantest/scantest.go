// Package scantest provides loopback fixtures for the scanner's tests: a DNS
// server on 127.0.0.1 and a throw-away certificate authority. They are the
// app-wide ones of app/internal/testnet; this package keeps the names the
// scanner's tests use. It exists so that no scanner test ever needs the
// internet.
package scantest

import (
	"testing"

	"github.com/palisade/palisade/app/internal/testnet"
)

// DNS is an authoritative-looking resolver for test names. Records are zone
// file lines; a hook, when set, answers first (for rebinding tests).
type DNS = testnet.DNS

// StartDNS starts a DNS server on a random loopback port, stopped at cleanup.
func StartDNS(t testing.TB) *DNS { return testnet.StartDNS(t) }

// CA is a throw-away certificate authority for TLS tests.
type CA = testnet.CA

// NewCA creates a CA valid from an hour ago for a day.
func NewCA(t testing.TB) *CA { return testnet.NewCA(t) }
