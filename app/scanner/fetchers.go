package scanner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/palisade/palisade/app/scanner/netguard"
	"golang.org/x/sync/errgroup"
)

// CORSProbeOrigin is the foreign Origin sent with the CORS preflight
// (Evidence.CORS); checks compare Access-Control-Allow-Origin against it.
const CORSProbeOrigin = "https://evil.example"

// CORSProbeMethod is the Access-Control-Request-Method of the preflight.
const CORSProbeMethod = "GET"

func (r *scanRun) startJobs(ctx context.Context) {
	d := r.depth.Rank()
	r.job(ctx, nil, []EvidenceKind{NeedPage, NeedTLS}, r.fetchPage)
	r.job(ctx, []EvidenceKind{NeedPage}, []EvidenceKind{NeedCrawl}, r.fetchCrawl)
	r.job(ctx, []EvidenceKind{NeedCrawl}, []EvidenceKind{NeedWordPress}, r.fetchWordPress)
	if d >= Standard.Rank() {
		r.job(ctx, nil, []EvidenceKind{NeedRedirects}, r.fetchRedirects)
		r.job(ctx, nil, []EvidenceKind{NeedTLSProbe}, r.fetchTLSProbeJob)
		r.job(ctx, nil, []EvidenceKind{NeedDNS}, r.fetchDNS)
		r.job(ctx, []EvidenceKind{NeedPage}, []EvidenceKind{NeedCORS}, r.fetchCORS)
		r.job(ctx, []EvidenceKind{NeedPage}, []EvidenceKind{NeedSecTxt}, r.fetchSecurityTxt)
	} else {
		r.publish(NeedRedirects, NeedTLSProbe, NeedDNS, NeedCORS, NeedSecTxt)
	}
	if d >= Deep.Rank() {
		r.job(ctx, []EvidenceKind{NeedPage}, []EvidenceKind{NeedProbes}, r.fetchProbes)
	} else {
		r.publish(NeedProbes)
	}
}

// httpsURL is where HTTPS is tried for the target: the target itself when it
// is https; for an http target the same host on 443 (tests: lim.httpsPort).
func (r *scanRun) httpsURL() *netguard.URL {
	if r.u.Scheme == "https" {
		return r.u
	}
	c := *r.u
	c.Scheme = "https"
	c.Port = r.s.lim.httpsPort
	return &c
}

// fetchPage gets the main page (following redirects) over HTTPS, falling
// back to plain HTTP when HTTPS gives no answer at all: for an http target
// the target itself, for an https one http:// on the same host (a visitor
// typing the bare name gets that page too). The first hop's handshake gives
// the TLS facts; when the target has no HTTPS of its own but the page's
// redirects end on HTTPS of the same site (another port or host), that
// endpoint's do (docs/scoring.md, "Depths": HTTPS is judged where the
// chain ends).
func (r *scanRun) fetchPage(ctx context.Context) {
	req := fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.pageBody, follow: true}
	hu := r.httpsURL()
	// For an http:// target the plain fetch runs alongside the HTTPS
	// attempt, so a firewalled 443 costs no wall time; it is dropped when
	// HTTPS answers.
	type result struct {
		ex  *fetchExchange
		err error
	}
	var plain chan result
	plainCtx, cancelPlain := context.WithCancel(ctx)
	defer cancelPlain()
	shared := r.sharesPlainPage()
	if r.u.Scheme == "http" {
		plain = make(chan result, 1)
		go func() {
			if shared {
				ex, err := r.plainPage(ctx)
				plain <- result{ex, err}
				return
			}
			ex, err := r.c.fetch(plainCtx, r.u, req)
			plain <- result{ex, err}
		}()
	}
	ex, err := r.c.fetch(ctx, hu, req)
	r.mu.Lock()
	r.httpsHops = ex.hops
	r.mu.Unlock()
	close(r.httpsDone)
	var httpsErr error
	switch {
	case plain != nil && err != nil && len(ex.hops) == 0 && ctx.Err() == nil:
		httpsErr = err
		p := <-plain
		ex, err = p.ex, p.err
	case plain != nil && shared:
		// HTTPS answered: the shared plain GET is the redirect chain's to
		// finish (fetchRedirects waits for it); nothing to cancel.
	case plain != nil:
		cancelPlain()
		<-plain
	case ex.firstTLS == nil && err != nil:
		httpsErr = err
		if fu := r.plainFallbackURL(); fu != nil && ctx.Err() == nil && !errors.Is(err, ErrRefused) {
			// Only an answer replaces the HTTPS error: when plain HTTP is
			// silent too, the target's own failure is the one to report.
			if pex, perr := r.c.fetch(ctx, fu, req); len(pex.hops) > 0 {
				ex, err = pex, perr
			}
		}
	}
	var final *Response
	if err == nil {
		final = ex.resp
	}
	var facts *TLSFacts
	tlsURL, via, offSite := "", false, ""
	switch {
	case ex.firstTLS != nil:
		facts = r.s.tlsFacts(ex.firstTLS, hu.Host, r.ev.Now)
		tlsURL = hu.Origin()
	case final != nil && ex.lastTLS != nil:
		if fu, perr := netguard.Normalize(final.URL); perr == nil && fu.Scheme == "https" {
			if siteOf(fu.Host) == siteOf(r.u.Host) {
				facts = r.s.tlsFacts(ex.lastTLS, fu.Host, r.ev.Now)
				tlsURL, via = fu.Origin(), true
			} else {
				offSite = fu.Origin()
			}
		}
	}
	r.set(func(ev *Evidence) {
		ev.PageChain = ex.hops
		if final != nil {
			ev.Page = final
		} else {
			ev.PageErr = sentenceOf(err)
		}
		ev.TLSURL, ev.TLSViaRedirect, ev.OffSiteURL = tlsURL, via, offSite
		switch {
		case facts != nil:
			ev.TLS = facts
		case httpsErr != nil:
			ev.TLSErr = fmt.Sprintf("HTTPS is not available at %s: %s", hu.Origin(), sentenceOf(unwrapFetch(httpsErr)))
		default:
			ev.TLSErr = "HTTPS was not reached"
		}
		if offSite != "" {
			ev.TLSErr += "; the site sends visitors to another site, " + clip(offSite, 120) + ", whose HTTPS is not judged as this site's"
		}
	})
}

