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
// the exact line to add. It is meant to be committed next to the code it fixes.
func FixMarkdown(d Detail, generated time.Time) string {
	var b strings.Builder
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) } // JSON strings are valid YAML
	grade, score := "", 0
	if d.Grade != nil {
		grade = *d.Grade
	}
	if d.OverallScore != nil {
		score = *d.OverallScore
	}
	date := generated.UTC()
	if d.CompletedAt != nil {
		date = d.CompletedAt.UTC()
	}
	fmt.Fprintf(&b, "---\nformat: %s\nscanner: %s\nscanId: %s\ndate: %s\ntarget: %s\ndomain: %s\ndepth: %s\ngrade: %s\nscore: %d\n",
		FixFormat, q("Palisade/1.0"), q(d.ID), date.Format(time.RFC3339), q(d.TargetURL), q(d.TargetDomain), d.Depth, q(grade), score)
	fmt.Fprintf(&b, "counts:\n  total: %d\n  critical: %d\n  high: %d\n  medium: %d\n  low: %d\n  info: %d\n---\n\n",
		d.Counts.Total, d.Counts.Critical, d.Counts.High, d.Counts.Medium, d.Counts.Low, d.Counts.Info)

	fmt.Fprintf(&b, "# Security fixes for %s\n\n", d.TargetDomain)
	if grade != "" {
		fmt.Fprintf(&b, "Palisade graded **%s** %s (%d/100) in a %s scan on %s.\n", d.TargetDomain, grade, score, d.Depth, date.Format("2 January 2006"))
	} else {
		fmt.Fprintf(&b, "Palisade's %s scan of **%s** on %s did not complete (%s).\n", d.Depth, d.TargetDomain, date.Format("2 January 2006"), d.Status)
	}
	var fixes []Finding
	for _, f := range d.Findings {
		if f.Severity == scanner.SeverityInfo && f.Recommendation == "" {
			continue
		}
		fixes = append(fixes, f)
	}
	if len(fixes) == 0 {
		b.WriteString("\nNothing to fix: no findings need action.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Apply the %d fixes below in order — the most severe first — then scan again to confirm.\n", len(fixes))
	for i, f := range fixes {
		fmt.Fprintf(&b, "\n## %d. %s [%s]\n\n", i+1, oneLine(f.Title), strings.ToUpper(string(f.Severity)))
		fmt.Fprintf(&b, "- Check: `%s` (%s)\n", f.CheckID, f.Category)
		if f.Evidence != "" {
			fmt.Fprintf(&b, "- Seen: `%s`\n", strings.ReplaceAll(oneLine(f.Evidence), "`", "'"))
		}
		if f.Description != "" {
			fmt.Fprintf(&b, "- Why it matters: %s\n", oneLine(f.Description))
		}
		if f.Recommendation != "" {
			b.WriteString("\nFix:\n\n```\n")
			b.WriteString(strings.TrimSpace(strings.ReplaceAll(f.Recommendation, "```", "'''")))
			b.WriteString("\n```\n")
		}
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
