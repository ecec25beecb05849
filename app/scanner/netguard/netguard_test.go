package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

func pfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, x := range s {
		out = append(out, netip.MustParsePrefix(x))
	}
	return out
}

func testDNS(t *testing.T) *scantest.DNS {
	d := scantest.StartDNS(t)
	d.Add(t,
		"loop.test. 60 IN A 127.0.0.1",
		"private6.test. 60 IN AAAA fd12::1",
		"meta.test. 60 IN A 169.254.169.254",
		"public.test. 60 IN A 93.184.216.34",
		"xn--bcher-kva.test. 60 IN A 93.184.216.34",
		"mixed.test. 60 IN A 10.0.0.1",
		"mixed.test. 60 IN A 93.184.216.34",
		"cgnat.test. 60 IN A 100.64.1.1",
		"mapped.test. 60 IN AAAA ::ffff:127.0.0.1",
	)
	return d
}

// TestGuardCorpus runs every way of spelling a forbidden destination we know
// through the same pipeline the scanner uses (Normalize, then Resolve under
// a Policy): each row must be refused, allowed, or fail to resolve, as said.
func TestGuardCorpus(t *testing.T) {
	d := testDNS(t)
	const (
		refused  = "refused"
		allowed  = "allowed"
		dnsError = "dnserror"
	)
	cases := []struct {
		in    string
		allow []netip.Prefix
		want  string
		msg   string // substring of the refusal, or the canonical URL when allowed
	}{
		// Not a URL we scan at all.
		{"ftp://example.test/", nil, refused, "only http and https"},
		{"javascript:alert(1)", nil, refused, "only http and https"},
		{"JavaScript:alert(document.domain)//", nil, refused, "only http and https"},
		{"file:///etc/passwd", nil, refused, "only http and https"},
		{"gopher://127.0.0.1:70/_x", nil, refused, "only http and https"},
		{"data:text/html,<b>hi</b>", nil, refused, "only http and https"},
		{"http://user:pass@example.test/", nil, refused, "credentials"},
		{"http://user@example.test/", nil, refused, "credentials"},
		{"https://:@example.test/", nil, refused, "credentials"},
		{"http://example.test@127.0.0.1/", nil, refused, "credentials"},
		{"", nil, refused, "empty"},
		{"http://", nil, refused, "no host"},
		{"http://exa mple.test/", nil, refused, "not allowed"},
		{"http://example.test\\@127.0.0.1/", nil, refused, "not allowed"},
		{"http://[fe80::1%25eth0]/", nil, refused, "zone"},
		{"http://example.test:0/", nil, refused, "port"},
		{"http://example.test:99999/", nil, refused, "port"},
		{"http://1.2.3.4.5/", nil, refused, "not a valid IPv4"},
		{"http://256.0.0.1/", nil, refused, "not a valid IPv4"},
		{"http://0x100000000/", nil, refused, "not a valid IPv4"},
		{"http://%31%32%37.0.0.1/", nil, refused, "not valid"},
		// Loopback in every spelling.
		{"http://127.0.0.1/", nil, refused, ReasonLoopback},
		{"http://2130706433/", nil, refused, ReasonLoopback},
		{"http://0177.0.0.1/", nil, refused, ReasonLoopback},
		{"http://0x7f.1/", nil, refused, ReasonLoopback},
		{"http://127.1/", nil, refused, ReasonLoopback},
		{"http://0x7f000001/", nil, refused, ReasonLoopback},
		{"http://017700000001/", nil, refused, ReasonLoopback},
		{"http://0x7F.0.0.0x1/", nil, refused, ReasonLoopback},
		{"http://127.0.0.1./", nil, refused, ReasonLoopback},
		{"http://１２７.０.０.１/", nil, refused, ReasonLoopback},
		{"http://①②⑦.0.0.1/", nil, refused, ReasonLoopback},
		{"http://[::1]/", nil, refused, ReasonLoopback},
		{"http://[0:0:0:0:0:0:0:1]:8080/", nil, refused, ReasonLoopback},
		{"http://[::ffff:127.0.0.1]/", nil, refused, ReasonLoopback},
		{"http://[::ffff:7f00:1]/", nil, refused, ReasonLoopback},
		{"http://[::127.0.0.1]/", nil, refused, ReasonLoopback},
		{"http://[64:ff9b::127.0.0.1]/", nil, refused, ReasonLoopback},
		{"http://[2002:7f00:1::]/", nil, refused, ReasonLoopback},
		{"HTTP://LOOP.TEST./", nil, refused, ReasonLoopback},
		{"http://mapped.test/", nil, refused, ReasonLoopback},
		// Cloud metadata.
		{"http://169.254.169.254/latest/meta-data/", nil, refused, ReasonMetadata},
		{"http://2852039166/", nil, refused, ReasonMetadata},
		{"http://0xa9.0xfe.0xa9.0xfe/", nil, refused, ReasonMetadata},
		{"http://[::ffff:169.254.169.254]/", nil, refused, ReasonMetadata},
		{"http://[64:ff9b::a9fe:a9fe]/", nil, refused, ReasonMetadata},
		{"http://[fd00:ec2::254]/", nil, refused, ReasonMetadata},
		{"http://100.100.100.200/", nil, refused, ReasonMetadata},
		{"http://meta.test/", nil, refused, ReasonMetadata},
		{"http://169.254.169.254/", pfx("169.254.0.0/16"), refused, ReasonMetadata},
		// Private, shared, link-local, multicast, special.
		{"http://10.0.0.1/", nil, refused, ReasonPrivate},
		{"http://172.16.5.4/", nil, refused, ReasonPrivate},
		{"http://192.168.1.1/", nil, refused, ReasonPrivate},
		{"http://[fc00::1]/", nil, refused, ReasonPrivate},
		{"http://private6.test/", nil, refused, ReasonPrivate},
		{"http://100.64.0.1/", nil, refused, ReasonCGNAT},
		{"http://cgnat.test/", nil, refused, ReasonCGNAT},
		{"http://169.254.1.1/", nil, refused, ReasonLinkLocal},
		{"http://[fe80::1]/", nil, refused, ReasonLinkLocal},
		{"http://224.0.0.1/", nil, refused, ReasonMulticast},
		{"http://[ff02::1]/", nil, refused, ReasonMulticast},
		{"http://0.0.0.0/", nil, refused, ReasonUnspecified},
		{"http://0/", nil, refused, ReasonUnspecified},
		{"http://[::]/", nil, refused, ReasonUnspecified},
		{"http://0.1.2.3/", nil, refused, ReasonThisNetwork},
		{"http://255.255.255.255/", nil, refused, ReasonBroadcast},
		{"http://198.18.0.1/", nil, refused, ReasonBenchmark},
		{"http://192.0.2.1/", nil, refused, ReasonDoc},
		{"http://[2001:db8::1]/", nil, refused, ReasonDoc},
		{"http://240.0.0.1/", nil, refused, ReasonReserved},
		{"http://[2001::1]/", nil, refused, ReasonTeredo},
		{"http://10.2.0.1/", pfx("10.1.0.0/16"), refused, ReasonPrivate},
		// Names that do not resolve.
		{"http://nx.test/", nil, dnsError, ""},
		// Allowed.
		{"http://8.8.8.8/", nil, allowed, "http://8.8.8.8/"},
		{"https://public.test", nil, allowed, "https://public.test/"},
		{"https://BÜCHER.test/Straße?q=1#frag", nil, allowed, "https://xn--bcher-kva.test/Stra%C3%9Fe?q=1"},
		{"http://mixed.test/", nil, allowed, "http://mixed.test/"},
		{"http://[2606:4700::1]:8443/", nil, allowed, "http://[2606:4700::1]:8443/"},
		{"http://[64:ff9b::808:808]/", nil, allowed, "http://[64:ff9b::808:808]/"},
		{"http://127.0.0.1:8080/", pfx("127.0.0.0/8"), allowed, "http://127.0.0.1:8080/"},
		{"http://0x7f.1:8080/x", pfx("127.0.0.0/8"), allowed, "http://127.0.0.1:8080/x"},
		{"http://[::ffff:127.0.0.1]/", pfx("127.0.0.0/8"), allowed, "http://[::ffff:127.0.0.1]/"},
		{"http://[::1]/", pfx("::1/128"), allowed, "http://[::1]/"},
		{"http://loop.test:8080/", pfx("127.0.0.0/8"), allowed, "http://loop.test:8080/"},
		{"http://169.254.169.254/", pfx("169.254.169.254/32"), allowed, "http://169.254.169.254/"},
		{"http://10.1.2.3/", pfx("10.1.0.0/16"), allowed, "http://10.1.2.3/"},
	}
	if len(cases) < 40 {
		t.Fatalf("corpus has %d forms, want ≥ 40", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			dl := &Dialer{Policy: NewPolicy(tc.allow), Resolver: NewResolver(d.Addr), Timeout: time.Second}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			u, err := Normalize(tc.in)
			var addrs []netip.Addr
			if err == nil {
				addrs, err = dl.Resolve(ctx, u.Host)
			}
			got := allowed
			switch {
			case errors.Is(err, ErrRefused):
				got = refused
			case err != nil:
				got = dnsError
			}
			if got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, err, tc.want)
			}
			switch got {
			case refused:
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("refusal %q does not mention %q", err, tc.msg)
				}
			case allowed:
				if u.String() != tc.msg {
					t.Errorf("normalised to %q, want %q", u.String(), tc.msg)
				}
				for _, a := range addrs {
					if dl.Policy.Check(a, "") != nil {
						t.Errorf("Resolve returned a refused address %s", a)
					}
				}
			}
		})
	}
}

