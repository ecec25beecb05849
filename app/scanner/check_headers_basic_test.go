package scanner

import "testing"

// TestCheckHeadersBasic covers X-Frame-Options (with CSP frame-ancestors),
// X-Content-Type-Options, Referrer-Policy and X-XSS-Protection.
func TestCheckHeadersBasic(t *testing.T) {
	h := func(hdrs ...string) *Evidence { return ckEv(ckPage("", hdrs...)) }
	runCheckCases(t, []checkCase{
		{name: "frame-ancestors", id: idHeadersXFO, ev: h("Content-Security-Policy: default-src 'self'; frame-ancestors 'self'"), want: StatusPass, value: "x-frame-options-implemented-via-csp", score: 1},
		{name: "deny", id: idHeadersXFO, ev: h("X-Frame-Options: DENY"), want: StatusPass, value: "x-frame-options-sameorigin-or-deny", score: 0.8},
		{name: "sameorigin twice", id: idHeadersXFO, ev: h("X-Frame-Options: SAMEORIGIN", "X-Frame-Options: sameorigin"), want: StatusPass, value: "sameorigin-or-deny", score: 0.8},
		{name: "missing", id: idHeadersXFO, ev: h(), want: StatusFail, value: "x-frame-options-not-implemented", score: 0, find: `add_header X-Frame-Options "DENY" always;`},
		{name: "allow-from", id: idHeadersXFO, ev: h("X-Frame-Options: ALLOW-FROM https://a.example"), want: StatusFail, value: "x-frame-options-allow-from-origin", score: 0},
		{name: "invalid", id: idHeadersXFO, ev: h("X-Frame-Options: yes please"), want: StatusFail, value: "x-frame-options-header-invalid", score: 0},
		{name: "conflicting", id: idHeadersXFO, ev: h("X-Frame-Options: DENY", "X-Frame-Options: SAMEORIGIN"), want: StatusFail, value: "x-frame-options-header-invalid", score: 0},
		{name: "frame-ancestors star ignored", id: idHeadersXFO, ev: h("Content-Security-Policy: default-src 'self'; frame-ancestors *"), want: StatusFail, value: "not-implemented", score: 0},
		{name: "meta frame-ancestors ignored", id: idHeadersXFO, ev: ckEv(ckPage(`<meta http-equiv="Content-Security-Policy" content="frame-ancestors 'none'">`)), want: StatusFail, score: 0},
		{name: "page missing", id: idHeadersXFO, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},

		{name: "nosniff", id: idHeadersXCTO, ev: h("X-Content-Type-Options: nosniff"), want: StatusPass, value: "x-content-type-options-nosniff", score: 1},
		{name: "NOSNIFF duplicated", id: idHeadersXCTO, ev: h("X-Content-Type-Options: NOSNIFF", "X-Content-Type-Options: nosniff"), want: StatusPass, score: 1},
		{name: "missing", id: idHeadersXCTO, ev: h(), want: StatusFail, value: "x-content-type-options-not-implemented", score: 0, find: `Header always set X-Content-Type-Options "nosniff"`},
		{name: "invalid", id: idHeadersXCTO, ev: h("X-Content-Type-Options: nosniff; mode=block"), want: StatusFail, value: "x-content-type-options-header-invalid", score: 0},
		{name: "page missing", id: idHeadersXCTO, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "strict-origin-when-cross-origin", id: idHeadersReferrer, ev: h("Referrer-Policy: strict-origin-when-cross-origin"), want: StatusPass, value: "referrer-policy-private", score: 1},
		{name: "fallback list, last valid wins", id: idHeadersReferrer, ev: h("Referrer-Policy: unsafe-url, no-referrer, bogus"), want: StatusPass, value: "referrer-policy-private", score: 1},
		{name: "meta referrer", id: idHeadersReferrer, ev: ckEv(ckPage(`<meta name="referrer" content="no-referrer">`)), want: StatusPass, value: "referrer-policy-private", score: 1},
		{name: "missing is neutral", id: idHeadersReferrer, ev: h(), want: StatusInfo, value: "referrer-policy-not-implemented", score: 0.5},
		{name: "unsafe-url", id: idHeadersReferrer, ev: h("Referrer-Policy: unsafe-url"), want: StatusFail, value: "referrer-policy-unsafe", score: 0, find: "strict-origin-when-cross-origin"},
		{name: "no-referrer-when-downgrade", id: idHeadersReferrer, ev: h("Referrer-Policy: no-referrer-when-downgrade"), want: StatusFail, value: "referrer-policy-unsafe", score: 0},
		{name: "origin", id: idHeadersReferrer, ev: h("Referrer-Policy: origin"), want: StatusWarn, value: "referrer-policy-unsafe", score: 0.25},
		{name: "invalid", id: idHeadersReferrer, ev: h("Referrer-Policy: sometimes"), want: StatusWarn, value: "referrer-policy-header-invalid", score: 0},
		{name: "page missing", id: idHeadersReferrer, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "missing", id: idHeadersXXSS, ev: h(), want: StatusInfo, value: "x-xss-protection-not-implemented", score: 1},
		{name: "zero", id: idHeadersXXSS, ev: h("X-XSS-Protection: 0"), want: StatusPass, value: "x-xss-protection-disabled", score: 1},
		{name: "mode block", id: idHeadersXXSS, ev: h("X-XSS-Protection: 1; mode=block"), want: StatusPass, value: "x-xss-protection-enabled-mode-block", score: 1},
		{name: "filter mode", id: idHeadersXXSS, ev: h("X-XSS-Protection: 1"), want: StatusWarn, value: "x-xss-protection-enabled", score: 0.5, find: `X-XSS-Protection "0"`},
		{name: "report only", id: idHeadersXXSS, ev: h("X-XSS-Protection: 1; report=/r"), want: StatusWarn, value: "x-xss-protection-enabled", score: 0.5},
		{name: "invalid", id: idHeadersXXSS, ev: h("X-XSS-Protection: on"), want: StatusWarn, value: "x-xss-protection-header-invalid", score: 0.5},
		{name: "bad mode", id: idHeadersXXSS, ev: h("X-XSS-Protection: 1; mode=allow"), want: StatusWarn, value: "header-invalid", score: 0.5},
		{name: "page missing", id: idHeadersXXSS, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},
	})
}
