package scanner

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/BurntSushi/toml"
)

// Test secrets are generated at run time from a seeded generator, so the
// source holds no credential-shaped literal and every one has the entropy of
// a real key.
const (
	alUpper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alLower  = "abcdefghijklmnopqrstuvwxyz"
	alDigits = "0123456789"
	alAlnum  = alUpper + alLower + alDigits
	alHex    = "0123456789abcdef"
	alB64    = alAlnum + "+/"
)

func tok(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, seed*7919+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func jwtOf(payload string, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "." + sig
}

func pemBlock(kind string, seed uint64) string {
	var b strings.Builder
	b.WriteString("-----BEGIN " + kind + "PRIVATE KEY-----\n")
	for i := range 6 {
		b.WriteString(tok(seed+uint64(i), alB64, 64) + "\n")
	}
	b.WriteString("-----END " + kind + "PRIVATE KEY-----")
	return b.String()
}

// TestSecretEngineBuilds: the embedded rule files parse, every rule we name
// is in them, and every anchor we substitute for gitleaks' keywords is one
// of that rule's keywords in its regex's case (never a looser prefilter).
func TestSecretEngineBuilds(t *testing.T) {
	e, err := secretEngineOnce()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.rules) != len(secretRuleUses) {
		t.Fatalf("%d rules compiled, %d named", len(e.rules), len(secretRuleUses))
	}
	kw := map[string][]string{}
	for _, f := range []string{"data/gitleaks/gitleaks.toml", "data/gitleaks/palisade.toml"} {
		var cfg glConfig
		data, _ := secretRuleFiles.ReadFile(f)
		if _, err := toml.Decode(string(data), &cfg); err != nil {
			t.Fatal(err)
		}
		for _, r := range cfg.Rules {
			kw[r.ID] = r.Keywords
		}
	}
	for id, use := range secretRuleUses {
		for _, a := range use.anchors {
			ok := false
			for _, k := range kw[id] {
				if strings.Contains(strings.ToLower(a), strings.ToLower(k)) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: anchor %q contains none of gitleaks' keywords %q", id, a, kw[id])
			}
		}
		if use.kind == nil || use.kind.fix == nil || use.kind.fix.Advice == "" || !slices.Contains(secretKinds, use.kind) {
			t.Errorf("%s: kind without advice or not listed in secretKinds", id)
		}
	}
	if _, err := buildSecretEngine(secretRuleFiles, "data/gitleaks/missing.toml"); err == nil {
		t.Error("a missing rule file builds")
	}
}

