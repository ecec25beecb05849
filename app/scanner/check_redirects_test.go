package scanner

import "testing"

// TestCheckRedirects covers the Observatory redirection results, the
// same-host-first rule of HSTS preloading and chain hygiene.
func TestCheckRedirects(t *testing.T) {
	chain := func(hops ...Hop) *Evidence { return ckWith(nil, func(ev *Evidence) { ev.Redirects = hops }) }
	r := func(from, to string) Hop { return Hop{URL: from, StatusCode: 301, Location: to} }
	end := func(u string) Hop { return Hop{URL: u, StatusCode: 200} }
	good := chain(r("http://example.com/", "https://example.com/"), end("https://example.com/"))
	refused := ckWith(nil, func(ev *Evidence) { ev.RedirectsErr = "the connection was refused" })
	timedOut := ckWith(nil, func(ev *Evidence) { ev.RedirectsErr = "the connection timed out" })
	runCheckCases(t, []checkCase{
		{name: "to https", id: idRedirectsHTTPS, ev: good, want: StatusPass, value: "redirection-to-https", score: 1},
		{name: "relative location", id: idRedirectsHTTPS, ev: chain(Hop{URL: "http://example.com/", StatusCode: 301, Location: "https://example.com/home"}, end("https://example.com/home")), want: StatusPass, score: 1},
		{name: "no http", id: idRedirectsHTTPS, ev: refused, want: StatusInfo, value: "redirection-not-needed-no-http", score: 1},
		{name: "missing", id: idRedirectsHTTPS, ev: chain(end("http://example.com/")), want: StatusFail, value: "redirection-missing", score: 0, find: "return 301 https://$host$request_uri;"},
		{name: "not to https", id: idRedirectsHTTPS, ev: chain(r("http://example.com/", "http://www.example.com/"), end("http://www.example.com/")), want: StatusFail, value: "redirection-not-to-https:", score: 0},
		{name: "http first", id: idRedirectsHTTPS, ev: chain(r("http://example.com/", "http://www.example.com/"), r("http://www.example.com/", "https://www.example.com/"), end("https://www.example.com/")),
			want: StatusWarn, value: "redirection-not-to-https-on-initial-redirection", score: 0.5},
		{name: "off host", id: idRedirectsHTTPS, ev: chain(r("http://example.com/", "https://www.example.com/"), end("https://www.example.com/")), want: StatusWarn, value: "redirection-off-host-from-http", score: 0.75},
		{name: "invalid cert", id: idRedirectsHTTPS, ev: ckWith(nil, func(ev *Evidence) {
			ev.Redirects = []Hop{r("http://example.com/", "https://example.com/"), end("https://example.com/")}
			ev.TLS.Trusted = false
		}), want: StatusFail, value: "redirection-invalid-cert", score: 0},
		{name: "fetch failed", id: idRedirectsHTTPS, ev: timedOut, want: StatusError, score: -1},

		{name: "same host", id: idRedirectsSameHostFirst, ev: good, want: StatusPass, score: 1},
		{name: "temporary redirect noted", id: idRedirectsSameHostFirst, ev: chain(Hop{URL: "http://example.com/", StatusCode: 302, Location: "https://example.com/"}, end("https://example.com/")), want: StatusPass, value: "(302)", score: 1, find: "301"},
		{name: "other host first", id: idRedirectsSameHostFirst, ev: chain(r("http://example.com/", "https://www.example.com/"), end("https://www.example.com/")), want: StatusFail, score: 0},
		{name: "http first", id: idRedirectsSameHostFirst, ev: chain(r("http://example.com/", "http://example.com/x"), r("http://example.com/x", "https://example.com/x"), end("https://example.com/x")), want: StatusFail, score: 0},
		{name: "no redirect", id: idRedirectsSameHostFirst, ev: chain(end("http://example.com/")), want: StatusSkipped, score: -1},
		{name: "no http", id: idRedirectsSameHostFirst, ev: refused, want: StatusInfo, score: 1},
		{name: "fetch failed", id: idRedirectsSameHostFirst, ev: timedOut, want: StatusError, score: -1},

		{name: "short", id: idRedirectsChain, ev: chain(r("http://example.com/", "https://example.com/"), r("https://example.com/", "https://www.example.com/"), end("https://www.example.com/")), want: StatusPass, value: "2 hops", score: 1},
		{name: "three hops", id: idRedirectsChain, ev: chain(r("http://example.com/", "https://example.com/"), r("https://example.com/", "https://www.example.com/"), r("https://www.example.com/", "https://www.example.com/en/"), end("https://www.example.com/en/")), want: StatusWarn, value: "3 hops", score: 0.5},
		{name: "loop error", id: idRedirectsChain, ev: ckWith(nil, func(ev *Evidence) {
			ev.Redirects = []Hop{r("http://example.com/", "https://example.com/"), r("https://example.com/", "http://example.com/")}
			ev.RedirectsErr = "the redirects loop back to http://example.com/ (…)"
		}), want: StatusFail, value: "loop", score: 0},
		{name: "downgrade", id: idRedirectsChain, ev: chain(r("http://example.com/", "https://example.com/"), r("https://example.com/", "http://www.example.com/"), end("http://www.example.com/")), want: StatusFail, value: "downgrade", score: 0},
		{name: "off-site", id: idRedirectsChain, ev: chain(r("http://example.com/", "https://example.com/"), r("https://example.com/", "https://shop.other.net/"), end("https://shop.other.net/")), want: StatusWarn, value: "off-site", score: 0.5},
		{name: "no http", id: idRedirectsChain, ev: refused, want: StatusInfo, score: 1},
		{name: "fetch failed", id: idRedirectsChain, ev: timedOut, want: StatusError, score: -1},
	})
}