func TestNormalizeCanonical(t *testing.T) {
	cases := []struct{ in, want, display string }{
		{"Example.TEST", "https://example.test/", "example.test"},
		{"  http://Example.test:80/a?b=c#frag ", "http://example.test/a?b=c", "example.test"},
		{"https://example.test:443", "https://example.test/", "example.test"},
		{"https://example.test:8443/x", "https://example.test:8443/x", "example.test"},
		{"example.test:8080/path", "https://example.test:8080/path", "example.test"},
		{"//example.test/x", "https://example.test/x", "example.test"},
		{"http://example.test:0080/", "http://example.test/", "example.test"},
		{"http://example.test./", "http://example.test/", "example.test"},
		{"http://bücher.test/", "http://xn--bcher-kva.test/", "bücher.test"},
		{"http://xn--bcher-kva.test/", "http://xn--bcher-kva.test/", "bücher.test"},
		{"http://[::FFFF:127.0.0.1]/", "http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"},
		{"http://0x7f.1/", "http://127.0.0.1/", "127.0.0.1"},
		{"http://_dmarc-like_.example.test/", "http://_dmarc-like_.example.test/", "_dmarc-like_.example.test"},
	}
	for _, tc := range cases {
		u, err := Normalize(tc.in)
		if err != nil {
			t.Errorf("Normalize(%q): %v", tc.in, err)
			continue
		}
		if u.String() != tc.want || u.Display() != tc.display {
			t.Errorf("Normalize(%q) = %q (%q), want %q (%q)", tc.in, u.String(), u.Display(), tc.want, tc.display)
		}
	}
}

