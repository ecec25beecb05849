package app_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
)

// Loopback end-to-end of issue 13 on the web and PDF surfaces: each kind
// of target a scan cannot grade (docs/scoring.md, "Scans that are not
// graded") and the cross-port redirect that must be graded (docs/scoring.md,
// "Statuses") are scanned for real through the web's scan form, then read
// on the scan page and, for the completed ones, in the PDF the worker
// renders. The API side is TestNotGradedOverAPI.

// challengeSite answers every request as a Cloudflare managed challenge does.
func challengeSite(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "cloudflare")
		w.Header().Set("Cf-Mitigated", "challenge")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><div id="challenge-platform">Checking your browser</div><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// closedPort is the URL of a loopback port nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String() + "/"
	l.Close()
	return u
}

// crossPortSite is a plain-HTTP loopback site redirecting to a valid HTTPS
// page on another port that sends HSTS; its certificate is issued by a test
// CA the scanner is told to trust (PALISADE_SCAN_CA_FILE). It returns the
// plain URL, the HTTPS URL and that CA file.
func crossPortSite(t *testing.T) (plainURL, secureURL, caFile string) {
	t.Helper()
	ca := apptest.NewCA(t)
	leaf := ca.Leaf(t, time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour), "127.0.0.1")
	_, _, caFile = ca.WritePEM(t, leaf)
	secure := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>t</title></head><body>secure</body></html>"))
	}))
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	secure.StartTLS()
	t.Cleanup(secure.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secure.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(plain.Close)
	return plain.URL + "/", secure.URL + "/", caFile
}

// startWebScan submits the dashboard's scan form and returns the scan
// page's path it redirects to.
func startWebScan(t *testing.T, b *apptest.Browser, target string) string {
	t.Helper()
	b.Get("/dashboard")
	p := b.Post("/scans", url.Values{"url": {target}, "depth": {"QUICK"}})
	if p.Status != http.StatusOK || !strings.HasPrefix(p.URL.Path, "/scans/scn_") {
		t.Fatalf("scan form for %s ended at %s (%d): %s", target, p.URL, p.Status, text(p.Doc, "error-url"))
	}
	return p.URL.Path
}

// waitScanPage polls the scan page until it shows the result.
func waitScanPage(t *testing.T, b *apptest.Browser, path string) *goquery.Document {
	t.Helper()
	var doc *goquery.Document
	apptest.WaitFor(t, 60*time.Second, "the scan at "+path+" finishing", func() bool {
		doc = b.Get(path).Doc
		return doc.Find(`[data-testid="scan-result"]`).Length() == 1
	})
	return doc
}

// webReport generates a PDF report with the scan page's button, waits for
// the worker to render it, downloads it and returns it.
func webReport(t *testing.T, b *apptest.Browser, scanPath string) []byte {
	t.Helper()
	page := b.Get(scanPath)
	if page.Doc.Find(`[data-testid="generate-report"]`).Length() != 1 {
		t.Fatalf("the scan page of a completed scan has no report button")
	}
	if frag := b.PostHTMX(scanPath+"/reports", nil); frag.Status != http.StatusOK {
		t.Fatalf("generate report = %d", frag.Status)
	}
	var link string
	apptest.WaitFor(t, 60*time.Second, "the report of "+scanPath+" ready", func() bool {
		link = b.Get(scanPath).Doc.Find(`[data-testid="download-report"]`).First().AttrOr("href", "")
		return link != ""
	})
	pdf := b.Get(link)
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("download %s = %d %s", link, pdf.Status, pdf.Header.Get("Content-Type"))
	}
	return []byte(pdf.Body)
}

// gradeLetter matches a grade as the PDF prints one on its own ("A+", "F").
var gradeLetter = regexp.MustCompile(`(?m)^\s*(A\+|A|B|C|D|E|F)\s*$`)

