package scanner

import "strings"

const idContentMixed = "content.mixed-content"

// checkContentMixed: an http:// script, stylesheet or frame on an HTTPS page
// can be replaced by anyone on the network, which hands them the page
// (browsers block it, breaking the page instead); http:// images and media
// can be swapped or tracked. A form posting to http:// sends its data in
// clear text.
var checkContentMixed = Check{
	ID: idContentMixed, Name: "Mixed content", Category: catContent, Depth: Quick, Weight: 3,
	Needs: []EvidenceKind{NeedPage, NeedCrawl},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentMixed)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		var active, passive []string
		httpsPages, upgraded := 0, 0
		for _, p := range pages {
			if schemeOf(p.URL) != "https" {
				continue
			}
			f := htmlOf(p)
			if !f.IsHTML {
				continue
			}
			httpsPages++
			if cspOf(p).UpgradeInsecure {
				upgraded++
			}
			mc := mixedOf(p)
			active = append(active, mc.active...)
			passive = append(passive, mc.passive...)
		}
		if httpsPages == 0 {
			return o.Skipped("no HTML page was served over HTTPS, and mixed content only applies to HTTPS pages (see tls.https and redirects.https)")
		}
		active, passive = dedupe(active), dedupe(passive)
		if len(active)+len(passive) == 0 {
			return o.Pass(1, "no http:// subresources on "+plural(httpsPages, "HTTPS page"),
				"Every subresource is loaded over HTTPS.")
		}
		fix := fixMixed
		all := append(append([]string(nil), active...), passive...)
		seen := clip(strings.Join(all, ", "), 250)
		if upgraded == httpsPages {
			return o.Pass(0.8, "upgraded by CSP: "+seen,
				"The HTML references http:// resources, but CSP upgrade-insecure-requests makes browsers fetch them over HTTPS; clients that ignore CSP will not, so reference them as https:// for full points.")
		}
		if len(active) > 0 {
			d := "HTTPS pages load scripts, styles, frames or post forms over plain HTTP (" + clip(strings.Join(active, ", "), 150) + "): browsers block them, and where they do not, a network attacker controls the page."
			return o.Fail(0, "active: "+seen,
				d,
				o.Finding(SeverityHigh, "Active mixed content", d, fix, strings.Join(all, "\n")))
		}
		d := "HTTPS pages load images or media over plain HTTP (" + clip(strings.Join(passive, ", "), 150) + "); they can be swapped or used to track visitors, and browsers mark the page not fully secure."
		return o.Warn(0.5, "passive: "+seen,
			d,
			o.Finding(SeverityLow, "Passive mixed content", d, fix, strings.Join(passive, "\n")))
	},
}

// mixedRefs are the http:// subresources of one page.
type mixedRefs struct{ active, passive []string }

// mixedOf lists the http:// subresources of an HTML page (memoised).
func mixedOf(p *Response) mixedRefs {
	return memoize(p, "mixed", func() mixedRefs {
		var m mixedRefs
		f := htmlOf(p)
		base := baseURLOf(p, f)
		for _, ref := range f.Refs {
			abs := ref.URL
			if schemeOf(abs) != "http" {
				if !strings.HasPrefix(abs, "//") && strings.Contains(abs, ":") {
					continue // another absolute scheme (https:, data:, blob:…)
				}
				if abs = resolveRef(base, abs); schemeOf(abs) != "http" {
					continue
				}
			}
			item := "<" + ref.Tag + " " + ref.Attr + "> " + abs
			if ref.Active {
				m.active = append(m.active, item)
			} else {
				m.passive = append(m.passive, item)
			}
		}
		return m
	})
}

// fixMixed is the mixed-content fix, built once.
var fixMixed = headerFix("Load every resource over https:// (or a relative URL); as a safety net send upgrade-insecure-requests.",
	"Content-Security-Policy", "upgrade-insecure-requests")
