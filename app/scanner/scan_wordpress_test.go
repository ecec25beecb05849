package scanner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// wordPressSite is a loopback WordPress-like site: the generator meta
// removed, Elementor 3.6.2 whose pages carry only its bundled icon set's
// ?ver=5.15.0 and a frontend.css without a version, 19 more plugins spread
// over two pages, a theme, a feed announcing 6.4.1, readme.txt for every
// plugin but one, and a catch-all that answers every other path with the
// home page (a soft 404). hits counts requests by path.
func wordPressSite(hits *sync.Map) *httptest.Server {
	plugin := func(slug string) string {
		return `<script src="/wp-content/plugins/` + slug + `/assets/js/` + slug + `.min.js"></script>`
	}
	var home, about strings.Builder
	home.WriteString(`<html><head><title>Shop</title>` +
		`<link rel="alternate" type="application/rss+xml" href="/feed/">` +
		`<link rel="stylesheet" href="/wp-content/plugins/elementor/assets/lib/eicons/css/elementor-icons.min.css?ver=5.15.0">` +
		`<link rel="stylesheet" href="/wp-content/plugins/elementor/assets/css/frontend.min.css">` +
		`<link rel="stylesheet" href="/wp-content/themes/shopkeeper/style.css?ver=6.4.1">`)
	about.WriteString(`<html><head><title>About</title>`)
	readmes := map[string]string{"elementor": "=== Elementor Website Builder ===\nStable tag: 3.6.2\n"}
	for i := 1; i <= 19; i++ {
		slug := fmt.Sprintf("plugin-%02d", i)
		if i%2 == 0 {
			home.WriteString(plugin(slug))
		} else {
			about.WriteString(plugin(slug))
		}
		if slug != "plugin-07" {
			readmes[slug] = "=== Plugin " + slug + " ===\nRequires at least: 6.0\nStable tag: 1.0." + fmt.Sprint(i) + "\n"
		}
	}
	home.WriteString(`</head><body><a href="/about/">About</a></body></html>`)
	about.WriteString(`</head><body><a href="/">Home</a></body></html>`)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		switch {
		case r.URL.Path == "/about/":
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			fmt.Fprint(w, about.String())
		case r.URL.Path == "/feed/":
			w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Shop</title><generator>https://wordpress.org/?v=6.4.1</generator></channel></rss>`)
		case r.URL.Path == "/wp-content/themes/shopkeeper/style.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, "/*\nTheme Name: Shopkeeper\nVersion: 2.9.3\n*/\nbody{margin:0}")
		case strings.HasPrefix(r.URL.Path, "/wp-content/plugins/") && strings.HasSuffix(r.URL.Path, "/readme.txt"):
			slug := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/wp-content/plugins/"), "/readme.txt")
			if body, ok := readmes[slug]; ok {
				w.Header().Set("Content-Type", "text/plain")
				fmt.Fprint(w, body)
				return
			}
			fallthrough
		default:
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			fmt.Fprint(w, home.String())
		}
	}))
}

// isWordPressFile is a path the WordPress fetch asks for (the probes ask
// for /wp-content/debug.log on every DEEP scan).
func isWordPressFile(p string) bool {
	return strings.HasSuffix(p, "/readme.txt") || strings.HasSuffix(p, "/style.css") || p == "/feed/"
}

// hitsUnder counts the requests whose path satisfies match.
func hitsUnder(hits *sync.Map, match func(path string) bool) int {
	n := 0
	hits.Range(func(k, v any) bool {
		if match(k.(string)) {
			n += int(v.(*atomic.Int32).Load())
		}
		return true
	})
	return n
}

// TestScanWordPressDeep scans the WordPress-like site at DEEP: Elementor's
// version comes from its readme.txt (3.6.2, vulnerable), not its icon set's
// 5.15.0; the core version from the feed; the soft-404 readme yields none;
// readme requests are bounded; and at STANDARD nothing WordPress-specific
// is asked for.
func TestScanWordPressDeep(t *testing.T) {
	var hits sync.Map
	srv := wordPressSite(&hits)
	defer srv.Close()
	s := newTestScanner(t, Options{}, []Check{checkContentCMS})
	res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %s", err, res.Error)
	}
	cr, ok := findCheck(res, idContentCMS)
	if !ok || cr.Status != StatusFail {
		t.Fatalf("content.cms = %+v", cr)
	}
	if !strings.Contains(cr.Value, "elementor 3.6.2") || strings.Contains(cr.Value, "5.15.0") || !strings.Contains(cr.Value, "WordPress 6.4.1; themes: shopkeeper 2.9.3; plugins: elementor 3.6.2") {
		t.Errorf("value = %q", cr.Value)
	}
	var elementor, core bool
	for _, f := range res.Findings {
		if f.CheckID != idContentCMS {
			continue
		}
		if strings.Contains(f.Title, "Elementor 3.6.2 is vulnerable") && strings.Contains(f.Evidence, "/wp-content/plugins/elementor/readme.txt: Stable tag: 3.6.2") {
			elementor = true
		}
		if strings.Contains(f.Title, "WordPress 6.4.1 is missing security releases") && strings.Contains(f.Evidence, "feed") {
			core = true
		}
	}
	if !elementor || !core {
		t.Errorf("findings: elementor %v, core %v: %+v", elementor, core, res.Findings)
	}
	if !strings.Contains(cr.Description, "readme.txt was read for 15 of 20 plugins") {
		t.Errorf("the readme bound is not stated: %s", cr.Description)
	}
	if !strings.Contains(cr.Description, "plugin-07") {
		t.Errorf("the plugin whose readme is the catch-all page is not named as unjudged: %s", cr.Description)
	}
	readmes := hitsUnder(&hits, func(p string) bool { return strings.HasSuffix(p, "/readme.txt") })
	if readmes != wpMaxReadmes {
		t.Errorf("%d readme.txt requests for 20 plugins, want the bound %d", readmes, wpMaxReadmes)
	}
	if n := hitsUnder(&hits, func(p string) bool { return p == "/feed/" }); n != 1 {
		t.Errorf("%d feed requests", n)
	}
	if n := hitsUnder(&hits, func(p string) bool { return strings.HasSuffix(p, "/style.css") }); n != 1 {
		t.Errorf("%d style.css requests", n)
	}

	var std sync.Map
	srv2 := wordPressSite(&std)
	defer srv2.Close()
	var got *Evidence
	s2 := newTestScanner(t, Options{}, []Check{capture("content.capture", Standard, []EvidenceKind{NeedCrawl, NeedWordPress}, &got)})
	if _, err := s2.Scan(context.Background(), srv2.URL, Standard, nil); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.WordPress != nil {
		t.Fatalf("STANDARD evidence: %+v", got)
	}
	if n := hitsUnder(&std, isWordPressFile); n != 0 {
		t.Errorf("STANDARD asked for %d WordPress files", n)
	}
}

