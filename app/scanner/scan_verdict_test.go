package scanner

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// refusedPort returns a loopback port nothing listens on: connecting to it
// is refused at once. (It was bound a moment ago; a parallel test could
// take it, so the tests using it run one at a time.)
func refusedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return p
}

// assertNotGraded holds a result to the not-graded contract: the reason, no
// grade, score, category grades, points or findings, and every check still
// in the result with its status.
func assertNotGraded(t *testing.T, res *Result, reason NotGradedReason, detailHas string) {
	t.Helper()
	if res.NotGraded == nil {
		t.Fatalf("graded %q %d, want not graded (%s); error %q", res.Grade, res.OverallScore, reason, res.Error)
	}
	ng := res.NotGraded
	if ng.Reason != reason || !strings.Contains(ng.Detail, detailHas) || ng.Advice == "" {
		t.Errorf("not graded %+v, want %s with a detail saying %q and advice", *ng, reason, detailHas)
	}
	if res.Grade != "" || res.OverallScore != 0 || res.GradeCap != nil || len(res.Findings) != 0 || res.Summary != (Summary{}) {
		t.Errorf("grade %q score %d cap %+v, %d findings, summary %+v", res.Grade, res.OverallScore, res.GradeCap, len(res.Findings), res.Summary)
	}
	for _, c := range res.Categories {
		if c.Grade != "" || c.Score != 0 {
			t.Errorf("category %s graded %q %d", c.Name, c.Grade, c.Score)
		}
		for _, cr := range c.Checks {
			if cr.Points != 0 || cr.MaxPoints != 0 {
				t.Errorf("%s has points %v/%v", cr.ID, cr.Points, cr.MaxPoints)
			}
			if (cr.Status == StatusError || cr.Status == StatusSkipped) && cr.Reason == "" {
				t.Errorf("%s is %s without a reason", cr.ID, cr.Status)
			}
		}
	}
	// A scan refused before it started ran nothing; any other shows every check.
	if n := len(res.Categories); n == 0 && res.TargetDomain != "" {
		t.Error("no checks in the result: nobody can see what ran")
	}
	b, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(b), `"notGraded":{"reason":"`+string(reason)+`"`) || !strings.Contains(string(b), `"grade":""`) {
		t.Errorf("json %s", b)
	}
}

// TestScanUnreachableNotGraded: no HTTP response at all (refused, hung up,
// no such host, an https target with no plain-HTTP fallback answering) is
// not graded; the checks are errors saying why.
func TestScanUnreachableNotGraded(t *testing.T) {
	d := scantest.StartDNS(t)
	cases := []struct {
		name      string
		target    func(t *testing.T, s *Scanner) string
		detailHas string
		wantErr   bool
	}{
		{"refused http", func(t *testing.T, s *Scanner) string {
			return "http://127.0.0.1:" + refusedPort(t) + "/"
		}, "refused", false},
		{"hung up", func(t *testing.T, s *Scanner) string {
			return "http://127.0.0.1:" + closedPort(t) + "/"
		}, "did not answer", false},
		{"refused https and its http fallback", func(t *testing.T, s *Scanner) string {
			s.lim.httpPort = refusedPort(t)
			return "https://127.0.0.1:" + refusedPort(t) + "/"
		}, "refused", false},
		{"no such host", func(t *testing.T, s *Scanner) string {
			return "http://nx.palisade.test/"
		}, "does not exist", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestScanner(t, Options{DNSServer: d.Addr}, AllChecks())
			res, err := s.Scan(context.Background(), tc.target(t, s), Quick, nil)
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, ErrRefused)) {
				t.Fatalf("Scan error %v", err)
			}
			assertNotGraded(t, res, NotGradedUnreachable, tc.detailHas)
			if res.Error == "" || res.StatusCode != 0 {
				t.Errorf("error %q status %d: the workers fail a scan by these", res.Error, res.StatusCode)
			}
			if tc.wantErr {
				return
			}
			if cr, ok := findCheck(res, "headers.csp"); !ok || cr.Status != StatusError {
				t.Errorf("headers.csp on an unreachable site: %+v", cr)
			}
		})
	}
}

// cloudflareChallenge answers like Cloudflare's managed challenge; with
// pass set, like the same zone's normal page.
func cloudflareChallenge(pass bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "cloudflare")
		w.Header().Set("CF-Ray", "8a1b2c3d4e5f6789-AMS")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		if pass {
			w.Header().Set("X-Frame-Options", "DENY")
			fmt.Fprint(w, "<html><head><title>Welcome</title></head><body><p>Our shop</p></body></html>")
			return
		}
		w.Header().Set("Cf-Mitigated", "challenge")
		w.Header().Set("Set-Cookie", "__cf_bm=abc; path=/; HttpOnly")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>`+
			`<noscript>Enable JavaScript and cookies to continue</noscript>`+
			`<script>(function(){window._cf_chl_opt={cvId:'3',cZone:'example.com',cType:'managed'};`+
			`var a=document.createElement('script');a.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b';`+
			`document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>`)
	})
}

