package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// NewResolver returns a resolver that asks server ("host:port") for every
// lookup, or the system resolver when server is empty. PreferGo keeps the
// behaviour identical on every platform and makes the Dial hook effective.
func NewResolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
}

// Dialer connects only to addresses the Policy allows. It resolves names
// itself and checks every address right before connecting (and again in the
// socket Control hook), so a name that resolved to a public address when the
// scan was accepted cannot later be rebound to 127.0.0.1 or a metadata
// service, and a redirect cannot point us there either.
//
// With Resolutions set (one per scan), a name is resolved and checked once
// and every connection goes to the addresses that were checked; without it,
// every dial resolves again.
type Dialer struct {
	Policy      *Policy
	Resolver    *net.Resolver // nil means net.DefaultResolver
	Resolutions *Resolutions  // nil: no cache, resolve on every dial
	Timeout     time.Duration // per connection attempt; 0 means 10s
	KeepAlive   time.Duration
}

func (d *Dialer) resolver() *net.Resolver {
	if d.Resolver == nil {
		return net.DefaultResolver
	}
	return d.Resolver
}

// Resolve returns the addresses of host that the policy allows. host may be
// an IP literal (any spelling ParseIPv4Literal knows). When every address is
// refused the error is the first *BlockedError; lookup failures are returned
// as they are (they are not refusals).
func (d *Dialer) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = canonicalHost(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		return d.allowed([]netip.Addr{ip}, "")
	} else if ip, isV4, err := ParseIPv4Literal(host); isV4 {
		if err != nil {
			return nil, err
		}
		return d.allowed([]netip.Addr{ip}, "")
	}
	if d.Resolutions == nil {
		return d.lookup(ctx, host)
	}
	return d.Resolutions.get(ctx, host, func(ctx context.Context) ([]netip.Addr, error) { return d.lookup(ctx, host) })
}

// canonicalHost strips an IPv6 literal's brackets and a trailing dot.
func canonicalHost(host string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(host, "]"), "["), ".")
}

// lookup resolves a name (A and AAAA) and keeps the allowed addresses.
func (d *Dialer) lookup(ctx context.Context, name string) ([]netip.Addr, error) {
	addrs, err := d.resolver().LookupNetIP(ctx, "ip", name)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: name, IsNotFound: true}
	}
	return d.allowed(addrs, name)
}

// allowed keeps the addresses the policy allows; when none is, the error is
// the first refusal.
func (d *Dialer) allowed(addrs []netip.Addr, name string) ([]netip.Addr, error) {
	var allowed []netip.Addr
	var firstErr error
	for _, a := range addrs {
		if err := d.Policy.Check(a, name); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		allowed = append(allowed, a)
	}
	if len(allowed) == 0 {
		return nil, firstErr
	}
	return allowed, nil
}

// DialContext is a drop-in for net.Dialer.DialContext (http.Transport,
// tls.Dialer). It refuses with an error wrapping ErrRefused when the
// destination is not allowed.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := d.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	nd := net.Dialer{Timeout: timeout, KeepAlive: d.KeepAlive, Control: d.control}
	var errs []error
	for _, a := range addrs {
		c, err := nd.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

// control runs on the socket right before connect(2) with the numeric
// destination: the last line of defence, whatever resolved the name.
func (d *Dialer) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Msg: fmt.Sprintf("refusing to connect to %q: not a numeric address", address)}
	}
	return d.Policy.Check(ap.Addr(), "")
}
