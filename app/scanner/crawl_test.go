package scanner

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scanner/netguard"
)

// TestCrawlKeepsRequestsInFlight: a slow page does not hold the crawl up.
// While /slow is being answered the other pages and the scripts are
// fetched (a batch crawl waited for its slowest page, and fetched scripts
// only after the last page); the pages are still listed in the order they
// were found, whatever order they arrived in.
func TestCrawlKeepsRequestsInFlight(t *testing.T) {
	var slowDone, scriptEarly atomic.Bool
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html")
			var b strings.Builder
			b.WriteString(`<a href="/slow">slow</a>`)
			for i := 1; i <= 6; i++ {
				fmt.Fprintf(&b, `<a href="/f%d">f</a>`, i)
			}
			b.WriteString(`<script src="/s.js"></script>`)
			fmt.Fprint(w, b.String())
		case r.URL.Path == "/slow":
			// Answers once the script was asked for, or after 3 s.
			select {
			case <-release:
			case <-time.After(3 * time.Second):
			}
			slowDone.Store(true)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<p>slow</p><script src="/late.js"></script>`)
		case strings.HasPrefix(r.URL.Path, "/f"):
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<p>fast</p>`)
		case r.URL.Path == "/s.js":
			if !slowDone.Load() {
				scriptEarly.Store(true)
				close(release)
			}
			fmt.Fprint(w, "var s;")
		case r.URL.Path == "/late.js":
			fmt.Fprint(w, "var l;")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var got *Evidence
	s := newTestScanner(t, Options{}, []Check{capture("content.capture", Deep, []EvidenceKind{NeedCrawl}, &got)})
	t0 := time.Now()
	if _, err := s.Scan(context.Background(), srv.URL, Deep, nil); err != nil || got == nil {
		t.Fatalf("scan: %v", err)
	}
	if !scriptEarly.Load() || time.Since(t0) > 2*time.Second {
		t.Errorf("the script waited for the slow page (took %v)", time.Since(t0))
	}
	var pages []string
	for _, p := range got.Pages {
		pages = append(pages, strings.TrimPrefix(p.URL, srv.URL))
	}
	if want := []string{"/", "/slow", "/f1", "/f2", "/f3", "/f4", "/f5", "/f6"}; !slices.Equal(pages, want) {
		t.Errorf("pages %v, want %v", pages, want)
	}
	if got.Scripts[srv.URL+"/late.js"] == nil || got.Scripts[srv.URL+"/s.js"] == nil {
		t.Errorf("scripts %v", slices.Collect(maps.Keys(got.Scripts)))
	}
}

// TestCrawlFrontierBounded: a page of 2,000 links queues at most
// crawlFrontierMax of them, counts them all as found, and the crawl reads
// the first ones in document order.
func TestCrawlFrontierBounded(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path != "/" {
			fmt.Fprint(w, "<p>leaf</p>")
			return
		}
		for i := range 2000 {
			fmt.Fprintf(w, `<a href="/l%d">x</a><a href="/l%d#again">dup</a>`, i, i)
		}
	}))
	defer srv.Close()
	var got *Evidence
	s := newTestScanner(t, Options{}, []Check{capture("content.capture", Deep, []EvidenceKind{NeedCrawl}, &got)})
	if _, err := s.Scan(context.Background(), srv.URL, Deep, nil); err != nil || got == nil {
		t.Fatalf("scan: %v", err)
	}
	if c := got.Coverage; c == nil || c.PagesCrawled != 25 || c.PagesDiscovered != 2001 {
		t.Errorf("coverage %+v, want 25 of 2001 pages", got.Coverage)
	}
	if n := len(got.Pages); n != 25 || got.Pages[24].URL != srv.URL+"/l23" {
		t.Errorf("%d pages, last %s", n, got.Pages[n-1].URL)
	}

	// The frontier itself: absorbing the page queues crawlFrontierMax links.
	c := &crawler{r: &scanRun{s: s}, have: map[string]bool{}, pageSeen: newURLSet(crawlSeenMax), scriptSeen: newURLSet(crawlSeenMax)}
	base, err := netguard.Normalize(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.base = base
	c.origin, c.site = c.base.Origin(), siteOf(c.base.Host)
	c.absorb(got.Pages[0])
	if len(c.frontier) != crawlFrontierMax || c.pageSeen.len() != 2000 {
		t.Errorf("frontier %d, seen %d", len(c.frontier), c.pageSeen.len())
	}
}
