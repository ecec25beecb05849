package scanner

import (
	"cmp"
	"slices"
	"strings"
)

const idContentSecrets = "content.secrets"

// secretHit is one credential found in a response (value already redacted).
// key identifies the credential itself (rule and value) so one secret seen
// in several responses is reported once; it is never shown.
type secretHit struct {
	Kind     string
	Redacted string
	Sev      Severity
	CapC     bool
	Fix      *Fix
	key      string
}

var placeholderWords = []string{"EXAMPLE", "XXXX", "SAMPLE", "DUMMY", "PLACEHOLDER", "YOUR", "FAKE", "REDACTED", "INSERT", "CHANGEME", "1234567890", "ABCDEFGHIJ", "0000000000"}

// isPlaceholder rejects documentation values such as AKIAIOSFODNN7EXAMPLE,
// sk_live_xxxxxxxx…, "your-api-key" and low-entropy runs, on top of
// gitleaks' own allowlists.
func isPlaceholder(s string) bool {
	u := strings.ToUpper(s)
	for _, w := range placeholderWords {
		if strings.Contains(u, w) {
			return true
		}
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		return false
	}
	var distinct [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !distinct[s[i]] {
			distinct[s[i]] = true
			n++
		}
	}
	return n < 10
}

// redactSecret shows at most the first 4 and the last 2 characters of a
// secret ("sk_l…Xy"); a private key shows only its BEGIN line and a webhook
// only its scheme and host, which are not secret.
func redactSecret(s string) string {
	if strings.HasPrefix(s, "-----BEGIN") {
		head := s
		if i := strings.Index(s[len("-----BEGIN"):], "-----"); i >= 0 {
			head = s[:len("-----BEGIN")+i+5]
		}
		return clip(head, 80) + " (key material redacted)"
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok && len(scheme) <= 5 {
		host, _, _ := strings.Cut(rest, "/")
		return scheme + "://" + host + "/…" + s[len(s)-2:]
	}
	if len(s) < 12 {
		return s[:min(2, len(s))] + "…"
	}
	return s[:4] + "…" + s[len(s)-2:]
}

// secretsOf scans a response body once (memoised) for live-looking
// credentials with the gitleaks rules of secrets.go.
func secretsOf(r *Response) []secretHit {
	ix := indexOf(r)
	ix.secretsOnce.Do(func() {
		e := secretRules()
		for _, s := range e.scan(r.Body) {
			ix.secrets = append(ix.secrets, secretHit{Kind: s.kind.name, Redacted: redactSecret(s.secret), Sev: s.kind.sev,
				CapC: s.kind.capC, Fix: s.kind.fix, key: e.rules[s.rule].id + "\x00" + s.secret})
		}
	})
	return ix.secrets
}

// checkContentSecrets: an API key or private key in a page or script is
// readable by everyone; attackers harvest them automatically within
// minutes. A live credential caps the grade at C. Runs on the main page
// from QUICK, and on crawled pages and same-origin scripts at DEEP.
var checkContentSecrets = Check{
	ID: idContentSecrets, Name: "Secrets in pages and scripts", Category: catContent, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage, NeedCrawl},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idContentSecrets)
		pages := pagesOf(ev)
		if len(pages) == 0 {
			return missing("The main page", ev.PageErr)
		}
		type located struct {
			secretHit
			where string
		}
		var hits []located
		seen := map[string]bool{}
		add := func(r *Response, where string) {
			for _, h := range secretsOf(r) {
				if seen[h.key] {
					continue
				}
				seen[h.key] = true
				hits = append(hits, located{h, where})
			}
		}
		for _, p := range pages {
			add(p, p.URL)
		}
		scripts := sortedKeys(ev.Scripts)
		for _, u := range scripts {
			if r := ev.Scripts[u]; r != nil {
				add(r, u)
			}
		}
		scanned := plural(len(pages), "page")
		if len(scripts) > 0 {
			scanned += " and " + plural(len(scripts), "script")
		}
		if len(hits) == 0 {
			value := "no credentials found in " + scanned
			if readLimits(ev) != "" {
				value += " (not all of the site was read)"
			}
			return o.Pass(1, value, noneFound(ev, "API keys, tokens or private keys"))
		}
		slices.SortStableFunc(hits, func(a, b located) int { return cmp.Compare(SeverityRank(a.Sev), SeverityRank(b.Sev)) })
		var vals []string
		var findings []Finding
		live, weak := false, false
		capReason := ""
		for _, h := range hits {
			vals = append(vals, h.Kind+" "+h.Redacted)
			where := clip(h.where, 120)
			desc := "A " + h.Kind + " is embedded in " + where + ", where anyone can read it."
			switch {
			case h.CapC:
				live = true
				if capReason == "" {
					capReason = "a " + h.Kind + " is published in " + where
				}
			case h.Sev == SeverityInfo:
				desc = "A " + h.Kind + " is embedded in " + where + ". It is not a live secret, but it is readable by everyone."
			default:
				weak = true
				desc = "A " + h.Kind + " is embedded in " + where + ". Browser keys are public by design, but an unrestricted key can be abused at your expense."
			}
			findings = append(findings, o.Finding(h.Sev, h.Kind+" exposed", desc, h.Fix, h.Redacted+" in "+h.where))
		}
		value := clip(strings.Join(vals, ", "), 250)
		list := clip(strings.Join(vals, ", "), 150)
		var out Outcome
		switch {
		case live:
			out = o.Fail(0, value, "Live credentials are published in the site's pages or scripts: "+list+".", findings...).Capped("C", capReason)
		case weak:
			out = o.Warn(0.5, value, "Browser API keys found ("+list+"); make sure they are restricted.", findings...)
		default:
			desc := "Only public or test-mode keys were found (" + list + "); none is a live secret."
			if l := readLimits(ev); l != "" {
				desc += " Not everything was read: " + l + "."
			}
			out = o.InfoCounted(1, value, desc, findings...)
		}
		return out
	},
}
