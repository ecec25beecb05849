package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"

	"github.com/palisade/palisade/app/api"
	"github.com/palisade/palisade/app/apptest"
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

// cliScan runs `palisade scan URL --depth QUICK [--json]` through run, the
// command's own code path, and returns stdout, stderr and the exit code.
func cliScan(t *testing.T, target string, asJSON bool) (string, string, int) {
	t.Helper()
	args := []string{"scan", target, "--depth", "QUICK"}
	if asJSON {
		args = append(args, "--json")
	}
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// writeCAFile writes ca's certificate as PEM for PALISADE_SCAN_CA_FILE.
func writeCAFile(t *testing.T, ca *apptest.CA) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// tlsSite is a loopback TLS server with leaf, answering with h.
func tlsSite(t *testing.T, leaf tls.Certificate, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// wellConfigured answers with the headers a careful site sends, so its
// score alone would be well above F.
func wellConfigured(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")
	h.Set("Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<html><head><title>secure</title></head><body>secure</body></html>")
}

// TestScanCommandVerdicts runs the real `palisade scan` code path against
// loopback targets for each verdict issue 13 names: a site that cannot be
// reached, a target the allow list refuses, a challenge page, a cross-port
// redirect to HTTPS and a grade capped by an expired certificate. Each case
// is run as text and as --json (the Scan schema of app/api/openapi.json).
func TestScanCommandVerdicts(t *testing.T) {
	ca := apptest.NewCA(t)
	now := time.Now()
	caFile := writeCAFile(t, ca)

	secure := tlsSite(t, ca.Leaf(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), "127.0.0.1"), http.HandlerFunc(wellConfigured))
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secure.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(redirect.Close)
	expired := tlsSite(t, ca.Leaf(t, now.Add(-72*time.Hour), now.Add(-24*time.Hour), "127.0.0.1"), http.HandlerFunc(wellConfigured))
	challenge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "cloudflare")
		w.Header().Set("CF-Ray", "8a1b2c3d4e5f6789-AMS")
		w.Header().Set("Cf-Mitigated", "challenge")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>`+
			`<script>var a=document.createElement('script');a.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b';</script></body></html>`)
	}))
	t.Cleanup(challenge.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/"
	l.Close()

	type check func(t *testing.T, out, errOut string, d map[string]any)
	cases := []struct {
		name   string
		target string
		allow  string // PALISADE_SCAN_ALLOW_CIDRS
		code   int
		// stderr and stdout (text output) must contain / must not contain
		errHas, outHas, outNot []string
		// notGraded reason in --json ("" for a graded scan)
		reason scanner.NotGradedReason
		// json holds the case's own checks of the --json output
		json check
	}{
		{name: "unreachable closed port", target: closed, allow: "127.0.0.0/8", code: exitNotGraded,
			errHas: []string{"could not scan: ", "refused", "try: "}, outHas: []string{"not graded (unreachable)"}, outNot: []string{"grade ", "/100", "[critical]", "[high]"},
			reason: scanner.NotGradedUnreachable},
		// A target the allow list does not open is refused before anything
		// is fetched: one sentence on stderr, nothing on stdout, exit 1.
		{name: "refused loopback", target: redirect.URL + "/", allow: "", code: 1,
			errHas: []string{"palisade: ", "loopback address", "does not scan"}, outNot: []string{"grade", "/100"}},
		{name: "refused private address", target: "http://10.1.2.3/", allow: "127.0.0.0/8", code: 1,
			errHas: []string{"palisade: ", "10.1.2.3", "does not scan"}, outNot: []string{"grade", "/100"}},
		{name: "challenge page", target: challenge.URL + "/", allow: "127.0.0.0/8", code: exitNotGraded,
			errHas: []string{"could not scan: ", "Cloudflare", "try: "}, outHas: []string{"not graded (blocked)"}, outNot: []string{"grade ", "/100", "[high]", "[critical]"},
			reason: scanner.NotGradedBlocked},
		{name: "cross-port redirect to HTTPS", target: redirect.URL + "/", allow: "127.0.0.0/8", code: 0,
			outHas: []string{"grade ", "scoring "}, outNot: []string{"grade F", "HTTPS is not available", "not graded"},
			json: func(t *testing.T, out, errOut string, d map[string]any) {
				if g, _ := d["grade"].(string); g == "" || g == "F" {
					t.Errorf("grade %v, want a grade better than F", d["grade"])
				}
				https, ok := checkOf(d, "tls.https")
				if !ok || https["status"] != string(scanner.StatusPass) || !strings.Contains(fmt.Sprint(https["value"]), strings.TrimPrefix(secure.URL, "https://")) {
					t.Errorf("tls.https %v: want pass, naming where the chain ended (%s)", https, secure.URL)
				}
				if hsts, _ := checkOf(d, "headers.hsts"); hsts["status"] != string(scanner.StatusPass) {
					t.Errorf("headers.hsts %v: HSTS is read from the final HTTPS response", hsts)
				}
			}},
		{name: "grade capped by an expired certificate", target: expired.URL + "/", allow: "127.0.0.0/8", code: 0,
			outHas: []string{"grade F  score ", "grade F — capped: "}, outNot: []string{"not graded"},
			json: func(t *testing.T, out, errOut string, d map[string]any) {
				score, _ := d["overallScore"].(float64)
				cp, _ := d["gradeCap"].(map[string]any)
				if d["grade"] != "F" || score < 50 || cp == nil || cp["grade"] != "F" || !strings.HasPrefix(fmt.Sprint(cp["checkId"]), "tls.") {
					t.Errorf("grade %v score %v cap %v: want F capped by a TLS check from a score above F's range", d["grade"], d["overallScore"], d["gradeCap"])
				}
				reason, _ := cp["reason"].(string)
				if !strings.Contains(reason, "certificate") || !strings.Contains(out, "grade F — capped: "+reason+"\n") {
					t.Errorf("cap reason %q: the text output must give it after \"capped:\"", reason)
				}
				if !strings.Contains(out, fmt.Sprintf("grade F  score %d/100", int(score))) {
					t.Errorf("text output does not show the score %d beside the capped grade", int(score))
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PALISADE_SCAN_ALLOW_CIDRS", tc.allow)
			t.Setenv("PALISADE_SCAN_CA_FILE", caFile)
			out, errOut, code := cliScan(t, tc.target, false)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.errHas {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			for _, w := range tc.outHas {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			for _, w := range tc.outNot {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q", w)
				}
			}
			jout, jerr, jcode := cliScan(t, tc.target, true)
			if jcode != tc.code {
				t.Errorf("--json: exit %d, want %d", jcode, tc.code)
			}
			if tc.code == 1 {
				// Refused: one sentence, on one line, and no output at all.
				if jout != "" || out != "" || strings.Count(errOut, "\n") != 1 || jerr != errOut {
					t.Errorf("a refusal printed stdout %q / %q, stderr %q / %q; want one line on stderr", out, jout, errOut, jerr)
				}
				return
			}
			var d map[string]any
			if err := json.Unmarshal([]byte(jout), &d); err != nil {
				t.Fatalf("--json printed invalid JSON: %v", err)
			}
			assertScanSchema(t, []byte(jout))
			if tc.reason != "" {
				ng, _ := d["notGraded"].(map[string]any)
				if d["grade"] != nil || d["overallScore"] != nil || ng == nil || ng["reason"] != string(tc.reason) || len(d["findings"].([]any)) != 0 {
					t.Errorf("JSON: grade %v score %v notGraded %v findings %v; want not graded (%s)", d["grade"], d["overallScore"], d["notGraded"], d["findings"], tc.reason)
				}
			} else if d["notGraded"] != nil || d["grade"] == nil || d["scoringVersion"] == "" {
				t.Errorf("JSON: notGraded %v grade %v scoringVersion %v; want graded", d["notGraded"], d["grade"], d["scoringVersion"])
			}
			if tc.json != nil {
				tc.json(t, out, errOut, d)
			}
		})
	}
}

// checkOf finds a check by id in the categories of a --json result.
func checkOf(d map[string]any, id string) (map[string]any, bool) {
	cats, _ := d["categories"].([]any)
	for _, c := range cats {
		cm, _ := c.(map[string]any)
		checks, _ := cm["checks"].([]any)
		for _, ch := range checks {
			if m, _ := ch.(map[string]any); m != nil && m["id"] == id {
				return m, true
			}
		}
	}
	return nil, false
}

// TestScanCommandCancelled: the real binary scanning a target that accepts
// and never answers is interrupted (SIGINT, as Ctrl-C does): it prints the
// scan as not graded (cancelled), says so on stderr and exits 3.
func TestScanCommandCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 1)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	tarpit := "http://" + ln.Addr().String() + "/"
	bin := buildBinary(t)
	for _, asJSON := range []bool{false, true} {
		t.Run(fmt.Sprintf("json %v", asJSON), func(t *testing.T) {
			args := []string{"scan", tarpit, "--depth", "QUICK"}
			if asJSON {
				args = append(args, "--json")
			}
			select { // a connection of the previous run does not count
			case <-accepted:
			default:
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "PALISADE_SCAN_ALLOW_CIDRS=127.0.0.0/8")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-accepted:
			case err := <-exited:
				t.Fatalf("the scan ended before it reached the target: %v\n%s%s", err, out.String(), errb.String())
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the scan never connected to the target")
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the scan did not stop on SIGINT")
			}
			code := 0
			if ee, ok := werr.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if werr != nil {
				t.Fatal(werr)
			}
			if code != exitNotGraded || !strings.Contains(errb.String(), "could not scan: ") || !strings.Contains(errb.String(), "cancelled") {
				t.Errorf("exit %d, stderr %q; want %d and \"could not scan: …cancelled…\"", code, errb.String(), exitNotGraded)
			}
			if !asJSON {
				if !strings.Contains(out.String(), "CANCELLED  not graded (cancelled)") || strings.Contains(out.String(), "grade ") || strings.Contains(out.String(), "Nothing to fix") {
					t.Errorf("text output:\n%s", out.String())
				}
				return
			}
			var d map[string]any
			if err := json.Unmarshal(out.Bytes(), &d); err != nil {
				t.Fatalf("--json printed invalid JSON: %v\n%s", err, out.String())
			}
			assertScanSchema(t, out.Bytes())
			ng, _ := d["notGraded"].(map[string]any)
			if d["status"] != string(domain.StatusCancelled) || d["grade"] != nil || d["overallScore"] != nil || ng == nil || ng["reason"] != string(scanner.NotGradedCancelled) || len(d["findings"].([]any)) != 0 {
				t.Errorf("JSON: status %v grade %v score %v notGraded %v findings %v; want cancelled, not graded", d["status"], d["grade"], d["overallScore"], d["notGraded"], d["findings"])
			}
		})
	}
}

// assertScanSchema holds `palisade scan --json` output to the Scan schema of
// app/api/openapi.json, which Detail promises it prints.
func assertScanSchema(t *testing.T, raw []byte) {
	t.Helper()
	doc, err := libopenapi.NewDocument(api.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	proxy, ok := model.Model.Components.Schemas.Get("Scan")
	if !ok || proxy.Schema() == nil {
		t.Fatal("app/api/openapi.json has no Scan schema")
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("--json printed invalid JSON: %v", err)
	}
	if ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaObjectWithVersion(proxy.Schema(), v, 3.1); !ok {
		for _, e := range errs {
			t.Errorf("--json does not match the Scan schema: %s: %s", e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("    at %s (%s): %s", f.FieldPath, f.KeywordLocation, f.Reason)
			}
		}
	}
}
