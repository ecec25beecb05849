package scanner

import (
	"regexp"
	"slices"
	"strings"
)

const idContentSRI = "content.sri"

// Observatory subresource-integrity result names, best first as in its
// "goodness" order (a later one replaces an earlier one on the same page).
const (
	sriAllSecure             = "sri-implemented-and-all-scripts-loaded-securely"
	sriExternalSecure        = "sri-implemented-and-external-scripts-loaded-securely"
	sriImplementedNotSecure  = "sri-implemented-but-external-scripts-not-loaded-securely"
	sriNotImplExternalSecure = "sri-not-implemented-but-external-scripts-loaded-securely"
	sriNotImplNotSecure      = "sri-not-implemented-and-external-scripts-not-loaded-securely"
	sriNotHTML               = "sri-not-implemented-response-not-html"
	sriNoScripts             = "sri-not-implemented-but-no-scripts-loaded"
	sriSameOrigin            = "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
)

var sriGoodness = []string{sriAllSecure, sriExternalSecure, sriImplementedNotSecure, sriNotImplExternalSecure, sriNotImplNotSecure, sriNotHTML}

var sriFullURLRE = regexp.MustCompile(`(?i)^https?://`)

// sriProtoRelative is what `^//[^/]` matched, without the regexp: "//"
// then any character but '/' ([^/] also matches a newline and an invalid
// byte); TestSRIPrefilters holds it to the expression.
func sriProtoRelative(src string) bool {
	return len(src) > 2 && src[0] == '/' && src[1] == '/' && src[2] != '/'
}

// sriFullURL is sriFullURLRE behind a literal test: the expression can
// only match text starting with 'h' or 'H' ((?i) folds 'h' to nothing
// else), so a relative src never reaches the matcher. The regexp stays for
// the rest, which (?i) folds beyond ASCII (U+017F matches 's').
func sriFullURL(src string) bool {
	return src != "" && src[0]|0x20 == 'h' && sriFullURLRE.MatchString(src)
}

func sriRank(r string) int {
	for i, g := range sriGoodness {
		if g == r {
			return i
		}
	}
	return -1
}

// sriOnlyIfWorse is the Observatory's onlyIfWorse over sriGoodness.
func sriOnlyIfWorse(newR, oldR string) string {
	if oldR == "" || sriRank(newR) > sriRank(oldR) {
		return newR
	}
	return oldR
}

// sriPage is the SRI verdict of one page.
type sriPage struct {
	Result string
	// Unprotected are cross-site scripts without integrity, or loaded insecurely.
	Unprotected []string
	// Styles are cross-site stylesheets without integrity (reported, not scored).
	Styles []string
}

// sriOfPage runs the Observatory's subresource-integrity test on one page:
// a script is "foreign" when it is on another registrable domain than the
// scanned host. A protocol-relative (//host/…) foreign script counts as
// loaded securely only when plain HTTP is never served (httpsEnforced: no
// HTTP server, or http:// redirects to HTTPS with no further HTTP hop), as
// the Observatory decides it (see content.sri in docs/scoring.md).
func sriOfPage(r *Response, host string, httpsEnforced bool) sriPage {
	key := "sri|" + host
	if httpsEnforced {
		key += "|enforced"
	}
	return memoize(r, key, func() sriPage { return computeSRI(r, host, httpsEnforced) })
}

// sriHTTPSEnforced tells whether plain HTTP can serve the site, from the
// redirect chain; without one (QUICK) an HTTPS page is taken as enforced.
func sriHTTPSEnforced(ev *Evidence, page *Response) bool {
	if httpRefused(ev) {
		return true
	}
	if len(ev.Redirects) == 0 {
		return schemeOf(page.URL) == "https"
	}
	route := redirectRoute(ev.Redirects)
	if len(route) < 2 {
		return false
	}
	for _, u := range route[1:] {
		if schemeOf(u) != "https" {
			return false
		}
	}
	return true
}

