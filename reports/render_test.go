package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/palisade/palisade/app/scanner"
)

// needPoppler skips tests that read PDFs back when poppler-utils is missing;
// CI installs it (apt-get install -y poppler-utils).
func needPoppler(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install poppler-utils to run the PDF read-back tests", tool)
		}
	}
}

func render(t testing.TB, in Input) []byte {
	t.Helper()
	pdf, err := Render(in)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", pdf[:min(len(pdf), 16)])
	}
	return pdf
}

func poppler(t testing.TB, pdf []byte, tool string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args = append(args, path)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.CommandContext(ctx, tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return string(out)
}

// squash removes all whitespace, so text wrapped over several lines (or
// broken inside a long token) still matches what went in.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u2007' {
			return -1
		}
		return r
	}, s)
}

// pdfText is the whole text in content order, whitespace removed.
func pdfText(t testing.TB, pdf []byte) string {
	return squash(poppler(t, pdf, "pdftotext", "-raw", "-enc", "UTF-8"))
}

// bodyText is like pdfText without the running header and footer, so text
// that continues across a page break reads as one piece.
func bodyText(t testing.TB, pdf []byte) string {
	const mm = 72 / 25.4 // pdftotext crops in pixels at its default 72 dpi
	top, bottom := 17*mm, (pageH-bottomGap+1)*mm
	return squash(poppler(t, pdf, "pdftotext", "-raw", "-enc", "UTF-8",
		"-x", "0", "-y", strconv.Itoa(int(top)), "-W", "600", "-H", strconv.Itoa(int(bottom-top))))
}

