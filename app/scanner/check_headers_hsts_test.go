package scanner

import "testing"

// TestCheckHeadersHSTS follows the Observatory's strict-transport-security
// test: six-month threshold, invalid and repeated headers, no HTTPS and
// invalid certificates.
func TestCheckHeadersHSTS(t *testing.T) {
	hsts := func(v ...string) *Evidence {
		var h []string
		for _, x := range v {
			h = append(h, "Strict-Transport-Security: "+x)
		}
		return ckEv(ckPage("", h...))
	}
	runCheckCases(t, []checkCase{
		{name: "preload ready", id: idHeadersHSTS, ev: hsts("max-age=63072000; includeSubDomains; preload"), want: StatusPass, value: "hsts-implemented-max-age-at-least-six-months", score: 1},
		{name: "six months", id: idHeadersHSTS, ev: hsts("max-age=15552000"), want: StatusPass, value: "hsts-implemented-max-age-at-least-six-months", score: 0.9, find: "preload"},
		{name: "quoted max-age", id: idHeadersHSTS, ev: hsts(`max-age="31536000"`), want: StatusPass, score: 0.9},
		{name: "identical duplicates", id: idHeadersHSTS, ev: hsts("max-age=31536000", "max-age=31536000"), want: StatusPass, score: 0.9},
		{name: "short max-age", id: idHeadersHSTS, ev: hsts("max-age=86400"), want: StatusWarn, value: "hsts-implemented-max-age-less-than-six-months", score: 0.5},
		{name: "max-age zero", id: idHeadersHSTS, ev: hsts("max-age=0"), want: StatusFail, value: "less-than-six-months", score: 0},
		{name: "missing", id: idHeadersHSTS, ev: ckEv(ckPage("")), want: StatusFail, value: "hsts-not-implemented", score: 0, find: `add_header Strict-Transport-Security "max-age=63072000; includeSubDomains; preload" always;`},
		{name: "no max-age", id: idHeadersHSTS, ev: hsts("includeSubDomains"), want: StatusFail, value: "hsts-header-invalid", score: 0},
		{name: "garbage max-age", id: idHeadersHSTS, ev: hsts("max-age=abc"), want: StatusFail, value: "hsts-header-invalid", score: 0},
		{name: "conflicting duplicates", id: idHeadersHSTS, ev: hsts("max-age=31536000", "max-age=300"), want: StatusFail, value: "hsts-header-invalid", score: 0},
		{name: "comma in header", id: idHeadersHSTS, ev: hsts("max-age=31536000, max-age=300"), want: StatusFail, value: "hsts-header-invalid", score: 0},
		{name: "invalid certificate", id: idHeadersHSTS, ev: ckWith(ckPage("", "Strict-Transport-Security: max-age=31536000"), func(ev *Evidence) { ev.TLS.Trusted = false }),
			want: StatusFail, value: "hsts-invalid-cert", score: 0},
		{name: "plain http page", id: idHeadersHSTS, ev: ckEv(ckResp("http://example.com/", 200, "", "Strict-Transport-Security: max-age=31536000")),
			want: StatusFail, value: "hsts-not-implemented-no-https", score: 0},
		{name: "https failed", id: idHeadersHSTS, ev: ckWith(ckResp("http://example.com/", 200, ""), func(ev *Evidence) { ev.TLS, ev.TLSErr = nil, "refused" }),
			want: StatusFail, value: "hsts-not-implemented-no-https", score: 0},
		{name: "page missing", id: idHeadersHSTS, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "timeout" }), want: StatusError, score: -1},
	})
}
