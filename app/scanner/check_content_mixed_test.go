package scanner

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// TestCheckContentMixed covers active and passive mixed content, forms and
// the upgrade-insecure-requests mitigation.
func TestCheckContentMixed(t *testing.T) {
	p := func(body string, hdrs ...string) *Evidence { return ckEv(ckPage(body, hdrs...)) }
	runCheckCases(t, []checkCase{
		{name: "clean", id: idContentMixed, ev: p(`<script src="/a.js"></script><img src="https://cdn.example.net/i.png"><a href="http://old.example.net/">link</a>`), want: StatusPass, score: 1, find: "No http:// subresources or form targets were found."},
		{name: "protocol relative is fine", id: idContentMixed, ev: p(`<img src="//cdn.example.net/i.png">`), want: StatusPass, score: 1},
		{name: "http in text and links only", id: idContentMixed, ev: p(`<svg xmlns="http://www.w3.org/2000/svg"></svg><p style="color:red">see http://a.example/x.png</p><style>/* url(http://a.example/c.png) */ .a{content:"url(http://a.example/d.png)"}</style>`), want: StatusPass, score: 1},
		{name: "http script", id: idContentMixed, ev: p(`<script src="http://cdn.example.net/a.js"></script>`), want: StatusFail, value: "active: <script src> http://cdn.example.net/a.js", score: 0, find: "upgrade-insecure-requests"},
		{name: "http stylesheet", id: idContentMixed, ev: p(`<link rel="stylesheet" href="http://cdn.example.net/a.css">`), want: StatusFail, score: 0},
		{name: "http iframe", id: idContentMixed, ev: p(`<iframe src="http://maps.example.net/embed"></iframe>`), want: StatusFail, score: 0},
		{name: "http track is active", id: idContentMixed, ev: p(`<video src="/v.mp4"><track src="http://subs.example.net/en.vtt"></video>`), want: StatusFail, value: "<track src>", score: 0},
		{name: "css import is active", id: idContentMixed, ev: p(`<style>@import url("http://cdn.example.net/theme.css") screen;</style>`), want: StatusFail, value: "<style> @import http://cdn.example.net/theme.css", score: 0},
		{name: "css font is active", id: idContentMixed, ev: p(`<style>@font-face { font-family: X; src: url(http://fonts.example.net/x.woff2) format("woff2"); } body { background: url(/ok.png) }</style>`), want: StatusFail, value: "@font-face url() http://fonts.example.net/x.woff2", score: 0},
		{name: "form to http", id: idContentMixed, ev: p(`<form action="http://example.com/login" method="post"></form>`), want: StatusFail, value: "form: <form action> http://example.com/login", score: 0, find: "Form submits over plain HTTP"},
		{name: "button formaction to http", id: idContentMixed, ev: p(`<form action="/a"><button formaction="http://example.com/b">go</button></form>`), want: StatusFail, value: "<button formaction>", score: 0},
		{name: "http image", id: idContentMixed, ev: p(`<img src="http://img.example.net/a.png">`), want: StatusWarn, value: "passive: <img src>", score: 0.5},
		{name: "http srcset", id: idContentMixed, ev: p(`<img src="/a.png" srcset="/a2.png 2x, http://img.example.net/a3.png 3x">`), want: StatusWarn, value: "srcset", score: 0.5},
		{name: "inline style background", id: idContentMixed, ev: p(`<div style="background-image: url('HTTP://img.example.net/bg.png')">x</div>`), want: StatusWarn, value: "<div style> url() HTTP://img.example.net/bg.png", score: 0.5},
		{name: "http base href", id: idContentMixed, ev: p(`<base href="http://example.com/"><script src="app.js"></script>`), want: StatusFail, value: "http://example.com/app.js", score: 0},
		{name: "http base href resolves css", id: idContentMixed, ev: p(`<base href="http://example.com/"><p style="background:url(bg.png)">x</p>`), want: StatusWarn, value: "<p style> url() http://example.com/bg.png", score: 0.5},
		{name: "http base href, query with a colon", id: idContentMixed, ev: p(`<base href="http://example.com/"><img src="/r?u=https://x.example/">`), want: StatusWarn, value: "<img src> http://example.com/r?u=https://x.example/", score: 0.5},
		{name: "upgraded by csp", id: idContentMixed, ev: p(`<img src="http://img.example.net/a.png">`, "Content-Security-Policy: upgrade-insecure-requests"), want: StatusPass, value: "upgraded by CSP", score: 0.8},
		{name: "upgraded by csp, own-host form", id: idContentMixed, ev: p(`<script src="http://cdn.example.net/a.js"></script><form action="http://example.com/login"></form>`, "Content-Security-Policy: upgrade-insecure-requests"), want: StatusPass, value: "2 http:// references", score: 0.8},
		{name: "csp does not upgrade a form to another host", id: idContentMixed, ev: p(`<img src="http://img.example.net/a.png"><form action="http://other.example.net/login"></form>`, "Content-Security-Policy: upgrade-insecure-requests"), want: StatusFail, value: "form: <form action> http://other.example.net/login", score: 0},
		{name: "http page not applicable", id: idContentMixed, ev: ckEv(ckResp("http://example.com/", 200, `<img src="http://a.net/i.png">`, "Content-Type: text/html")), want: StatusSkipped, score: -1},
		{name: "page missing", id: idContentMixed, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
		{name: "limits named when nothing found", id: idContentMixed, ev: ckWith(ckPage(`<p>hi</p>`), func(ev *Evidence) {
			ev.Coverage = &Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25}
		}), want: StatusPass, score: 1, find: "25 of 34 pages found were crawled"},
	})
}

