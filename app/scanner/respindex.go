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

	// Refs are the references mixed-content reads: the ones that can load
	// over plain HTTP from an HTTPS page, that is http:// URLs, and
	// relative ones after a <base href="http://…">. The others are not
	// kept, so the bound on them counts only candidates.
	Refs []htmlRef
	// Assets are every src/href of script, link, img, source, iframe, a (for
	// CMS and library fingerprinting), in document order, deduplicated.
	Assets []string
	// RefsCut is true when a bound stopped the reading of Refs (more than
	// maxHTMLItems candidates, or more than maxCSSScan bytes of CSS naming
	// http:), so a count of them is a lower bound.
	RefsCut bool
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

// htmlRef is one URL a page loads or submits to: an attribute of a
// subresource element, a form target, or a CSS reference in a <style>
// element or a style="" attribute.
type htmlRef struct {
	Tag  string // element name: "img", "style" for a <style> element's text
	Attr string // attribute: "srcset", "style" for an inline style; "" for <style> text
	URL  string
	Kind refKind
	CSS  cssHow // how a style sheet references the URL; cssNone for an attribute
}

// cssHow is how CSS references a URL (a small enum keeps htmlRef, of which
// a page has hundreds, at three strings).
type cssHow uint8

const (
	cssNone     cssHow = iota
	cssURLRef          // url(…) outside @font-face
	cssImport          // @import
	cssFontFace        // url(…) inside @font-face
)

// String is how the reference reads in evidence: "url()", "@import",
// "@font-face url()".
func (h cssHow) String() string {
	switch h {
	case cssURLRef:
		return "url()"
	case cssImport:
		return "@import"
	case cssFontFace:
		return "@font-face url()"
	}
	return ""
}

// refKind sorts what a reference loads by what a network attacker gets when
// it is fetched over plain HTTP, following the W3C Mixed Content spec's
// split between blockable and upgradeable content (docs/scoring.md,
// content.mixed-content).
type refKind uint8

const (
	// refPassive: images, audio and video (the spec's upgradeable content:
	// img src, CSS images, poster, media sources), and srcset candidates,
	// which the spec blocks instead of upgrading but which are images too.
	// An attacker can swap or watch them, not run code.
	refPassive refKind = iota
	// refActive: blockable content that runs or restyles the page: scripts,
	// style sheets and @import, fonts, frames, objects and embeds, text
	// tracks, manifests, preloads of any of those.
	refActive
	// refForm: a form (or a button's formaction) submitting to the URL: not
	// mixed content but a clear-text submission of what the visitor typed.
	refForm
)

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

