package scanner

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/palisade/palisade/app/scanner/netguard"
)

// DefaultUserAgent identifies Palisade to the sites it scans, with a link
// explaining the traffic, so operators can recognise and allow-list us.
const DefaultUserAgent = "Palisade/1.0 (+https://palisade.example/bot)"

// Options configure a Scanner. The zero value is the safe production
// default: system roots, system resolver, every private address refused.
type Options struct {
	// AllowCIDRs opens these ranges although they are private or loopback
	// (PALISADE_SCAN_ALLOW_CIDRS); nothing else is opened.
	AllowCIDRs []netip.Prefix
	// RootCAs, when set, are trusted besides the system roots (PALISADE_SCAN_CA_FILE).
	RootCAs *x509.CertPool
	// DNSServer is "host:port" of the resolver to ask (PALISADE_DNS_SERVER); empty means the system's.
	DNSServer string
	// UserAgent identifies us to targets; empty means the default Palisade UA.
	UserAgent string
	// RetireJSFile, when set, is a retire.js jsrepository.json read instead
	// of the embedded snapshot (PALISADE_RETIREJS_FILE).
	RetireJSFile string
	// WPVulnsFile, when set, replaces the embedded table of vulnerable
	// WordPress plugin and theme versions (PALISADE_WP_VULNS_FILE).
	WPVulnsFile string
}

// engineLimits are the engine's bounds. Production uses defaultEngineLimits; tests in
// this package shrink the timeouts so hostile-target tests stay fast.
type engineLimits struct {
	dialTimeout    time.Duration // TCP connect, per address
	tlsTimeout     time.Duration // TLS handshake
	headerTimeout  time.Duration // request sent → response headers
	requestTimeout time.Duration // whole request including the body
	dnsTimeout     time.Duration // one DNS query

	pageBody   int64 // main page body bound (decompressed)
	crawlBody  int64 // each crawled page
	scriptBody int64 // each script
	smallBody  int64 // probes, security.txt, CORS, redirect hops
	maxHeader  int64 // response header bytes

	maxRedirects int
	maxPages     int // DEEP crawl, main page included
	maxScripts   int // DEEP scripts
	maxWeakProbe int // handshakes spent enumerating weak suites
	maxSPF       int // SPF include/redirect domains fetched

	rate  float64 // politeLimiter of HTTP requests: requests per second per host
	burst int
	// hsRate and hsBurst pace the TLS protocol and cipher probes'
	// handshakes (tlsprobe.go) in a bucket of their own per host, so the
	// probes never take the HTTP requests' tokens and the two budgets are
	// each what docs/scoring.md ("Depths") says.
	hsRate  float64
	hsBurst int

	// deadline overrides Depth.Deadline when set (tests).
	deadline func(Depth) time.Duration
	// httpsPort is the port tried when an http:// target is upgraded to
	// https ("" = 443); tests point it at their TLS server.
	httpsPort string
	// httpPort is the port of the http:// redirect chain for an https://
	// target ("" = 80); tests point it at their plain server.
	httpPort string
}

func defaultEngineLimits() engineLimits {
	return engineLimits{
		dialTimeout:    5 * time.Second,
		tlsTimeout:     5 * time.Second,
		headerTimeout:  8 * time.Second,
		requestTimeout: 10 * time.Second,
		dnsTimeout:     3 * time.Second,
		pageBody:       2 << 20,
		crawlBody:      512 << 10,
		scriptBody:     512 << 10,
		smallBody:      64 << 10,
		maxHeader:      64 << 10,
		maxRedirects:   10,
		maxPages:       25,
		maxScripts:     25,
		maxWeakProbe:   8,
		maxSPF:         12,
		rate:           5,
		burst:          16,
		hsRate:         5,
		hsBurst:        12,
	}
}

// Scanner runs scans. It is safe for concurrent use; one per process is enough.
type Scanner struct {
	opts     Options
	policy   *netguard.Policy
	resolver *net.Resolver
	sysRoots *x509.CertPool
	checks   []Check
	lim      engineLimits
	now      func() time.Time
	jsLibs   *jsRepo  // Options.RetireJSFile loaded; nil: embedded
	wp       *wpTable // Options.WPVulnsFile's table; nil = the embedded one

	// versionMu guards the scoring version of checks, hashed once per
	// check table instead of on every scan (scoringVersion compares the
	// table it was computed for with the current one).
	versionMu     sync.Mutex
	versionChecks []Check
	version       string
}

// scoringVersion is scoringVersionOf(s.checks), computed again only when
// the table changed (tests replace it after New).
func (s *Scanner) scoringVersion() string {
	s.versionMu.Lock()
	defer s.versionMu.Unlock()
	same := len(s.versionChecks) == len(s.checks) && s.version != "" &&
		(len(s.checks) == 0 || &s.versionChecks[0] == &s.checks[0])
	if !same {
		s.versionChecks, s.version = s.checks, scoringVersionOf(s.checks)
	}
	return s.version
}

