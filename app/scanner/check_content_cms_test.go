package scanner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wpFiles is evidence of the DEEP WordPress reads: plugin slug → readme.txt
// body (text/plain), and the theme stylesheets and feed when given.
func wpFiles(readmes map[string]string, styles map[string]string, feed string) func(ev *Evidence) {
	return func(ev *Evidence) {
		f := &WordPressFiles{Readmes: map[string]*Response{}, Styles: map[string]*Response{}}
		for slug, body := range readmes {
			f.Readmes[slug] = ckResp("https://example.com/wp-content/plugins/"+slug+"/readme.txt", 200, body, "Content-Type: text/plain")
		}
		for slug, body := range styles {
			f.Styles[slug] = ckResp("https://example.com/wp-content/themes/"+slug+"/style.css", 200, body, "Content-Type: text/css")
		}
		if feed != "" {
			f.Feed = ckResp("https://example.com/feed/", 200, feed, "Content-Type: application/rss+xml; charset=UTF-8")
		}
		ev.WordPress = f
	}
}

// TestCheckContentCMS fingerprints WordPress core, plugins and themes,
// judges the core against the release list and plugins and themes against
// the vulnerability table, with true positives and decoys.
func TestCheckContentCMS(t *testing.T) {
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	core := func(v string) string {
		return `<link rel="stylesheet" href="https://example.com/wp-includes/css/dist/block-library/style.min.css?ver=` + v + `">`
	}
	const astra = `<link rel="stylesheet" href="https://example.com/wp-content/themes/astra/style.css?ver=4.5.2">`
	wp := core("6.8.8") + astra
	// Elementor 3.6.2's pages: its icon set first, ?ver= of the bundled eicons 5.15.0.
	const eicons = `<link rel="stylesheet" href="/wp-content/plugins/elementor/assets/lib/eicons/css/elementor-icons.min.css?ver=5.15.0">`
	elementor := func(v string) string {
		return eicons + `<link rel="stylesheet" href="/wp-content/plugins/elementor/assets/css/frontend.min.css?ver=` + v + `">`
	}
	const soft404 = `<!doctype html><html><head><title>Home</title></head><body>Stable tag: 3.6.2 === Elementor ===</body></html>`
	runCheckCases(t, []checkCase{
		{name: "not a cms", id: idContentCMS, ev: p(`<script src="/app.js"></script>`), want: StatusSkipped, value: "skipped", score: -1},
		{name: "decoy: wp-content in text and another site's WordPress", id: idContentCMS,
			ev: p(`<p>Upload it to /wp-content/plugins/elementor/ and activate it.</p><a href="https://blog.other.example/wp-content/plugins/elementor/assets/css/frontend.min.css?ver=3.6.2">their css</a>` +
				`<script src="https://cdn.other.example/wp-includes/js/wp-emoji-release.min.js?ver=4.9.8"></script>`),
			want: StatusSkipped, score: -1},
		{name: "latest of the newest branch", id: idContentCMS, ev: p(core("7.1") + astra), want: StatusPass, value: "WordPress 7.1; themes: astra 4.5.2", score: 1, find: "is the current release"},
		{name: "6.8.x latest of its branch is not outdated", id: idContentCMS, ev: p(wp), want: StatusPass, value: "WordPress 6.8.8", score: 1, find: "latest release of its branch"},
		{name: "generator disclosed", id: idContentCMS, ev: p(`<meta name="generator" content="WordPress 7.1">` + wp), want: StatusPass, value: "WordPress 7.1", score: 0.8, find: "wp_generator"},
		{name: "plugins listed", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/contact-form-7/includes/js/index.js?ver=6.1.1"></script><link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=8.4.0">`),
			want: StatusPass, value: "plugins: contact-form-7 6.1.1, woocommerce 8.4.0", score: 1, find: "No known-vulnerable plugin or theme versions were found"},
		{name: "core 6.4.1 outdated in its branch", id: idContentCMS, ev: p(core("6.4.1")), want: StatusWarn, value: "WordPress 6.4.1", score: 0.5, find: "6.4.10"},
		{name: "core 4.9.8 misses the 4.9 backports", id: idContentCMS, ev: p(`<meta name="generator" content="WordPress 4.9.8">`), want: StatusWarn, value: "WordPress 4.9.8", score: 0.5, find: "missing security releases"},
		{name: "core 4.6 unsupported branch", id: idContentCMS, ev: p(`<meta name="generator" content="WordPress 4.6.30">`), want: StatusWarn, value: "WordPress 4.6.30", score: 0.25, find: "no longer receives security fixes"},
		{name: "core older than the list", id: idContentCMS, ev: p(`<meta name="generator" content="WordPress 3.5.1">`), want: StatusWarn, score: 0.25, find: "no longer receives security fixes"},
		{name: "core of no listed branch", id: idContentCMS, ev: p(core("5.10.1")), want: StatusPass, score: 1, find: "not a branch of the release list"},
		{name: "core newer than the list", id: idContentCMS, ev: p(core("7.3.1")), want: StatusPass, score: 1, find: "newer than the release list"},
		{name: "core from the feed", id: idContentCMS, ev: ckWith(ckPage(astra), wpFiles(nil, nil, `<?xml version="1.0"?><rss version="2.0"><channel><generator>https://wordpress.org/?v=6.4.1</generator></channel></rss>`)),
			want: StatusWarn, value: "WordPress 6.4.1", score: 0.5, find: "the feed's <generator>"},
		{name: "elementor 3.6.2 behind its eicons 5.15.0", id: idContentCMS, ev: p(wp + elementor("3.6.2")), want: StatusFail, value: "elementor 3.6.2", score: 0, find: "CVE-2022-1329"},
		{name: "elementor with only its icon set is unknown, not 5.15.0", id: idContentCMS, ev: p(wp + eicons), want: StatusPass, value: "plugins: elementor", score: 1, find: "Not judged, as no version of theirs could be read: elementor"},
		{name: "readme stable tag wins over ?ver=", id: idContentCMS, ev: ckWith(ckPage(wp+elementor("3.20.0")), wpFiles(map[string]string{"elementor": "=== Elementor Website Builder ===\nContributors: elemntor\nStable tag: 3.6.2\nLicense: GPLv3\n"}, nil, "")),
			want: StatusFail, value: "elementor 3.6.2", score: 0, find: "readme.txt: Stable tag: 3.6.2"},
		{name: "readme makes a plugin without ?ver= judgeable", id: idContentCMS, ev: ckWith(ckPage(wp+`<script src="/wp-content/plugins/wp-file-manager/lib/js/elfinder.min.js?ver=2.1.49"></script>`), wpFiles(map[string]string{"wp-file-manager": "=== File Manager ===\nStable tag: 6.8\n"}, nil, "")),
			want: StatusFail, value: "wp-file-manager 6.8", score: 0, find: "CVE-2020-25213"},
		{name: "stable tag trunk is no version", id: idContentCMS, ev: ckWith(ckPage(wp+elementor("3.6.2")), wpFiles(map[string]string{"elementor": "=== Elementor ===\nStable tag: trunk\n"}, nil, "")),
			want: StatusFail, value: "elementor 3.6.2", score: 0, find: "frontend.min.css?ver=3.6.2"},
		{name: "stable tag trunk without ?ver= is unknown", id: idContentCMS, ev: ckWith(ckPage(wp+eicons), wpFiles(map[string]string{"elementor": "=== Elementor ===\nStable tag: trunk\n"}, nil, "")),
			want: StatusPass, value: "plugins: elementor", score: 1, find: "could be read: elementor"},
		{name: "soft-404 readme yields no version", id: idContentCMS, ev: ckWith(ckPage(wp+elementor("3.20.0")), func(ev *Evidence) {
			wpFiles(nil, nil, "")(ev)
			ev.WordPress.Readmes["elementor"] = ckResp("https://example.com/wp-content/plugins/elementor/readme.txt", 200, soft404, "Content-Type: text/html; charset=UTF-8")
		}), want: StatusPass, value: "elementor 3.20.0", score: 1},
		{name: "soft-404 readme without content type", id: idContentCMS, ev: ckWith(ckPage(wp+eicons), func(ev *Evidence) {
			wpFiles(nil, nil, "")(ev)
			ev.WordPress.Readmes["elementor"] = ckResp("https://example.com/wp-content/plugins/elementor/readme.txt", 200, soft404)
		}), want: StatusPass, value: "plugins: elementor", score: 1, find: "could be read: elementor"},
		{name: "404 readme", id: idContentCMS, ev: ckWith(ckPage(wp+eicons), func(ev *Evidence) {
			wpFiles(nil, nil, "")(ev)
			ev.WordPress.Readmes["elementor"] = ckResp("https://example.com/wp-content/plugins/elementor/readme.txt", 404, "Stable tag: 3.6.2", "Content-Type: text/plain")
		}), want: StatusPass, value: "plugins: elementor", score: 1, find: "could be read: elementor"},
		{name: "theme version from style.css", id: idContentCMS, ev: ckWith(ckPage(wp+`<link rel="stylesheet" href="/wp-content/themes/bricks/assets/css/frontend.min.css?ver=1700000000">`), wpFiles(nil, map[string]string{"bricks": "/*\nTheme Name: Bricks\nVersion: 1.9.6\n*/\n"}, "")),
			want: StatusFail, value: "themes: astra 4.5.2, bricks 1.9.6", score: 0, find: "CVE-2024-25600"},
		{name: "stylesheet that is not a theme's", id: idContentCMS, ev: ckWith(ckPage(wp+`<link rel="stylesheet" href="/wp-content/themes/bricks/x.css?ver=1700000000">`), wpFiles(nil, map[string]string{"bricks": "body{color:red}\n/* Version: 1.9.6 */"}, "")),
			want: StatusPass, value: "bricks", score: 1},
		{name: "plugin ver equal to core is unknown", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/wp-file-manager/js/x.js?ver=6.8.8"></script>`), want: StatusPass, value: "plugins: wp-file-manager", score: 1, find: "could be read: wp-file-manager"},
		{name: "timestamp ver is no version", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/elementor/assets/js/frontend.min.js?ver=1712345678"></script>`), want: StatusPass, value: "plugins: elementor", score: 1, find: "could be read: elementor"},
		{name: "vulnerable contact form 7", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/contact-form-7/includes/js/scripts.js?ver=5.1.1"></script>`), want: StatusFail, score: 0, find: "CVE-2020-35489"},
		{name: "medium-only plugin vulnerability", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/wordpress-seo/js/dist/frontend.js?ver=22.6"></script>`), want: StatusWarn, score: 0.5, find: "CVE-2024-4984"},
		{name: "four-part version below its fix", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/litespeed-cache/assets/js/instant_click.min.js?ver=6.5.0"></script>`), want: StatusFail, score: 0, find: "CVE-2024-44000"},
		{name: "four-part version at its fix", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/litespeed-cache/assets/js/instant_click.min.js?ver=6.5.0.1"></script>`), want: StatusPass, score: 1},
		{name: "backported fix is not flagged", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/woocommerce-payments/dist/index.js?ver=5.5.2"></script>`), want: StatusPass, score: 1},
		{name: "unpatched release of that branch is", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/woocommerce-payments/dist/index.js?ver=5.5.1"></script>`), want: StatusFail, score: 0, find: "CVE-2023-28121"},
		{name: "woocommerce branch with the backported fix", id: idContentCMS, ev: p(wp + `<link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=5.4.2">`), want: StatusPass, score: 1},
		{name: "woocommerce branch without it", id: idContentCMS, ev: p(wp + `<link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=5.4.1">`), want: StatusWarn, score: 0.5, find: "CVE-2021-32790"},
		{name: "plugin without a fix is to be removed", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/kaswara/assets/js/kaswara.js?ver=3.0.1"></script>`), want: StatusFail, score: 0, find: "wp plugin delete kaswara"},
		{name: "plugin on crawled page", id: idContentCMS, ev: ckWith(ckPage(wp), func(ev *Evidence) {
			ev.Pages = append(ev.Pages, ckResp("https://example.com/contact", 200, `<script src="/wp-content/plugins/ultimate-member/assets/js/um.js?ver=2.6.6"></script>`, "Content-Type: text/html"))
		}), want: StatusFail, score: 0, find: "CVE-2023-3460"},
		{name: "drupal 7 eol", id: idContentCMS, ev: p(`<meta name="Generator" content="Drupal 7 (https://www.drupal.org)">`), want: StatusWarn, value: "Drupal 7", score: 0.25},
		{name: "drupal 10", id: idContentCMS, ev: p(`<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">`), want: StatusPass, score: 1},
		{name: "joomla 3 eol", id: idContentCMS, ev: p(`<meta name="generator" content="Joomla! 3.9 - Open Source Content Management">`), want: StatusWarn, score: 0.25},
		{name: "page missing", id: idContentCMS, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
}

// TestCheckContentCMSAllFindings: no finding hides another. An outdated
// core, two vulnerable plugins and a vulnerable theme are each reported,
// and the verdict is the worst of them.
func TestCheckContentCMSAllFindings(t *testing.T) {
	page := `<meta name="generator" content="WordPress 6.4.1">` +
		`<script src="/wp-content/plugins/ultimate-member/assets/js/um.min.js?ver=2.6.6"></script>` +
		`<link rel="stylesheet" href="/wp-content/plugins/wordpress-seo/css/dist/main.css?ver=22.6">` +
		`<link rel="stylesheet" href="/wp-content/themes/bricks/style.css?ver=1.9.6">`
	out := checkContentCMS.Evaluate(ckEv(ckPage(page)))
	if out.Status != StatusFail || out.Score != 0 {
		t.Fatalf("status %s score %v, want fail 0: %s", out.Status, out.Score, out.Description)
	}
	want := []string{"Ultimate Member 2.6.6 is vulnerable", "Yoast SEO 22.6 is vulnerable", "Bricks 1.9.6 is vulnerable", "WordPress 6.4.1 is missing security releases"}
	if len(out.Findings) != len(want) {
		t.Fatalf("%d findings, want %d: %+v", len(out.Findings), len(want), out.Findings)
	}
	for _, w := range want {
		found := false
		for _, f := range out.Findings {
			found = found || strings.Contains(f.Title, w)
		}
		if !found {
			t.Errorf("no finding %q", w)
		}
		if !strings.Contains(out.Description, strings.TrimSuffix(w, " is missing security releases")) {
			t.Errorf("description does not say %q: %s", w, out.Description)
		}
	}
	if !strings.Contains(out.Description, "wp_generator") {
		t.Errorf("the generator disclosure is not mentioned: %s", out.Description)
	}
	// Without the plugins, the core is still reported, with the warn it earns.
	out = checkContentCMS.Evaluate(ckEv(ckPage(`<meta name="generator" content="WordPress 6.4.1">`)))
	if out.Status != StatusWarn || len(out.Findings) != 1 || out.Findings[0].Severity != SeverityMedium {
		t.Errorf("core alone: %s %+v", out.Status, out.Findings)
	}
}

// TestCheckContentCMSLimits: a finding-free verdict says when the crawl
// did not read everything.
func TestCheckContentCMSLimits(t *testing.T) {
	ev := ckEv(ckPage(`<link rel="stylesheet" href="/wp-includes/css/dashicons.min.css?ver=7.1">`))
	ev.Coverage = &Coverage{PagesCrawled: 25, PagesDiscovered: 40, PageLimit: 25}
	out := checkContentCMS.Evaluate(ev)
	if out.Status != StatusPass || !strings.Contains(out.Description, "25 of 40 pages") {
		t.Errorf("%s: %s", out.Status, out.Description)
	}
}

// TestWPEmbeddedTable holds the embedded data to what the issue asks: a
// release list of every branch 4.x to the newest, and at least 50 dated
// rows with real CVE ids, parsed once.
func TestWPEmbeddedTable(t *testing.T) {
	tb := embeddedWPTable()
	if tb.rows < 50 || tb.VulnDate == "" || tb.CoreDate == "" || tb.VulnSource == "" || tb.CoreSource == "" {
		t.Fatalf("%d rows, dates %q %q", tb.rows, tb.VulnDate, tb.CoreDate)
	}
	for _, b := range []string{"4.0", "4.7", "4.9", "5.0", "5.9", "6.0", "6.4", "6.8", "7.0"} {
		if tb.branches[b] == nil {
			t.Errorf("branch %s missing from the release list", b)
		}
	}
	if tb.branches["4.6"].Security || !tb.branches["4.7"].Security || tb.branches["6.4"].Latest != "6.4.10" {
		t.Errorf("release list: 4.6 %+v, 4.7 %+v, 6.4 %+v", tb.branches["4.6"], tb.branches["4.7"], tb.branches["6.4"])
	}
	themes, seen := 0, map[string]bool{}
	for _, list := range tb.vulns {
		for _, x := range list {
			if x.Kind == "theme" {
				themes++
			}
			k := x.Slug + " " + x.CVE
			if seen[k] {
				t.Errorf("%s listed twice", k)
			}
			seen[k] = true
		}
	}
	if themes < 3 {
		t.Errorf("%d theme rows", themes)
	}
}

// TestLoadWPTable: PALISADE_WP_VULNS_FILE replaces the table (and, with
// "core", the release list); a bad file is an error naming it.
func TestLoadWPTable(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if tb, err := loadWPTable(""); tb != nil || err != nil {
		t.Fatalf("no file: %v %v", tb, err)
	}
	const row = `{"slug":"acme-forms","kind":"plugin","name":"Acme Forms","fixed_in":"2.0","cve":"CVE-2099-0001","severity":"high","what":"test"}`
	good := write("good.json", `{"source":"test","date":"2099-01-01","vulns":[`+row+`]}`)
	tb, err := loadWPTable(good)
	if err != nil {
		t.Fatal(err)
	}
	page := ckPage(`<meta name="generator" content="WordPress 6.4.10"><script src="/wp-content/plugins/acme-forms/js/acme-forms.js?ver=1.9"></script><script src="/wp-content/plugins/elementor/assets/js/frontend.min.js?ver=3.6.2"></script>`)
	ev := ckEv(page)
	ev.WPTable = tb
	out := checkContentCMS.Evaluate(ev)
	if out.Status != StatusFail || len(out.Findings) != 1 || !strings.Contains(out.Findings[0].Title, "CVE-2099-0001") {
		t.Errorf("replacement table: %s %+v", out.Status, out.Findings)
	}
	withCore := write("core.json", `{"source":"test","date":"2099-01-01","core":{"source":"t","date":"2099-01-01","branches":[{"branch":"6.4","latest":"6.4.11","security":true}]},"vulns":[`+row+`]}`)
	if tb, err = loadWPTable(withCore); err != nil {
		t.Fatal(err)
	}
	if cv := tb.judgeCore("6.4.10"); !cv.Outdated || cv.Latest != "6.4.11" {
		t.Errorf("replacement release list: %+v", cv)
	}
	for name, body := range map[string]string{
		"notjson.json":  `{"vulns":[`,
		"unknown.json":  `{"vulns":[{"slug":"a","kind":"plugin","name":"A","fixedin":"2.0","cve":"CVE-2099-0001","severity":"high","what":"x"}]}`,
		"nocve.json":    `{"vulns":[{"slug":"a","kind":"plugin","name":"A","fixed_in":"2.0","cve":"none","severity":"high","what":"x"}]}`,
		"kind.json":     `{"vulns":[{"slug":"a","kind":"module","name":"A","fixed_in":"2.0","cve":"CVE-2099-0001","severity":"high","what":"x"}]}`,
		"range.json":    `{"vulns":[{"slug":"a","kind":"plugin","name":"A","since":"3.0","fixed_in":"2.0","cve":"CVE-2099-0001","severity":"high","what":"x"}]}`,
		"severity.json": `{"vulns":[{"slug":"a","kind":"plugin","name":"A","fixed_in":"2.0","cve":"CVE-2099-0001","severity":"urgent","what":"x"}]}`,
		"slug.json":     `{"vulns":[{"slug":"../a","kind":"plugin","name":"A","fixed_in":"2.0","cve":"CVE-2099-0001","severity":"high","what":"x"}]}`,
		"empty.json":    `{"vulns":[]}`,
		"branch.json":   `{"core":{"branches":[{"branch":"6.4","latest":"6.5.1","security":true}]},"vulns":[` + row + `]}`,
	} {
		p := write(name, body)
		if _, err := loadWPTable(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err %v, want one naming the file", name, err)
		}
		if _, err := New(Options{WPVulnsFile: p}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("New with %s: err %v", name, err)
		}
	}
	if _, err := New(Options{WPVulnsFile: filepath.Join(dir, "absent.json")}); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("absent file: %v", err)
	}
}

// TestParseWPVersion: versions read by their leading numbers, four parts
// at most, six digits a part at most; compare treats missing parts as 0.
func TestParseWPVersion(t *testing.T) {
	for in, want := range map[string]string{
		"6.4.2": "[6 4 2]", "v1.2": "[1 2]", "6.4.2-beta1": "[6 4 2]", "1.2.3.4.5": "[1 2 3 4]",
		"1234567.1": "[123456]", "4.1.5.3": "[4 1 5 3]", "7.x": "[7]", " 3.0 ": "[3 0]", "abc": "[]", "": "[]",
	} {
		v, ok := parseWPVersion(in)
		if got := fmt.Sprint([]int(v)); got != want || ok != (want != "[]") {
			t.Errorf("parseWPVersion(%q) = %s %v, want %s", in, got, ok, want)
		}
	}
	a, _ := parseWPVersion("7.1")
	b, _ := parseWPVersion("7.1.0")
	c, _ := parseWPVersion("6.5.0.1")
	d, _ := parseWPVersion("6.5.0")
	if a.compare(b) != 0 || c.compare(d) != 1 || d.compare(c) != -1 || a.branch() != "7.1" {
		t.Errorf("compare: %d %d %d, branch %s", a.compare(b), c.compare(d), d.compare(c), a.branch())
	}
}