// plainFallbackURL is where an https target's page is tried over plain HTTP
// when HTTPS gives no answer: the same host and path on port 80 (tests:
// lim.httpPort). A target on an explicit port has no such fallback unless
// lim.httpPort names one: plain HTTP on another port is another service.
func (r *scanRun) plainFallbackURL() *netguard.URL {
	if r.u.Scheme != "https" || (r.u.Port != "" && r.s.lim.httpPort == "") {
		return nil
	}
	c := *r.u
	c.Scheme = "http"
	c.Port = r.s.lim.httpPort
	return &c
}

// tlsProbeURL is the HTTPS endpoint the protocol and cipher probes are made
// against once the TLS facts are known: where they were read from when that
// is not the target's own address, else nil.
func (r *scanRun) tlsProbeURL() *netguard.URL {
	r.mu.Lock()
	raw, via := r.ev.TLSURL, r.ev.TLSViaRedirect
	r.mu.Unlock()
	if !via {
		return nil
	}
	u, err := netguard.Normalize(raw)
	if err != nil {
		return nil
	}
	return u
}

// fetchTLSProbeJob probes the target's own HTTPS address at once (the
// common case costs no wall time), then, when the TLS facts came from where
// the page's redirects ended, probes that endpoint instead.
func (r *scanRun) fetchTLSProbeJob(ctx context.Context) {
	r.fetchTLSProbe(ctx, r.httpsURL())
	select {
	case <-r.ready[NeedTLS]:
	case <-ctx.Done():
		return
	}
	if u := r.tlsProbeURL(); u != nil {
		r.set(func(ev *Evidence) { ev.TLSProbe, ev.TLSProbeErr = nil, "" })
		r.fetchTLSProbe(ctx, u)
	}
}

func unwrapFetch(err error) error {
	var fe *fetchError
	if errors.As(err, &fe) {
		return errors.New(fe.msg)
	}
	return err
}

// fetchRedirects follows the chain from http://host/, the way a visitor who
// types the bare name arrives. The chain usually ends on the https URL the
// page fetch asks for; that hop (and the page's own redirects after it) is
// taken from the page fetch's chain instead of being requested again, so a
// scan GETs its main page once (docs/scoring.md, "Depths").
func (r *scanRun) fetchRedirects(ctx context.Context) {
	var ex *fetchExchange
	var err error
	if r.sharesPlainPage() {
		ex, err = r.plainPage(ctx)
	} else {
		ex, err = r.c.fetch(ctx, r.redirectsURL(), fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.smallBody, follow: true, known: r.pageHop})
	}
	r.set(func(ev *Evidence) {
		if len(ex.hops) > 0 {
			ev.Redirects = ex.hops
		}
		if err != nil {
			ev.RedirectsErr = sentenceOf(err)
		}
	})
}

// redirectsURL is where the redirect chain starts: http://host/, the way a
// visitor who types the bare name arrives.
func (r *scanRun) redirectsURL() *netguard.URL {
	hu := &netguard.URL{Scheme: "http", Host: r.u.Host, IP: r.u.IP, Path: "/"}
	if r.u.Scheme == "http" {
		hu.Port = r.u.Port
	} else {
		hu.Port = r.s.lim.httpPort
	}
	return hu
}

// sharesPlainPage is true when the page fetch's plain-HTTP attempt and the
// redirect chain are the same GET: an http:// target of the site's root at
// STANDARD or DEEP. That GET is then sent once (plainPage), so the main page
// is requested once (docs/scoring.md, "What a scan sends").
func (r *scanRun) sharesPlainPage() bool {
	return r.u.Scheme == "http" && r.depth.Rank() >= Standard.Rank() && r.u.String() == r.redirectsURL().String()
}

