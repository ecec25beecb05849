package netguard

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxURLLength bounds the URLs we accept; longer ones are almost always abuse.
const MaxURLLength = 2048

// URL is a normalised scan target: the single canonical spelling of what a
// user typed, so that validation, de-duplication and connection all agree on
// which host is meant.
type URL struct {
	Scheme string     // "http" or "https"
	Host   string     // lower-case ASCII (punycode) name, dotted-quad IPv4, or IPv6 without brackets
	Port   string     // explicit non-default port, "" for the scheme's default
	Path   string     // escaped path plus "?query", always starting with "/"
	IP     netip.Addr // set when Host is an IP literal
}

// DefaultPort returns the port a scheme implies.
func DefaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

// HostPort is host:port with the default port filled in, as dialers need it.
func (u *URL) HostPort() string {
	p := u.Port
	if p == "" {
		p = DefaultPort(u.Scheme)
	}
	return net.JoinHostPort(u.Host, p)
}

// Authority is the host[:port] part of the URL as it is written.
func (u *URL) Authority() string {
	h := u.Host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if u.Port != "" {
		h += ":" + u.Port
	}
	return h
}

// Origin is scheme://host[:port], the unit of same-origin decisions.
func (u *URL) Origin() string { return u.Scheme + "://" + u.Authority() }

// String is the canonical URL.
func (u *URL) String() string { return u.Origin() + u.Path }

// Display is the host as people read it: Unicode for IDN names.
func (u *URL) Display() string {
	if u.IP.IsValid() {
		return u.Host
	}
	if s, err := idna.Display.ToUnicode(u.Host); err == nil {
		return s
	}
	return u.Host
}

// WithScheme returns a copy for the other scheme. An explicit port is kept
// unless it is the old scheme's default (RFC 6797 §8.3 upgrade rule).
func (u *URL) WithScheme(scheme string) *URL {
	c := *u
	c.Scheme = scheme
	if c.Port == DefaultPort(scheme) {
		c.Port = ""
	}
	return &c
}

var lookupProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(false), // allow "_" (checked below) like real resolvers do
)

// Normalize turns what a user typed into a canonical URL or refuses it with a
// sentence (errors wrap ErrRefused). A missing scheme means https. Refused:
// other schemes, credentials, empty or invalid hosts, IPv6 zones, bad ports,
// numeric hosts that are not valid IPv4 addresses. Accepted and canonicalised:
// upper case, IDN (to punycode), trailing dots, default ports, every IPv4
// literal spelling (decimal, octal, hex, short) to dotted quad. Normalize does
// not decide whether an address may be reached; see Policy.
func Normalize(raw string) (*URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, refusef("the URL is empty")
	}
	if len(raw) > MaxURLLength {
		return nil, refusef("the URL is longer than %d characters", MaxURLLength)
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c < 0x20 || c == 0x7f || c == ' ' || c == '\\' {
			return nil, refusef("the URL contains a character that is not allowed (%q)", string(c))
		}
	}
	if scheme, rest, ok := splitScheme(raw); ok {
		if !strings.HasPrefix(rest, "//") {
			return nil, refusef("only http and https URLs can be scanned, not %s:", scheme)
		}
	} else if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
	} else {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refusef("the URL is not valid: %s", shortURLErr(err))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, refusef("only http and https URLs can be scanned, not %s:", scheme)
	}
	if u.User != nil {
		return nil, refusef("URLs with credentials (user:password@) are not accepted")
	}
	if u.Opaque != "" {
		return nil, refusef("the URL is not valid")
	}
	host, ip, err := NormalizeHost(u.Host)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port != "" {
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 {
			return nil, refusef("the port %q is not valid", port)
		}
		port = strconv.Itoa(n)
		if port == DefaultPort(scheme) {
			port = ""
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	out := &URL{Scheme: scheme, Host: host, Port: port, Path: path, IP: ip}
	if len(out.String()) > MaxURLLength {
		return nil, refusef("the URL is longer than %d characters", MaxURLLength)
	}
	return out, nil
}

// splitScheme finds "scheme:" at the start of raw. "host:8080/…" is not a
// scheme (digits after the colon) and reports ok=false.
func splitScheme(raw string) (scheme, rest string, ok bool) {
	i := strings.IndexByte(raw, ':')
	if i <= 0 {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := raw[j]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if j == 0 && !alpha || !alpha && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return "", "", false
		}
	}
	rest = raw[i+1:]
	// "example.com:8080" or "example.com:8080/x": a port, not a scheme.
	k := 0
	for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
		k++
	}
	if k > 0 && (k == len(rest) || rest[k] == '/' || rest[k] == '?' || rest[k] == '#') {
		return "", "", false
	}
	return strings.ToLower(raw[:i]), rest, true
}

func shortURLErr(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

// NormalizeHost canonicalises the host[:port] authority part of a URL (port
// ignored) and returns the host and, for IP literals, the address.
func NormalizeHost(authority string) (string, netip.Addr, error) {
	h := authority
	bracketed := strings.HasPrefix(h, "[")
	if bracketed {
		end := strings.LastIndexByte(h, ']')
		if end < 0 {
			return "", netip.Addr{}, refusef("the host %q is not valid", authority)
		}
		h = h[1:end]
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	if bracketed {
		if strings.Contains(h, "%") {
			return "", netip.Addr{}, refusef("IPv6 zone identifiers are not accepted")
		}
		ip, err := netip.ParseAddr(h)
		if err != nil || !ip.Is6() {
			return "", netip.Addr{}, refusef("%q is not a valid IPv6 address", h)
		}
		return ip.String(), ip, nil
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", netip.Addr{}, refusef("the URL has no host")
	}
	if !utf8.ValidString(h) {
		return "", netip.Addr{}, refusef("the host name is not valid UTF-8")
	}
	ascii, err := lookupProfile.ToASCII(h)
	if err != nil {
		return "", netip.Addr{}, refusef("%q is not a valid host name", h)
	}
	ascii = strings.ToLower(strings.TrimSuffix(ascii, "."))
	// The canonical form must survive another round (idempotence): a name
	// whose punycode decodes to something invalid is refused now.
	if again, err := lookupProfile.ToASCII(ascii); err != nil || again != ascii {
		return "", netip.Addr{}, refusef("%q is not a valid host name", h)
	}
	if ip, isV4, err := ParseIPv4Literal(ascii); isV4 {
		if err != nil {
			return "", netip.Addr{}, err
		}
		return ip.String(), ip, nil
	}
	if err := checkHostname(ascii); err != nil {
		return "", netip.Addr{}, err
	}
	return ascii, netip.Addr{}, nil
}

func checkHostname(h string) error {
	if len(h) > 253 {
		return refusef("the host name is longer than 253 characters")
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return refusef("%q is not a valid host name", h)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return refusef("%q is not a valid host name", h)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return refusef("%q is not a valid host name", h)
		}
	}
	return nil
}
