package scanner

import "strings"

const idHeadersCSP = "headers.csp"

const cspExamplePolicy = "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'; upgrade-insecure-requests"

// cspScores maps each Observatory CSP result to the fraction of the check's
// points earned; the order follows the Observatory's score modifiers
// (+10 … -25).
var cspScores = map[string]float64{
	cspNoUnsafeDefaultNone:   1,
	cspNoUnsafe:              0.9,
	cspUnsafeInlineStyleOnly: 0.75,
	cspInsecurePassiveOnly:   0.6,
	cspUnsafeEval:            0.4,
	cspUnsafeInline:          0.2,
	cspInsecureScheme:        0.2,
	cspHeaderInvalid:         0,
	cspNotImplemented:        0,
	cspReportOnly:            0,
}

// cspTexts explains each non-passing result: title, why it matters, the fix.
var cspTexts = map[string][3]string{
	cspUnsafeEval: {"CSP allows 'unsafe-eval'",
		"script-src (or style-src) allows 'unsafe-eval', so injected data that reaches eval(), new Function() or setTimeout(string) runs as code.",
		"Remove the use of eval()-like constructs from the code, then remove 'unsafe-eval' from the policy."},
	cspUnsafeInline: {"CSP does not stop injected scripts",
		"script-src allows 'unsafe-inline', data: or any host (or object-src allows any host, or neither is restricted), so a cross-site-scripting bug can still run attacker code.",
		"Remove 'unsafe-inline' and data: from script-src, use nonces or hashes ('nonce-…' with 'strict-dynamic') for inline scripts, restrict script-src and set object-src 'none'."},
	cspInsecureScheme: {"CSP allows scripts or styles over HTTP",
		"The policy of this HTTPS page allows active content (scripts, styles, frames) from http: sources, which a network attacker can replace.",
		"Replace every http: source with its https: equivalent and add upgrade-insecure-requests."},
	cspHeaderInvalid: {"CSP cannot be parsed",
		"The policy is malformed (a directive repeated, a policy too short, or 'strict-dynamic' without a nonce or hash), so browsers may enforce something other than intended.",
		"Fix the syntax (one occurrence of each directive; 'strict-dynamic' only with a nonce or hash); check it with https://csp-evaluator.withgoogle.com/."},
	cspNotImplemented: {"Content-Security-Policy missing",
		"Without a CSP, any cross-site-scripting bug lets attacker scripts run with full access to the page.",
		"Start with a restrictive policy and loosen it where needed (try it first as Content-Security-Policy-Report-Only)."},
	cspReportOnly: {"CSP only in report-only mode",
		"A Content-Security-Policy-Report-Only header reports violations but blocks nothing.",
		"Once the reports are clean, send the same policy as Content-Security-Policy."},
}

// cspFixes are the fixes of cspTexts with the example policy, built once.
var cspFixes = func() map[string]*Fix {
	m := make(map[string]*Fix, len(cspTexts))
	for k, t := range cspTexts {
		m[k] = headerFix(t[2], "Content-Security-Policy", cspExamplePolicy)
	}
	return m
}()

// checkHeadersCSP grades the Content-Security-Policy exactly as the Mozilla
// HTTP Observatory does (header and <meta http-equiv>); the Value starts with
// the Observatory's result name so the two can be compared.
var checkHeadersCSP = Check{
	ID: idHeadersCSP, Name: "Content-Security-Policy", Category: catHeaders, Depth: Quick, Weight: 6,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersCSP)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		v := cspOf(ev.Page)
		score := cspScores[v.Base]
		value := valueWith(v.Result, v.Raw)
		if v.Pass {
			out := o.Pass(score, value, "")
			switch v.Base {
			case cspNoUnsafeDefaultNone:
				out.Description = "A strict CSP (default-src 'none', no unsafe sources) limits the damage of any injection."
			case cspNoUnsafe:
				out.Description = "The CSP blocks inline and untrusted scripts ('unsafe-inline', 'unsafe-eval', broad sources)."
			case cspUnsafeInlineStyleOnly:
				out.Description = "The CSP protects scripts; style-src still allows inline or broad sources, which enables CSS-based data theft only."
			case cspInsecurePassiveOnly:
				out.Description = "The CSP protects scripts, but images or media may load over HTTP (passive mixed content)."
			}
			var notes []string
			if v.Base != cspNoUnsafeDefaultNone {
				notes = append(notes, "set default-src 'none' and allow each resource type explicitly for full points")
			}
			if v.UnsafeInlineStyle {
				notes = append(notes, "style-src allows 'unsafe-inline', data: or broad sources")
			}
			if v.InsecureSchemePassive {
				notes = append(notes, "img-src/media-src allow http:")
			}
			if v.InsecureBaseURI {
				notes = append(notes, "base-uri is not restricted (set base-uri 'self' or 'none')")
			}
			if v.InsecureFormAction {
				notes = append(notes, "form-action is not restricted (set form-action 'self')")
			}
			if v.Result == cspDuplicateDirectives {
				notes = append(notes, "report-uri or report-to is given twice")
			}
			if len(notes) > 0 {
				out.Description += " It could be tightened: " + strings.Join(notes, "; ") + "."
			}
			return out
		}
		t := cspTexts[v.Result]
		status, sev := StatusFail, SeverityMedium
		switch v.Result {
		case cspUnsafeEval:
			status, sev = StatusWarn, SeverityLow
		case cspUnsafeInline, cspInsecureScheme:
			sev = SeverityMedium
		}
		return Outcome{Status: status, Value: value, Score: score, Description: t[1],
			Findings: []Finding{o.Finding(sev, t[0], t[1], cspFixes[v.Result], v.Raw)}}
	},
}
