package scanner

import "strings"

// Check ids of the classic single-value security headers.
const (
	idHeadersXFO      = "headers.x-frame-options"
	idHeadersXCTO     = "headers.x-content-type-options"
	idHeadersReferrer = "headers.referrer-policy"
	idHeadersXXSS     = "headers.x-xss-protection"
)

// Fix texts, built once (checks run thousands of times a second).
var (
	fixXFO = headersFix("Restrict framing with CSP frame-ancestors, and X-Frame-Options DENY for old browsers.",
		[2]string{"Content-Security-Policy", "frame-ancestors 'self'"}, [2]string{"X-Frame-Options", "DENY"})
	fixXFOAllowFrom = headerFix("List the allowed origins in CSP frame-ancestors instead.", "Content-Security-Policy", "frame-ancestors 'self' https://partner.example")
	fixXCTO         = headerFix("Send X-Content-Type-Options: nosniff on every response.", "X-Content-Type-Options", "nosniff")
	fixReferrer     = headerFix("Set a Referrer-Policy that sends at most the origin to other sites.", "Referrer-Policy", "strict-origin-when-cross-origin")
	fixXXSS         = headerFix("Remove the header or disable the legacy filter.", "X-XSS-Protection", "0")
)

// checkHeadersXFO: a page that may be framed by any site can be overlaid
// with a decoy and clicked through (clickjacking). CSP frame-ancestors or
// X-Frame-Options DENY/SAMEORIGIN prevent it. Observatory test
// "x-frame-options".
var checkHeadersXFO = Check{
	ID: idHeadersXFO, Name: "Clickjacking protection (X-Frame-Options / frame-ancestors)", Category: catHeaders, Depth: Quick, Weight: 3,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersXFO)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		csp := cspOf(ev.Page)
		if csp.FrameAncestors != nil && !cspSetOf(csp.FrameAncestors).anyIn(cspBroad) {
			return o.Pass(1, valueWith("x-frame-options-implemented-via-csp", "frame-ancestors "+strings.Join(csp.FrameAncestors, " ")),
				"CSP frame-ancestors restricts which sites may frame the page, which supersedes X-Frame-Options.")
		}
		raw, present, conflict := headerSingle(ev.Page, "X-Frame-Options", true)
		xfo := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case !present:
			d := "Any site can load this page in a frame and trick visitors into clicking on it (clickjacking)."
			if csp.FrameAncestors != nil {
				d = "CSP frame-ancestors allows any origin (" + strings.Join(csp.FrameAncestors, " ") + ") and X-Frame-Options is absent, so any site can frame the page (clickjacking)."
			}
			return o.Fail(0, "x-frame-options-not-implemented",
				d,
				o.Finding(SeverityMedium, "No clickjacking protection", d, fixXFO, ""))
		case !conflict && (xfo == "deny" || xfo == "sameorigin"):
			return o.Pass(0.8, valueWith("x-frame-options-sameorigin-or-deny", raw),
				"X-Frame-Options stops other sites from framing the page. CSP frame-ancestors is the standard replacement and allows lists of origins: add frame-ancestors 'self' for full points.")
		case !conflict && strings.HasPrefix(xfo, "allow-from"):
			d := "X-Frame-Options ALLOW-FROM is ignored by every current browser, so the page can be framed by anyone."
			return o.Fail(0, valueWith("x-frame-options-allow-from-origin", raw),
				d,
				o.Finding(SeverityMedium, "X-Frame-Options ALLOW-FROM is not supported",
					d,
					fixXFOAllowFrom,
					raw))
		}
		d := "X-Frame-Options has a value browsers do not understand (or conflicting copies), so it is ignored."
		return o.Fail(0, valueWith("x-frame-options-header-invalid", raw),
			d,
			o.Finding(SeverityMedium, "X-Frame-Options invalid", d, fixXFO, raw))
	},
}

func cspSetOf(list []string) cspSet {
	s := cspSet{}
	for _, x := range list {
		s[x] = struct{}{}
	}
	return s
}

// checkHeadersXCTO: without nosniff, browsers may execute an uploaded file
// or a JSON response as script or style by guessing its type (MIME
// sniffing). Observatory test "x-content-type-options".
var checkHeadersXCTO = Check{
	ID: idHeadersXCTO, Name: "X-Content-Type-Options", Category: catHeaders, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersXCTO)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		raw, present, conflict := headerSingle(ev.Page, "X-Content-Type-Options", true)
		fix := fixXCTO
		if !present {
			d := "Browsers may guess (sniff) the type of responses and run user-supplied content as script or style."
			return o.Fail(0, "x-content-type-options-not-implemented",
				d,
				o.Finding(SeverityLow, "X-Content-Type-Options missing", d, fix, ""))
		}
		if !conflict && strings.EqualFold(strings.TrimSpace(raw), "nosniff") {
			return o.Pass(1, valueWith("x-content-type-options-nosniff", raw),
				"nosniff stops browsers from guessing content types.")
		}
		d := "The only valid value is nosniff; anything else is ignored, so MIME sniffing stays on."
		return o.Fail(0, valueWith("x-content-type-options-header-invalid", raw),
			d,
			o.Finding(SeverityLow, "X-Content-Type-Options invalid", d, fix, raw))
	},
}