// TestScanChallengePageNotGraded: a Cloudflare challenge instead of the
// page is not graded (blocked, naming the vendor and what to allow-list);
// the same zone's normal page, cf-ray and all, is graded.
func TestScanChallengePageNotGraded(t *testing.T) {
	for _, pass := range []bool{false, true} {
		t.Run(fmt.Sprintf("normal page %v", pass), func(t *testing.T) {
			srv := httptest.NewServer(cloudflareChallenge(pass))
			defer srv.Close()
			s := newTestScanner(t, Options{}, AllChecks())
			res, err := s.Scan(context.Background(), srv.URL, Quick, nil)
			if err != nil {
				t.Fatal(err)
			}
			if pass {
				if res.NotGraded != nil || res.Grade == "" || len(res.Findings) == 0 {
					t.Errorf("a normal page behind Cloudflare: not graded %+v, grade %q", res.NotGraded, res.Grade)
				}
				return
			}
			assertNotGraded(t, res, NotGradedBlocked, "Cloudflare")
			if !strings.Contains(res.NotGraded.Advice, DefaultUserAgent) || !strings.Contains(res.NotGraded.Advice, "Cloudflare") {
				t.Errorf("advice %q", res.NotGraded.Advice)
			}
			if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Error, "Cloudflare") {
				t.Errorf("status %d error %q", res.StatusCode, res.Error)
			}
		})
	}
}

// TestScanCancelledNotGraded: a scan cancelled while one fetch hangs is
// not graded; the checks that ran keep their verdicts and the others are
// errors saying the scan was cancelled.
func TestScanCancelledNotGraded(t *testing.T) {
	srvURL, s := hangingSecurityTxt(t, "<html><body>hello</body></html>")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	res, err := s.Scan(ctx, srvURL, Standard, func(e Event) {
		if e.CheckID == "headers.page" {
			once.Do(cancel) // mid-scan: the page is in, security.txt hangs
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	assertNotGraded(t, res, NotGradedCancelled, "cancelled")
	if cr, _ := findCheck(res, "headers.page"); cr.Status != StatusPass {
		t.Errorf("a check that ran lost its verdict: %+v", cr)
	}
	if cr, _ := findCheck(res, "exposure.securitytxt"); cr.Status != StatusError || !strings.Contains(cr.Reason, "cancelled") {
		t.Errorf("the check the cancel cut short: %+v", cr)
	}
}

// TestScanDeadlineNotGraded: a scan its deadline ends is failed, not graded.
func TestScanDeadlineNotGraded(t *testing.T) {
	srvURL, s := hangingSecurityTxt(t, "<html></html>")
	s.lim.deadline = func(Depth) time.Duration { return 500 * time.Millisecond }
	res, err := s.Scan(context.Background(), srvURL, Standard, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	assertNotGraded(t, res, NotGradedFailed, "deadline")
}

// hstsSite is a TLS server with a certificate for names, sending HSTS.
func hstsSite(t *testing.T, ca *scantest.CA, names ...string) *httptest.Server {
	now := time.Now()
	leaf := ca.Leaf(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), names...)
	return startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>secure</body></html>")
	}), &tls.Config{Certificates: []tls.Certificate{leaf}})
}

