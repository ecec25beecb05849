package scanner

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// AllChecks returns every check of the library in report order: category by
// category (tls, headers, cookies, redirects, dns, exposure, content), the
// most important check of each first. The order is part of the contract: it
// is the order of reports and of `palisade scan` output, so new checks are
// appended inside their category and ids never change.
//
// A check's Weight is relative to the other checks of its category; the
// category's points come from the Categories table. Today the weights of a
// category add up to its points (so the Pts column of docs/scoring.md is
// both), but nothing depends on that: a new check takes a weight without
// any sibling's changing.
func AllChecks() []Check {
	return []Check{
		// tls (25)
		checkTLSHTTPS,
		checkTLSCertificate,
		checkTLSExpiry,
		checkTLSProtocols,
		checkTLSCiphers,
		// headers (25)
		checkHeadersHSTS,
		checkHeadersCSP,
		checkHeadersXFO,
		checkHeadersXCTO,
		checkHeadersReferrer,
		checkHeadersPermissions,
		checkHeadersCOOP,
		checkHeadersCOEP,
		checkHeadersCORP,
		checkHeadersCORS,
		checkHeadersXXSS,
		// cookies (10)
		checkCookiesSecure,
		checkCookiesHTTPOnly,
		checkCookiesSameSite,
		checkCookiesPrefixes,
		// redirects (10)
		checkRedirectsHTTPS,
		checkRedirectsSameHostFirst,
		checkRedirectsChain,
		// dns (10)
		checkDNSSPF,
		checkDNSDMARC,
		checkDNSCAA,
		checkDNSMX,
		checkDNSDNSSEC,
		// exposure (10)
		checkExposureServerVersion,
		checkExposurePoweredBy,
		checkExposureSecurityTxt,
		checkExposureSensitiveFiles,
		checkExposureDirectoryListing,
		// content (10)
		checkContentSRI,
		checkContentMixed,
		checkContentSecrets,
		checkContentVulnLibs,
		checkContentCMS,
	}
}

// Category names, as used in Check.Category and Finding.Category.
const (
	catTLS       = "tls"
	catHeaders   = "headers"
	catCookies   = "cookies"
	catRedirects = "redirects"
	catDNS       = "dns"
	catExposure  = "exposure"
	catContent   = "content"
)

// missing reports evidence that was not fetched. When the fetcher says why
// (why != ""), the check could not be evaluated: an error, left out of
// scoring, with the reason. Evidence not collected at this depth means the
// check does not apply to this scan: skipped.
func missing(what, why string) Outcome {
	if why == "" {
		r := what + " is not collected at this depth"
		return Outcome{Status: StatusSkipped, Value: "skipped", Reason: r, Description: r + "."}
	}
	r := what + " could not be fetched: " + why
	return Outcome{Status: StatusError, Value: "no evidence", Reason: r, Description: r + "."}
}

// lookupFailed reports a piece of fetched evidence that came back empty
// (a DNS lookup that failed): the check could not be evaluated, an error
// with the reason.
func lookupFailed(what, why string) Outcome {
	if why == "" {
		why = "the lookup failed"
	}
	r := what + " could not be fetched: " + why
	return Outcome{Status: StatusError, Value: "no evidence", Reason: r, Description: r + "."}
}

// reasonIPTarget is why the dns checks skip a target given as an IP address.
const reasonIPTarget = "the target is an IP address; DNS records of a domain do not apply"

// headerFix is the standard "set this response header" fix with the exact
// line for nginx, Apache and Caddy. Checks build their constant fixes once,
// as package-level values, since checks run thousands of times a second.
func headerFix(advice, name, value string) *Fix {
	return headersFix(advice, [2]string{name, value})
}

// headersFix is headerFix for several headers set together: one snippet per
// server holding every line.
func headersFix(advice string, hs ...[2]string) *Fix {
	var ng, ap, cd []string
	for _, h := range hs {
		ng = append(ng, "add_header "+h[0]+" \""+h[1]+"\" always;")
		ap = append(ap, "Header always set "+h[0]+" \""+h[1]+"\"")
		cd = append(cd, "header "+h[0]+" \""+h[1]+"\"")
	}
	return &Fix{Advice: advice, Snippets: []Snippet{
		{Server: ServerNginx, Code: strings.Join(ng, "\n")},
		{Server: ServerApache, Code: strings.Join(ap, "\n")},
		{Server: ServerCaddy, Code: strings.Join(cd, "\n")},
	}}
}

// headerRemoveFix is the standard "stop sending this header" fix.
func headerRemoveFix(advice, name string) *Fix {
	return &Fix{Advice: advice, Snippets: []Snippet{
		{Server: ServerNginx, Code: "proxy_hide_header " + name + ";\nfastcgi_hide_header " + name + ";"},
		{Server: ServerApache, Code: "Header always unset " + name},
		{Server: ServerCaddy, Code: "header -" + name},
	}}
}

