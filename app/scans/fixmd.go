package scans

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/palisade/palisade/app/scanner"
)

// FixFormat versions the SECURITY-FIX.md layout so tools can parse it.
const FixFormat = "palisade-security-fix/1"

// FixMarkdown renders SECURITY-FIX.md for a finished scan: YAML front
// matter a tool can read, then numbered fixes, most severe first, each with
// the exact lines to add. It is meant to be committed next to the code it
// fixes. A scan that was not graded lists no fixes: it says what happened
// and what to try.
//
// Everything that came from the scanned site (evidence, header and cookie
// values, the target, the domain) is hostile: it is written only inside a
// code span or fenced block it cannot close, and prose that may embed it
// (titles, descriptions, advice) is escaped so that no link, autolink,
// image or raw HTML can form when the file is rendered.
func FixMarkdown(d Detail, generated time.Time) string {
	var b strings.Builder
	graded := d.NotGraded == nil && d.Grade != nil
	grade, score := "", 0
	if graded {
		grade = *d.Grade
		if d.OverallScore != nil {
			score = *d.OverallScore
		}
	}
	date := generated.UTC()
	if d.CompletedAt != nil {
		date = d.CompletedAt.UTC()
	}
	fmt.Fprintf(&b, "---\nformat: %s\nscanner: %s\nscanId: %s\ndate: %s\ntarget: %s\ndomain: %s\ndepth: %s\n",
		FixFormat, yq("Palisade/1.0"), yq(d.ID), date.Format(time.RFC3339), yq(d.TargetURL), yq(d.TargetDomain), yq(string(d.Depth)))
	if graded {
		fmt.Fprintf(&b, "grade: %s\nscore: %d\n", yq(grade), score)
	} else {
		b.WriteString("grade: null\nscore: null\n")
	}
	fmt.Fprintf(&b, "scoringVersion: %s\n", yq(d.ScoringVersion))
	if c := d.GradeCap; c != nil && graded {
		fmt.Fprintf(&b, "gradeCap:\n  grade: %s\n  reason: %s\n  checkId: %s\n", yq(c.Grade), yq(c.Reason), yq(c.CheckID))
	} else {
		b.WriteString("gradeCap: null\n")
	}
	if ng := d.NotGraded; ng != nil {
		fmt.Fprintf(&b, "notGraded:\n  reason: %s\n  detail: %s\n  advice: %s\n", yq(string(ng.Reason)), yq(ng.Detail), yq(ng.Advice))
	} else {
		b.WriteString("notGraded: null\n")
	}
	fmt.Fprintf(&b, "counts:\n  total: %d\n  critical: %d\n  high: %d\n  medium: %d\n  low: %d\n  info: %d\n---\n\n",
		d.Counts.Total, d.Counts.Critical, d.Counts.High, d.Counts.Medium, d.Counts.Low, d.Counts.Info)

	fmt.Fprintf(&b, "# Security fixes for %s\n\n", codeSpan(d.TargetDomain))
	day := date.Format("2 January 2006")
	if d.NotGraded != nil {
		fmt.Fprintf(&b, "Palisade could not grade %s in a %s scan on %s: %s\n\n", codeSpan(d.TargetURL), d.Depth, day, mdProse(d.NotGraded.Detail))
		if d.NotGraded.Advice != "" {
			fmt.Fprintf(&b, "What to try: %s\n\n", mdProse(d.NotGraded.Advice))
		}
		b.WriteString("No fixes are listed: the site was not judged, so nothing is known to need fixing.\n")
		writeVersion(&b, d.ScoringVersion)
		return b.String()
	}
	if graded {
		fmt.Fprintf(&b, "Palisade graded %s %s (%d/100) in a %s scan on %s.\n", codeSpan(d.TargetDomain), mdProse(grade), score, d.Depth, day)
		if c := d.GradeCap; c != nil {
			fmt.Fprintf(&b, "The grade is capped at %s: %s.\n", mdProse(c.Grade), mdProse(strings.TrimSuffix(c.Reason, ".")))
		}
	} else {
		fmt.Fprintf(&b, "Palisade's %s scan of %s on %s did not complete (%s).\n", d.Depth, codeSpan(d.TargetDomain), day, d.Status)
	}
	var fixes []Finding
	for _, f := range d.Findings {
		if f.Severity == scanner.SeverityInfo && f.Fix == nil && f.Recommendation == "" {
			continue
		}
		fixes = append(fixes, f)
	}
	if len(fixes) == 0 {
		b.WriteString("\nNothing to fix: no findings need action.\n")
		writeVersion(&b, d.ScoringVersion)
		return b.String()
	}
	if len(fixes) == 1 {
		b.WriteString("\nApply the fix below, then scan again to confirm.\n")
	} else {
		fmt.Fprintf(&b, "\nApply the %d fixes below in order — the most severe first — then scan again to confirm.\n", len(fixes))
	}
	for i, f := range fixes {
		fmt.Fprintf(&b, "\n## %d. %s [%s]\n\n", i+1, mdProse(f.Title), mdProse(strings.ToUpper(string(f.Severity))))
		fmt.Fprintf(&b, "- Check: %s (%s)\n", codeSpan(f.CheckID), mdProse(f.Category))
		switch ev := strings.TrimSpace(f.Evidence); {
		case strings.ContainsAny(ev, "\r\n"):
			// A list (content.mixed-content: one URL a line) keeps its
			// lines, in a fenced block inside the list item.
			b.WriteString("- Seen:\n\n")
			b.WriteString(indentLines(fence(ev, "text"), "  "))
			b.WriteString("\n")
		case ev != "":
			fmt.Fprintf(&b, "- Seen: %s\n", codeSpan(f.Evidence))
		}
		if f.Description != "" {
			fmt.Fprintf(&b, "- Why it matters: %s\n", mdProse(f.Description))
		}
		switch {
		case f.Fix != nil:
			if a := strings.TrimSpace(f.Fix.Advice); a != "" {
				fmt.Fprintf(&b, "\nHow to fix: %s\n", mdProse(a))
			}
			for _, s := range f.Fix.Snippets {
				fmt.Fprintf(&b, "\n%s:\n\n", mdProse(scanner.ServerLabel(s.Server)))
				b.WriteString(fence(s.Code, infoString(s.Server)))
			}
		case f.Recommendation != "":
			b.WriteString("\nFix:\n\n")
			b.WriteString(fence(f.Recommendation, ""))
		}
	}
	writeVersion(&b, d.ScoringVersion)
	return b.String()
}

