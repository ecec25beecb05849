package httpx

import (
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestMetricsDecision(t *testing.T) {
	const token = "0123456789abcdef0123"
	sum := sha256.Sum256([]byte(token))
	loop4, loop6, mapped := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"), netip.MustParseAddr("::ffff:127.0.0.1")
	remote, private := netip.MustParseAddr("203.0.113.9"), netip.MustParseAddr("10.0.0.7")
	for _, tc := range []struct {
		name          string
		want          *[sha256.Size]byte
		authorization string
		remote        netip.Addr
		loopbackOnly  bool
		code          int
	}{
		{"no token: loopback v4 is served", nil, "", loop4, true, 200},
		{"no token: loopback v6 is served", nil, "", loop6, true, 200},
		{"no token: v4-mapped loopback is served", nil, "", mapped, true, 200},
		{"no token: a remote client is refused", nil, "", remote, true, 403},
		{"no token: a private-network client is refused", nil, "", private, true, 403},
		{"no token: a remote client is refused whatever it sends", nil, "Bearer " + token, remote, true, 403},
		{"no token, own listener: anyone reaching it is served", nil, "", remote, false, 200},
		{"token: none sent", &sum, "", loop4, true, 401},
		{"token: wrong", &sum, "Bearer 0123456789abcdef0124", remote, true, 401},
		{"token: a prefix of it", &sum, "Bearer 0123456789abcdef", remote, true, 401},
		{"token: another scheme", &sum, "Basic " + token, remote, true, 401},
		{"token: right, from anywhere", &sum, "Bearer " + token, remote, true, 200},
		{"token: right, lower-case scheme", &sum, "bearer " + token, remote, false, 200},
		{"token: required on loopback too", &sum, "", loop6, false, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := metricsDecision(tc.want, tc.authorization, tc.remote, tc.loopbackOnly); got != tc.code {
				t.Fatalf("got %d, want %d", got, tc.code)
			}
		})
	}
}

// TestMetricsGuardReadsTheConnectionNotTheHeader goes through Fiber: its
// in-memory test connection comes from 0.0.0.0, not loopback, so a client
// claiming 127.0.0.1 in X-Forwarded-For must still be refused.
func TestMetricsGuardReadsTheConnectionNotTheHeader(t *testing.T) {
	app := fiber.New()
	app.Get("/metrics", MetricsGuard("", true), func(c *fiber.Ctx) error { return c.SendString("figures") })
	for _, h := range []string{"", "127.0.0.1", "::1"} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if h != "" {
			req.Header.Set(fiber.HeaderXForwardedFor, h)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || string(body) == "figures" {
			t.Errorf("X-Forwarded-For %q from a non-loopback connection: %d %q, want 403", h, resp.StatusCode, body)
		}
	}
	app = fiber.New()
	app.Get("/metrics", MetricsGuard("0123456789abcdef", true), func(c *fiber.Ctx) error { return c.SendString("figures") })
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("without the token: %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req.Header.Set("Authorization", "Bearer 0123456789abcdef")
	if resp, err = app.Test(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("with the token from a remote connection: %v %v, want 200", resp.StatusCode, err)
	}
}
