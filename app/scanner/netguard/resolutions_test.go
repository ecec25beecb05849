package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestResolutionsOneLookupPerHost: with a Resolutions, many concurrent and
// later dials of one name cost one A and one AAAA question, and a name
// rebound after the first answer is never looked up again, so the dial goes
// to the checked address (the rebinding window of a second lookup is gone).
func TestResolutionsOneLookupPerHost(t *testing.T) {
	d, port, _ := rebindingName(t)
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
