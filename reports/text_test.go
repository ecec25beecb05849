package reports

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/palisade/palisade/app/scanner"
)

func TestWrap(t *testing.T) {
	unit := func(rune) float64 { return 1 } // every rune is 1 wide
	cases := []struct {
		name string
		in   string
		maxW float64
		want []string
	}{
		{"fits", "short line", 20, []string{"short line"}},
		{"breaks at spaces", "the quick brown fox", 10, []string{"the quick", "brown fox"}},
		{"keeps newlines and blank lines", "a\n\nb", 10, []string{"a", "", "b"}},
		{"long word hard-broken", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"url breaks after slash", "https://ex.am/ple/path", 12, []string{"https://ex.", "am/ple/path"}},
		{"header value breaks after ;", "max-age=1;includeSubDomains", 14, []string{"max-age=1;", "includeSubDoma", "ins"}},
		{"space at the overflow point", "abcd efgh", 4, []string{"abcd", "efgh"}},
		{"multibyte counted as runes", "ääää ööööö", 5, []string{"ääää", "ööööö"}},
		{"empty", "", 5, []string{""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := wrap(c.in, c.maxW, unit)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("wrap(%q, %v) = %q, want %q", c.in, c.maxW, got, c.want)
			}
		})
	}
}

// TestWrapNeverOverflows checks the invariant the layout relies on with real
// font metrics: no line is wider than the limit and no visible rune is lost.
func TestWrapNeverOverflows(t *testing.T) {
	r := newRenderer(sampleInput(0, false))
	inputs := []string{
		strings.Repeat("0123456789abcdef", 50),
		"Content-Security-Policy: " + strings.Repeat("script-src 'self' https://cdn.example.com; ", 12),
		strings.Repeat("Ελληνικά Кириллица bücher ", 30),
		strings.Repeat("W", 300) + " i " + strings.Repeat("il", 200),
	}
	for _, set := range []func(float64){r.sans, r.bold, r.mono} {
		set(9.5)
		for _, in := range inputs {
			for _, w := range []float64{20, 47.3, 140, 170} {
				lines := r.lines(in, w)
				for _, l := range lines {
					if lw := r.strW(l); lw > w+1e-9 {
						t.Fatalf("line %q is %.2fmm wide, limit %.2fmm", l, lw, w)
					}
				}
				if squash(strings.Join(lines, "")) != squash(in) {
					t.Fatalf("wrapping lost text at width %v", w)
				}
			}
		}
	}
}

