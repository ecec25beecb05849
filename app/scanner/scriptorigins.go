package scanner

import (
	"net"
	"net/url"
	"slices"
	"strings"
)

// MaxScriptOrigins bounds Result.ScriptOrigins: a page that loads script
// from hundreds of hosts is reported by its first origins in sort order,
// and a monitor's memory of them stays small (docs/scoring.md, "Script
// origins").
const MaxScriptOrigins = 50

// maxOriginLen drops origins no DNS name could make (a host is at most 253
// characters): they are text from the page, not a place script comes from.
const maxOriginLen = 300

// scriptOrigins are the third-party origins the pages read load <script
// src> from: scheme://host[:port] (the port only when it is not the
// scheme's), lower case, on another registrable domain than the target's
// (the rule content.sri calls "foreign"), deduplicated, sorted, at most
// MaxScriptOrigins. Relative and same-site sources are the site's own;
// anything but http and https loads nothing from another origin.
func scriptOrigins(ev *Evidence) []string {
	pages := pagesOf(ev)
	if len(pages) == 0 {
		return nil
	}
	host := ev.Target.Host
	if host == "" {
		host = hostOfURL(pages[0].URL)
	}
	home := siteOf(host)
	seen := map[string]bool{}
	var out []string
	for _, p := range pages {
		f := htmlOf(p)
		if f == nil || !f.IsHTML {
			continue
		}
		base := baseURLOf(p, f)
		for _, s := range f.Scripts {
			if !s.HasSrc || s.Src == "" {
				continue
			}
			o, h, ok := originOf(resolveRef(base, s.Src))
			if !ok || siteOf(h) == home || seen[o] {
				continue
			}
			seen[o] = true
			out = append(out, o)
		}
	}
	slices.Sort(out)
	if len(out) > MaxScriptOrigins {
		out = out[:MaxScriptOrigins]
	}
	return out
}

// originOf is the origin of an absolute http(s) URL and its host name.
func originOf(raw string) (origin, host string, ok bool) {
	if raw == "" {
		return "", "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", "", false
	}
	host = strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return "", "", false
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	hp := host
	switch {
	case port != "":
		hp = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		hp = "[" + host + "]"
	}
	origin = scheme + "://" + hp
	if len(origin) > maxOriginLen {
		return "", "", false
	}
	return origin, host, true
}
