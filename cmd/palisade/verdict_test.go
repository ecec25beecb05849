package main

import (
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
)

// TestScanCommandNotGraded: a closed loopback port cannot be scanned: the
// command says so on stderr ("could not scan: …" and what to try) and exits
// 3, with --json too, where the JSON (grade and score null, notGraded set)
// is still printed.
func TestScanCommandNotGraded(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/"
	l.Close()
	t.Setenv("PALISADE_SCAN_ALLOW_CIDRS", "127.0.0.0/8")
	for _, asJSON := range []bool{false, true} {
		args := []string{"scan", closed, "--depth", "QUICK"}
		if asJSON {
			args = append(args, "--json")
		}
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb)
		if code != exitNotGraded || !strings.Contains(errb.String(), "could not scan: ") || !strings.Contains(errb.String(), "try: ") {
			t.Errorf("--json %v: exit %d, stderr %q; want %d and \"could not scan: …\"", asJSON, code, errb.String(), exitNotGraded)
		}
		if strings.Contains(out.String(), "grade F") || strings.Contains(out.String(), "0/100") {
			t.Errorf("--json %v: an unreachable site is graded:\n%s", asJSON, out.String())
		}
		if !asJSON {
			if !strings.Contains(out.String(), "not graded") {
				t.Errorf("text output does not say not graded:\n%s", out.String())
			}
			continue
		}
		var d map[string]any
		if err := json.Unmarshal(out.Bytes(), &d); err != nil {
			t.Fatalf("--json printed invalid JSON: %v\n%s", err, out.String())
		}
		ng, _ := d["notGraded"].(map[string]any)
		if d["grade"] != nil || d["overallScore"] != nil || ng == nil || len(d["findings"].([]any)) != 0 {
			t.Errorf("JSON: grade %v score %v notGraded %v findings %v", d["grade"], d["overallScore"], d["notGraded"], d["findings"])
		}
		// The scanner engine names the reason (issue 13); until then it is "failed".
		if ng["reason"] != string(scanner.NotGradedUnreachable) {
			t.Errorf("notGraded reason %v, want unreachable", ng["reason"])
		}
	}
}

// TestPrintScan: the text output explains a capped grade, names the scoring
// version, shows skipped checks as skipped with their reason, and keeps
// control characters from the site out of the terminal.
func TestPrintScan(t *testing.T) {
	base := func() *scanner.Result {
		return &scanner.Result{TargetURL: "https://h.example:8443/", Depth: scanner.Quick, Grade: "F", OverallScore: 62, ScoringVersion: "2.0.0+ab12cd34",
			Categories: []scanner.Category{{Name: "dns", Checks: []scanner.CheckResult{
				{ID: "dns.caa", Name: "CAA", Status: scanner.StatusSkipped, Reason: "the target is an IP address"},
				{ID: "dns.mx", Name: "MX", Status: scanner.StatusSkipped, Reason: "the target is an IP address"},
				{ID: "exposure.sensitive-files", Name: "Files", Status: scanner.StatusSkipped, Reason: "runs at DEEP scans"},
				{ID: "dns.spf", Name: "SPF", Status: scanner.StatusPass},
				{ID: "tls.expiry", Name: "Expiry", Status: scanner.StatusError, Reason: "no certificate was received"}}}},
			Findings: []scanner.Finding{{CheckID: "headers.csp", Severity: scanner.SeverityHigh, Title: "CSP \x1b[31mmissing\x1b[0m"}}}
	}
	for _, tc := range []struct {
		name      string
		res       func() *scanner.Result
		want, not []string
	}{
		{"capped", func() *scanner.Result {
			r := base()
			r.GradeCap = &scanner.GradeCap{Grade: "F", Reason: "the certificate has expired", CheckID: "tls.expiry"}
			return r
		}, []string{"h.example:8443  COMPLETED  grade F  score 62/100", "grade F — capped: the certificate has expired", "scoring 2.0.0+ab12cd34",
			"skipped dns.caa, dns.mx: the target is an IP address", "skipped exposure.sensitive-files: runs at DEEP scans", "error   Expiry (tls.expiry): no certificate was received", "[high] CSP  [31mmissing [0m"},
			[]string{"\x1b", "SPF"}},
		{"not capped", base, []string{"grade F  score 62/100"}, []string{"capped"}},
		{"not graded", func() *scanner.Result {
			r := base()
			r.NotGraded = &scanner.NotGraded{Reason: scanner.NotGradedBlocked, Detail: "A challenge page answered."}
			r.Grade, r.Findings = "", nil
			return r
		}, []string{"not graded (blocked)"}, []string{"grade F", "/100", "CSP", "Expiry", "skipped"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			printScan(&b, "h.example", domain.StatusCompleted, tc.res())
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("has %q:\n%s", w, b.String())
				}
			}
		})
	}
}
