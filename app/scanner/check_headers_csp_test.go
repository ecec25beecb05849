package scanner

import "testing"

// TestCheckHeadersCSP runs policies through headers.csp and expects the
// Observatory's result names and pass/fail decisions.
func TestCheckHeadersCSP(t *testing.T) {
	csp := func(p string) *Evidence { return ckEv(ckPage("", "Content-Security-Policy: "+p)) }
	runCheckCases(t, []checkCase{
		{name: "default-src none", id: idHeadersCSP, ev: csp("default-src 'none'; img-src 'self'; form-action 'self'"), want: StatusPass, value: cspNoUnsafeDefaultNone, score: 1},
		{name: "self", id: idHeadersCSP, ev: csp("default-src 'self'; object-src 'none'"), want: StatusPass, value: cspNoUnsafe + ":", score: 0.9},
		{name: "nonce neutralises unsafe-inline", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'self' 'nonce-abc123' 'unsafe-inline'"), want: StatusPass, value: cspNoUnsafe + ":", score: 0.9},
		{name: "strict-dynamic drops hosts", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'nonce-r4nd' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'"), want: StatusPass, value: cspNoUnsafe + ":", score: 0.9},
		{name: "style unsafe-inline only", id: idHeadersCSP, ev: csp("default-src 'self'; style-src 'self' 'unsafe-inline'"), want: StatusPass, value: cspUnsafeInlineStyleOnly, score: 0.75},
		{name: "http images on https", id: idHeadersCSP, ev: csp("default-src 'self'; img-src 'self' http://img.example.com"), want: StatusPass, value: cspInsecurePassiveOnly, score: 0.6},
		{name: "duplicate report-uri passes", id: idHeadersCSP, ev: csp("default-src 'self'; report-uri /a; report-uri /b"), want: StatusPass, value: cspDuplicateDirectives, score: 0.9},
		{name: "meta policy", id: idHeadersCSP, ev: ckEv(ckPage(`<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head></html>`)), want: StatusPass, value: cspNoUnsafeDefaultNone, score: 1},
		{name: "two policies intersect", id: idHeadersCSP, ev: ckEv(ckPage("", "Content-Security-Policy: default-src 'self' https:", "Content-Security-Policy: default-src 'self'")), want: StatusPass, value: cspNoUnsafe + ":", score: 0.9},
		{name: "unsafe-eval", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'self' 'unsafe-eval'"), want: StatusWarn, value: cspUnsafeEval, score: 0.4},
		{name: "unsafe-inline", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'self' 'unsafe-inline'"), want: StatusFail, value: cspUnsafeInline, score: 0.2},
		{name: "data: scripts", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'self' data:"), want: StatusFail, value: cspUnsafeInline, score: 0.2},
		{name: "broad default", id: idHeadersCSP, ev: csp("default-src https:"), want: StatusFail, value: cspUnsafeInline, score: 0.2},
		{name: "no script restriction", id: idHeadersCSP, ev: csp("img-src 'self'; frame-ancestors 'none'"), want: StatusFail, value: cspUnsafeInline, score: 0.2},
		{name: "http script source", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'self' http://cdn.example.com"), want: StatusFail, value: cspInsecureScheme, score: 0.2},
		{name: "strict-dynamic without nonce", id: idHeadersCSP, ev: csp("default-src 'self'; script-src 'strict-dynamic'"), want: StatusFail, value: cspHeaderInvalid, score: 0},
		{name: "duplicate directive", id: idHeadersCSP, ev: csp("default-src 'self'; default-src 'none'"), want: StatusFail, value: cspHeaderInvalid, score: 0},
		{name: "too short", id: idHeadersCSP, ev: csp("a b"), want: StatusFail, value: cspHeaderInvalid, score: 0},
		{name: "missing", id: idHeadersCSP, ev: ckEv(ckPage("")), want: StatusFail, value: cspNotImplemented, score: 0, find: "add_header Content-Security-Policy"},
		{name: "meta frame-ancestors only", id: idHeadersCSP, ev: ckEv(ckPage(`<meta http-equiv="content-security-policy" content="frame-ancestors 'none'">`)), want: StatusFail, value: cspNotImplemented, score: 0},
		{name: "report-only", id: idHeadersCSP, ev: ckEv(ckPage("", "Content-Security-Policy-Report-Only: default-src 'self'")), want: StatusFail, value: cspReportOnly, score: 0},
		{name: "page missing", id: idHeadersCSP, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "reset" }), want: StatusError, score: -1},
	})
}