// maxCSSScan bounds the CSS text (of <style> elements and style=""
// attributes together) one page has read for url() and @import, against
// hostile pages; text without "http:" is never scanned and costs nothing
// against it.
const maxCSSScan = 256 << 10

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
	baseHTTP := false // a <base href="http://…"> was read: relative URLs after it are http
	mayBeHTTP := func(u string) bool {
		switch refScheme(u) {
		case "http":
			return true
		case "":
			return baseHTTP
		}
		return false
	}
	addRef := func(tag, attr, u string, kind refKind) {
		u = strings.TrimSpace(u)
		if u == "" || !mayBeHTTP(u) {
			return
		}
		if len(f.Refs) >= maxHTMLItems {
			f.RefsCut = true
			return
		}
		f.Refs = append(f.Refs, htmlRef{Tag: tag, Attr: attr, URL: u, Kind: kind})
	}
	// CSS is only read when it can name an http:// URL: it contains
	// "http:" in any case, or a <base href="http://…"> makes its relative
	// URLs http ones. Most pages have neither in their styles, so this
	// literal prefilter keeps the CSS scanner off the hot path.
	cssOn := hasHTTPFold(r.Body)
	cssBudget := maxCSSScan
	scanCSS := func(tag, attr string, css []byte) {
		if !cssOn || (!baseHTTP && !hasHTTPFold(css)) {
			return
		}
		if len(css) > cssBudget || len(f.Refs) >= maxHTMLItems {
			f.RefsCut = true
			css = css[:min(len(css), cssBudget)]
		}
		cssBudget -= len(css)
		cssRefs(css, func(how cssHow, u string, kind refKind) {
			if u = strings.TrimSpace(u); u == "" || !mayBeHTTP(u) {
				return
			}
			if len(f.Refs) >= maxHTMLItems {
				f.RefsCut = true
				return
			}
			f.Refs = append(f.Refs, htmlRef{Tag: tag, Attr: attr, CSS: how, URL: u, Kind: kind})
		})
	}

	z := html.NewTokenizer(bytes.NewReader(r.Body))
	var textTarget *string // title or h1 being read
	var inAnchor, inStyle bool
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return f
		case html.TextToken:
			if inStyle {
				scanCSS("style", "", z.Text())
				continue
			}
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
			case "style":
				inStyle = false
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
			case "style":
				inStyle = tt == html.StartTagToken
			}
			switch tag {
			case "script", "link", "meta", "img", "iframe", "frame", "object", "embed",
				"audio", "video", "source", "track", "form", "base", "a", "input", "button", "image":
			default:
				// Any other element loads something only through an inline
				// style, or the legacy background attribute of body and
				// tables (an image). The attributes are read without
				// copying, and only when the page names http: at all.
				for hasAttr && cssOn {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "style":
						scanCSS(tag, "style", v)
					case "background":
						if tag == "body" || tag == "table" || tag == "td" || tag == "th" {
							addRef(tag, "background", string(v), refPassive)
						}
					}
				}
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
			if st, ok := attrs["style"]; ok && cssOn {
				scanCSS(tag, "style", []byte(st))
			}
			switch tag {
			case "script":
				src, has := attrs["src"]
				if len(f.Scripts) < maxHTMLItems {
					f.Scripts = append(f.Scripts, htmlScript{Src: strings.TrimSpace(src), HasSrc: has,
						Integrity: strings.TrimSpace(attrs["integrity"]), Type: strings.ToLower(strings.TrimSpace(attrs["type"]))})
				}
				if has {
					addRef("script", "src", src, refActive)
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
				case hasWord(rels, "stylesheet"), hasWord(rels, "modulepreload"), hasWord(rels, "manifest"):
					addRef("link", "href", l.Href, refActive)
				case hasWord(rels, "preload"):
					// A preload is the request its destination makes:
					// media and images are upgradeable, the rest blockable.
					kind := refActive
					if a := strings.TrimSpace(l.As); a == "image" || a == "audio" || a == "video" {
						kind = refPassive
					}
					addRef("link", "href", l.Href, kind)
				case hasWord(rels, "icon"), hasWord(rels, "apple-touch-icon"):
					addRef("link", "href", l.Href, refPassive)
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
				addRef("img", "src", attrs["src"], refPassive)
				addSrcset(attrs["srcset"], func(u string) { addRef("img", "srcset", u, refPassive) })
				addAsset(attrs["src"])
			case "image": // SVG <image>
				u, ok := attrs["href"]
				if !ok {
					u = attrs["xlink:href"]
				}
				addRef("image", "href", u, refPassive)
			case "iframe", "frame":
				addRef(tag, "src", attrs["src"], refActive)
				addAsset(attrs["src"])
			case "object":
				addRef("object", "data", attrs["data"], refActive)
			case "embed":
				addRef("embed", "src", attrs["src"], refActive)
			case "audio", "video":
				addRef(tag, "src", attrs["src"], refPassive)
				if tag == "video" {
					addRef("video", "poster", attrs["poster"], refPassive)
				}
			case "track": // text tracks are blockable: they put text over the video
				addRef("track", "src", attrs["src"], refActive)
			case "source":
				addRef("source", "src", attrs["src"], refPassive)
				addSrcset(attrs["srcset"], func(u string) { addRef("source", "srcset", u, refPassive) })
			case "input":
				if strings.EqualFold(strings.TrimSpace(attrs["type"]), "image") {
					addRef("input", "src", attrs["src"], refPassive)
				}
				addRef("input", "formaction", attrs["formaction"], refForm)
			case "button":
				addRef("button", "formaction", attrs["formaction"], refForm)
			case "form":
				if a, ok := attrs["action"]; ok {
					addRef("form", "action", a, refForm)
				}
			case "base":
				if f.Base == "" {
					f.Base = strings.TrimSpace(attrs["href"])
					baseHTTP = schemeOf(f.Base) == "http"
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

// refScheme is the lower-case scheme of a URL reference, "" for a relative
// one (a colon later in a path or query is no scheme).
func refScheme(u string) string {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 0:
			return strings.ToLower(u[:i])
		default:
			return ""
		}
	}
	return ""
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
