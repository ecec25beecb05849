package scanner

import (
	"strconv"
	"strings"
)

const idHeadersHSTS = "headers.hsts"

// Observatory HSTS result names.
const (
	hstsAtLeastSixMonths = "hsts-implemented-max-age-at-least-six-months"
	hstsLessSixMonths    = "hsts-implemented-max-age-less-than-six-months"
	hstsNotImplemented   = "hsts-not-implemented"
	hstsHeaderInvalid    = "hsts-header-invalid"
	hstsNoHTTPS          = "hsts-not-implemented-no-https"
	hstsInvalidCert      = "hsts-invalid-cert"
)

// hstsSixMonths is the Observatory's threshold: 15768000 is six months, but
// many sites use 15552000 (180 days), so that is accepted.
const hstsSixMonths = 15552000

// hstsFacts is the parsed Strict-Transport-Security of the main page.
type hstsFacts struct {
	Result            string
	Raw               string
	MaxAge            int64
	IncludeSubDomains bool
	Preload           bool
	Pass              bool // the Observatory counts it as passed
}

// hstsOf evaluates HSTS as the Observatory does: no HTTPS, an invalid
// certificate, a missing, unparsable or repeated header are all failures;
// max-age must be at least six months.
func hstsOf(ev *Evidence) hstsFacts {
	var f hstsFacts
	p := ev.Page
	switch {
	case p == nil || ev.TLS == nil || schemeOf(p.URL) != "https":
		f.Result = hstsNoHTTPS
		return f
	case !ev.TLS.Trusted || !ev.TLS.HostnameOK:
		f.Result = hstsInvalidCert
		return f
	}
	v, present, conflict := headerSingle(p, "Strict-Transport-Security", false)
	if !present {
		f.Result = hstsNotImplemented
		return f
	}
	f.Raw = clip(v, 1024)
	if conflict || strings.Contains(v, ",") {
		f.Result = hstsHeaderInvalid
		return f
	}
	maxAge := int64(-1)
	for _, part := range strings.Split(v, ";") {
		name, val, hasVal := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case "max-age":
			if !hasVal || maxAge >= 0 {
				f.Result = hstsHeaderInvalid
				return f
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n < 0 || len(val) > 127 {
				f.Result = hstsHeaderInvalid
				return f
			}
			maxAge = n
		case "includesubdomains":
			f.IncludeSubDomains = true
		case "preload":
			f.Preload = true
		}
	}
	if maxAge < 0 {
		f.Result = hstsHeaderInvalid
		return f
	}
	f.MaxAge = maxAge
	if maxAge < hstsSixMonths {
		f.Result = hstsLessSixMonths
		return f
	}
	f.Result, f.Pass = hstsAtLeastSixMonths, true
	return f
}

const hstsRecommended = "max-age=63072000; includeSubDomains; preload"

var fixHSTS = headerFix("Send Strict-Transport-Security on HTTPS responses. Start with a shorter max-age (e.g. 300) if unsure every subdomain serves HTTPS, then raise it; only add preload once ready to submit at hstspreload.org.",
	"Strict-Transport-Security", hstsRecommended)

// checkHeadersHSTS: without HSTS the first request of a visit (typed
// example.com, an old bookmark) goes over plain HTTP and can be hijacked
// (SSL stripping); HSTS makes the browser use HTTPS before any request.
var checkHeadersHSTS = Check{
	ID: idHeadersHSTS, Name: "Strict-Transport-Security (HSTS)", Category: catHeaders, Depth: Quick, Weight: 5,
	Needs: []EvidenceKind{NeedPage, NeedTLS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersHSTS)
		httpsFailed := ev.TLS == nil && ev.TLSErr != ""
		if ev.Page == nil && !httpsFailed {
			return missing("The main page", ev.PageErr)
		}
		if ev.TLS == nil && !httpsFailed {
			return missing("The HTTPS handshake", "")
		}
		f := hstsOf(ev)
		fix := fixHSTS
		fail := func(sev Severity, title, desc string, rec *Fix) Outcome {
			return o.Fail(0, valueWith(f.Result, f.Raw), desc, o.Finding(sev, title, desc, rec, f.Raw))
		}
		switch f.Result {
		case hstsNoHTTPS:
			return fail(SeverityHigh, "HSTS impossible without HTTPS",
				"Strict-Transport-Security can only be set by a site served over HTTPS, and this one is not.", fixGetCertificate)
		case hstsInvalidCert:
			return fail(SeverityHigh, "HSTS ineffective: invalid certificate",
				"Browsers ignore Strict-Transport-Security sent with an invalid certificate.", fixGetCertificate)
		case hstsNotImplemented:
			return fail(SeverityMedium, "Strict-Transport-Security header missing",
				"Without HSTS, the first plain-HTTP request of each visit can be intercepted and downgraded (SSL stripping).", fix)
		case hstsHeaderInvalid:
			return fail(SeverityMedium, "Strict-Transport-Security header invalid",
				"The header cannot be parsed (missing or malformed max-age, or sent several times with different values), so browsers may ignore it.", fix)
		case hstsLessSixMonths:
			if f.MaxAge == 0 {
				return fail(SeverityMedium, "HSTS disabled by max-age=0",
					"max-age=0 tells browsers to forget the site's HSTS policy.", fix)
			}
			return o.Warn(0.5, valueWith(f.Result, f.Raw),
				"HSTS is set, but for less than six months, so returning visitors fall back to unprotected first requests.",
				o.Finding(SeverityLow, "HSTS max-age shorter than six months",
					"max-age="+strconv.FormatInt(f.MaxAge, 10)+" seconds is below 15552000 (180 days).",
					fix,
					f.Raw))
		}
		out := o.Pass(0.9, valueWith(f.Result, f.Raw), "HSTS is set for at least six months.")
		if f.MaxAge >= 31536000 && f.IncludeSubDomains && f.Preload {
			out.Score = 1
			out.Description = "HSTS is set for at least a year with includeSubDomains and preload: the site can be preloaded into browsers."
		} else {
			out.Description += " Browsers protect even the very first visit of sites on the HSTS preload list; that needs max-age of at least a year, includeSubDomains and preload (" + hstsRecommended + ")."
		}
		return out
	},
}

// valueWith formats a check Value as "observatory-result: what was seen".
func valueWith(result, seen string) string {
	if seen == "" {
		return result
	}
	return result + ": " + clip(seen, 200)
}