// mixedFixture has one http:// reference of every element and attribute
// kind that loads something, plus decoys that load nothing.
const mixedFixture = `<!doctype html><html><head>
<link rel="stylesheet" href="http://a.example/style.css">
<link rel="preload" as="font" href="http://a.example/font.woff2">
<link rel="preload" as="image" href="http://a.example/hero.avif">
<link rel="modulepreload" href="http://a.example/mod.js">
<link rel="icon" href="http://a.example/favicon.ico">
<link rel="manifest" href="http://a.example/app.webmanifest">
<link rel="canonical" href="http://a.example/decoy-canonical">
<script src="http://a.example/app.js"></script>
<style>
@import "http://a.example/import.css";
@font-face { font-family: F; src: url("http://a.example/f.woff") format("woff"); }
.hero { background: url(http://a.example/bg.png) no-repeat; }
/* .old { background: url(http://a.example/decoy-comment.png) } */
</style>
</head><body background="http://a.example/body-bg.gif">
<a href="http://a.example/decoy-link">a link is not mixed content</a>
<img src="http://a.example/img.png" srcset="http://a.example/img-2x.png 2x, /ok-3x.png 3x">
<picture><source srcset="http://a.example/pic.webp" type="image/webp"><img src="/ok.png"></picture>
<video src="http://a.example/movie.mp4" poster="http://a.example/poster.jpg"><source src="http://a.example/movie.webm"><track src="http://a.example/subs.vtt"></video>
<audio src="http://a.example/sound.mp3"></audio>
<iframe src="http://a.example/frame.html"></iframe>
<object data="http://a.example/obj.swf"></object>
<embed src="http://a.example/embed.swf">
<input type="image" src="http://a.example/button.png">
<svg><image href="http://a.example/svg-image.png"/></svg>
<div style="background-image:url('http://a.example/inline.png')">x</div>
<form action="http://a.example/login" method="post"><input name="p" type="password"></form>
</body></html>`

