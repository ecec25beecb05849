package scans

import (
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner"
)

func TestFixMarkdown(t *testing.T) {
	grade, score := "C", 64
	done := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	d := Detail{ScanSummary: ScanSummary{ID: "scn_x", TargetURL: "https://bücher.example/", TargetDomain: "bücher.example",
		Depth: "STANDARD", Status: "COMPLETED", Grade: &grade, OverallScore: &score, CompletedAt: &done}}
	d.Counts = scanner.Summary{Total: 3, High: 1, Low: 1, Info: 1}
	d.Findings = []Finding{
		{ID: "1", Finding: scanner.Finding{CheckID: "headers.x-content-type-options", Category: "headers", Severity: "low", Title: "X-Content-Type-Options missing",
			Recommendation: "nginx: add_header X-Content-Type-Options \"nosniff\" always;"}},
		{ID: "2", Finding: scanner.Finding{CheckID: "headers.hsts", Category: "headers", Severity: "high", Title: "HSTS missing",
			Description: "Browsers may be downgraded\nto HTTP.", Evidence: "no header", Recommendation: "nginx: add_header Strict-Transport-Security \"max-age=63072000\" always;"}},
		{ID: "3", Finding: scanner.Finding{CheckID: "dns.dnssec", Category: "dns", Severity: "info", Title: "DNSSEC not enabled"}},
	}
	// Findings arrive most severe first from Detail; emulate that order.
	d.Findings[0], d.Findings[1] = d.Findings[1], d.Findings[0]
	md := FixMarkdown(d, time.Now())

	front, body, ok := strings.Cut(strings.TrimPrefix(md, "---\n"), "\n---\n")
	if !strings.HasPrefix(md, "---\n") || !ok {
		t.Fatalf("no YAML front matter:\n%s", md)
	}
	for _, want := range []string{"format: " + FixFormat, `scanId: "scn_x"`, "date: 2026-11-20T10:00:00Z", `target: "https://bücher.example/"`,
		`grade: "C"`, "score: 64", "  high: 1", "  total: 3"} {
		if !strings.Contains(front, want) {
			t.Errorf("front matter lacks %q:\n%s", want, front)
		}
	}
	hsts := strings.Index(body, "## 1. HSTS missing [HIGH]")
	xcto := strings.Index(body, "## 2. X-Content-Type-Options missing [LOW]")
	if hsts < 0 || xcto < 0 || xcto < hsts {
		t.Errorf("fixes not numbered most severe first:\n%s", body)
	}
	if !strings.Contains(body, "add_header Strict-Transport-Security \"max-age=63072000\" always;") {
		t.Errorf("the config line is missing:\n%s", body)
	}
	if strings.Contains(body, "DNSSEC") {
		t.Errorf("an info finding with nothing to do became a fix")
	}
	if !strings.Contains(body, "Why it matters: Browsers may be downgraded to HTTP.") {
		t.Errorf("description not folded to one line:\n%s", body)
	}
}
