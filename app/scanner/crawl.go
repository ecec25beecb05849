package scanner

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

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

// fetchCrawl fills Pages and Scripts. At QUICK and STANDARD that is the main
// page alone; at DEEP a breadth-first same-origin crawl of at most maxPages
// pages and the same-origin scripts they load (at most maxScripts).
func (r *scanRun) fetchCrawl(ctx context.Context) {
	r.mu.Lock()
	page := r.ev.Page
	r.mu.Unlock()
	if page == nil {
		return
	}
	if r.depth.Rank() < Deep.Rank() {
		r.set(func(ev *Evidence) { ev.Pages = []*Response{page} })
		return
	}
	base, err := netguard.Normalize(page.URL)
	if err != nil {
		r.set(func(ev *Evidence) { ev.Pages = []*Response{page} })
		return
	}
	origin := base.Origin()
	pages := []*Response{page}
	have := map[string]bool{page.URL: true} // final URLs already in pages
	seen := map[string]bool{base.String(): true}
	var queue []*netguard.URL
	scriptSeen := map[string]bool{}
	var scriptQueue []*netguard.URL

	absorb := func(p *Response) {
		links, scripts := crawlLinks(p)
		for _, l := range links {
			u, ok := crawlSameOrigin(l, origin)
			if !ok || seen[u.String()] || crawlSkipExt[strings.ToLower(path.Ext(crawlPathOnly(u.Path)))] {
				continue
			}
			seen[u.String()] = true
			queue = append(queue, u)
		}
		for _, s := range scripts {
			u, ok := crawlSameOrigin(s, origin)
			if !ok || scriptSeen[u.String()] {
				continue
			}
			scriptSeen[u.String()] = true
			scriptQueue = append(scriptQueue, u)
		}
	}
	absorb(page)
	maxPages := r.s.lim.maxPages
	for len(queue) > 0 && len(pages) < maxPages && ctx.Err() == nil {
		n := min(len(queue), maxPages-len(pages))
		batch := queue[:n]
		queue = queue[n:]
		got := make([]*Response, n)
		r.parallel(ctx, n, func(i int) {
			ex, err := r.c.fetch(ctx, batch[i], fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.crawlBody, follow: true})
			if err != nil || ex.resp == nil || ex.resp.StatusCode >= 400 || !crawlIsHTML(ex.resp) {
				return
			}
			if _, ok := crawlSameOrigin(ex.resp.URL, origin); !ok {
				return
			}
			got[i] = ex.resp
		})
		for _, p := range got {
			if p != nil && len(pages) < maxPages && !have[p.URL] {
				have[p.URL] = true
				pages = append(pages, p)
				absorb(p)
			}
		}
	}
	if len(scriptQueue) > r.s.lim.maxScripts {
		scriptQueue = scriptQueue[:r.s.lim.maxScripts]
	}
	scripts := make(map[string]*Response, len(scriptQueue))
	var mu sync.Mutex
	r.parallel(ctx, len(scriptQueue), func(i int) {
		ex, err := r.c.fetch(ctx, scriptQueue[i], fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.scriptBody, follow: true})
		if err != nil || ex.resp == nil || ex.resp.StatusCode >= 400 {
			return
		}
		mu.Lock()
		scripts[scriptQueue[i].String()] = ex.resp
		mu.Unlock()
	})
	r.set(func(ev *Evidence) {
		ev.Pages = pages
		ev.Scripts = scripts
	})
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

// crawlSameOrigin normalises an absolute URL and reports whether it is on origin.
func crawlSameOrigin(raw, origin string) (*netguard.URL, bool) {
	u, err := netguard.Normalize(raw)
	if err != nil || u.Origin() != origin {
		return nil, false
	}
	return u, true
}

// crawlLinks returns the absolute URLs of <a href> and <script src> in an
// HTML page, honouring <base href>.
func crawlLinks(p *Response) (links, scripts []string) {
	base, err := url.Parse(p.URL)
	if err != nil {
		return nil, nil
	}
	z := html.NewTokenizer(bytes.NewReader(p.Body))
	resolve := func(ref string) string {
		ref = strings.TrimSpace(ref)
		if ref == "" || strings.HasPrefix(ref, "#") {
			return ""
		}
		u, err := url.Parse(ref)
		if err != nil {
			return ""
		}
		abs := base.ResolveReference(u)
		if abs.Scheme != "http" && abs.Scheme != "https" {
			return ""
		}
		abs.Fragment = ""
		return abs.String()
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return links, scripts
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
			want = "href"
		case "script":
			want = "src"
		case "base":
			want = "href"
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
					if s := resolve(string(v)); s != "" {
						scripts = append(scripts, s)
					}
				default:
					if s := resolve(string(v)); s != "" {
						links = append(links, s)
					}
				}
				break
			}
			if !more {
				break
			}
		}
	}
}
