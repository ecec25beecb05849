package httpx

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// MetricsGuard keeps /metrics from the public: its figures (queue depth,
// load) help an attacker time an attack. With a token, a request needs
// `Authorization: Bearer <token>`; without one, and when loopbackOnly, only
// a client on this machine may read them. The address is the connection's,
// never X-Forwarded-For, which any client can write.
func MetricsGuard(token string, loopbackOnly bool) fiber.Handler {
	var want *[sha256.Size]byte
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		want = &sum
	}
	return func(c *fiber.Ctx) error {
		remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
		switch metricsDecision(want, c.Get(fiber.HeaderAuthorization), remote, loopbackOnly) {
		case http.StatusUnauthorized:
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return c.Status(http.StatusUnauthorized).SendString("a bearer token is required")
		case http.StatusForbidden:
			return c.Status(http.StatusForbidden).SendString("metrics are served to loopback clients only; set PALISADE_METRICS_TOKEN or PALISADE_METRICS_ADDR")
		}
		return c.Next()
	}
}

// metricsDecision is MetricsGuard's rule: http.StatusOK to serve, 401 for
// a missing or wrong token, 403 for a remote client without a token set.
// Both sides of the comparison are SHA-256 sums, so it takes the same time
// whatever the guess and leaks not even the token's length.
func metricsDecision(want *[sha256.Size]byte, authorization string, remote netip.Addr, loopbackOnly bool) int {
	if want != nil {
		scheme, got, ok := strings.Cut(authorization, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return http.StatusUnauthorized
		}
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	}
	if loopbackOnly && !remote.Unmap().IsLoopback() {
		return http.StatusForbidden
	}
	return http.StatusOK
}
