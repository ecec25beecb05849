package scanner

import (
	"strings"
	"testing"
)

// TestCSPParse pins the Observatory-compatible parser: lower-casing, empty
// source lists, duplicates, and the intersection of several policies.
func TestCSPParse(t *testing.T) {
	cases := []struct {
		name     string
		policies []string
		wantErr  bool
		want     map[string]string // directive → sorted sources joined by " "
	}{
		{name: "basic", policies: []string{"Default-Src 'SELF' https://A.example; img-src *"},
			want: map[string]string{"default-src": "'self' https://a.example", "img-src": "*"}},
		{name: "empty src list is none", policies: []string{"default-src 'self'; object-src"},
			want: map[string]string{"object-src": "'none'"}},
		{name: "longer same-policy source dropped", policies: []string{"script-src https://a.example https://a.example/js/"},
			want: map[string]string{"script-src": "https://a.example"}},
		{name: "intersection keeps common sources", policies: []string{"default-src 'self' https://a.example", "default-src 'self'"},
			want: map[string]string{"default-src": "'self'"}},
		{name: "directive only in second policy is none", policies: []string{"default-src 'self'", "script-src https://b.example"},
			want: map[string]string{"default-src": "'self'", "script-src": "'none'"}},
		{name: "empty parts skipped", policies: []string{";; default-src 'self' ;"}, want: map[string]string{"default-src": "'self'"}},
		{name: "duplicate directive invalid", policies: []string{"default-src 'self'; DEFAULT-SRC 'none'"}, wantErr: true},
		{name: "duplicate report-uri allowed", policies: []string{"default-src 'self'; report-uri /a; report-uri /b"}, want: map[string]string{"report-uri": "/b"}},
		{name: "too short", policies: []string{"abc"}, wantErr: true},
		{name: "empty policy", policies: []string{""}, wantErr: true},
		{name: "bad percent escape across policies", policies: []string{"img-src https://a.example/%zz/", "img-src https://a.example/%zz/x"}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseCSP(tc.policies)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want error, got %v", p.Directives)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for d, want := range tc.want {
				got := strings.Join(p.Directives[d].sorted(), " ")
				if got != want {
					t.Errorf("%s = %q, want %q", d, got, want)
				}
			}
		})
	}
}

// FuzzCSP checks that any header/meta combination evaluates without panic
// to a known Observatory result, and that parsed directives are normalised.
// Its seed corpus runs with ordinary `go test`.
func FuzzCSP(f *testing.F) {
	for _, s := range []string{
		"default-src 'none'", "default-src 'self'; script-src 'self' 'unsafe-inline'", "script-src 'nonce-a' 'strict-dynamic' https: 'unsafe-inline'",
		"default-src *; img-src http:", "a", "", ";;;", "default-src 'self', script-src 'none'", "img-src https://a/%zz/,img-src https://a/%zz/b",
		"frame-ancestors 'none'; report-uri /r; report-uri /s", "upgrade-insecure-requests", "DEFAULT-SRC\t'SELF'\r\n",
	} {
		f.Add(s, "default-src 'self'", true)
		f.Add(s, "", false)
	}
	known := map[string]bool{cspNoUnsafeDefaultNone: true, cspNoUnsafe: true, cspUnsafeInlineStyleOnly: true, cspInsecurePassiveOnly: true,
		cspUnsafeEval: true, cspUnsafeInline: true, cspInsecureScheme: true, cspDuplicateDirectives: true, cspHeaderInvalid: true,
		cspNotImplemented: true, cspReportOnly: true}
	f.Fuzz(func(t *testing.T, header, meta string, https bool) {
		var metas []string
		if meta != "" {
			metas = []string{meta}
		}
		v := evalCSP([]string{header}, metas, false, https)
		if !known[v.Result] || !known[v.Base] {
			t.Fatalf("unknown result %q/%q", v.Result, v.Base)
		}
		if v.Pass && (v.Base == cspHeaderInvalid || v.Base == cspNotImplemented) {
			t.Fatalf("%s cannot pass", v.Base)
		}
		p, err := parseCSP(splitCSPPolicies([]string{header}))
		if err != nil {
			return
		}
		for d, set := range p.Directives {
			if d == "" || d != strings.ToLower(d) || strings.ContainsAny(d, " \t;,") {
				t.Fatalf("bad directive %q", d)
			}
			if len(set) == 0 {
				t.Fatalf("directive %q with no source", d)
			}
			for s := range set {
				if s == "" || strings.ContainsAny(s, " \t;") {
					t.Fatalf("bad source %q in %q", s, d)
				}
			}
		}
	})
}
