package model

import "time"

// ScanSide is one scan of a comparison, as its column shows it.
type ScanSide struct {
	ID        string
	URL       string // the scan's page
	Target    string // host, with its port when not the default
	TargetURL string
	Depth     string
	Grade     string
	Score     *int
	GradeCap  *GradeCap
	// ScannedAt is when the scan ran.
	ScannedAt      time.Time
	ScoringVersion string
}

// CheckState is one check's verdict in one scan.
type CheckState struct {
	Status string
	Points string // "7.5 / 10", empty when not scored
	Reason string
}

// CheckChange is one check across two scans. Before or After is nil when
// the check is absent from that scan.
type CheckChange struct {
	ID       string
	Name     string
	Category string
	Before   *CheckState
	After    *CheckState
	// Change is improved, regressed, unchanged or not-compared.
	Change      string
	Improved    bool
	Regressed   bool
	NotCompared bool
	// PointsDelta is the signed move in points ("+5", "−2.5"; empty when none).
	PointsDelta string
}

// FindingRef names a finding in a comparison.
type FindingRef struct {
	CheckID  string
	Severity string
	Title    string
}

// Changes is the comparison of two graded scans of one target: the scan
// page's "Changes since the previous scan" panel and the compare page.
type Changes struct {
	Before ScanSide
	After  ScanSide
	// ScoreDelta is after − before; ScoreDeltaText is it signed ("+12", "−3", "±0").
	ScoreDelta     int
	ScoreDeltaText string
	GradeChanged   bool
	// Causes are the checks whose points moved, largest move first.
	Causes []CheckChange
	// Checks is every check of either scan, in check-table order.
	Checks []CheckChange
	// NotCompared are the checks that did not run in both scans.
	NotCompared []CheckChange
	New         []FindingRef
	Fixed       []FindingRef
	StillOpen   []FindingRef
	// CompareURL is the compare page of these two scans.
	CompareURL string
}

// CompareOption is another scan of the same target to compare with.
type CompareOption struct {
	ID       string
	Label    string // "2 Dec 2026 00:51 · B (81) · STANDARD"
	Selected bool
}

// ComparePicker is the "Compare with…" GET form.
type ComparePicker struct {
	Action  string // the compare page of the scan shown
	Options []CompareOption
}
