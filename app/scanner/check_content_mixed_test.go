package scanner

import "testing"

// TestCheckContentMixed covers active and passive mixed content and the
// upgrade-insecure-requests mitigation.
func TestCheckContentMixed(t *testing.T) {
	p := func(body string, hdrs ...string) *Evidence { return ckEv(ckPage(body, hdrs...)) }
	runCheckCases(t, []checkCase{
		{name: "clean", id: idContentMixed, ev: p(`<script src="/a.js"></script><img src="https://cdn.example.net/i.png"><a href="http://old.example.net/">link</a>`), want: StatusPass, score: 1},
		{name: "protocol relative is fine", id: idContentMixed, ev: p(`<img src="//cdn.example.net/i.png">`), want: StatusPass, score: 1},
		{name: "http script", id: idContentMixed, ev: p(`<script src="http://cdn.example.net/a.js"></script>`), want: StatusFail, value: "active: <script src> http://cdn.example.net/a.js", score: 0, find: "upgrade-insecure-requests"},
		{name: "http stylesheet", id: idContentMixed, ev: p(`<link rel="stylesheet" href="http://cdn.example.net/a.css">`), want: StatusFail, score: 0},
		{name: "http iframe", id: idContentMixed, ev: p(`<iframe src="http://maps.example.net/embed"></iframe>`), want: StatusFail, score: 0},
		{name: "form to http", id: idContentMixed, ev: p(`<form action="http://example.com/login" method="post"></form>`), want: StatusFail, value: "<form action>", score: 0},
		{name: "http image", id: idContentMixed, ev: p(`<img src="http://img.example.net/a.png">`), want: StatusWarn, value: "passive: <img src>", score: 0.5},
		{name: "http srcset", id: idContentMixed, ev: p(`<img src="/a.png" srcset="/a2.png 2x, http://img.example.net/a3.png 3x">`), want: StatusWarn, value: "srcset", score: 0.5},
		{name: "http base href", id: idContentMixed, ev: p(`<base href="http://example.com/"><script src="app.js"></script>`), want: StatusFail, value: "http://example.com/app.js", score: 0},
		{name: "upgraded by csp", id: idContentMixed, ev: p(`<img src="http://img.example.net/a.png">`, "Content-Security-Policy: upgrade-insecure-requests"), want: StatusPass, value: "upgraded by CSP", score: 0.8},
		{name: "http page not applicable", id: idContentMixed, ev: ckEv(ckResp("http://example.com/", 200, `<img src="http://a.net/i.png">`, "Content-Type: text/html")), want: StatusSkipped, score: -1},
		{name: "page missing", id: idContentMixed, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
}
