package scanner

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/palisade/palisade/app/scanner/internal/scantest"
)

// rawServer accepts TCP connections on loopback and hands each to serve.
func rawServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// readRequest consumes the request head so the peer sees a normal server.
func readRequest(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil || line == "\r\n" {
			return
		}
	}
}

// TestHostileTargets: each target tries to hold or exhaust the scanner. The
// scan must end on its own per-request bounds (well inside the deadline),
// with a Result that says what went wrong in a sentence, grade F, and the
// bytes the scanner accepted bounded.
func TestHostileTargets(t *testing.T) {
	var written atomic.Int64 // bytes hostile servers managed to push
	zeros := make([]byte, 32<<10)
	cases := []struct {
		name   string
		scheme string
		serve  func(c net.Conn)
		srv    func(t *testing.T) string // alternative: an http.Handler server, returns URL
		want   string                    // in Result.Error
		page   bool                      // a (truncated) page is still expected
	}{
		{name: "tarpit", scheme: "http", serve: func(c net.Conn) { _, _ = io.Copy(io.Discard, c) },
			want: "did not answer in time"},
		{name: "tarpit-tls", scheme: "https", serve: func(c net.Conn) { _, _ = io.Copy(io.Discard, c) },
			want: "TLS handshake timed out"},
		{name: "drip-headers", scheme: "http", serve: func(c net.Conn) {
			readRequest(c)
			for _, b := range []byte("HTTP/1.1 200 OK\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, want: "did not answer in time"},
		{name: "drip-body", scheme: "http", serve: func(c net.Conn) {
			readRequest(c)
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
			for i := 0; i < 60; i++ {
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}, want: "did not send its response in time"},
		{name: "redirect-loop", scheme: "http", srv: func(t *testing.T) string {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next := "/a"
				if r.URL.Path == "/a" {
					next = "/b"
				}
				http.Redirect(w, r, next, http.StatusFound)
			}))
			t.Cleanup(s.Close)
			return s.URL + "/a"
		}, want: "loop"},
		{name: "redirect-forever", scheme: "http", srv: func(t *testing.T) string {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
				http.Redirect(w, r, "/"+strconv.Itoa(n+1), http.StatusFound)
			}))
			t.Cleanup(s.Close)
			return s.URL + "/0"
		}, want: "more than 10 times"},
		{name: "1GiB-body", scheme: "http", page: true, serve: func(c net.Conn) {
			readRequest(c)
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n", 1<<30)
			for sent := 0; sent < 1<<30; sent += len(zeros) {
				n, err := c.Write(zeros)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		}},
		{name: "gzip-bomb", scheme: "http", page: true, serve: func(c net.Conn) {
			readRequest(c)
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
			cw := &countWriter{w: c, n: &written}
			chunked := httpChunkWriter{cw}
			zw, _ := gzip.NewWriterLevel(chunked, gzip.BestCompression)
			for i := 0; i < (10<<30)/len(zeros); i++ { // 10 GiB decompressed
				if _, err := zw.Write(zeros); err != nil {
					return
				}
			}
		}},
		{name: "header-flood", scheme: "http", serve: func(c net.Conn) {
			readRequest(c)
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\n")
			line := "X-Flood: " + strings.Repeat("f", 1000) + "\r\n"
			for i := 0; i < 10000; i++ {
				if _, err := fmt.Fprint(c, line); err != nil {
					return
				}
			}
		}, want: "more response headers"},
		{name: "garbage-not-tls", scheme: "https", serve: func(c net.Conn) {
			fmt.Fprint(c, strings.Repeat("\x00garbage\xff", 200))
			_, _ = io.Copy(io.Discard, c)
		}, want: "does not speak TLS"},
		{name: "not-http", scheme: "http", serve: func(c net.Conn) {
			fmt.Fprint(c, "SSH-2.0-OpenSSH_9.6\r\n")
			_, _ = io.Copy(io.Discard, c)
		}, want: "did not answer with HTTP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var target string
			if tc.srv != nil {
				target = tc.srv(t)
			} else {
				target = tc.scheme + "://" + rawServer(t, tc.serve) + "/"
			}
			s := newTestScanner(t, Options{}, tinyChecks())
			if tc.page {
				// These cases are about bounds on bytes and memory, not
				// time: inflating the bounded body under -race on a busy
				// machine can take longer than the 1.5 s the test scanner
				// allows a request, so give it what the 5 s check allows.
				s.lim.headerTimeout, s.lim.requestTimeout = 4*time.Second, 4*time.Second
			}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			res, err := s.Scan(context.Background(), target, Quick, nil)
			elapsed := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("scan returned %v; the per-request bounds should have ended it first (%s)", err, res.Error)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %s", elapsed)
			}
			if tc.page {
				if res.StatusCode != 200 || res.Error != "" {
					t.Errorf("status %d error %q", res.StatusCode, res.Error)
				}
				if d := after.TotalAlloc - before.TotalAlloc; d > 96<<20 {
					t.Errorf("allocated %d MiB while reading a bounded body", d>>20)
				}
				if w := written.Load(); w > 256<<20 {
					t.Errorf("the scanner let the server push %d MiB", w>>20)
				}
				return
			}
			// No answer (or no page at the end of the redirects) is not graded.
			if !strings.Contains(res.Error, tc.want) || res.NotGraded == nil || res.Grade != "" || res.OverallScore != 0 || len(res.Findings) != 0 {
				t.Errorf("error %q (want %q), not graded %+v, grade %q score %d, %d findings", res.Error, tc.want, res.NotGraded, res.Grade, res.OverallScore, len(res.Findings))
			}
			if res.NotGraded != nil && !strings.Contains(res.NotGraded.Detail, tc.want) {
				t.Errorf("not-graded detail %q does not say %q", res.NotGraded.Detail, tc.want)
			}
		})
	}
}

