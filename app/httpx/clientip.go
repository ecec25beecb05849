package httpx

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// ClientIP is the address of the browser behind any trusted proxies, which is
// what per-address throttles must count: behind a reverse proxy every
// connection comes from the proxy. X-Forwarded-For is read from the right,
// skipping the trusted proxies' own entries, and only when the connection
// itself comes from a trusted proxy, so a client cannot choose its address
// by sending the header itself.
func ClientIP(c *fiber.Ctx, trusted []netip.Prefix) string {
	return clientIP(c.Context().RemoteIP().String(), c.Get(fiber.HeaderXForwardedFor), trusted)
}

func clientIP(remote, forwarded string, trusted []netip.Prefix) string {
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	addr, err := netip.ParseAddr(remote)
	if err != nil {
		return remote
	}
	addr = addr.Unmap()
	if !isTrusted(addr) || forwarded == "" {
		return addr.String()
	}
	hops := strings.Split(forwarded, ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // what a proxy did not write: stop at the last address we can vouch for
		}
		addr = hop.Unmap()
		if !isTrusted(addr) {
			break
		}
	}
	return addr.String()
}
