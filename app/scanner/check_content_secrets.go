package scanner

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

const idContentSecrets = "content.secrets"

// secretPattern recognises one kind of credential.
type secretPattern struct {
	kind string
	re   *regexp.Regexp // group 1 is the secret
	sev  Severity
	capC bool // a live credential: caps the grade at C
	fix  *Fix
}

var secretPatterns = []secretPattern{
	{kind: "AWS access key ID", re: regexp.MustCompile(`\b((?:AKIA|ASIA)[0-9A-Z]{16})\b`), sev: SeverityCritical, capC: true,
		fix: &Fix{Advice: "Deactivate the key in IAM, review CloudTrail for its use, and move server-side calls behind your backend; browsers should get short-lived, narrowly scoped credentials (Cognito, pre-signed URLs).",
			Snippets: []Snippet{{Server: ServerShell, Code: "aws iam update-access-key --status Inactive --access-key-id AKIA…"}}}},
	{kind: "Stripe secret key", re: regexp.MustCompile(`\b((?:sk|rk)_live_[0-9A-Za-z]{20,99})\b`), sev: SeverityCritical, capC: true,
		fix: adviceFix("Roll the key in the Stripe dashboard (Developers → API keys) now; only the publishable key (pk_live_…) belongs in browsers.")},
	{kind: "GitHub token", re: regexp.MustCompile(`\b((?:gh[pousr]_[0-9A-Za-z]{36,251})|github_pat_[0-9A-Za-z_]{22,250})\b`), sev: SeverityCritical, capC: true,
		fix: adviceFix("Revoke the token (GitHub → Settings → Developer settings → Tokens) and audit the account's security log.")},
	{kind: "Slack token", re: regexp.MustCompile(`\b(xox[bpars]-[0-9A-Za-z-]{10,250})\b`), sev: SeverityCritical, capC: true,
		fix: adviceFix("Revoke the token at api.slack.com/apps (or run auth.revoke) and issue a new one kept server-side.")},
	{kind: "Slack incoming webhook", re: regexp.MustCompile(`(https://hooks\.slack\.com/services/T[0-9A-Z]{6,}/B[0-9A-Z]{6,}/[0-9A-Za-z]{20,})`), sev: SeverityHigh, capC: true,
		fix: adviceFix("Delete the webhook in the Slack app settings and create a new one used only server-side.")},
	{kind: "Private key", re: regexp.MustCompile(`(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)\s*[A-Za-z0-9+/=:\r\n\\ -]{64,}`), sev: SeverityCritical, capC: true,
		fix: adviceFix("Treat the key as compromised: revoke anything it signs or authenticates (certificates, SSH access, JWT signing) and generate a new key that never ships to browsers.")},
	{kind: "Google API key", re: regexp.MustCompile(`\b(AIza[0-9A-Za-z_\-]{35})\b`), sev: SeverityMedium,
		fix: adviceFix("Browser keys are public by design: in Google Cloud Console → Credentials restrict the key to your HTTP referrers and to the APIs the page needs; move any server-side key out of the page.")},
}

// secretHit is one credential found in a response (value already redacted).
type secretHit struct {
	Kind     string
	Redacted string
	Sev      Severity
	CapC     bool
	Fix      *Fix
}

var placeholderWords = []string{"EXAMPLE", "XXXX", "SAMPLE", "DUMMY", "PLACEHOLDER", "YOUR", "FAKE", "REDACTED", "INSERT", "CHANGEME", "1234567890", "ABCDEFGHIJ", "0000000000"}

// isPlaceholder rejects documentation values such as AKIAIOSFODNN7EXAMPLE,
// sk_live_xxxxxxxx… and low-entropy runs.
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
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	return len(distinct) < 10
}

// redactSecret keeps a recognisable prefix and the last four characters:
// sk_live_…abcd.
func redactSecret(s string) string {
	if strings.HasPrefix(s, "-----BEGIN") {
		return s + " (key material redacted)"
	}
	if strings.HasPrefix(s, "https://hooks.slack.com/") {
		return "https://hooks.slack.com/services/…" + s[len(s)-4:]
	}
	prefix := s
	switch {
	case strings.HasPrefix(s, "github_pat_"):
		prefix = "github_pat_"
	case strings.HasPrefix(s, "sk_live_"), strings.HasPrefix(s, "rk_live_"):
		prefix = s[:8]
	case strings.HasPrefix(s, "xox"):
		prefix = s[:5]
	case strings.HasPrefix(s, "gh"):
		prefix = s[:4]
	default:
		prefix = s[:4]
	}
	if len(s) <= len(prefix)+4 {
		return prefix + "…"
	}
	return prefix + "…" + s[len(s)-4:]
}

// secretsOf scans a response body once (memoised) for live-looking credentials.
func secretsOf(r *Response) []secretHit {
	ix := indexOf(r)
	ix.secretsOnce.Do(func() {
		seen := map[string]bool{}
		for _, p := range secretPatterns {
			for _, m := range p.re.FindAllSubmatch(r.Body, 20) {
				s := string(m[1])
				if seen[s] || isPlaceholder(s) {
					continue
				}
				seen[s] = true
				ix.secrets = append(ix.secrets, secretHit{Kind: p.kind, Redacted: redactSecret(s), Sev: p.sev, CapC: p.capC, Fix: p.fix})
			}
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
				if seen[h.Redacted] {
					continue
				}
				seen[h.Redacted] = true
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
			return o.Pass(1, "no credentials found in "+scanned,
				"No API keys, tokens or private keys were found in the page source.")
		}
		slices.SortStableFunc(hits, func(a, b located) int { return cmp.Compare(SeverityRank(a.Sev), SeverityRank(b.Sev)) })
		out := o.Warn(0.5, "", "")
		var vals []string
		for _, h := range hits {
			vals = append(vals, h.Kind+" "+h.Redacted)
			if h.CapC && out.Cap == "" {
				out = out.Capped("C", "a "+h.Kind+" is published in "+clip(h.where, 120))
				out.Status, out.Score = StatusFail, 0
			}
			desc := "A " + h.Kind + " is embedded in " + clip(h.where, 120) + ", where anyone can read it."
			if !h.CapC {
				desc = "A " + h.Kind + " is embedded in " + clip(h.where, 120) + ". Browser keys are public by design, but an unrestricted key can be abused at your expense."
			}
			out.Findings = append(out.Findings, o.Finding(h.Sev, h.Kind+" exposed", desc, h.Fix, h.Redacted+" in "+h.where))
		}
		out.Value = clip(strings.Join(vals, ", "), 250)
		if out.Status == StatusFail {
			out.Description = "Live credentials are published in the site's pages or scripts: " + clip(strings.Join(vals, ", "), 150) + "."
		} else {
			out.Description = "Browser API keys found (" + clip(strings.Join(vals, ", "), 150) + "); make sure they are restricted."
		}
		return out
	},
}
