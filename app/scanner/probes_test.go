package scanner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestEveryProbeHasADetector: a probe whose answer no detector can confirm
// is a wasted request against the customer's site.
func TestEveryProbeHasADetector(t *testing.T) {
	for _, p := range ProbePaths {
		found := false
		for _, d := range fileDetectors {
			if d.match(p) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("ProbePaths has %s but no file detector recognises it", p)
		}
	}
}

// TestProbeWaves: the files only WordPress has are asked of WordPress
// sites alone, and the follow-ups only after their marker was answered as
// the real file — counted at the target, on a catch-all site (HEAD is the
// catch-all page: no follow-up), a site with a real .git/HEAD (its
// /.git/config is asked) and a WordPress site (its wp-config backups are).
func TestProbeWaves(t *testing.T) {
	wpHome := `<html><head><link rel="stylesheet" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.8.3"></head><body>` +
		`<script src="/wp-content/plugins/akismet/_inc/akismet-frontend.js?ver=5.3"></script></body></html>`
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		asked   []string // paths that must be asked
		unasked []string // paths that must not be
	}{
		{"catch-all, not WordPress", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>home</body></html>")
		}, []string{"/.git/HEAD", "/.svn/entries", "/.env"}, []string{"/.git/config", "/.svn/wc.db", "/wp-config.php.bak", "/wp-content/debug.log"}},
		{"a real .git/HEAD", func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/":
				fmt.Fprint(w, "<html><body>home</body></html>")
			case "/.git/HEAD":
				fmt.Fprint(w, "ref: refs/heads/main\n")
			default:
				http.NotFound(w, r)
			}
		}, []string{"/.git/HEAD", "/.git/config"}, []string{"/.svn/wc.db", "/wp-config.php.bak"}},
		{"WordPress", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, wpHome)
				return
			}
			http.NotFound(w, r)
		}, []string{"/wp-config.php.bak", "/wp-config.php~", "/.wp-config.php.swp", "/wp-content/debug.log"}, []string{"/.git/config"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen[r.URL.Path]++
				mu.Unlock()
				tc.h(w, r)
			}))
			defer srv.Close()
			s := newTestScanner(t, Options{}, []Check{checkExposureSensitiveFiles})
			if _, err := s.Scan(context.Background(), srv.URL, Deep, nil); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, p := range tc.asked {
				if seen[p] != 1 {
					t.Errorf("%s asked %d times, want once", p, seen[p])
				}
			}
			for _, p := range tc.unasked {
				if seen[p] != 0 {
					t.Errorf("%s asked %d times, want never", p, seen[p])
				}
			}
		})
	}
}
