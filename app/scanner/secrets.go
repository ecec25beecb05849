package scanner

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// The secret rules are gitleaks' default rule set (v8.30.1, MIT), embedded
// as data with its licence and provenance (app/scanner/data/gitleaks/
// README.md), plus our own rules in the same format (palisade.toml).
//
// Why gitleaks' rules, applied by this small engine, and not gitleaks as a
// library: measured on the same 300 KB page (2026-12-02, this machine),
// detect.NewDetectorDefaultConfig().DetectString took a median of about
// 430 ms per page (its generic and "ey"/"sk"-keyword rules run Go's regexp
// over the whole body), pulled about 50 modules into go.mod (viper, cobra,
// lipgloss, archive readers, a wasm runtime) and logs through a global
// zerolog logger. The rules are what is maintained; our engine
// (secrets_engine.go) applies them the way gitleaks does (keyword
// prefilter, regex, secretGroup, entropy threshold, rule and global
// allowlists of regexes and stopwords) in about a third of a millisecond
// of CPU for such a page (docs/BENCHMARKS.md, "Scanner").
//
//go:embed data/gitleaks/gitleaks.toml data/gitleaks/palisade.toml
var secretRuleFiles embed.FS

// secretKind is what we report for a rule: the kind's name, how bad it is,
// whether a live one caps the grade at C, and how to fix it.
type secretKind struct {
	name string
	sev  Severity
	capC bool
	fix  *Fix
}

