package scanner

import (
	"bytes"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Bot and WAF vendors whose challenge pages ChallengeVendor recognises.
const (
	VendorCloudflare = "Cloudflare"
	VendorAkamai     = "Akamai"
	VendorImperva    = "Imperva (Incapsula)"
	VendorAWSWAF     = "AWS WAF"
	VendorDataDome   = "DataDome"
	VendorSucuri     = "Sucuri"
)

// challengeScan bounds how much of a body is searched for markers: the
// challenge pages put theirs in the first few kilobytes.
const challengeScan = 64 << 10

// challengeView is the part of a response the rules read: lower-cased
// header values and body prefix, computed once.
type challengeView struct {
	status int
	h      http.Header
	body   []byte
}

func (v challengeView) header(name string) string {
	return strings.ToLower(strings.TrimSpace(v.h.Get(name)))
}

func (v challengeView) has(name string) bool { return len(v.h.Values(name)) > 0 }

func (v challengeView) bodyHas(markers ...string) bool {
	for _, m := range markers {
		if bytes.Contains(v.body, []byte(m)) {
			return true
		}
	}
	return false
}

func (v challengeView) statusIn(codes ...int) bool {
	for _, c := range codes {
		if v.status == c {
			return true
		}
	}
	return false
}

// challengeRules are tried in order; each matches on the status AND on the
// vendor's headers or body markers, never on a vendor header alone (those
// are sent with every page the vendor serves: a normal page behind
// Cloudflare has cf-ray too).
var challengeRules = []struct {
	vendor string
	match  func(v challengeView) bool
}{
	{VendorCloudflare, func(v challengeView) bool {
		if v.header("cf-mitigated") == "challenge" {
			return true // set by Cloudflare on challenge answers only
		}
		if v.bodyHas("<title>just a moment...</title>") && v.bodyHas("/cdn-cgi/challenge-platform") {
			return true
		}
		return v.statusIn(403, 429, 503) && strings.Contains(v.header("server"), "cloudflare") && v.has("cf-ray") &&
			v.bodyHas("/cdn-cgi/challenge-platform", "cf-browser-verification", "cf_chl_", "challenges.cloudflare.com",
				"attention required! | cloudflare", "cf-error-details", "sorry, you have been blocked")
	}},
	{VendorAkamai, func(v challengeView) bool {
		return v.statusIn(403) && strings.HasPrefix(v.header("server"), "akamaighost") &&
			v.bodyHas("access denied") && v.bodyHas("reference #")
	}},
	{VendorImperva, func(v challengeView) bool {
		if v.bodyHas("incapsula incident id") {
			return true
		}
		// The challenge is a near-empty page loading the resource script;
		// a normal page may carry that script too, but is not tiny.
		if !v.bodyHas("_incapsula_resource") {
			return false
		}
		imperva := v.has("x-iinfo") || strings.Contains(v.header("x-cdn"), "incapsula") || v.bodyHas("noindex")
		return v.status >= 400 || (len(v.body) < 4096 && imperva)
	}},
	{VendorAWSWAF, func(v challengeView) bool {
		switch v.header("x-amzn-waf-action") {
		case "challenge", "captcha":
			return true
		}
		return v.statusIn(202, 405) && v.bodyHas("awswafintegration", ".awswaf.com", "awswafcookiedomainlist")
	}},
	{VendorDataDome, func(v challengeView) bool {
		return v.statusIn(403, 429) && (v.has("x-datadome") || v.has("x-dd-b") || v.bodyHas("captcha-delivery.com"))
	}},
	{VendorSucuri, func(v challengeView) bool {
		if v.bodyHas("sucuri website firewall") && v.bodyHas("access denied") {
			return true
		}
		hdr := v.has("x-sucuri-id") || v.has("x-sucuri-block") || strings.Contains(v.header("server"), "sucuri")
		return hdr && (v.statusIn(403) || v.bodyHas("sucuri_cloudproxy_js"))
	}},
}

// ChallengeVendor recognises a bot or WAF challenge (or block) page served
// instead of the site: it returns the vendor's name, or "" for anything
// else. It reads only the response, so it is a pure function of the main
// page (docs/scoring.md, "Scans that are not graded").
func ChallengeVendor(r *Response) string {
	if r == nil {
		return ""
	}
	b := r.Body
	if len(b) > challengeScan {
		b = b[:challengeScan]
	}
	v := challengeView{status: r.StatusCode, h: r.Header, body: lowerBody(b)}
	if v.h == nil {
		v.h = http.Header{}
	}
	for _, rule := range challengeRules {
		if rule.match(v) {
			return rule.vendor
		}
	}
	return ""
}

// lowerBody is strings.ToLower(string(b)) as bytes, in one pass when b
// is ASCII (the usual page; strings.ToLower writes such a string byte by
// byte through a Builder, and the string would be one more copy: about
// 5 % of a QUICK scan's CPU besides the secrets check, on a 17 KB page).
// Anything else goes through strings.ToLower itself, whose Unicode mapping
// the markers were written against.
func lowerBody(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return []byte(strings.ToLower(string(b)))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
