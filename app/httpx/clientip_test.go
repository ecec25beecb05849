package httpx

import (
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		name, remote, forwarded string
		trusted                 []netip.Prefix
		want                    string
	}{
		{"no proxies configured: the header is ignored", "203.0.113.7", "198.51.100.1", nil, "203.0.113.7"},
		{"an untrusted peer cannot choose its address", "203.0.113.7", "198.51.100.1", proxies, "203.0.113.7"},
		{"one trusted proxy", "10.0.0.2", "198.51.100.1", proxies, "198.51.100.1"},
		{"a spoofed entry left of the real client is skipped", "10.0.0.2", "1.2.3.4, 198.51.100.1", proxies, "198.51.100.1"},
		{"a chain of trusted proxies", "127.0.0.1", "198.51.100.1, 10.9.9.9, 10.0.0.3", proxies, "198.51.100.1"},
		{"only proxies: the leftmost one", "10.0.0.2", "10.0.0.5, 10.0.0.4", proxies, "10.0.0.5"},
		{"garbage stops the walk at the last address vouched for", "10.0.0.2", "198.51.100.1, not-an-ip", proxies, "10.0.0.2"},
		{"trusted proxy without the header", "10.0.0.2", "", proxies, "10.0.0.2"},
		{"IPv6 client", "10.0.0.2", "2001:db8::1", proxies, "2001:db8::1"},
		{"IPv4-mapped addresses compare as IPv4", "::ffff:10.0.0.2", "::ffff:198.51.100.1", proxies, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientIP(tc.remote, tc.forwarded, tc.trusted); got != tc.want {
				t.Fatalf("clientIP(%q, %q) = %q, want %q", tc.remote, tc.forwarded, got, tc.want)
			}
		})
	}
}
