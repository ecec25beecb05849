package scanner

import (
	"bytes"
	"context"
	"hash/maphash"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/palisade/palisade/app/scanner/netguard"
	"golang.org/x/net/html"
	"golang.org/x/sync/errgroup"
)

// crawlSkipExt are link targets that are certainly not HTML pages; the crawl does
// not spend requests on them.
var crawlSkipExt = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true, ".ico": true,
	".css": true, ".js": true, ".mjs": true, ".map": true, ".json": true, ".xml": true, ".txt": true,
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".rar": true, ".7z": true, ".exe": true, ".dmg": true,
	".mp3": true, ".mp4": true, ".webm": true, ".avi": true, ".mov": true, ".woff": true, ".woff2": true, ".ttf": true,
	".eot": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".csv": true,
}

// The crawl's memory is bounded whatever the site links to (issue 14: one
// page of 10,000 links took 1 GiB when every link was kept): at most
// crawlFrontierMax links wait to be fetched, and at most crawlSeenMax URLs
// are remembered (as 64-bit hashes), for de-duplication and for the counts
// Coverage reports. A count at crawlSeenMax means "at least that many"
// (docs/scoring.md, "Coverage").
const (
	crawlFrontierMax = 500
	crawlSeenMax     = 20000
	// crawlWorkers is how many crawl requests are in flight at once; the
	// politeLimiter paces them further, so this only keeps the limiter fed.
	crawlWorkers = 4
	// crawlStylesMax bounds the stylesheets of the site a DEEP crawl reads
	// for the references in their CSS (content.mixed-content); each is one
	// request under the site's politeness.
	crawlStylesMax = 10
)

// urlSet is a bounded set of canonical URLs kept as seeded 64-bit hashes
// (8 bytes each instead of the URL). The seed is random per set, so a
// hostile site cannot choose links that collide; a collision by chance
// (about 1 in 10^10 for a full set) only skips one link.
type urlSet struct {
	seed maphash.Seed
	m    map[uint64]struct{}
	max  int
	full bool // a new URL was refused: counts from the set are lower bounds
}

func newURLSet(max int) *urlSet {
	return &urlSet{seed: maphash.MakeSeed(), m: map[uint64]struct{}{}, max: max}
}

// add reports whether u was not in the set and has been added. Once the
// set holds max URLs a new one is refused (false) and full is set.
func (s *urlSet) add(u *netguard.URL) bool {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(u.Scheme)
	h.WriteString("://")
	h.WriteString(u.Host)
	h.WriteByte(':')
	h.WriteString(u.Port)
	h.WriteString(u.Path)
	k := h.Sum64()
	if _, ok := s.m[k]; ok {
		return false
	}
	if len(s.m) >= s.max {
		s.full = true
		return false
	}
	s.m[k] = struct{}{}
	return true
}

func (s *urlSet) len() int { return len(s.m) }

// crawler is the state of one DEEP crawl. Only fetchCrawl's goroutine
// touches it; the fetches run in goroutines that report back on a channel.
type crawler struct {
	r        *scanRun
	base     *netguard.URL // the main page's final URL: pages must share its origin
	origin   string
	site     string // registrable domain of base: scripts there are fetched too
	maxPages int

	pages      []*Response
	have       map[string]bool // final URLs of pages
	pageSeen   *urlSet         // links that may be pages, the main page included
	notPages   int             // seen links that turned out not to be pages (404, not HTML, elsewhere, a page already read)
	frontier   []*netguard.URL // links waiting, in discovery order, at most crawlFrontierMax
	nextSeq    int             // sequence number of the next page request
	absorbSeq  int             // the next sequence number to absorb
	pending    map[int]*Response
	pagesOut   int // page requests sent and not yet absorbed
	scriptSeen *urlSet
	scriptQ    []*netguard.URL // the first maxScripts scripts found, in discovery order
	scriptNext int
	scripts    map[string]*Response
	scriptsOK  int // script requests that got an answer
	styleSeen  *urlSet
	styleQ     []*netguard.URL // the first crawlStylesMax stylesheets of the site found
	styleNext  int
	styles     map[string]*Response
}

type crawlResult struct {
	seq    int // page sequence number; -1 for a script or stylesheet
	script *netguard.URL
	style  bool // script is a stylesheet
	resp   *Response
}

