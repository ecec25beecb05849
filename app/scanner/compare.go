package scanner

import (
	"errors"
	"time"
)

// Change is how one check moved between two scans.
type Change string

// Check changes (docs/scoring.md, "Comparing two scans").
const (
	ChangeImproved    Change = "improved"
	ChangeRegressed   Change = "regressed"
	ChangeUnchanged   Change = "unchanged"
	ChangeNotCompared Change = "not-compared" // did not run (or could not be evaluated) in both
)

// CheckState is one check's verdict in one scan.
type CheckState struct {
	Status    Status  `json:"status"`
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"maxPoints"`
	Value     string  `json:"value,omitempty"`
	Reason    string  `json:"reason,omitempty"`
}

// CheckDiff is one check across two scans. Before or After is nil when the
// check is absent from that result.
type CheckDiff struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Category string      `json:"category"`
	Before   *CheckState `json:"before"`
	After    *CheckState `json:"after"`
	Change   Change      `json:"change"`
	// PointsDelta is after − before points (0 when not compared).
	PointsDelta float64 `json:"pointsDelta"`
}

// ScanSide is what a diff shows of each scan.
type ScanSide struct {
	TargetURL      string    `json:"targetUrl"`
	Depth          Depth     `json:"depth"`
	ScannedAt      time.Time `json:"scannedAt"`
	Grade          string    `json:"grade"`
	OverallScore   int       `json:"overallScore"`
	GradeCap       *GradeCap `json:"gradeCap"`
	ScoringVersion string    `json:"scoringVersion"`
}

// Diff is the comparison of two graded results of one target. Findings are
// matched by check id and title; a finding of a check that was not compared
// is in neither New nor Fixed but in NotCompared's checks.
type Diff struct {
	Before     ScanSide `json:"before"`
	After      ScanSide `json:"after"`
	ScoreDelta int      `json:"scoreDelta"`
	// GradeChanged is true when the letter moved.
	GradeChanged bool `json:"gradeChanged"`
	// Checks is every check of either result, in check-table order.
	Checks []CheckDiff `json:"checks"`
	// Causes are the compared checks whose points moved, largest move first:
	// what explains ScoreDelta.
	Causes []CheckDiff `json:"causes"`
	// NotCompared are the ids of checks that did not run in both scans.
	NotCompared []string  `json:"notCompared"`
	New         []Finding `json:"new"`
	Fixed       []Finding `json:"fixed"`
	StillOpen   []Finding `json:"stillOpen"`
}

// NotComparableError says why two results cannot be compared (another
// target, a scan that was not graded).
type NotComparableError struct{ Reason string }

func (e *NotComparableError) Error() string { return "not comparable: " + e.Reason }

// ErrNotComparable matches every NotComparableError with errors.Is.
var ErrNotComparable = errors.New("not comparable")

// Is makes errors.Is(err, ErrNotComparable) true.
func (e *NotComparableError) Is(target error) bool { return target == ErrNotComparable }

// Compare compares two results of one target: per check status and points,
// findings new, fixed and still open, and the grade and score change with
// the checks that caused it. Results of different targets (scheme, host,
// port, path; see SameTarget) or without a grade are not comparable.
//
// TODO(issue 13): implemented by the comparison-engine work.
func Compare(before, after *Result) (*Diff, error) {
	return nil, &NotComparableError{Reason: "comparison not implemented yet"}
}

// SameTarget reports whether two target URLs name the same target: scheme,
// host, port (the default port of the scheme when absent) and path.
//
// TODO(issue 13): implemented by the comparison-engine work.
func SameTarget(a, b string) bool { return a == b }
