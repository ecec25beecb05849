package scanner

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// requestCounter wraps a handler and counts its requests by
// "METHOD scheme://host/path" (scheme from the connection, host from the
// Host header without its port).
type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
	h  http.Handler
}

func countRequests(h http.Handler) *requestCounter {
	return &requestCounter{n: map[string]int{}, h: h}
}

func (c *requestCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if i := strings.LastIndex(host, ":"); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	c.mu.Lock()
	c.n[r.Method+" "+scheme+"://"+host+r.URL.Path]++
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func (c *requestCounter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *requestCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

// redirectingSite is a loopback HTTPS site (srv, requests counted in site)
// and a plain HTTP server (ps, counted in plain) that redirects every path to
// it, with a scanner trusting the site's CA.
func redirectingSite(t *testing.T) (site *requestCounter, srv *httptest.Server, plain *requestCounter, ps *httptest.Server, s *Scanner) {
	t.Helper()
	ca := scantest.NewCA(t)
	now := time.Now()
	site = countRequests(richHandler(0))
	srv = startTLS(t, site, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, now.Add(-time.Hour), now.Add(24*time.Hour), "127.0.0.1")}})
	plain = countRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	ps = httptest.NewServer(plain)
	t.Cleanup(ps.Close)
	return site, srv, plain, ps, newTestScanner(t, Options{RootCAs: ca.Pool}, AllChecks())
}

// TestScanFetchesMainPageOnce: the http:// redirect chain of a STANDARD or
// DEEP scan ends on the https page the page fetch already has; that page is
// requested once, counted at the target, and the redirect verdicts are
// those of a chain that ends on the page (issue 14: no wasted work).
func TestScanFetchesMainPageOnce(t *testing.T) {
	for _, depth := range []Depth{Standard, Deep} {
		t.Run(string(depth), func(t *testing.T) {
			site, srv, plain, ps, s := redirectingSite(t)
			s.lim.httpPort = portOf(ps)
			res, err := s.Scan(context.Background(), srv.URL, depth, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("scan: %v %q", err, res.Error)
			}
			if n := site.count("GET https://127.0.0.1/"); n != 1 {
				t.Errorf("the main page was fetched %d times over HTTPS, want 1 (requests: %v)", n, site.n)
			}
			if n := plain.count("GET http://127.0.0.1/"); n != 1 {
				t.Errorf("http://host/ was fetched %d times, want 1", n)
			}
			if len(res.RedirectChain) != 2 || res.RedirectChain[0].StatusCode != 301 ||
				res.RedirectChain[1].URL != srv.URL+"/" || res.RedirectChain[1].StatusCode != 200 {
				t.Errorf("redirect chain %+v, want http:// → 301 → %s/ (200)", res.RedirectChain, srv.URL)
			}
			for _, id := range []string{idRedirectsHTTPS, idRedirectsSameHostFirst, idRedirectsChain} {
				cr, ok := findCheck(res, id)
				if !ok || cr.Status != StatusPass {
					t.Errorf("%s = %+v, want pass", id, cr)
				}
			}
		})
	}
}

