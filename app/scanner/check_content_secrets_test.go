package scanner

import (
	"strings"
	"testing"
)

// TestCheckContentSecrets finds live-looking credentials in pages and
// same-origin scripts, redacts them, caps the grade at C, reports test and
// public keys without points, ignores documentation placeholders, and never
// passes silently over what it did not read. Test keys are generated at run
// time (tok) so the source holds no credential-shaped literal.
func TestCheckContentSecrets(t *testing.T) {
	aws := "AKIA" + tok(101, alUpper+"234567", 16)
	stripe := "sk_" + "live_" + tok(102, alAlnum, 26)
	stripeTest := "sk_" + "test_" + tok(103, alAlnum, 26)
	ghp := "ghp_" + tok(104, alAlnum, 36)
	slack := "xoxb-" + tok(105, alDigits, 10) + "-" + tok(106, alDigits, 10) + "-" + tok(107, alAlnum, 24)
	gkey := "AIza" + tok(108, alAlnum, 34) + "-"
	service := jwtOf(`{"iss":"supabase","role":"service_role"}`, tok(109, alAlnum, 43))
	anon := jwtOf(`{"iss":"supabase","role":"anon"}`, tok(110, alAlnum, 43))
	pem := pemBlock("RSA ", 111)
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	cut := func(body string) *Evidence {
		return ckWith(ckPage(body), func(ev *Evidence) {
			ev.Coverage = &Coverage{PagesCrawled: 25, PagesDiscovered: 34, PageLimit: 25}
		})
	}
	red := func(s string) string { return s[:4] + "…" + s[len(s)-2:] }
	runCheckCases(t, []checkCase{
		{name: "clean", id: idContentSecrets, ev: p(`<script>var stripe = Stripe("pk_live_abc");</script>`), want: StatusPass, score: 1},
		{name: "aws key", id: idContentSecrets, ev: p(`<script>var k="` + aws + `";</script>`), want: StatusFail, value: red(aws), score: 0, cap: "C", find: "aws iam update-access-key"},
		{name: "stripe secret redacted", id: idContentSecrets, ev: p(`<script>const s='` + stripe + `'</script>`), want: StatusFail, value: "Stripe secret key " + red(stripe), score: 0, cap: "C"},
		{name: "github token", id: idContentSecrets, ev: p(`<!-- token ` + ghp + ` -->`), want: StatusFail, value: red(ghp), score: 0, cap: "C"},
		{name: "slack token", id: idContentSecrets, ev: p(`<script>post("` + slack + `")</script>`), want: StatusFail, value: red(slack), score: 0, cap: "C"},
		{name: "private key", id: idContentSecrets, ev: p(`<pre>` + pem + `</pre>`), want: StatusFail, value: "Private key", score: 0, cap: "C", find: "key material redacted"},
		{name: "supabase service role", id: idContentSecrets, ev: p(`<script>createClient(u,"` + service + `")</script>`), want: StatusFail, value: "privileged JWT", score: 0, cap: "C", find: "Row Level Security"},
		{name: "google browser key warns only", id: idContentSecrets, ev: p(`<script src="https://maps.googleapis.com/maps/api/js?key=` + gkey + `"></script>`), want: StatusWarn, value: red(gkey), score: 0.5, find: "HTTP referrers"},
		{name: "stripe test key is information", id: idContentSecrets, ev: p(`<script>Stripe('` + stripeTest + `')</script>`), want: StatusInfo, value: "Stripe test-mode key", score: 1},
		{name: "supabase anon key is information", id: idContentSecrets, ev: p(`<script>createClient(u,"` + anon + `")</script>`), want: StatusInfo, value: "public JWT", score: 1, find: "Row Level Security"},
		{name: "in same-origin script", id: idContentSecrets, ev: ckWith(ckPage("<p>hi</p>"), func(ev *Evidence) {
			ev.Scripts = map[string]*Response{"https://example.com/static/app.js": ckResp("https://example.com/static/app.js", 200, `var c={k:"`+aws+`"}`)}
		}), want: StatusFail, score: 0, cap: "C", find: "static/app.js"},
		{name: "aws doc placeholder", id: idContentSecrets, ev: p(`<code>AKIAIOSFODNN7EXAMPLE</code>`), want: StatusPass, score: 1},
		{name: "stripe placeholder", id: idContentSecrets, ev: p(`<code>sk_live_xxxxxxxxxxxxxxxxxxxxxxxx</code>`), want: StatusPass, score: 1},
		{name: "pem header in a library", id: idContentSecrets, ev: p(`<script>var h="-----BEGIN RSA PRIVATE KEY-----\r\n"+b64(k)</script>`), want: StatusPass, score: 1},
		{name: "crawl cut short", id: idContentSecrets, ev: cut(`<p>shop</p>`), want: StatusPass, value: "not all of the site was read", score: 1},
		{name: "page missing", id: idContentSecrets, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})

	// A pass over a crawl cut at its limit says what was not read.
	if out := checkContentSecrets.Evaluate(cut(`<p>shop</p>`)); !strings.Contains(out.Description, "25 of 34 pages") {
		t.Errorf("description %q does not name the crawl limit", out.Description)
	}
	// The live credential decides the verdict when public keys are found too.
	if out := checkContentSecrets.Evaluate(p(gkey + " " + anon + " " + stripe)); out.Status != StatusFail || out.Cap != "C" || len(out.Findings) != 3 {
		t.Errorf("mixed: %s cap %q %d findings", out.Status, out.Cap, len(out.Findings))
	}
	// One secret on two pages is one finding.
	two := ckWith(ckPage(aws), func(ev *Evidence) {
		ev.Pages = append(ev.Pages, ckResp("https://example.com/about", 200, "<p>"+aws+"</p>"))
	})
	if out := checkContentSecrets.Evaluate(two); len(out.Findings) != 1 {
		t.Errorf("one key on two pages: %d findings", len(out.Findings))
	}
	// The redacted value must never contain the secret.
	out := checkContentSecrets.Evaluate(p(stripe + " " + ghp + " " + aws + " " + service))
	for _, s := range []string{stripe, ghp, aws, service} {
		if strings.Contains(out.Value, s[:6]) || strings.Contains(out.Description, s[:6]) {
			t.Errorf("secret %q leaked in value/description", s[:3])
		}
		for _, f := range out.Findings {
			if strings.Contains(f.Evidence+f.Description+f.Title, s[:6]) {
				t.Errorf("secret %q leaked in finding", s[:3])
			}
		}
	}
}