var (
	kindAWSKeyID = &secretKind{"AWS access key ID", SeverityCritical, true,
		&Fix{Advice: "Deactivate the key in IAM, review CloudTrail for its use, and move server-side calls behind your backend; browsers should get short-lived, narrowly scoped credentials (Cognito, pre-signed URLs).",
			Snippets: []Snippet{{Server: ServerShell, Code: "aws iam update-access-key --status Inactive --access-key-id AKIA…"}}}}
	kindAWSSecret = &secretKind{"AWS secret access key", SeverityCritical, true,
		&Fix{Advice: "Deactivate the access key pair in IAM now, review CloudTrail for its use, and keep AWS credentials on the server; browsers should get short-lived, narrowly scoped credentials (Cognito, pre-signed URLs).",
			Snippets: []Snippet{{Server: ServerShell, Code: "aws iam update-access-key --status Inactive --access-key-id AKIA…"}}}}
	kindStripe = &secretKind{"Stripe secret key", SeverityCritical, true,
		adviceFix("Roll the key in the Stripe dashboard (Developers → API keys) now; only the publishable key (pk_live_…) belongs in browsers.")}
	kindStripeTest = &secretKind{"Stripe test-mode key", SeverityInfo, false,
		adviceFix("A test-mode key moves no money, but anyone can use your test account with it: roll it in the Stripe dashboard and keep secret keys on the server.")}
	kindGitHub = &secretKind{"GitHub token", SeverityCritical, true,
		adviceFix("Revoke the token (GitHub → Settings → Developer settings → Tokens) and audit the account's security log.")}
	kindGitLab = &secretKind{"GitLab token", SeverityCritical, true,
		adviceFix("Revoke the token in GitLab (User settings → Access tokens, or the project's or runner's settings) and review the audit events for its use.")}
	kindSlack = &secretKind{"Slack token", SeverityCritical, true,
		adviceFix("Revoke the token at api.slack.com/apps (or run auth.revoke) and issue a new one kept server-side.")}
	kindSlackHook = &secretKind{"Slack incoming webhook", SeverityHigh, true,
		adviceFix("Delete the webhook in the Slack app settings and create a new one used only server-side.")}
	kindTeamsHook = &secretKind{"Microsoft Teams webhook", SeverityHigh, true,
		adviceFix("Remove the Incoming Webhook connector from the channel and create a new one used only server-side.")}
	kindPrivateKey = &secretKind{"Private key", SeverityCritical, true,
		adviceFix("Treat the key as compromised: revoke anything it signs or authenticates (certificates, SSH access, JWT signing) and generate a new key that never ships to browsers.")}
	kindGoogle = &secretKind{"Google API key", SeverityMedium, false,
		adviceFix("Browser keys are public by design: in Google Cloud Console → Credentials restrict the key to your HTTP referrers and to the APIs the page needs; move any server-side key out of the page.")}
	kindJWTPrivileged = &secretKind{"privileged JWT", SeverityCritical, true,
		adviceFix("A token with a service or admin role bypasses your access rules (for Supabase, the service_role key bypasses Row Level Security): rotate the signing secret (Supabase → Project settings → API → JWT secret) and use only the anon key in browsers.")}
	kindJWTPublic = &secretKind{"public JWT", SeverityInfo, false,
		adviceFix("A public (anon) key is meant for browsers; it is only as safe as your access rules, so keep Row Level Security (or its equivalent) on for every table it can reach.")}
	kindSendGrid = &secretKind{"SendGrid API key", SeverityHigh, true,
		adviceFix("Delete the key in SendGrid (Settings → API Keys) and send mail from your server: anyone with the key can send mail as your domain.")}
	kindMailgun = &secretKind{"Mailgun API key", SeverityHigh, true,
		adviceFix("Rotate the key in Mailgun (API Security) and send mail from your server: anyone with the key can send mail as your domain.")}
	kindBrevo = &secretKind{"Brevo (Sendinblue) API key", SeverityHigh, true,
		adviceFix("Delete the key in Brevo (SMTP & API → API keys) and send mail from your server.")}
	kindOpenAI = &secretKind{"OpenAI API key", SeverityCritical, true,
		adviceFix("Revoke the key at platform.openai.com/api-keys and call the API from your server; anyone with it runs up your bill.")}
	kindAnthropic = &secretKind{"Anthropic API key", SeverityCritical, true,
		adviceFix("Revoke the key in the Anthropic Console (API keys) and call the API from your server; anyone with it runs up your bill.")}
	kindNPM = &secretKind{"npm access token", SeverityCritical, true,
		adviceFix("Revoke the token (npm token revoke, or npmjs.com → Access Tokens) and check your packages' recent versions.")}
	kindPyPI = &secretKind{"PyPI upload token", SeverityCritical, true,
		adviceFix("Revoke the token on pypi.org (Account settings → API tokens) and check your projects' recent releases.")}
	kindShopify = &secretKind{"Shopify access token", SeverityCritical, true,
		adviceFix("Rotate the token or secret in the Shopify admin (Apps → Develop apps → API credentials) and call the Admin API only from your server.")}
	kindSquare = &secretKind{"Square access token", SeverityCritical, true,
		adviceFix("Revoke the token in the Square Developer Dashboard and call the API only from your server.")}
	kindDigitalOcean = &secretKind{"DigitalOcean token", SeverityCritical, true,
		adviceFix("Delete the token in the DigitalOcean control panel (API → Tokens) and review the account's security history.")}
	kindTelegram = &secretKind{"Telegram bot token", SeverityHigh, true,
		adviceFix("Revoke the token with @BotFather (/revoke) and keep the new one on your server.")}
)

// secretKinds lists every kind, so their fix texts are rendered once
// (fixTexts).
var secretKinds = []*secretKind{kindAWSKeyID, kindAWSSecret, kindStripe, kindStripeTest, kindGitHub, kindGitLab,
	kindSlack, kindSlackHook, kindTeamsHook, kindPrivateKey, kindGoogle, kindJWTPrivileged, kindJWTPublic,
	kindSendGrid, kindMailgun, kindBrevo, kindOpenAI, kindAnthropic, kindNPM, kindPyPI, kindShopify, kindSquare,
	kindDigitalOcean, kindTelegram}

// secretRuleUse names a rule we use, what it reports, and, where gitleaks'
// keywords are looser than the rule's regex, the case-sensitive literals
// that every match contains (a keyword like "ey" or "sg." is in most pages,
// so the regex would run everywhere). judge, when set, decides the kind of
// a match or rejects it (nil); kind is then the worst it can decide, which
// orders the rules (the most severe are looked for first).
type secretRuleUse struct {
	kind    *secretKind
	anchors []string
	judge   func(secret string) *secretKind
}

