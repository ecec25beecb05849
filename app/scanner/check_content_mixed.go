package scanner

import (
	"fmt"
	"strings"
)

const idContentMixed = "content.mixed-content"

// checkContentMixed: an http:// script, style sheet, font or frame on an
// HTTPS page can be replaced by anyone on the network, which hands them the
// page (browsers block it, breaking the page instead); http:// images and
// media can be swapped or tracked. A form posting to http:// sends what the
// visitor typed in clear text. The three are separate findings, each
// listing every URL (docs/scoring.md, content.mixed-content).
var checkContentMixed = Check{
	ID: idContentMixed, Name: "Mixed content", Category: catContent, Depth: Quick, Weight: 3,
	Needs: []EvidenceKind{NeedPage, NeedCrawl},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentMixed)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		var forms, active, passive itemSet
		httpsPages, upgraded := 0, 0
		var cutOn []string // pages whose references were not all read
		for i, p := range pages {
			if schemeOf(p.URL) != "https" {
				continue
			}
			f := htmlOf(p)
			if !f.IsHTML {
				continue
			}
			httpsPages++
			on := ""
			if i > 0 {
				on = pathOf(p.URL)
			}
			mc := mixedOf(p)
			if mc.cut {
				cutOn = append(cutOn, pathOf(p.URL))
			}
			if cspOf(p).UpgradeInsecure {
				// upgrade-insecure-requests rewrites every subresource and
				// the page's own-host navigations, not a form posting to
				// another host.
				upgraded += len(mc.active) + len(mc.passive) + len(mc.forms) - len(mc.formsAway)
				forms.add(mc.formsAway, on)
				continue
			}
			forms.add(mc.forms, on)
			active.add(mc.active, on)
			passive.add(mc.passive, on)
		}
		if httpsPages == 0 {
			return o.Skipped("no HTML page was served over HTTPS, and mixed content only applies to HTTPS pages (see tls.https and redirects.https)")
		}
		// The site's own style sheets (DEEP): their @import and url()
		// load from the pages that link them.
		for _, u := range sortedKeys(ev.Stylesheets) {
			r := ev.Stylesheets[u]
			if r == nil || schemeOf(r.URL) != "https" {
				continue
			}
			sm := stylesheetMixedOf(r)
			if sm.cut {
				cutOn = append(cutOn, pathOf(r.URL))
			}
			in := "in " + pathOf(r.URL)
			active.add(sm.active, in)
			passive.add(sm.passive, in)
		}
		// A bound that stopped the reading is said wherever a count is.
		more := ""
		if len(cutOn) > 0 {
			more = fmt.Sprintf(" Not every reference was read on %s (at most %d a page, and %d KiB of CSS naming http:), so there may be more.",
				clip(strings.Join(cutOn, ", "), 120), maxHTMLItems, maxCSSScan>>10)
		}
		if forms.n()+active.n()+passive.n() == 0 {
			if upgraded > 0 {
				return o.Pass(0.8, "upgraded by CSP: "+plural(upgraded, "http:// reference"),
					"The HTML references "+plural(upgraded, "http:// resource")+", but CSP upgrade-insecure-requests makes browsers fetch them over HTTPS; clients that ignore CSP will not, so reference them as https:// for full points."+more)
			}
			return o.Pass(1, "no http:// subresources on "+plural(httpsPages, "HTTPS page"),
				noneFound(ev, "http:// subresources or form targets")+more)
		}
		var findings []Finding
		var value []string
		if forms.n() > 0 {
			d := "Forms on HTTPS pages submit to plain HTTP (" + forms.first() + "): what visitors type, passwords included, crosses the network in clear text, and browsers warn before sending it."
			findings = append(findings, o.FindingList(SeverityHigh, "Form submits over plain HTTP", d+more, fixMixedForm, forms.items, forms.n()))
			value = append(value, forms.summary("form"))
		}
		if active.n() > 0 {
			d := "HTTPS pages load " + plural(active.n(), "active resource") + " (scripts, style sheets, fonts, frames, objects) over plain HTTP (" + active.first() + "): browsers block them, and where they do not, a network attacker controls the page."
			findings = append(findings, o.FindingList(SeverityHigh, "Active mixed content", d+more, fixMixed, active.items, active.n()))
			value = append(value, active.summary("active"))
		}
		if passive.n() > 0 {
			d := "HTTPS pages load " + plural(passive.n(), "image or media file") + " over plain HTTP (" + passive.first() + "); they can be swapped or used to track visitors, and browsers mark the page not fully secure."
			findings = append(findings, o.FindingList(SeverityLow, "Passive mixed content", d+more, fixMixed, passive.items, passive.n()))
			value = append(value, passive.summary("passive"))
		}
		v := clip(strings.Join(value, "; "), 250)
		if len(findings) == 1 {
			if passive.n() > 0 {
				return o.Warn(0.5, v, findings[0].Description, findings...)
			}
			return o.Fail(0, v, findings[0].Description, findings...)
		}
		// Several kinds: one sentence counting them, one saying what the
		// worst of them means; each finding has its own details.
		var what []string
		if n := forms.n(); n > 0 {
			what = append(what, plural(n, "form")+" posting to http://")
		}
		if n := active.n(); n > 0 {
			what = append(what, plural(n, "active http:// resource")+" (scripts, style sheets, fonts, frames)")
		}
		if n := passive.n(); n > 0 {
			what = append(what, plural(n, "passive http:// resource")+" (images, media)")
		}
		d := "HTTPS pages have " + strings.Join(what[:len(what)-1], ", ") + " and " + what[len(what)-1] + "."
		switch {
		case forms.n() > 0 && active.n() > 0:
			d += " Form data crosses the network in clear text, and a network attacker can take over the page where browsers do not block the active content."
		case forms.n() > 0:
			d += " Form data crosses the network in clear text."
		default:
			d += " Browsers block the active content, breaking the page, and where they do not, a network attacker controls it."
		}
		return o.Fail(0, v, d+more, findings...)
	},
}