// TestScanCrossPortRedirect: the target's own https:// address gives no
// answer, but its http:// page redirects to a valid HTTPS page on another
// port of the same host sending HSTS: HTTPS counts as available there, the
// TLS facts and HSTS are that endpoint's, and the grade is no F.
func TestScanCrossPortRedirect(t *testing.T) {
	ca := scantest.NewCA(t)
	secure := hstsSite(t, ca, "127.0.0.1")
	plain := redirector(t, secure.URL)
	for _, depth := range []Depth{Quick, Standard} {
		t.Run(string(depth), func(t *testing.T) {
			s := newTestScanner(t, Options{RootCAs: ca.Pool}, AllChecks())
			res, err := s.Scan(context.Background(), plain.URL+"/", depth, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.NotGraded != nil || res.Grade == "F" || res.Grade == "" {
				t.Errorf("grade %q (score %d, cap %+v, not graded %+v)", res.Grade, res.OverallScore, res.GradeCap, res.NotGraded)
			}
			cr, _ := findCheck(res, "tls.https")
			if cr.Status != StatusPass || !strings.Contains(cr.Value, secure.URL) {
				t.Errorf("tls.https = %+v", cr)
			}
			if cr, _ := findCheck(res, "headers.hsts"); cr.Status != StatusPass {
				t.Errorf("headers.hsts = %+v", cr)
			}
			for _, f := range res.Findings {
				if f.CheckID == "tls.https" || f.CheckID == "headers.hsts" {
					t.Errorf("finding %q", f.Title)
				}
			}
			if res.TLS == nil || !res.TLS.Trusted || res.FinalURL != secure.URL+"/" {
				t.Errorf("tls %+v final %q", res.TLS, res.FinalURL)
			}
			if depth == Standard {
				// The probes went where the facts came from.
				if cr, _ := findCheck(res, "tls.protocols"); cr.Status != StatusPass {
					t.Errorf("tls.protocols = %+v", cr)
				}
			}
		})
	}
}

// TestScanCrossSiteRedirect: when the target has no HTTPS of its own and
// its http:// page sends visitors to HTTPS on another site, the other
// site's TLS is not judged as the target's, and the verdict says so.
func TestScanCrossSiteRedirect(t *testing.T) {
	if addrs, err := net.DefaultResolver.LookupHost(context.Background(), "localhost"); err != nil || len(addrs) == 0 {
		t.Skip("localhost does not resolve here")
	}
	ca := scantest.NewCA(t)
	other := hstsSite(t, ca, "localhost", "127.0.0.1")
	plain := redirector(t, "https://localhost:"+portOf(other))
	s := newTestScanner(t, Options{RootCAs: ca.Pool}, AllChecks())
	res, err := s.Scan(context.Background(), plain.URL+"/", Quick, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.FinalURL, "https://localhost:") {
		t.Skipf("the page ended on %q (error %q): localhost is not reachable here", res.FinalURL, res.Error)
	}
	cr, _ := findCheck(res, "tls.https")
	if cr.Status != StatusFail || !strings.Contains(cr.Value, "another site") || !strings.Contains(cr.Value, "https://localhost:"+portOf(other)) {
		t.Errorf("tls.https = %+v", cr)
	}
	if res.TLS != nil {
		t.Errorf("the other site's TLS is reported as the target's: %+v", res.TLS)
	}
	if res.NotGraded != nil || res.Grade != "F" {
		t.Errorf("grade %q not graded %+v", res.Grade, res.NotGraded)
	}
}

// TestScanHTTPSFallsBackToHTTP: an https target whose HTTPS gives no
// answer but whose plain-HTTP address does is graded, not unreachable:
// HTTPS is not available, and that caps the grade.
func TestScanHTTPSFallsBackToHTTP(t *testing.T) {
	srv := plainSite()
	defer srv.Close()
	s := newTestScanner(t, Options{}, AllChecks())
	_, s.lim.httpPort, _ = net.SplitHostPort(srv.Listener.Addr().String())
	res, err := s.Scan(context.Background(), "https://127.0.0.1:"+refusedPort(t)+"/", Quick, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotGraded != nil || res.Grade != "F" || res.FinalURL != srv.URL+"/" {
		t.Fatalf("not graded %+v, grade %q, final %q, error %q", res.NotGraded, res.Grade, res.FinalURL, res.Error)
	}
	if cr, _ := findCheck(res, "tls.https"); cr.Status != StatusFail || !strings.Contains(cr.Value, "refused") {
		t.Errorf("tls.https = %+v", cr)
	}
	// The cap is explained when it is what made the grade an F.
	if GradeFor(res.OverallScore) != "F" && (res.GradeCap == nil || res.GradeCap.CheckID != "tls.https" || res.GradeCap.Grade != "F" || res.GradeCap.Reason == "") {
		t.Errorf("score %d, cap %+v", res.OverallScore, res.GradeCap)
	}
}

// TestQuickAfterDeepFixesNothing: a QUICK scan after a DEEP one of the same
// site lists the DEEP checks as skipped, and comparing the two reports none
// of their findings (the exposed .env, the old jQuery) as fixed.
func TestQuickAfterDeepFixesNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><script src="/js/jquery-1.8.3.min.js"></script></head><body>shop</body></html>`)
		case "/js/jquery-1.8.3.min.js":
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, "/*! jQuery v1.8.3 jquery.com | jquery.org/license */")
		case "/.env":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "APP_ENV=production\nDB_PASSWORD=Zq8vLx2mNw4Tr7Yp\nSTRIPE_SECRET=Kf93jdLQ0xPz\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s := newTestScanner(t, Options{}, AllChecks())
	deep, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil {
		t.Fatal(err)
	}
	quick, err := s.Scan(context.Background(), srv.URL, Quick, nil)
	if err != nil {
		t.Fatal(err)
	}
	deepOnly := []string{"exposure.sensitive-files", "content.vulnerable-libraries"}
	for _, id := range deepOnly {
		if cr, _ := findCheck(deep, id); cr.Status != StatusFail {
			t.Fatalf("DEEP %s = %+v: the test site must fail it", id, cr)
		}
		if cr, _ := findCheck(quick, id); cr.Status != StatusSkipped || cr.Reason == "" {
			t.Errorf("QUICK %s = %+v, want skipped with a reason", id, cr)
		}
	}
	d, err := Compare(deep, quick)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Fixed {
		if f.CheckID == deepOnly[0] || f.CheckID == deepOnly[1] {
			t.Errorf("reported fixed: %s %q", f.CheckID, f.Title)
		}
	}
	for _, id := range deepOnly {
		if !slices.Contains(d.NotCompared, id) {
			t.Errorf("%s is not in NotCompared %v", id, d.NotCompared)
		}
	}
}
