package scanner

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// stripeKey is a live-looking Stripe secret key, assembled at run time so
// the source holds no credential-shaped literal.
var stripeKey = "sk_" + "live_" + "51Hx9aKQ2mZp7Rt3Vw8Yb4Nc6Dd"

// thirtyFourPages is issue 14's site: a home page linking 33 more pages,
// the last of which publishes a Stripe secret key.
func thirtyFourPages(hits *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		switch {
		case r.URL.Path == "/":
			var b strings.Builder
			for i := 1; i <= 33; i++ {
				fmt.Fprintf(&b, `<a href="/p%d">page %d</a>`, i, i)
			}
			fmt.Fprint(w, "<html><body>"+b.String()+"</body></html>")
		case r.URL.Path == "/p33":
			fmt.Fprint(w, `<html><body><a href="/">home</a><script>Stripe.key="`+stripeKey+`";</script></body></html>`)
		case strings.HasPrefix(r.URL.Path, "/p"):
			fmt.Fprint(w, `<html><body><a href="/">home</a><p>nothing here</p></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
}

// scanThirtyFour runs a DEEP scan of thirtyFourPages with the real checks.
func scanThirtyFour(t *testing.T) (*Result, int) {
	t.Helper()
	var hits atomic.Int32
	srv := thirtyFourPages(&hits)
	defer srv.Close()
	s := newTestScanner(t, Options{}, AllChecks())
	res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %s", err, res.Error)
	}
	return res, int(hits.Load())
}

// TestScanCoverageCrawlLimit: the Stripe key on the 34th page is beyond the
// 25-page limit, and the result says how much was read of what was found.
func TestScanCoverageCrawlLimit(t *testing.T) {
	res, hits := scanThirtyFour(t)
	c := res.Coverage
	if c == nil {
		t.Fatal("no coverage on a DEEP result")
	}
	if c.PagesCrawled != 25 || c.PagesDiscovered != 34 || c.PageLimit != 25 {
		t.Errorf("pages %d of %d (limit %d), want 25 of 34 (limit 25)", c.PagesCrawled, c.PagesDiscovered, c.PageLimit)
	}
	if c.ScriptsFetched != 0 || c.ScriptsReferenced != 0 || c.ScriptLimit != 25 || len(c.Truncated) != 0 {
		t.Errorf("scripts %d of %d (limit %d), truncated %+v", c.ScriptsFetched, c.ScriptsReferenced, c.ScriptLimit, c.Truncated)
	}
	if first, _ := probeWaves(nil); c.ProbesSent != len(first)+1 {
		t.Errorf("probes sent %d, want %d (the paths for a site that is not WordPress and the soft-404 baseline)", c.ProbesSent, len(first)+1)
	}
	if l := readLimits(&Evidence{Coverage: c}); !strings.Contains(l, "25 of 34 pages found were crawled (the limit is 25)") {
		t.Errorf("limits %q", l)
	}
	if cr, _ := findCheck(res, idContentSecrets); cr.Status == StatusFail {
		t.Errorf("the key on page 34 was read: the crawl went past its limit (%+v)", cr)
	}
	// 25 pages, the probes and the STANDARD fetches; page 34 never asked for.
	if hits > 25+len(ProbePaths)+1+4 {
		t.Errorf("%d requests", hits)
	}
}

// TestScanCoverageSecretsVerdictNamesLimit: content.secrets found nothing
// in the 25 pages it read, and its verdict says the rest was not read. It
// holds once content.secrets words its finding-free verdict with noneFound
// (the secrets part of issue 14).
func TestScanCoverageSecretsVerdictNamesLimit(t *testing.T) {
	res, _ := scanThirtyFour(t)
	cr, ok := findCheck(res, idContentSecrets)
	if !ok {
		t.Fatal("no content.secrets result")
	}
	if cr.Status != StatusPass || !strings.Contains(cr.Description, "not everything was read") || !strings.Contains(cr.Description, "25 of 34 pages") {
		t.Errorf("content.secrets %s: %q, want a pass naming the 25 of 34 pages read", cr.Status, cr.Description)
	}
}

// TestScanCoverageTruncated: a 617 kB script is read to 512 KiB and a 3 MiB
// main page to 2 MiB, and Coverage lists both with what was read of what
// was declared; QUICK covers the main page alone, 1 of 1.
func TestScanCoverageTruncated(t *testing.T) {
	const scriptSize, pageSize = 617_000, 3 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", strconv.Itoa(pageSize))
			head := `<html><body><script src="/app.js"></script><script src="/small.js"></script>`
			fmt.Fprint(w, head+strings.Repeat("x", pageSize-len(head)))
		case "/app.js":
			w.Header().Set("Content-Type", "application/javascript")
			w.Header().Set("Content-Length", strconv.Itoa(scriptSize))
			fmt.Fprint(w, strings.Repeat("/", scriptSize))
		case "/small.js":
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, "var a=1;")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s := newTestScanner(t, Options{}, tinyChecks())
	res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil || res.Coverage == nil {
		t.Fatalf("scan: %v, coverage %+v", err, res.Coverage)
	}
	want := []TruncatedBody{{URL: srv.URL + "/", BytesRead: 2 << 20, Size: pageSize}, {URL: srv.URL + "/app.js", BytesRead: 512 << 10, Size: scriptSize}}
	if c := res.Coverage; !slices.Equal(c.Truncated, want) || c.ScriptsFetched != 2 || c.ScriptsReferenced != 2 || c.PagesCrawled != 1 || c.PagesDiscovered != 1 {
		t.Errorf("coverage %+v, want truncated %+v and 2 of 2 scripts, 1 of 1 pages", c, want)
	}
	l := readLimits(&Evidence{Coverage: res.Coverage})
	if !strings.Contains(l, "/app.js was read to 512 KiB of 603 KiB") || !strings.Contains(l, "/ was read to 2048 KiB of 3072 KiB") {
		t.Errorf("limits %q", l)
	}

	res, err = s.Scan(context.Background(), srv.URL, Quick, nil)
	if err != nil || res.Coverage == nil {
		t.Fatalf("quick scan: %v, coverage %+v", err, res.Coverage)
	}
	if c := res.Coverage; c.PagesCrawled != 1 || c.PagesDiscovered != 1 || c.PageLimit != 1 || c.ScriptsReferenced != 0 || c.ProbesSent != 0 ||
		!slices.Equal(c.Truncated, want[:1]) {
		t.Errorf("QUICK coverage %+v, want the main page alone, truncated", c)
	}
}

// TestScanSameSiteScripts: a script on another host of the target's
// registrable domain (static.example.test for www.example.test) is fetched
// and counted; one on another site is not, though it resolves to an
// address the scanner may reach.
func TestScanSameSiteScripts(t *testing.T) {
	d := scantest.StartDNS(t)
	d.Add(t,
		"www.example.test. 60 IN A 127.0.0.1",
		"static.example.test. 60 IN A 127.0.0.1",
		"cdn.other.test. 60 IN A 127.0.0.1",
	)
	var staticHits, otherHits atomic.Int32
	assets := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		switch host {
		case "static.example.test":
			staticHits.Add(1)
		default:
			otherHits.Add(1)
		}
		w.Header().Set("Content-Type", "application/javascript")
		fmt.Fprint(w, "var k=1;")
	}))
	defer assets.Close()
	_, aport, _ := net.SplitHostPort(assets.Listener.Addr().String())
	staticJS := "http://static.example.test:" + aport + "/app.js"
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><script src="`+staticJS+`"></script><script src="http://cdn.other.test:`+aport+`/lib.js"></script><script src="/own.js"></script></body></html>`)
	}))
	defer site.Close()
	_, sport, _ := net.SplitHostPort(site.Listener.Addr().String())

	var got *Evidence
	s := newTestScanner(t, Options{DNSServer: d.Addr}, []Check{capture("content.capture", Deep, []EvidenceKind{NeedCrawl}, &got)})
	res, err := s.Scan(context.Background(), "http://www.example.test:"+sport+"/", Deep, nil)
	if err != nil || got == nil {
		t.Fatalf("scan: %v, evidence %v", err, got != nil)
	}
	if got.Scripts[staticJS] == nil || staticHits.Load() != 1 || otherHits.Load() != 0 {
		t.Errorf("scripts %v; static host asked %d times, other site %d", slices.Collect(maps.Keys(got.Scripts)), staticHits.Load(), otherHits.Load())
	}
	// /own.js is a 404: asked for and answered, so it counts as fetched.
	if c := res.Coverage; c == nil || c.ScriptsReferenced != 2 || c.ScriptsFetched != 2 {
		t.Errorf("coverage %+v, want 2 of 2 same-site scripts", res.Coverage)
	}
}
