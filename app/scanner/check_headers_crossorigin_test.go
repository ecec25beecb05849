package scanner

import "testing"

// TestCheckHeadersCrossOrigin covers COOP, COEP, CORP and the CORS preflight.
func TestCheckHeadersCrossOrigin(t *testing.T) {
	h := func(hdrs ...string) *Evidence { return ckEv(ckPage("", hdrs...)) }
	cors := func(hdrs ...string) *Evidence {
		return ckWith(nil, func(ev *Evidence) { ev.CORS = ckResp("https://example.com/", 204, "", hdrs...) })
	}
	runCheckCases(t, []checkCase{
		{name: "same-origin", id: idHeadersCOOP, ev: h("Cross-Origin-Opener-Policy: same-origin"), want: StatusPass, value: "coop-implemented-with-same-origin", score: 1},
		{name: "with report-to", id: idHeadersCOOP, ev: h(`Cross-Origin-Opener-Policy: same-origin-allow-popups; report-to="coop"`), want: StatusPass, value: "coop-implemented-with-same-origin-allow-popups", score: 1},
		{name: "unsafe-none", id: idHeadersCOOP, ev: h("Cross-Origin-Opener-Policy: unsafe-none"), want: StatusInfo, value: "coop-implemented-with-unsafe-none", score: 0.5},
		{name: "missing", id: idHeadersCOOP, ev: h(), want: StatusInfo, value: "coop-not-implemented", score: 0.5},
		{name: "two headers", id: idHeadersCOOP, ev: h("Cross-Origin-Opener-Policy: same-origin", "Cross-Origin-Opener-Policy: same-origin"), want: StatusWarn, value: "coop-header-invalid", score: 0},
		{name: "quoted", id: idHeadersCOOP, ev: h(`Cross-Origin-Opener-Policy: "same-origin"`), want: StatusWarn, value: "coop-header-invalid", score: 0},
		{name: "page missing", id: idHeadersCOOP, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "require-corp", id: idHeadersCOEP, ev: h("Cross-Origin-Embedder-Policy: require-corp"), want: StatusPass, value: "coep-implemented-with-require-corp", score: 1},
		{name: "credentialless", id: idHeadersCOEP, ev: h("Cross-Origin-Embedder-Policy: credentialless"), want: StatusPass, value: "coep-implemented-with-credentialless", score: 1},
		{name: "missing is info", id: idHeadersCOEP, ev: h(), want: StatusInfo, value: "coep-not-implemented", score: -1},
		{name: "unsafe-none is info", id: idHeadersCOEP, ev: h("Cross-Origin-Embedder-Policy: unsafe-none"), want: StatusInfo, score: -1},
		{name: "invalid", id: idHeadersCOEP, ev: h("Cross-Origin-Embedder-Policy: require_corp"), want: StatusWarn, value: "coep-header-invalid", score: 0},
		{name: "page missing", id: idHeadersCOEP, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "same-site", id: idHeadersCORP, ev: h("Cross-Origin-Resource-Policy: same-site"), want: StatusPass, value: "corp-implemented-with-same-site", score: 1},
		{name: "same-origin", id: idHeadersCORP, ev: h("Cross-Origin-Resource-Policy: Same-Origin"), want: StatusPass, value: "corp-implemented-with-same-origin", score: 1},
		{name: "cross-origin", id: idHeadersCORP, ev: h("Cross-Origin-Resource-Policy: cross-origin"), want: StatusInfo, value: "corp-implemented-with-cross-origin", score: 0.5},
		{name: "missing", id: idHeadersCORP, ev: h(), want: StatusInfo, value: "corp-not-implemented", score: 0.5},
		{name: "invalid", id: idHeadersCORP, ev: h("Cross-Origin-Resource-Policy: same-host"), want: StatusWarn, value: "corp-header-invalid", score: 0, find: `header Cross-Origin-Resource-Policy "same-site"`},
		{name: "page missing", id: idHeadersCORP, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "no ACAO", id: idHeadersCORS, ev: cors(), want: StatusPass, value: "cross-origin-resource-sharing-not-implemented", score: 1},
		{name: "public", id: idHeadersCORS, ev: cors("Access-Control-Allow-Origin: *"), want: StatusPass, value: "implemented-with-public-access", score: 1},
		{name: "restricted", id: idHeadersCORS, ev: cors("Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Credentials: true"), want: StatusPass, value: "implemented-with-restricted-access", score: 1},
		{name: "reflected without credentials", id: idHeadersCORS, ev: cors("Access-Control-Allow-Origin: https://evil.example"), want: StatusWarn, value: "restricted-access", score: 0.75},
		{name: "reflected with credentials", id: idHeadersCORS, ev: cors("Access-Control-Allow-Origin: https://evil.example", "Access-Control-Allow-Credentials: true"), want: StatusFail, value: "implemented-with-universal-access", score: 0},
		{name: "star with credentials", id: idHeadersCORS, ev: cors("Access-Control-Allow-Origin: *", "Access-Control-Allow-Credentials: TRUE"), want: StatusFail, value: "public-access", score: 0},
		{name: "null with credentials", id: idHeadersCORS, ev: cors("Access-Control-Allow-Origin: null", "Access-Control-Allow-Credentials: true"), want: StatusFail, score: 0},
		{name: "preflight failed", id: idHeadersCORS, ev: ckWith(nil, func(ev *Evidence) { ev.CORSErr = "timeout" }), want: StatusError, score: -1},
	})
}