// New builds a Scanner from options.
func New(opts Options) (*Scanner, error) {
	for _, p := range opts.AllowCIDRs {
		if !p.IsValid() {
			return nil, fmt.Errorf("scanner: invalid allow CIDR %v", p)
		}
	}
	if opts.DNSServer != "" {
		if _, _, err := net.SplitHostPort(opts.DNSServer); err != nil {
			return nil, fmt.Errorf("scanner: DNS server %q must be host:port: %w", opts.DNSServer, err)
		}
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	wp, err := loadWPTable(opts.WPVulnsFile)
	if err != nil {
		return nil, err
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = nil // only Options.RootCAs will be trusted
	}
	var jsLibs *jsRepo // nil: the embedded retire.js snapshot
	if opts.RetireJSFile != "" {
		if jsLibs, err = loadJSRepoFile(opts.RetireJSFile); err != nil {
			return nil, err
		}
	}
	return &Scanner{
		wp:       wp,
		opts:     opts,
		policy:   netguard.NewPolicy(opts.AllowCIDRs),
		resolver: netguard.NewResolver(opts.DNSServer),
		sysRoots: roots,
		checks:   AllChecks(),
		lim:      defaultEngineLimits(),
		now:      time.Now,
		jsLibs:   jsLibs,
	}, nil
}

// ErrRefused wraps every reason a target is refused before any request is
// sent (bad scheme, credentials, unresolvable, private address). The API maps
// it to 422 with the message. Connections refused mid-scan (a redirect to a
// private address) wrap it too.
var ErrRefused = netguard.ErrRefused

// Target is a URL that passed validation, normalised.
type Target struct {
	URL    string // normalised URL, e.g. https://example.com/
	Host   string // ASCII (punycode) host name, no port
	Domain string // the host as shown to people (Unicode for IDN)

	u *netguard.URL
	// checked is what Validate's resolution found, handed to a scan of
	// this Target (ScanTarget) so it does not ask DNS again.
	checked *checkedAddrs
}

// checkedAddrs are a host's addresses that passed the policy, and when.
type checkedAddrs struct {
	addrs []netip.Addr
	at    time.Time
}

// targetReuseWindow is how long after Validate a ScanTarget may connect to
// the addresses Validate checked instead of resolving the name again: long
// enough for a CLI that validates and then scans, short enough that a
// target validated when a scan was accepted and run much later from a
// queue is looked up afresh.
const targetReuseWindow = time.Minute

// dialer returns a guard dialer. res, when not nil, is the scan's
// resolution cache: one DNS resolution per host per scan, and every
// connection to the addresses that resolution checked (docs/scoring.md,
// "Depths").
func (s *Scanner) dialer(res *netguard.Resolutions) *netguard.Dialer {
	return &netguard.Dialer{Policy: s.policy, Resolver: s.resolver, Resolutions: res, Timeout: s.lim.dialTimeout, KeepAlive: 15 * time.Second}
}

// Validate normalises rawURL and checks it is scannable: http or https, no
// credentials, a host that resolves to at least one address the scanner may
// reach. Errors wrap ErrRefused with a sentence a user can act on, except
// ctx's own error when ctx ends first.
func (s *Scanner) Validate(ctx context.Context, rawURL string) (*Target, error) {
	return s.validate(ctx, rawURL, nil)
}

// Normalize is Validate without the resolution: the URL's syntax, scheme
// and credentials are checked and it is normalised, but DNS is not asked.
// A monitor's scheduled run is accepted with it, so a site whose name
// stopped resolving is still scanned — and graded "could not be scanned",
// which is what its monitor alerts on — instead of never starting; the
// scan itself validates the target when it runs.
func Normalize(rawURL string) (*Target, error) {
	u, err := netguard.Normalize(rawURL)
	if err != nil {
		return nil, err
	}
	return &Target{URL: u.String(), Host: u.Host, Domain: u.Display(), u: u}, nil
}

// validate is Validate resolving through res (the scan's cache) when set.
func (s *Scanner) validate(ctx context.Context, rawURL string, res *netguard.Resolutions) (*Target, error) {
	u, err := netguard.Normalize(rawURL)
	if err != nil {
		return nil, err
	}
	addrs, err := s.dialer(res).Resolve(ctx, u.Host)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, refusalFor(u, err)
	}
	return &Target{URL: u.String(), Host: u.Host, Domain: u.Display(), u: u, checked: &checkedAddrs{addrs: addrs, at: s.now()}}, nil
}

