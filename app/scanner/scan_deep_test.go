package scanner

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// capture is a check that keeps the evidence snapshot it was given.
func capture(id string, depth Depth, needs []EvidenceKind, into **Evidence) Check {
	return Check{ID: id, Name: id, Category: "content", Depth: depth, Needs: needs, Evaluate: func(ev *Evidence) Outcome {
		c := *ev
		*into = &c
		return Outcome{Status: StatusInfo}
	}}
}

func TestScanDNSFacts(t *testing.T) {
	d := scantest.StartDNS(t)
	d.SetAD(true)
	d.Add(t,
		"www.example.test. 60 IN A 127.0.0.1",
		`example.test. 60 IN TXT "v=spf1 include:_spf.mail.test redirect=other.test"`,
		`example.test. 60 IN TXT "google-site-verification=x"`,
		`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`,
		`example.test. 60 IN CAA 0 issue "letsencrypt.org"`,
		"example.test. 60 IN MX 10 mx1.example.test.",
		`_spf.mail.test. 60 IN TXT "v=spf1 include:deep.test ~all"`,
		`other.test. 60 IN TXT "v=spf1 -all"`,
		`deep.test. 60 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
	)
	srv := plainSite()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	var got *Evidence
	s := newTestScanner(t, Options{DNSServer: d.Addr}, []Check{capture("dns.capture", Standard, []EvidenceKind{NeedDNS}, &got)})
	tg, err := s.Validate(context.Background(), "http://WWW.Example.Test.:"+port)
	if err != nil || tg.Host != "www.example.test" {
		t.Fatalf("validate: %v %+v", err, tg)
	}
	res, err := s.Scan(context.Background(), "http://www.example.test:"+port+"/", Standard, nil)
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %s", err, res.Error)
	}
	if got == nil || got.DNS == nil {
		t.Fatalf("no DNS facts: %+v", got)
	}
	f := got.DNS
	if f.Domain != "example.test" || len(f.TXT) != 2 || !slices.Equal(f.DMARC, []string{"v=DMARC1; p=reject"}) ||
		!slices.Equal(f.MX, []string{"mx1.example.test"}) || !f.DNSSEC || got.DNSErr != "" {
		t.Errorf("facts = %+v (err %q)", f, got.DNSErr)
	}
	if len(f.CAA) != 1 || f.CAA[0].Tag != "issue" || f.CAA[0].Value != "letsencrypt.org" || f.CAADomain != "example.test" {
		t.Errorf("CAA = %+v at %q", f.CAA, f.CAADomain)
	}
	var inc []string
	for k := range f.SPFIncludes {
		inc = append(inc, k)
	}
	slices.Sort(inc)
	if !slices.Equal(inc, []string{"_spf.mail.test", "deep.test", "other.test"}) {
		t.Errorf("SPF includes = %v", f.SPFIncludes)
	}
	if d.Count("www.example.test./CAA") != 1 || d.Count("example.test./CAA") != 1 {
		t.Errorf("CAA climb asked www %d, apex %d", d.Count("www.example.test./CAA"), d.Count("example.test./CAA"))
	}
}

// deepSite is a small site for the crawl: five pages in a chain of links,
// a script, an off-origin link, an exposed .git/HEAD and honest 404s.
func deepSite(hits *atomic.Int32) *httptest.Server {
	pages := map[string]string{
		"/":      `<a href="/a">a</a> <a href="b">b</a> <a href="https://elsewhere.example/">x</a> <a href="/logo.png">img</a><script src="/app.js"></script>`,
		"/a":     `<a href="/c#frag">c</a><a href="/">home</a><script src="/app.js"></script><script src="https://cdn.example/x.js"></script>`,
		"/b":     `<base href="/sub/"><a href="d">d</a>`,
		"/c":     `<p>c</p>`,
		"/sub/d": `<script src="/other.js"></script>`,
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case pages[r.URL.Path] != "":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>"+pages[r.URL.Path]+"</body></html>")
		case r.URL.Path == "/app.js" || r.URL.Path == "/other.js":
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, "var k='AKIAIOSFODNN7EXAMPLE';")
		case r.URL.Path == "/.git/HEAD":
			fmt.Fprint(w, "ref: refs/heads/main\n")
		default:
			http.NotFound(w, r)
		}
	}))
}

func TestScanDeepCrawlAndProbes(t *testing.T) {
	var hits atomic.Int32
	srv := deepSite(&hits)
	defer srv.Close()
	var got *Evidence
	s := newTestScanner(t, Options{}, append(tinyChecks(), capture("content.capture", Deep, []EvidenceKind{NeedCrawl, NeedProbes}, &got)))
	res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %s", err, res.Error)
	}
	if got == nil {
		t.Fatal("capture check did not run")
	}
	var urls []string
	for _, p := range got.Pages {
		urls = append(urls, strings.TrimPrefix(p.URL, srv.URL))
	}
	if !slices.Equal(urls, []string{"/", "/a", "/b", "/c", "/sub/d"}) {
		t.Errorf("pages = %v", urls)
	}
	var scripts []string
	for u := range got.Scripts {
		scripts = append(scripts, strings.TrimPrefix(u, srv.URL))
	}
	slices.Sort(scripts)
	if !slices.Equal(scripts, []string{"/app.js", "/other.js"}) {
		t.Errorf("scripts = %v", scripts)
	}
	if r := got.Probes["/.git/HEAD"]; r == nil || r.StatusCode != 200 || !strings.HasPrefix(string(r.Body), "ref:") {
		t.Errorf("git probe = %+v", r)
	}
	if r := got.Probes["/.env"]; r == nil || r.StatusCode != 404 {
		t.Errorf(".env probe = %+v", r)
	}
	// The paths for a site that is not WordPress, and /.git/config, asked
	// because /.git/HEAD is a real one.
	first, _ := probeWaves(nil)
	if _, ok := got.Probes["/.git/config"]; len(got.Probes) != len(first)+1 || !ok || got.ProbesErr != "" {
		t.Errorf("%d probes, err %q", len(got.Probes), got.ProbesErr)
	}
	if got.NotFound == nil || got.NotFound.StatusCode != 404 || !strings.Contains(got.NotFound.URL, "/palisade-") {
		t.Errorf("not-found baseline = %+v", got.NotFound)
	}
	if cr, _ := findCheck(res, "exposure.files"); cr.Status != StatusFail {
		t.Errorf("exposure.files = %+v", cr)
	}
	// Bounded: pages + scripts + probes + not-found + the STANDARD fetches.
	if n := int(hits.Load()); n > 5+2+len(ProbePaths)+1+4 {
		t.Errorf("%d requests for a 5-page site", n)
	}
}

func TestScanCrawlBound(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 10; i++ {
			fmt.Fprintf(w, `<a href="/p%d-%d">x</a><script src="/s%d-%d.js"></script>`, hits.Load(), i, hits.Load(), i)
		}
	}))
	defer srv.Close()
	var got *Evidence
	s := newTestScanner(t, Options{}, []Check{capture("content.capture", Deep, []EvidenceKind{NeedCrawl}, &got)})
	s.lim.maxPages, s.lim.maxScripts = 7, 4
	if _, err := s.Scan(context.Background(), srv.URL, Deep, nil); err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got.Pages) != 7 || len(got.Scripts) != 4 {
		t.Fatalf("crawl not bounded: %d pages, %d scripts", len(got.Pages), len(got.Scripts))
	}
}

// TestRedirectRefusedAtConnectTime: the target itself is allowed, but it
// redirects to addresses that are not; the page fetch must stop with a
// refusal and never connect there.
func TestRedirectRefusedAtConnectTime(t *testing.T) {
	var forbiddenHits atomic.Int32
	forbidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forbiddenHits.Add(1)
		fmt.Fprint(w, "secret")
	}))
	defer forbidden.Close()
	_, fport, _ := net.SplitHostPort(forbidden.Listener.Addr().String())

	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("cannot bind 127.0.0.2:", err)
	}
	var location atomic.Value
	allowedSrv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, location.Load().(string), http.StatusFound)
	})}}
	allowedSrv.Start()
	defer allowedSrv.Close()

	for _, loc := range []string{
		"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"http://127.0.0.1:" + fport + "/",
		"http://2130706433:" + fport + "/",
		"http://[::ffff:127.0.0.1]:" + fport + "/",
		"http://user:pw@127.0.0.2/",
		"file:///etc/passwd",
	} {
		t.Run(loc, func(t *testing.T) {
			location.Store(loc)
			s := newTestScanner(t, Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}}, tinyChecks())
			var pageErr string
			s.checks = append(s.checks, Check{ID: "x.capture", Category: "content", Needs: []EvidenceKind{NeedPage}, Evaluate: func(ev *Evidence) Outcome {
				pageErr = ev.PageErr
				return Outcome{Status: StatusInfo}
			}})
			res, err := s.Scan(context.Background(), allowedSrv.URL, Quick, nil)
			if err != nil {
				t.Fatalf("scan error: %v", err)
			}
			// The site answered (a redirect) but has no page: not graded, failed.
			if !strings.Contains(pageErr, "refused") || res.Error == "" || res.Grade != "" || res.NotGraded == nil || res.NotGraded.Reason != NotGradedFailed {
				t.Errorf("page error %q, result error %q, grade %q, not graded %+v", pageErr, res.Error, res.Grade, res.NotGraded)
			}
		})
	}
	if n := forbiddenHits.Load(); n != 0 {
		t.Errorf("the forbidden server was reached %d times", n)
	}
	// The same engine reaches it when it is allowed: the test is not vacuous.
	s := newTestScanner(t, Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, nil)
	location.Store("http://127.0.0.1:" + fport + "/")
	if _, err := s.Scan(context.Background(), allowedSrv.URL, Quick, nil); err != nil || forbiddenHits.Load() != 1 {
		t.Errorf("allowed redirect: %v, hits %d", err, forbiddenHits.Load())
	}
}
