package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestResolutionsOneLookupPerHost: with a Resolutions, many concurrent and
// later dials of one name cost one A and one AAAA question, and a name
// rebound after the first answer is never looked up again, so the dial goes
// to the checked address (the rebinding window of a second lookup is gone).
func TestResolutionsOneLookupPerHost(t *testing.T) {
	d := testDNS(t)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("cannot bind 127.0.0.2:", err)
	}
	defer ln.Close()
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
	var n atomic.Int32
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
	dl := &Dialer{Policy: NewPolicy(pfx("127.0.0.2/32")), Resolver: NewResolver(d.Addr), Resolutions: NewResolutions(), Timeout: time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dl.DialContext(context.Background(), "tcp", net.JoinHostPort("rebind.test", port))
			if err != nil {
				errs <- err
				return
			}
			c.Close()
		}()
	}
	wg.Wait()
	for range 3 {
		c, err := dl.DialContext(context.Background(), "tcp", net.JoinHostPort("REBIND.test.", port))
		if err != nil {
			errs <- err
			continue
		}
		c.Close()
	}
	close(errs)
	for err := range errs {
		t.Errorf("dial: %v", err)
	}
	if a, aaaa := d.Count("rebind.test./A"), d.Count("rebind.test./AAAA"); a != 1 || aaaa != 1 {
		t.Errorf("11 dials asked A %d and AAAA %d times, want 1 each", a, aaaa)
	}
}

// TestResolutionsSeedAndCancel: a seeded name is never asked; a lookup that
// ended because its caller's context ended is not kept, so the next dial
// asks again instead of failing on someone else's cancellation; a refusal
// is kept (it is the host's answer).
func TestResolutionsSeedAndCancel(t *testing.T) {
	d := testDNS(t)
	res := NewResolutions()
	dl := &Dialer{Policy: NewPolicy(pfx("127.0.0.0/8")), Resolver: NewResolver(d.Addr), Resolutions: res, Timeout: time.Second}
	res.Seed("seeded.test", []netip.Addr{netip.MustParseAddr("127.0.0.9")})
	if got, err := dl.Resolve(context.Background(), "seeded.test."); err != nil || len(got) != 1 || got[0].String() != "127.0.0.9" {
		t.Errorf("seeded: %v %v", got, err)
	}
	if d.Count("seeded.test./A") != 0 {
		t.Error("a seeded name was asked")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := dl.Resolve(ctx, "loop.test"); err == nil {
		t.Fatal("a cancelled lookup succeeded")
	}
	if got, err := dl.Resolve(context.Background(), "loop.test"); err != nil || len(got) != 1 {
		t.Errorf("after a cancelled lookup: %v %v, want the address", got, err)
	}

	for range 2 {
		_, err := dl.Resolve(context.Background(), "meta.test")
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "169.254.169.254") {
			t.Errorf("meta.test: %v, want a refusal", err)
		}
	}
	if n := d.Count("meta.test./A"); n != 1 {
		t.Errorf("a refused name was asked %d times, want 1", n)
	}
}
