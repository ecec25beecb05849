package scanner

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// richHandler serves a realistic page: security headers, cookies, inline and
// external scripts (with and without SRI), links for the crawl, a
// security.txt and a 404 for everything unknown.
func richHandler(delay time.Duration) http.Handler {
	var body strings.Builder
	body.WriteString(`<!doctype html><html><head><title>Shop</title>`)
	body.WriteString(`<script src="/static/app.js"></script>`)
	body.WriteString(`<script src="https://cdn.example/jquery-1.12.4.min.js"></script>`)
	body.WriteString(`<script src="https://cdn.example/lib.js" integrity="sha384-abc" crossorigin="anonymous"></script>`)
	body.WriteString(`<link rel="stylesheet" href="http://insecure.example/x.css"></head><body>`)
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&body, `<div class="item"><a href="/product/%d">Product %d</a><img src="/img/%d.png"></div>`, i%8, i, i)
	}
	body.WriteString(`<meta name="generator" content="WordPress 5.8.1"></body></html>`)
	page := body.String()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			time.Sleep(delay)
		}
		h := w.Header()
		switch {
		case r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/product/"):
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' https://cdn.example; object-src 'none'; frame-ancestors 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Server", "nginx/1.18.0")
			h.Add("Set-Cookie", "session=abc; Path=/; Secure; HttpOnly; SameSite=Lax")
			h.Add("Set-Cookie", "prefs=1; Path=/")
			fmt.Fprint(w, page)
		case r.URL.Path == "/static/app.js":
			h.Set("Content-Type", "application/javascript")
			fmt.Fprint(w, `var cfg={api:"https://api.example",key:"AKIAIOSFODNN7EXAMPLE"};`+strings.Repeat("function f(){return 1};", 500))
		case r.URL.Path == "/.well-known/security.txt":
			h.Set("Content-Type", "text/plain")
			fmt.Fprint(w, "Contact: mailto:security@example.test\nExpires: 2030-01-01T00:00:00Z\n")
		default:
			http.NotFound(w, r)
		}
	})
}

func benchTLSServer(b *testing.B, delay time.Duration) (*httptest.Server, *scantest.CA) {
	ca := scantest.NewCA(b)
	now := time.Now()
	srv := startTLS(b, richHandler(delay), &tls.Config{Certificates: []tls.Certificate{ca.Leaf(b, now.Add(-time.Hour), now.Add(90*24*time.Hour), "127.0.0.1")}})
	return srv, ca
}

// BenchmarkScanQuickHTTPS is a whole QUICK scan (new client, TLS handshake,
// page, every QUICK check, scoring) of a loopback HTTPS target with the
// production limits and AllChecks. Budget: ≤ 15 ms.
func BenchmarkScanQuickHTTPS(b *testing.B) {
	srv, ca := benchTLSServer(b, 0)
	s, err := New(Options{AllowCIDRs: loopbackOnly, RootCAs: ca.Pool})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		res, err := s.Scan(ctx, srv.URL, Quick, nil)
		if err != nil || res.Error != "" || res.StatusCode != 200 {
			b.Fatalf("%v %q", err, res.Error)
		}
	}
}

// BenchmarkScanStandardSlowTarget: every HTTP response of the target takes
// 50 ms. The longest chain of dependent requests in a STANDARD scan is two
// (http:// → 301 → https page; or page → CORS/security.txt), i.e. 100 ms;
// the reported x-chain metric is wall time over that, budget ≤ 1.5.
func BenchmarkScanStandardSlowTarget(b *testing.B) {
	const delay = 50 * time.Millisecond
	srv, ca := benchTLSServer(b, delay)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer plain.Close()
	s, err := New(Options{AllowCIDRs: loopbackOnly, RootCAs: ca.Pool})
	if err != nil {
		b.Fatal(err)
	}
	s.lim.httpPort = portOf(plain)
	ctx := context.Background()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		res, err := s.Scan(ctx, srv.URL, Standard, nil)
		total += time.Since(start)
		if err != nil || res.Error != "" || len(res.RedirectChain) != 2 {
			b.Fatalf("%v %q %+v", err, res.Error, res.RedirectChain)
		}
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(2*delay), "x-chain")
}

// captureEvidence runs one DEEP scan of the rich site and returns the full
// evidence, as the checks see it.
func captureEvidence(b *testing.B) Evidence {
	srv, ca := benchTLSServer(b, 0)
	var got Evidence
	all := []EvidenceKind{NeedPage, NeedTLS, NeedRedirects, NeedTLSProbe, NeedDNS, NeedCORS, NeedSecTxt, NeedProbes, NeedCrawl}
	s := newTestScanner(b, Options{RootCAs: ca.Pool}, []Check{{ID: "x.capture", Category: "content", Needs: all, Evaluate: func(ev *Evidence) Outcome {
		got = *ev
		return Outcome{Status: StatusInfo}
	}}})
	if _, err := s.Scan(context.Background(), srv.URL, Deep, nil); err != nil {
		b.Fatal(err)
	}
	if got.Page == nil || len(got.Pages) < 2 {
		b.Fatalf("capture incomplete: %d pages", len(got.Pages))
	}
	return got
}

// BenchmarkEvaluateAllChecks evaluates every check of AllChecks on captured
// DEEP evidence; evals/s is per core (run with -cpu 1). Budget: ≥ 20,000.
func BenchmarkEvaluateAllChecks(b *testing.B) {
	ev := captureEvidence(b)
	checks := AllChecks()
	if len(checks) == 0 {
		b.Skip("AllChecks is empty")
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range checks {
			e := ev
			evalCheck(c, &e)
		}
	}
	b.ReportMetric(float64(b.N*len(checks))/b.Elapsed().Seconds(), "evals/s")
}
