package scanner

import (
	"errors"
	"net/url"
	"slices"
	"strings"
)

// This file is a Go port of the Content-Security-Policy parser and test of
// Mozilla's HTTP Observatory (see docs/scoring.md), so that our headers.csp
// verdict names and pass/fail decisions match the Observatory's. Quirks are kept on purpose
// (duplicate directives make the policy invalid, empty -src lists mean
// 'none', several policies are intersected); see docs/scoring.md.

// Observatory CSP result names.
const (
	cspNoUnsafeDefaultNone   = "csp-implemented-with-no-unsafe-default-src-none"
	cspNoUnsafe              = "csp-implemented-with-no-unsafe"
	cspUnsafeInlineStyleOnly = "csp-implemented-with-unsafe-inline-in-style-src-only"
	cspInsecurePassiveOnly   = "csp-implemented-with-insecure-scheme-in-passive-content-only"
	cspUnsafeEval            = "csp-implemented-with-unsafe-eval"
	cspUnsafeInline          = "csp-implemented-with-unsafe-inline"
	cspInsecureScheme        = "csp-implemented-with-insecure-scheme"
	cspDuplicateDirectives   = "csp-implemented-but-duplicate-directives"
	cspHeaderInvalid         = "csp-header-invalid"
	cspNotImplemented        = "csp-not-implemented"
	cspReportOnly            = "csp-not-implemented-but-reporting-enabled"
)

// cspShortestPolicy is the Observatory's minimum policy length
// (len("img-src") - 1): anything shorter is rejected as invalid.
const cspShortestPolicy = 6

