package scanner

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// slowDeepSite is the DEEP benchmark's site (docs/BENCHMARKS.md, "DEEP
// crawl"): a home page linking 24 more pages, 20 distinct same-origin
// scripts loaded across them, and every response, 404s included, sent
// after delay. hits counts the HTTP requests it answers.
func slowDeepSite(delay time.Duration, hits *atomic.Int64) *httptest.Server {
	const pages, scripts = 25, 20
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(delay)
		n, isPage := 0, r.URL.Path == "/"
		if k, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p")); err == nil && k > 0 && k < pages && r.URL.Path == "/p"+strconv.Itoa(k) {
			n, isPage = k, true
		}
		switch {
		case isPage:
			var b strings.Builder
			b.WriteString("<!doctype html><html><head><title>slow</title>")
			// Page n loads scripts n-1 and n (mod 20): all 20 are referenced.
			fmt.Fprintf(&b, `<script src="/s%d.js"></script><script src="/s%d.js"></script></head><body>`, (n+scripts-1)%scripts, n%scripts)
			if n == 0 {
				for i := 1; i < pages; i++ {
					fmt.Fprintf(&b, `<a href="/p%d">page %d</a>`, i, i)
				}
			}
			b.WriteString(`<a href="/">home</a></body></html>`)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, b.String())
		case strings.HasPrefix(r.URL.Path, "/s") && strings.HasSuffix(r.URL.Path, ".js"):
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, "var x=1;")
		default:
			http.NotFound(w, r)
		}
	}))
}

// countingClosedPort is closedPort that counts the connections it hangs up
// on: the HTTPS attempts (and TLS probe handshakes) of an http:// target,
// each of which takes a politeness token like a request.
func countingClosedPort(b testing.TB, n *atomic.Int64) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}

// BenchmarkScanDeepSlowTarget is issue 14's DEEP benchmark: 25 pages and
// 20 scripts, every response after 50 ms, the production politeness (5
// requests a second per host after a burst of 16) and every check. It
// reports the wall time, the requests sent (counted at the target, plus
// the connections to its closed HTTPS port) and x-bound, the wall time over
// the least the HTTP politeness limiter allows for the requests that take
// its tokens (every HTTP request and the page fetch's one HTTPS attempt;
// the TLS probes' handshakes have a bucket of their own, docs/scoring.md
// "Depths", whose burst covers them):
//
//	bound = max(0, http requests + 1 - burst) / rate + chain × 50 ms
//
// where chain = 3 is the longest run of requests each of which needs the
// one before (main page → crawled page → its scripts).
func BenchmarkScanDeepSlowTarget(b *testing.B) {
	const delay, chain = 50 * time.Millisecond, 3
	var hits, tlsConns atomic.Int64
	srv := slowDeepSite(delay, &hits)
	defer srv.Close()
	s := newTestScanner(b, Options{}, AllChecks())
	prod := defaultEngineLimits()
	s.lim = prod
	s.lim.httpsPort = countingClosedPort(b, &tlsConns)
	var walls, reqs, ratios []float64
	for b.Loop() {
		hits.Store(0)
		tlsConns.Store(0)
		t0 := time.Now()
		res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
		wall := time.Since(t0)
		if err != nil || res.Error != "" || res.Coverage == nil || res.Coverage.PagesCrawled != 25 || res.Coverage.ScriptsFetched != 20 {
			b.Fatalf("scan: %v %q, coverage %+v", err, res.Error, res.Coverage)
		}
		n := hits.Load() + tlsConns.Load()
		paced := hits.Load() + min(tlsConns.Load(), 1) // the page's HTTPS attempt takes an HTTP token
		bound := time.Duration(float64(max(0, paced-int64(prod.burst)))/prod.rate*float64(time.Second)) + chain*delay
		walls = append(walls, wall.Seconds())
		reqs = append(reqs, float64(n))
		ratios = append(ratios, wall.Seconds()/bound.Seconds())
		b.Logf("wall %v, %d HTTP requests + %d HTTPS connection attempts, %d of %d scripts, bound %v, x-bound %.3f",
			wall.Round(time.Millisecond), hits.Load(), tlsConns.Load(), res.Coverage.ScriptsFetched, res.Coverage.ScriptsReferenced, bound.Round(time.Millisecond), wall.Seconds()/bound.Seconds())
	}
	b.ReportMetric(median(walls), "wall-s")
	b.ReportMetric(median(reqs), "requests")
	b.ReportMetric(median(ratios), "x-bound")
	b.ReportMetric(0, "ns/op")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