func computeSRI(r *Response, host string, httpsEnforced bool) sriPage {
	var out sriPage
	if m := mimeOf(r.Header); m != "" && m != "text/html" && m != "application/xhtml+xml" {
		out.Result = sriNotHTML
		return out
	}
	f := htmlOf(r)
	pageHTTPS := schemeOf(r.URL) == "https"
	home := siteOf(host)
	foreignSeen := false
	for _, s := range f.Scripts {
		if !s.HasSrc || s.Src == "" {
			continue
		}
		relProto, relOrigin, sameSite := false, false, false
		switch {
		case sriProtoRelative(s.Src):
			relProto = true
			sameSite = siteOf(hostOfURL("https:"+s.Src)) == home
		case sriFullURL(s.Src):
			sameSite = siteOf(hostOfURL(s.Src)) == home
		default:
			relOrigin, sameSite = true, true
		}
		secureOrigin := relOrigin || sameSite
		if !secureOrigin {
			foreignSeen = true
		}
		secureScheme := (!relProto && !relOrigin && schemeOf(s.Src) == "https") || (relOrigin && pageHTTPS) || (relProto && httpsEnforced)
		integrity := s.Integrity != ""
		if secureOrigin {
			if integrity && secureScheme && out.Result == "" {
				out.Result = sriAllSecure
			}
			continue
		}
		switch {
		case integrity && !secureScheme:
			out.Result = sriOnlyIfWorse(sriImplementedNotSecure, out.Result)
		case !integrity && secureScheme:
			out.Result = sriOnlyIfWorse(sriNotImplExternalSecure, out.Result)
		case !integrity:
			out.Result = sriOnlyIfWorse(sriNotImplNotSecure, out.Result)
		}
		if !integrity || !secureScheme {
			out.Unprotected = append(out.Unprotected, s.Src)
		}
	}
	if len(f.Scripts) == 0 {
		out.Result = sriNoScripts
	} else if out.Result == "" {
		if foreignSeen {
			out.Result = sriExternalSecure
		} else {
			out.Result = sriSameOrigin
		}
	}
	for _, l := range f.Links {
		if !hasWord(strings.Fields(l.Rel), "stylesheet") || l.Integrity != "" || l.Href == "" {
			continue
		}
		abs := resolveRef(baseURLOf(r, f), l.Href)
		h := hostOfURL(abs)
		if h == "" || siteOf(h) == home || sriDynamicCSS[h] {
			continue
		}
		out.Styles = append(out.Styles, abs)
	}
	return out
}

// sriDynamicCSS are stylesheet hosts whose content varies per browser, so
// SRI cannot be used with them.
var sriDynamicCSS = map[string]bool{"fonts.googleapis.com": true, "use.typekit.net": true, "fonts.bunny.net": true}

// sriScore maps Observatory SRI results (modifiers +5 … -50) to our status and score.
func sriScore(p sriPage) (Status, float64, Severity) {
	switch p.Result {
	case sriNotImplExternalSecure:
		return StatusWarn, 0.5, SeverityLow
	case sriImplementedNotSecure:
		return StatusFail, 0.25, SeverityMedium
	case sriNotImplNotSecure:
		return StatusFail, 0, SeverityHigh
	}
	return StatusPass, 1, SeverityInfo
}