func TestClean(t *testing.T) {
	cases := []struct {
		name, in, want string
		multiline      bool
	}{
		{"latin greek cyrillic kept", "bücher Ελληνικά Кириллица", "bücher Ελληνικά Кириллица", false},
		{"controls dropped", "a\x00b\x07c\x1b", "abc", false},
		{"bidi override dropped", "abc\u202Egnp.exe", "abcgnp.exe", false},
		{"newline flattened", "a\r\nb\nc", "a b c", false},
		{"newline kept", "a\r\nb\rc", "a\nb\nc", true},
		{"tab expanded", "a\tb", "a  b", false},
		{"emoji replaced", "x🔥y", "x\uFFFDy", false},
		{"cjk replaced", "火", "\uFFFD", false},
		{"invalid utf-8 replaced", "a\xffb", "a\uFFFDb", false},
	}
	for _, c := range cases {
		if got := clean(c.in, c.multiline); got != c.want {
			t.Errorf("%s: clean(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestFontCoverage(t *testing.T) {
	c := fontCoverage()
	for _, r := range "AZaz09äöüßÆΩαβγЖжЯя€—…→✓✗\u2007\uFFFD" {
		if !c.has(r) {
			t.Errorf("embedded fonts lack %q (U+%04X)", r, r)
		}
	}
	for r := rune(0x20); r < 0x7f; r++ { // clean copies printable ASCII without asking
		if !c.has(r) {
			t.Errorf("embedded fonts lack ASCII %q", r)
		}
	}
	for _, r := range []rune{'火', 0x1F525, -1, 0x110000} {
		if c.has(r) {
			t.Errorf("coverage claims %q", r)
		}
	}
	if !strings.Contains(fontLicense, "Bitstream") {
		t.Error("font licence text missing")
	}
}

// TestFontSubsets holds the embedded fonts to how fonts/README.md says they
// were made: cut to the code points the three full DejaVu fonts share, so
// the set the report can draw is the one it drew with the full fonts, and no
// font lost a character of it. (HarfBuzz also left U+27DC in the mono font; a
// code point outside the shared set is never drawn, so one is tolerated.)
func TestFontSubsets(t *testing.T) {
	const (
		wantCount = 3174
		wantSum   = "1ddd40acbc2f59fa6603d9ed68ec734264328099057695a1461a1ae0358104d9"
	)
	shared := fontCoverage()
	var rs []rune
	for r := rune(0); r < 65536; r++ {
		if shared.has(r) {
			rs = append(rs, r)
		}
	}
	if sum := fmt.Sprintf("%x", sha256.Sum256([]byte(string(rs)))); len(rs) != wantCount || sum != wantSum {
		t.Errorf("fonts cover %d code points (sha256 %s), fonts/README.md records %d (%s)", len(rs), sum, wantCount, wantSum)
	}
	for name, ttf := range map[string][]byte{"sans": fontSans, "bold": fontSansBold, "mono": fontMono} {
		c := cmapCoverage(ttf)
		for _, r := range rs {
			if !c.has(r) {
				t.Errorf("%s lacks %U of the shared set", name, r)
			}
		}
		extra := 0
		for r := rune(0); r < 65536; r++ {
			if c.has(r) && !shared.has(r) {
				extra++
			}
		}
		if extra > 1 {
			t.Errorf("%s maps %d code points outside the shared set: not cut to it", name, extra)
		}
	}
}

func TestRedact(t *testing.T) {
	cases := []struct {
		name, in string
		gone     []string // must not survive
		kept     []string // must survive
	}{
		{"stripe key", `key = "sk_live_51H8d9sKq2aXoPq9lLw0"`, []string{"51H8d9sKq2aXoPq9lLw0"}, []string{"sk_live_", redacted}},
		{"aws key id", "AKIAIOSFODNN7EXAMPLE in config", []string{"IOSFODNN7EXAMPLE"}, []string{"AKIA", "in config"}},
		{"github token", "ghp_0123456789abcdefghijABCDEFGHIJ012345", []string{"0123456789abcdefghij"}, []string{"ghp_"}},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature-123", []string{"eyJzdWIiOiIxMjM0In0", "sig_nature"}, nil},
		{"bearer", "Authorization: Bearer abcdefghijklmnop123", []string{"abcdefghijklmnop123"}, []string{"Bearer"}},
		{"password assignment", "db_password=hunter2hunter2&x=1", []string{"hunter2"}, []string{"db_password=", "&x=1"}},
		{"json secret", `{"client_secret": "s3cr3tvalue"}`, []string{"s3cr3tvalue"}, []string{"client_secret"}},
		{"url credentials", "https://admin:pa55word@example.com/", []string{"pa55word"}, []string{"admin", "@example.com"}},
		{"private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", []string{"MIIEowIBAAKCAQEA"}, []string{"PRIVATE KEY"}},
		{"harmless text untouched", "max-age=63072000; includeSubDomains", nil, []string{"max-age=63072000; includeSubDomains"}},
		{"sri hash untouched", "integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K\"", nil, []string{"oqVuAfXRKap7fdgcCY5uykM6"}},
	}
	for _, c := range cases {
		got := redact(c.in)
		for _, g := range c.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: redact(%q) = %q still contains %q", c.name, c.in, got, g)
			}
		}
		for _, k := range c.kept {
			if !strings.Contains(got, k) {
				t.Errorf("%s: redact(%q) = %q lost %q", c.name, c.in, got, k)
			}
		}
		if again := redact(got); again != got {
			t.Errorf("%s: redact is not idempotent: %q -> %q", c.name, got, again)
		}
	}
	if got := redactHeader("Set-Cookie", "sid=abc123; Path=/; Secure"); got != "sid=[redacted]; Path=/; Secure" {
		t.Errorf("redactHeader(Set-Cookie) = %q", got)
	}
}

// TestRedactQuickCheck holds redact's quick literal checks to the output of
// running every expression: a check that skipped text an expression matches
// would leave a secret in a report.
func TestRedactQuickCheck(t *testing.T) {
	inputs := []string{
		`key = "sk_live_51H8d9sKq2aXoPq9lLw0"`,
		"AKIAIOSFODNN7EXAMPLE in config",
		"xoxb-123456789012-abcdefghijkl and xoxr-abcdefghijkl",
		"SG.abcdefghijklmnop.qrstuvwx npm_abcdefghijklmnop",
		"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature-123",
		"Authorization: BEARER abcdefghijklmnop123",
		"authorization: Basic dXNlcjpwYXNzd29yZA==",
		"db_PASSWORD=hunter2hunter2&x=1",
		"PAſſWORD=hunter2hunter2",    // long s folds to s under (?i)
		"api_\u212Aey: abcdef123456", // Kelvin sign folds to k
		"\u212Aey=abcdef123456 toſen",
		"ſession_id=abcdef123456",
		`{"Client_Secret": "s3cr3tvalue", "CREDENTIALS":"abcd1234"}`,
		"https://admin:pa55word@example.com/",
		"FTP://u:p4ss@host",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\nunterminated",
		"max-age=63072000; includeSubDomains",
		"seen at https://bücher.example/path/2?q=A1b2C3d4A1b2C3d4",
		"Ελληνικά γράμματα: κλειδί=abcdef",
		"",
	}
	res := sampleInput(92, true).Result
	for _, f := range res.Findings {
		inputs = append(inputs, f.Evidence, f.Recommendation, f.Description, f.Title)
	}
	for _, c := range res.Categories {
		for _, ck := range c.Checks {
			inputs = append(inputs, ck.Value)
		}
	}
	for k, v := range res.Headers {
		inputs = append(inputs, k+": "+v)
	}
	for _, in := range inputs {
		if quick, slow := redactText(in, true), redactText(in, false); quick != slow {
			t.Errorf("redact(%q): quick check gives %q, every expression %q", in, quick, slow)
		}
	}
	// foldASCII must know every rune that (?i) folds onto an ASCII letter
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < 0x80 && unicode.IsLetter(f) {
				if got := foldASCII(string(r)); got != string(unicode.ToLower(f)) {
					t.Errorf("foldASCII(%q) = %q; (?i) matches it as %q", r, got, unicode.ToLower(f))
				}
				break
			}
		}
	}
}

func TestDisplayDomain(t *testing.T) {
	if got := asciiDomain(idnDomain); got != "xn--bcher-kva.example" {
		t.Errorf("asciiDomain = %q", got)
	}
	if got := displayURL("https://xn--bcher-kva.example:8443/a?b=c"); got != "https://bücher.example:8443/a?b=c" {
		t.Errorf("displayURL = %q", got)
	}
	if got := displayURL("not a url %%"); got != "not a url %%" {
		t.Errorf("displayURL(garbage) = %q", got)
	}
	if got := asciiDomain("example.com"); got != "" {
		t.Errorf("asciiDomain(ascii) = %q, want empty", got)
	}
	if !utf8.ValidString(Title(Input{Result: &scanner.Result{TargetDomain: "a\xffb"}})) {
		t.Error("Title is not valid UTF-8")
	}
}