// TestScanResolvesEachHostOnce: one scan asks DNS for the target's
// addresses (A and AAAA) once, whatever the number of connections (page,
// redirect chain, CORS, security.txt, the TLS probes' handshakes, at DEEP
// the crawl and the file probes); a redirect to another host resolves that
// host once too. The DNS checks' own TXT, MX and CAA questions are other
// record types. ScanTarget of a Target that Validate just returned asks
// nothing more: one resolution for validate-then-scan (the CLI).
func TestScanResolvesEachHostOnce(t *testing.T) {
	for _, depth := range []Depth{Standard, Deep} {
		t.Run(string(depth), func(t *testing.T) {
			d := scantest.StartDNS(t)
			d.SetA("site.test", "127.0.0.1")
			d.SetA("www.site.test", "127.0.0.1")
			ca := scantest.NewCA(t)
			now := time.Now()
			var srv *httptest.Server
			rich := richHandler(0)
			site := countRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.Host, "site.test:") {
					http.Redirect(w, r, "https://www."+r.Host+r.URL.Path, http.StatusMovedPermanently)
					return
				}
				rich.ServeHTTP(w, r)
			}))
			srv = startTLS(t, site, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, now.Add(-time.Hour), now.Add(24*time.Hour), "site.test", "www.site.test")}})
			port := portOf(srv)
			ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://site.test:"+port+r.URL.Path, http.StatusMovedPermanently)
			}))
			defer ps.Close()
			s := newTestScanner(t, Options{RootCAs: ca.Pool, DNSServer: d.Addr}, AllChecks())
			s.lim.httpPort = portOf(ps)
			res, err := s.Scan(context.Background(), "https://site.test:"+port+"/", depth, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("scan: %v %q", err, res.Error)
			}
			if res.FinalURL != "https://www.site.test:"+port+"/" {
				t.Errorf("final URL %q", res.FinalURL)
			}
			for _, q := range []string{"site.test./A", "site.test./AAAA", "www.site.test./A", "www.site.test./AAAA"} {
				if n := d.Count(q); n != 1 {
					t.Errorf("%s asked %d times in one scan, want 1", q, n)
				}
			}
			if d.Count("site.test./TXT") == 0 {
				t.Error("the DNS checks' TXT query is missing: the stub is not the one asked")
			}
			// Both hops of the page's chain are reused by the http:// chain.
			for _, key := range []string{"GET https://site.test/", "GET https://www.site.test/"} {
				if n := site.count(key); n != 1 {
					t.Errorf("%s sent %d times, want 1", key, n)
				}
			}
			if len(res.RedirectChain) != 3 || res.RedirectChain[2].StatusCode != 200 {
				t.Errorf("redirect chain %+v, want http → https → www (200)", res.RedirectChain)
			}

			before := d.Count("site.test./A") + d.Count("site.test./AAAA")
			tg, err := s.Validate(context.Background(), "https://site.test:"+port+"/")
			if err != nil {
				t.Fatal(err)
			}
			res, err = s.ScanTarget(context.Background(), tg, depth, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("ScanTarget: %v %q", err, res.Error)
			}
			if n := d.Count("site.test./A") + d.Count("site.test./AAAA") - before; n != 2 {
				t.Errorf("Validate + ScanTarget asked %d A/AAAA questions of the target, want 2 (one resolution)", n)
			}
		})
	}
}

