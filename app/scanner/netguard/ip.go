// Package netguard keeps the scanner from being turned against us (SSRF).
//
// A scanner fetches URLs chosen by strangers, so every address it connects
// to must be one a stranger could reach from the internet anyway. netguard
// normalises URLs (only http/https, no credentials, punycode hosts, every
// legacy IPv4 literal spelling), classifies addresses (private, loopback,
// link-local, CGNAT, multicast, metadata …) and provides a Dialer that
// resolves and checks every address at connect time, so redirects and DNS
// rebinding cannot reach anything the up-front validation refused.
package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ErrRefused is wrapped by every refusal netguard makes, so callers can tell
// "we will not go there" apart from network failures with errors.Is.
var ErrRefused = errors.New("target refused")

// RefusedError is a refusal with a sentence a user can act on. Its Error is
// the sentence alone (no prefix), because the API shows it verbatim.
type RefusedError struct {
	Msg string
}

// Error returns the user-facing sentence.
func (e *RefusedError) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrRefused) true for every RefusedError.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func refusef(format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...)}
}

// BlockedError is returned when an address is in a refused range. It is a
// refusal (errors.Is(err, ErrRefused)) and carries the address and the reason.
type BlockedError struct {
	Addr   netip.Addr
	Host   string // the name that resolved to Addr, empty for a literal
	Reason string // "a private address", "a cloud metadata address" …
}