func pageCount(t testing.TB, pdf []byte) int {
	t.Helper()
	info := poppler(t, pdf, "pdfinfo")
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestRenderContent(t *testing.T) {
	needPoppler(t)
	in := sampleInput(0, false)
	text := pdfText(t, render(t, in))
	want := []struct{ name, text string }{
		{"IDN domain in Unicode", idnDomain},
		{"punycode form beside it", "xn--bcher-kva.example"},
		{"grade", "receivedgradeCwithanoverallscoreof64"},
		{"version", "REPORTVERSION3"},
		{"version in footer", "version3·generated24June2025,14:05UTC"},
		{"scan id", "scn_01J0Z6Q4W8Y3K2V5"},
		{"scan date", "24June2025,14:03UTC"},
		{"depth", "Standard"},
		{"greek", greekText},
		{"cyrillic", cyrillicTxt},
		{"page numbers", "Page1of"},
		{"category table", "Scoresbycategory"},
		{"TLS facts", "TLS_AES_128_GCM_SHA256"},
		{"certificate issuer", "CN=R11,O=Let'sEncrypt,C=US"},
		{"redirect hop", "https://www." + idnDomain + "/de/start"},
		{"raw header", "X-Content-Type-Options"},
		{"config line", "ssl_protocolsTLSv1.2TLSv1.3;"},
		{"top fix", "Revokethekeynow"},
		{"missing header", "Permissions-Policy"},
		{"check id", "content.secrets"},
		{"severity counts", "Thescanrecorded8findings:1critical,2high,2medium,2low,1info."},
		{"top fix is the most severe finding", "Toppriorities1CRITICALAsecretkeyisexposedinapublicscript"},
		{"evidence label", "Whatwesaw"},
		{"redacted evidence", "sk_live_…[redacted]"},
	}
	for _, f := range in.Result.Findings {
		want = append(want, struct{ name, text string }{"finding " + f.CheckID, f.Title})
	}
	for _, w := range want {
		if !strings.Contains(text, squash(w.text)) {
			t.Errorf("%s: %q not found in the PDF text", w.name, w.text)
		}
	}
	for _, secret := range []string{"sk_live_51H8d9sKq2aXoPq9lLw0AbCdEf", "hunter2hunter2", "abc123def456ghi"} {
		if strings.Contains(text, secret) {
			t.Errorf("secret %q is in the PDF text; it must be redacted", secret)
		}
	}
	if strings.Contains(text, "Changessincethepreviousscan") {
		t.Error("changes section rendered although Previous is nil")
	}
	if strings.Contains(text, "?????") {
		t.Error("text degraded to question marks")
	}
}

func TestPDFInfo(t *testing.T) {
	needPoppler(t)
	pdf := render(t, sampleInput(0, true))
	info := poppler(t, pdf, "pdfinfo")
	for _, want := range []string{"Title:           Security Report — " + idnDomain, "Page size:       595.28 x 841.89 pts (A4)", "CreationDate:    Tue Jun 24 14:05:09 2025"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	if n := pageCount(t, pdf); n < 6 || n > 20 {
		t.Errorf("a 8-finding report has %d pages, want 6..20", n)
	}
	// "Page N of M" must use the real total on every page
	n := pageCount(t, pdf)
	text := pdfText(t, pdf)
	for p := 1; p <= n; p++ {
		if want := fmt.Sprintf("Page%dof%d", p, n); !strings.Contains(text, want) {
			t.Errorf("footer %q missing", want)
		}
	}
	for _, want := range []string{"/Type /Outlines", "/PageMode /UseOutlines"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("PDF lacks %s: bookmarks missing", want)
		}
	}
	// every outline item ends with "/Count 0>>": cover, 9 sections, 5 severities
	if n := bytes.Count(pdf, []byte("/Count 0>>")); n < 14 {
		t.Errorf("%d bookmarks, want at least 14", n)
	}
	if strings.Contains(text, "{nb}") || strings.Contains(text, "{pp:") || strings.Contains(text, "{pg:") {
		t.Error("an unresolved page-number placeholder is left in the text")
	}
}

// wordBox is one word of `pdftotext -bbox` output, in points.
type wordBox struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var (
	rePage = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	reWord = regexp.MustCompile(`<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>`)
)

func wordBoxes(t testing.TB, pdf []byte) (w, h float64, words []wordBox) {
	t.Helper()
	out := poppler(t, pdf, "pdftotext", "-bbox")
	page := 0
	for _, line := range strings.Split(out, "\n") {
		if m := rePage.FindStringSubmatch(line); m != nil {
			page++
			w, _ = strconv.ParseFloat(m[1], 64)
			h, _ = strconv.ParseFloat(m[2], 64)
			continue
		}
		if m := reWord.FindStringSubmatch(line); m != nil {
			b := wordBox{page: page, text: m[5]}
			b.xMin, _ = strconv.ParseFloat(m[1], 64)
			b.yMin, _ = strconv.ParseFloat(m[2], 64)
			b.xMax, _ = strconv.ParseFloat(m[3], 64)
			b.yMax, _ = strconv.ParseFloat(m[4], 64)
			words = append(words, b)
		}
	}
	if page == 0 || len(words) == 0 {
		t.Fatalf("pdftotext -bbox found no pages or words")
	}
	return w, h, words
}

func TestLargeReportPaginates(t *testing.T) {
	needPoppler(t)
	in := sampleInput(192, true) // 8 base + 192 generated = 200 findings
	if n := len(in.Result.Findings); n != 200 {
		t.Fatalf("fixture has %d findings, want 200", n)
	}
	start := time.Now()
	pdf := render(t, in)
	t.Logf("200 findings: %d bytes in %v", len(pdf), time.Since(start))

	pages := pageCount(t, pdf)
	if pages < 60 {
		t.Errorf("200 findings fit on %d pages; expected at least 60, something was dropped", pages)
	}
	text := bodyText(t, pdf)
	for _, f := range in.Result.Findings {
		if !strings.Contains(text, squash(f.Title)) {
			t.Errorf("finding title %q missing", f.Title)
		}
		if !strings.HasPrefix(f.CheckID, "content.generated-") {
			continue
		}
		// evidence is a URL with a 160+ character token and no spaces: all of it
		// must be on the page, wrapped, not clipped
		if !strings.Contains(text, squash(f.Evidence)) {
			t.Errorf("evidence of %s is cut: %q", f.CheckID, f.Evidence)
		}
	}
	for name, v := range in.Result.Headers {
		if name == "Set-Cookie" {
			continue
		}
		if !strings.Contains(text, squash(name+v)) && !strings.Contains(text, squash(v)) {
			t.Errorf("header %s is cut: %q", name, v)
		}
	}

	assertInMargins(t, pdf)
}

// assertInMargins fails when any word lies outside the text area: beyond the
// right or left margin, or into the top and bottom edges of the paper.
func assertInMargins(t *testing.T, pdf []byte) {
	t.Helper()
	pw, ph, words := wordBoxes(t, pdf)
	const mm = 72 / 25.4
	const tol = 0.6 // points
	bad := 0
	for _, w := range words {
		var msg string
		switch {
		case w.xMax > pw-marginR*mm+tol:
			msg = fmt.Sprintf("ends at x=%.1fpt, beyond the right margin (%.1fpt)", w.xMax, pw-marginR*mm)
		case w.xMin < marginL*mm-tol:
			msg = fmt.Sprintf("starts at x=%.1fpt, left of the margin", w.xMin)
		case w.yMax > ph-8*mm || w.yMin < 8*mm:
			msg = fmt.Sprintf("at y=%.1f..%.1fpt is outside the printable area", w.yMin, w.yMax)
		default:
			continue
		}
		if bad++; bad <= 10 {
			t.Errorf("page %d: %q %s", w.page, w.text, msg)
		}
	}
}

func TestDeterministic(t *testing.T) {
	in := sampleInput(22, true)
	first := render(t, in)
	// concurrent renders share the font coverage table; they must not interfere
	var wg sync.WaitGroup
	outs := make([][]byte, 4)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], _ = Render(in)
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if !bytes.Equal(first, o) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", i+1, len(o), len(first))
		}
	}
	later := in
	later.GeneratedAt = later.GeneratedAt.Add(time.Minute)
	if bytes.Equal(first, render(t, later)) {
		t.Error("a different GeneratedAt produced identical bytes; the date is not in the document")
	}
}