// TestMixedContentEveryKind: every loading element and attribute of the
// fixture is in the evidence of the right finding, the decoys are nowhere,
// and active, passive and form findings are separate.
func TestMixedContentEveryKind(t *testing.T) {
	out := checkByID(t, idContentMixed).Evaluate(ckEv(ckPage(mixedFixture)))
	if out.Status != StatusFail || len(out.Findings) != 3 {
		t.Fatalf("status %s with %d findings, want fail with form, active and passive findings: %+v", out.Status, len(out.Findings), out.Findings)
	}
	byTitle := map[string]Finding{}
	for _, f := range out.Findings {
		byTitle[f.Title] = f
	}
	want := map[string][]string{
		"Form submits over plain HTTP": {"<form action> http://a.example/login"},
		"Active mixed content": {
			"<link href> http://a.example/style.css", "<link href> http://a.example/font.woff2", "<link href> http://a.example/mod.js",
			"<link href> http://a.example/app.webmanifest", "<script src> http://a.example/app.js",
			"<style> @import http://a.example/import.css", "<style> @font-face url() http://a.example/f.woff",
			"<track src> http://a.example/subs.vtt", "<iframe src> http://a.example/frame.html",
			"<object data> http://a.example/obj.swf", "<embed src> http://a.example/embed.swf",
		},
		"Passive mixed content": {
			"<link href> http://a.example/hero.avif", "<link href> http://a.example/favicon.ico",
			"<style> url() http://a.example/bg.png", "<body background> http://a.example/body-bg.gif",
			"<img src> http://a.example/img.png", "<img srcset> http://a.example/img-2x.png",
			"<source srcset> http://a.example/pic.webp", "<video src> http://a.example/movie.mp4",
			"<video poster> http://a.example/poster.jpg", "<source src> http://a.example/movie.webm",
			"<audio src> http://a.example/sound.mp3", "<input src> http://a.example/button.png",
			"<image href> http://a.example/svg-image.png", "<div style> url() http://a.example/inline.png",
		},
	}
	for title, lines := range want {
		f, ok := byTitle[title]
		if !ok {
			t.Errorf("no %q finding", title)
			continue
		}
		got := strings.Split(f.Evidence, "\n")
		if !slices.Equal(got, lines) {
			t.Errorf("%s evidence:\n%s\nwant:\n%s", title, f.Evidence, strings.Join(lines, "\n"))
		}
	}
	if byTitle["Form submits over plain HTTP"].Severity != SeverityHigh || byTitle["Active mixed content"].Severity != SeverityHigh ||
		byTitle["Passive mixed content"].Severity != SeverityLow {
		t.Errorf("severities: %+v", out.Findings)
	}
	all := out.Value + out.Description
	for _, f := range out.Findings {
		all += f.Evidence + f.Description
	}
	if strings.Contains(all, "decoy") || strings.Contains(all, "/ok") {
		t.Errorf("a decoy or https reference was reported: %s", all)
	}
	if len(out.Value) > 260 {
		t.Errorf("value is %d bytes: %q", len(out.Value), out.Value)
	}
}

