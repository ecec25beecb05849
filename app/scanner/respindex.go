package scanner

import (
	"bytes"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"golang.org/x/net/html"
)

// respIndex memoises what checks derive from one Response: the parsed HTML,
// the CSP verdict, secrets and library sightings. Several checks read the
// same page and the engine benchmark evaluates every check thousands of
// times a second, so each Response is parsed once, lazily, and the result is
// shared. Every part is guarded by its own sync.Once, so the index is safe
// for concurrent use by checks running in parallel.
//
// The index is keyed by a weak pointer to the Response and dropped when the
// Response is garbage collected, so it never keeps evidence alive. It must
// hold no pointer back to the Response. A Response must not be mutated after
// checks started reading it.
type respIndex struct {
	htmlOnce sync.Once
	html     *htmlFacts

	cspOnce sync.Once
	csp     *cspVerdict

	secretsOnce sync.Once
	secrets     []secretHit

	mu      sync.Mutex
	derived map[string]any // memoize's values, by key
}

// memoize returns the value derived from r under key, computing it once.
// Keys name the derivation and any parameter it depends on besides r
// ("sri|example.com"). Concurrent first calls may both compute; one result
// is kept, so compute must be pure.
func memoize[T any](r *Response, key string, compute func() T) T {
	ix := indexOf(r)
	ix.mu.Lock()
	if v, ok := ix.derived[key]; ok {
		ix.mu.Unlock()
		return v.(T)
	}
	ix.mu.Unlock()
	v := compute()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old, ok := ix.derived[key]; ok {
		return old.(T)
	}
	if ix.derived == nil {
		ix.derived = map[string]any{}
	}
	ix.derived[key] = v
	return v
}

var respCache sync.Map // weak.Pointer[Response] → *respIndex

// recentIdx is a small cache in front of respCache: making a weak pointer
// costs a runtime lock, and one evaluation of every check looks the same few
// responses up dozens of times. Its entries hold the responses strongly, so
// a pointer can never be reused while cached; at most len(recentIdx) of them
// are kept alive a little longer.
var (
	recentIdx  [16]atomic.Pointer[recentEntry]
	recentNext atomic.Uint32
)

type recentEntry struct {
	r  *Response
	ix *respIndex
}

// indexOf returns the memo of r, creating it on first use.
func indexOf(r *Response) *respIndex {
	for i := range recentIdx {
		if e := recentIdx[i].Load(); e != nil && e.r == r {
			return e.ix
		}
	}
	k := weak.Make(r)
	var ix *respIndex
	if v, ok := respCache.Load(k); ok {
		ix = v.(*respIndex)
	} else {
		v, loaded := respCache.LoadOrStore(k, &respIndex{})
		if !loaded {
			runtime.AddCleanup(r, func(k weak.Pointer[Response]) { respCache.Delete(k) }, k)
		}
		ix = v.(*respIndex)
	}
	slot := recentNext.Add(1) % uint32(len(recentIdx))
	recentIdx[slot].Store(&recentEntry{r: r, ix: ix})
	return ix
}

// htmlFacts is everything the checks need from one HTML document, gathered
// in a single pass of the x/net/html tokenizer.
type htmlFacts struct {
	IsHTML bool   // the response is an HTML document (by Content-Type, or sniffed when absent)
	Title  string // text of the first <title>
	H1     string // text of the first <h1>, trimmed to 200 bytes
	Base   string // <base href>, when present

	Scripts []htmlScript
	Links   []htmlLink

	MetaCSP      []string // <meta http-equiv="Content-Security-Policy" content>
	MetaReferrer []string // <meta name="referrer" content>
	Generators   []string // <meta name="generator" content>

	// Refs are the subresource references that mixed-content reads.
	Refs []htmlRef
	// Assets are every src/href of script, link, img, source, iframe, a (for
	// CMS and library fingerprinting), in document order, deduplicated.
	Assets []string
	// ParentLink is true when an anchor points at "../" or "Parent Directory".
	ParentLink bool
}

// htmlScript is one <script> element.
type htmlScript struct {
	Src, Integrity, Type string
	HasSrc               bool
}

// htmlLink is one <link> element.
type htmlLink struct {
	Rel, Href, Integrity, As string
}

// htmlRef is one URL-bearing attribute of a subresource element.
type htmlRef struct {
	Tag, Attr, URL string
	Active         bool // scripts, styles, frames, objects: mixed content browsers block
}

// htmlOf returns the parsed facts of r's body (memoised).
func htmlOf(r *Response) *htmlFacts {
	ix := indexOf(r)
	ix.htmlOnce.Do(func() { ix.html = parseHTMLFacts(r) })
	return ix.html
}

// looksHTML decides whether a response is an HTML document: by its declared
// type, or, when none was declared, by a leading '<'.
func looksHTML(r *Response) bool {
	m := mimeOf(r.Header)
	switch m {
	case "text/html", "application/xhtml+xml":
		return true
	case "":
		b := bytes.TrimLeft(r.Body, " \t\r\n\xef\xbb\xbf")
		return len(b) > 0 && b[0] == '<'
	}
	return false
}

const maxHTMLItems = 2000 // bound per kind of element, against hostile pages

