package reports

import (
	"strings"

	"github.com/palisade/palisade/app/scanner"
)

// rgb is a colour on the page. The palette is deliberately small: greys for
// text and rules, one brand navy, and colour only where it carries meaning
// (severity and grade).
type rgb struct{ r, g, b int }

var (
	colInk    = rgb{17, 24, 39}    // headings, emphasis
	colBody   = rgb{55, 65, 81}    // running text
	colMuted  = rgb{107, 114, 128} // labels, meta
	colFaint  = rgb{156, 163, 175} // zero counts, leaders
	colRule   = rgb{229, 231, 235} // hairlines
	colPanel  = rgb{243, 244, 246} // code and evidence blocks, empty bars
	colPanel2 = rgb{249, 250, 251} // cover panel
	colBrand  = rgb{30, 58, 95}    // Palisade navy
	colWhite  = rgb{255, 255, 255}
	colGood   = rgb{21, 128, 61}
	colBad    = rgb{185, 28, 28}
)

// severityColor is the one colour each severity is shown in, everywhere.
func severityColor(s scanner.Severity) rgb {
	switch s {
	case scanner.SeverityCritical:
		return rgb{153, 27, 27}
	case scanner.SeverityHigh:
		return rgb{220, 38, 38}
	case scanner.SeverityMedium:
		return rgb{217, 119, 6}
	case scanner.SeverityLow:
		return rgb{37, 99, 235}
	}
	return rgb{107, 114, 128}
}

// severities lists the severities most severe first; findings of a severity
// the scanner may add later fall under info (scanner.SeverityRank does the same).
var severities = []scanner.Severity{
	scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium,
	scanner.SeverityLow, scanner.SeverityInfo,
}

// normSeverity maps any severity string onto one of severities.
func normSeverity(s scanner.Severity) scanner.Severity {
	return severities[scanner.SeverityRank(scanner.Severity(strings.ToLower(string(s))))]
}

func severityLabel(s scanner.Severity) string {
	switch normSeverity(s) {
	case scanner.SeverityCritical:
		return "Critical"
	case scanner.SeverityHigh:
		return "High"
	case scanner.SeverityMedium:
		return "Medium"
	case scanner.SeverityLow:
		return "Low"
	}
	return "Info"
}

// gradeColor runs from green (A+) to red (F); anything else is grey.
func gradeColor(g string) rgb {
	switch strings.ToUpper(strings.TrimSpace(g)) {
	case "A+":
		return rgb{21, 128, 61}
	case "A", "A-":
		return rgb{22, 163, 74}
	case "B", "B+", "B-":
		return rgb{101, 163, 13}
	case "C", "C+", "C-":
		return rgb{202, 138, 4}
	case "D", "D+", "D-":
		return rgb{234, 88, 12}
	case "F":
		return rgb{220, 38, 38}
	}
	return colMuted
}

// gradeVerdict says in plain words what a grade means, for the cover and
// the executive summary.
func gradeVerdict(g string) string {
	switch strings.ToUpper(strings.TrimSpace(g)) {
	case "A+":
		return "Excellent. The site follows current best practice."
	case "A":
		return "Strong. The essential protections are in place; minor improvements remain."
	case "B":
		return "Good, with gaps. Most protections are in place, but some are missing."
	case "C":
		return "Fair. Several important protections are missing or misconfigured."
	case "D":
		return "Weak. Significant problems leave visitors exposed to common attacks."
	case "F":
		return "Failing. Serious problems need immediate attention."
	}
	return "The scan did not produce a grade."
}

// categoryLabel is how a category id reads in a table.
func categoryLabel(name string) string {
	switch strings.ToLower(name) {
	case "tls":
		return "TLS"
	case "dns":
		return "DNS"
	case "headers":
		return "Headers"
	case "cookies":
		return "Cookies"
	case "redirects":
		return "Redirects"
	case "exposure":
		return "Exposure"
	case "content":
		return "Content"
	}
	if name == "" {
		return "Other"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

func depthLabel(d scanner.Depth) string {
	switch d {
	case scanner.Quick:
		return "Quick"
	case scanner.Standard:
		return "Standard"
	case scanner.Deep:
		return "Deep"
	}
	if d == "" {
		return "—"
	}
	return string(d)
}
