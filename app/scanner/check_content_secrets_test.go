package scanner

import (
	"strings"
	"testing"
)

// TestCheckContentSecrets finds live-looking credentials in pages and
// same-origin scripts, redacts them, caps the grade at C, and ignores
// documentation placeholders. Test keys are assembled at run time so the
// source holds no credential-shaped literal.
func TestCheckContentSecrets(t *testing.T) {
	aws := "AKIA" + "Q3WJ5ZP7RT2XL9MB"
	stripe := "sk_" + "live_" + "51Hx9aKQ2mZp7Rt3Vw8Yb4Nc6Dd"
	ghp := "ghp_" + "R7tY2kLm9Qw3Ez5Xc8Vb1Nn4Mp6As0Df2Gh7J"
	slack := "xox" + "b-2048123456-4096123456-aZ9bY8cX7dW6eV5fU4gT3hS2"
	gkey := "AI" + "zaSyD3k9Lm2Np8Qr4St6Uv1Wx5Yz7Ab0Cd-Ef"
	pem := "-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("MIIEowIBAAKCAQEAx7Y9kLm2Np8Qr4St6Uv1Wx5Yz7Ab0CdEfGh\n", 3) + "-----END RSA PRIVATE KEY-----"
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	runCheckCases(t, []checkCase{
		{name: "clean", id: idContentSecrets, ev: p(`<script>var stripe = Stripe("pk_live_abc");</script>`), want: StatusPass, score: 1},
		{name: "aws key", id: idContentSecrets, ev: p(`<script>var k="` + aws + `";</script>`), want: StatusFail, value: "AKIA…L9MB", score: 0, cap: "C", find: "aws iam update-access-key"},
		{name: "stripe secret redacted", id: idContentSecrets, ev: p(`<script>const s='` + stripe + `'</script>`), want: StatusFail, value: "sk_live_…" + stripe[len(stripe)-4:], score: 0, cap: "C"},
		{name: "github token", id: idContentSecrets, ev: p(`<!-- token ` + ghp + ` -->`), want: StatusFail, value: "ghp_…", score: 0, cap: "C"},
		{name: "slack token", id: idContentSecrets, ev: p(`<script>post("` + slack + `")</script>`), want: StatusFail, value: "xoxb-…", score: 0, cap: "C"},
		{name: "private key", id: idContentSecrets, ev: p(`<pre>` + pem + `</pre>`), want: StatusFail, value: "Private key", score: 0, cap: "C", find: "key material redacted"},
		{name: "google browser key warns only", id: idContentSecrets, ev: p(`<script src="https://maps.googleapis.com/maps/api/js?key=` + gkey + `"></script>`), want: StatusWarn, value: "AIza…", score: 0.5, find: "HTTP referrers"},
		{name: "in same-origin script", id: idContentSecrets, ev: ckWith(ckPage("<p>hi</p>"), func(ev *Evidence) {
			ev.Scripts = map[string]*Response{"https://example.com/static/app.js": ckResp("https://example.com/static/app.js", 200, `var c={k:"`+aws+`"}`)}
		}), want: StatusFail, score: 0, cap: "C", find: "static/app.js"},
		{name: "aws doc placeholder", id: idContentSecrets, ev: p(`<code>AKIAIOSFODNN7EXAMPLE</code>`), want: StatusPass, score: 1},
		{name: "stripe placeholder", id: idContentSecrets, ev: p(`<code>sk_live_xxxxxxxxxxxxxxxxxxxxxxxx</code>`), want: StatusPass, score: 1},
		{name: "pem header in a library", id: idContentSecrets, ev: p(`<script>var h="-----BEGIN RSA PRIVATE KEY-----\r\n"+b64(k)</script>`), want: StatusPass, score: 1},
		{name: "page missing", id: idContentSecrets, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
	// The redacted value must never contain the secret.
	out := checkContentSecrets.Evaluate(p(stripe + " " + ghp + " " + aws))
	for _, s := range []string{stripe, ghp, aws} {
		if strings.Contains(out.Value, s) || strings.Contains(out.Description, s) {
			t.Errorf("secret %q leaked in value/description", s[:6])
		}
		for _, f := range out.Findings {
			if strings.Contains(f.Evidence+f.Description+f.Title, s) {
				t.Errorf("secret %q leaked in finding", s[:6])
			}
		}
	}
}
