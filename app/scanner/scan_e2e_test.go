package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

func plainSite() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		w.Header().Add("Set-Cookie", "b=2; Path=/")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="/about">about</a><script src="/app.js"></script></body></html>`)
	})
	mux.HandleFunc("/.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "Contact: mailto:security@example.com\n")
	})
	return httptest.NewServer(mux)
}

func TestScanPlainHTTPEndToEnd(t *testing.T) {
	srv := plainSite()
	defer srv.Close()
	for _, depth := range []Depth{Quick, Standard} {
		t.Run(string(depth), func(t *testing.T) {
			s := newTestScanner(t, Options{}, tinyChecks())
			var mu sync.Mutex
			var events []Event
			res, err := s.Scan(context.Background(), srv.URL+"/", depth, func(e Event) {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			})
			if err != nil {
				t.Fatalf("Scan: %v (result error %q)", err, res.Error)
			}
			if res.Error != "" {
				t.Fatalf("result error: %s", res.Error)
			}
			if res.StatusCode != 200 || res.FinalURL != srv.URL+"/" {
				t.Errorf("status %d final %q", res.StatusCode, res.FinalURL)
			}
			if res.Headers["x-frame-options"] != "DENY" {
				t.Errorf("headers = %v", res.Headers)
			}
			if res.Headers["set-cookie"] != "a=1; Path=/, b=2; Path=/" {
				t.Errorf("set-cookie joined = %q", res.Headers["set-cookie"])
			}
			if !slices.Contains(res.MissingHeaders, "content-security-policy") || slices.Contains(res.MissingHeaders, "x-frame-options") {
				t.Errorf("missing headers = %v", res.MissingHeaders)
			}
			// Every check is in the result; the ones deeper than the scan are
			// skipped, saying why, and emit no progress event.
			ran := 0
			for _, c := range tinyChecks() {
				if c.Depth.Rank() <= depth.Rank() {
					ran++
				}
			}
			got := 0
			for _, c := range res.Categories {
				got += len(c.Checks)
			}
			if got != len(tinyChecks()) || len(events) != ran {
				t.Errorf("checks in result %d, events %d, want %d and %d", got, len(events), len(tinyChecks()), ran)
			}
			if cr, _ := findCheck(res, "exposure.files"); cr.Status != StatusSkipped || cr.Reason != "runs at DEEP scans; this was a "+string(depth)+" scan" || cr.MaxPoints != 0 {
				t.Errorf("a DEEP check at %s: %+v", depth, cr)
			}
			if cr, _ := findCheck(res, "dns.records"); depth == Quick && (cr.Status != StatusSkipped || cr.Reason != "runs at STANDARD and deeper scans; this was a QUICK scan") {
				t.Errorf("a STANDARD check at QUICK: %+v", cr)
			}
			if res.ScoringVersion == "" || res.ScannedAt.IsZero() {
				t.Errorf("version %q scanned at %v", res.ScoringVersion, res.ScannedAt)
			}
			if cr, _ := findCheck(res, "tls.https"); cr.Status != StatusFail || !strings.Contains(cr.Value, "HTTPS is not available") {
				t.Errorf("tls.https = %+v", cr)
			}
			if res.TLS != nil {
				t.Errorf("TLS info for an http-only site: %+v", res.TLS)
			}
			if res.Grade != CapGrade(GradeFor(res.OverallScore), "C") {
				t.Errorf("grade %s for score %d with a C cap", res.Grade, res.OverallScore)
			}
			if len(res.RedirectChain) == 0 {
				t.Errorf("no redirect chain")
			}
			if depth == Standard {
				if cr, _ := findCheck(res, "dns.records"); cr.Status != StatusInfo || !strings.Contains(cr.Value, "IP address") {
					t.Errorf("dns.records = %+v", cr)
				}
				if cr, _ := findCheck(res, "exposure.securitytxt"); cr.Status != StatusPass {
					t.Errorf("security.txt = %+v", cr)
				}
				if cr, _ := findCheck(res, "headers.cors"); cr.Status != StatusPass {
					t.Errorf("cors = %+v", cr)
				}
			}
			b, err := json.Marshal(res)
			if err != nil || !strings.Contains(string(b), `"targetDomain":"127.0.0.1"`) {
				t.Errorf("json %s %v", b, err)
			}
		})
	}
}

func TestValidateLoopback(t *testing.T) {
	srv := plainSite()
	defer srv.Close()
	s := newTestScanner(t, Options{}, nil)
	tg, err := s.Validate(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if tg.URL != srv.URL+"/" || tg.Host != "127.0.0.1" || tg.Domain != "127.0.0.1" {
		t.Errorf("target = %+v", tg)
	}
	strict, _ := New(Options{})
	_, err = strict.Validate(context.Background(), srv.URL)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("without allow: %v", err)
	}
	res, err := strict.Scan(context.Background(), srv.URL, Quick, nil)
	if !errors.Is(err, ErrRefused) || res == nil || res.Error == "" || res.Grade != "" || res.NotGraded == nil || res.NotGraded.Reason != NotGradedFailed {
		t.Errorf("scan without allow: %v %+v", err, res)
	}
}

func TestUserAgent(t *testing.T) {
	var mu sync.Mutex
	agents := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
	}))
	defer srv.Close()
	for _, ua := range []string{"", "Palisade-Test/2.0"} {
		s := newTestScanner(t, Options{UserAgent: ua}, nil)
		if _, err := s.Scan(context.Background(), srv.URL, Standard, nil); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) != 2 || !agents[DefaultUserAgent] || !agents["Palisade-Test/2.0"] {
		t.Errorf("user agents seen: %v", agents)
	}
}

// TestPoliteLimiter: after the burst, callers are paced at the rate (a
// lower bound, so a slow machine cannot make it flaky), and a waiter whose
// context ends gets its error back at once.
func TestPoliteLimiter(t *testing.T) {
	p := newPoliteLimiter(20, 2)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.wait(context.Background(), "h"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took < 190*time.Millisecond {
		t.Errorf("6 requests at 20/s after a burst of 2 took only %s", took)
	}
	if err := p.wait(context.Background(), "other-host"); err != nil {
		t.Errorf("hosts share a bucket: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < 3; i++ {
		_ = p.wait(context.Background(), "slow") // drain
	}
	if err := p.wait(ctx, "slow"); err != context.Canceled {
		t.Errorf("cancelled wait = %v", err)
	}
}

// TestValidateMessages: what the API shows on 422 is one plain sentence,
// and accepted targets come back canonical with the Unicode domain.
func TestValidateMessages(t *testing.T) {
	d := scantest.StartDNS(t)
	d.Add(t,
		"priv.test. 60 IN A 10.0.0.1",
		"xn--bcher-kva.test. 60 IN A 93.184.216.34",
	)
	s, err := New(Options{DNSServer: d.Addr})
	if err != nil {
		t.Fatal(err)
	}
	refusals := []struct{ in, want string }{
		{"http://priv.test/", "the host priv.test resolves to 10.0.0.1, a private address, which Palisade does not scan"},
		{"http://10.0.0.1/", "the address 10.0.0.1 is a private address, which Palisade does not scan"},
		{"http://0x7f.1/", "the address 127.0.0.1 is a loopback address, which Palisade does not scan"},
		{"http://nx.test/", "the host nx.test does not exist (no DNS address records)"},
		{"ftp://priv.test/", "only http and https URLs can be scanned, not ftp:"},
		{"https://u:p@priv.test/", "URLs with credentials (user:password@) are not accepted"},
	}
	for _, r := range refusals {
		_, err := s.Validate(context.Background(), r.in)
		if !errors.Is(err, ErrRefused) || err.Error() != r.want {
			t.Errorf("Validate(%q) = %v, want %q", r.in, err, r.want)
		}
	}
	tg, err := s.Validate(context.Background(), "BÜCHER.test")
	if err != nil || tg.URL != "https://xn--bcher-kva.test/" || tg.Host != "xn--bcher-kva.test" || tg.Domain != "bücher.test" {
		t.Errorf("IDN target = %+v, %v", tg, err)
	}
}