// TestDialerRefusesAtConnectTime proves the check happens when connecting,
// not only up front: a listener on 127.0.0.1 must never see a connection
// from a Dialer that does not allow loopback, whichever way it is named.
func TestDialerRefusesAtConnectTime(t *testing.T) {
	d := testDNS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	dl := &Dialer{Policy: NewPolicy(nil), Resolver: NewResolver(d.Addr), Timeout: time.Second}
	for _, host := range []string{"127.0.0.1", "loop.test", "mapped.test", "2130706433", "::ffff:127.0.0.1"} {
		c, err := dl.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if err == nil {
			c.Close()
			t.Errorf("dial %s succeeded", host)
		} else if !errors.Is(err, ErrRefused) {
			t.Errorf("dial %s: %v is not a refusal", host, err)
		}
	}
	// The Control hook alone also refuses (e.g. if a future caller hands
	// the dialer a name resolved elsewhere).
	if err := dl.control("tcp4", "127.0.0.1:"+port, nil); !errors.Is(err, ErrRefused) {
		t.Errorf("control hook: %v", err)
	}
	allowedDl := &Dialer{Policy: NewPolicy(pfx("127.0.0.0/8")), Resolver: NewResolver(d.Addr), Timeout: time.Second}
	c, err := allowedDl.DialContext(context.Background(), "tcp", net.JoinHostPort("loop.test", port))
	if err != nil {
		t.Fatalf("allowed dial: %v", err)
	}
	c.Close()
	deadline := time.Now().Add(2 * time.Second)
	for accepted.Load() != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("listener accepted %d connections, want exactly the allowed one", n)
	}
}

