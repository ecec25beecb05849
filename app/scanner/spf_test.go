package scanner

import "testing"

// TestSPFParse pins mechanism parsing and direct look-up counting.
func TestSPFParse(t *testing.T) {
	cases := []struct {
		rec      string
		all      byte
		lookups  int
		includes int
		redirect string
		problems int
	}{
		{"v=spf1 -all", '-', 0, 0, "", 0},
		{"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx ptr exists:%{i}.e.example include:_spf.example.com ~all", '~', 5, 1, "", 0},
		{"V=SPF1 A/24 MX:mail.example.com/24 ?ALL", '?', 2, 0, "", 0},
		{"v=spf1 redirect=_spf.Example.com.", 0, 1, 0, "_spf.example.com", 0},
		{"v=spf1 a redirect=_spf.example.com -all", '-', 1, 0, "", 0},
		{"v=spf1 include: -all", '-', 1, 0, "", 1},
		{"v=spf1 ipv4:1.2.3.4 +all", '+', 0, 0, "", 1},
		{"v=spf1 exp=explain.example.com -all", '-', 0, 0, "", 0},
	}
	for _, tc := range cases {
		if !isSPF(tc.rec) {
			t.Fatalf("isSPF(%q) = false", tc.rec)
		}
		r := parseSPF(tc.rec)
		if r.All != tc.all || r.Lookups != tc.lookups || len(r.Includes) != tc.includes || r.Redirect != tc.redirect || len(r.Problems) != tc.problems {
			t.Errorf("parseSPF(%q) = all %q lookups %d includes %v redirect %q problems %v", tc.rec, r.All, r.Lookups, r.Includes, r.Redirect, r.Problems)
		}
	}
	for _, s := range []string{"v=spf10 -all", "spf1 -all", "v=DMARC1; p=none", ""} {
		if isSPF(s) {
			t.Errorf("isSPF(%q) = true", s)
		}
	}
}

// FuzzSPF checks that parsing and recursive evaluation of any record never
// panic, terminate on self-including records, and count look-ups sanely.
func FuzzSPF(f *testing.F) {
	for _, s := range []string{"v=spf1 -all", "v=spf1 include:self.example ~all", "v=spf1 redirect=self.example",
		"v=spf1 a mx ptr exists:x include:a include:b ?all", "v=spf1 +all +all -all", "v=spf1 ==== :::: ////", "v=spf1 include:%{d}.x -all"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		if !isSPF(rec) {
			return
		}
		r := parseSPF(rec)
		if r.Lookups < 0 || r.Lookups > maxSPFTerms+1 {
			t.Fatalf("lookups %d", r.Lookups)
		}
		// Every include target resolves to the record itself: loops must end.
		inc := map[string][]string{"self.example": {rec}}
		for _, d := range r.Includes {
			inc[d] = []string{rec}
		}
		if r.Redirect != "" {
			inc[r.Redirect] = []string{rec}
		}
		e := evalSPF(r, inc)
		if e.Lookups < r.Lookups {
			t.Fatalf("recursive count %d below direct count %d", e.Lookups, r.Lookups)
		}
	})
}
