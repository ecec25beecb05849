package scanner

import (
	"strconv"
	"strings"
)

// Check ids of the redirects category.
const (
	idRedirectsHTTPS         = "redirects.https"
	idRedirectsSameHostFirst = "redirects.same-host-first"
	idRedirectsChain         = "redirects.chain"
)

// Redirect fixes, built once.
var (
	redirectSnippets = []Snippet{
		{Server: ServerNginx, Code: "server {\n\tlisten 80;\n\tserver_name example.com www.example.com;\n\treturn 301 https://$host$request_uri;\n}"},
		{Server: ServerApache, Code: "RewriteEngine On\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]"},
	}
	redirectFix = &Fix{
		Advice: "Redirect every plain-HTTP request to HTTPS on the same host first (for Apache, in the *:80 VirtualHost). " +
			"Caddy does it automatically for every site address without a scheme (do not use http:// site addresses).",
		Snippets: redirectSnippets,
	}
	fixRedirectLong = &Fix{
		Advice:   "Redirect straight to the final URL. " + redirectFix.Advice,
		Snippets: redirectSnippets,
	}
	fixRedirectLoop    = adviceFix("Make each URL redirect once to its final HTTPS address; check that the application's base URL matches the proxy's scheme (X-Forwarded-Proto).")
	fixRedirectOffSite = adviceFix("Redirect directly between your own hosts; serve the site on its own domain.")
)

// httpRefused tells a site without plain HTTP (nothing listening on port
// 80) from a failed fetch: the Observatory passes such sites
// (redirection-not-needed-no-http).
func httpRefused(ev *Evidence) bool {
	e := strings.ToLower(ev.RedirectsErr)
	return len(ev.Redirects) == 0 && (strings.Contains(e, "connection was refused") || strings.Contains(e, "connection refused"))
}

// redirectRoute returns the URLs visited from http://, the starting URL
// first; when the chain was cut on a redirect, its target is appended.
func redirectRoute(hops []Hop) []string {
	route := make([]string, 0, len(hops)+1)
	for _, h := range hops {
		route = append(route, h.URL)
	}
	if n := len(hops); n > 0 {
		last := hops[n-1]
		if last.StatusCode >= 300 && last.StatusCode < 400 && last.Location != "" {
			if u := resolveRef(last.URL, last.Location); u != "" && u != last.URL {
				route = append(route, u)
			}
		}
	}
	return route
}

// checkRedirectsHTTPS: visitors who type the bare domain start on http://;
// unless that redirects to HTTPS they stay on an unencrypted, forgeable
// page. Observatory test "redirection".
var checkRedirectsHTTPS = Check{
	ID: idRedirectsHTTPS, Name: "HTTP redirects to HTTPS", Category: catRedirects, Depth: Standard, Weight: 5,
	Needs: []EvidenceKind{NeedRedirects, NeedTLS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idRedirectsHTTPS)
		if httpRefused(ev) {
			return o.InfoCounted(1, "redirection-not-needed-no-http",
				"Nothing answers on plain HTTP, so there is nothing to redirect.")
		}
		if len(ev.Redirects) == 0 {
			return missing("The http:// redirect chain", ev.RedirectsErr)
		}
		route := redirectRoute(ev.Redirects)
		seen := clip(strings.Join(route, " → "), 300)
		fail := func(result, title, d string, score float64, status Status, sev Severity) Outcome {
			return Outcome{Status: status, Value: valueWith(result, seen), Score: score, Description: d,
				Findings: []Finding{o.Finding(sev, title, d, redirectFix, seen)}}
		}
		final := route[len(route)-1]
		switch {
		case len(route) == 1:
			return fail("redirection-missing", "HTTP does not redirect to HTTPS",
				"http://"+ev.Target.Host+"/ answers without redirecting, so visitors who type the address stay on an unencrypted page.", 0, StatusFail, SeverityHigh)
		case schemeOf(final) != "https":
			return fail("redirection-not-to-https", "HTTP redirects, but not to HTTPS",
				"The redirect chain from http:// ends on "+clip(final, 100)+", which is not HTTPS.", 0, StatusFail, SeverityHigh)
		case ev.TLS != nil && (!ev.TLS.Trusted || !ev.TLS.HostnameOK) && hostOfURL(final) == strings.ToLower(ev.Target.Host):
			return fail("redirection-invalid-cert", "HTTPS redirect target has an invalid certificate",
				"The redirect leads to an HTTPS page whose certificate browsers reject.", 0, StatusFail, SeverityHigh)
		case schemeOf(route[1]) == "http":
			return fail("redirection-not-to-https-on-initial-redirection", "First redirect stays on HTTP",
				"http:// first redirects to another http:// URL ("+clip(route[1], 100)+") before reaching HTTPS, adding an unencrypted hop an attacker can hijack.", 0.5, StatusWarn, SeverityMedium)
		case schemeOf(route[0]) == "http" && hostOfURL(route[0]) != hostOfURL(route[1]):
			return fail("redirection-off-host-from-http", "First redirect leaves the host",
				"http://"+hostOfURL(route[0])+" redirects straight to "+hostOfURL(route[1])+", so the browser never receives HSTS for "+hostOfURL(route[0])+".", 0.75, StatusWarn, SeverityLow)
		}
		return o.Pass(1, valueWith("redirection-to-https", seen),
			"Plain HTTP redirects to HTTPS on the same host first, then ends on HTTPS.")
	},
}