// fetchCrawl fills Pages, Scripts and Coverage. At QUICK and STANDARD that
// is the main page alone; at DEEP a same-origin crawl of at most maxPages
// pages, in breadth-first discovery order, and the scripts they load from
// the target's own site (its registrable domain, subdomains included; at
// most maxScripts).
//
// Requests are kept in flight continuously (crawlWorkers at a time, pages
// before scripts) instead of in batches that wait for their slowest member,
// so the per-host politeLimiter always has work queued (docs/BENCHMARKS.md,
// "DEEP crawl"). Pages are absorbed in the order they were requested,
// whatever order they arrive in, so the same site always gives the same
// pages and scripts.
func (r *scanRun) fetchCrawl(ctx context.Context) {
	r.mu.Lock()
	page := r.ev.Page
	r.mu.Unlock()
	if page == nil {
		return
	}
	base, err := netguard.Normalize(page.URL)
	if r.depth.Rank() < Deep.Rank() || err != nil {
		cov := &Coverage{PagesCrawled: 1, PagesDiscovered: 1, PageLimit: 1}
		addTruncated(cov, page)
		r.set(func(ev *Evidence) { ev.Pages, ev.Coverage = []*Response{page}, cov })
		return
	}
	c := &crawler{
		r: r, base: base, origin: base.Origin(), site: siteOf(base.Host), maxPages: r.s.lim.maxPages,
		have: map[string]bool{page.URL: true}, pageSeen: newURLSet(crawlSeenMax), scriptSeen: newURLSet(crawlSeenMax),
		pending: map[int]*Response{}, scripts: map[string]*Response{},
		styleSeen: newURLSet(crawlSeenMax), styles: map[string]*Response{},
	}
	c.pageSeen.add(base)
	c.pages = []*Response{page}
	c.absorb(page)
	c.run(ctx)

	cov := &Coverage{
		PagesCrawled: len(c.pages), PagesDiscovered: max(len(c.pages), c.pageSeen.len()-c.notPages), PageLimit: c.maxPages,
		ScriptsFetched: c.scriptsOK, ScriptsReferenced: max(c.scriptsOK, c.scriptSeen.len()), ScriptLimit: r.s.lim.maxScripts,
	}
	// A full set stopped counting: report its cap, which reads "at least".
	if c.pageSeen.full {
		cov.PagesDiscovered = crawlSeenMax
	}
	if c.scriptSeen.full {
		cov.ScriptsReferenced = crawlSeenMax
	}
	for _, p := range c.pages {
		addTruncated(cov, p)
	}
	for _, u := range c.scriptQ { // in the order found, whatever order they arrived in
		if s := c.scripts[u.String()]; s != nil {
			addTruncated(cov, s)
		}
	}
	for _, u := range c.styleQ {
		if s := c.styles[u.String()]; s != nil {
			addTruncated(cov, s)
		}
	}
	r.set(func(ev *Evidence) {
		ev.Pages = c.pages
		ev.Scripts = c.scripts
		ev.Stylesheets = c.styles
		ev.Coverage = cov
	})
}

// addTruncated records p in cov when its body was cut at the size limit.
func addTruncated(cov *Coverage, p *Response) {
	if p.Truncated {
		cov.Truncated = append(cov.Truncated, TruncatedBody{URL: p.URL, BytesRead: int64(len(p.Body)), Size: p.Size})
	}
}

// run keeps up to crawlWorkers requests in flight until there is nothing
// left to fetch (or ctx ends), then waits for the last answers.
func (c *crawler) run(ctx context.Context) {
	done := make(chan crawlResult, crawlWorkers)
	inFlight := 0
	for {
		for inFlight < crawlWorkers && ctx.Err() == nil {
			if u, seq, ok := c.nextPage(); ok {
				go func() { done <- crawlResult{seq: seq, resp: c.get(ctx, u, c.r.s.lim.crawlBody)} }()
			} else if c.scriptNext < len(c.scriptQ) {
				u := c.scriptQ[c.scriptNext]
				c.scriptNext++
				go func() { done <- crawlResult{seq: -1, script: u, resp: c.get(ctx, u, c.r.s.lim.scriptBody)} }()
			} else if c.styleNext < len(c.styleQ) {
				u := c.styleQ[c.styleNext]
				c.styleNext++
				go func() {
					done <- crawlResult{seq: -1, script: u, style: true, resp: c.get(ctx, u, c.r.s.lim.scriptBody)}
				}()
			} else {
				break
			}
			inFlight++
		}
		if inFlight == 0 {
			return
		}
		res := <-done
		inFlight--
		if res.seq < 0 {
			if res.style {
				c.gotStyle(res.script, res.resp)
			} else {
				c.gotScript(res.script, res.resp)
			}
			continue
		}
		c.pending[res.seq] = res.resp
		for {
			p, ok := c.pending[c.absorbSeq]
			if !ok {
				break
			}
			delete(c.pending, c.absorbSeq)
			c.absorbSeq++
			c.pagesOut--
			c.gotPage(p)
		}
	}
}

