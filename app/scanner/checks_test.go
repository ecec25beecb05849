package scanner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// checkCase is one row of a check table: evidence in, verdict out.
type checkCase struct {
	name  string
	id    string    // check id
	ev    *Evidence // evidence given to the check
	want  Status
	value string  // substring the Value must contain ("" = any)
	score float64 // expected Score when want is pass/warn/fail (-1 = don't care)
	cap   string  // expected Cap
	find  string  // substring of some finding's Title+Evidence+Recommendation ("" = any)
}

var ckNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// checkByID finds a check of AllChecks by id.
func checkByID(t testing.TB, id string) Check {
	t.Helper()
	for _, c := range AllChecks() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q in AllChecks", id)
	return Check{}
}

// runCheckCases evaluates each case and compares the verdict.
func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			c := checkByID(t, tc.id)
			out := c.Evaluate(tc.ev)
			if out.Status != tc.want {
				t.Fatalf("status = %s, want %s (value %q, description %q)", out.Status, tc.want, out.Value, out.Description)
			}
			if tc.value != "" && !strings.Contains(out.Value, tc.value) {
				t.Errorf("value = %q, want it to contain %q", out.Value, tc.value)
			}
			scored := tc.want == StatusPass || tc.want == StatusWarn || tc.want == StatusFail || (tc.want == StatusInfo && out.Counted)
			if tc.want == StatusInfo && tc.score >= 0 && !out.Counted {
				t.Errorf("an info verdict with a score must be Counted")
			}
			if tc.score >= 0 && scored && out.Score != tc.score {
				t.Errorf("score = %v, want %v (value %q)", out.Score, tc.score, out.Value)
			}
			if out.Cap != tc.cap {
				t.Errorf("cap = %q, want %q", out.Cap, tc.cap)
			}
			if out.Description == "" {
				t.Errorf("empty description")
			}
			if (out.Status == StatusWarn || out.Status == StatusFail) && len(out.Findings) == 0 {
				t.Errorf("a %s verdict must carry a finding", out.Status)
			}
			if out.Status == StatusPass && len(out.Findings) > 0 {
				t.Errorf("a pass carries findings: %+v", out.Findings)
			}
			if (out.Status == StatusSkipped || out.Status == StatusError) && out.Reason == "" {
				t.Errorf("a %s verdict without a reason", out.Status)
			}
			if out.Cap != "" && out.CapReason == "" {
				t.Errorf("cap %s without a reason", out.Cap)
			}
			for _, f := range out.Findings {
				if f.CheckID != c.ID || f.Category != c.Category || f.Title == "" || f.Description == "" {
					t.Errorf("incomplete finding %+v", f)
				}
				if f.Severity != SeverityInfo && (f.Fix == nil || f.Recommendation == "") {
					t.Errorf("finding %q has no fix", f.Title)
				}
				if f.Recommendation != f.Fix.Text() {
					t.Errorf("finding %q: recommendation %q is not its fix's text", f.Title, f.Recommendation)
				}
			}
			if tc.find != "" {
				ok := strings.Contains(out.Description, tc.find)
				for _, f := range out.Findings {
					if strings.Contains(f.Title+"\n"+f.Evidence+"\n"+f.Recommendation+"\n"+f.Description, tc.find) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("neither the description nor a finding mentions %q: %q %+v", tc.find, out.Description, out.Findings)
				}
			}
		})
	}
}

// resp builds a response; hdrs are "Name: value" lines.
func ckResp(url string, status int, body string, hdrs ...string) *Response {
	h := http.Header{}
	for _, l := range hdrs {
		k, v, _ := strings.Cut(l, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return &Response{URL: url, StatusCode: status, Header: h, Body: []byte(body)}
}

// page is an HTML 200 response at https://example.com/.
func ckPage(body string, hdrs ...string) *Response {
	return ckResp("https://example.com/", 200, body, append([]string{"Content-Type: text/html; charset=utf-8"}, hdrs...)...)
}

// okTLS is a valid handshake with a certificate valid for 90 more days.
func ckTLS() *TLSFacts {
	return &TLSFacts{Version: 0x0304, Trusted: true, HostnameOK: true,
		Chain: []*x509.Certificate{ckCert(ckNow.Add(-24*time.Hour), ckNow.Add(90*24*time.Hour), false)}}
}

// evWith returns evidence for example.com with a valid TLS handshake and p as the page.
func ckEv(p *Response) *Evidence {
	ev := &Evidence{Depth: Deep, Now: ckNow, Target: Target{URL: "https://example.com/", Host: "example.com", Domain: "example.com"},
		Page: p, TLS: ckTLS()}
	if p != nil {
		ev.Pages = []*Response{p}
	}
	return ev
}

// with applies mutations to fresh evidence.
func ckWith(p *Response, f func(ev *Evidence)) *Evidence {
	ev := ckEv(p)
	f(ev)
	return ev
}

var ckCertCache = map[string]*x509.Certificate{}

// testCert makes a certificate for example.com, signed by a throwaway CA
// unless selfSigned.
func ckCert(notBefore, notAfter time.Time, selfSigned bool) *x509.Certificate {
	key := fmt.Sprint(notBefore.Unix(), notAfter.Unix(), selfSigned)
	if c, ok := ckCertCache[key]; ok {
		return c
	}
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.com"},
		DNSNames: []string{"example.com", "www.example.com"}, NotBefore: notBefore, NotAfter: notAfter}
	parent, signer := tmpl, priv
	if !selfSigned {
		caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		parent = &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Test CA", Organization: []string{"Palisade Test"}},
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: notBefore, NotAfter: notAfter.Add(time.Hour)}
		signer = caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &priv.PublicKey, signer)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	ckCertCache[key] = c
	return c
}