// TestTLSProbesHaveTheirOwnBudget: the protocol and cipher probes'
// handshakes take tokens from a bucket of their own, never the HTTP
// requests'. With an HTTP bucket of exactly the scan's HTTP requests and
// no refill, every request still goes out and the probes still run; with
// a handshake bucket of one and no refill, the HTTP evidence is whole and
// only the probes come up short. Counts, not timings: a token that is not
// there makes the wait fail at once (it could only end after the deadline).
func TestTLSProbesHaveTheirOwnBudget(t *testing.T) {
	ca := scantest.NewCA(t)
	now := time.Now()
	site := countRequests(richHandler(0))
	srv := startTLS(t, site, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, now.Add(-time.Hour), now.Add(24*time.Hour), "127.0.0.1")}})
	plain := countRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	ps := httptest.NewServer(plain)
	defer ps.Close()
	all := []EvidenceKind{NeedPage, NeedTLS, NeedRedirects, NeedTLSProbe, NeedDNS, NeedCORS, NeedSecTxt}
	scan := func(rate float64, burst int, hsRate float64, hsBurst int) *Evidence {
		t.Helper()
		var got *Evidence
		s := newTestScanner(t, Options{RootCAs: ca.Pool}, []Check{capture("x.capture", Standard, all, &got)})
		s.lim.httpPort = portOf(ps)
		s.lim.rate, s.lim.burst, s.lim.hsRate, s.lim.hsBurst = rate, burst, hsRate, hsBurst
		if _, err := s.Scan(context.Background(), srv.URL, Standard, nil); err != nil {
			t.Fatal(err)
		}
		if got == nil {
			t.Fatal("no evidence captured")
		}
		return got
	}
	httpWhole := func(ev *Evidence) bool {
		return ev.Page != nil && ev.RedirectsErr == "" && len(ev.Redirects) == 2 && ev.CORS != nil && ev.SecurityTxt != nil
	}

	ev := scan(1000, 1000, 1000, 1000)
	n := site.total() + plain.total()
	if !httpWhole(ev) || ev.TLSProbe == nil || len(ev.TLSProbe.Versions) < 2 {
		t.Fatalf("unlimited scan incomplete: %+v", ev)
	}
	versions := len(ev.TLSProbe.Versions)

	ev = scan(1e-9, n, 1000, 1000)
	if m := site.total() + plain.total() - n; m != n {
		t.Errorf("the scan sent %d HTTP requests, the first one %d", m, n)
	}
	if !httpWhole(ev) {
		t.Errorf("with exactly %d HTTP tokens the HTTP evidence is incomplete (the probes took some?): page %v, redirects %q %d, CORS %q, security.txt %q",
			n, ev.Page != nil, ev.RedirectsErr, len(ev.Redirects), ev.CORSErr, ev.SecurityTxtErr)
	}
	if ev.TLSProbe == nil || len(ev.TLSProbe.Versions) != versions {
		t.Errorf("probes with their own budget: %+v %q, want %d versions", ev.TLSProbe, ev.TLSProbeErr, versions)
	}

	ev = scan(1e-9, n, 1e-9, 1)
	if !httpWhole(ev) {
		t.Errorf("a starved handshake bucket cost HTTP requests: redirects %q, CORS %q, security.txt %q", ev.RedirectsErr, ev.CORSErr, ev.SecurityTxtErr)
	}
	if ev.TLSProbe != nil && len(ev.TLSProbe.Versions) >= versions {
		t.Errorf("one handshake token gave the whole probe (%v): the probes do not use their bucket", ev.TLSProbe.Versions)
	}
}

// TestScanFetchesHTTPTargetOnce: an http:// target at STANDARD and DEEP.
// The page fetch tries HTTPS on the same host and plain HTTP beside it,
// and the http:// redirect chain starts at the same URL: the plain GET is
// sent once and shared, and its redirect to the HTTPS page is answered
// from the HTTPS attempt, so each of the two is requested once.
func TestScanFetchesHTTPTargetOnce(t *testing.T) {
	for _, depth := range []Depth{Standard, Deep} {
		t.Run(string(depth), func(t *testing.T) {
			site, srv, plain, ps, s := redirectingSite(t)
			s.lim.httpsPort = portOf(srv)
			res, err := s.Scan(context.Background(), ps.URL, depth, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("scan: %v %q", err, res.Error)
			}
			if n := site.count("GET https://127.0.0.1/"); n != 1 {
				t.Errorf("the HTTPS page was fetched %d times, want 1 (requests: %v)", n, site.n)
			}
			if n := plain.count("GET http://127.0.0.1/"); n != 1 {
				t.Errorf("the http:// target was fetched %d times, want 1 (requests: %v)", n, plain.n)
			}
			if len(res.RedirectChain) != 2 || res.RedirectChain[0].StatusCode != 301 || res.RedirectChain[1].StatusCode != 200 {
				t.Errorf("redirect chain %+v, want http:// → 301 → the HTTPS page (200)", res.RedirectChain)
			}
			if cr, ok := findCheck(res, idRedirectsHTTPS); !ok || cr.Status != StatusPass {
				t.Errorf("%s = %+v, want pass", idRedirectsHTTPS, cr)
			}
		})
	}
}