// checkContentSRI: a script from a CDN or third party runs with full
// access to the page; if that host is compromised (it has happened to
// popular CDNs), so is every site that loads it. An integrity="sha384-…"
// attribute makes the browser refuse altered files. Observatory test
// "subresource-integrity" on the main page; at DEEP every crawled page.
var checkContentSRI = Check{
	ID: idContentSRI, Name: "Subresource Integrity", Category: catContent, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage, NeedCrawl, NeedRedirects},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentSRI)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		host := ev.Target.Host
		if host == "" {
			host = hostOfURL(pages[0].URL)
		}
		enforced := sriHTTPSEnforced(ev, pages[0])
		main := sriOfPage(pages[0], host, enforced)
		status, score, sev := sriScore(main)
		result := main.Result
		unprotected := append([]string(nil), main.Unprotected...) // copies: the memoised slices stay intact
		styles := append([]string(nil), main.Styles...)
		worseOn := 0
		// noScripts: no page examined loads a script (or is HTML), so
		// integrity has nothing to protect: info, scored like the pass.
		noScripts := main.Result == sriNoScripts || main.Result == sriNotHTML
		for _, p := range pages[1:] {
			sp := sriOfPage(p, host, enforced)
			noScripts = noScripts && (sp.Result == sriNoScripts || sp.Result == sriNotHTML)
			st, sc, sv := sriScore(sp)
			if sc < score {
				status, score, sev, worseOn = st, sc, sv, worseOn+1
			}
			unprotected = append(unprotected, sp.Unprotected...)
			styles = append(styles, sp.Styles...)
		}
		unprotected, styles = dedupe(unprotected), dedupe(styles)
		value := result
		if len(unprotected) > 0 {
			value = valueWith(result, strings.Join(unprotected, ", "))
		}
		if worseOn > 0 {
			value += " (worse on other crawled pages)"
		}
		fix := fixSRI
		out := Outcome{Status: status, Value: clip(value, 300), Score: score}
		switch status {
		case StatusPass:
			out.Description = "Scripts come from the site itself or carry integrity hashes."
			if noScripts {
				out.Status, out.Counted = StatusInfo, true
				out.Description = noneFound(ev, "scripts") + " Subresource Integrity has nothing to protect."
			}
		default:
			out.Description = "Third-party scripts run without integrity checks (" + clip(strings.Join(unprotected, ", "), 150) + "); if their host is compromised, so is this site."
			if main.Result == sriImplementedNotSecure || main.Result == sriNotImplNotSecure {
				out.Description = "Third-party scripts are loaded over HTTP or protocol-relative URLs (" + clip(strings.Join(unprotected, ", "), 150) + "), so they can be replaced in transit."
			}
			out.Findings = append(out.Findings, o.Finding(sev, "Third-party scripts without Subresource Integrity",
				out.Description,
				fix,
				strings.Join(unprotected, "\n")))
		}
		if len(styles) > 0 && out.Status == StatusPass {
			out.Description += " Stylesheets from other sites (" + clip(strings.Join(styles, ", "), 150) + ") have no integrity attribute; an altered stylesheet can deface the page or exfiltrate data through CSS (not scored)."
		} else if len(styles) > 0 {
			out.Findings = append(out.Findings, o.Finding(SeverityInfo, "Third-party stylesheets without Subresource Integrity",
				"Stylesheets from other sites ("+clip(strings.Join(styles, ", "), 150)+") have no integrity attribute; an altered stylesheet can deface the page or exfiltrate data through CSS. Not scored.",
				fixSRIStyles,
				strings.Join(styles, "\n")))
		}
		if out.Status == StatusPass {
			// Only what was read was judged: a limit is never silent (docs/scoring.md, "Coverage").
			out.Description += notAllRead(ev)
		}
		return out
	},
}

// SRI fixes, built once.
var (
	fixSRI = &Fix{
		Advice: "Add integrity and crossorigin to every third-party script, and load scripts over https:// (not http:// or //host); or self-host the file. Compute the hash with openssl.",
		Snippets: []Snippet{
			{Server: ServerHTML, Code: `<script src="https://cdn.example/lib.min.js" integrity="sha384-…" crossorigin="anonymous"></script>`},
			{Server: ServerShell, Code: "openssl dgst -sha384 -binary lib.min.js | openssl base64 -A"},
		},
	}
	fixSRIStyles = &Fix{
		Advice:   "Add integrity and crossorigin to <link rel=\"stylesheet\"> elements of static third-party files.",
		Snippets: []Snippet{{Server: ServerHTML, Code: `<link rel="stylesheet" href="https://cdn.example/lib.min.css" integrity="sha384-…" crossorigin="anonymous">`}},
	}
)

// dedupe removes repeated strings, keeping the first occurrence.
func dedupe(xs []string) []string {
	if len(xs) <= 16 {
		// The common case (a handful of items, every evaluation of
		// several checks): a scan of the kept prefix, no map to allocate.
		out := xs[:0]
		for _, x := range xs {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	seen := make(map[string]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