// TestSecretsOfKinds: per kind, a true positive (found, with its kind, and
// redacted to at most 4 + 2 characters) and decoys that must not be
// reported: documentation examples, placeholders, look-alikes.
func TestSecretsOfKinds(t *testing.T) {
	aws := "AKIA" + tok(1, alUpper+"234567", 16)
	awsSecret := tok(2, alB64, 40)
	stripe := "sk_" + "live_" + tok(3, alAlnum, 24)
	stripeTest := "sk_" + "test_" + tok(4, alAlnum, 24)
	ghp := "ghp_" + tok(5, alAlnum, 36)
	ghFine := "github_pat_" + tok(6, alAlnum+"_", 82)
	glpat := "glpat-" + tok(7, alAlnum, 20)
	slack := "xoxb-" + tok(8, alDigits, 12) + "-" + tok(9, alDigits, 12) + "-" + tok(10, alAlnum, 24)
	hook := "https://hooks.slack.com/services/T" + tok(11, alUpper+alDigits, 8) + "/B" + tok(12, alUpper+alDigits, 8) + "/" + tok(13, alAlnum, 24)
	gkey := "AIza" + tok(14, alAlnum+"_", 34) + "-"
	sendgrid := "SG." + tok(15, alAlnum, 22) + "." + tok(16, alAlnum, 43)
	openai := "sk-" + tok(17, alAlnum, 20) + "T3BlbkFJ" + tok(18, alAlnum, 20)
	npm := "npm_" + tok(19, alLower+alDigits, 36)
	shopify := "shpat_" + tok(20, alHex, 32)
	telegram := tok(21, alDigits, 10) + ":A" + tok(22, alAlnum, 34)
	doToken := "dop_v1_" + tok(23, alHex, 64)
	square := "EAAA" + tok(24, alAlnum, 60)
	service := jwtOf(`{"iss":"supabase","ref":"qwhzbmtgaxkrjvoeplsn","role":"service_role","iat":1700000000,"exp":2000000000}`, tok(25, alAlnum+"_-", 43))
	anon := jwtOf(`{"iss":"supabase","ref":"qwhzbmtgaxkrjvoeplsn","role":"anon","iat":1700000000,"exp":2000000000}`, tok(26, alAlnum+"_-", 43))
	jwtNoRole := jwtOf(`{"sub":"1234567890","name":"John Doe","iat":1516239022}`, tok(27, alAlnum+"_-", 43))
	pem := pemBlock("RSA ", 30)
	pemJS := `var k="` + strings.ReplaceAll(pemBlock("", 40), "\n", `\n`) + `";`

	cases := []struct {
		name, body string
		kind       string // "" = nothing reported
		secret     string // the secret, for the redaction check
	}{
		{"aws key id", `<script>var k="` + aws + `";</script>`, "AWS access key ID", aws},
		{"aws doc example", `<code>AKIAIOSFODNN7EXAMPLE</code>`, "", ""},
		{"aws low entropy", `<code>AKIAAAAAAAAAAAAAAAAA</code>`, "", ""},
		{"aws key id inside a longer word", `<p>XAKIA` + aws[4:] + `</p>`, "", ""},
		{"aws secret with its setting", `aws_secret_access_key = ` + awsSecret + "\n", "AWS secret access key", awsSecret},
		{"aws secret in an SDK config", `new AWS.Config({accessKeyId:"x",secretAccessKey:"` + awsSecret + `"})`, "AWS secret access key", awsSecret},
		{"aws secret doc example", `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, "", ""},
		{"40 base64 characters without a setting", `<img src="data:image/png;base64,` + awsSecret + `">`, "", ""},
		{"stripe live", `Stripe("` + stripe + `")`, "Stripe secret key", stripe},
		{"stripe test key is information", `Stripe("` + stripeTest + `")`, "Stripe test-mode key", stripeTest},
		{"stripe placeholder", `<code>sk_live_xxxxxxxxxxxxxxxxxxxxxxxx</code>`, "", ""},
		{"stripe your-key", `<code>sk_live_YOUR_SECRET_KEY_HERE_123</code>`, "", ""},
		{"stripe publishable key", `Stripe("pk_live_` + stripe[8:] + `")`, "", ""},
		{"github pat", `<!-- ` + ghp + ` -->`, "GitHub token", ghp},
		{"github fine-grained", `t="` + ghFine + `"`, "GitHub token", ghFine},
		{"github placeholder", `t="ghp_` + strings.Repeat("x", 36) + `"`, "", ""},
		{"gitlab pat", `t='` + glpat + `'`, "GitLab token", glpat},
		{"gitlab placeholder", `t='glpat-xxxxxxxxxxxxxxxxxxxx'`, "", ""},
		{"slack bot", `post("` + slack + `")`, "Slack token", slack},
		{"slack webhook", `fetch("` + hook + `")`, "Slack incoming webhook", hook},
		{"private key", `<pre>` + pem + `</pre>`, "Private key", pem},
		{"private key in a JS string", pemJS, "Private key", ""},
		{"pem header in a library", `var h="-----BEGIN RSA PRIVATE KEY-----\r\n"+b64(k)`, "", ""},
		{"pem builder with code between", `function pem(k){return "-----BEGIN PRIVATE KEY-----\n"+chunk(base64(k.der),64).join("\n")+"\n-----END PRIVATE KEY-----"}`, "", ""},
		{"google key ending in -", `<script src="https://maps.googleapis.com/maps/api/js?key=` + gkey + `"></script>`, "Google API key", gkey},
		{"google key allowlisted by gitleaks", `k="AIzaSyabcdefghijklmnopqrstuvwxyz1234567"`, "", ""},
		{"jwt service role", `createClient(url,"` + service + `")`, "privileged JWT", service},
		{"jwt anon is information", `createClient(url,"` + anon + `")`, "public JWT", anon},
		{"jwt without a role", `t="` + jwtNoRole + `"`, "", ""},
		{"eyJ text that is no JWT", `x="eyJ` + tok(28, alAlnum, 30) + `.eyJ` + tok(29, alAlnum, 30) + `.` + tok(31, alAlnum, 20) + `"`, "", ""},
		{"sendgrid", `k="` + sendgrid + `"`, "SendGrid API key", sendgrid},
		{"sendgrid look-alike msg.", `if(msg.length>0){msg.send(msg.body)}`, "", ""},
		{"openai", `k="` + openai + `"`, "OpenAI API key", openai},
		{"npm", `//registry.npmjs.org/:_authToken=` + npm + "\n", "npm access token", npm},
		{"shopify", `k="` + shopify + `"`, "Shopify access token", shopify},
		{"telegram", `telegram_bot_token = "` + telegram + `"`, "Telegram bot token", telegram},
		{"digitalocean", `k="` + doToken + `"`, "DigitalOcean token", doToken},
		{"square", `k="` + square + `"`, "Square access token", square},
		{"EAAA near the end of an inline image", `<img src="data:image/png;base64,iVBORw0KGgo+EAAA` + tok(32, alAlnum, 30) + `">`, "", ""},
		{"square token right after an image", `<img src="data:image/png;base64,iVBORw0KGgo="><script>k="` + square + `"</script>`, "Square access token", square},
		{"css hashes", `.a1b2c3d4e5f6a7b8c9d0e1f2{color:red}.css-1x2y3z4w5v6u7t8s9r0q{margin:0}`, "", ""},
		{"uuid and identifiers", `{"id":"3f1c9a7e-8b2d-4c6f-9e1a-0d5b7c3e2f4a",key:e.apiKey||t.accessToken,SK:__webpack_require__}`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits := secretsOf(&Response{URL: "https://example.com/", Body: []byte(c.body)})
			if c.kind == "" {
				if len(hits) > 0 {
					t.Fatalf("reported %s %s", hits[0].Kind, hits[0].Redacted)
				}
				return
			}
			if len(hits) != 1 || hits[0].Kind != c.kind {
				var got []string
				for _, h := range hits {
					got = append(got, h.Kind)
				}
				t.Fatalf("got %q, want one %s", got, c.kind)
			}
			red := hits[0].Redacted
			if c.secret != "" && !strings.HasPrefix(c.secret, "-----") && !strings.HasPrefix(c.secret, "https://") {
				if want := c.secret[:4] + "…" + c.secret[len(c.secret)-2:]; red != want {
					t.Errorf("redacted %q, want %q", red, want)
				}
			}
			if c.secret != "" && strings.Contains(red, c.secret[min(len(c.secret), 40):]) && len(c.secret) > 40 {
				t.Errorf("redaction %q shows the secret", red)
			}
		})
	}
}

