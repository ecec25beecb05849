package scanner

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEmbeddedJSRepo: the embedded retire data compiles, nearly every
// content extractor has a literal prefilter, and the snapshot is recent
// enough to know lodash's CVE-2025-13465 (issue 14).
func TestEmbeddedJSRepo(t *testing.T) {
	r := embeddedJSRepo()
	if len(r.libs) < 70 || len(r.content) < 200 || len(r.hashes) == 0 {
		t.Fatalf("%d libraries, %d content extractors, %d hashes", len(r.libs), len(r.content), len(r.hashes))
	}
	if r.Skipped != 0 {
		t.Errorf("%d extractors could not be translated to Go", r.Skipped)
	}
	prefiltered, windowed := 0, 0
	for _, ex := range r.content {
		if ex.lits != nil {
			prefiltered++
		}
		if ex.lits != nil && ex.maxLen >= 0 {
			windowed++
		}
	}
	t.Logf("%d content extractors: %d with a literal prefilter, %d of them run on windows", len(r.content), prefiltered, windowed)
	if prefiltered*10 < len(r.content)*9 {
		t.Errorf("only %d of %d content extractors have a prefilter", prefiltered, len(r.content))
	}
	i := slices.IndexFunc(r.libs, func(l *jsLib) bool { return l.Key == "lodash" })
	if i < 0 {
		t.Fatal("no lodash")
	}
	found := false
	for _, v := range r.libs[i].vulns {
		if slices.Contains(v.IDs, "CVE-2025-13465") && v.Below == "4.17.23" {
			found = true
		}
	}
	if !found {
		t.Error("the snapshot lacks lodash CVE-2025-13465 (below 4.17.23)")
	}
}