// nextPage takes the next link off the frontier, unless the pages already
// read and those on their way would reach the limit.
func (c *crawler) nextPage() (*netguard.URL, int, bool) {
	if len(c.frontier) == 0 || len(c.pages)+c.pagesOut >= c.maxPages {
		return nil, 0, false
	}
	u := c.frontier[0]
	c.frontier[0] = nil
	c.frontier = c.frontier[1:]
	seq := c.nextSeq
	c.nextSeq++
	c.pagesOut++
	return u, seq, true
}

// get fetches u following redirects; nil when there was no answer.
func (c *crawler) get(ctx context.Context, u *netguard.URL, limit int64) *Response {
	ex, err := c.r.c.fetch(ctx, u, fetchReq{method: http.MethodGet, bodyLimit: limit, follow: true})
	if err != nil || ex.resp == nil {
		return nil
	}
	return ex.resp
}

func (c *crawler) gotPage(p *Response) {
	if p == nil {
		return // no answer: the link stays counted as a page not read
	}
	if p.StatusCode >= 400 || !crawlIsHTML(p) || c.have[p.URL] || len(c.pages) >= c.maxPages {
		c.notPages++
		return
	}
	if u, err := netguard.Normalize(p.URL); err != nil || u.Origin() != c.origin {
		c.notPages++
		return
	}
	c.have[p.URL] = true
	c.pages = append(c.pages, p)
	c.absorb(p)
}

func (c *crawler) gotScript(u *netguard.URL, p *Response) {
	if p == nil {
		return
	}
	c.scriptsOK++
	if p.StatusCode < 400 { // an error page is not the script: the checks do not read it
		c.scripts[u.String()] = p
	}
}

// gotStyle keeps a stylesheet that was answered with a style sheet (an
// error page or an HTML catch-all is not one).
func (c *crawler) gotStyle(u *netguard.URL, p *Response) {
	if p == nil || p.StatusCode >= 400 || crawlIsHTML(p) {
		return
	}
	c.styles[u.String()] = p
}

// absorb reads p's links, scripts and stylesheets into the frontier and the
// script and stylesheet queues. Once the seen set is full no link can be
// told new from old, so links are no longer read; scripts still are.
func (c *crawler) absorb(p *Response) {
	crawlRefs(p, !c.pageSeen.full, func(ref *url.URL, kind crawlRefKind) {
		switch kind {
		case crawlScript:
			u, ok := c.sameSite(ref)
			if ok && c.scriptSeen.add(u) && len(c.scriptQ) < c.r.s.lim.maxScripts {
				c.scriptQ = append(c.scriptQ, u)
			}
			return
		case crawlStyle:
			u, ok := c.sameSite(ref)
			if ok && c.styleSeen.add(u) && len(c.styleQ) < crawlStylesMax {
				c.styleQ = append(c.styleQ, u)
			}
			return
		}
		u, ok := c.sameOrigin(ref)
		if !ok || crawlSkipExt[strings.ToLower(path.Ext(crawlPathOnly(u.Path)))] || !c.pageSeen.add(u) {
			return
		}
		if len(c.frontier) >= crawlFrontierMax {
			return
		}
		c.frontier = append(c.frontier, u)
	})
}