// refusal phrases why a host cannot be scanned; the result wraps ErrRefused.
func refusalFor(u *netguard.URL, err error) error {
	var be *netguard.BlockedError
	if errors.As(err, &be) {
		msg := ""
		if be.Host != "" {
			msg = fmt.Sprintf("the host %s resolves to %s, %s, which Palisade does not scan", be.Host, be.Addr, be.Reason)
		} else {
			msg = fmt.Sprintf("the address %s is %s, which Palisade does not scan", be.Addr, be.Reason)
		}
		return &netguard.RefusedError{Msg: msg}
	}
	if errors.Is(err, ErrRefused) {
		return err
	}
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		return &unresolvedError{&netguard.RefusedError{Msg: fmt.Sprintf("the host %s does not exist (no DNS address records)", u.Host)}}
	}
	return &unresolvedError{&netguard.RefusedError{Msg: fmt.Sprintf("the host %s could not be resolved: %s", u.Host, sentenceOf(err))}}
}

// unresolvedError is a refusal because the host has no address: the target
// is unreachable rather than forbidden (refusedVerdict tells them apart).
type unresolvedError struct{ *netguard.RefusedError }

// Unwrap keeps errors.Is(err, ErrRefused) true.
func (e *unresolvedError) Unwrap() error { return e.RefusedError }

// Scan runs every check of depth against rawURL within the depth's
// deadline (or ctx's, if sooner). onEvent, when not nil, is called once per
// check that ran; calls never overlap. A scan that could not reach the
// target still returns a Result with Error set; the error return is for
// refusals (ErrRefused) and context cancellation/deadline, in which case the
// partial Result is returned alongside the error. The Result is never nil.
// A result that could not be graded (unreachable, blocked by a bot
// challenge, cancelled, failed) says why in NotGraded and has no grade,
// score or findings (docs/scoring.md, "Scans that are not graded").
func (s *Scanner) Scan(ctx context.Context, rawURL string, depth Depth, onEvent func(Event)) (*Result, error) {
	return s.scan(ctx, rawURL, nil, depth, onEvent)
}

// ScanTarget is Scan of a Target that Validate returned: when it was
// validated within the last minute, the scan connects to the addresses
// Validate checked instead of resolving the host again (a CLI validates,
// then scans at once). An older Target is validated again, as Scan would.
func (s *Scanner) ScanTarget(ctx context.Context, t *Target, depth Depth, onEvent func(Event)) (*Result, error) {
	return s.scan(ctx, t.URL, t, depth, onEvent)
}

// scan is Scan, reusing pre's resolution when it is recent.
func (s *Scanner) scan(ctx context.Context, rawURL string, pre *Target, depth Depth, onEvent func(Event)) (*Result, error) {
	start := time.Now()
	if depth == "" {
		depth = Standard
	}
	res := newResult(rawURL, depth)
	res.ScannedAt = s.now().UTC()
	res.ScoringVersion = s.scoringVersion()
	if !depth.Valid() {
		err := &netguard.RefusedError{Msg: fmt.Sprintf("unknown scan depth %q (use QUICK, STANDARD or DEEP)", string(depth))}
		res.Error = err.Error()
		res.ungrade(refusedVerdict(err, s.opts.UserAgent))
		return res, err
	}
	budget := depth.Deadline()
	if s.lim.deadline != nil {
		budget = s.lim.deadline(depth)
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()

	// One resolution per host for the whole scan: the target's is the
	// validation's (or pre's), and every connection reuses it.
	resolutions := netguard.NewResolutions()
	t := pre
	if t != nil && t.u != nil && t.checked != nil && s.now().Sub(t.checked.at) < targetReuseWindow {
		resolutions.Seed(t.Host, t.checked.addrs)
	} else {
		var err error
		t, err = s.validate(ctx, rawURL, resolutions)
		if err != nil {
			res.Error = sentenceOf(err)
			res.DurationMs = time.Since(start).Milliseconds()
			if errors.Is(err, context.DeadlineExceeded) {
				res.ungrade(deadlineFailure(budget))
			} else {
				res.ungrade(refusedVerdict(err, s.opts.UserAgent))
			}
			return res, err
		}
	}
	res.TargetURL = t.URL
	res.TargetDomain = t.Domain

	r := newRun(s, t, depth, onEvent, resolutions)
	r.budget = budget
	complete := r.execute(ctx)
	var stop error
	if !complete {
		stop = ctx.Err()
		if stop == nil {
			stop = context.DeadlineExceeded
		}
	}
	cancel()
	r.wait()

	r.buildResult(res, stop)
	res.DurationMs = time.Since(start).Milliseconds()
	if stop != nil {
		msg := fmt.Sprintf("the scan did not finish within its %s deadline; results are partial", budget.Round(time.Millisecond))
		if errors.Is(stop, context.Canceled) {
			msg = "the scan was cancelled; results are partial"
		}
		if res.Error == "" {
			res.Error = msg
		} else {
			res.Error = msg + " (" + res.Error + ")"
		}
		return res, stop
	}
	return res, nil
}
