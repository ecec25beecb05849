package scanner

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// flag is a one-shot signal between handlers.
type flag struct {
	once sync.Once
	ch   chan struct{}
}

func newFlag() *flag { return &flag{ch: make(chan struct{})} }
func (f *flag) set() { f.once.Do(func() { close(f.ch) }) }
func (f *flag) wait() bool {
	select {
	case <-f.ch:
		return true
	case <-time.After(3 * time.Second): // only to fail instead of hanging
		return false
	}
}

// TestScanConcurrencyStructure proves the engine's shape without timing
// anything: the target's handlers refuse to answer until the requests that
// must be in flight at the same time have arrived. A serial engine would
// deadlock on these rendezvous (and the test would fail after 3 s).
//
//   - the main page, the http:// redirect chain and a TLS-version probe start together;
//   - after the page, the CORS preflight and security.txt are in flight together;
//   - a check runs as soon as its evidence is in, before slower fetchers finish.
func TestScanConcurrencyStructure(t *testing.T) {
	ca := scantest.NewCA(t)
	now := time.Now()
	cert := ca.Leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1")
	var (
		plainSeen   = newFlag()
		tls10Seen   = newFlag()
		corsSeen    = newFlag()
		secTxtSeen  = newFlag()
		pageChecked = newFlag()
		mu          sync.Mutex
		broken      []string
	)
	fail := func(s string) {
		mu.Lock()
		broken = append(broken, s)
		mu.Unlock()
	}
	srv := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodOptions:
			corsSeen.set()
			if !secTxtSeen.wait() {
				fail("the CORS preflight waited for security.txt in vain: they ran one after the other")
			}
			w.Header().Set("Access-Control-Allow-Origin", "https://palisade.example")
		case r.URL.Path == "/.well-known/security.txt":
			secTxtSeen.set()
			if !corsSeen.wait() {
				fail("security.txt waited for the CORS preflight in vain")
			}
			if !pageChecked.wait() {
				fail("the page check did not run before the slower fetchers finished")
			}
			fmt.Fprint(w, "Contact: mailto:x@example.test\n")
		case r.URL.Path == "/":
			if !plainSeen.wait() {
				fail("the page fetch waited for the http:// redirect chain in vain: they ran one after the other")
			}
			if !tls10Seen.wait() {
				fail("the page fetch waited for the TLS version probe in vain")
			}
			fmt.Fprint(w, "<html>ok</html>")
		default:
			fmt.Fprint(w, "<html>ok</html>")
		}
	}), &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS10,
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			if slices.Equal(h.SupportedVersions, []uint16{tls.VersionTLS10}) {
				tls10Seen.set()
			}
			return nil, nil
		},
	})
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainSeen.set()
		fmt.Fprint(w, "<html>plain</html>")
	}))
	defer plain.Close()

	checks := append(tinyChecks(), Check{ID: "headers.page-signal", Category: "headers", Needs: []EvidenceKind{NeedPage},
		Evaluate: func(ev *Evidence) Outcome { return Outcome{Status: StatusInfo} }})
	s := newTestScanner(t, Options{RootCAs: ca.Pool}, checks)
	s.lim.httpPort = portOf(plain)
	s.lim.requestTimeout, s.lim.headerTimeout = 10*time.Second, 10*time.Second
	res, err := s.Scan(context.Background(), srv.URL, Standard, func(e Event) {
		if e.CheckID == "headers.page-signal" {
			pageChecked.set()
		}
	})
	if err != nil || res.Error != "" {
		t.Fatalf("scan: %v %q", err, res.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, b := range broken {
		t.Error(b)
	}
	if cr, ok := findCheck(res, "exposure.securitytxt"); !ok || cr.Status != StatusPass {
		t.Errorf("security.txt check = %+v", cr)
	}
}