var (
	errCSPInvalid = errors.New("invalid content security policy")

	cspDisallowedInMeta = []string{"frame-ancestors", "report-uri", "sandbox"}
	cspAllowedDup       = map[string]bool{"report-uri": true, "report-to": true}

	// Sources that allow (nearly) any origin.
	cspBroad = []string{"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
	// Sources that allow inline code.
	cspInlineish = []string{"'unsafe-inline'", "data:"}
	// Nonce and hash source prefixes.
	cspNonceHash = []string{"'sha256-", "'sha384-", "'sha512-", "'nonce-"}
)

// cspSet is a set of lower-cased source expressions. It is a map, so, as in
// the Observatory's JavaScript, a directive that falls back to default-src
// shares (and mutates) default-src's set.
type cspSet map[string]struct{}

func (s cspSet) has(x string) bool { _, ok := s[x]; return ok }

func (s cspSet) anyIn(list []string) bool {
	for _, x := range list {
		if s.has(x) {
			return true
		}
	}
	return false
}

func (s cspSet) anyPrefix(prefixes []string) bool {
	for src := range s {
		for _, p := range prefixes {
			if strings.HasPrefix(src, p) {
				return true
			}
		}
	}
	return false
}

// sorted lists the sources in order. The result is never nil, even for an
// empty set: cspPolicy.FrameAncestors tells "present" from "absent" by it.
func (s cspSet) sorted() []string { return sortedKeys(s) }

// cspPolicy is a parsed (and, for several policies, intersected) policy.
type cspPolicy struct {
	Directives map[string]cspSet
	// Duplicates lists report-uri/report-to directives given twice (allowed).
	Duplicates []string
}

type cspSource struct {
	source string
	index  int
	keep   bool
}

// splitCSPPolicies splits raw header values into policies: a comma separates
// policies (RFC 9110 list syntax, CSP3 §2.2).
func splitCSPPolicies(raw []string) []string {
	var out []string
	for _, v := range raw {
		for _, p := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// parseCSP parses a list of policies the way the Observatory does: directive
// names and sources are lower-cased, a directive repeated inside one policy
// makes the whole list invalid (except report-uri/report-to), an empty
// *-src list means 'none', and with several policies only sources present in
// every policy that sets a directive survive.
func parseCSP(policies []string) (*cspPolicy, error) {
	clean := make([]string, 0, len(policies))
	for _, p := range policies {
		p = strings.NewReplacer("\r", "", "\n", "").Replace(p)
		clean = append(clean, strings.TrimSpace(p))
	}
	out := &cspPolicy{Directives: map[string]cspSet{}}
	if len(clean) == 0 {
		return out, nil
	}
	for _, p := range clean {
		if len(p) < cspShortestPolicy {
			return nil, errCSPInvalid
		}
	}
	csp := map[string][]*cspSource{}
	var order []string // directive insertion order
	dupSeen := map[string]bool{}
	for pi, policy := range clean {
		seen := map[string]bool{}
		for _, entry := range strings.Split(policy, ";") {
			fields := strings.Fields(entry)
			if len(fields) == 0 {
				continue
			}
			directive := strings.ToLower(fields[0])
			if seen[directive] {
				if !cspAllowedDup[directive] {
					return nil, errCSPInvalid
				}
				if !dupSeen[directive] {
					dupSeen[directive] = true
					out.Duplicates = append(out.Duplicates, directive)
				}
			} else {
				seen[directive] = true
			}
			var values []*cspSource
			for _, raw := range fields[1:] {
				values = append(values, &cspSource{source: strings.ToLower(raw), index: pi, keep: pi == 0})
			}
			if len(values) == 0 && strings.HasSuffix(directive, "-src") {
				values = append(values, &cspSource{source: "'none'", index: pi, keep: pi == 0})
			}
			var combined []*cspSource
			if pi == 0 {
				combined = values
			} else {
				combined = append(append([]*cspSource(nil), csp[directive]...), values...)
			}
			slices.SortStableFunc(combined, func(a, b *cspSource) int { return strings.Compare(a.source, b.source) })
			for i := 1; i < len(combined); i++ {
				src, prev := combined[i], combined[i-1]
				// Same policy and a longer variant of the previous source: superfluous.
				if src.index == prev.index && strings.HasPrefix(src.source, prev.source) {
					src.keep = false
				}
				// A source has to exist in both policies to count.
				if src.index != prev.index {
					m, err := cspPathPartMatch(prev.source, src.source)
					if err != nil {
						return nil, err
					}
					if m {
						src.keep = true
					}
				}
			}
			kept := combined[:0:0]
			for _, s := range combined {
				if s.keep {
					kept = append(kept, s)
				}
			}
			if _, ok := csp[directive]; !ok {
				order = append(order, directive)
			}
			csp[directive] = kept
			if pi == 0 && len(clean) > 1 {
				for _, s := range kept {
					s.keep = false
				}
			}
		}
	}
	for _, d := range order {
		set := cspSet{}
		for _, s := range csp[d] {
			set[s.source] = struct{}{}
		}
		if len(set) == 0 {
			set["'none'"] = struct{}{}
		}
		out.Directives[d] = set
	}
	return out, nil
}

// cspPathPartMatch is the Observatory's pathPartMatch: whether source b is
// covered by source a, comparing "/"-separated, percent-decoded pieces.
func cspPathPartMatch(a, b string) (bool, error) {
	if a == "" {
		return true, nil
	}
	if a == "/" && b == "" {
		return true, nil
	}
	exact := !strings.HasSuffix(a, "/")
	la, lb := strings.Split(a, "/"), strings.Split(b, "/")
	if len(la) > len(lb) {
		return false, nil
	}
	if exact && len(la) != len(lb) {
		return false, nil
	}
	if !exact {
		la = la[:len(la)-1]
	}
	for i := range la {
		pa, err := url.PathUnescape(la[i])
		if err != nil {
			return false, errCSPInvalid
		}
		pb, err := url.PathUnescape(lb[i])
		if err != nil {
			return false, errCSPInvalid
		}
		if pa != pb {
			return false, nil
		}
	}
	return true, nil
}

// cspVerdict is the outcome of the Observatory CSP test plus what other
// checks (x-frame-options, mixed-content) need from the policy.
type cspVerdict struct {
	Result string // Observatory result name
	// Base is the result before the duplicate-directives rename (equal to
	// Result otherwise); scores are derived from it.
	Base string
	Pass bool   // the Observatory counts it as passed
	HTTP bool   // a policy came in a header
	Meta bool   // a policy came in <meta http-equiv>
	Raw  string // the policies as seen, joined with " , "

	// FrameAncestors are the header policy's frame-ancestors sources (nil: absent).
	FrameAncestors []string
	// UpgradeInsecure is true when upgrade-insecure-requests is set.
	UpgradeInsecure bool

	StrictDynamic, DefaultNone                         bool
	UnsafeInline, UnsafeEval, UnsafeInlineStyle        bool
	InsecureSchemeActive, InsecureSchemePassive        bool
	InsecureBaseURI, InsecureFormAction, UnsafeObjects bool
	AntiClickjacking                                   bool
}

// cspOf evaluates the CSP of a page response (memoised per response).
func cspOf(r *Response) *cspVerdict {
	ix := indexOf(r)
	ix.cspOnce.Do(func() {
		_, hasRO := headerJoined(r, "Content-Security-Policy-Report-Only")
		ix.csp = evalCSP(headerValues(r, "Content-Security-Policy"), htmlOf(r).MetaCSP,
			hasRO, schemeOf(r.URL) == "https")
	})
	return ix.csp
}

// evalCSP is the Observatory's contentSecurityPolicyTest over header values,
// <meta http-equiv> values, the presence of a Report-Only header and the
// page's scheme.
func evalCSP(headerVals, metaVals []string, reportOnly, https bool) *cspVerdict {
	v := &cspVerdict{}
	httpPol := splitCSPPolicies(headerVals)
	metaPol := splitCSPPolicies(metaVals)
	v.Raw = clip(strings.Join(append(append([]string(nil), httpPol...), metaPol...), " , "), 400)

	csp, err := parseCSP(append(append([]string(nil), httpPol...), metaPol...))
	if err != nil {
		v.Result, v.Base = cspHeaderInvalid, cspHeaderInvalid
		v.HTTP, v.Meta = len(httpPol) > 0, len(metaPol) > 0
		return v
	}
	httpOnly, err := parseCSP(httpPol)
	if err != nil {
		httpOnly = &cspPolicy{Directives: map[string]cspSet{}}
	}
	meta, err := parseCSP(metaPol)
	if err != nil {
		meta = &cspPolicy{Directives: map[string]cspSet{}}
	}
	for _, d := range cspDisallowedInMeta {
		delete(meta.Directives, d)
	}
	if len(httpOnly.Directives)+len(meta.Directives) == 0 {
		if reportOnly {
			v.Result = cspReportOnly
		} else {
			v.Result = cspNotImplemented
		}
		v.Base = v.Result
		return v
	}
	v.HTTP, v.Meta = len(httpPol) > 0, len(metaPol) > 0
	d := csp.Directives
	get := func(names ...string) cspSet {
		for _, n := range names {
			if s, ok := d[n]; ok {
				return s
			}
		}
		return cspSet{"*": {}}
	}
	baseURI := get("base-uri")
	frameAnc, ok := httpOnly.Directives["frame-ancestors"]
	if ok {
		v.FrameAncestors = frameAnc.sorted()
	} else {
		frameAnc = cspSet{"*": {}}
	}
	formAction := get("form-action")
	objectSrc := get("object-src", "default-src")
	scriptSrc := get("script-src", "default-src")
	styleSrc := get("style-src", "default-src")
	_, v.UpgradeInsecure = d["upgrade-insecure-requests"]

	hasNonceHash := func(s cspSet) bool { return s.anyPrefix(cspNonceHash) }
	// A nonce or hash makes browsers ignore 'unsafe-inline'.
	for _, s := range []cspSet{scriptSrc, styleSrc} {
		if hasNonceHash(s) && s.has("'unsafe-inline'") {
			delete(s, "'unsafe-inline'")
		}
	}
	// 'strict-dynamic' with a nonce/hash makes browsers ignore host and
	// scheme sources, 'self' and 'unsafe-inline'.
	if hasNonceHash(scriptSrc) && scriptSrc.has("'strict-dynamic'") {
		for src := range scriptSrc {
			drop := src == "'self'" || src == "'unsafe-inline'"
			for _, b := range cspBroad {
				if strings.HasPrefix(src, b) {
					drop = true
				}
			}
			if drop {
				delete(scriptSrc, src)
			}
		}
		v.StrictDynamic = true
	} else if scriptSrc.has("'strict-dynamic'") && v.Result == "" {
		v.Result = cspHeaderInvalid
	}

	var active []string
	for name, set := range d {
		if name == "img-src" || name == "media-src" || name == "script-src" {
			continue
		}
		for s := range set {
			active = append(active, s)
		}
	}
	for s := range scriptSrc {
		active = append(active, s)
	}
	var passive []string
	for _, name := range []string{"img-src", "media-src"} {
		set, ok := d[name]
		if !ok {
			set = d["default-src"]
		}
		for s := range set {
			passive = append(passive, s)
		}
	}
	insecure := func(list []string) bool {
		for _, s := range list {
			if strings.HasPrefix(s, "http:") || strings.HasPrefix(s, "ftp:") {
				return true
			}
		}
		return false
	}
	setResult := func(r string) {
		if v.Result == "" {
			v.Result = r
		}
	}

	if scriptSrc.anyIn(cspBroad) || scriptSrc.anyIn(cspInlineish) || objectSrc.anyIn(cspBroad) {
		setResult(cspUnsafeInline)
		v.UnsafeInline = true
	}
	if https && insecure(active) {
		setResult(cspInsecureScheme)
		v.InsecureSchemeActive = true
	}
	if scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'") {
		setResult(cspUnsafeEval)
		v.UnsafeEval = true
	}
	if https && insecure(passive) {
		setResult(cspInsecurePassiveOnly)
		v.InsecureSchemePassive = true
	}
	if styleSrc.anyIn(cspBroad) || styleSrc.anyIn(cspInlineish) {
		setResult(cspUnsafeInlineStyleOnly)
		v.UnsafeInlineStyle = true
	}
	if def, ok := d["default-src"]; ok && def.has("'none'") && len(def) == 1 {
		setResult(cspNoUnsafeDefaultNone)
		v.DefaultNone = true
	} else {
		setResult(cspNoUnsafe)
	}
	v.AntiClickjacking = !frameAnc.anyIn(cspBroad)
	v.InsecureBaseURI = baseURI.anyIn(cspBroad) || baseURI.anyIn(cspInlineish)
	v.InsecureFormAction = formAction.anyIn(cspBroad)
	v.UnsafeObjects = objectSrc.anyIn(cspBroad)

	v.Base = v.Result
	switch v.Result {
	case cspNoUnsafe, cspNoUnsafeDefaultNone, cspUnsafeInlineStyleOnly, cspInsecurePassiveOnly:
		v.Pass = true
		if len(csp.Duplicates) > 0 {
			v.Result = cspDuplicateDirectives
		}
	}
	return v
}
