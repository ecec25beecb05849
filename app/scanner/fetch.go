package scanner

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/app/scanner/netguard"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/time/rate"
)

// client is the HTTP side of one scan: a transport whose every connection
// goes through the netguard dialer, bounded reads, manual redirect following
// (so each hop is recorded and re-checked), a per-host politeLimiter for
// HTTP requests and another for the TLS probes' handshakes.
type scanClient struct {
	lim    engineLimits
	ua     string
	dialer *netguard.Dialer
	tr     *http.Transport
	hc     *http.Client
	polite *politeLimiter // HTTP requests
	hs     *politeLimiter // TLS probe handshakes (tlsprobe.go)
}

func (s *Scanner) newClient(res *netguard.Resolutions) *scanClient {
	d := s.dialer(res)
	tr := &http.Transport{
		Proxy:       nil, // never: a proxy would bypass the address checks
		DialContext: d.DialContext,
		// Verification is done by hand (tlsFacts) so a bad certificate is a
		// finding, not a reason to stop looking at the site.
		TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // verified explicitly in tlsFacts
			MinVersion:         tls.VersionTLS10,
			// What browsers still offer (incl. static-RSA key exchange), so an
			// old server still shows its page; RC4/3DES are only probed.
			CipherSuites: secureSuiteIDs(),
			// Classical key exchange only: the post-quantum hybrid share
			// (X25519MLKEM768, Go's default first offer) costs a key
			// generation per connection, about a tenth of a QUICK scan's CPU
			// (docs/BENCHMARKS.md, Scanner), and no check reads the group a
			// server picks. Every server that speaks the hybrid also speaks
			// X25519.
			CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521},
		},
		TLSHandshakeTimeout:    s.lim.tlsTimeout,
		ResponseHeaderTimeout:  s.lim.headerTimeout,
		MaxResponseHeaderBytes: s.lim.maxHeader,
		DisableCompression:     true, // we decode gzip ourselves, bounded
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    4,
		MaxConnsPerHost:        6,
		IdleConnTimeout:        20 * time.Second,
		ExpectContinueTimeout:  time.Second,
	}
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	c := &scanClient{
		lim:    s.lim,
		ua:     s.opts.UserAgent,
		dialer: d,
		tr:     tr,
		polite: newPoliteLimiter(s.lim.rate, s.lim.burst),
		hs:     newPoliteLimiter(s.lim.hsRate, s.lim.hsBurst),
	}
	c.hc = &http.Client{
		Transport:     tr,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

func secureSuiteIDs() []uint16 {
	var ids []uint16
	for _, cs := range tls.CipherSuites() {
		ids = append(ids, cs.ID)
	}
	return ids
}

func (c *scanClient) close() { c.tr.CloseIdleConnections() }

// request describes one fetch.
type fetchReq struct {
	method    string
	header    map[string]string
	bodyLimit int64
	follow    bool // follow redirects (up to lim.maxRedirects)
	// known, when set, may answer a hop from a response this scan already
	// has (the redirect chain ending on the main page the page fetch got):
	// the hop is recorded, and followed, without a second request.
	known func(ctx context.Context, u *netguard.URL) (Hop, bool)
}

// exchange is the outcome of a fetch with its redirect chain.
type fetchExchange struct {
	resp *Response
	hops []Hop
	// firstTLS is the TLS state of the first hop when it was https.
	firstTLS *tls.ConnectionState
	// lastTLS is the TLS state of the last response when it came over https.
	lastTLS *tls.ConnectionState
}

// fetch performs req against u, following redirects when asked. Every hop is
// re-normalised (a Location with credentials or another scheme is refused)
// and every connection re-checked by the dialer. Loops and chains longer
// than maxRedirects end with an error; the hops seen so far are returned.
func (c *scanClient) fetch(ctx context.Context, u *netguard.URL, req fetchReq) (*fetchExchange, error) {
	ex := &fetchExchange{}
	seen := map[string]bool{}
	cur := u
	for hop := 0; ; hop++ {
		key := cur.String()
		if seen[key] {
			return ex, fmt.Errorf("the redirects loop back to %s (%s)", key, redirectChainString(ex.hops, key))
		}
		seen[key] = true
		var resp *Response
		var cs *tls.ConnectionState
		if h, ok := knownHop(ctx, req, cur); ok {
			resp = hopResponse(h)
		} else {
			var err error
			resp, cs, err = c.do(ctx, cur, req)
			if err != nil {
				return ex, err
			}
		}
		if hop == 0 && cs != nil {
			ex.firstTLS = cs
		}
		ex.lastTLS = cs
		loc := resp.Header.Get("Location")
		h := Hop{URL: resp.URL, StatusCode: resp.StatusCode}
		isRedirect := resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" && resp.StatusCode != 304
		if isRedirect {
			h.Location = loc
		}
		ex.hops = append(ex.hops, h)
		ex.resp = resp
		if !req.follow || !isRedirect {
			return ex, nil
		}
		if hop >= c.lim.maxRedirects {
			return ex, fmt.Errorf("the target redirected more than %d times (%s)", c.lim.maxRedirects, redirectChainString(ex.hops, ""))
		}
		next, err := redirectTarget(cur, loc)
		if err != nil {
			return ex, err
		}
		cur = next
		if req.method == http.MethodPost || req.method == http.MethodOptions {
			req.method = http.MethodGet
		}
	}
}

// knownHop asks req.known for u's answer.
func knownHop(ctx context.Context, req fetchReq, u *netguard.URL) (Hop, bool) {
	if req.known == nil {
		return Hop{}, false
	}
	return req.known(ctx, u)
}

// hopResponse is the part of a response a redirect chain reads, rebuilt
// from a recorded hop: its URL, status and Location.
func hopResponse(h Hop) *Response {
	r := &Response{URL: h.URL, StatusCode: h.StatusCode, Header: http.Header{}}
	if h.Location != "" {
		r.Header.Set("Location", h.Location)
	}
	return r
}

func redirectChainString(hops []Hop, next string) string {
	var b strings.Builder
	for i, h := range hops {
		if i > 0 {
			b.WriteString(" → ")
		}
		if i >= 4 && len(hops) > 6 && i < len(hops)-2 {
			b.WriteString("…")
			continue
		}
		b.WriteString(h.URL)
	}
	if next != "" {
		b.WriteString(" → " + next)
	}
	return strings.ReplaceAll(b.String(), "… → ", "")
}

// redirectTarget turns a Location header into the next URL, refusing what
// the first URL would have been refused for.
func redirectTarget(base *netguard.URL, loc string) (*netguard.URL, error) {
	b, err := url.Parse(base.String())
	if err != nil {
		return nil, err
	}
	ref, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		return nil, fmt.Errorf("the target redirected to an invalid URL %q", clipString(loc, 200))
	}
	abs := b.ResolveReference(ref)
	abs.Fragment = ""
	next, err := netguard.Normalize(abs.String())
	if err != nil {
		return nil, &netguard.RefusedError{Msg: fmt.Sprintf("the redirect to %s was refused: %s", clipString(abs.String(), 200), err)}
	}
	return next, nil
}

