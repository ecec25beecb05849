package scanner

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>hello</body></html>")
	})
}

func startTLS(t testing.TB, h http.Handler, cfg *tls.Config) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the probes' refused handshakes are expected
	s.TLS = cfg
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func portOf(s *httptest.Server) string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// redirector is a plain-HTTP server sending everything to target.
func redirector(t testing.TB, target string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestScanHTTPSFacts(t *testing.T) {
	ca := scantest.NewCA(t)
	now := time.Now()
	good := ca.Leaf(t, now.Add(-time.Hour), now.Add(30*24*time.Hour), "127.0.0.1")
	expired := ca.Leaf(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "127.0.0.1")
	wrongName := ca.Leaf(t, now.Add(-time.Hour), now.Add(30*24*time.Hour), "other.test")
	foreign := scantest.NewCA(t).Leaf(t, now.Add(-time.Hour), now.Add(30*24*time.Hour), "127.0.0.1")

	cases := []struct {
		name        string
		cert        tls.Certificate
		trusted     bool
		hostOK      bool
		verifyHas   string
		daysAtLeast int
	}{
		{"trusted", good, true, true, "", 29},
		{"expired", expired, false, true, "expired", -2},
		{"wrong-name", wrongName, true, false, "not valid for 127.0.0.1", 29},
		{"unknown-ca", foreign, false, true, "not signed by a trusted authority", 29},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startTLS(t, okHandler(), &tls.Config{Certificates: []tls.Certificate{tc.cert}})
			s := newTestScanner(t, Options{RootCAs: ca.Pool}, tinyChecks())
			res, err := s.Scan(context.Background(), srv.URL, Quick, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("scan: %v / %s", err, res.Error)
			}
			if res.TLS == nil {
				t.Fatal("no TLS info")
			}
			if res.TLS.Trusted != (tc.trusted && tc.hostOK) {
				t.Errorf("Trusted = %v (%s)", res.TLS.Trusted, res.TLS.VerifyError)
			}
			if tc.verifyHas == "" && res.TLS.VerifyError != "" || !strings.Contains(res.TLS.VerifyError, tc.verifyHas) {
				t.Errorf("VerifyError = %q, want it to mention %q", res.TLS.VerifyError, tc.verifyHas)
			}
			if res.TLS.DaysLeft < tc.daysAtLeast || res.TLS.Version != "TLS 1.3" || res.TLS.CipherSuite == "" {
				t.Errorf("tls info = %+v", res.TLS)
			}
			if res.Headers["strict-transport-security"] == "" || slices.Contains(res.MissingHeaders, "strict-transport-security") {
				t.Errorf("headers %v missing %v", res.Headers, res.MissingHeaders)
			}
			cr, _ := findCheck(res, "tls.https")
			if (cr.Status == StatusPass) != (tc.trusted && tc.hostOK) {
				t.Errorf("tls.https = %+v", cr)
			}
		})
	}
}

// TestScanTLSProbe: a server that still accepts TLS 1.0/1.1 and static-RSA
// and 3DES suites must have all of them listed; a modern one none.
func TestScanTLSProbe(t *testing.T) {
	ca := scantest.NewCA(t)
	now := time.Now()
	rsaLeaf := ca.LeafRSA(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1")
	old := startTLS(t, okHandler(), &tls.Config{
		Certificates: []tls.Certificate{rsaLeaf},
		MinVersion:   tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
	})
	modern := startTLS(t, okHandler(), &tls.Config{Certificates: []tls.Certificate{rsaLeaf}, MinVersion: tls.VersionTLS12})
	cases := []struct {
		srv      *httptest.Server
		versions []string
		weak     []string
	}{
		{old, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}},
		{modern, []string{"TLS 1.2", "TLS 1.3"}, nil},
	}
	for _, tc := range cases {
		s := newTestScanner(t, Options{RootCAs: ca.Pool}, tinyChecks())
		var probe *TLSProbe
		s.checks = append(s.checks, Check{ID: "tls.capture", Category: "tls", Depth: Standard, Needs: []EvidenceKind{NeedTLSProbe}, Evaluate: func(ev *Evidence) Outcome {
			probe = ev.TLSProbe
			return Outcome{Status: StatusInfo}
		}})
		res, err := s.Scan(context.Background(), tc.srv.URL, Standard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.TLS == nil || !slices.Equal(res.TLS.Protocols, tc.versions) {
			t.Errorf("protocols = %v, want %v", res.TLS, tc.versions)
		}
		if probe == nil {
			t.Fatal("no probe evidence")
		}
		if !slices.Equal(probe.WeakSuites, tc.weak) {
			t.Errorf("weak suites = %v, want %v", probe.WeakSuites, tc.weak)
		}
	}
}

// TestScanRedirectChainToHTTPS: STANDARD follows http://host/ to https and
// records every hop; an http:// target is upgraded to HTTPS for the page.
func TestScanRedirectChainToHTTPS(t *testing.T) {
	ca := scantest.NewCA(t)
	now := time.Now()
	srv := startTLS(t, okHandler(), &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1")}})
	plain := redirector(t, srv.URL)
	s := newTestScanner(t, Options{RootCAs: ca.Pool}, tinyChecks())
	s.lim.httpPort = portOf(plain)
	s.lim.httpsPort = portOf(srv)
	for _, target := range []string{srv.URL, plain.URL} {
		res, err := s.Scan(context.Background(), target, Standard, nil)
		if err != nil || res.Error != "" {
			t.Fatalf("%s: %v %s", target, err, res.Error)
		}
		if len(res.RedirectChain) != 2 || res.RedirectChain[0].StatusCode != 301 || res.RedirectChain[0].URL != plain.URL+"/" ||
			res.RedirectChain[1].URL != srv.URL+"/" || res.RedirectChain[0].Location != srv.URL+"/" {
			t.Errorf("%s: chain = %+v", target, res.RedirectChain)
		}
		if cr, _ := findCheck(res, "redirects.https"); cr.Status != StatusPass {
			t.Errorf("%s: redirects.https = %+v", target, cr)
		}
		if res.FinalURL != srv.URL+"/" || res.TLS == nil || !res.TLS.Trusted {
			t.Errorf("%s: final %s tls %+v", target, res.FinalURL, res.TLS)
		}
	}
}
