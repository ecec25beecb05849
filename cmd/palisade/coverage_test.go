package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
)

// TestScanCommandCoverage: `palisade scan` says what it read — for a real
// QUICK scan of a loopback site the main page, truncated when it was — and,
// for a DEEP result cut by its limits, what was left unread.
func TestScanCommandCoverage(t *testing.T) {
	t.Setenv("PALISADE_SCAN_ALLOW_CIDRS", "127.0.0.0/8")
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(3<<20))
		fmt.Fprint(w, "<html><body>"+strings.Repeat("x", 3<<20-12))
	}))
	t.Cleanup(big.Close)
	out, errOut, code := cliScan(t, big.URL+"/", false)
	if code != 0 || !strings.Contains(out, "  read    the main page, 1 body truncated (127.0.0.1:") || !strings.Contains(out, "/: 2048 of 3072 KiB)") ||
		!strings.Contains(out, "  not everything was read: ") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	res := &scanner.Result{TargetURL: "https://shop.example/", Depth: scanner.Deep, Grade: "A", OverallScore: 95,
		Coverage: &scanner.Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25, ScriptsFetched: 20, ScriptsReferenced: 20, ScriptLimit: 25,
			Truncated: []scanner.TruncatedBody{{URL: "https://shop.example/app.js", BytesRead: 512 << 10, Size: 617_000}}, ProbesSent: 31}}
	var b bytes.Buffer
	printScan(&b, "shop.example", domain.StatusCompleted, res)
	for _, want := range []string{"  read    25 of 34 pages, 20 of 20 scripts, 1 body truncated (app.js: 512 of 603 KiB), 31 probes\n",
		"  not everything was read: 25 of 34 pages found were crawled (the limit is 25); https://shop.example/app.js was read to 512 KiB of 603 KiB\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	res.Coverage = nil
	printScan(&b, "shop.example", domain.StatusCompleted, res)
	if strings.Contains(b.String(), "read") {
		t.Errorf("a result without coverage has a coverage line:\n%s", b.String())
	}
}