// secretRuleUses are the rules relevant to a public web page. Rules whose
// only anchor is a common word (generic-api-key and the "service name near a
// random string" rules) are left out: on web pages they find CSS hashes and
// minified identifiers far more often than credentials.
var secretRuleUses = map[string]secretRuleUse{
	// Cloud. Every AWS key ID starts with one of these upper-case prefixes
	// (the regex is case-sensitive); the secret key is our rule
	// (palisade.toml), found by the spellings of its setting's name.
	"aws-access-token":      {kind: kindAWSKeyID, anchors: []string{"A3T", "AKIA", "ASIA", "ABIA", "ACCA"}},
	"aws-secret-access-key": {kind: kindAWSSecret, anchors: []string{"secretAccessKey", "SecretAccessKey", "secret_access_key", "SECRET_ACCESS_KEY", "aws_secret", "AWS_SECRET", "awsSecret", "AwsSecret"}},
	// The regex is case-sensitive: every key starts with "AIza".
	"gcp-api-key":                {kind: kindGoogle, anchors: []string{"AIza"}},
	"digitalocean-pat":           {kind: kindDigitalOcean, anchors: []string{"dop_v1_"}},
	"digitalocean-access-token":  {kind: kindDigitalOcean, anchors: []string{"doo_v1_"}},
	"digitalocean-refresh-token": {kind: kindDigitalOcean},
	"openai-api-key":             {kind: kindOpenAI, anchors: []string{"T3BlbkFJ"}},
	"anthropic-api-key":          {kind: kindAnthropic, anchors: []string{"sk-ant-api03"}},

	// Payment and commerce. Stripe's regex is case-sensitive.
	"stripe-access-token":              {kind: kindStripe, judge: judgeStripe, anchors: []string{"sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"}},
	"square-access-token":              {kind: kindSquare, anchors: []string{"EAAA", "sq0atp-"}},
	"shopify-access-token":             {kind: kindShopify, anchors: []string{"shpat_"}},
	"shopify-custom-access-token":      {kind: kindShopify, anchors: []string{"shpca_"}},
	"shopify-private-app-access-token": {kind: kindShopify, anchors: []string{"shppa_"}},
	"shopify-shared-secret":            {kind: kindShopify, anchors: []string{"shpss_"}},

	// Source hosting and package registries: the regexes are
	// case-sensitive, so are their prefixes.
	"github-pat":                         {kind: kindGitHub, anchors: []string{"ghp_"}},
	"github-oauth":                       {kind: kindGitHub, anchors: []string{"gho_"}},
	"github-app-token":                   {kind: kindGitHub, anchors: []string{"ghu_", "ghs_"}},
	"github-refresh-token":               {kind: kindGitHub, anchors: []string{"ghr_"}},
	"github-fine-grained-pat":            {kind: kindGitHub, anchors: []string{"github_pat_"}},
	"gitlab-pat":                         {kind: kindGitLab, anchors: []string{"glpat-"}},
	"gitlab-pat-routable":                {kind: kindGitLab, anchors: []string{"glpat-"}},
	"gitlab-ptt":                         {kind: kindGitLab, anchors: []string{"glptt-"}},
	"gitlab-deploy-token":                {kind: kindGitLab, anchors: []string{"gldt-"}},
	"gitlab-rrt":                         {kind: kindGitLab, anchors: []string{"GR1348941"}},
	"gitlab-runner-authentication-token": {kind: kindGitLab, anchors: []string{"glrt-"}},
	"gitlab-runner-authentication-token-routable": {kind: kindGitLab, anchors: []string{"glrt-"}},
	"gitlab-oauth-app-secret":                     {kind: kindGitLab, anchors: []string{"gloas-"}},
	"gitlab-scim-token":                           {kind: kindGitLab, anchors: []string{"glsoat-"}},
	"gitlab-cicd-job-token":                       {kind: kindGitLab, anchors: []string{"glcbt-"}},
	"gitlab-kubernetes-agent-token":               {kind: kindGitLab, anchors: []string{"glagent-"}},
	"npm-access-token":                            {kind: kindNPM},
	"pypi-upload-token":                           {kind: kindPyPI, anchors: []string{"pypi-AgEIcHlwaS5vcmc"}},

	// Chat. Where the regex is case-sensitive the anchor includes the
	// dash that follows the prefix.
	"slack-bot-token":              {kind: kindSlack, anchors: []string{"xoxb-"}},
	"slack-user-token":             {kind: kindSlack, anchors: []string{"xoxp-", "xoxe-"}},
	"slack-app-token":              {kind: kindSlack, anchors: []string{"xapp-"}}, // (?i), but Slack issues them in lower case
	"slack-legacy-bot-token":       {kind: kindSlack, anchors: []string{"xoxb-"}},
	"slack-legacy-token":           {kind: kindSlack, anchors: []string{"xoxo-", "xoxs-"}},
	"slack-legacy-workspace-token": {kind: kindSlack, anchors: []string{"xoxa-", "xoxr-"}},
	"slack-config-access-token":    {kind: kindSlack},
	"slack-config-refresh-token":   {kind: kindSlack},
	"slack-webhook-url":            {kind: kindSlackHook, anchors: []string{"hooks.slack.com"}},
	"microsoft-teams-webhook":      {kind: kindTeamsHook, anchors: []string{"webhookb2/"}},
	"telegram-bot-api-token":       {kind: kindTelegram},

	// Mail. "SG." is case-sensitive in the regex; "sg." alone is in every
	// "msg.".
	"sendgrid-api-token":        {kind: kindSendGrid, anchors: []string{"SG."}},
	"mailgun-private-api-token": {kind: kindMailgun},
	"sendinblue-api-token":      {kind: kindBrevo, anchors: []string{"xkeysib-"}},

	// Keys and tokens. A JWT's header is JSON, so its base64url starts
	// with "eyJ" ({"); the payload decides the kind.
	"private-key": {kind: kindPrivateKey, judge: judgePrivateKey},
	"jwt":         {kind: kindJWTPrivileged, anchors: []string{"eyJ"}, judge: judgeJWT},
}