// itemSet is an ordered set of evidence lines, the first sighting of each
// kept with the page it was on.
type itemSet struct {
	items []string
	seen  map[string]bool
}

// add adds items seen on the page at path on ("" for the main page).
func (s *itemSet) add(items []string, on string) {
	for _, it := range items {
		if s.seen[it] {
			continue
		}
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		s.seen[it] = true
		switch {
		case strings.HasPrefix(on, "in "):
			it += " (" + on + ")" // a style sheet's reference: "(in /css/site.css)"
		case on != "":
			it += " (on " + on + ")"
		}
		s.items = append(s.items, it)
	}
}

func (s *itemSet) n() int { return len(s.items) }

// first is the first item, clipped, with how many more there are.
func (s *itemSet) first() string {
	t := clip(s.items[0], 120)
	if n := len(s.items) - 1; n > 0 {
		t += fmt.Sprintf(" and %d more", n)
	}
	return t
}

// summary is the set in a few words for the verdict's value.
func (s *itemSet) summary(kind string) string {
	t := kind + ": " + clip(s.items[0], 100)
	if n := len(s.items) - 1; n > 0 {
		t += fmt.Sprintf(" (+%d)", n)
	}
	return t
}

// mixedRefs are the http:// references of one page as evidence lines
// ("<img srcset> http://…"), by kind; formsAway are the forms posting to
// another host than the page's (also in forms).
type mixedRefs struct {
	active, passive, forms, formsAway []string
	cut                               bool // a bound stopped the reading (htmlFacts.RefsCut)
}

// mixedOf lists the http:// references of an HTML page (memoised).
// Relative references are resolved only when the page's base URL is
// http:// (a <base href="http://…">): against an https:// base they can
// only be https.
func mixedOf(p *Response) mixedRefs {
	return memoize(p, "mixed", func() mixedRefs {
		f := htmlOf(p)
		m := mixedRefs{cut: f.RefsCut}
		base := baseURLOf(p, f)
		httpBase := schemeOf(base) == "http"
		pageHost := ""
		for _, ref := range f.Refs {
			abs := ref.URL
			if sch := refScheme(abs); sch != "http" {
				if !httpBase || sch != "" {
					continue // https, relative to an https base, or another scheme (data:, blob:…)
				}
				if abs = resolveRef(base, abs); schemeOf(abs) != "http" {
					continue
				}
			}
			sp, how := "", ref.CSS.String()
			if ref.Attr != "" {
				sp = " "
			}
			if how != "" {
				how += " "
			}
			item := "<" + ref.Tag + sp + ref.Attr + "> " + how + abs // one allocation
			switch ref.Kind {
			case refForm:
				m.forms = append(m.forms, item)
				if pageHost == "" {
					pageHost = hostOfURL(p.URL)
				}
				if hostOfURL(abs) != pageHost {
					m.formsAway = append(m.formsAway, item)
				}
			case refActive:
				m.active = append(m.active, item)
			default:
				m.passive = append(m.passive, item)
			}
		}
		return m
	})
}