// TestRedactSecret: never more than the first 4 and last 2 characters; a
// private key shows its BEGIN line only, a webhook its host.
func TestRedactSecret(t *testing.T) {
	for in, want := range map[string]string{
		"sk_live_" + "4eC39HqLyjWDarjtT1zdp7dcXy": "sk_l…Xy",
		"short1234": "sh…",
		"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----": "-----BEGIN EC PRIVATE KEY----- (key material redacted)",
		"https://hooks.slack.com/services/T00/B00/" + "XXXXabcdefgh1234ZZ":         "https://hooks.slack.com/…ZZ",
	} {
		if got := redactSecret(in); got != want {
			t.Errorf("redactSecret(%.12q…) = %q, want %q", in, got, want)
		}
	}
}

// TestSecretsOfRealisticPage: the ~300 KB benchmark page (HTML, CSS with
// hashed class names, base64 images, minified script with UUIDs and key /
// token identifiers) has no credential; the same page with secrets appended
// at its very end has each of them, so the prefilter misses nothing at the
// end of a body.
func TestSecretsOfRealisticPage(t *testing.T) {
	page := realisticPage()
	if hits := secretsOf(&Response{Body: page}); len(hits) > 0 {
		t.Fatalf("decoy page: reported %s %s", hits[0].Kind, hits[0].Redacted)
	}
	aws := "AKIA" + tok(51, alUpper+"234567", 16)
	gkey := "AIza" + tok(52, alAlnum, 34) + "-"
	body := slices.Concat(page, []byte(`<script>k="`+aws+`";m="`+gkey+`"</script>`))
	hits := secretsOf(&Response{Body: body})
	var kinds []string
	for _, h := range hits {
		kinds = append(kinds, h.Kind)
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"AWS access key ID", "Google API key"}) {
		t.Fatalf("got %q", kinds)
	}
}