// Error phrases the refusal as one sentence.
func (e *BlockedError) Error() string {
	if e.Host != "" {
		return fmt.Sprintf("%s resolves to %s, %s", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("%s is %s", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *BlockedError) Is(target error) bool { return target == ErrRefused }

type rangeRule struct {
	prefix netip.Prefix
	reason string
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// Reasons, shared by the rules below and the tests.
const (
	ReasonMetadata    = "a cloud metadata address"
	ReasonPrivate     = "a private address"
	ReasonLoopback    = "a loopback address"
	ReasonLinkLocal   = "a link-local address"
	ReasonCGNAT       = "a carrier-grade NAT (shared) address"
	ReasonMulticast   = "a multicast address"
	ReasonUnspecified = "an unspecified address"
	ReasonBroadcast   = "the broadcast address"
	ReasonDoc         = "a documentation address"
	ReasonBenchmark   = "a benchmarking address"
	ReasonReserved    = "a reserved address"
	ReasonThisNetwork = "a \"this network\" address"
	ReasonTeredo      = "a Teredo tunnel address"
)

// metadata addresses are never opened by a broad AllowCIDRs entry; only an
// allow entry naming exactly that address (/32, /128) opens one.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, DigitalOcean …
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("169.254.169.123"), // AWS time sync
	netip.MustParseAddr("169.254.169.250"), // AWS / misc
	netip.MustParseAddr("169.254.169.253"), // AWS DNS
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IMDS over IPv6
	netip.MustParseAddr("fd00:ec2::23"),    // AWS time sync IPv6
	netip.MustParseAddr("fd20:ce::254"),    // GCP metadata IPv6
}

// v4Rules are checked in order; the first match gives the reason.
var v4Rules = []rangeRule{
	{mustPrefix("255.255.255.255/32"), ReasonBroadcast},
	{mustPrefix("0.0.0.0/32"), ReasonUnspecified},
	{mustPrefix("0.0.0.0/8"), ReasonThisNetwork},
	{mustPrefix("10.0.0.0/8"), ReasonPrivate},
	{mustPrefix("100.64.0.0/10"), ReasonCGNAT},
	{mustPrefix("127.0.0.0/8"), ReasonLoopback},
	{mustPrefix("169.254.0.0/16"), ReasonLinkLocal},
	{mustPrefix("172.16.0.0/12"), ReasonPrivate},
	{mustPrefix("192.0.0.0/24"), ReasonReserved}, // IETF protocol assignments
	{mustPrefix("192.0.2.0/24"), ReasonDoc},
	{mustPrefix("192.31.196.0/24"), ReasonReserved}, // AS112
	{mustPrefix("192.52.193.0/24"), ReasonReserved}, // AMT
	{mustPrefix("192.88.99.0/24"), ReasonReserved},  // 6to4 relay anycast
	{mustPrefix("192.168.0.0/16"), ReasonPrivate},
	{mustPrefix("192.175.48.0/24"), ReasonReserved}, // AS112 direct delegation
	{mustPrefix("198.18.0.0/15"), ReasonBenchmark},
	{mustPrefix("198.51.100.0/24"), ReasonDoc},
	{mustPrefix("203.0.113.0/24"), ReasonDoc},
	{mustPrefix("224.0.0.0/4"), ReasonMulticast},
	{mustPrefix("240.0.0.0/4"), ReasonReserved},
}

// v6Rules apply to addresses that are not IPv4 in disguise. Anything outside
// 2000::/3 (global unicast) is refused as reserved after these.
var v6Rules = []rangeRule{
	{mustPrefix("::/128"), ReasonUnspecified},
	{mustPrefix("::1/128"), ReasonLoopback},
	{mustPrefix("64:ff9b:1::/48"), ReasonReserved}, // local-use NAT64
	{mustPrefix("100::/64"), ReasonReserved},       // discard-only
	{mustPrefix("2001::/32"), ReasonTeredo},
	{mustPrefix("2001:2::/48"), ReasonBenchmark},
	{mustPrefix("2001::/23"), ReasonReserved}, // IETF protocol assignments (ORCHID …)
	{mustPrefix("2001:db8::/32"), ReasonDoc},
	{mustPrefix("3fff::/20"), ReasonDoc},
	{mustPrefix("5f00::/16"), ReasonReserved}, // SRv6 SIDs
	{mustPrefix("fc00::/7"), ReasonPrivate},
	{mustPrefix("fe80::/10"), ReasonLinkLocal},
	{mustPrefix("fec0::/10"), ReasonPrivate}, // deprecated site-local
	{mustPrefix("ff00::/8"), ReasonMulticast},
}

var (
	nat64     = mustPrefix("64:ff9b::/96")
	compat    = mustPrefix("::/96")
	sixToFour = mustPrefix("2002::/16")
	global6   = mustPrefix("2000::/3")
)

// Embedded returns the IPv4 address hidden inside an IPv6 address (mapped,
// compatible, NAT64 well-known prefix, 6to4), or ok=false. Those forms reach
// the embedded IPv4 host, so they are judged as that host.
func Embedded(ip netip.Addr) (v4 netip.Addr, ok bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	if ip.Is4In6() {
		return ip.Unmap(), true
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip), compat.Contains(ip.WithZone("")):
		if compat.Contains(ip.WithZone("")) && (ip.WithZone("") == netip.IPv6Unspecified() || ip.WithZone("") == netip.IPv6Loopback()) {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// Classify returns why ip must not be scanned, or "" when it is a public
// address. It knows nothing about AllowCIDRs; see Policy for that.
func Classify(ip netip.Addr) string {
	if !ip.IsValid() {
		return ReasonReserved
	}
	if ip.Zone() != "" {
		return ReasonLinkLocal // a zone only makes sense on a local link
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return ReasonMetadata
		}
	}
	if v4, ok := Embedded(ip); ok {
		if r := Classify(v4); r != "" {
			return r
		}
		if ip.Is4In6() {
			return ""
		}
		// NAT64 / 6to4 / compat of a public address: the v6 side must be
		// globally routable too (::/96 is not).
		if compat.Contains(ip) {
			return ReasonReserved
		}
		return ""
	}
	if ip.Is4() {
		for _, r := range v4Rules {
			if r.prefix.Contains(ip) {
				return r.reason
			}
		}
		return ""
	}
	for _, r := range v6Rules {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	if !global6.Contains(ip) {
		return ReasonReserved
	}
	return ""
}

// Policy decides which addresses the scanner may connect to: public ones,
// plus the ranges an operator opened explicitly (PALISADE_SCAN_ALLOW_CIDRS).
type Policy struct {
	allow []netip.Prefix
}

// NewPolicy builds a Policy that opens exactly the given ranges on top of the
// public internet. A cloud metadata address is opened only by an entry naming
// that single address, so "allow 169.254.0.0/16" cannot leak credentials.
func NewPolicy(allow []netip.Prefix) *Policy {
	p := &Policy{}
	for _, a := range allow {
		if a.IsValid() {
			p.allow = append(p.allow, a.Masked())
		}
	}
	return p
}

// Allowed reports whether ip is opened by the policy's allow list.
func (p *Policy) allowed(ip netip.Addr, reason string) bool {
	if p == nil {
		return false
	}
	cands := []netip.Addr{ip.WithZone("")}
	if ip.Is4In6() {
		cands = append(cands, ip.Unmap())
	}
	for _, c := range cands {
		for _, a := range p.allow {
			if !a.Contains(c) {
				continue
			}
			if reason == ReasonMetadata && !a.IsSingleIP() {
				continue
			}
			return true
		}
	}
	return false
}

// Check returns nil when ip may be connected to and a *BlockedError saying
// why not otherwise. host, when not empty, is the name that resolved to ip
// and only serves the message.
func (p *Policy) Check(ip netip.Addr, host string) error {
	reason := Classify(ip)
	if reason == "" {
		return nil
	}
	if p.allowed(ip, reason) {
		return nil
	}
	return &BlockedError{Addr: ip, Host: host, Reason: reason}
}

// ParseIPv4Literal parses a host the way browsers and inet_aton do (WHATWG
// URL "IPv4 parser"): one to four dot-separated parts, each decimal, octal
// (leading 0) or hex (0x), the last part filling the remaining bytes. It
// returns isIPv4=false when host does not look like a number at all, and an
// error when it looks like one but is not a valid address (browsers refuse
// those too, so must we).
func ParseIPv4Literal(host string) (addr netip.Addr, isIPv4 bool, err error) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return netip.Addr{}, false, nil
	}
	parts := strings.Split(host, ".")
	// WHATWG: only a numeric last part makes this an IPv4 host.
	last := parts[len(parts)-1]
	if last == "" {
		return netip.Addr{}, false, nil
	}
	if !looksNumeric(last) {
		return netip.Addr{}, false, nil
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, refusef("%q is not a valid IPv4 address", host)
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseV4Part(p)
		if !ok {
			return netip.Addr{}, true, refusef("%q is not a valid IPv4 address", host)
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, true, refusef("%q is not a valid IPv4 address", host)
		}
	}
	lastN := nums[len(nums)-1]
	if lastN >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, true, refusef("%q is not a valid IPv4 address", host)
	}
	v := lastN
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

func parseV4Part(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s = s[2:]
		base = 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s = s[1:]
		base = 8
	}
	if len(s) > 32 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// looksNumeric is the WHATWG "ends in a number" test for the last label:
// all decimal digits, or 0x followed by hex digits.
func looksNumeric(s string) bool {
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		for _, c := range s[2:] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
		return true
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