// TestScanWordPressNotWordPress: a DEEP scan of a site that is not
// WordPress asks for no WordPress file.
func TestScanWordPressNotWordPress(t *testing.T) {
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><p>Put it in /wp-content/plugins/.</p><a href="https://blog.other.example/wp-content/plugins/elementor/x.css?ver=3.6.2">x</a></body></html>`)
	}))
	defer srv.Close()
	var got *Evidence
	s := newTestScanner(t, Options{}, []Check{capture("content.capture", Deep, []EvidenceKind{NeedCrawl, NeedWordPress}, &got)})
	if _, err := s.Scan(context.Background(), srv.URL, Deep, nil); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.WordPress != nil {
		t.Fatalf("evidence: %+v", got)
	}
	if n := hitsUnder(&hits, isWordPressFile); n != 0 {
		t.Errorf("%d WordPress requests to a site that is not WordPress", n)
	}
}

// TestWordPressFetches: what the DEEP read asks a WordPress site for, in
// order and bounded: plugins' readme.txt and themes' style.css where the
// site serves them (a subdirectory install included), and the feed the
// pages link to (else <home>/feed/), only when no generator meta gave
// the core version.
func TestWordPressFetches(t *testing.T) {
	paths := func(body string) []string {
		var out []string
		for _, f := range wordPressFetches(wpSiteOf([]*Response{ckPage(body)}), embeddedWPTable()) {
			out = append(out, f.kind+" "+f.path)
		}
		return out
	}
	cases := []struct {
		name, body string
		want       []string
	}{
		{"subdirectory install", `<script src="/blog/wp-content/plugins/akismet/a.js?ver=5.3"></script><link rel="stylesheet" href="https://example.com/blog/wp-content/themes/astra/style.css">`,
			[]string{"plugin /blog/wp-content/plugins/akismet/readme.txt", "theme /blog/wp-content/themes/astra/style.css", "feed /blog/feed/"}},
		{"feed link without pretty permalinks", `<link rel="alternate" type="application/rss+xml" href="/?feed=comments-rss2"><link rel="alternate" href="/comments/feed/"><link rel="alternate" type="application/rss+xml" href="https://example.com/?feed=rss2"><script src="/wp-content/plugins/akismet/a.js"></script>`,
			[]string{"plugin /wp-content/plugins/akismet/readme.txt", "feed /?feed=rss2"}},
		{"another site's feed is not asked for", `<link rel="alternate" href="https://feeds.other.example/feed/"><script src="/wp-content/plugins/akismet/a.js"></script>`,
			[]string{"plugin /wp-content/plugins/akismet/readme.txt", "feed /feed/"}},
		{"known-vulnerable and unversioned plugins first", `<meta name="generator" content="WordPress 6.8.8"><script src="/wp-content/plugins/aaa/a.js?ver=1.2"></script><script src="/wp-content/plugins/bbb/b.js"></script><script src="/wp-content/plugins/wp-file-manager/x.js?ver=7.1"></script>`,
			[]string{"plugin /wp-content/plugins/wp-file-manager/readme.txt", "plugin /wp-content/plugins/bbb/readme.txt", "plugin /wp-content/plugins/aaa/readme.txt"}},
		{"generator meta: no feed", `<meta name="generator" content="WordPress 6.8.8"><link rel="alternate" href="/feed/">`, nil},
	}
	for _, tc := range cases {
		if got := paths(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	var many strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&many, `<script src="/wp-content/plugins/p%02d/x.js"></script><link rel="stylesheet" href="/wp-content/themes/t%02d/style.css">`, i, i)
	}
	got := paths(many.String())
	if len(got) != wpMaxReadmes+wpMaxStyles+1 || got[0] != "plugin /wp-content/plugins/p00/readme.txt" || got[wpMaxReadmes] != "theme /wp-content/themes/t00/style.css" {
		t.Errorf("%d fetches for 40 plugins and 40 themes: %q", len(got), got)
	}
}