// TestHostileBodyIsTruncated looks at the evidence itself: the 1 GiB page
// arrives as exactly pageBody bytes, marked truncated, and so does the
// decompressed gzip bomb.
func TestHostileBodyIsTruncated(t *testing.T) {
	zeros := make([]byte, 32<<10)
	for _, gz := range []bool{false, true} {
		addr := rawServer(t, func(c net.Conn) {
			readRequest(c)
			if gz {
				fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
				zw := gzip.NewWriter(httpChunkWriter{c})
				for i := 0; i < 1<<15; i++ {
					if _, err := zw.Write(zeros); err != nil {
						return
					}
				}
				return
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 1<<30)
			for i := 0; i < 1<<15; i++ {
				if _, err := c.Write(zeros); err != nil {
					return
				}
			}
		})
		var page *Response
		s := newTestScanner(t, Options{}, []Check{{ID: "x", Category: "content", Needs: []EvidenceKind{NeedPage}, Evaluate: func(ev *Evidence) Outcome {
			page = ev.Page
			return Outcome{Status: StatusInfo}
		}}})
		// Reading (and, here, inflating) 2 MiB under -race on a loaded
		// machine can outlast the tests' 1.5 s request bound; this test is
		// about the size bound, so give the read time.
		s.lim.requestTimeout = 6 * time.Second
		if _, err := s.Scan(context.Background(), "http://"+addr+"/", Quick, nil); err != nil {
			t.Fatal(err)
		}
		if page == nil || int64(len(page.Body)) != s.lim.pageBody || !page.Truncated {
			t.Errorf("gzip=%v: page %v", gz, page != nil)
		}
	}
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n *atomic.Int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// httpChunkWriter writes HTTP/1.1 chunked framing.
type httpChunkWriter struct {
	w interface{ Write([]byte) (int, error) }
}

func (h httpChunkWriter) Write(p []byte) (int, error) {
	if _, err := fmt.Fprintf(h.w, "%x\r\n", len(p)); err != nil {
		return 0, err
	}
	if _, err := h.w.Write(p); err != nil {
		return 0, err
	}
	_, err := h.w.Write([]byte("\r\n"))
	return len(p), err
}

// TestScanDeadlineReturnsPartial: when the scan's own deadline (not a
// per-request bound) ends it, the partial Result comes back with the
// context's error and only the checks that finished.
func TestScanDeadlineReturnsPartial(t *testing.T) {
	srvURL, s := hangingSecurityTxt(t, "<html></html>")
	s.lim.deadline = func(Depth) time.Duration { return 700 * time.Millisecond }
	var events atomic.Int32
	res, err := s.Scan(context.Background(), srvURL, Standard, func(Event) { events.Add(1) })
	if err != context.DeadlineExceeded {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if res == nil || !strings.Contains(res.Error, "deadline") {
		t.Fatalf("result %+v", res)
	}
	if cr, ok := findCheck(res, "exposure.securitytxt"); !ok || cr.Status != StatusError || !strings.Contains(cr.Reason, "deadline") {
		t.Errorf("the check whose evidence never came must be an error saying why: %+v", cr)
	}
	if cr, ok := findCheck(res, "headers.page"); !ok || cr.Status != StatusPass {
		t.Errorf("a check whose evidence was in is missing: %+v", cr)
	}
	if res.NotGraded == nil || res.NotGraded.Reason != NotGradedFailed || res.Grade != "" || len(res.Findings) != 0 {
		t.Errorf("a scan its deadline ended is graded: %+v, grade %q", res.NotGraded, res.Grade)
	}
	n := 0
	for _, c := range res.Categories {
		for _, cr := range c.Checks {
			if cr.Value != "not finished" && cr.Status != StatusSkipped {
				n++
			}
		}
	}
	if int(events.Load()) != n {
		t.Errorf("%d events for %d finished checks", events.Load(), n)
	}
	// Cancellation by the caller is reported as such.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	s.lim.deadline = nil
	res, err = s.Scan(ctx, srvURL, Standard, nil)
	if err != context.Canceled || !strings.Contains(res.Error, "cancelled") {
		t.Errorf("cancel: %v %q", err, res.Error)
	}
	if res.NotGraded == nil || res.NotGraded.Reason != NotGradedCancelled || res.Grade != "" {
		t.Errorf("a cancelled scan is graded: %+v, grade %q", res.NotGraded, res.Grade)
	}
}

// TestScanCancelStopsQuickly: a caller's cancel ends the scan within the
// API's 2 s promise even while a DNS query and an HTTP request hang.
func TestScanCancelStopsQuickly(t *testing.T) {
	d := scantest.StartDNS(t)
	d.Add(t, "slow.example.test. 60 IN A 127.0.0.1")
	hang := make(chan struct{})
	defer close(hang)
	d.SetHook(func(q dns.Question) ([]dns.RR, bool) {
		if q.Qtype == dns.TypeTXT || q.Qtype == dns.TypeCAA || q.Qtype == dns.TypeMX {
			<-hang
		}
		return nil, false
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			fmt.Fprint(w, "<html></html>")
			return
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	s := newTestScanner(t, Options{DNSServer: d.Addr}, tinyChecks())
	s.lim.dnsTimeout, s.lim.requestTimeout, s.lim.headerTimeout = time.Minute, time.Minute, time.Minute
	s.lim.deadline = nil
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	res, err := s.Scan(ctx, "http://slow.example.test:"+port+"/", Standard, nil)
	if err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancel took %s", took)
	}
	if res.StatusCode != 200 {
		t.Errorf("the page fetched before the cancel is lost: %+v", res)
	}
}
