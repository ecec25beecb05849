package scanner

import "testing"

// TestCheckContentVulnLibs recognises library versions from CDN URLs, file
// names, WordPress ?ver= and script banners, and names the CVEs.
func TestCheckContentVulnLibs(t *testing.T) {
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	script := func(url, body string) *Evidence {
		return ckWith(ckPage("<p>x</p>"), func(ev *Evidence) {
			ev.Scripts = map[string]*Response{url: ckResp(url, 200, body, "Content-Type: application/javascript")}
		})
	}
	runCheckCases(t, []checkCase{
		{name: "nothing recognised", id: idContentVulnLibs, ev: p(`<script src="/app.js"></script>`), want: StatusPass, value: "no known library", score: 1},
		{name: "current jquery", id: idContentVulnLibs, ev: p(`<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>`), want: StatusPass, value: "jQuery 3.7.1", score: 1},
		{name: "old jquery from code.jquery.com", id: idContentVulnLibs, ev: p(`<script src="https://code.jquery.com/jquery-3.4.1.min.js"></script>`), want: StatusFail, value: "CVE-2020-11022", score: 0, find: "CVE-2020-11023"},
		{name: "ancient jquery from google", id: idContentVulnLibs, ev: p(`<script src="https://ajax.googleapis.com/ajax/libs/jquery/1.8.3/jquery.min.js"></script>`), want: StatusFail, value: "CVE-2012-6708", score: 0},
		{name: "jquery on wordpress", id: idContentVulnLibs, ev: p(`<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.4.1"></script><script src="/wp-includes/js/jquery/jquery-migrate.min.js?ver=3.4.1"></script>`), want: StatusFail, value: "jQuery 3.4.1", score: 0},
		{name: "jsdelivr bootstrap", id: idContentVulnLibs, ev: p(`<script src="https://cdn.jsdelivr.net/npm/bootstrap@4.3.0/dist/js/bootstrap.bundle.min.js"></script>`), want: StatusFail, value: "CVE-2019-8331", score: 0},
		{name: "bootstrap 4.3.1 fixed", id: idContentVulnLibs, ev: p(`<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js"></script>`), want: StatusPass, value: "Bootstrap 4.3.1", score: 1},
		{name: "bootstrap 3.3.7", id: idContentVulnLibs, ev: p(`<script src="https://maxcdn.bootstrapcdn.com/bootstrap/3.3.7/js/bootstrap.min.js"></script>`), want: StatusFail, value: "CVE-2018-14040", score: 0},
		{name: "angularjs eol", id: idContentVulnLibs, ev: p(`<script src="https://ajax.googleapis.com/ajax/libs/angularjs/1.8.2/angular.min.js"></script>`), want: StatusWarn, value: "AngularJS 1.8.2", score: 0.5, find: "end-of-life"},
		{name: "old angularjs", id: idContentVulnLibs, ev: p(`<script src="https://cdnjs.cloudflare.com/ajax/libs/angular.js/1.5.8/angular.min.js"></script>`), want: StatusFail, value: "CVE-2020-7676", score: 0},
		{name: "lodash cdnjs", id: idContentVulnLibs, ev: p(`<script src="https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.15/lodash.min.js"></script>`), want: StatusFail, value: "CVE-2021-23337", score: 0},
		{name: "moment unpkg", id: idContentVulnLibs, ev: p(`<script src="https://unpkg.com/moment@2.29.1/min/moment.min.js"></script>`), want: StatusFail, value: "CVE-2022-31129", score: 0},
		{name: "handlebars file name", id: idContentVulnLibs, ev: p(`<script src="/js/handlebars-v4.0.5.js"></script>`), want: StatusFail, value: "CVE-2019-19919", score: 0},
		{name: "jquery ui wordpress", id: idContentVulnLibs, ev: p(`<script src="/wp-includes/js/jquery/ui/core.min.js?ver=1.12.1"></script>`), want: StatusFail, value: "jQuery UI 1.12.1", score: 0},
		{name: "jquery banner in bundle", id: idContentVulnLibs, ev: script("https://example.com/static/vendor.js", "/*! jQuery v2.2.4 | (c) jQuery Foundation | jquery.org/license */\n!function(a,b){}"), want: StatusFail, value: "jQuery 2.2.4", score: 0},
		{name: "jquery ui banner not jquery", id: idContentVulnLibs, ev: script("https://example.com/ui.js", "/*! jQuery UI - v1.13.2 - 2022-07-14 */"), want: StatusPass, value: "jQuery UI 1.13.2", score: 1},
		{name: "lodash version constant", id: idContentVulnLibs, ev: script("https://example.com/l.js", "/** @license Lodash <https://lodash.com/> */\n;(function(){var undefined;var VERSION = '4.17.11';}())"), want: StatusFail, value: "Lodash 4.17.11", score: 0},
		{name: "moment banner", id: idContentVulnLibs, ev: script("https://example.com/m.js", "//! moment.js\n//! version : 2.18.1\n"), want: StatusFail, value: "Moment.js 2.18.1", score: 0},
		{name: "angular 2+ is not angularjs", id: idContentVulnLibs, ev: p(`<script src="https://cdn.jsdelivr.net/npm/@angular/core@15.0.0/bundles/core.umd.js"></script>`), want: StatusPass, score: 1},
		{name: "page missing", id: idContentVulnLibs, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
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