// adviceFix is a fix that is advice alone, with no snippet to paste.
func adviceFix(advice string) *Fix { return &Fix{Advice: advice} }

// clip shortens s to n bytes (on a rune boundary) with an ellipsis, so that
// hostile header values cannot blow up reports.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// headerValues returns every value of a header (one per header line), nil
// when the response or the header is absent.
func headerValues(r *Response, name string) []string {
	if r == nil || r.Header == nil {
		return nil
	}
	return r.Header.Values(name)
}

// headerJoined joins repeated header lines with ", " as Node.js (and so the
// HTTP Observatory) sees them. ok is false when the header is absent.
func headerJoined(r *Response, name string) (string, bool) {
	vs := headerValues(r, name)
	if len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ", "), true
}

// headerSingle returns the header's value when it was sent once, or several
// times with the same value (a common proxy-plus-application duplicate that
// browsers treat as one). When splitComma is set, the comma-separated items
// of a single line are compared too (X-Frame-Options, X-Content-Type-Options
// are lists to browsers). conflict is true when the copies disagree.
func headerSingle(r *Response, name string, splitComma bool) (v string, present, conflict bool) {
	vs := headerValues(r, name)
	if len(vs) == 0 {
		return "", false, false
	}
	var items []string
	for _, x := range vs {
		if splitComma {
			for _, p := range strings.Split(x, ",") {
				items = append(items, strings.TrimSpace(p))
			}
		} else {
			items = append(items, strings.TrimSpace(x))
		}
	}
	first := items[0]
	for _, it := range items[1:] {
		if !strings.EqualFold(it, first) {
			return strings.Join(vs, ", "), true, true
		}
	}
	return first, true, false
}

// pagesOf returns the HTML pages the content checks read: the crawl at DEEP
// (main page first), otherwise the main page alone.
func pagesOf(ev *Evidence) []*Response {
	if len(ev.Pages) > 0 {
		return ev.Pages
	}
	if ev.Page != nil {
		return []*Response{ev.Page}
	}
	return nil
}

// schemeOf returns the lower-case scheme of a URL string ("" when unparsable).
func schemeOf(raw string) string {
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok {
		return ""
	}
	return strings.ToLower(scheme)
}

// hostOfURL returns the lower-case host name (no port) of a URL string.
func hostOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

// siteOf returns the registrable domain (eTLD+1) of a host, or the host
// itself when it has none (an IP address, a bare public suffix, localhost).
func siteOf(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// resolveRef resolves ref against base; it returns "" when either fails to parse.
func resolveRef(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ""
	}
	return b.ResolveReference(r).String()
}

// isSuccess reports a 2xx response.
func isSuccess(r *Response) bool { return r != nil && r.StatusCode >= 200 && r.StatusCode < 300 }

// mimeOf returns the lower-case media type of the Content-Type header.
func mimeOf(h http.Header) string {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// plural returns "1 cookie" / "2 cookies".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// sortedKeys returns a map's keys in order, for reports that must not
// depend on map iteration. Sized up front: it runs on every evaluation.
func sortedKeys[V any](m map[string]V) []string {
	ks := slices.AppendSeq(make([]string, 0, len(m)), maps.Keys(m))
	slices.Sort(ks)
	return ks
}

// fixTexts holds the rendered text (Finding.Recommendation) of every fix
// built once at package level, so a finding does not render it again on
// every evaluation. Filled by init, read-only afterwards; fixes built per
// evaluation (they name the target's domain) are rendered when used.
var fixTexts = map[*Fix]string{}

func init() {
	constant := []*Fix{
		fixCOEP, fixCOOP, fixCORP, fixCORS, fixCookiesHTTPOnly, fixCookiesHostPrefix, fixCookiesPrefix,
		fixCookiesSameSite, fixCookiesSecure, fixDirectoryListing, fixGetCertificate, fixHSTS, fixHTTPSToHTTP,
		fixMixed, fixNotYetValid, fixPermissions, fixPermissionsStar, fixPoweredBy, fixRedirectLong,
		fixRedirectLoop, fixRedirectOffSite, fixReferrer, fixRenewNow, fixRenewSoon, fixSRI, fixSRIStyles,
		fixServeHTTPS, fixServerVersion, fixTLSCiphers, fixTLSProtocols, fixWeakCert, fixXCTO, fixXFO,
		fixXFOAllowFrom, fixXXSS, redirectFix,
	}
	for _, f := range cspFixes {
		constant = append(constant, f)
	}
	for i := range fileDetectors {
		constant = append(constant, fileDetectors[i].fix)
	}
	for _, k := range secretKinds {
		constant = append(constant, k.fix)
	}
	for _, f := range constant {
		fixTexts[f] = f.Text()
	}
}
