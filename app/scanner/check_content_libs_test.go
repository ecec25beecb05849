package scanner

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckContentVulnLibs recognises library versions from CDN URLs, file
// names, WordPress ?ver= and script banners (true positives), refuses
// decoys (names without versions, look-alike strings), and names the CVEs.
func TestCheckContentVulnLibs(t *testing.T) {
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	script := func(url, body string) *Evidence {
		return ckWith(ckPage("<p>x</p>"), func(ev *Evidence) {
			ev.Scripts = map[string]*Response{url: ckResp(url, 200, body, "Content-Type: application/javascript")}
		})
	}
	runCheckCases(t, []checkCase{
		{name: "nothing recognised", id: idContentVulnLibs, ev: p(`<script src="/app.js"></script>`), want: StatusPass, value: "no known library", score: 1, find: "retire.js data of " + retireJSDate},
		// jQuery
		{name: "current jquery", id: idContentVulnLibs, ev: p(`<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>`), want: StatusPass, value: "jQuery 3.7.1", score: 1},
		{name: "old jquery from code.jquery.com", id: idContentVulnLibs, ev: p(`<script src="https://code.jquery.com/jquery-3.4.1.min.js"></script>`), want: StatusFail, value: "CVE-2020-11022", score: 0, find: "CVE-2020-11023"},
		{name: "ancient jquery from google", id: idContentVulnLibs, ev: p(`<script src="https://ajax.googleapis.com/ajax/libs/jquery/1.8.3/jquery.min.js"></script>`), want: StatusFail, value: "CVE-2012-6708", score: 0, find: "Upgrade jQuery to 3.5.0 or later"},
		{name: "jquery on jsdelivr", id: idContentVulnLibs, ev: p(`<script src="https://cdn.jsdelivr.net/npm/jquery@3.4.1/dist/jquery.min.js"></script>`), want: StatusFail, value: "jQuery 3.4.1", score: 0},
		{name: "jquery on wordpress", id: idContentVulnLibs, ev: p(`<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.4.1"></script><script src="/wp-includes/js/jquery/jquery-migrate.min.js?ver=3.4.1"></script>`), want: StatusFail, value: "jQuery 3.4.1", score: 0},
		{name: "jquery pre-release is below its release", id: idContentVulnLibs, ev: p(`<script src="/js/jquery-3.5.0-rc1.min.js"></script>`), want: StatusFail, value: "jQuery 3.5.0-rc1", score: 0, find: "CVE-2020-11022"},
		{name: "jquery banner in bundle", id: idContentVulnLibs, ev: script("https://example.com/static/vendor.js", "/*! jQuery v2.2.4 | (c) jQuery Foundation | jquery.org/license */\n!function(a,b){}"), want: StatusFail, value: "jQuery 2.2.4", score: 0},
		{name: "jquery inline script", id: idContentVulnLibs, ev: p(`<script>/*! jQuery v1.12.4 | (c) jQuery Foundation | jquery.org/license */ var x;</script>`), want: StatusFail, value: "jQuery 1.12.4", score: 0, find: "(inline script)"},
		{name: "decoy: jquery named without a version", id: idContentVulnLibs, ev: script("https://example.com/a.js", "// needs jQuery v3 or later; see jquery.com\nvar jquery=window.jQuery;"), want: StatusPass, value: "no known library", score: 1},
		{name: "decoy: jquery banner in page text is not a script", id: idContentVulnLibs, ev: p(`<p>/*! jQuery v1.8.3 was our old version</p>`), want: StatusPass, value: "no known library", score: 1},
		// jQuery UI
		{name: "jquery ui wordpress", id: idContentVulnLibs, ev: p(`<script src="/wp-includes/js/jquery/ui/core.min.js?ver=1.12.1"></script>`), want: StatusFail, value: "jQuery UI 1.12.1", score: 0},
		{name: "jquery ui banner not jquery", id: idContentVulnLibs, ev: script("https://example.com/ui.js", "/*! jQuery UI - v1.13.2 - 2022-07-14 */"), want: StatusPass, value: "jQuery UI 1.13.2", score: 1},
		{name: "old jquery ui banner", id: idContentVulnLibs, ev: script("https://example.com/ui.js", "/*! jQuery UI - v1.12.1 - 2016-09-14\n* http://jqueryui.com */"), want: StatusFail, value: "jQuery UI 1.12.1", score: 0, find: "CVE-2021-41184"},
		// Bootstrap
		{name: "jsdelivr bootstrap", id: idContentVulnLibs, ev: p(`<script src="https://cdn.jsdelivr.net/npm/bootstrap@4.3.0/dist/js/bootstrap.bundle.min.js"></script>`), want: StatusFail, value: "CVE-2019-8331", score: 0},
		{name: "bootstrap 4.3.1 fixed", id: idContentVulnLibs, ev: p(`<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js"></script>`), want: StatusPass, value: "Bootstrap 4.3.1", score: 1},
		// retire's data marks the whole 3.x line (below 3.999.999): the fix
		// is the first 4.x release clear of the 4.x ranges.
		{name: "bootstrap 3.3.7", id: idContentVulnLibs, ev: p(`<script src="https://maxcdn.bootstrapcdn.com/bootstrap/3.3.7/js/bootstrap.min.js"></script>`), want: StatusFail, value: "CVE-2018-14040", score: 0, find: "Upgrade Bootstrap to 4.3.1 or later"},
		{name: "bootstrap banner", id: idContentVulnLibs, ev: script("https://example.com/b.js", "/*!\n * Bootstrap v3.3.7 (http://getbootstrap.com)\n */"), want: StatusFail, value: "Bootstrap 3.3.7", score: 0},
		// AngularJS. The retire data rates AngularJS 1.8.2's ReDoS and
		// sanitizer bypasses medium (the old table said low), so the
		// end-of-life library now fails; it has no fixed release.
		{name: "angularjs eol", id: idContentVulnLibs, ev: p(`<script src="https://ajax.googleapis.com/ajax/libs/angularjs/1.8.2/angular.min.js"></script>`), want: StatusFail, value: "AngularJS 1.8.2", score: 0, find: "end of life"},
		{name: "angularjs has no fixed release", id: idContentVulnLibs, ev: p(`<script src="https://ajax.googleapis.com/ajax/libs/angularjs/1.8.2/angular.min.js"></script>`), want: StatusFail, value: "CVE-2024-21490", score: 0, find: "No fixed release of AngularJS"},
		{name: "old angularjs", id: idContentVulnLibs, ev: p(`<script src="https://cdnjs.cloudflare.com/ajax/libs/angular.js/1.5.8/angular.min.js"></script>`), want: StatusFail, value: "CVE-2020-7676", score: 0},
		{name: "angularjs banner", id: idContentVulnLibs, ev: script("https://example.com/ng.js", "/**\n * @license AngularJS v1.5.8\n * (c) 2010-2016 Google, Inc. http://angularjs.org\n */"), want: StatusFail, value: "AngularJS 1.5.8", score: 0},
		// Angular (2+) is another library than AngularJS: retire's data
		// has its own advisories, which apply to 15.0.0.
		{name: "angular 2+ is not angularjs", id: idContentVulnLibs, ev: p(`<script src="https://cdn.jsdelivr.net/npm/@angular/core@15.0.0/bundles/core.umd.js"></script>`), want: StatusFail, value: "Angular 15.0.0", score: 0},
		// Lodash
		{name: "lodash cdnjs", id: idContentVulnLibs, ev: p(`<script src="https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.15/lodash.min.js"></script>`), want: StatusFail, value: "CVE-2021-23337", score: 0},
		{name: "lodash version constant", id: idContentVulnLibs, ev: script("https://example.com/l.js", "/** @license Lodash <https://lodash.com/> */\n;(function(){var undefined;var VERSION = '4.17.11';}())"), want: StatusFail, value: "Lodash 4.17.11", score: 0},
		{name: "lodash 4.17.21 has CVE-2025-13465", id: idContentVulnLibs, ev: p(`<script src="https://cdn.jsdelivr.net/npm/lodash@4.17.21/lodash.min.js"></script>`), want: StatusFail, value: "CVE-2025-13465", score: 0, find: "Upgrade Lodash to 4.18.0 or later"},
		{name: "decoy: lodash named without a version", id: idContentVulnLibs, ev: script("https://example.com/l.js", "/** @license Lodash <https://lodash.com/> */ var VERSION = VERSION_FROM_BUILD;"), want: StatusPass, value: "no known library", score: 1},
		// Moment
		{name: "moment unpkg", id: idContentVulnLibs, ev: p(`<script src="https://unpkg.com/moment@2.29.1/min/moment.min.js"></script>`), want: StatusFail, value: "CVE-2022-31129", score: 0},
		{name: "moment banner", id: idContentVulnLibs, ev: script("https://example.com/m.js", "//! moment.js\n//! version : 2.18.1\n"), want: StatusFail, value: "Moment.js 2.18.1", score: 0},
		{name: "decoy: any .version is not moment", id: idContentVulnLibs, ev: script("https://example.com/m.js", `// uses moment.js for dates
var M={};M.API={},M.version="2.5.1";`), want: StatusPass, value: "no known library", score: 1},
		// Handlebars
		{name: "handlebars file name", id: idContentVulnLibs, ev: p(`<script src="/js/handlebars-v4.0.5.js"></script>`), want: StatusFail, value: "CVE-2019-19919", score: 0},
		{name: "handlebars banner", id: idContentVulnLibs, ev: script("https://example.com/h.js", "/**!\n\n @license\n handlebars v4.7.6\n\nCopyright (C) 2011-2019 by Yehuda Katz"), want: StatusFail, value: "Handlebars 4.7.6", score: 0},
		// DOMPurify
		{name: "dompurify banner", id: idContentVulnLibs, ev: script("https://example.com/purify.js", "/*! @license DOMPurify 2.0.17 | (c) Cure53 and other contributors | Released under the Apache license 2.0 and Mozilla Public License 2.0 */"), want: StatusFail, value: "DOMPurify 2.0.17", score: 0},
		{name: "dompurify version assignment", id: idContentVulnLibs, ev: script("https://example.com/app.js", `var o=function(){};o.isSupported=!0;DOMPurify.version="2.2.2";`), want: StatusFail, value: "DOMPurify 2.2.2", score: 0},
		// jsPDF (Palisade's supplement: retire's data does not list it)
		{name: "jspdf cdnjs", id: idContentVulnLibs, ev: p(`<script src="https://cdnjs.cloudflare.com/ajax/libs/jspdf/2.5.1/jspdf.umd.min.js"></script>`), want: StatusFail, value: "jsPDF 2.5.1", score: 0, find: "Upgrade jsPDF to 4.2.0 or later"},
		{name: "a limit is never silent", id: idContentVulnLibs, ev: ckWith(ckPage(`<script src="/app.js"></script>`), func(ev *Evidence) {
			ev.Coverage = &Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25, Truncated: []TruncatedBody{{URL: "https://example.com/app.js", BytesRead: 512 << 10, Size: 617 << 10}}}
		}), want: StatusPass, value: "no known library", score: 1, find: "not everything was read: 25 of 34 pages"},
		{name: "page missing", id: idContentVulnLibs, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
}

// fixture reads a real library build of testdata/jslibs (README there).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "jslibs", name+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// libsFound evaluates the check on one fetched script and returns the
// "Name version" of every library recognised, vulnerable or not, and the
// outcome.
func libsFound(t *testing.T, body []byte) ([]string, Outcome) {
	t.Helper()
	u := "https://example.com/static/bundle.js"
	ev := ckWith(ckPage("<p>x</p>"), func(ev *Evidence) {
		ev.Scripts = map[string]*Response{u: {URL: u, StatusCode: 200, Body: body}}
	})
	out := checkContentVulnLibs.Evaluate(ev)
	var names []string
	for _, s := range jsLibsOfScript(ev.Scripts[u], embeddedJSRepo()) {
		names = append(names, s.lib.Name+" "+s.version)
	}
	slices.Sort(names)
	return slices.Compact(names), out
}

// TestVulnLibsRealBuilds runs the check on real minified builds from npm:
// lodash 4.17.4 (whose version is 67 KB into the file, past the old 40 KB
// window), lodash 4.17.21 (CVE-2025-13465), and the jsPDF 2.5.1 + Moment
// 2.30.1 bundle that was reported as "Moment.js 2.5.1" (issue 14).
func TestVulnLibsRealBuilds(t *testing.T) {
	lodash4, lodash21 := fixture(t, "lodash-4.17.4.min.js"), fixture(t, "lodash-4.17.21.min.js")
	moment, jspdf := fixture(t, "moment-2.30.1.min.js"), fixture(t, "jspdf-2.5.1.umd.min.js")
	if i := bytes.Index(lodash4, []byte(`VERSION="4.17.4"`)); i < 40000 {
		t.Fatalf("fixture: lodash 4.17.4's VERSION at %d, want past 40000", i)
	}
	bundle := func(parts ...[]byte) []byte { return bytes.Join(parts, []byte(";\n")) }
	cases := []struct {
		name     string
		body     []byte
		libs     []string // every library recognised
		bad      []string // the ones with findings, with an id each must name
		fix      string
		wantPass bool
	}{
		{name: "lodash 4.17.4 minified", body: lodash4, libs: []string{"Lodash 4.17.4"},
			bad: []string{"Lodash 4.17.4|CVE-2019-10744"}, fix: "Upgrade Lodash to 4.18.0 or later"},
		{name: "lodash 4.17.21 minified", body: lodash21, libs: []string{"Lodash 4.17.21"},
			bad: []string{"Lodash 4.17.21|CVE-2025-13465"}, fix: "Upgrade Lodash to 4.18.0 or later"},
		{name: "moment 2.30.1 minified", body: moment, libs: []string{"Moment.js 2.30.1"}, wantPass: true},
		{name: "jspdf 2.5.1 minified", body: jspdf, libs: []string{"jsPDF 2.5.1"},
			bad: []string{"jsPDF 2.5.1|CVE-2025-29907"}, fix: "Upgrade jsPDF to 4.2.0 or later"},
		{name: "jspdf + moment bundle", body: bundle(jspdf, moment), libs: []string{"Moment.js 2.30.1", "jsPDF 2.5.1"},
			bad: []string{"jsPDF 2.5.1|CVE-2025-57810"}},
		{name: "one bundle, two lodash versions", body: bundle(lodash4, moment, lodash21),
			libs: []string{"Lodash 4.17.21", "Lodash 4.17.4", "Moment.js 2.30.1"},
			bad:  []string{"Lodash 4.17.4|CVE-2018-3721", "Lodash 4.17.21|CVE-2025-13465"}},
		{name: "decoy bundle: names without versions", body: []byte(`/* Built with jQuery, jQuery UI, Bootstrap, AngularJS, lodash, Moment.js,
 * Handlebars, DOMPurify and jsPDF. See https://lodash.com/license and jquery.org/license. */
var libs={jquery:window.jQuery,lodash:window._,moment:window.moment,version:"2.5.1"};
libs.VERSION="4.17.4";libs.API={events:[]};function Handlebars(){}; // jQuery v, Bootstrap v, AngularJS v`),
			wantPass: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			libs, out := libsFound(t, tc.body)
			if !slices.Equal(libs, tc.libs) {
				t.Errorf("recognised %q, want %q", libs, tc.libs)
			}
			if tc.wantPass {
				if out.Status != StatusPass {
					t.Errorf("status %s (%q), want pass", out.Status, out.Value)
				}
				return
			}
			if out.Status != StatusFail || len(out.Findings) != len(tc.bad) {
				t.Fatalf("status %s with %d findings (%q), want fail with %d", out.Status, len(out.Findings), out.Value, len(tc.bad))
			}
			for _, want := range tc.bad {
				lib, id, _ := strings.Cut(want, "|")
				i := slices.IndexFunc(out.Findings, func(f Finding) bool { return strings.HasPrefix(f.Title, lib+" has") })
				if i < 0 {
					t.Errorf("no finding for %s in %q", lib, out.Value)
					continue
				}
				f := out.Findings[i]
				if !strings.Contains(f.Title, id) || f.Evidence != "https://example.com/static/bundle.js" {
					t.Errorf("finding %q (evidence %q) does not name %s", f.Title, f.Evidence, id)
				}
				if tc.fix != "" && !strings.Contains(f.Fix.Advice, tc.fix) {
					t.Errorf("fix %q, want %q", f.Fix.Advice, tc.fix)
				}
			}
			if strings.Contains(out.Value, "Moment.js 2.5.1") {
				t.Errorf("jsPDF's version read as Moment's: %q", out.Value)
			}
		})
	}
}

// TestRetireJSFileReplacesEmbedded scans a real loopback site with
// PALISADE_RETIREJS_FILE set: the file's library (recognised by file name,
// banner and hash) is judged by the file, and jQuery, which only the
// embedded data knows as vulnerable, is not flagged. The same site scanned
// with the embedded data gives the opposite.
func TestRetireJSFileReplacesEmbedded(t *testing.T) {
	hashed := "/* acme gadget build 7 */ var gadget = 1;\n"
	sum := sha1.Sum([]byte(hashed))
	repo := fmt.Sprintf(`{
	  "acme-widget": {
	    "vulnerabilities": [{"below": "2.0.0", "severity": "high", "identifiers": {"CVE": ["CVE-2099-0001"], "summary": "test advisory"}, "info": ["https://example.com/advisory"]}],
	    "extractors": {
	      "filename": ["acme-widget-(§§version§§)(\\.min)?\\.js"],
	      "filecontent": ["/\\*! Acme Widget v(§§version§§)"],
	      "hashes": {%q: "1.5.0"}
	    }
	  }
	}`, hex.EncodeToString(sum[:]))
	path := filepath.Join(t.TempDir(), "jsrepository.json")
	if err := os.WriteFile(path, []byte(repo), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><script src="/js/acme-widget-1.2.0.min.js"></script><script src="/js/vendor.js"></script><script src="/js/gadget.js"></script><script src="/js/jquery-1.8.3.min.js"></script></body></html>`)
		case "/js/vendor.js":
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, "/*! Acme Widget v1.3.1 */ var w;")
		case "/js/gadget.js":
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, hashed)
		case "/js/acme-widget-1.2.0.min.js", "/js/jquery-1.8.3.min.js":
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, "var x;")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	scan := func(opts Options) CheckResult {
		s := newTestScanner(t, opts, []Check{checkContentVulnLibs})
		res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
		if err != nil || res.Error != "" {
			t.Fatalf("scan: %v %s", err, res.Error)
		}
		cr, ok := findCheck(res, idContentVulnLibs)
		if !ok {
			t.Fatal("check did not run")
		}
		return cr
	}
	cr := scan(Options{RetireJSFile: path})
	for _, want := range []string{"acme-widget 1.2.0", "acme-widget 1.3.1", "acme-widget 1.5.0", "CVE-2099-0001"} {
		if !strings.Contains(cr.Value, want) {
			t.Errorf("with the file: value %q lacks %q", cr.Value, want)
		}
	}
	if strings.Contains(cr.Value, "jQuery") || !strings.Contains(cr.Description, "retire.js data from jsrepository.json of ") {
		t.Errorf("with the file: value %q, description %q", cr.Value, cr.Description)
	}
	cr = scan(Options{})
	if !strings.Contains(cr.Value, "jQuery 1.8.3") || strings.Contains(cr.Value, "acme") || !strings.Contains(cr.Description, "retire.js data of "+retireJSDate) {
		t.Errorf("embedded: value %q, description %q", cr.Value, cr.Description)
	}
}

// TestRetireJSFileErrors: a file that cannot be used is an error from New
// that names it, never a silent fall-back to the embedded data.
func TestRetireJSFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, path := range []string{
		filepath.Join(dir, "missing.json"),
		write("bad.json", `{"jquery": [`),
		write("empty.json", `{}`),
		write("nobelow.json", `{"x": {"vulnerabilities": [{"severity": "high"}], "extractors": {}}}`),
	} {
		if _, err := New(Options{RetireJSFile: path}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want an error naming the file", filepath.Base(path), err)
		}
	}
}

// TestCompareVersions pins the ordering the vulnerability tables rely on,
// including the inputs where SemVer alone would disagree (pre-releases,
// four parts, letter suffixes) and the old hand-written comparison's
// answers are kept.
func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.12.4", "1.12.0", 1},
		{"1.12.4", "1.13.0", -1},
		{"3.4.1", "3.10", -1},
		{"3.10", "3.4.1", 1},
		{"4.17.21", "4.17.21", 0},
		{"4.17.20", "4.17.21", -1},
		{"6.0", "6.0.0", 0},
		{"6", "6.0.1", -1},
		{"5.9", "6.0", -1},
		{"3.5.0-beta", "3.5.0", 0}, // pre-release judged as its release
		{"3.5.0-beta.2", "3.4.9", 1},
		{"3.5.0+build.7", "3.5.0", 0},
		{"1.2.3.4", "1.2.3", 0}, // a fourth part is not read
		{"6.9.1a", "6.9.1", 0},  // letter suffix without a dash
		{"6.8", "6.9", -1},
		{"v1.2.0", "1.2", 0},
		{"", "0.0.0", 0},
		{"junk", "0.0.1", -1},
		{"10", "9.9.9", 1},
	}
	for _, tc := range cases {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			if got := compareVersions(tc.a, tc.b); got != tc.want {
				t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
			if got := compareVersions(tc.b, tc.a); got != -tc.want {
				t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
			}
		})
	}
	for _, tc := range []struct {
		v    string
		want int
	}{{"10", 10}, {"9.5.1", 9}, {"3", 3}, {"", 0}} {
		if got := leadingInt(tc.v); got != tc.want {
			t.Errorf("leadingInt(%q) = %d, want %d", tc.v, got, tc.want)
		}
	}
}

// TestVulnLibsHostileBanners: a script repeating banners with made-up
// versions lists at most maxVersionsPerLib of one library, with clipped
// versions.
func TestVulnLibsHostileBanners(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "/*! jQuery v1.%d.0 */\n", i)
	}
	b.WriteString("/*! jQuery v1.2." + strings.Repeat("9", 500) + " */")
	libs, out := libsFound(t, []byte(b.String()))
	if out.Status != StatusFail || len(out.Findings) != maxVersionsPerLib {
		t.Fatalf("status %s, %d findings (%q), want fail with %d", out.Status, len(out.Findings), out.Value, maxVersionsPerLib)
	}
	for _, l := range libs {
		if len(l) > 80 {
			t.Errorf("unclipped version %.100q", l)
		}
	}
}

// TestVulnLibsDeepScanBundle is a DEEP scan of a loopback site whose page
// loads a 496 KB vendor bundle of real builds (jsPDF 2.5.1, Moment 2.30.1,
// lodash 4.17.4): each library is judged with its own version.
func TestVulnLibsDeepScanBundle(t *testing.T) {
	vendor := bytes.Join([][]byte{fixture(t, "jspdf-2.5.1.umd.min.js"), fixture(t, "moment-2.30.1.min.js"), fixture(t, "lodash-4.17.4.min.js")}, []byte(";\n"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><h1>Invoices</h1><script src="/static/vendor.4f3a9c.js"></script></body></html>`)
		case "/static/vendor.4f3a9c.js":
			w.Header().Set("Content-Type", "application/javascript")
			w.Write(vendor)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s := newTestScanner(t, Options{}, []Check{checkContentVulnLibs})
	res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %s", err, res.Error)
	}
	cr, ok := findCheck(res, idContentVulnLibs)
	if !ok || cr.Status != StatusFail {
		t.Fatalf("check: %+v", cr)
	}
	var titles []string
	for _, f := range res.Findings {
		if f.CheckID == idContentVulnLibs {
			titles = append(titles, f.Title)
			if f.Evidence != srv.URL+"/static/vendor.4f3a9c.js" {
				t.Errorf("%q seen at %q", f.Title, f.Evidence)
			}
		}
	}
	slices.Sort(titles)
	if len(titles) != 2 || !strings.HasPrefix(titles[0], "Lodash 4.17.4 has") || !strings.HasPrefix(titles[1], "jsPDF 2.5.1 has") {
		t.Errorf("findings %q, want jsPDF 2.5.1 and Lodash 4.17.4", titles)
	}
	if strings.Contains(cr.Value, "Moment") {
		t.Errorf("Moment 2.30.1 has no known vulnerability, or jsPDF's version was read as Moment's: %q", cr.Value)
	}
}