// TestMixedContentEvidenceBound: more than 50 URLs list the first 50 and
// the total; a hostile URL is clipped and loses its control characters.
func TestMixedContentEvidenceBound(t *testing.T) {
	var b strings.Builder
	for i := range 73 {
		fmt.Fprintf(&b, `<img src="http://img.example.net/%d.png">`, i)
	}
	b.WriteString(`<img src="http://img.example.net/` + strings.Repeat("x", 5000) + "\n\r\x00" + `.png">`)
	out := checkByID(t, idContentMixed).Evaluate(ckEv(ckPage(b.String())))
	if out.Status != StatusWarn || len(out.Findings) != 1 {
		t.Fatalf("%s %+v", out.Status, out.Findings)
	}
	lines := strings.Split(out.Findings[0].Evidence, "\n")
	if len(lines) != 51 || lines[0] != "<img src> http://img.example.net/0.png" || lines[49] != "<img src> http://img.example.net/49.png" ||
		lines[50] != "… and 24 more (74 in total)" {
		t.Errorf("evidence has %d lines: first %q, 50th %q, last %q", len(lines), lines[0], lines[49], lines[len(lines)-1])
	}
	if !strings.Contains(out.Value, "(+73)") || len(out.Value) > 260 {
		t.Errorf("value = %q", out.Value)
	}

	// Past the bound on references a page is read for, the counts are
	// lower bounds and every text says so.
	b.Reset()
	for i := range maxHTMLItems + 500 {
		fmt.Fprintf(&b, `<img src="http://img.example.net/%d.png">`, i)
	}
	out = checkByID(t, idContentMixed).Evaluate(ckEv(ckPage(b.String())))
	if len(out.Findings) != 1 || !strings.HasSuffix(out.Findings[0].Evidence, fmt.Sprintf("… and %d more (%d in total)", maxHTMLItems-50, maxHTMLItems)) ||
		!strings.Contains(out.Findings[0].Description, "Not every reference was read on /") || !strings.Contains(out.Description, "there may be more") {
		t.Errorf("capped page: %q / %+v", out.Description, out.Findings)
	}
	var css strings.Builder
	css.WriteString("<style>/* http: */")
	css.WriteString(strings.Repeat("a{color:red}", maxCSSScan/12+10))
	css.WriteString("</style>")
	out = checkByID(t, idContentMixed).Evaluate(ckEv(ckPage(css.String())))
	if out.Status != StatusPass || !strings.Contains(out.Description, "there may be more") {
		t.Errorf("CSS past the bound: %s %q", out.Status, out.Description)
	}

	// One long URL: clipped, control characters dropped.
	f := outcome(idContentMixed).FindingList(SeverityLow, "t", "d", fixMixed, []string{"a\nb\x00c" + strings.Repeat("y", 500)}, 0)
	if strings.ContainsAny(f.Evidence, "\n\x00") || len(f.Evidence) > maxEvidenceItem+len("…") || !strings.HasPrefix(f.Evidence, "abcy") {
		t.Errorf("evidence %q", f.Evidence)
	}
}

// TestMixedContentAcrossPages: a crawled page's references name the page;
// one seen on several pages is listed once.
func TestMixedContentAcrossPages(t *testing.T) {
	home := ckPage(`<img src="http://img.example.net/logo.png">`)
	about := ckResp("https://example.com/about?x=1", 200, `<img src="http://img.example.net/logo.png"><img src="http://img.example.net/team.jpg">`, "Content-Type: text/html")
	ev := ckEv(home)
	ev.Pages = []*Response{home, about}
	out := checkByID(t, idContentMixed).Evaluate(ev)
	if out.Status != StatusWarn || len(out.Findings) != 1 {
		t.Fatalf("%s %+v", out.Status, out.Findings)
	}
	want := "<img src> http://img.example.net/logo.png\n<img src> http://img.example.net/team.jpg (on /about?x=1)"
	if out.Findings[0].Evidence != want {
		t.Errorf("evidence %q, want %q", out.Findings[0].Evidence, want)
	}
}

