package reports

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

// replacementRune stands in for characters the embedded fonts cannot draw
// (CJK, emoji, anything outside the BMP), so the reader sees that something
// was there instead of an empty box or nothing at all.
const replacementRune = '\uFFFD'

// clean maps text from a scanned site (or the scanner) onto what the report
// can draw: invalid UTF-8, control and invisible formatting characters
// (including bidi overrides, which could make evidence read differently than
// it is) are removed, tabs become spaces, and runes missing from the fonts
// become U+FFFD. Newlines survive only when multiline is set.
func clean(s string, multiline bool) string {
	cov := fontCoverage()
	var b strings.Builder
	b.Grow(len(s))
	prevCR := false
	for _, r := range s {
		cr := prevCR
		prevCR = false
		switch {
		case r >= 0x20 && r < 0x7f: // printable ASCII, all of it in the fonts: most text
			b.WriteByte(byte(r))
		case r == '\r':
			prevCR = true
			if multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\n':
			if cr {
				continue // \r\n already written
			}
			if multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteString("  ")
		case r == '\u00a0' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			// dropped: NUL, C1 controls, ZWSP, BOM, bidi overrides, soft hyphen
		case cov.has(r):
			b.WriteRune(r)
		default:
			b.WriteRune(replacementRune)
		}
	}
	return b.String()
}

// oneLine cleans s and collapses runs of whitespace, for titles and table cells.
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s, false)), " ")
}

// wrap breaks text into lines no wider than maxW, measuring each rune with
// width. Explicit newlines are kept (an empty line stays empty). Lines break
// at spaces first; a word that is still too wide breaks after URL and header
// punctuation (/ ; , & ? = -), and failing that between any two characters,
// so nothing is ever wider than maxW: long tokens, hashes and header values
// without spaces all wrap instead of running off the page.
func wrap(text string, maxW float64, width func(rune) float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, wrapPara([]rune(para), maxW, width)...)
	}
	return out
}

func isSoftBreak(r rune) bool {
	switch r {
	case '/', ';', ',', '&', '?', '=', '-', '|', ':', '.', ')', ']', '}', '_', '+':
		return true
	}
	return false
}

func wrapPara(rs []rune, maxW float64, width func(rune) float64) []string {
	if len(rs) == 0 {
		return []string{""}
	}
	var lines []string
	start := 0
	first := true
	for start < len(rs) {
		if !first {
			for start < len(rs) && rs[start] == ' ' {
				start++
			}
			if start >= len(rs) {
				break
			}
		}
		first = false
		w := 0.0
		lastSpace, lastSpaceW := -1, 0.0
		lastSoft := -1
		i := start
		for ; i < len(rs); i++ {
			cw := width(rs[i])
			if w+cw > maxW && i > start {
				break
			}
			if rs[i] == ' ' {
				lastSpace, lastSpaceW = i, w
			} else if isSoftBreak(rs[i]) {
				lastSoft = i
			}
			w += cw
		}
		if i >= len(rs) {
			lines = append(lines, strings.TrimRight(string(rs[start:]), " "))
			break
		}
		var end, next int
		switch {
		case rs[i] == ' ':
			end, next = i, i+1
		case lastSpace > start && (lastSoft < lastSpace || lastSpaceW >= 0.6*maxW):
			end, next = lastSpace, lastSpace+1
		case lastSoft >= start:
			end, next = lastSoft+1, lastSoft+1
		default:
			end, next = i, i
		}
		lines = append(lines, strings.TrimRight(string(rs[start:end]), " "))
		start = next
	}
	return lines
}

// Secret redaction. The scanner is expected to mask what it reports, but a
// report is a document people forward: anything that still looks like a
// credential is masked again here, keeping only a recognisable prefix so the
// reader knows which key to rotate.
var (
	rePrivateKey = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	reJWT        = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`)
	reURLCreds   = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):([^/\s@]+)@`)
	reBearer     = regexp.MustCompile(`(?i)\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=-]{8,})`)
	rePrefixed   = regexp.MustCompile(`\b(` + strings.Join(quoteAll(secretPrefixes), "|") + `)([A-Za-z0-9_.\-]{8,})`)
	reKeyValue   = regexp.MustCompile(`(?i)((?:[a-z0-9_.-]*?)(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|session[_-]?id|sessid|credentials?|auth[_-]?key)[a-z0-9_.-]*)("?\s*[:=]\s*["']?)([^\s"'&;,<>]{4,})`)
)

// secretPrefixes start provider API keys (rePrefixed); a list so that the
// quick test in redact and the expression cannot disagree.
var secretPrefixes = []string{"AKIA", "ASIA", "AIza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
	"xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_",
	"sk-", "SG.", "npm_", "shpat_", "shpss_"}

// Words one of which each case-insensitive expression needs, lower case:
// reBearer needs one of bearerWords, reKeyValue one of keyWords (every name
// in its alternation contains one of them) and a ':' or '='.
var (
	bearerWords = []string{"bearer", "basic", "token"}
	keyWords    = []string{"pass", "pwd", "secret", "token", "key", "sess", "credential"}
)

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = regexp.QuoteMeta(s)
	}
	return out
}

