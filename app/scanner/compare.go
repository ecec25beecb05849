package scanner

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/palisade/palisade/app/scanner/netguard"
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
// port, path; see SameTarget) or without a grade are not comparable. The
// rules are docs/scoring.md ("Comparing two scans"):
//
//   - a check is compared only when it has a judged verdict (pass, warn,
//     fail, info) in both; skipped, error or absent on either side is
//     "not compared", and its findings are neither new nor fixed;
//   - a compared check improved or regressed when the share of its points it
//     earned moved (or, for unscored checks, its status moved); its point
//     delta is what it contributed to the score change;
//   - findings are matched by check id and title.
func Compare(before, after *Result) (*Diff, error) {
	if before == nil || after == nil {
		return nil, &NotComparableError{Reason: "one of the scans has no result"}
	}
	if !SameTarget(before.TargetURL, after.TargetURL) {
		return nil, &NotComparableError{Reason: fmt.Sprintf("the scans are of different targets (%s and %s); only scans of the same scheme, host, port and path are compared",
			TargetLabel(before.TargetURL), TargetLabel(after.TargetURL))}
	}
	for _, r := range []*Result{before, after} {
		if r.NotGraded != nil || r.Grade == "" {
			reason := "it has no grade"
			if r.NotGraded != nil {
				reason = r.NotGraded.Detail
			}
			return nil, &NotComparableError{Reason: "the scan of " + r.ScannedAt.UTC().Format("2 January 2006 15:04 UTC") + " was not graded: " + strings.TrimSuffix(reason, ".")}
		}
	}
	d := &Diff{
		Before:       sideOf(before),
		After:        sideOf(after),
		ScoreDelta:   after.OverallScore - before.OverallScore,
		GradeChanged: before.Grade != after.Grade,
		Checks:       []CheckDiff{},
		Causes:       []CheckDiff{},
		NotCompared:  []string{},
		New:          []Finding{},
		Fixed:        []Finding{},
		StillOpen:    []Finding{},
	}
	bc, ac := checksOf(before), checksOf(after)
	compared := map[string]bool{}
	for _, id := range checkOrder(bc, ac) {
		b, a := bc[id], ac[id]
		cd := CheckDiff{ID: id, Before: stateOf(b), After: stateOf(a)}
		for _, c := range []*CheckResult{a, b} {
			if c != nil {
				cd.Name, cd.Category = c.Name, c.Category
				break
			}
		}
		if b == nil || a == nil || !judged(b.Status) || !judged(a.Status) {
			cd.Change = ChangeNotCompared
			d.NotCompared = append(d.NotCompared, id)
			d.Checks = append(d.Checks, cd)
			continue
		}
		compared[id] = true
		cd.PointsDelta = round2(a.Points - b.Points)
		cd.Change = changeOf(b, a)
		d.Checks = append(d.Checks, cd)
		if cd.Change != ChangeUnchanged {
			d.Causes = append(d.Causes, cd)
		}
	}
	slices.SortStableFunc(d.Causes, func(x, y CheckDiff) int {
		return cmp.Compare(math.Abs(y.PointsDelta), math.Abs(x.PointsDelta))
	})
	inBefore := findingKeys(before.Findings)
	inAfter := findingKeys(after.Findings)
	for _, f := range after.Findings {
		if !compared[f.CheckID] {
			continue
		}
		if inBefore[findingKey(f)] {
			d.StillOpen = append(d.StillOpen, f)
		} else {
			d.New = append(d.New, f)
		}
	}
	for _, f := range before.Findings {
		if compared[f.CheckID] && !inAfter[findingKey(f)] {
			d.Fixed = append(d.Fixed, f)
		}
	}
	return d, nil
}

func sideOf(r *Result) ScanSide {
	return ScanSide{TargetURL: r.TargetURL, Depth: r.Depth, ScannedAt: r.ScannedAt, Grade: r.Grade,
		OverallScore: r.OverallScore, GradeCap: r.GradeCap, ScoringVersion: r.ScoringVersion}
}