// stylesheetMixedOf lists the http:// references of a fetched style sheet
// (memoised): @import and fonts active, url() images passive, relative
// references resolved against the sheet's own URL. The CSS is read only
// when it names http: (the literal prefilter of parseHTMLFacts), and at
// most maxCSSScan bytes of it.
func stylesheetMixedOf(r *Response) mixedRefs {
	return memoize(r, "mixed-css", func() mixedRefs {
		var m mixedRefs
		css := r.Body
		httpBase := schemeOf(r.URL) == "http"
		if !httpBase && !hasHTTPFold(css) {
			return m
		}
		if len(css) > maxCSSScan {
			css, m.cut = css[:maxCSSScan], true
		}
		n := 0
		cssRefs(css, func(how cssHow, u string, kind refKind) {
			if u = strings.TrimSpace(u); u == "" {
				return
			}
			abs := u
			if sch := refScheme(abs); sch != "http" {
				if !httpBase || sch != "" {
					return
				}
				if abs = resolveRef(r.URL, abs); schemeOf(abs) != "http" {
					return
				}
			}
			if n++; n > maxHTMLItems {
				m.cut = true
				return
			}
			item := "<css> " + how.String() + " " + abs
			if kind == refActive {
				m.active = append(m.active, item)
			} else {
				m.passive = append(m.passive, item)
			}
		})
		return m
	})
}

// pathOf is the path (and query) of a URL, for naming a crawled page.
func pathOf(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return clip(rest[j:], 80)
		}
		return "/"
	}
	return clip(raw, 80)
}

// Evidence lists are bounded: at most maxEvidenceItems lines of at most
// maxEvidenceItem bytes each, then how many more there are.
const (
	maxEvidenceItems = 50
	maxEvidenceItem  = 200
)

// FindingList is a finding whose evidence is a list (one URL a line), so
// that every item is shown instead of the first 300 bytes: each item is
// cleaned of control characters and clipped to maxEvidenceItem bytes, the
// first maxEvidenceItems are listed, then "… and N more (M in total)" when
// total is more. total is the count of items found, which may exceed
// len(items) when the caller kept only some.
func (o outcomeBuilder) FindingList(sev Severity, title, desc string, fix *Fix, items []string, total int) Finding {
	f := o.Finding(sev, title, desc, fix, "")
	total = max(total, len(items))
	n := min(len(items), maxEvidenceItems)
	var b strings.Builder
	for i, it := range items[:n] {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(clip(strings.Map(noControl, it), maxEvidenceItem))
	}
	if total > n {
		fmt.Fprintf(&b, "\n… and %d more (%d in total)", total-n, total)
	}
	f.Evidence = b.String()
	return f
}

// noControl drops control characters from hostile text (a URL attribute may
// hold newlines, which browsers strip too).
func noControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

// fixMixed is the mixed-content fix, built once.
var fixMixed = headerFix("Load every resource over https:// (or a relative URL); as a safety net send upgrade-insecure-requests.",
	"Content-Security-Policy", "upgrade-insecure-requests")

func init() { fixTexts[fixMixedForm] = fixMixedForm.Text() }

// fixMixedForm is the fix of a form posting to http://.
var fixMixedForm = &Fix{Advice: "Point every form's action (and each button's formaction) at an https:// URL or a relative one; CSP upgrade-insecure-requests does not upgrade a form posting to another host, and form-action 'self' https: stops forms posting anywhere else.",
	Snippets: []Snippet{{Server: ServerHTML, Code: `<form action="https://example.com/login" method="post">`}}}