func writeVersion(b *strings.Builder, v string) {
	if v != "" {
		fmt.Fprintf(b, "\nScored with Palisade's scoring rules %s.\n", codeSpan(v))
	}
}

// yq quotes a YAML scalar: a JSON string is a valid YAML double-quoted
// scalar, and it escapes every newline, so no value can end the front matter.
func yq(s string) string { j, _ := json.Marshal(s); return string(j) }

// codeSpan puts a value in an inline code span it cannot close: the fence
// is one backtick longer than the longest run inside (CommonMark, "Code
// spans"), and line breaks are collapsed so the span stays on one line.
func codeSpan(s string) string {
	s = oneLine(s)
	if s == "" {
		return "` `"
	}
	tick := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return tick + s + tick
}

// fence puts a value in a fenced code block it cannot close: the fence is
// a backtick run longer than any inside (at least three); a line of
// tildes cannot close a backtick fence.
func fence(s, info string) string {
	s = strings.TrimRight(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
	tick := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return tick + info + "\n" + s + "\n" + tick + "\n"
}

// indentLines prefixes every line of s with p (a fenced block inside a
// list item is indented to the item's content).
func indentLines(s, p string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(p + l)
		}
	}
	return b.String()
}

// infoString is a snippet's server as a fence info string: letters, digits
// and dashes only, whatever the stored value says.
func infoString(s scanner.Server) string {
	var b strings.Builder
	for _, r := range string(s) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// mdEscaper backslash-escapes the ASCII punctuation that can start inline
// Markdown or HTML: emphasis, code, links, images, autolinks, raw HTML and
// entities, and, at the start of a line, headings, quotes and tables.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`!`, `\!`, `#`, `\#`, `|`, `\|`, `~`, `\~`, `&`, `\&`, `{`, `\{`, `}`, `\}`,
)

// mdProse renders a prose value on one line with no Markdown of its own:
// punctuation is escaped, and a word GFM would turn into a link by itself
// (www.…, scheme://…, user@host) goes in a code span instead.
func mdProse(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if linkish(w) {
			words[i] = codeSpan(w)
			continue
		}
		words[i] = mdEscaper.Replace(w)
	}
	return strings.Join(words, " ")
}

// linkish reports whether GFM's autolink extension could make a link of w.
func linkish(w string) bool {
	l := strings.ToLower(w)
	return strings.Contains(l, "www.") || strings.Contains(l, "://") || strings.Contains(l, "@") ||
		strings.Contains(l, "mailto:") || strings.Contains(l, "xmpp:")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