// plainPage sends the GET of the http:// target, following redirects, once
// per scan, under the scan's context (the page fetch no longer cancels it
// when HTTPS answers first: the redirect chain needs its answer anyway).
func (r *scanRun) plainPage(ctx context.Context) (*fetchExchange, error) {
	r.plainOnce.Do(func() {
		r.plainEx, r.plainErr = r.c.fetch(ctx, r.u, fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.pageBody, follow: true, known: r.pageHop})
	})
	return r.plainEx, r.plainErr
}

// pageHop answers a hop of an http:// chain (the redirect chain, the
// shared plain GET) from what the page fetch already asked, so no URL is
// requested twice: an https:// URL from the page fetch's HTTPS attempt,
// waiting for that attempt alone (never for the page evidence, which may
// itself wait for the shared plain GET), any other URL from the page's chain
// once it is in. The page fetch sends the same GET with the same headers, so
// its status and Location are what a second request would have been told
// (only a cookie set by an http:// hop, which the page fetch did not carry,
// could make them differ). A URL the attempt got no answer for is requested
// (and fails again, as a visitor's would).
func (r *scanRun) pageHop(ctx context.Context, u *netguard.URL) (Hop, bool) {
	key := u.String()
	if u.Scheme == "https" {
		select {
		case <-r.httpsDone:
		case <-ctx.Done():
			return Hop{}, false
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		return hopOf(r.httpsHops, key)
	}
	if !r.isPublished(NeedPage) {
		return Hop{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return hopOf(r.ev.PageChain, key)
}

// hopOf is the hop of chain at URL key.
func hopOf(chain []Hop, key string) (Hop, bool) {
	for _, h := range chain {
		if h.URL == key {
			return h, true
		}
	}
	return Hop{}, false
}

// baseURL is the origin later requests go to: the final URL of the main page
// (after redirects), or the target when the page failed.
func (r *scanRun) baseURL() *netguard.URL {
	r.mu.Lock()
	p := r.ev.Page
	r.mu.Unlock()
	if p != nil {
		if u, err := netguard.Normalize(p.URL); err == nil {
			return u
		}
	}
	return r.u
}

func (r *scanRun) withPath(path string) *netguard.URL {
	b := *r.baseURL()
	b.Path = path
	return &b
}

func (r *scanRun) fetchCORS(ctx context.Context) {
	u := r.baseURL()
	ex, err := r.c.fetch(ctx, u, fetchReq{
		method:    http.MethodOptions,
		bodyLimit: r.s.lim.smallBody,
		header: map[string]string{
			"Origin":                        CORSProbeOrigin,
			"Access-Control-Request-Method": CORSProbeMethod,
		},
	})
	r.set(func(ev *Evidence) {
		if err != nil {
			ev.CORSErr = sentenceOf(err)
			return
		}
		ev.CORS = ex.resp
	})
}

func (r *scanRun) fetchSecurityTxt(ctx context.Context) {
	u := r.withPath("/.well-known/security.txt")
	ex, err := r.c.fetch(ctx, u, fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.smallBody, follow: true})
	r.set(func(ev *Evidence) {
		if err != nil {
			ev.SecurityTxtErr = sentenceOf(err)
			return
		}
		ev.SecurityTxt = ex.resp
	})
}

// fetchProbes asks for the ProbePaths that apply to the site (probeWaves:
// WordPress files only of a WordPress site) plus a random path (soft-404
// baseline), a few at a time, redirects not followed; then the follow-ups
// whose marker was answered as the real file.
func (r *scanRun) fetchProbes(ctx context.Context) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	nfPath := "/palisade-" + hex.EncodeToString(rnd[:]) + ".html"
	r.mu.Lock()
	page := r.ev.Page
	r.mu.Unlock()
	first, later := probeWaves(page)
	out := make(map[string]*Response, len(first)+1)
	var mu sync.Mutex
	var errs []string
	sent, asked := 0, 0 // requests that went out (answered, or failed before ctx ended); requests started
	wave := func(paths []string) {
		asked += len(paths)
		// Every probe is started even after ctx ends: each then fails at
		// once and is counted in ProbesErr, so a cut-short scan says so.
		var g errgroup.Group
		g.SetLimit(4)
		for _, p := range paths {
			g.Go(func() error {
				ex, err := r.c.fetch(ctx, r.withPath(p), fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.smallBody})
				mu.Lock()
				defer mu.Unlock()
				if err == nil || ctx.Err() == nil {
					sent++
				}
				if err != nil {
					errs = append(errs, p+": "+sentenceOf(unwrapFetch(err)))
					return nil
				}
				out[p] = ex.resp
				return nil
			})
		}
		_ = g.Wait()
	}
	wave(append([]string{nfPath}, first...))
	nf := out[nfPath]
	var next []string
	for _, p := range ProbePaths { // in list order, for a stable request order
		if m, ok := later[p]; ok && probeConfirmed(m, out[m], nf) {
			next = append(next, p)
		}
	}
	if len(next) > 0 {
		wave(next)
	}
	delete(out, nfPath)
	r.set(func(ev *Evidence) {
		ev.Probes = out
		ev.NotFound = nf
		ev.ProbesSent = sent
		if len(errs) > 0 {
			ev.ProbesErr = fmt.Sprintf("%d of %d probes failed (first: %s)", len(errs), asked, errs[0])
		}
	})
}