func TestVerdictSurfacesEndToEnd(t *testing.T) {
	plainURL, secureURL, caFile := crossPortSite(t)
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.ScanCAFile = caFile }))
	b := signUp(t, env, "surfaces@example.com")
	challenge := challengeSite(t)

	t.Run("refused: a private address is refused by the form and nothing is stored", func(t *testing.T) {
		b.Get("/dashboard")
		p := b.Post("/scans", url.Values{"url": {"http://10.0.0.1/"}, "depth": {"QUICK"}})
		if p.Status != http.StatusUnprocessableEntity || text(p.Doc, "error-url") == "" {
			t.Errorf("a private address = %d at %s, error %q; want 422 with the refusal on the url field", p.Status, p.URL, text(p.Doc, "error-url"))
		}
		if n := env.C.DB.Ent.Scan.Query().CountX(t.Context()); n != 0 {
			t.Errorf("%d scans stored after a refusal", n)
		}
	})

	notGraded := []struct {
		name, reason string
		target       func(t *testing.T) string
		cancel       bool // cancelled through the web's cancel button while it runs
		pdf          bool // COMPLETED, so it has a PDF
	}{
		{"unreachable", "unreachable", closedPort, false, false},
		{"challenge page", "blocked", func(*testing.T) string { return challenge.URL + "/" }, false, true},
		{"cancelled", "cancelled", tarpit, true, false},
	}
	for _, tc := range notGraded {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target(t)
			path := startWebScan(t, b, target)
			if tc.cancel {
				apptest.WaitFor(t, 20*time.Second, "the scan running", func() bool {
					return b.Get(path).Doc.Find(`[data-testid="cancel-scan"]`).Length() == 1 &&
						env.C.DB.Ent.Scan.GetX(t.Context(), strings.TrimPrefix(path, "/scans/")).Status == domain.StatusRunning
				})
				form := b.Get(path).Doc.Find(`[data-testid="scan-progress"] form`)
				if p := b.Post(form.AttrOr("action", ""), nil); p.Status != http.StatusOK {
					t.Fatalf("cancel = %d", p.Status)
				}
			}
			doc := waitScanPage(t, b, path)
			notGradedPage(t, doc, tc.reason)
			if doc.Find(`[data-testid="finding"]`).Length() != 0 || doc.Find(`[data-testid="check"]`).Length() != 0 {
				t.Errorf("a scan that was not graded lists findings or checks")
			}
			if got := text(doc, "target-url"); got != target {
				t.Errorf("target = %q, want %q", got, target)
			}
			detail := text(doc, "not-graded-detail")
			if tc.reason == "blocked" && !strings.Contains(strings.ToLower(detail), "cloudflare") {
				t.Errorf("detail %q does not name the challenge", detail)
			}
			if tc.reason == "unreachable" && !strings.Contains(detail, strings.TrimSuffix(strings.TrimPrefix(target, "http://"), "/")) {
				t.Errorf("detail %q does not name host:port", detail)
			}
			if !tc.pdf {
				if doc.Find(`[data-testid="generate-report"]`).Length() != 0 {
					t.Errorf("a %s scan offers a PDF report", tc.name)
				}
				return
			}
			pdf := pdfText(t, webReport(t, b, path))
			if pdf == "" {
				return
			}
			flat := strings.Join(strings.Fields(pdf), " ")
			if !strings.Contains(flat, "Not graded") || !strings.Contains(flat, detail) {
				t.Errorf("the PDF lacks \"Not graded\" or the detail %q:\n%s", detail, pdf)
			}
			for _, bad := range []string{"How to fix", "/ 100", "/100", "OVERALL SCORE", "All checks", "HTTPS is not available", "Fail"} {
				if strings.Contains(flat, bad) {
					t.Errorf("the PDF of a scan that was not graded says %q:\n%s", bad, pdf)
				}
			}
			// The grading scale in "About this report" prints every letter;
			// nothing before it may.
			before, _, _ := strings.Cut(pdf, "About this report\n")
			if m := gradeLetter.FindString(before); m != "" {
				t.Errorf("the PDF of a scan that was not graded shows the grade %q:\n%s", strings.TrimSpace(m), pdf)
			}
		})
	}

	t.Run("cross-port redirect to HTTPS is graded where the chain ended", func(t *testing.T) {
		path := startWebScan(t, b, plainURL)
		doc := waitScanPage(t, b, path)
		if n := doc.Find(`[data-testid="not-graded"]`).Length(); n != 0 {
			t.Fatalf("not graded: %s", text(doc, "not-graded-detail"))
		}
		g := doc.Find(`[data-testid="scan-hero"] [data-testid="grade"]`).Text()
		if g == "" || g == "–" || g == "F" {
			t.Errorf("grade = %q (%s, cap %q), want a grade better than F", g, text(doc, "score"), text(doc, "grade-cap"))
		}
		for id, want := range map[string]string{"tls.https": "pass", "headers.hsts": "pass"} {
			if got := doc.Find(`[data-testid="check"][data-check-id="`+id+`"]`).AttrOr("data-status", ""); got != want {
				t.Errorf("check %s = %q, want %q", id, got, want)
			}
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="scan-hero"] dt:contains("Ended at") + dd`).Text()); got != secureURL {
			t.Errorf("ended at = %q, want %q", got, secureURL)
		}
		// The page names where the chain ended above; tls.https's value (the
		// API's check value, the PDF's checks table) says HTTPS was there.
		key := env.Key(accountOf(t, env, "surfaces@example.com"))
		d := decode[scanDetail](t, must200(t, env, key, "/api/v1/scan/"+strings.TrimPrefix(path, "/scans/")))
		origin := strings.TrimSuffix(secureURL, "/")
		if v := checkValue(d, "tls.https"); !strings.Contains(v, origin) {
			t.Errorf("tls.https value = %q, want it to name %s", v, origin)
		}
		for _, f := range []string{"tls.https", "headers.hsts"} {
			if doc.Find(`[data-testid="finding"][data-check-id="`+f+`"]`).Length() != 0 {
				t.Errorf("a finding is listed for %s, which passed", f)
			}
		}
		if strings.Contains(doc.Text(), "HTTPS is not available") {
			t.Error(`the page says "HTTPS is not available"`)
		}

		raw := webReport(t, b, path)
		pdf := pdfText(t, raw)
		if pdf == "" {
			return
		}
		host := strings.TrimSuffix(strings.TrimPrefix(plainURL, "http://"), "/")
		flat := strings.Join(strings.Fields(pdf), " ")
		if !strings.Contains(flat, host) {
			t.Errorf("the PDF does not name the target %s with its port:\n%s", host, pdf)
		}
		if strings.Contains(flat, "HTTPS is not available") || strings.Contains(flat, "Not graded") {
			t.Errorf("the PDF of a graded HTTPS site says HTTPS is not available or not graded:\n%s", pdf)
		}
		layout := pdfLayoutText(t, raw)
		if !hstsPassLine(layout) {
			t.Errorf("the PDF does not show the HSTS check passing:\n%s", layout)
		}
		if !strings.Contains(flat, "HTTPS reachable at "+origin) {
			t.Errorf("the PDF's HTTPS check does not say HTTPS is reachable at %s:\n%s", origin, pdf)
		}
	})
}

// hstsPassLine reports whether the PDF lists Strict-Transport-Security
// with a pass.
func hstsPassLine(pdf string) bool {
	for _, l := range strings.Split(pdf, "\n") {
		low := strings.ToLower(l)
		if strings.Contains(low, "strict-transport-security") && strings.Contains(low, "pass") {
			return true
		}
	}
	return false
}

// pdfLayoutText is the PDF's text with its layout kept (a check's name and
// status on one line); call it only after pdfText found pdftotext.
func pdfLayoutText(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -layout: %v", err)
	}
	return string(out)
}

func must200(t *testing.T, env *apptest.Env, key, path string) []byte {
	t.Helper()
	code, _, body := env.Do("GET", path, key, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, code, body)
	}
	return body
}

// checkValue is the value the API reports for a check.
func checkValue(d scanDetail, id string) string {
	for _, c := range d.Categories {
		checks, _ := c["checks"].([]any)
		for _, ch := range checks {
			if m, _ := ch.(map[string]any); m["id"] == id {
				v, _ := m["value"].(string)
				return v
			}
		}
	}
	return ""
}