// rebindingName is a listener on 127.0.0.2 that closes every connection,
// and a DNS server answering rebind.test with 127.0.0.2 the first time and
// 127.0.0.1 every later time: the server, the listener's port and the count
// of A questions asked.
func rebindingName(t *testing.T) (*scantest.DNS, string, *atomic.Int32) {
	t.Helper()
	d := testDNS(t)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("cannot bind 127.0.0.2:", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	n := new(atomic.Int32)
	d.SetHook(func(q dns.Question) ([]dns.RR, bool) {
		if q.Name != "rebind.test." || q.Qtype != dns.TypeA {
			return nil, q.Name == "rebind.test."
		}
		ip := "127.0.0.2"
		if n.Add(1) > 1 {
			ip = "127.0.0.1"
		}
		rr, _ := dns.NewRR("rebind.test. 0 IN A " + ip)
		return []dns.RR{rr}, true
	})
	return d, port, n
}

// TestDialerDNSRebinding: the name resolves to an allowed address at first
// and to a refused one afterwards; the second connection must be refused.
func TestDialerDNSRebinding(t *testing.T) {
	d, port, _ := rebindingName(t)
	dl := &Dialer{Policy: NewPolicy(pfx("127.0.0.2/32")), Resolver: NewResolver(d.Addr), Timeout: time.Second}
	c, err := dl.DialContext(context.Background(), "tcp", net.JoinHostPort("rebind.test", port))
	if err != nil {
		t.Fatalf("first dial: %v", err)
	}
	c.Close()
	_, err = dl.DialContext(context.Background(), "tcp", net.JoinHostPort("rebind.test", port))
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("rebound dial: %v, want a refusal naming 127.0.0.1", err)
	}
}

func TestClassifyPublic(t *testing.T) {
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"} {
		if r := Classify(netip.MustParseAddr(s)); r != "" {
			t.Errorf("Classify(%s) = %q, want public", s, r)
		}
	}
}

// FuzzNormalize checks the invariants every accepted URL must keep: only
// http/https, no credentials, a canonical lower-case host, and idempotence
// (normalising the output again changes nothing). The seed corpus runs as
// an ordinary test.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"https://example.com/", "http://EXAMPLE.com:80/a/../b?x=1#y", "example.com", "//example.com",
		"http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
		"http://[::1]:8080/", "http://user:pass@example.com/", "ftp://example.com/", "javascript:alert(1)",
		"http://bücher.de/", "http://xn--bcher-kva.de./", "http://１２７.０.０.１/", "http://a..b/", "http://-a.b/",
		"http://[fe80::1%25eth0]/", "http://example.com:65536/", "http://%zz/", "http://a_b.example/", "http:/x",
		"http:example.com", "HtTpS://ExAmPlE.CoM:0443/", "http://[v1.fe]/", "http://0x/", "http://00000000000000000001/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Normalize(raw)
		if err != nil {
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("error %v does not wrap ErrRefused", err)
			}
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("scheme %q accepted", u.Scheme)
		}
		if u.Host == "" || u.Host != strings.ToLower(u.Host) || strings.ContainsAny(u.Host, "@/\\ ") {
			t.Fatalf("host %q", u.Host)
		}
		if !strings.HasPrefix(u.Path, "/") {
			t.Fatalf("path %q", u.Path)
		}
		if u.IP.IsValid() && u.IP.String() != u.Host {
			t.Fatalf("IP %v vs host %q", u.IP, u.Host)
		}
		if _, isV4, _ := ParseIPv4Literal(u.Host); isV4 && !u.IP.IsValid() {
			t.Fatalf("host %q looks like IPv4 but was kept as a name", u.Host)
		}
		again, err := Normalize(u.String())
		if err != nil {
			t.Fatalf("Normalize(%q) (from %q) failed: %v", u.String(), raw, err)
		}
		if again.String() != u.String() {
			t.Fatalf("not idempotent: %q → %q → %q", raw, u.String(), again.String())
		}
	})
}
