package scanner

import (
	"strings"
	"testing"
)

// TestSetCookieParse pins attribute parsing of Set-Cookie lines.
func TestSetCookieParse(t *testing.T) {
	cases := []struct {
		line string
		ok   bool
		want setCookie
	}{
		{"sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax", true, setCookie{Name: "sid", Value: "abc", Secure: true, HTTPOnly: true, HasSameSite: true, SameSite: "lax", SameSiteValid: true, HasPath: true, Path: "/"}},
		{" a = b ;secure=ignored;HTTPONLY", true, setCookie{Name: "a", Value: "b", Secure: true, HTTPOnly: true}},
		{"a=b; SameSite", true, setCookie{Name: "a", Value: "b", HasSameSite: true}},
		{"a=b; samesite=Nonsense; Domain=.example.com; Max-Age=60; Partitioned", true, setCookie{Name: "a", Value: "b", HasSameSite: true, SameSite: "nonsense", HasDomain: true, Domain: ".example.com", HasExpiry: true, Partitioned: true}},
		{"a=b=c", true, setCookie{Name: "a", Value: "b=c"}},
		{"novalue", false, setCookie{}},
		{"=value", false, setCookie{}},
		{"", false, setCookie{}},
	}
	for _, tc := range cases {
		got, ok := parseSetCookie(tc.line)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseSetCookie(%q) = %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzSetCookie checks that parsing never panics, that names are trimmed
// and non-empty, and that flags survive a re-serialisation.
func FuzzSetCookie(f *testing.F) {
	for _, s := range []string{"sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax", "a=b; SameSite", "__Host-x=1; Path=/; Secure",
		"=x", ";;;", "a=b; Domain=example.com; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "a=\x00b; secure\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, ok := parseSetCookie(line)
		if !ok {
			return
		}
		if c.Name == "" || c.Name != strings.TrimSpace(c.Name) || strings.Contains(c.Name, ";") || strings.Contains(c.Name, "=") {
			t.Fatalf("bad name %q", c.Name)
		}
		if c.SameSiteValid && !c.HasSameSite {
			t.Fatal("valid SameSite without the attribute")
		}
		line2 := c.Name + "=v"
		if c.Secure {
			line2 += "; Secure"
		}
		if c.HTTPOnly {
			line2 += "; HttpOnly"
		}
		c2, ok2 := parseSetCookie(line2)
		if !ok2 || c2.Secure != c.Secure || c2.HTTPOnly != c.HTTPOnly || c2.Name != c.Name {
			t.Fatalf("round trip of %q: %+v", line2, c2)
		}
	})
}