// realisticPage builds a ~300 KB page the way sites are: markup and text,
// a stylesheet of hashed class names, inline base64 images, share links and
// service names (the keywords of gitleaks' context rules), and a minified
// bundle full of identifiers, hex hashes, UUIDs and the words key, token,
// secret and api.
func realisticPage() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	hex := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alHex[r.IntN(16)]
		}
		return string(b)
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop – Home</title><style>`)
	for b.Len() < 50_000 {
		fmt.Fprintf(&b, ".css-%s{display:flex;margin:0 %dpx;color:#%s}.sc-%s:hover{opacity:.%d}", hex(8), r.IntN(40), hex(6), hex(10), r.IntN(10))
	}
	b.WriteString(`</style></head><body><header><nav>`)
	for b.Len() < 140_000 {
		fmt.Fprintf(&b, `<div class="card css-%s" data-id="%s-%s-4%s-a%s-%s"><a href="/products/%d?ref=home&amp;utm_source=news">Product %d</a>`+
			`<img alt="" src="data:image/png;base64,%s"><p>Our API keeps your key and token safe; read the secret sauce blog.</p></div>`,
			hex(8), hex(8), hex(4), hex(3), hex(3), hex(12), r.IntN(1e5), r.IntN(1e4), tok(r.Uint64(), alB64, 120))
	}
	b.WriteString(`</nav></header><ul class="share">`)
	for i := range 20 {
		fmt.Fprintf(&b, `<li><a href="https://t.me/share/url?url=https%%3A%%2F%%2Fshop.example%%2Fp%%2F%d">Share on Telegram</a> · <a href="/blog/mailgun-vs-sendgrid">Mailgun or SendGrid?</a> · <a href="/docs/aws">AWS, Stripe and GitHub integrations</a></li>`, i)
	}
	b.WriteString(`</ul><script>`)
	for b.Len() < 300_000 {
		fmt.Fprintf(&b, `var a%d=function(e,t){return e.key===t?"%s":n.apiUrl+"/v1/token?h=%s"},o%d={secretKey:null,accessToken:e.token||"",hash:"%s"};`,
			r.IntN(1e6), hex(32), hex(40), r.IntN(1e6), hex(64))
	}
	b.WriteString(`</script></body></html>`)
	return []byte(b.String())
}

// BenchmarkSecretsOf: the secrets check's cost on a realistic ~300 KB main
// page (docs/BENCHMARKS.md, "Scanner"). A fresh Response per iteration, so
// the memo does not hide the scan.
func BenchmarkSecretsOf(b *testing.B) {
	page := realisticPage()
	secretRules()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	cpu0 := secretsCPU()
	for b.Loop() {
		if hits := secretsOf(&Response{Body: page}); len(hits) != 0 {
			b.Fatal("decoy page has secrets")
		}
	}
	// Wall time on a shared machine includes waiting for a core; the
	// process's CPU time per scan is the figure that compares.
	b.ReportMetric(float64(secretsCPU()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}

// secretsCPU is the user+system CPU time of this process, in nanoseconds.
func secretsCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestSecretsOfHostileBody: a body stuffed with anchors and key-shaped
// strings is scanned in bounded work and reports at most maxSecretsPerRes
// secrets, each redacted.
func TestSecretsOfHostileBody(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(" AKIA" + tok(uint64(1000+i), alUpper+"234567", 16) + " eyJ sk_live_ ghp_ -----BEGIN xoxb- AIza")
	}
	start := secretsCPU()
	hits := secretsOf(&Response{Body: []byte(b.String())})
	cpu := secretsCPU() - start
	if len(hits) != maxSecretsPerRes {
		t.Errorf("%d hits, want the cap %d", len(hits), maxSecretsPerRes)
	}
	for _, h := range hits {
		if len(h.Redacted) > 4+len("…")+2 {
			t.Errorf("redacted %q is longer than 4+2 characters", h.Redacted)
		}
	}
	t.Logf("1 MiB hostile body: %.1f ms CPU", float64(cpu)/1e6)
}

// gitleaksReference applies the rules the way gitleaks does: a rule whose
// keyword is anywhere in the lower-cased body runs its regex over the whole
// body; the gates are the engine's. The engine must find the same secrets
// with its prefilter and windows.
func gitleaksReference(e *secretEngine, body []byte) map[string]bool {
	lower := strings.ToLower(string(body))
	out := map[string]bool{}
	for ri, r := range e.rules {
		if !slices.ContainsFunc(r.keywords, func(k string) bool { return strings.Contains(lower, strings.ToLower(k)) }) {
			continue
		}
		for _, m := range r.full.FindAllSubmatchIndex(body, -1) {
			if hit, ok := e.judge(ri, body, 0, m); ok {
				out[r.id+" "+hit.secret] = true
			}
		}
	}
	return out
}

// TestSecretsScanMatchesGitleaks: on the kind table's bodies and on random
// bodies stuffed with anchors, look-alikes and real-shaped secrets at random
// offsets and at the very start and end, the prefilter and windows
// find exactly what whole-body matching finds.
func TestSecretsScanMatchesGitleaks(t *testing.T) {
	e := secretRules()
	pieces := []string{
		"AKIA" + tok(201, alUpper+"234567", 16), "ghp_" + tok(202, alAlnum, 36), "sk_" + "live_" + tok(203, alAlnum, 24),
		"glpat-" + tok(204, alAlnum, 20), "xoxb-" + tok(205, alDigits, 11) + "-" + tok(206, alDigits, 11) + "-" + tok(207, alAlnum, 20),
		"AIza" + tok(208, alAlnum, 34) + "-", "SG." + tok(209, alAlnum, 22) + "." + tok(210, alAlnum, 43),
		jwtOf(`{"role":"service_role"}`, tok(211, alAlnum, 43)), pemBlock("EC ", 212),
		`aws_secret_access_key="` + tok(213, alB64, 40) + `"`, "https://hooks.slack.com/services/T" + tok(214, alUpper, 8) + "/B" + tok(215, alUpper, 8) + "/" + tok(216, alAlnum, 24),
		"AKIA", "ghp_", "eyJ", "-----BEGIN", "xoxb-", "SG.", "glpat-", "AIza", "sk_live_", "EAAA", "mailgun", "telegram",
		" ", "\n", `"`, "'", ";", "-", "_", ".", "/", "=",
	}
	r := rand.New(rand.NewPCG(7, 11))
	var bodies []string
	for i := range 120 {
		var b strings.Builder
		for b.Len() < 200+i*20 {
			if r.IntN(3) == 0 {
				b.WriteString(pieces[r.IntN(len(pieces))])
			} else {
				b.WriteString(tok(r.Uint64(), alAlnum+"-_./+= \"';", 1+r.IntN(12)))
			}
		}
		bodies = append(bodies, b.String())
	}
	for _, p := range pieces[:11] {
		bodies = append(bodies, p, p+bodies[0], bodies[1]+p)
	}
	found := 0
	for i, body := range bodies {
		want := gitleaksReference(e, []byte(body))
		got := map[string]bool{}
		for _, h := range e.scan([]byte(body)) {
			got[e.rules[h.rule].id+" "+h.secret] = true
		}
		found += len(got)
		for k := range want {
			if !got[k] {
				t.Errorf("body %d: missed %.40q", i, k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("body %d: found %.40q, which whole-body matching does not", i, k)
			}
		}
	}
	t.Logf("%d secrets found in %d bodies", found, len(bodies))
	if found < 100 {
		t.Errorf("only %d secrets over the random bodies: the test proves little", found)
	}
}