// section returns the text from the last occurrence of heading (the first
// is usually the table of contents) to the first of any of ends after it.
func section(text, heading string, ends ...string) string {
	i := strings.LastIndex(text, squash(heading))
	if i < 0 {
		return ""
	}
	s := text[i+len(squash(heading)):]
	for _, e := range ends {
		if j := strings.Index(s, squash(e)); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

func TestChangesSincePrevious(t *testing.T) {
	needPoppler(t)
	in := sampleInput(0, true)
	text := bodyText(t, render(t, in))
	head := squash("Changes since the previous scan")
	if strings.Count(text, head) < 2 {
		t.Fatalf("changes section missing")
	}
	changes := section(text, "Changes since the previous scan", "They are listed most severe first")
	fixed := section(changes, "Fixed since the previous scan (1)", "Not compared", "Still open (")
	notCompared := section(changes, "Not compared — did not run in both scans (2)", "Still open (")
	causes := section(changes, "What moved the score (2)", "New findings (")
	checks := []struct{ name, in, before, after string }{
		{"score change", changes, "SCORE", "61→64"},
		{"grade change", changes, "GRADE", "F→C"},
		{"previous scan's id", changes, "scn_01J0PREVIOUS0001", "SCORE"},
		{"previous scan's depth", changes, "adeepscan", "SCORE"},
		{"a cause with its points", causes, "−8pts", "ContentSecurityPolicy"},
		{"its verdicts before and after", causes, "headers.csp·pass8/8→fail0/8", "+5pts"},
		{"the improvement", causes, "+5pts", "Clickjackingprotection"},
		{"new finding listed under New findings", changes, squash("New findings (1)"), squash("No Content Security Policy")},
		{"fixed finding listed under Fixed", fixed, "FIXED", squash("Clickjacking protection missing")},
		{"still open", changes, squash("Still open (7)"), squash("Server version disclosed")},
		{"DEEP-only check not compared", notCompared, "Sensitivefiles", "previousscan:fail0/6·thisscan:skipped·runsonlyindeepscans"},
		{"check absent from this scan", notCompared, squash("Vulnerable JavaScript libraries"), "thisscan:didnotrun"},
	}
	for _, c := range checks {
		a := strings.Index(c.in, c.before)
		b := strings.Index(c.in[max(a, 0):], c.after)
		if a < 0 || b < 0 {
			t.Errorf("%s: want %q followed by %q in the changes section", c.name, c.before, c.after)
		}
	}
	for _, name := range []string{"Sensitive files", "Vulnerable JavaScript libraries", "Server version disclosed"} {
		if strings.Contains(fixed, squash(name)) {
			t.Errorf("%q is listed as fixed; it was not compared or is still open", name)
		}
	}
	if strings.Contains(text, squash("Since the previous scan")) != true {
		t.Error("the summary does not mention the change since the previous scan")
	}
	if !strings.Contains(text, squash("Since the previous scan of this target on 30 May 2025 the score went from 61 to 64 (+3) and the grade from F to C.")) {
		t.Error("summary sentence of the change is wrong or missing")
	}

	// without a diff, or for a scan that was not graded, no section
	for name, in := range map[string]Input{"no diff": sampleInput(0, false), "not graded": withDiff(notGradedInput())} {
		if text := pdfText(t, render(t, in)); strings.Contains(text, head) {
			t.Errorf("%s: changes section rendered", name)
		}
	}
}

func withDiff(in Input) Input {
	in.Diff = sampleDiff(sampleResult(0))
	return in
}

// coverText is the text of page 1 only.
func coverText(t testing.TB, pdf []byte) string {
	return squash(poppler(t, pdf, "pdftotext", "-raw", "-enc", "UTF-8", "-f", "1", "-l", "1"))
}

func TestGradeCapExplained(t *testing.T) {
	needPoppler(t)
	pdf := render(t, cappedInput("the certificate expired 3 days ago"))
	cover, text := coverText(t, pdf), bodyText(t, pdf)
	for _, c := range []struct{ where, in, want string }{
		{"cover", cover, "CappedatF:thecertificateexpired3daysago.Thescoreof62/100alonewouldbeC."},
		{"cover grade", cover, "F"},
		{"summary", section(text, "Executive summary", "Severity"), "receivedgradeFwithanoverallscoreof62"},
		{"summary", section(text, "Executive summary", "Top priorities"), "CappedatF:thecertificateexpired3daysago."},
		{"category table", section(text, "Scores by category", "Findings"), "Overallgrade:CappedatF:thecertificateexpired3daysago."},
		{"grading scale", section(text, "Grading scale"), "Thisscanscored62/100,whichisConthisscale,butitsgradeiscappedatF:thecertificateexpired3daysago."},
	} {
		if !strings.Contains(c.in, c.want) {
			t.Errorf("%s: %q not found", c.where, c.want)
		}
	}
	// an uncapped scan says nothing of caps
	if text := pdfText(t, render(t, sampleInput(0, false))); strings.Contains(text, "Cappedat") || strings.Contains(text, "alonewouldbe") {
		t.Error("an uncapped report mentions a cap")
	}
}

func TestNotGraded(t *testing.T) {
	needPoppler(t)
	in := withDiff(notGradedInput())
	pdf := render(t, in)
	cover, text := coverText(t, pdf), pdfText(t, pdf)
	for _, want := range []string{"Notgraded", "NOGRADE·UNREACHABLE",
		"Theconnectiontounreachable.example:20443wasrefused.",
		"Whattotry:Checkthatthesiteisupandthattheportisopentotheinternet,thenscanagain.",
		"https://unreachable.example:20443/", "2.0.0+ab12cd34"} {
		if !strings.Contains(cover, want) {
			t.Errorf("cover lacks %q", want)
		}
	}
	for _, absent := range []string{"OVERALLSCORE", "/100", "receivedgrade", "Howtofix", "Toppriorities", "Scoresbycategory",
		"Findings(", "HTTPSisnotavailable", "listen443ssl;", "Changessince", "Failing.", "—25/25", "0/25", "Allchecks"} {
		if strings.Contains(text, absent) {
			t.Errorf("a not-graded report contains %q", absent)
		}
	}
	if !strings.Contains(text, "unreachable.example:20443wasnotgraded") {
		t.Error("the summary does not say the scan was not graded")
	}
	info := poppler(t, pdf, "pdfinfo")
	for _, want := range []string{"Title:           Security Report — unreachable.example:20443", "Subject:         Website security scan report (not graded) · scoring version 2.0.0+ab12cd34"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	if regexp.MustCompile(`(?m)^(Title|Subject|Keywords):.*\bgrade [A-F]`).MatchString(info) {
		t.Errorf("metadata claims a grade:\n%s", info)
	}
	assertInMargins(t, pdf)
}

func TestCheckStatuses(t *testing.T) {
	needPoppler(t)
	text := bodyText(t, render(t, sampleInput(0, false)))
	checks := section(text, "All checks", "TLS certificate")
	for _, c := range []struct{ name, want string }{
		{"skipped with its reason", "SkippedSensitivefilesrunsonlyindeepscans"},
		{"error with its reason", "Errorsecurity.txttherequesttimedoutafter10s"},
		{"info is info", "InfoCAA"},
		{"pass", "PassHTTPSavailable"},
		{"fail", "FailContentSecurityPolicy"},
	} {
		if !strings.Contains(checks, c.want) {
			t.Errorf("%s: %q not in the checks table", c.name, c.want)
		}
	}
	if strings.Contains(checks, "PassCAA") {
		t.Error("an info check is labelled pass")
	}
}

// TestUnscoredCategory: a category where nothing was scored (every check
// skipped at this depth) reads "not scored", not "0 / 10".
func TestUnscoredCategory(t *testing.T) {
	needPoppler(t)
	in := sampleInput(0, false)
	in.Result.Categories = append(in.Result.Categories, scanner.Category{Name: "redirects", MaxScore: 10,
		Checks: []scanner.CheckResult{{ID: "redirects.https", Name: "HTTP redirects to HTTPS", Category: "redirects", Status: scanner.StatusSkipped, Reason: "runs at STANDARD and deeper scans"}}})
	cats := section(bodyText(t, render(t, in)), "Scores by category", "Overall")
	if !strings.Contains(cats, "Redirectsnotscored") || strings.Contains(cats, "Redirects0/10") {
		t.Errorf("the unscored category reads %q", cats)
	}
}

func TestScoringVersionAndTarget(t *testing.T) {
	needPoppler(t)
	in := sampleInput(0, false)
	in.Result.TargetURL = "https://" + idnDomain + ":20443/"
	in.Result.ScannedAt = time.Date(2025, 6, 24, 13, 58, 0, 0, time.UTC) // started before Input.ScannedAt (completion)
	pdf := render(t, in)
	cover := coverText(t, pdf)
	for _, want := range []string{"SCORINGVERSION2.0.0+ab12cd34", "https://" + idnDomain + ":20443/", "SCANNED24June2025,13:58UTC"} {
		if !strings.Contains(cover, want) {
			t.Errorf("cover lacks %q", want)
		}
	}
	if !strings.Contains(pdfText(t, pdf), squash("scoring rules version 2.0.0+ab12cd34")) {
		t.Error("the methodology does not name the scoring version")
	}
	info := poppler(t, pdf, "pdfinfo")
	for _, want := range []string{"Keywords:        " + idnDomain + " security report scoring-version 2.0.0+ab12cd34",
		"Subject:         Website security scan report · scoring version 2.0.0+ab12cd34",
		"Title:           Security Report — " + idnDomain + ":20443"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

func TestFixFromStructure(t *testing.T) {
	needPoppler(t)
	in := sampleInput(0, false)
	// a finding with prose in Recommendation but no Fix: nothing is parsed out of it
	in.Result.Findings = append(in.Result.Findings, scanner.Finding{CheckID: "headers.legacy", Category: "headers",
		Severity: scanner.SeverityLow, Title: "Legacy finding without a structured fix",
		Recommendation: "nginx: add_header X-Parsed-From-Prose 1;"})
	text := bodyText(t, render(t, in))
	findings := section(text, "Findings", "All checks")
	for _, want := range []string{
		"Howtofix" + squash("Accept only TLS 1.2 and 1.3.") + "nginxssl_protocolsTLSv1.2TLSv1.3;ApacheSSLProtocol-all+TLSv1.2+TLSv1.3Caddytls{protocolstls1.2tls1.3}",
		"Howtofixnginxserver_tokensoff;ApacheServerTokensProd",
		"DNS_dmarc." + idnDomain + "TXT",
		"Config" + squash("Contact: mailto:security@"+idnDomain),
	} {
		if !strings.Contains(findings, want) {
			t.Errorf("findings lack %q", want)
		}
	}
	// It is shown as written, one block with its "nginx:" prefix, not
	// split into labelled snippets.
	legacy := section(findings, "Legacy finding without a structured fix", "No security.txt")
	if !strings.Contains(legacy, "Howtofix"+squash("nginx: add_header X-Parsed-From-Prose 1;")) {
		t.Errorf("a finding without Fix does not show its recommendation as written: %q", legacy)
	}
	if strings.Contains(legacy, "Howtofixnginxadd_header") {
		t.Errorf("a fix was parsed out of Recommendation prose: %q", legacy)
	}
}

// TestHostileFixAndCapText: a fix snippet and a cap reason that quote what
// the site sent stay inert: controls and bidi overrides are dropped, markup
// and PDF operators are shown as text, credentials are masked.
func TestHostileFixAndCapText(t *testing.T) {
	needPoppler(t)
	const key = "sk_live_51Hostile9sKq2aXoPq9"
	hostile := "\u202Eexe.gnp\x00\x1b[31m <script>alert(1)</script> ) Tj ET BT (pwned) Tj "
	in := cappedInput("the certificate names " + hostile + key)
	in.Result.Findings[0].Fix = fix("Advice quoting "+hostile, scanner.Snippet{Server: "nginx\u202E<b>", Code: "add_header X-Evil \"" + hostile + "\" always; # " + key})
	in.Result.Findings[0].Recommendation = in.Result.Findings[0].Fix.Text()
	pdf := render(t, in)
	raw := poppler(t, pdf, "pdftotext", "-raw", "-enc", "UTF-8")
	for _, bad := range []string{"\u202E", "\x00", "\x1b", key} {
		if strings.Contains(raw, bad) {
			t.Errorf("the PDF text contains %q", bad)
		}
	}
	text := squash(raw)
	for _, want := range []string{
		squash("CappedatF:thecertificatenamesexe.gnp[31m<script>alert(1)</script>)TjETBT(pwned)Tjsk_live_…[redacted]"),
		squash(`add_header X-Evil "exe.gnp[31m <script>alert(1)</script> ) Tj ET BT (pwned) Tj " always; # sk_live_…[redacted]`),
		squash("nginx<b>"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not shown as text", want)
		}
	}
	if strings.Contains(text, "pwned)Tj") && !strings.Contains(text, "(pwned)Tj") {
		t.Error("PDF operators from site data were interpreted")
	}
	assertInMargins(t, pdf)
}

func TestRenderEdgeCases(t *testing.T) {
	if _, err := Render(Input{}); !errors.Is(err, ErrNoResult) {
		t.Errorf("Render(nil result) = %v, want ErrNoResult", err)
	}
	cases := []struct {
		name string
		res  *scanner.Result
	}{
		{"empty result", &scanner.Result{}},
		{"failed scan", &scanner.Result{TargetURL: "https://xn--bcher-kva.example/", Error: "connection refused", Grade: "F"}},
		{"endless error", &scanner.Result{TargetDomain: "example.com", Error: strings.Repeat("tls: handshake failure; ", 400)}},
		{"hostile text", &scanner.Result{
			TargetDomain: strings.Repeat("sub.", 60) + "example",
			Grade:        "A+", OverallScore: 97,
			Headers: map[string]string{"X-Bidi": "abc\u202Egnp.exe", "X-Emoji": "🔥🔥 火 \x00\x07", strings.Repeat("X-Long-Name-", 12): strings.Repeat("é", 900)},
			Findings: []scanner.Finding{{Title: strings.Repeat("Überlanger Titel ", 30), Severity: "weird",
				Evidence: strings.Repeat("🔒", 400), Recommendation: "```\n" + strings.Repeat("x", 2000) + "\n```"}},
			Categories: []scanner.Category{{Name: "", MaxScore: 0}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdf := render(t, Input{Result: c.res, Version: 1})
			if len(pdf) < 1000 {
				t.Errorf("suspiciously small PDF: %d bytes", len(pdf))
			}
			if _, err := exec.LookPath("pdftotext"); err == nil {
				assertInMargins(t, pdf)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	cases := []struct {
		in   Input
		want string
	}{
		{Input{Result: &scanner.Result{TargetDomain: idnDomain}}, "Security Report — bücher.example"},
		{Input{Result: &scanner.Result{TargetDomain: "xn--bcher-kva.example"}}, "Security Report — bücher.example"},
		{Input{Result: &scanner.Result{TargetURL: "https://example.com:8443/x"}}, "Security Report — example.com:8443"},
		{Input{Result: &scanner.Result{TargetDomain: "example.com", TargetURL: "https://example.com:443/"}}, "Security Report — example.com"},
		{Input{Result: &scanner.Result{TargetDomain: "example.com", TargetURL: "http://example.com:8080/"}}, "Security Report — example.com:8080"},
		{Input{}, "Security Report"},
	}
	for _, c := range cases {
		if got := Title(c.in); got != c.want {
			t.Errorf("Title = %q, want %q", got, c.want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	in := sampleInput(22, true) // 30 findings
	if n := len(in.Result.Findings); n != 30 {
		b.Fatalf("fixture has %d findings, want 30", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(in); err != nil {
			b.Fatal(err)
		}
	}
}