// do sends one request and reads a bounded body, all within requestTimeout.
func (c *scanClient) do(ctx context.Context, u *netguard.URL, req fetchReq) (*Response, *tls.ConnectionState, error) {
	if err := c.polite.wait(ctx, u.Host); err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, c.lim.requestTimeout)
	defer cancel()
	method := req.method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequestWithContext(rctx, method, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	hr.Header.Set("User-Agent", c.ua)
	hr.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	hr.Header.Set("Accept-Language", "en")
	hr.Header.Set("Accept-Encoding", "gzip")
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return nil, nil, describeFetchErr(ctx, u, err)
	}
	defer resp.Body.Close()
	limit := req.bodyLimit
	if limit <= 0 {
		limit = c.lim.smallBody
	}
	body, truncated, err := readBoundedBody(resp, limit)
	if err != nil {
		return nil, nil, describeFetchErr(ctx, u, err)
	}
	r := &Response{
		URL:        u.String(),
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       body,
		Truncated:  truncated,
	}
	if resp.ContentLength > 0 && resp.Header.Get("Content-Encoding") == "" {
		r.Size = resp.ContentLength
	}
	return r, resp.TLS, nil
}

// readBoundedBody reads at most limit bytes of the (gzip-decoded) body. The rest
// is never read: closing the body drops the connection, so a 1 GiB body or a
// gzip bomb costs us limit bytes of memory and nothing more.
func readBoundedBody(resp *http.Response, limit int64) ([]byte, bool, error) {
	var r io.Reader = resp.Body
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(io.LimitReader(resp.Body, 4*limit+1024))
		if err == nil {
			defer zr.Close()
			r = zr
		} else {
			return nil, false, nil // declared gzip but is not: no usable body
		}
	}
	// A declared length sizes the buffer (up to 64 KiB, so a lying header
	// costs nothing); an unknown one (chunked, gzip) starts at 8 KiB and
	// doubles, so a small answer does not pay for zeroing 64 KiB.
	initial := int64(8 << 10)
	if resp.ContentLength > 0 && resp.Header.Get("Content-Encoding") == "" {
		initial = min(resp.ContentLength, 64<<10)
	}
	initial = min(initial, limit)
	buf := make([]byte, 0, initial+1)
	lr := io.LimitReader(r, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), int(limit+1)-len(buf)))
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
				break // keep what decoded; a broken stream is the site's problem
			}
			return nil, false, err
		}
	}
	if int64(len(buf)) > limit {
		return buf[:limit], true, nil
	}
	return buf, false, nil
}