// TestScanFindsSecretsEndToEnd: a QUICK scan of a loopback site whose page
// publishes a Google browser key ending in '-' and a Supabase service-role
// key reports both, redacted, and the service-role key caps the grade at C;
// the same site with only the anon key is not capped.
func TestScanFindsSecretsEndToEnd(t *testing.T) {
	gkey := "AIza" + tok(301, alAlnum, 34) + "-"
	service := jwtOf(`{"iss":"supabase","ref":"qwhzbmtgaxkrjvoeplsn","role":"service_role"}`, tok(302, alAlnum, 43))
	anon := jwtOf(`{"iss":"supabase","ref":"qwhzbmtgaxkrjvoeplsn","role":"anon"}`, tok(303, alAlnum, 43))
	for _, tc := range []struct {
		name, key string
		status    Status
		cap       string
	}{
		{"service role", service, StatusFail, "C"},
		{"anon", anon, StatusWarn, ""}, // the Google key warns; the anon key is information
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<!doctype html><title>shop</title><script src="https://maps.googleapis.com/maps/api/js?key=%s"></script>`+
					`<script>const sb = createClient("https://qwhzbmtgaxkrjvoeplsn.supabase.co", "%s")</script>`, gkey, tc.key)
			}))
			defer srv.Close()
			// A passing check carries the score, so a cap has a grade to lower.
			fine := Check{ID: "headers.fine", Name: "fine", Category: "headers", Depth: Quick, Weight: 20, Needs: []EvidenceKind{NeedPage},
				Evaluate: func(*Evidence) Outcome { return outcome("headers.fine").Pass(1, "ok", "Fine.") }}
			s := newTestScanner(t, Options{}, []Check{fine, checkContentSecrets})
			res, err := s.Scan(context.Background(), srv.URL+"/", Quick, nil)
			if err != nil {
				t.Fatal(err)
			}
			cr, ok := findCheck(res, idContentSecrets)
			if !ok || cr.Status != tc.status {
				t.Fatalf("content.secrets = %+v", cr)
			}
			if !strings.Contains(cr.Value, "Google API key "+gkey[:4]+"…"+gkey[len(gkey)-2:]) {
				t.Errorf("value %q does not name the redacted Google key", cr.Value)
			}
			capped := ""
			if res.GradeCap != nil && res.GradeCap.CheckID == idContentSecrets {
				capped = res.GradeCap.Grade
			}
			if capped != tc.cap {
				t.Errorf("grade cap %+v, want %q from content.secrets", res.GradeCap, tc.cap)
			}
			for _, f := range res.Findings {
				if strings.Contains(f.Evidence+f.Description, tc.key[:10]) || strings.Contains(f.Evidence, gkey[:10]) {
					t.Errorf("finding %q shows a key", f.Title)
				}
			}
		})
	}
}