// redacted is the marker left where a secret was.
const redacted = "[redacted]"

// redact masks credentials in untrusted text: private keys, JWTs, URL
// passwords, bearer tokens, provider-prefixed API keys and values of
// secret-looking keys (password=, api_key:, token=…).
func redact(s string) string { return redactText(s, true) }

// redactText is redact; with quick set, an expression runs only on text
// that contains the literals it needs, because running all six on every
// evidence, value and URL was a tenth of a report's render time
// (docs/BENCHMARKS.md, reports) while most text contains none of them.
// TestRedactQuickCheck holds the quick path to the same output as the slow.
func redactText(s string, quick bool) string {
	if s == "" {
		return s
	}
	may := func(need func(string) bool) bool { return !quick || need(s) }
	if may(func(s string) bool { return strings.Contains(s, "-----BEGIN ") }) {
		s = rePrivateKey.ReplaceAllString(s, "-----BEGIN PRIVATE KEY----- "+redacted+" -----END PRIVATE KEY-----")
	}
	if may(func(s string) bool { return strings.Contains(s, "eyJ") }) {
		s = reJWT.ReplaceAllString(s, "eyJ…"+redacted)
	}
	if may(func(s string) bool { return strings.Contains(s, "://") && strings.Contains(s, "@") }) {
		s = reURLCreds.ReplaceAllString(s, "$1:"+redacted+"@")
	}
	if may(func(s string) bool { return containsAny(foldASCII(s), bearerWords) }) {
		s = reBearer.ReplaceAllStringFunc(s, func(m string) string {
			sub := reBearer.FindStringSubmatch(m)
			if sub[3] == redacted || strings.HasPrefix(sub[3], "[") {
				return m
			}
			return sub[1] + sub[2] + redacted
		})
	}
	if may(func(s string) bool { return containsAny(s, secretPrefixes) }) {
		s = rePrefixed.ReplaceAllString(s, "${1}…"+redacted)
	}
	if may(func(s string) bool { return strings.ContainsAny(s, ":=") && containsAny(foldASCII(s), keyWords) }) {
		s = reKeyValue.ReplaceAllStringFunc(s, func(m string) string {
			sub := reKeyValue.FindStringSubmatch(m)
			if strings.HasPrefix(sub[3], "[redacted") || strings.HasPrefix(sub[3], "…") {
				return m
			}
			return sub[1] + sub[2] + redacted
		})
	}
	return s
}

func containsAny(s string, words []string) bool {
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, w) })
}

// foldASCII lower-cases s the way (?i) matches ASCII letters: besides the
// upper-case letters, Go's case folding maps the Kelvin sign to k (which
// strings.ToLower does too) and the long s ſ to s (which it does not).
func foldASCII(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "ſ", "s"))
}

// redactHeader masks secrets in a response header value; a Set-Cookie value
// is a live session identifier of whoever scanned, so its value is masked
// while the cookie name and attributes (the part a report judges) stay.
func redactHeader(name, value string) string {
	if strings.EqualFold(name, "Set-Cookie") {
		lines := strings.Split(value, "\n")
		for i, l := range lines {
			if eq := strings.IndexByte(l, '='); eq > 0 {
				semi := strings.IndexByte(l, ';')
				if semi < 0 || eq < semi {
					rest := ""
					if semi >= 0 {
						rest = l[semi:]
					}
					val := l[eq+1 : len(l)-len(rest)]
					if strings.TrimSpace(val) != "" {
						lines[i] = l[:eq+1] + redacted + rest
					}
				}
			}
		}
		value = strings.Join(lines, "\n")
	}
	return redact(value)
}

// displayDomain is the host as people read it: Unicode for an IDN, so
// bücher.example is shown as such and not as xn--bcher-kva.example.
func displayDomain(r Input) string {
	d := ""
	if r.Result != nil {
		d = strings.TrimSpace(r.Result.TargetDomain)
		if d == "" {
			for _, raw := range []string{r.Result.TargetURL, r.Result.FinalURL} {
				if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
					d = u.Hostname()
					break
				}
			}
		}
	}
	if strings.Contains(strings.ToLower(d), "xn--") {
		if u, err := idna.Display.ToUnicode(d); err == nil {
			d = u
		}
	}
	return d
}

// displayURL shows a URL with its host in Unicode, matching displayDomain;
// anything that does not parse is returned unchanged.
func displayURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !strings.Contains(strings.ToLower(u.Hostname()), "xn--") {
		return raw
	}
	host, err := idna.Display.ToUnicode(u.Hostname())
	if err != nil {
		return raw
	}
	return strings.Replace(raw, u.Hostname(), host, 1)
}

// asciiDomain is the punycode form of an IDN, shown beside the Unicode one
// so look-alike domains can be told apart; empty when the domain is ASCII.
func asciiDomain(d string) string {
	for _, r := range d {
		if r > unicode.MaxASCII {
			if a, err := idna.Lookup.ToASCII(d); err == nil && a != d {
				return a
			}
			return ""
		}
	}
	return ""
}