// judged reports whether a status is a verdict about the site (as opposed to
// "did not apply" or "could not tell"), so it can be compared.
func judged(s Status) bool {
	switch s {
	case StatusPass, StatusWarn, StatusFail, StatusInfo:
		return true
	}
	return false
}

// statusRank orders judged statuses worst first, for checks whose points
// cannot tell (unscored info, results stored before points existed).
func statusRank(s Status) int {
	switch s {
	case StatusFail:
		return 0
	case StatusWarn:
		return 1
	case StatusInfo:
		return 2
	}
	return 3
}

// changeOf compares the share of its points a check earned, which does not
// depend on how many other checks ran (a DEEP scan spreads a category's
// points over more checks than a QUICK one), and falls back to the status.
func changeOf(b, a *CheckResult) Change {
	if b.MaxPoints > 0 && a.MaxPoints > 0 {
		fb, fa := b.Points/b.MaxPoints, a.Points/a.MaxPoints
		switch {
		case fa > fb+1e-6:
			return ChangeImproved
		case fa < fb-1e-6:
			return ChangeRegressed
		}
		return ChangeUnchanged
	}
	switch rb, ra := statusRank(b.Status), statusRank(a.Status); {
	case ra > rb:
		return ChangeImproved
	case ra < rb:
		return ChangeRegressed
	}
	return ChangeUnchanged
}

func stateOf(c *CheckResult) *CheckState {
	if c == nil {
		return nil
	}
	return &CheckState{Status: c.Status, Points: round2(c.Points), MaxPoints: round2(c.MaxPoints), Value: c.Value, Reason: c.Reason}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func checksOf(r *Result) map[string]*CheckResult {
	m := map[string]*CheckResult{}
	for ci := range r.Categories {
		for i := range r.Categories[ci].Checks {
			c := &r.Categories[ci].Checks[i]
			m[c.ID] = c
		}
	}
	return m
}

// checkOrder is the union of both results' check ids in check-table order,
// ids the table does not know (retired checks) after, sorted.
func checkOrder(a, b map[string]*CheckResult) []string {
	rank := map[string]int{}
	for i, c := range AllChecks() {
		rank[c.ID] = i
	}
	seen := map[string]bool{}
	var ids []string
	for _, m := range []map[string]*CheckResult{a, b} {
		for id := range m {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.SortFunc(ids, func(x, y string) int {
		rx, okx := rank[x]
		ry, oky := rank[y]
		switch {
		case okx && oky:
			return cmp.Compare(rx, ry)
		case okx:
			return -1
		case oky:
			return 1
		}
		return strings.Compare(x, y)
	})
	return ids
}

func findingKey(f Finding) string { return f.CheckID + "\x00" + f.Title }

func findingKeys(fs []Finding) map[string]bool {
	m := make(map[string]bool, len(fs))
	for _, f := range fs {
		m[findingKey(f)] = true
	}
	return m
}

// TargetKey is the identity of a target for comparisons: scheme, host,
// port (always explicit) and path, without the query. ok is false when
// raw is not a URL Palisade could scan.
func TargetKey(raw string) (key string, ok bool) {
	u, err := netguard.Normalize(raw)
	if err != nil {
		return "", false
	}
	path, _, _ := strings.Cut(u.Path, "?")
	return u.Scheme + "://" + u.HostPort() + path, true
}

// SameTarget reports whether two target URLs name the same target: scheme,
// host, port (the scheme's default port when absent) and path.
func SameTarget(a, b string) bool {
	ka, oka := TargetKey(a)
	kb, okb := TargetKey(b)
	return oka && okb && ka == kb
}

// TargetLabel is how lists name a target: the host, with ":port" when the
// port is not the scheme's default, and the path when it is not "/"
// ("localhost:20443", "example.com/shop/"). Unparsable input is returned as is.
func TargetLabel(raw string) string {
	u, err := netguard.Normalize(raw)
	if err != nil {
		return raw
	}
	s := u.Display()
	if u.IP.Is6() {
		s = "[" + s + "]"
	}
	if u.Port != "" {
		s += ":" + u.Port
	}
	if path, _, _ := strings.Cut(u.Path, "?"); path != "/" {
		s += path
	}
	return s
}
