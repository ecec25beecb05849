package scanner

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCheckContentSRI follows the Observatory's subresource-integrity test:
// foreign means another registrable domain or a protocol-relative URL.
func TestCheckContentSRI(t *testing.T) {
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	const integ = ` integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"`
	runCheckCases(t, []checkCase{
		{name: "no scripts", id: idContentSRI, ev: p("<p>hi</p>"), want: StatusInfo, value: sriNoScripts, score: 1},
		{name: "not html", id: idContentSRI, ev: ckEv(ckResp("https://example.com/", 200, "{}", "Content-Type: application/json")), want: StatusInfo, value: sriNotHTML, score: 1},
		{name: "same origin", id: idContentSRI, ev: p(`<script src="/app.js"></script><script>inline()</script>`), want: StatusPass, value: sriSameOrigin, score: 1},
		{name: "subdomain is same site", id: idContentSRI, ev: p(`<script src="https://static.example.com/app.js"></script>`), want: StatusPass, value: sriSameOrigin, score: 1},
		{name: "same origin with integrity", id: idContentSRI, ev: p(`<script src="/app.js"` + integ + `></script>`), want: StatusPass, value: sriAllSecure, score: 1},
		{name: "cdn with integrity", id: idContentSRI, ev: p(`<script src="https://cdn.jsdelivr.net/npm/x@1/x.js"` + integ + `></script>`), want: StatusPass, value: sriExternalSecure, score: 1},
		{name: "cdn without integrity", id: idContentSRI, ev: p(`<script src="https://cdn.jsdelivr.net/npm/x@1/x.js"></script>`), want: StatusWarn, value: sriNotImplExternalSecure, score: 0.5, find: "openssl dgst -sha384"},
		{name: "http cdn without integrity", id: idContentSRI, ev: p(`<script src="http://cdn.example.net/x.js"></script>`), want: StatusFail, value: sriNotImplNotSecure, score: 0},
		{name: "http cdn with integrity", id: idContentSRI, ev: p(`<script src="http://cdn.example.net/x.js"` + integ + `></script>`), want: StatusFail, value: sriImplementedNotSecure, score: 0.25},
		{name: "protocol-relative, https page, no chain", id: idContentSRI, ev: p(`<script src="//cdn.example.net/x.js"></script>`), want: StatusWarn, value: sriNotImplExternalSecure, score: 0.5},
		{name: "protocol-relative, http redirects to https", id: idContentSRI, ev: ckWith(ckPage(`<script src="//cdn.example.net/x.js"`+integ+`></script>`), func(ev *Evidence) {
			ev.Redirects = []Hop{{URL: "http://example.com/", StatusCode: 301, Location: "https://example.com/"}, {URL: "https://example.com/", StatusCode: 200}}
		}), want: StatusPass, value: sriExternalSecure, score: 1},
		{name: "protocol-relative, http served", id: idContentSRI, ev: ckWith(ckPage(`<script src="//cdn.example.net/x.js"></script>`), func(ev *Evidence) {
			ev.Redirects = []Hop{{URL: "http://example.com/", StatusCode: 200}}
		}), want: StatusFail, value: sriNotImplNotSecure, score: 0},
		{name: "protocol-relative, http hop in chain", id: idContentSRI, ev: ckWith(ckPage(`<script src="//cdn.example.net/x.js"`+integ+`></script>`), func(ev *Evidence) {
			ev.Redirects = []Hop{{URL: "http://example.com/", StatusCode: 301, Location: "http://www.example.com/"}, {URL: "http://www.example.com/", StatusCode: 301, Location: "https://www.example.com/"}, {URL: "https://www.example.com/", StatusCode: 200}}
		}), want: StatusFail, value: sriImplementedNotSecure, score: 0.25},
		{name: "protocol-relative same site", id: idContentSRI, ev: ckWith(ckPage(`<script src="//static.example.com/x.js"></script>`), func(ev *Evidence) {
			ev.Redirects = []Hop{{URL: "http://example.com/", StatusCode: 200}}
		}), want: StatusPass, value: sriSameOrigin, score: 1},
		{name: "no http server", id: idContentSRI, ev: ckWith(ckPage(`<script src="//cdn.example.net/x.js"></script>`), func(ev *Evidence) { ev.RedirectsErr = "the connection was refused" }),
			want: StatusWarn, value: sriNotImplExternalSecure, score: 0.5},
		{name: "worst of several", id: idContentSRI, ev: p(`<script src="https://a.net/a.js"` + integ + `></script><script src="https://b.net/b.js"></script>`), want: StatusWarn, value: "https://b.net/b.js", score: 0.5},
		{name: "stylesheet noted not scored", id: idContentSRI, ev: p(`<link rel="stylesheet" href="https://cdn.example.net/x.css"><link rel="stylesheet" href="https://fonts.googleapis.com/css?family=X">`), want: StatusInfo, score: 1, find: "cdn.example.net/x.css"},
		{name: "crawled page worse", id: idContentSRI, ev: ckWith(ckPage(`<script src="/a.js"></script>`), func(ev *Evidence) {
			ev.Pages = append(ev.Pages, ckResp("https://example.com/blog", 200, `<script src="https://widgets.other.net/w.js"></script>`, "Content-Type: text/html"))
		}), want: StatusWarn, value: "worse on other crawled pages", score: 0.5},
		{name: "page missing", id: idContentSRI, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
}

// TestSRIPrefilters holds the literal tests in front of (or instead of)
// the SRI expressions to the expressions' own answers, on the inputs where
// a shortcut could go wrong: case, Unicode folding, newlines, invalid
// bytes, empty and one-character strings.
func TestSRIPrefilters(t *testing.T) {
	sriProtoRelRE := regexp.MustCompile(`^//[^/]`)
	inputs := []string{
		"", "/", "//", "///", "//a", "//\n", "//\xff", "/a", "a", "h", "H", "http", "http:", "http:/", "http://",
		"https://cdn.example/x.js", "HTTPS://CDN.EXAMPLE/", "HtTp://x", "httpſ://x", "httpS://x", "hxxp://x",
		"ftp://x", " https://x", "\thttp://x", "https:/x", "https//x", "//cdn.example/x.js", "///x", "js/app.js",
		"./x.js", "?x", "#x", "\xffhttp://x", "ħttp://x", "HTTPſ://x",
	}
	for _, in := range inputs {
		if got, want := sriProtoRelative(in), sriProtoRelRE.MatchString(in); got != want {
			t.Errorf("sriProtoRelative(%q) = %v, the expression says %v", in, got, want)
		}
		if got, want := sriFullURL(in), sriFullURLRE.MatchString(in); got != want {
			t.Errorf("sriFullURL(%q) = %v, the expression says %v", in, got, want)
		}
	}
}

// TestCheckContentSRIUnderLimit: a verdict without findings says what the
// crawl did not read, and says nothing when everything was read.
func TestCheckContentSRIUnderLimit(t *testing.T) {
	c := checkByID(t, idContentSRI)
	for _, tc := range []struct {
		name, body string
		cov        *Coverage
		want       Status
		says       string // substring of the description; "" = no limit named
	}{
		{"all read", `<script src="/app.js"></script>`, &Coverage{PagesCrawled: 3, PagesDiscovered: 3, PageLimit: 25}, StatusPass, ""},
		{"pages cut", `<script src="/app.js"></script>`, &Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25}, StatusPass, "25 of 34 pages found were crawled (the limit is 25)"},
		{"no scripts, page cut", `<p>hi</p>`, &Coverage{PagesCrawled: 1, PagesDiscovered: 1, PageLimit: 1,
			Truncated: []TruncatedBody{{URL: "https://example.com/", BytesRead: 2 << 20, Size: 3 << 20}}}, StatusInfo, "No scripts were found in what was read, but not everything was read: https://example.com/ was read to 2048 KiB of 3072 KiB."},
		{"seen set full", `<script src="/app.js"></script>`, &Coverage{PagesCrawled: 25, PagesDiscovered: crawlSeenMax, PageLimit: 25}, StatusPass, "25 of at least 20000 pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := ckEv(ckPage(tc.body))
			ev.Coverage = tc.cov
			out := c.Evaluate(ev)
			if out.Status != tc.want {
				t.Fatalf("status %s, want %s (%q)", out.Status, tc.want, out.Description)
			}
			limited := strings.Contains(strings.ToLower(out.Description), "not everything was read")
			if tc.says == "" && limited || tc.says != "" && (!limited || !strings.Contains(out.Description, tc.says)) {
				t.Errorf("description %q, want it to name %q", out.Description, tc.says)
			}
		})
	}
}

// TestDedupe: order kept, first occurrence wins, on both sides of the
// small-slice shortcut.
func TestDedupe(t *testing.T) {
	big := make([]string, 0, 40)
	want := make([]string, 0, 20)
	for i := range 20 {
		s := strings.Repeat("x", i+1)
		big = append(big, s, s)
		want = append(want, s)
	}
	for _, tc := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"b", "a", "b", "c", "a"}, []string{"b", "a", "c"}},
		{big, want},
	} {
		in := append([]string(nil), tc.in...)
		if got := dedupe(in); !slices.Equal(got, tc.want) {
			t.Errorf("dedupe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
