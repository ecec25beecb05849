package reports

import (
	"strings"
	"testing"

	"github.com/palisade/palisade/app/scanner"
)

// TestRenderCoverage: the cover says what the scan read and what a limit
// left unread; text from the site in it is redacted; a result that does not
// record coverage has no such line.
func TestRenderCoverage(t *testing.T) {
	needPoppler(t)
	key := "sk_" + "live_" + "51Hx9aKQ2mZp7Rt3Vw8Yb4Nc6Dd" // assembled: no credential-shaped literal in the source
	in := sampleInput(0, false)
	in.Result.Coverage = &scanner.Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25, ScriptsFetched: 12, ScriptsReferenced: 20, ScriptLimit: 25,
		Truncated:  []scanner.TruncatedBody{{URL: "https://shop.example/static/app.js", BytesRead: 512 << 10, Size: 617_000}, {URL: "https://shop.example/" + key + ".js", BytesRead: 512 << 10}},
		ProbesSent: 31}
	got := pdfText(t, render(t, in))
	for _, want := range []string{"WHAT WAS READ", "25 of 34 pages, 12 of 20 scripts, 2 bodies truncated (app.js: 512 of 603 KiB;", "31 probes",
		"Not everything was read: 25 of 34 pages found were crawled (the limit is 25)"} {
		if !strings.Contains(got, squash(want)) {
			t.Errorf("the report does not say %q", want)
		}
	}
	if strings.Contains(got, key) {
		t.Error("a secret in a file name from the site is shown in full")
	}
	if got := pdfText(t, render(t, sampleInput(0, false))); strings.Contains(got, squash("WHAT WAS READ")) {
		t.Error("a result without coverage has a coverage line")
	}
}