func parseHTMLFacts(r *Response) *htmlFacts {
	f := &htmlFacts{}
	if r == nil || !looksHTML(r) {
		return f
	}
	f.IsHTML = true
	seen := map[string]bool{}
	addAsset := func(u string) {
		u = strings.TrimSpace(u)
		if u == "" || seen[u] || len(f.Assets) >= maxHTMLItems {
			return
		}
		seen[u] = true
		f.Assets = append(f.Assets, u)
	}
	addRef := func(tag, attr, u string, active bool) {
		u = strings.TrimSpace(u)
		if u == "" || len(f.Refs) >= maxHTMLItems {
			return
		}
		f.Refs = append(f.Refs, htmlRef{Tag: tag, Attr: attr, URL: u, Active: active})
	}

	z := html.NewTokenizer(bytes.NewReader(r.Body))
	var textTarget *string // title or h1 being read
	var inAnchor bool
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return f
		case html.TextToken:
			if textTarget != nil && len(*textTarget) < 200 {
				*textTarget += string(z.Text())
			}
			if inAnchor {
				t := strings.TrimSpace(string(z.Text()))
				if strings.EqualFold(t, "Parent Directory") || t == "[To Parent Directory]" {
					f.ParentLink = true
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "title", "h1":
				textTarget = nil
			case "a":
				inAnchor = false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "title":
				if f.Title == "" && tt == html.StartTagToken {
					textTarget = &f.Title
				}
				continue
			case "h1":
				if f.H1 == "" && tt == html.StartTagToken {
					textTarget = &f.H1
				}
				continue
			case "script", "link", "meta", "img", "iframe", "frame", "object", "embed",
				"audio", "video", "source", "track", "form", "base", "a", "input":
			default:
				continue
			}
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				ks := string(k)
				if _, dup := attrs[ks]; !dup { // the first occurrence wins, as in browsers
					attrs[ks] = string(v)
				}
			}
			switch tag {
			case "script":
				src, has := attrs["src"]
				if len(f.Scripts) < maxHTMLItems {
					f.Scripts = append(f.Scripts, htmlScript{Src: strings.TrimSpace(src), HasSrc: has,
						Integrity: strings.TrimSpace(attrs["integrity"]), Type: strings.ToLower(strings.TrimSpace(attrs["type"]))})
				}
				if has {
					addRef("script", "src", src, true)
					addAsset(src)
				}
			case "link":
				l := htmlLink{Rel: strings.ToLower(strings.TrimSpace(attrs["rel"])), Href: strings.TrimSpace(attrs["href"]),
					Integrity: strings.TrimSpace(attrs["integrity"]), As: strings.ToLower(attrs["as"])}
				if len(f.Links) < maxHTMLItems {
					f.Links = append(f.Links, l)
				}
				rels := strings.Fields(l.Rel)
				switch {
				case hasWord(rels, "stylesheet"):
					addRef("link", "href", l.Href, true)
				case hasWord(rels, "preload") || hasWord(rels, "modulepreload"):
					addRef("link", "href", l.Href, l.As == "script" || l.As == "style" || hasWord(rels, "modulepreload"))
				case hasWord(rels, "icon"):
					addRef("link", "href", l.Href, false)
				}
				addAsset(l.Href)
			case "meta":
				if he, ok := attrs["http-equiv"]; ok {
					if c, ok := attrs["content"]; ok && strings.EqualFold(strings.TrimSpace(he), "content-security-policy") {
						f.MetaCSP = append(f.MetaCSP, c)
					}
					continue
				}
				switch strings.ToLower(strings.TrimSpace(attrs["name"])) {
				case "referrer":
					if c, ok := attrs["content"]; ok {
						f.MetaReferrer = append(f.MetaReferrer, c)
					}
				case "generator":
					if c := strings.TrimSpace(attrs["content"]); c != "" && len(f.Generators) < 10 {
						f.Generators = append(f.Generators, c)
					}
				}
			case "img":
				addRef("img", "src", attrs["src"], false)
				addSrcset(attrs["srcset"], func(u string) { addRef("img", "srcset", u, false) })
				addAsset(attrs["src"])
			case "iframe", "frame":
				addRef(tag, "src", attrs["src"], true)
				addAsset(attrs["src"])
			case "object":
				addRef("object", "data", attrs["data"], true)
			case "embed":
				addRef("embed", "src", attrs["src"], true)
			case "audio", "video", "track":
				addRef(tag, "src", attrs["src"], false)
				if tag == "video" {
					addRef("video", "poster", attrs["poster"], false)
				}
			case "source":
				addRef("source", "src", attrs["src"], false)
				addSrcset(attrs["srcset"], func(u string) { addRef("source", "srcset", u, false) })
			case "input":
				if strings.EqualFold(attrs["type"], "image") {
					addRef("input", "src", attrs["src"], false)
				}
			case "form":
				if a, ok := attrs["action"]; ok {
					addRef("form", "action", a, true)
				}
			case "base":
				if f.Base == "" {
					f.Base = strings.TrimSpace(attrs["href"])
				}
			case "a":
				inAnchor = tt == html.StartTagToken
				href := strings.TrimSpace(attrs["href"])
				if href == "../" || href == ".." {
					f.ParentLink = true
				}
				addAsset(href)
			}
		}
	}
}

// addSrcset calls add for each URL of a srcset attribute.
func addSrcset(srcset string, add func(string)) {
	if srcset == "" {
		return
	}
	for _, cand := range strings.Split(srcset, ",") {
		if fs := strings.Fields(cand); len(fs) > 0 {
			add(fs[0])
		}
	}
}

func hasWord(ws []string, w string) bool { return slices.Contains(ws, w) }

// baseURLOf is the URL relative references of a page resolve against.
func baseURLOf(r *Response, f *htmlFacts) string {
	if f != nil && f.Base != "" {
		if b := resolveRef(r.URL, f.Base); b != "" {
			return b
		}
	}
	return r.URL
}