var (
	referrerPrivate = map[string]bool{"no-referrer": true, "same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true}
	referrerUnsafe  = map[string]bool{"origin": true, "origin-when-cross-origin": true, "unsafe-url": true, "no-referrer-when-downgrade": true}
)

// checkHeadersReferrer: full URLs in the Referer header leak paths and query
// strings (reset tokens, search terms, ids) to third parties. Browsers now
// default to strict-origin-when-cross-origin, so a missing header is
// neutral; an unsafe one is a regression. Observatory test "referrer-policy"
// (header and <meta name="referrer">, the last valid value wins).
var checkHeadersReferrer = Check{
	ID: idHeadersReferrer, Name: "Referrer-Policy", Category: catHeaders, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersReferrer)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		vals := append([]string(nil), headerValues(ev.Page, "Referrer-Policy")...)
		if m := htmlOf(ev.Page).MetaReferrer; len(m) > 0 {
			vals = append(vals, m[len(m)-1])
		}
		fix := fixReferrer
		if len(vals) == 0 {
			return o.InfoCounted(0.5, "referrer-policy-not-implemented",
				"No Referrer-Policy: modern browsers apply their default (strict-origin-when-cross-origin), older ones send full URLs to other sites. Set it explicitly for full points.")
		}
		raw := strings.Join(vals, ", ")
		policy := ""
		for _, p := range strings.Split(raw, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if referrerPrivate[p] || referrerUnsafe[p] {
				policy = p
			}
		}
		switch {
		case referrerPrivate[policy]:
			return o.Pass(1, valueWith("referrer-policy-private", raw),
				"The Referer sent to other sites carries at most the origin, never paths or query strings.")
		case policy == "origin" || policy == "origin-when-cross-origin":
			d := "The policy sends the origin even from HTTPS pages to HTTP sites (" + policy + "); strict-origin-when-cross-origin does not."
			return o.Warn(0.25, valueWith("referrer-policy-unsafe", raw),
				d,
				o.Finding(SeverityLow, "Referrer-Policy leaks the origin over HTTP", d, fix, raw))
		case referrerUnsafe[policy]:
			d := "The policy (" + policy + ") sends full URLs, including paths and query strings, to other sites."
			return o.Fail(0, valueWith("referrer-policy-unsafe", raw),
				d,
				o.Finding(SeverityMedium, "Referrer-Policy leaks full URLs", d, fix, raw))
		}
		d := "The Referrer-Policy value is not recognised, so browsers ignore it."
		return o.Warn(0, valueWith("referrer-policy-header-invalid", raw),
			d,
			o.Finding(SeverityLow, "Referrer-Policy invalid", d, fix, raw))
	},
}

// checkHeadersXXSS: the browser XSS auditor is gone (Chrome 78, Edge 17,
// Firefox never had one), and its filter mode could itself be abused to leak
// data, so today missing or 0 is right. Only "1" without mode=block (and
// unparsable values) is flagged; the current Observatory no longer tests it.
var checkHeadersXXSS = Check{
	ID: idHeadersXXSS, Name: "X-XSS-Protection (deprecated)", Category: catHeaders, Depth: Quick, Weight: 1,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersXXSS)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		raw, present := headerJoined(ev.Page, "X-XSS-Protection")
		raw = strings.TrimSpace(raw)
		if !present {
			return o.InfoCounted(1, "x-xss-protection-not-implemented",
				"Not set, which is right today: the XSS auditor it controlled has been removed from browsers.")
		}
		fix := fixXXSS
		enabled, block, valid := parseXXSS(raw)
		switch {
		case !valid:
			d := "The value is not valid for X-XSS-Protection; old browsers fall back to their filter mode."
			return o.Warn(0.5, valueWith("x-xss-protection-header-invalid", raw),
				d,
				o.Finding(SeverityLow, "X-XSS-Protection invalid", d, fix, raw))
		case !enabled:
			return o.Pass(1, valueWith("x-xss-protection-disabled", raw),
				"The legacy XSS filter is disabled, as current guidance recommends.")
		case block:
			return o.Pass(1, valueWith("x-xss-protection-enabled-mode-block", raw),
				"mode=block is harmless; the header is obsolete and can be dropped (CSP replaces it).")
		}
		d := "X-XSS-Protection: 1 without mode=block makes old browsers rewrite pages, which attackers abused to leak data or disable scripts."
		return o.Warn(0.5, valueWith("x-xss-protection-enabled", raw),
			d,
			o.Finding(SeverityLow, "X-XSS-Protection in filter mode", d, fix, raw))
	},
}

// parseXXSS parses X-XSS-Protection as the legacy Observatory did: 0 or 1,
// then mode=block and report=<uri> directives.
func parseXXSS(v string) (enabled, block, valid bool) {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return false, false, false
	}
	parts := strings.Split(strings.ToLower(v), ";")
	if strings.TrimSpace(parts[0]) != "0" && strings.TrimSpace(parts[0]) != "1" {
		return false, false, false
	}
	enabled = v[0] == '1'
	for _, d := range parts[1:] {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		k, val, ok := strings.Cut(d, "=")
		if !ok {
			return enabled, false, false
		}
		switch strings.TrimSpace(k) {
		case "mode":
			if strings.TrimSpace(val) != "block" {
				return enabled, false, false
			}
			block = true
		case "report":
		default:
			return enabled, false, false
		}
	}
	return enabled, block, true
}
