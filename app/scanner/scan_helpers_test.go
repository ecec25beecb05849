package scanner

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// loopbackOnly opens the loopback ranges, as the integration tests and the
// operator setting PALISADE_SCAN_ALLOW_CIDRS=127.0.0.0/8 do.
var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// closedPort returns a loopback port that hangs up on every connection, so
// the https upgrade attempt of an http:// target fails at once. (A port
// merely closed could be reused by a parallel test's server.)
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}

// newTestScanner builds a Scanner with short timeouts and no pacing so the
// suite stays fast, running the given checks instead of AllChecks.
func newTestScanner(t testing.TB, opts Options, checks []Check) *Scanner {
	t.Helper()
	if opts.AllowCIDRs == nil {
		opts.AllowCIDRs = loopbackOnly
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.checks = checks
	s.lim.dialTimeout = time.Second
	s.lim.tlsTimeout = time.Second
	s.lim.headerTimeout = time.Second
	s.lim.requestTimeout = 1500 * time.Millisecond
	s.lim.dnsTimeout = 500 * time.Millisecond
	s.lim.rate = 1000
	s.lim.burst = 1000
	s.lim.hsRate = 1000
	s.lim.hsBurst = 1000
	s.lim.httpsPort = closedPort(t)
	s.lim.deadline = func(Depth) time.Duration { return 8 * time.Second }
	return s
}

// tinyChecks are stand-ins for the real library: one per evidence kind, each
// saying plainly what it saw, so engine tests can assert on the plumbing.
func tinyChecks() []Check {
	mk := func(id, cat string, d Depth, needs []EvidenceKind, f func(ev *Evidence) Outcome) Check {
		return Check{ID: id, Name: id, Category: cat, Depth: d, Weight: 10, Needs: needs, Evaluate: f}
	}
	passIf := func(ok bool, v string) Outcome {
		if ok {
			return Outcome{Status: StatusPass, Value: v}
		}
		return Outcome{Status: StatusFail, Value: v, Findings: []Finding{{Severity: SeverityMedium, Title: "failed: " + v}}}
	}
	return []Check{
		mk("headers.page", "headers", Quick, []EvidenceKind{NeedPage}, func(ev *Evidence) Outcome {
			if ev.Page == nil {
				return Outcome{Status: StatusError, Value: ev.PageErr}
			}
			return passIf(ev.Page.StatusCode == 200, ev.Page.URL)
		}),
		mk("headers.xfo", "headers", Quick, []EvidenceKind{NeedPage}, func(ev *Evidence) Outcome {
			if ev.Page == nil {
				return Outcome{Status: StatusError}
			}
			return passIf(ev.Page.Header.Get("X-Frame-Options") != "", ev.Page.Header.Get("X-Frame-Options"))
		}),
		mk("tls.https", "tls", Quick, []EvidenceKind{NeedTLS}, func(ev *Evidence) Outcome {
			if ev.TLS == nil {
				return Outcome{Status: StatusFail, Value: ev.TLSErr, Cap: "C"}
			}
			return passIf(ev.TLS.Trusted && ev.TLS.HostnameOK, ev.TLS.VerifyError)
		}),
		mk("tls.protocols", "tls", Standard, []EvidenceKind{NeedTLSProbe}, func(ev *Evidence) Outcome {
			if ev.TLSProbe == nil {
				return Outcome{Status: StatusInfo, Value: ev.TLSProbeErr}
			}
			return passIf(len(ev.TLSProbe.Versions) > 0, strings.Join(ev.TLSProbe.WeakSuites, ","))
		}),
		mk("redirects.https", "redirects", Standard, []EvidenceKind{NeedRedirects}, func(ev *Evidence) Outcome {
			if len(ev.Redirects) == 0 {
				return Outcome{Status: StatusError, Value: ev.RedirectsErr}
			}
			last := ev.Redirects[len(ev.Redirects)-1]
			return passIf(strings.HasPrefix(last.URL, "https://"), last.URL)
		}),
		mk("dns.records", "dns", Standard, []EvidenceKind{NeedDNS}, func(ev *Evidence) Outcome {
			if ev.DNS == nil {
				return Outcome{Status: StatusInfo, Value: ev.DNSErr}
			}
			return passIf(len(ev.DNS.DMARC) > 0, strings.Join(ev.DNS.TXT, "|"))
		}),
		mk("headers.cors", "headers", Standard, []EvidenceKind{NeedCORS}, func(ev *Evidence) Outcome {
			if ev.CORS == nil {
				return Outcome{Status: StatusError, Value: ev.CORSErr}
			}
			return passIf(ev.CORS.Header.Get("Access-Control-Allow-Origin") != CORSProbeOrigin, ev.CORS.Header.Get("Access-Control-Allow-Origin"))
		}),
		mk("exposure.securitytxt", "exposure", Standard, []EvidenceKind{NeedSecTxt}, func(ev *Evidence) Outcome {
			if ev.SecurityTxt == nil {
				return Outcome{Status: StatusError, Value: ev.SecurityTxtErr}
			}
			return passIf(ev.SecurityTxt.StatusCode == 200, ev.SecurityTxt.URL)
		}),
		mk("exposure.files", "exposure", Deep, []EvidenceKind{NeedProbes}, func(ev *Evidence) Outcome {
			r := ev.Probes["/.git/HEAD"]
			return passIf(r != nil && r.StatusCode == 404, "git")
		}),
		mk("content.pages", "content", Quick, []EvidenceKind{NeedCrawl}, func(ev *Evidence) Outcome {
			return passIf(len(ev.Pages) > 0, strings.Repeat("p", len(ev.Pages)))
		}),
	}
}

// findCheck returns the CheckResult with id from a Result.
func findCheck(res *Result, id string) (CheckResult, bool) {
	for _, c := range res.Categories {
		for _, cr := range c.Checks {
			if cr.ID == id {
				return cr, true
			}
		}
	}
	return CheckResult{}, false
}

// hangingSecurityTxt serves page on every path but /.well-known/security.txt,
// which hangs until the request ends, and returns its URL with a scanner
// whose per-request bounds are long: a scan of it ends only when its
// context does (cancel, or the scan's own deadline).
func hangingSecurityTxt(t *testing.T, page string) (string, *Scanner) {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/security.txt" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		fmt.Fprint(w, page)
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	s := newTestScanner(t, Options{}, tinyChecks())
	s.lim.requestTimeout = 30 * time.Second
	s.lim.headerTimeout = 30 * time.Second
	return srv.URL, s
}