// checkRedirectsSameHostFirst: the HSTS preload list (and HSTS itself)
// requires http://host to redirect to https://host, the same host, before
// going anywhere else; otherwise the browser never sees HSTS for host.
var checkRedirectsSameHostFirst = Check{
	ID: idRedirectsSameHostFirst, Name: "First redirect stays on the host", Category: catRedirects, Depth: Standard, Weight: 3,
	Needs: []EvidenceKind{NeedRedirects},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idRedirectsSameHostFirst)
		if httpRefused(ev) {
			return o.InfoCounted(1, "no plain-HTTP site", "Nothing answers on plain HTTP.")
		}
		if len(ev.Redirects) == 0 {
			return missing("The http:// redirect chain", ev.RedirectsErr)
		}
		route := redirectRoute(ev.Redirects)
		if len(route) < 2 {
			return o.Skipped("http:// does not redirect at all, so there is no first redirect to judge (see redirects.https)")
		}
		from, to := route[0], route[1]
		code := ev.Redirects[0].StatusCode
		seen := clip(from+" → "+to+" ("+strconv.Itoa(code)+")", 250)
		if schemeOf(to) == "https" && hostOfURL(to) == hostOfURL(from) {
			out := o.Pass(1, seen, "The first redirect goes to HTTPS on the same host, as HSTS preloading requires.")
			if code == 302 || code == 303 || code == 307 {
				out.Description += " It is a temporary " + strconv.Itoa(code) + "; a permanent 301 or 308 lets browsers and search engines remember it."
			}
			return out
		}
		d := "The first redirect from http://" + hostOfURL(from) + " goes to " + clip(to, 100) + " instead of https://" + hostOfURL(from) + "/, so HSTS is never set for " + hostOfURL(from) + " and the domain cannot be preloaded."
		return o.Fail(0, seen, d, o.Finding(SeverityLow, "First redirect does not stay on the host", d, redirectFix, seen))
	},
}

// checkRedirectsChain: every extra hop is a round trip, loops break the
// site, hops through other sites leak visitors to them, and a hop back to
// http:// undoes HTTPS.
var checkRedirectsChain = Check{
	ID: idRedirectsChain, Name: "Redirect chain", Category: catRedirects, Depth: Standard, Weight: 2,
	Needs: []EvidenceKind{NeedRedirects},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idRedirectsChain)
		if httpRefused(ev) {
			return o.InfoCounted(1, "no plain-HTTP site", "Nothing answers on plain HTTP.")
		}
		if len(ev.Redirects) == 0 {
			return missing("The http:// redirect chain", ev.RedirectsErr)
		}
		route := redirectRoute(ev.Redirects)
		n := len(route) - 1
		seen := clip(strings.Join(route, " → "), 300)
		visited := map[string]bool{}
		loop, downgrade := false, false
		wasHTTPS := false
		for _, u := range route {
			if visited[u] {
				loop = true
			}
			visited[u] = true
			if schemeOf(u) == "https" {
				wasHTTPS = true
			} else if wasHTTPS {
				downgrade = true
			}
		}
		e := strings.ToLower(ev.RedirectsErr)
		if strings.Contains(e, "redirect") && (strings.Contains(e, "more than") || strings.Contains(e, "too many") || strings.Contains(e, "loop")) {
			loop = true
		}
		home := siteOf(ev.Target.Host)
		var foreign []string
		for i, u := range route {
			if s := siteOf(hostOfURL(u)); i > 0 && s != home && s != "" {
				foreign = append(foreign, hostOfURL(u))
			}
		}
		switch {
		case loop:
			d := "The redirects loop or never end (" + plural(n, "hop") + "), so browsers give up with an error."
			return o.Fail(0, "loop: "+seen,
				d,
				o.Finding(SeverityHigh, "Redirect loop",
					d,
					fixRedirectLoop,
					seen))
		case downgrade:
			d := "The chain reaches HTTPS and then goes back to plain HTTP, undoing the protection."
			return o.Fail(0, "downgrade: "+seen, d, o.Finding(SeverityHigh, "Redirect back to HTTP", d, redirectFix, seen))
		case n >= 5:
			d := "Reaching the page takes " + plural(n, "redirect") + ", each a full round trip."
			return o.Fail(0, plural(n, "hop")+": "+seen,
				d,
				o.Finding(SeverityLow, "Long redirect chain", d, fixRedirectLong, seen))
		case n >= 3:
			d := "Reaching the page takes " + plural(n, "redirect") + "; two are enough (HTTPS on the same host, then the canonical host)."
			return o.Warn(0.5, plural(n, "hop")+": "+seen,
				d,
				o.Finding(SeverityLow, "Redirect chain longer than needed", d, redirectFix, seen))
		case len(foreign) > 0:
			d := "The chain passes through or ends on another site (" + strings.Join(foreign, ", ") + "), which learns about every visitor and controls where they land."
			return o.Warn(0.5, "off-site: "+seen,
				d,
				o.Finding(SeverityLow, "Redirect through another site",
					d,
					fixRedirectOffSite,
					seen))
		}
		return o.Pass(1, plural(n, "hop")+": "+seen, "The redirect chain is short, loop-free and stays on the site.")
	},
}