// TestCSSRefs covers the CSS lexer on its own: quoting, comments, strings,
// escapes, @font-face blocks and identifiers that end in "url(".
func TestCSSRefs(t *testing.T) {
	cases := []struct {
		css  string
		want []string // how|url|kind
	}{
		{`a{background:url(http://x/a.png)}`, []string{"url()|http://x/a.png|0"}},
		{`a{background:URL( "http://x/b.png" )}`, []string{"url()|http://x/b.png|0"}},
		{`a{background:url('http://x/c.png')}`, []string{"url()|http://x/c.png|0"}},
		{`@import 'http://x/i.css';@IMPORT url(http://x/j.css) print;`, []string{"@import|http://x/i.css|1", "@import|http://x/j.css|1"}},
		{`@font-face{src:url(http://x/f.woff2) format("woff2"),url(http://x/f.woff)} p{background:url(http://x/p.png)}`,
			[]string{"@font-face url()|http://x/f.woff2|1", "@font-face url()|http://x/f.woff|1", "url()|http://x/p.png|0"}},
		{`@media screen{@font-face{src:url(http://x/m.woff)}a{b:url(http://x/q.png)}}`, []string{"@font-face url()|http://x/m.woff|1", "url()|http://x/q.png|0"}},
		{`/* url(http://x/no.png) */ a{content:"url(http://x/no2.png)"} b{c:myurl(http://x/no3)}`, nil},
		{`a{b:url(http://x/a b.png)} c{d:url(http://x/ok.png)}`, []string{"url()|http://x/ok.png|0"}},
		{`a{b:"unterminated`, nil},
		{`a{b:url(`, nil},
		{`/* unterminated url(http://x/no.png)`, nil},
		{`a{b:\75rl(http://x/escaped)} c{d:url(http://x/e.png)}`, []string{"url()|http://x/e.png|0"}},
	}
	for _, c := range cases {
		var got []string
		cssRefs([]byte(c.css), func(how cssHow, u string, k refKind) { got = append(got, fmt.Sprintf("%s|%s|%d", how, u, k)) })
		if !slices.Equal(got, c.want) {
			t.Errorf("cssRefs(%q) = %q, want %q", c.css, got, c.want)
		}
	}
	for u, want := range map[string]string{"HTTP://x": "http", "//x/a:b": "", "/a:b": "", "a.b+c:x": "a.b+c", "1a:x": "", "data:x": "data", "r?u=http://x": "", ":x": "", "": ""} {
		if got := refScheme(u); got != want {
			t.Errorf("refScheme(%q) = %q, want %q", u, got, want)
		}
	}
	for s, want := range map[string]bool{"http:": true, "xHtTp://": true, "https://": false, "ttp:": false, "": false, "a:b:c:http": false, "::http:": true} {
		if hasHTTPFold([]byte(s)) != want {
			t.Errorf("hasHTTPFold(%q) != %v", s, want)
		}
	}
}

// BenchmarkParseHTMLFactsCSS measures the HTML fact pass over the typical
// page with and without inline styles naming http: (the CSS prefilter's
// two sides).
func BenchmarkParseHTMLFactsCSS(b *testing.B) {
	var plain, styled strings.Builder
	for i := range 400 {
		fmt.Fprintf(&plain, `<div class="p" style="color:red"><a href="/p/%d"><img src="/i/%d.jpg"></a><p>text %d</p></div>`, i, i, i)
		fmt.Fprintf(&styled, `<div class="p" style="background:url(http://img.example/%d.png)"><a href="/p/%d"><img src="/i/%d.jpg"></a><p>text %d</p></div>`, i, i, i, i)
	}
	for name, body := range map[string]string{"no-http": plain.String(), "inline-http": styled.String()} {
		r := ckPage(body)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				parseHTMLFacts(r)
			}
		})
	}
}

// TestScanMixedContentDeep scans a loopback HTTPS site at DEEP: the
// fixture is on a crawled page, and every one of its http:// references
// reaches the result's findings, named with that page.
func TestScanMixedContentDeep(t *testing.T) {
	ca := scantest.NewCA(t)
	now := time.Now()
	cert := ca.Leaf(t, now.Add(-time.Hour), now.Add(30*24*time.Hour), "127.0.0.1")
	srv := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><body><a href="/about">about</a></body></html>`)
		case "/about":
			fmt.Fprint(w, mixedFixture)
		default:
			http.NotFound(w, r)
		}
	}), &tls.Config{Certificates: []tls.Certificate{cert}})
	s := newTestScanner(t, Options{RootCAs: ca.Pool}, []Check{checkContentMixed})
	res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %s", err, res.Error)
	}
	lines := 0
	for _, f := range res.Findings {
		if f.CheckID != idContentMixed {
			continue
		}
		for _, l := range strings.Split(f.Evidence, "\n") {
			if !strings.HasSuffix(l, " (on /about)") || !strings.Contains(l, "http://a.example/") {
				t.Errorf("%s: line %q", f.Title, l)
			}
			lines++
		}
	}
	if lines != 26 {
		t.Errorf("%d references in the findings, want the fixture's 26: %+v", lines, res.Findings)
	}
	if cr, _ := findCheck(res, idContentMixed); cr.Status != StatusFail {
		t.Errorf("verdict %+v", cr)
	}
}
