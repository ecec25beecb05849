package scanner

import "testing"

// TestCoverageSummary: the one line every surface shows for what was read.
func TestCoverageSummary(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Coverage
		want string
	}{
		{"none", nil, ""},
		{"quick", &Coverage{PagesCrawled: 1, PagesDiscovered: 1, PageLimit: 1}, "the main page"},
		{"deep", &Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25, ScriptsFetched: 12, ScriptsReferenced: 20, ScriptLimit: 25,
			Truncated: []TruncatedBody{{URL: "https://example.com/static/app.js?v=2", BytesRead: 512 << 10, Size: 617_000}}, ProbesSent: 31},
			"25 of 34 pages, 12 of 20 scripts, 1 body truncated (app.js: 512 of 603 KiB), 31 probes"},
		{"size unknown, root page, hostile name", &Coverage{PagesCrawled: 1, PagesDiscovered: 1, PageLimit: 1, Truncated: []TruncatedBody{
			{URL: "https://example.com/", BytesRead: 2 << 20}, {URL: "https://example.com/a%0Ab.js", BytesRead: 100, Size: 2048}}},
			"the main page, 2 bodies truncated (example.com/: first 2048 KiB; a%0Ab.js: 100 bytes of 2 KiB)"},
		{"seen set full", &Coverage{PagesCrawled: 25, PagesDiscovered: crawlSeenMax, PageLimit: 25, ScriptLimit: 25}, "25 of at least 20000 pages, 0 of 0 scripts"},
	} {
		if got := tc.c.Summary(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