// describeFetchErr turns transport errors into one sentence people understand.
func describeFetchErr(scanCtx context.Context, u *netguard.URL, err error) error {
	if errors.Is(err, netguard.ErrRefused) {
		var be *netguard.BlockedError
		if errors.As(err, &be) {
			return &netguard.RefusedError{Msg: fmt.Sprintf("the connection to %s was refused: %s, which Palisade does not scan", u.String(), be.Error())}
		}
		return err
	}
	if scanCtx.Err() != nil {
		return scanCtx.Err()
	}
	return &fetchError{url: u.String(), msg: sentenceOf(err), err: err}
}

// fetchError is a failed request phrased for people, keeping the cause.
type fetchError struct {
	url string
	msg string
	err error
}

// Error is "URL: sentence".
func (e *fetchError) Error() string { return e.url + ": " + e.msg }

// Unwrap keeps the transport error reachable for errors.Is/As.
func (e *fetchError) Unwrap() error { return e.err }

// sentenceOf maps the usual network and protocol errors to a short phrase.
func sentenceOf(err error) string {
	if err == nil {
		return ""
	}
	var fe *fetchError
	if errors.As(err, &fe) {
		return fe.Error()
	}
	if errors.Is(err, netguard.ErrRefused) {
		return err.Error()
	}
	msg := err.Error()
	var ne net.Error
	var de *net.DNSError
	var opErr *net.OpError
	var rhe tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) ||
		strings.Contains(msg, "timeout awaiting response headers") || strings.Contains(msg, "TLS handshake timeout"):
		switch {
		case strings.Contains(msg, "TLS handshake timeout"):
			return "the TLS handshake timed out"
		case strings.Contains(msg, "awaiting response headers"):
			return "the server accepted the connection but did not answer in time"
		case strings.Contains(msg, "dial"):
			return "the connection timed out"
		}
		return "the server did not send its response in time"
	case errors.As(err, &de):
		if de.IsNotFound {
			return "the host " + de.Name + " does not exist"
		}
		return "the host " + de.Name + " could not be resolved"
	case errors.As(err, &rhe) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the server does not speak TLS on this port"
	case strings.Contains(msg, "server response headers exceeded"):
		return "the server sent more response headers than the scanner accepts"
	case strings.Contains(msg, "malformed HTTP") || strings.Contains(msg, "readLoopPeekFailLocked") ||
		strings.Contains(msg, "unsolicited response"):
		return "the server did not answer with HTTP"
	case strings.Contains(msg, "connection refused"):
		return "the connection was refused"
	case strings.Contains(msg, "connection reset"):
		return "the server reset the connection"
	case strings.Contains(msg, "EOF") || strings.Contains(msg, "server closed idle connection"):
		return "the server closed the connection without a complete answer"
	case strings.Contains(msg, "tls:") || strings.Contains(msg, "remote error"):
		return "the TLS handshake failed (" + tlsAlertReason(msg) + ")"
	case errors.As(err, &opErr):
		return "the connection failed (" + opErr.Err.Error() + ")"
	}
	return clipString(msg, 200)
}

func tlsAlertReason(msg string) string {
	if i := strings.LastIndex(msg, "tls: "); i >= 0 {
		return clipString(msg[i+5:], 120)
	}
	return clipString(msg, 120)
}

func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// politeLimiter is one token bucket (golang.org/x/time/rate) per host: at
// most rate requests per second after an initial burst, so even DEEP scans
// stay well-mannered. A scan has two: one for HTTP requests (the TLS
// handshake of an HTTP connection is part of its request) and one for the
// TLS probes' bare handshakes, which are a budget of their own
// (docs/scoring.md, "Depths").
type politeLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
}

func newPoliteLimiter(perSecond float64, burst int) *politeLimiter {
	lim := rate.Limit(perSecond)
	if perSecond <= 0 {
		lim = rate.Inf
	}
	if burst < 1 {
		burst = 1
	}
	return &politeLimiter{rate: lim, burst: burst, buckets: map[string]*rate.Limiter{}}
}

// wait takes a token for host, sleeping until one is due. rate.Limiter
// reserves the token up front, so waiters are served in arrival order, and
// gives it back when ctx ends first. A wait that could only end after ctx's
// deadline fails at once; it is reported as context.DeadlineExceeded, which
// is what the caller would have got by sleeping until the deadline.
func (p *politeLimiter) wait(ctx context.Context, host string) error {
	p.mu.Lock()
	l := p.buckets[host]
	if l == nil {
		l = rate.NewLimiter(p.rate, p.burst)
		p.buckets[host] = l
	}
	p.mu.Unlock()
	if err := l.Wait(ctx); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	}
	return nil
}