// sameOrigin converts a resolved link to a canonical URL when it is on the
// crawl's origin. The common case, a link spelled with the page's own
// scheme and host, is built directly; anything else goes through
// netguard.Normalize.
func (c *crawler) sameOrigin(ref *url.URL) (*netguard.URL, bool) {
	if ref.User == nil && ref.Scheme == c.base.Scheme && ref.Host == c.base.Authority() {
		p := ref.EscapedPath()
		if p == "" || p[0] != '/' {
			p = "/" + p
		}
		if ref.RawQuery != "" {
			p += "?" + ref.RawQuery
		}
		u := &netguard.URL{Scheme: c.base.Scheme, Host: c.base.Host, Port: c.base.Port, IP: c.base.IP, Path: p}
		return u, len(c.origin)+len(p) <= netguard.MaxURLLength
	}
	u, err := netguard.Normalize(ref.String())
	if err != nil || u.Origin() != c.origin {
		return nil, false
	}
	return u, true
}

// sameSite converts a resolved script URL to a canonical one when it is on
// the target's site: its origin, or another host of the same registrable
// domain (static.example.com for www.example.com). Those requests go
// through the same client, so the same address rules and per-host
// politeness apply.
func (c *crawler) sameSite(ref *url.URL) (*netguard.URL, bool) {
	if u, ok := c.sameOrigin(ref); ok {
		return u, true
	}
	u, err := netguard.Normalize(ref.String())
	if err != nil || siteOf(u.Host) != c.site {
		return nil, false
	}
	return u, true
}

// parallel runs f(0..n-1) with at most 4 in flight (the politeLimiter
// paces them further) and starts nothing new once ctx has ended; the calls
// already running see ctx themselves. f reports nothing, so one failed fetch
// never cancels its siblings: a plain errgroup.Group, not WithContext.
func (r *scanRun) parallel(ctx context.Context, n int, f func(i int)) {
	var g errgroup.Group
	g.SetLimit(4)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			// The slot may have come free only after ctx ended: start nothing then.
			if ctx.Err() == nil {
				f(i)
			}
			return nil
		})
	}
	_ = g.Wait()
}

func crawlPathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	return p
}

func crawlIsHTML(r *Response) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if ct == "" {
		return bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("<"))
	}
	return strings.Contains(ct, "html")
}

// crawlRefKind is what a reference crawlRefs found points at.
type crawlRefKind uint8

const (
	crawlLink   crawlRefKind = iota // <a href>, <area href>: maybe a page
	crawlScript                     // <script src>
	crawlStyle                      // <link rel="stylesheet" href>
)

// crawlRefs calls emit with the absolute http(s) URL, fragment removed, of
// every <script src> and <link rel="stylesheet" href> of an HTML page and,
// when links is set, every <a href> and <area href>, honouring <base href>.
// It keeps nothing itself: a page of 10,000 links costs one link at a time.
func crawlRefs(p *Response, links bool, emit func(u *url.URL, kind crawlRefKind)) {
	base, err := url.Parse(p.URL)
	if err != nil {
		return
	}
	z := html.NewTokenizer(bytes.NewReader(p.Body))
	resolve := func(v []byte, kind crawlRefKind) {
		ref := strings.TrimSpace(string(v))
		if ref == "" || ref[0] == '#' {
			return
		}
		u, err := url.Parse(ref)
		if err != nil {
			return
		}
		abs := base.ResolveReference(u)
		if abs.Scheme != "http" && abs.Scheme != "https" {
			return
		}
		abs.Fragment, abs.RawFragment = "", ""
		emit(abs, kind)
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		var want string
		switch string(name) {
		case "a", "area":
			if !links {
				continue
			}
			want = "href"
		case "script":
			want = "src"
		case "base":
			want = "href"
		case "link":
			// rel and href may come in either order: read both.
			var rel, href []byte
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "rel":
					if rel == nil {
						rel = v
					}
				case "href":
					if href == nil {
						href = append([]byte(nil), v...)
					}
				}
			}
			if href != nil && hasWord(strings.Fields(strings.ToLower(string(rel))), "stylesheet") {
				resolve(href, crawlStyle)
			}
			continue
		default:
			continue
		}
		for {
			k, v, more := z.TagAttr()
			if string(k) == want {
				switch string(name) {
				case "base":
					if b, err := url.Parse(strings.TrimSpace(string(v))); err == nil {
						base = base.ResolveReference(b)
					}
				case "script":
					resolve(v, crawlScript)
				default:
					resolve(v, crawlLink)
				}
				break
			}
			if !more {
				break
			}
		}
	}
}
