package apptest

import (
	"testing"

	"github.com/palisade/palisade/app/internal/testnet"
)

// DNS is the shared loopback DNS server of tests (app/internal/testnet):
// names it knows get their records, every other name is NXDOMAIN. It keeps
// scanner tests off the real resolver (and the internet).
type DNS = testnet.DNS

// NewDNS starts the server on a loopback port until the test ends.
func NewDNS(t testing.TB) *DNS { return testnet.StartDNS(t) }

// CA is the shared throw-away certificate authority of tests.
type CA = testnet.CA

// NewCA creates a CA valid from an hour ago for a day.
func NewCA(t testing.TB) *CA { return testnet.NewCA(t) }