// TestCheckContract holds every check to the contract of check.go and
// docs/scoring.md: stable unique ids namespaced by category, a valid depth,
// declared needs, and categories of the Categories table whose checks share
// exactly the category's points.
func TestCheckContract(t *testing.T) {
	cases := []struct {
		name string
		fn   func(t *testing.T, all []Check)
	}{
		{"ids unique and namespaced", func(t *testing.T, all []Check) {
			seen := map[string]bool{}
			for _, c := range all {
				if seen[c.ID] {
					t.Errorf("duplicate id %s", c.ID)
				}
				seen[c.ID] = true
				if !strings.HasPrefix(c.ID, c.Category+".") {
					t.Errorf("%s not in namespace %s", c.ID, c.Category)
				}
			}
			if n := len(declaredChecks(t)); len(all) != n {
				t.Errorf("%d checks, the package declares %d", len(all), n)
			}
		}},
		{"fields complete", func(t *testing.T, all []Check) {
			for _, c := range all {
				if c.Name == "" || !c.Depth.Valid() || len(c.Needs) == 0 || c.Evaluate == nil || c.Weight < 0 {
					t.Errorf("incomplete check %+v", c)
				}
			}
		}},
		{"checks share their category's points", func(t *testing.T, all []Check) {
			got := map[string]float64{}
			for _, c := range all {
				got[c.Category] += CheckPoints(all)[c.ID]
			}
			for _, cat := range Categories {
				if math.Abs(got[cat.ID]-float64(cat.Weight)) > 1e-9 {
					t.Errorf("category %s checks share %v points, want %d", cat.ID, got[cat.ID], cat.Weight)
				}
			}
			if len(got) != len(Categories) {
				t.Errorf("checks are in categories %v, the table has %d", got, len(Categories))
			}
		}},
		{"evidence not collected gives skipped with a reason, not panic", func(t *testing.T, all []Check) {
			for _, c := range all {
				out := c.Evaluate(&Evidence{Now: ckNow, Target: Target{Host: "example.com"}})
				if out.Status != StatusSkipped || out.Reason == "" {
					t.Errorf("%s on empty evidence: %s %q (reason %q)", c.ID, out.Status, out.Value, out.Reason)
				}
			}
		}},
		{"concurrent evaluation shares the memo safely", func(t *testing.T, all []Check) {
			ev := typicalEvidence()
			want := map[string]Status{}
			for _, c := range all {
				want[c.ID] = c.Evaluate(ev).Status
			}
			ev = typicalEvidence() // fresh responses: the goroutines race to fill the memo
			var wg sync.WaitGroup
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, c := range all {
						if got := c.Evaluate(ev).Status; got != want[c.ID] {
							t.Errorf("%s: %s concurrently, %s alone", c.ID, got, want[c.ID])
						}
					}
				}()
			}
			wg.Wait()
		}},
	}
	all := AllChecks()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, all) })
	}
}

