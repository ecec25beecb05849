package scanner

import (
	"context"
	"fmt"
	"github.com/palisade/palisade/app/scanner/netguard"
	"net/http"
	"slices"
	"sync"
)

// The DEEP WordPress reads: a plugin's readme.txt says its version in
// "Stable tag:" even when its assets carry none (or a bundled library's),
// a theme's style.css in "Version:", and the feed's <generator> the core
// version when the page hides its generator meta. Each is one small GET,
// bounded, through the scan's client and its politeness; nothing is asked
// of a site that is not WordPress (docs/scoring.md, "content.cms").
const (
	wpMaxReadmes = 15 // plugins whose readme.txt is read
	wpMaxStyles  = 3  // themes whose style.css is read
)

// NeedWordPress is the WordPress files of a DEEP scan (Evidence.WordPress),
// read once the crawl has shown every page's plugins and themes.
const NeedWordPress EvidenceKind = "wordpress"

// WordPressFiles are the WordPress files a DEEP scan read (Evidence.WordPress).
type WordPressFiles struct {
	// Readmes are plugin slug → the answer to <plugin dir>/readme.txt.
	Readmes map[string]*Response
	// Styles are theme slug → the answer to <theme dir>/style.css.
	Styles map[string]*Response
	// Feed is the answer to <home>/feed/, asked for only when no page
	// announced the core version in <meta name="generator">.
	Feed *Response
	// Plugins and Themes are how many the pages showed: readme.txt and
	// style.css were asked for at most wpMaxReadmes and wpMaxStyles of them.
	Plugins, Themes int
	// Requests is how many requests were sent; Err says how many failed and why.
	Requests int
	Err      string
}

// wpFetch is one WordPress file to ask for.
type wpFetch struct {
	kind, slug, path string
}

// wordPressFetches lists what to ask a WordPress site for, in a stable
// order: at most wpMaxReadmes plugins and wpMaxStyles themes, those the
// table t knows first (where a version decides a finding), then those
// whose assets show no version, then by slug; and the feed (the one the
// pages link to, else <home>/feed/) when the generator meta gave no version.
func wordPressFetches(s *wpSite, t *wpTable) []wpFetch {
	var out []wpFetch
	for _, c := range wpByPriority(s.Plugins, t, s.Version, wpMaxReadmes) {
		out = append(out, wpFetch{"plugin", c.Slug, c.Dir + "readme.txt"})
	}
	for _, c := range wpByPriority(s.Themes, t, s.Version, wpMaxStyles) {
		out = append(out, wpFetch{"theme", c.Slug, c.Dir + "style.css"})
	}
	if !s.FromMeta {
		feed := s.Feed
		if feed == "" {
			feed = s.Home + "/feed/"
		}
		out = append(out, wpFetch{"feed", "", feed})
	}
	return out
}

// wpByPriority is at most n of the components, in the order wordPressFetches reads them.
func wpByPriority(comps map[string]*wpComponent, t *wpTable, core string, n int) []*wpComponent {
	rank := func(c *wpComponent) int {
		r := 0
		if len(t.vulns[wpKey(c.Kind, c.Slug)]) == 0 {
			r += 2
		}
		if v, _ := c.assetVersion(core); v != "" {
			r++
		}
		return r
	}
	list := make([]*wpComponent, 0, len(comps))
	for _, slug := range sortedKeys(comps) {
		list = append(list, comps[slug])
	}
	slices.SortStableFunc(list, func(a, b *wpComponent) int { return rank(a) - rank(b) })
	return list[:min(n, len(list))]
}

// fetchWordPress reads, at DEEP, the readme.txt of the plugins and the
// style.css of the themes every crawled page showed, and the feed. At
// QUICK and STANDARD, and for a site that is not WordPress, it sends
// nothing and Evidence.WordPress stays nil.
func (r *scanRun) fetchWordPress(ctx context.Context) {
	if r.depth.Rank() < Deep.Rank() {
		return
	}
	r.mu.Lock()
	pages := r.ev.Pages
	if len(pages) == 0 && r.ev.Page != nil {
		pages = []*Response{r.ev.Page}
	}
	r.mu.Unlock()
	s := wpSiteOf(pages)
	if s.CMS != "WordPress" {
		return
	}
	r.mu.Lock()
	t := wpTableOf(&r.ev)
	sheets := r.ev.Stylesheets
	r.mu.Unlock()
	reqs := wordPressFetches(s, t)
	files := &WordPressFiles{Readmes: map[string]*Response{}, Styles: map[string]*Response{},
		Plugins: len(s.Plugins), Themes: len(s.Themes)}
	var mu sync.Mutex
	var errs []string
	r.parallel(ctx, len(reqs), func(i int) {
		q := reqs[i]
		if q.kind == "theme" {
			// The crawl may have read this style sheet already (a page
			// links it): its answer is the one a second request would get.
			if got := crawledSheet(sheets, r.withPath(q.path)); got != nil {
				mu.Lock()
				files.Styles[q.slug] = got
				mu.Unlock()
				return
			}
		}
		mu.Lock()
		files.Requests++
		mu.Unlock()
		// The feed may redirect (/feed/ → /?feed=rss2); the readme and
		// stylesheet are files: a redirect is not them.
		ex, err := r.c.fetch(ctx, r.withPath(q.path), fetchReq{method: http.MethodGet, bodyLimit: r.s.lim.smallBody, follow: q.kind == "feed"})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, q.path+": "+sentenceOf(unwrapFetch(err)))
			return
		}
		switch q.kind {
		case "plugin":
			files.Readmes[q.slug] = ex.resp
		case "theme":
			files.Styles[q.slug] = ex.resp
		default:
			// A feed that redirected to another site is not this site's.
			if siteOf(hostOfURL(ex.resp.URL)) == siteOf(r.u.Host) {
				files.Feed = ex.resp
			}
		}
	})
	if len(errs) > 0 {
		files.Err = fmt.Sprintf("%d of %d WordPress files could not be read (first: %s)", len(errs), len(reqs), clip(errs[0], 200))
	}
	r.set(func(ev *Evidence) { ev.WordPress = files })
}

// crawledSheet is the crawl's answer for the style sheet at u (any query
// string), when it read one and was not redirected elsewhere; nil otherwise.
func crawledSheet(sheets map[string]*Response, u *netguard.URL) *Response {
	want := u.Origin() + crawlPathOnly(u.Path)
	for k, resp := range sheets {
		if resp == nil || crawlPathOnly(k) != want {
			continue
		}
		if crawlPathOnly(resp.URL) == want {
			return resp
		}
	}
	return nil
}