// TestJSRegexpToGo pins the rewrites of JavaScript regexp features RE2
// lacks, each as it appears in retire's data.
func TestJSRegexpToGo(t *testing.T) {
	cases := []struct{ in, want string }{
		{`/\*! jQuery v(§§version§§)`, `/\*! jQuery v(§§version§§)`},
		{`="(§§version§§)(?<=[0-9]{1,2}\.[0-9]{1,2})"[\s\S]{1,300}__lodash_hash_undefined__`, `="(§§version§§)"[\s\S]{1,300}__lodash_hash_undefined__`},
		{`="(§§version§§)",.{50,300}(.)\.fn=(\2)\.prototype=\{jquery:`, `="(§§version§§)",.{50,300}(.)\.fn=((?:.))\.prototype=\{jquery:`},
		{`// *Underscore\.js[\s\S]{1,2500}_\.VERSION`, `// *Underscore\.js[\s\S]{1,}_\.VERSION`},
		{`a(?=b)c(?!d[)])e`, `ace`},
		{`(?<v>x)\1[(]`, `(?<v>x)(?:x)[(]`},
		{`[\]{]{2,5}`, `[\]{]{2,5}`},
	}
	for _, tc := range cases {
		got, ok := jsRegexpToGo(tc.in)
		if !ok || got != tc.want {
			t.Errorf("jsRegexpToGo(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{`(a`, `a)`, `\3(x)`} {
		if got, ok := jsRegexpToGo(bad); ok {
			t.Errorf("jsRegexpToGo(%q) = %q, want refused", bad, got)
		}
	}
}

// TestRetireVersionOrder: retire orders a pre-release before its release
// (app/scanner/data/retirejs/README.md), and its bounds read like parseVersion otherwise.
func TestRetireVersionOrder(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.12.4-rc1", "1.12.4", -1},
		{"3.0.0beta2", "3.0.0", -1},
		{"3.0.0-beta1", "3.0.0-beta2", -1},
		{"2.0.0.beta.1", "2.0.0", -1},
		{"1.2.3.4", "1.2.3", 0},
		{"3.5.0", "3.4.999", 1},
		{"4.17.21", "4.17.23", -1},
		{"1.999", "1.8.4", 1},
	} {
		if got := retireVersion(tc.a).Compare(retireVersion(tc.b)); got != tc.want {
			t.Errorf("%s vs %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestExtractorWindows: running an extractor on windows around its literal
// finds exactly what a run over the whole body finds, for every content
// extractor of the embedded data on real builds and a bundle of them.
func TestExtractorWindows(t *testing.T) {
	var parts [][]byte
	for _, n := range []string{"lodash-4.17.4.min.js", "lodash-4.17.21.min.js", "moment-2.30.1.min.js", "jspdf-2.5.1.umd.min.js"} {
		parts = append(parts, fixture(t, n))
	}
	bodies := [][]byte{bytes.Join(parts, []byte(";\n")),
		[]byte("/*! jQuery v1.8.3 */ x /*! jQuery v2.2.4 */\n/*! jQuery UI - v1.12.1 - 2016 */")}
	hits := 0
	r := embeddedJSRepo()
	for _, b := range bodies {
		occ := r.ac.find(b, maxWindows+1)
		for _, ex := range r.content {
			got, want := ex.matchesAt(b, occ, nil), ex.run(b, nil)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(slices.Compact(got), slices.Compact(want)) {
				t.Errorf("%s %q: windows found %q, the whole body %q", ex.lib.Key, ex.re, got, want)
			}
			hits += len(want)
		}
	}
	if hits == 0 {
		t.Fatal("no extractor matched anything: the comparison proves nothing")
	}
}

// TestRequiredLiterals: the prefilter is a literal every match contains.
func TestRequiredLiterals(t *testing.T) {
	r := &jsRepo{}
	for _, tc := range []struct {
		re   string
		want []string
	}{
		{`/\*! jQuery v(§§version§§)`, []string{"/*! jQuery v"}},
		// The unescaped "." of lodash.com is any character.
		{`(?:Lo-Dash|lodash|Lodash) v?(§§version§§) lodash.com/license`, []string{"com/license"}},
		// An alternation is a set: any of its literals will do.
		{`(?:Handlebars|handlebars)\.VERSION`, []string{"Handlebars", "handlebars"}},
		{`[a-z]{2}x?`, nil},
	} {
		ex := r.compile(&jsLib{}, tc.re, false)
		var got []string
		for _, l := range ex.lits {
			got = append(got, string(l))
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: literals %q, want %q", tc.re, got, tc.want)
		}
	}
	if !regexp.MustCompile(retireVersionRE).MatchString("1.12.4-rc1") || strings.Contains(retireVersionRE, "+") {
		t.Errorf("version pattern %q", retireVersionRE)
	}
}

// benchBundle is a 496 KB bundle of real builds: jsPDF 2.5.1, Moment
// 2.30.1 and lodash 4.17.21.
func benchBundle(b *testing.B) []byte {
	return bytes.Join([][]byte{fixture(b, "jspdf-2.5.1.umd.min.js"), fixture(b, "moment-2.30.1.min.js"), fixture(b, "lodash-4.17.21.min.js")}, []byte(";\n"))
}

// BenchmarkVulnLibsBundle measures content.vulnerable-libraries on a page
// with one fetched 496 KB bundle, each iteration on a new Response so
// nothing is memoised: the cost a scan pays once per script. "unfiltered"
// is the same data with the literal prefilters and windows removed, every
// regexp run over the whole body, for the ratio (docs/BENCHMARKS.md).
func BenchmarkVulnLibsBundle(b *testing.B) {
	body := benchBundle(b)
	u := "https://example.com/static/bundle.js"
	page := ckPage(`<script src="/static/bundle.js"></script>`)
	run := func(b *testing.B, repo *jsRepo) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			ev := ckWith(page, func(ev *Evidence) {
				ev.JSLibs = repo
				ev.Scripts = map[string]*Response{u: {URL: u, StatusCode: 200, Body: body}}
			})
			if out := checkContentVulnLibs.Evaluate(ev); len(out.Findings) != 2 {
				b.Fatalf("%d findings: %q", len(out.Findings), out.Value)
			}
		}
	}
	repo := embeddedJSRepo()
	b.Run("prefiltered", func(b *testing.B) { run(b, repo) })
	bare := *repo
	bare.pageKey += "|bare"
	bare.scriptKey += "|bare"
	bare.content = nil
	for _, ex := range repo.content {
		c := *ex
		c.lits, c.needs, c.needIDs = nil, nil, nil
		bare.content = append(bare.content, &c)
	}
	b.Run("unfiltered", func(b *testing.B) { run(b, &bare) })
}

// BenchmarkBuildJSRepo is the one-time cost of compiling the embedded
// retire.js data (on the first DEEP evaluation of a process).
func BenchmarkBuildJSRepo(b *testing.B) {
	for b.Loop() {
		if _, err := buildJSRepo(retireJSData, retireJSDate, "retire.js data"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSRepoMasterFormat: a jsrepository-master.json (several ranges per
// advisory, the summary outside identifiers) reads like the v5 file.
func TestJSRepoMasterFormat(t *testing.T) {
	r, err := buildJSRepo([]byte(`{"gizmo": {
	  "vulnerabilities": [{"ranges": [{"below": "1.2.0"}, {"atOrAbove": "2.0.0", "below": "2.3.1"}],
	    "severity": "critical", "summary": "remote code execution", "identifiers": {"CVE": ["CVE-2099-0002"]}}],
	  "extractors": {"filecontent": ["/\\*! gizmo v(§§version§§)"]}}}`), "2026-12-01", "test")
	if err != nil {
		t.Fatal(err)
	}
	var gizmo *jsLib
	for _, l := range r.libs {
		if l.Key == "gizmo" {
			gizmo = l
		}
	}
	if gizmo == nil || len(gizmo.vulns) != 2 {
		t.Fatalf("gizmo = %+v", gizmo)
	}
	for v, want := range map[string]int{"1.1.9": 1, "1.5.0": 0, "2.2.0": 1, "2.3.1": 0} {
		got := vulnsFor(gizmo.vulns, retireVersion(v))
		if len(got) != want || want == 1 && (got[0].Sev != SeverityCritical || got[0].What != "remote code execution") {
			t.Errorf("%s: %+v, want %d", v, got, want)
		}
	}
	if s := r.inContent([]byte("/*! gizmo v2.2.0 */"), true, "u", nil); len(s) != 1 || s[0].version != "2.2.0" {
		t.Errorf("sightings %+v", s)
	}
}

// TestFileContentReplace: retire's "/regex/replacement/" extractors build
// the version from the match (three.js's REVISION "150" is 0.150.0).
func TestFileContentReplace(t *testing.T) {
	r := embeddedJSRepo()
	for _, tc := range []struct{ lib, body, want string }{
		{"threejs", `var x=1;QuaternionLinearInterpolant=ab;t.REVISION="150";`, "0.150.0"},
		{"jquery", `var a=e.document,b="2.1.4",c=` + strings.Repeat("x", 140) + `;c.fn=c.prototype={jquery:b,`, "2.1.4"},
		{"dojo", `dojo.version={major:1,minor:16,patch:3,flag:""}`, "1.16.3"},
	} {
		var got []string
		n := 0
		for _, ex := range r.content {
			if ex.lib.Key == tc.lib && ex.replace != "" {
				n++
				got = ex.run([]byte(tc.body), got)
			}
		}
		if n == 0 || !slices.Contains(got, tc.want) {
			t.Errorf("%s: %d replace extractors found %q, want %q", tc.lib, n, got, tc.want)
		}
	}
}
