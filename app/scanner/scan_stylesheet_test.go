package scanner

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// TestScanStylesheetMixedContent: at DEEP the site's own style sheets are
// read and their @import and url() judged as the pages that link them
// load them (docs/scoring.md, content.mixed-content): an http:// @import is
// active, an http:// background passive, each naming the sheet; relative
// references of an https sheet are not mixed; a sheet on another site is
// not fetched, and at STANDARD none is.
func TestScanStylesheetMixedContent(t *testing.T) {
	for _, depth := range []Depth{Standard, Deep} {
		t.Run(string(depth), func(t *testing.T) {
			var mu sync.Mutex
			asked := map[string]int{}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				asked[r.URL.Path]++
				mu.Unlock()
				switch r.URL.Path {
				case "/":
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, `<!doctype html><html><head><link href="/css/site.css?v=3" rel="Stylesheet">`+
						`<link rel="stylesheet" href="https://cdn.other.example/x.css"></head><body>shop</body></html>`)
				case "/css/site.css":
					w.Header().Set("Content-Type", "text/css")
					fmt.Fprint(w, `/* url(http://comment.example/no.png) */ @import "http://cdn.example.test/imp.css";`+
						`body{background:url(http://img.example.test/bg.png)} .a{background:url(img/ok.png)}`)
				default:
					http.NotFound(w, r)
				}
			})
			ca := scantest.NewCA(t)
			now := time.Now()
			srv := startTLS(t, h, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, now.Add(-time.Hour), now.Add(24*time.Hour), "127.0.0.1")}})
			s := newTestScanner(t, Options{RootCAs: ca.Pool}, []Check{checkContentMixed})
			res, err := s.Scan(context.Background(), srv.URL, depth, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("scan: %v %q", err, res.Error)
			}
			cr, _ := findCheck(res, idContentMixed)
			var evidence []string
			for _, f := range res.Findings {
				evidence = append(evidence, f.Title+": "+f.Evidence)
			}
			all := strings.Join(evidence, "\n")
			mu.Lock()
			defer mu.Unlock()
			if depth == Standard {
				if asked["/css/site.css"] != 0 || cr.Status != StatusPass {
					t.Errorf("STANDARD read the style sheet (%d requests) or found mixed content: %s %s", asked["/css/site.css"], cr.Status, all)
				}
				return
			}
			if asked["/css/site.css"] != 1 {
				t.Errorf("the style sheet was asked for %d times, want once", asked["/css/site.css"])
			}
			for _, want := range []string{
				"Active mixed content: <css> @import http://cdn.example.test/imp.css (in /css/site.css?v=3)",
				"Passive mixed content: <css> url() http://img.example.test/bg.png (in /css/site.css?v=3)",
			} {
				if !strings.Contains(all, want) {
					t.Errorf("findings lack %q:\n%s", want, all)
				}
			}
			for _, not := range []string{"comment.example", "ok.png", "cdn.other.example"} {
				if strings.Contains(all, not) {
					t.Errorf("findings name %s:\n%s", not, all)
				}
			}
			if cr.Status != StatusFail {
				t.Errorf("status %s, want fail (an active http:// @import)", cr.Status)
			}
		})
	}
}
