package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
)

// deepCoverage is what a DEEP scan cut short by its limits read: issue 14's
// 25 of 34 pages, a script read to 512 KiB, and a hostile file name.
func deepCoverage() *scanner.Coverage {
	return &scanner.Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25, ScriptsFetched: 12, ScriptsReferenced: 20, ScriptLimit: 25,
		Truncated: []scanner.TruncatedBody{{URL: "https://shop.example/static/app.js", BytesRead: 512 << 10, Size: 617_000},
			{URL: "https://shop.example/<script>alert(1)<%2Fscript>.js", BytesRead: 512 << 10}},
		ProbesSent: 31}
}

// TestScanPageCoverage: the scan page says what was read and what a limit
// left unread; a result that does not record it shows no such line.
func TestScanPageCoverage(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "coverage@example.com")
	acc := accountOf(t, env, "coverage@example.com")
	deep := verdictResult("https://shop.example/", 90, "A", nil)
	deep.Depth = scanner.Deep
	deep.Coverage = deepCoverage()
	quick := verdictResult("https://shop.example/", 90, "A", nil)
	quick.Coverage = &scanner.Coverage{PagesCrawled: 1, PagesDiscovered: 1, PageLimit: 1}
	old := verdictResult("https://shop.example/", 90, "A", nil)

	page := func(res *scanner.Result) *apptest.Page {
		id := storeScan(t, env, acc, stored{url: "https://shop.example/", status: domain.StatusCompleted, res: res})
		p := b.Get("/scans/" + id)
		if p.Status != http.StatusOK {
			t.Fatalf("scan page = %d", p.Status)
		}
		return p
	}
	p := page(deep)
	if got := text(p.Doc, "coverage"); !strings.HasPrefix(got, "25 of 34 pages, 12 of 20 scripts, 2 bodies truncated (app.js: 512 of 603 KiB; ") ||
		!strings.Contains(got, "31 probes") {
		t.Errorf("coverage = %q", got)
	}
	if got := text(p.Doc, "coverage-limits"); !strings.Contains(got, "25 of 34 pages found were crawled (the limit is 25)") ||
		!strings.Contains(got, "12 of 20 scripts referenced were fetched") {
		t.Errorf("limits = %q", got)
	}
	if p.Doc.Find(`[data-testid="coverage"] script`).Length() != 0 {
		t.Error("a file name from the scanned site became markup")
	}
	p = page(quick)
	if got := text(p.Doc, "coverage"); got != "the main page" || p.Doc.Find(`[data-testid="coverage-limits"]`).Length() != 0 {
		t.Errorf("QUICK coverage = %q, limits shown: %d", got, p.Doc.Find(`[data-testid="coverage-limits"]`).Length())
	}
	p = page(old)
	if n := p.Doc.Find(`[data-testid="coverage"]`).Length(); n != 0 {
		t.Errorf("a result without coverage shows %d coverage lines", n)
	}
}

// TestScanPageEvidenceKeepsLines: evidence listing one URL a line (mixed
// content) is shown with its lines, in a code element styled pre-wrap, and
// stays text.
func TestScanPageEvidenceKeepsLines(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "evidence@example.com")
	acc := accountOf(t, env, "evidence@example.com")
	ev := "<img src> http://img.example/a.png\n<css> url() http://img.example/b.png (in /site.css)\n<script>alert(1)</script>"
	res := verdictResult("https://shop.example/", 80, "B", nil, scanner.Finding{CheckID: "content.mixed-content", Category: "content",
		Severity: scanner.SeverityLow, Title: "Passive mixed content", Evidence: ev})
	id := storeScan(t, env, acc, stored{url: "https://shop.example/", status: domain.StatusCompleted, res: res})
	p := b.Get("/scans/" + id)
	if p.Status != http.StatusOK {
		t.Fatalf("scan page = %d", p.Status)
	}
	sel := p.Doc.Find(`[data-testid="finding-evidence"]`)
	if got := sel.Text(); got != ev || !sel.HasClass("evidence") {
		t.Errorf("evidence %q (class %q), want the three lines as text", got, sel.AttrOr("class", ""))
	}
	if sel.Find("script").Length() != 0 {
		t.Error("evidence from the scanned site became markup")
	}
}