// judgeStripe: a test-mode key moves no money; it is reported, without
// points, so it can be rolled.
func judgeStripe(secret string) *secretKind {
	if strings.Contains(secret, "_test_") {
		return kindStripeTest
	}
	return kindStripe
}

// judgePrivateKey keeps a block only when what lies between its BEGIN and
// END lines is key material: base64 (optionally in a JavaScript string with
// \n escapes, after RFC 1421 header lines such as Proc-Type) of high
// entropy. Libraries that build PEM text hold both lines with code between.
func judgePrivateKey(secret string) *secretKind {
	_, rest, ok := strings.Cut(secret[len("-----BEGIN"):], "-----")
	if !ok {
		return nil
	}
	end := strings.LastIndex(rest, "-----END")
	if end < 0 {
		return nil
	}
	rest = strings.NewReplacer(`\r`, "\n", `\n`, "\n").Replace(rest[:end])
	var b strings.Builder
	for _, line := range strings.Split(rest, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") {
			continue // Proc-Type:, DEK-Info:, Comment:
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
				b.WriteByte(c)
			case c == ' ' || c == '\t' || c == '\r':
			default:
				return nil
			}
		}
	}
	if b.Len() < 64 || shannonEntropy(b.String()) < 4 {
		return nil
	}
	return kindPrivateKey
}

// judgeJWT reports a JWT by what its payload grants: a "role" (or "roles")
// naming a service or admin role (Supabase's service_role key bypasses Row
// Level Security) is a live secret; any other role (Supabase's anon key)
// is public by design and reported for information; a token without a role
// claim, or that does not decode as a JWT, is not reported.
func judgeJWT(secret string) *secretKind {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 {
		return nil
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if !decodeJWTPart(parts[0], &header) || header.Alg == "" {
		return nil
	}
	var payload struct {
		Role  any `json:"role"`
		Roles any `json:"roles"`
	}
	if !decodeJWTPart(parts[1], &payload) {
		return nil
	}
	var roles []string
	for _, v := range []any{payload.Role, payload.Roles} {
		switch v := v.(type) {
		case string:
			roles = append(roles, v)
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					roles = append(roles, s)
				}
			}
		}
	}
	if len(roles) == 0 {
		return nil
	}
	for _, r := range roles {
		r = strings.ToLower(r)
		if strings.Contains(r, "service") || strings.Contains(r, "admin") || r == "superuser" || r == "root" {
			if parts[2] == "" || strings.EqualFold(header.Alg, "none") {
				return nil // unsigned: grants nothing
			}
			return kindJWTPrivileged
		}
	}
	return kindJWTPublic
}

func decodeJWTPart(s string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}
