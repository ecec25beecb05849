package scanner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestScriptOrigins: the third-party origins of <script src> on the pages
// read, as monitors remember them (docs/scoring.md, "Script origins").
func TestScriptOrigins(t *testing.T) {
	many := ""
	for i := range MaxScriptOrigins + 10 {
		many += fmt.Sprintf(`<script src="https://cdn%03d.example.net/x.js"></script>`, i)
	}
	for _, tc := range []struct {
		name string
		ev   *Evidence
		want []string
	}{
		{"no scripts", ckEv(ckPage("<p>hi</p>")), nil},
		{"no page", ckWith(nil, func(ev *Evidence) { ev.PageErr = "refused" }), nil},
		{"inline and relative scripts are the site's", ckEv(ckPage(`<script>x()</script><script src="/a.js"></script><script src="b.js"></script>`)), nil},
		{"same registrable domain is the site's", ckEv(ckPage(`<script src="https://static.example.com/a.js"></script><script src="//www.example.com/b.js"></script>`)), nil},
		{"third parties, sorted and deduplicated", ckEv(ckPage(`<script src="https://cdn.b.net/1.js"></script><script src="https://cdn.a.net/2.js"></script><script src="https://CDN.b.net/3.js"></script>`)),
			[]string{"https://cdn.a.net", "https://cdn.b.net"}},
		{"protocol-relative takes the page's scheme", ckEv(ckPage(`<script src="//cdn.other.org/x.js"></script>`)), []string{"https://cdn.other.org"}},
		{"ports: default dropped, others kept", ckEv(ckPage(`<script src="https://a.net:443/x.js"></script><script src="http://b.net:80/x.js"></script><script src="https://c.net:8443/x.js"></script>`)),
			[]string{"http://b.net", "https://a.net", "https://c.net:8443"}},
		{"base href resolves relative sources", ckEv(ckPage(`<base href="https://cdn.elsewhere.io/lib/"><script src="x.js"></script>`)), []string{"https://cdn.elsewhere.io"}},
		{"not http or https", ckEv(ckPage(`<script src="data:text/javascript,alert(1)"></script><script src="javascript:x"></script><script src="ftp://f.net/x.js"></script>`)), nil},
		{"empty src loads nothing", ckEv(ckPage(`<script src=""></script><script src></script>`)), nil},
		{"an IPv6 literal keeps its brackets", ckEv(ckPage(`<script src="http://[2001:db8::1]/x.js"></script><script src="http://[2001:db8::2]:81/x.js"></script>`)),
			[]string{"http://[2001:db8::1]", "http://[2001:db8::2]:81"}},
		{"crawled pages count too", ckWith(ckPage(`<script src="https://a.net/x.js"></script>`), func(ev *Evidence) {
			ev.Pages = append(ev.Pages, ckResp("https://example.com/blog", 200, `<script src="https://widgets.b.net/w.js"></script>`, "Content-Type: text/html"))
		}), []string{"https://a.net", "https://widgets.b.net"}},
		{"a page that is not HTML is not read", ckEv(ckResp("https://example.com/", 200, `<script src="https://a.net/x.js"></script>`, "Content-Type: application/json")), nil},
		{"an absurd host is dropped", ckEv(ckPage(`<script src="https://` + strings.Repeat("a", 400) + `.net/x.js"></script>`)), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scriptOrigins(tc.ev); !slices.Equal(got, tc.want) {
				t.Errorf("scriptOrigins = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("bounded", func(t *testing.T) {
		got := scriptOrigins(ckEv(ckPage(many)))
		if len(got) != MaxScriptOrigins || got[0] != "https://cdn000.example.net" || !slices.IsSorted(got) {
			t.Errorf("%d origins, first %q, sorted %v; want the first %d in order", len(got), got[0], slices.IsSorted(got), MaxScriptOrigins)
		}
	})
}

// TestScriptOriginsInResult: a real scan reports them; a scan that is not
// graded (a challenge page) reports none.
func TestScriptOriginsInResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>t</title><script src="https://cdn.third.test/lib.js"></script><script src="/own.js"></script>`)
	}))
	defer srv.Close()
	s := newTestScanner(t, Options{}, nil)
	res, err := s.Scan(context.Background(), srv.URL, Quick, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotGraded != nil || !slices.Equal(res.ScriptOrigins, []string{"https://cdn.third.test"}) {
		t.Errorf("ScriptOrigins = %q (not graded %v), want the CDN's origin", res.ScriptOrigins, res.NotGraded)
	}
	res.ungrade(&NotGraded{Reason: NotGradedBlocked, Detail: "x"})
	if res.ScriptOrigins != nil {
		t.Errorf("a result that is not graded keeps script origins %q", res.ScriptOrigins)
	}
}
