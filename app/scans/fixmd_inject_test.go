package scans

import (
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"gopkg.in/yaml.v3"

	"github.com/palisade/palisade/app/scanner"
)

// hostile are values a scanned site controls (header and cookie values,
// evidence, its URL) or that may embed them (titles, advice).
var hostile = []string{
	"`", "``x``", "a ` b", "```\n# heading\n```", "~~~\n<script>alert(1)</script>\n~~~",
	`<img src=x onerror=alert(1)>`, `[x](https://evil.example)`, `![i](https://evil.example/i.png)`,
	`<https://evil.example>`, `www.evil.example`, `see www.evil.example/path now`, `http://evil.example`,
	`mail me@evil.example`, `<!-- comment -->`, "line1\nline2\n\n<div>block</div>", "\n---\nowned: true\n---\n",
	`[ref]: https://evil.example`, `[ref]`, "*emph* _u_ **b**", `&lt;img src=x&gt;`, "\\<b>x\\</b>",
	"\r\n---\r\nx: 1", `javascript:alert(1)`, "x\u2028y", "<https://evil.example>`` ` ```",
}

// TestFixMarkdownSiteTextIsInert renders SECURITY-FIX.md with hostile
// values in every field a site can reach, with goldmark and GFM (linkify
// included), and walks the tree: no link, autolink, image or HTML node may
// exist, and the front matter still parses to the expected keys.
func TestFixMarkdownSiteTextIsInert(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	grade, score := "D", 55
	for _, v := range hostile {
		for _, graded := range []bool{true, false} {
			d := Detail{ScanSummary: ScanSummary{ID: "scn_" + v, TargetURL: "https://h.example/" + v, TargetDomain: v,
				Depth: "STANDARD", Status: "COMPLETED", Grade: &grade, OverallScore: &score}}
			d.ScoringVersion = "2.0.0+" + v
			d.Findings = []Finding{{ID: "1", Finding: scanner.Finding{CheckID: "headers." + v, Category: v, Severity: "high",
				Title: "Title " + v, Description: "Why " + v, Evidence: v, Recommendation: v,
				Fix: &scanner.Fix{Advice: "Advice " + v, Snippets: []scanner.Snippet{{Server: scanner.ServerNginx, Code: v}, {Server: scanner.Server(v), Code: "x " + v}}}}},
				{ID: "2", Finding: scanner.Finding{CheckID: "legacy", Category: "c", Severity: "low", Title: v, Recommendation: "fix: " + v, Evidence: v}}}
			d.GradeCap = &scanner.GradeCap{Grade: "F", Reason: "capped " + v, CheckID: v}
			if !graded {
				d.Grade, d.OverallScore = nil, nil
				d.NotGraded = &scanner.NotGraded{Reason: scanner.NotGradedBlocked, Detail: "Blocked by " + v, Advice: "Try " + v}
			}
			out := FixMarkdown(d, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

			front, body, ok := strings.Cut(strings.TrimPrefix(out, "---\n"), "\n---\n")
			if !strings.HasPrefix(out, "---\n") || !ok {
				t.Fatalf("%q: no front matter:\n%s", v, out)
			}
			var fm map[string]any
			if err := yaml.Unmarshal([]byte(front), &fm); err != nil {
				t.Fatalf("%q: front matter does not parse: %v\n%s", v, err, front)
			}
			for _, k := range []string{"format", "scanner", "scanId", "date", "target", "domain", "depth", "grade", "score", "scoringVersion", "gradeCap", "notGraded", "counts"} {
				if _, ok := fm[k]; !ok {
					t.Errorf("%q: front matter lacks %s", v, k)
				}
			}
			if len(fm) != 13 || fm["domain"] != v || fm["scoringVersion"] != "2.0.0+"+v {
				t.Errorf("%q: front matter %v", v, fm)
			}
			if graded && (fm["notGraded"] != nil || fm["grade"] != "D") {
				t.Errorf("%q: graded front matter %v", v, fm)
			}
			if !graded {
				ng, _ := fm["notGraded"].(map[string]any)
				if fm["grade"] != nil || fm["score"] != nil || fm["gradeCap"] != nil || ng["detail"] != "Blocked by "+v {
					t.Errorf("%q: not-graded front matter %v", v, fm)
				}
				if strings.Contains(body, "## 1.") || strings.Contains(body, "How to fix") {
					t.Errorf("%q: a scan that was not graded lists fixes:\n%s", v, body)
				}
			}

			src := []byte(body)
			doc := md.Parser().Parse(text.NewReader(src))
			err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				if !entering {
					return ast.WalkContinue, nil
				}
				switch n.Kind() {
				case ast.KindLink, ast.KindAutoLink, ast.KindImage, ast.KindRawHTML, ast.KindHTMLBlock:
					t.Errorf("%q (graded %v): the rendered file has a %s node:\n%s", v, graded, n.Kind(), body)
				case ast.KindHeading:
					if n.(*ast.Heading).Level == 1 && n != doc.FirstChild() {
						t.Errorf("%q: a second top-level heading formed:\n%s", v, body)
					}
				}
				return ast.WalkContinue, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The values are still there to read: the domain shows, in a code span.
			if strings.TrimSpace(v) != "" && !strings.Contains(body, strings.Fields(v)[0]) {
				t.Errorf("%q: the value vanished from the body:\n%s", v, body)
			}
		}
	}
}

// TestFixMarkdownRendersStructuredFixes: the advice as text, then one fenced
// block per snippet with its server as the info string; the cap and the
// scoring version are said.
func TestFixMarkdownRendersStructuredFixes(t *testing.T) {
	grade, score := "F", 62
	d := Detail{ScanSummary: ScanSummary{ID: "scn_x", TargetURL: "https://h.example:8443/", TargetDomain: "h.example",
		Depth: "STANDARD", Status: "COMPLETED", Grade: &grade, OverallScore: &score}}
	d.ScoringVersion = "2.0.0+ab12cd34"
	d.GradeCap = &scanner.GradeCap{Grade: "F", Reason: "the certificate has expired.", CheckID: "tls.expiry"}
	d.Findings = []Finding{{ID: "1", Finding: scanner.Finding{CheckID: "headers.hsts", Category: "headers", Severity: "high", Title: "HSTS missing",
		Fix: &scanner.Fix{Advice: "Send HSTS.", Snippets: []scanner.Snippet{
			{Server: scanner.ServerNginx, Code: `add_header Strict-Transport-Security "max-age=63072000" always;`},
			{Server: scanner.ServerApache, Code: `Header always set Strict-Transport-Security "max-age=63072000"`}}}}}}
	out := FixMarkdown(d, time.Now())
	for _, want := range []string{
		"scoringVersion: \"2.0.0+ab12cd34\"", "gradeCap:\n  grade: \"F\"\n  reason: \"the certificate has expired.\"\n  checkId: \"tls.expiry\"",
		"notGraded: null", "The grade is capped at F: the certificate has expired.", "How to fix: Send HSTS.",
		"```nginx\nadd_header Strict-Transport-Security \"max-age=63072000\" always;\n```\n",
		"```apache\nHeader always set Strict-Transport-Security \"max-age=63072000\"\n```\n", "`2.0.0+ab12cd34`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "```nginx") > strings.Index(out, "```apache") {
		t.Errorf("snippets out of order:\n%s", out)
	}
}

// TestFixMarkdownEvidenceList: evidence of several lines (mixed content's
// URL list) is a fenced block inside its list item, every line kept, and
// stays code: no link is made of its URLs.
func TestFixMarkdownEvidenceList(t *testing.T) {
	grade, score := "C", 70
	d := Detail{ScanSummary: ScanSummary{ID: "scn_x", TargetURL: "https://h.example/", TargetDomain: "h.example",
		Depth: "DEEP", Status: "COMPLETED", Grade: &grade, OverallScore: &score}}
	ev := "<img src> http://img.example/a.png\n<css> url() http://img.example/b.png (in /site.css)\n```\n[x](https://evil.example)"
	d.Findings = []Finding{{ID: "1", Finding: scanner.Finding{CheckID: "content.mixed-content", Category: "content", Severity: "low",
		Title: "Passive mixed content", Evidence: ev}}}
	out := FixMarkdown(d, time.Now())
	if !strings.Contains(out, "- Seen:\n\n  ````text\n  <img src> http://img.example/a.png\n  <css> url() http://img.example/b.png (in /site.css)\n  ```\n  [x](https://evil.example)\n  ````\n") {
		t.Errorf("the evidence list is not a fenced block in its item:\n%s", out)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(text.NewReader([]byte(out)))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.Kind() {
		case ast.KindLink, ast.KindAutoLink, ast.KindImage, ast.KindHTMLBlock, ast.KindRawHTML:
			t.Errorf("evidence became a %s", n.Kind())
		}
		return ast.WalkContinue, nil
	})
}
