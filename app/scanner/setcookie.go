package scanner

import "strings"

// setCookie is one parsed Set-Cookie header line. Attribute names are
// matched case-insensitively and values trimmed, as RFC 6265 §5.2 says user
// agents parse them; SameSite keeps its raw value so invalid values (which
// browsers silently treat as Lax) can be reported.
type setCookie struct {
	Name, Value string
	Secure      bool
	HTTPOnly    bool
	Partitioned bool
	// HasSameSite is true when a SameSite attribute was present; SameSite is
	// its lower-cased value and SameSiteValid whether it is strict, lax or none.
	HasSameSite   bool
	SameSite      string
	SameSiteValid bool
	// HasDomain/Domain and HasPath/Path are the Domain and Path attributes.
	HasDomain bool
	Domain    string
	HasPath   bool
	Path      string
	HasExpiry bool // Expires or Max-Age was given: a persistent cookie
}

// maxSetCookieLen bounds the work spent on one hostile header line.
const maxSetCookieLen = 8192

// parseSetCookie parses one Set-Cookie line. ok is false when the line holds
// no cookie name (RFC 6265 ignores such lines, and so does the Observatory's
// cookie jar).
func parseSetCookie(line string) (c setCookie, ok bool) {
	if len(line) > maxSetCookieLen {
		line = line[:maxSetCookieLen]
	}
	pair, attrs, _ := strings.Cut(line, ";")
	name, value, hasEq := strings.Cut(pair, "=")
	if !hasEq {
		return c, false
	}
	c.Name = strings.TrimSpace(name)
	c.Value = strings.TrimSpace(value)
	if c.Name == "" {
		return c, false
	}
	for attrs != "" {
		var av string
		av, attrs, _ = strings.Cut(attrs, ";")
		k, v, _ := strings.Cut(av, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		switch k {
		case "secure":
			c.Secure = true
		case "httponly":
			c.HTTPOnly = true
		case "partitioned":
			c.Partitioned = true
		case "samesite":
			c.HasSameSite = true
			c.SameSite = strings.ToLower(v)
			c.SameSiteValid = c.SameSite == "strict" || c.SameSite == "lax" || c.SameSite == "none"
		case "domain":
			c.HasDomain = true
			c.Domain = v
		case "path":
			c.HasPath = true
			c.Path = v
		case "expires", "max-age":
			c.HasExpiry = true
		}
	}
	return c, true
}

// cookiesOf parses every Set-Cookie of a response, skipping unnamed lines
// and the Heroku session-affinity cookie, which the Observatory ignores
// (mozilla/http-observatory#282).
func cookiesOf(r *Response) []setCookie {
	return memoize(r, "cookies", func() []setCookie { return parseCookies(r) })
}

func parseCookies(r *Response) []setCookie {
	var out []setCookie
	for _, line := range headerValues(r, "Set-Cookie") {
		c, ok := parseSetCookie(line)
		if !ok || c.Name == "heroku-session-affinity" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// isSessionCookie applies the Observatory's rule (the name contains "login"
// or "sess", case-insensitively) plus a few unambiguous session-id names
// of popular frameworks the rule misses.
func isSessionCookie(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "login") || strings.Contains(n, "sess") {
		return true
	}
	switch n {
	case "sid", "connect.sid", ".aspxauth", "__host-sid", "__secure-sid":
		return true
	}
	return strings.HasPrefix(n, ".aspnetcore.identity") || strings.HasPrefix(n, ".aspnetcore.cookies")
}

// isCSRFCookie applies the Observatory's anti-CSRF rule: the name contains "csrf".
func isCSRFCookie(name string) bool {
	return strings.Contains(strings.ToLower(name), "csrf")
}