// typicalEvidence is a realistic DEEP evidence set for the benchmark.
func typicalEvidence() *Evidence {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><title>Shop</title><meta name="generator" content="WordPress 6.4.2">`)
	b.WriteString(`<meta http-equiv="Content-Security-Policy" content="upgrade-insecure-requests">`)
	b.WriteString(`<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">`)
	b.WriteString(`<link rel="stylesheet" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.4.2">`)
	b.WriteString(`<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>`)
	b.WriteString(`<script src="https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.15/lodash.min.js"></script>`)
	b.WriteString(`<script src="/wp-content/plugins/contact-form-7/includes/js/index.js?ver=5.8.4"></script></head><body>`)
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, `<div class="product"><a href="/p/%d"><img src="/img/%d.jpg" alt="Product %d"></a><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit %d.</p></div>`, i, i, i, i)
	}
	b.WriteString(`<script>var cfg={"k":"value"};</script></body></html>`)
	p := ckPage(b.String(),
		"Strict-Transport-Security: max-age=31536000; includeSubDomains",
		"Content-Security-Policy: default-src 'self'; script-src 'self' https://cdnjs.cloudflare.com; object-src 'none'; frame-ancestors 'self'",
		"X-Content-Type-Options: nosniff", "Referrer-Policy: strict-origin-when-cross-origin", "Server: nginx/1.24.0",
		"Set-Cookie: wordpress_logged_in=abc; path=/; secure; HttpOnly", "Set-Cookie: pref=1; Path=/; SameSite=Lax")
	ev := ckEv(p)
	ev.Redirects = []Hop{{URL: "http://example.com/", StatusCode: 301, Location: "https://example.com/"}, {URL: "https://example.com/", StatusCode: 200}}
	ev.TLSProbe = &TLSProbe{Versions: []uint16{0x0303, 0x0304}}
	ev.DNS = &DNSFacts{Domain: "example.com", TXT: []string{"v=spf1 include:_spf.google.com ~all"}, DMARC: []string{"v=DMARC1; p=reject"},
		CAA: []CAARecord{{Tag: "issue", Value: "letsencrypt.org"}}, MX: []string{"10 mx.example.com."},
		SPFIncludes: map[string][]string{"_spf.google.com": {"v=spf1 include:_netblocks.google.com ~all"}}}
	ev.CORS = ckResp("https://example.com/", 204, "")
	ev.SecurityTxt = ckResp("https://example.com/.well-known/security.txt", 200, "Contact: mailto:s@example.com\nExpires: 2027-01-01T00:00:00Z\n", "Content-Type: text/plain")
	ev.NotFound = ckResp("https://example.com/x", 404, "<html>not found</html>", "Content-Type: text/html")
	ev.Probes = map[string]*Response{}
	for _, p := range ProbePaths {
		ev.Probes[p] = ckResp("https://example.com"+p, 404, "<html>not found</html>", "Content-Type: text/html")
	}
	ev.Scripts = map[string]*Response{"https://example.com/app.js": ckResp("https://example.com/app.js", 200, strings.Repeat("function a(){return 1};", 2000), "Content-Type: text/javascript")}
	return ev
}

// BenchmarkCheckLibrary measures one evaluation of every check over a
// typical DEEP page (parsing is memoised per response, as in a scan). The
// engine budget is ≥ 20,000 evaluations of all checks per second per core.
func BenchmarkCheckLibrary(b *testing.B) {
	ev := typicalEvidence()
	all := AllChecks()
	for _, c := range all {
		c.Evaluate(ev) // warm the per-response memo
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range all {
			c.Evaluate(ev)
		}
	}
}

// TestCapReasons: a check that caps the grade says, in one sentence, what
// it found, with the specifics (date, file, credential and where).
func TestCapReasons(t *testing.T) {
	stripe := "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
	cases := []struct {
		name, id string
		ev       *Evidence
		cap      string
		want     []string // substrings of CapReason
	}{
		{"https unreachable", idTLSHTTPS, ckWith(nil, func(ev *Evidence) { ev.TLS, ev.TLSErr = nil, "connection refused" }),
			"F", []string{"cannot be reached over HTTPS", "connection refused"}},
		{"certificate expired", idTLSExpiry, ckWith(nil, func(ev *Evidence) {
			ev.TLS = &TLSFacts{Trusted: true, HostnameOK: true, Chain: []*x509.Certificate{ckCert(ckNow.Add(-90*24*time.Hour), ckNow.Add(-24*time.Hour), false)}}
		}), "F", []string{"expired on 28 February 2026"}},
		{"certificate not yet valid", idTLSExpiry, ckWith(nil, func(ev *Evidence) {
			ev.TLS = &TLSFacts{Trusted: true, HostnameOK: true, Chain: []*x509.Certificate{ckCert(ckNow.Add(48*time.Hour), ckNow.Add(90*24*time.Hour), false)}}
		}), "F", []string{"not valid before 3 March 2026"}},
		{"certificate out of its validity window", idTLSCertificate, ckWith(nil, func(ev *Evidence) {
			ev.TLS = &TLSFacts{Trusted: false, HostnameOK: true, Chain: []*x509.Certificate{ckCert(ckNow.Add(-90*24*time.Hour), ckNow.Add(-24*time.Hour), false)},
				VerifyError: "x509: certificate has expired or is not yet valid: current time 2026-03-01T12:00:00Z is after 2026-02-28T12:00:00Z"}
		}), "F", []string{"example.com", "expired or not yet valid"}},
		{"self-signed certificate", idTLSCertificate, ckWith(nil, func(ev *Evidence) {
			ev.TLS = &TLSFacts{Trusted: false, HostnameOK: true, Chain: []*x509.Certificate{ckCert(ckNow.Add(-time.Hour), ckNow.Add(90*24*time.Hour), true)}}
		}), "F", []string{"example.com", "self-signed"}},
		{"secret in a script", idContentSecrets, ckWith(ckPage(`<p>shop</p>`), func(ev *Evidence) {
			ev.Scripts = map[string]*Response{"https://example.com/app.js": ckResp("https://example.com/app.js", 200, `const k='`+stripe+`';`, "Content-Type: text/javascript")}
		}), "C", []string{"Stripe secret key", "/app.js"}},
		{"credentials file", idExposureSensitive, ckWith(nil, func(ev *Evidence) {
			ev.Probes = map[string]*Response{"/.aws/credentials": ckResp("https://example.com/.aws/credentials", 200,
				"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLF\naws_secret_access_key = x\n", "Content-Type: text/plain")}
		}), "C", []string{"AWS credentials file", "/.aws/credentials"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := checkByID(t, tc.id).Evaluate(tc.ev)
			if out.Cap != tc.cap {
				t.Fatalf("cap = %q, want %q (%s %q)", out.Cap, tc.cap, out.Status, out.Value)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.CapReason, w) {
					t.Errorf("cap reason %q does not say %q", out.CapReason, w)
				}
			}
		})
	}
}

// TestFixSnippets: fixes are structured, each snippet exactly the line(s)
// to paste for its server, and two headers set together share a snippet.
func TestFixSnippets(t *testing.T) {
	sri := ckEv(ckPage(`<script src="https://cdn.other.example/lib.js"></script>`))
	dmarc := ckWith(nil, func(ev *Evidence) {
		ev.DNS = &DNSFacts{Domain: "example.com", TXT: []string{}, DMARC: []string{}, CAA: []CAARecord{}, MX: []string{}}
	})
	cases := []struct {
		name, id string
		ev       *Evidence
		server   Server
		code     string // the snippet's exact code
	}{
		{"nosniff for nginx", idHeadersXCTO, ckEv(ckPage("")), ServerNginx, `add_header X-Content-Type-Options "nosniff" always;`},
		{"nosniff for Apache", idHeadersXCTO, ckEv(ckPage("")), ServerApache, `Header always set X-Content-Type-Options "nosniff"`},
		{"nosniff for Caddy", idHeadersXCTO, ckEv(ckPage("")), ServerCaddy, `header X-Content-Type-Options "nosniff"`},
		{"two headers, one snippet", idHeadersXFO, ckEv(ckPage("")), ServerNginx,
			"add_header Content-Security-Policy \"frame-ancestors 'self'\" always;\nadd_header X-Frame-Options \"DENY\" always;"},
		{"remove a header", idExposurePoweredBy, ckEv(ckPage("", "X-Powered-By: PHP/8.1.2")), ServerApache, "Header always unset X-Powered-By"},
		{"DNS record", idDNSDMARC, dmarc, ServerDNS, `_dmarc.example.com. TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"`},
		{"HTML element", idContentSRI, sri, ServerHTML, `<script src="https://cdn.example/lib.min.js" integrity="sha384-…" crossorigin="anonymous"></script>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := checkByID(t, tc.id).Evaluate(tc.ev)
			if len(out.Findings) == 0 || out.Findings[0].Fix == nil {
				t.Fatalf("%s %q: no finding with a fix", out.Status, out.Value)
			}
			f := out.Findings[0]
			var got []string
			for _, s := range f.Fix.Snippets {
				if s.Server == tc.server {
					got = append(got, s.Code)
				}
			}
			if len(got) != 1 || got[0] != tc.code {
				t.Errorf("%s snippets = %q, want exactly %q", tc.server, got, tc.code)
			}
			if f.Fix.Advice == "" || strings.Contains(f.Fix.Advice, "\n") {
				t.Errorf("advice %q is not one or two sentences of prose", f.Fix.Advice)
			}
			if want := ServerLabel(tc.server) + ": " + tc.code; !strings.Contains(f.Recommendation, want) {
				t.Errorf("recommendation %q does not contain %q", f.Recommendation, want)
			}
		})
	}
}
