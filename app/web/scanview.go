package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/views/model"
)

// The verdict parts of the scan page and the compare page: what
// docs/scoring.md ("Statuses", "Scans that are not graded", "Comparing two
// scans") says a result means, turned into view models.

// targetLabel is a target as lists show it (scanner.TargetLabel): the host,
// with the port when it is not the scheme's default ("localhost:20443").
func targetLabel(raw string) string { return scanner.TargetLabel(raw) }

// decodeStored reads a scan row's stored result (nil while it has none).
func decodeStored(sc *ent.Scan) (*scanner.Result, error) {
	if sc == nil || sc.Result == "" {
		return nil, nil
	}
	var r scanner.Result
	if err := json.Unmarshal([]byte(sc.Result), &r); err != nil {
		return nil, fmt.Errorf("decoding stored result of %s: %w", sc.ID, err)
	}
	return &r, nil
}

// notGraded is why a finished scan has no grade: the result's own
// NotGraded, or what its status says for results stored without one (a
// cancelled or failed scan is never graded). nil for a graded scan.
func notGraded(status domain.ScanStatus, rowError string, res *scanner.Result) *model.NotGraded {
	// The same rule the scan was stored with (scans.SettleResult), applied
	// to a copy, so results stored before it existed read the same.
	var r scanner.Result
	if res != nil {
		r = *res
	}
	scans.SettleResult(&r, status, rowError)
	ng := r.NotGraded
	if ng == nil {
		return nil
	}
	out := &model.NotGraded{Reason: string(ng.Reason), Detail: ng.Detail, Advice: ng.Advice}
	switch ng.Reason {
	case scanner.NotGradedUnreachable:
		out.Title = "The site could not be reached"
	case scanner.NotGradedBlocked:
		out.Title = "A bot or firewall challenge answered instead of the site"
	case scanner.NotGradedCancelled:
		out.Title = "This scan was cancelled"
	default:
		out.Title = "This scan could not finish"
	}
	if out.Detail == "" {
		out.Detail = "Nothing was judged, so this scan has no grade."
	}
	return out
}

// sentence makes a message one sentence: capitalised, one final stop.
func sentence(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), ".")
	if s == "" {
		return ""
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:]) + "."
}

// points renders earned / max ("7.5 / 10"); empty when the check is not scored.
func points(earned, maxPoints float64) string {
	if maxPoints <= 0 {
		return ""
	}
	return num(earned) + " / " + num(maxPoints)
}

// num is a number of points with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// signed is a move in points: "+5", "−2.5", "±0".
func signed(f float64) string {
	r := math.Round(f*10) / 10
	switch {
	case r > 0:
		return "+" + num(r)
	case r < 0:
		return "−" + num(-r)
	}
	return "±0"
}

// scored reports whether a status earns points at all.
func scored(s scanner.Status) bool { return s != scanner.StatusSkipped && s != scanner.StatusError }

func checkOf(ch scanner.CheckResult) model.Check {
	out := model.Check{ID: ch.ID, Name: ch.Name, Status: string(ch.Status), Reason: ch.Reason, Scored: scored(ch.Status)}
	if out.Scored {
		out.Points = points(ch.Points, ch.MaxPoints)
	}
	return out
}

func fixOf(f *scanner.Fix) *model.Fix {
	if f == nil {
		return nil
	}
	out := &model.Fix{Advice: f.Advice}
	for _, s := range f.Snippets {
		out.Snippets = append(out.Snippets, model.Snippet{Server: string(s.Server), Label: scanner.ServerLabel(s.Server), Code: s.Code})
	}
	return out
}

// duration is how long a scan took, as the page says it.
func duration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case ms <= 0:
		return ""
	case d < time.Second:
		return strconv.FormatInt(ms, 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + " s"
	}
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// checkName finds a check's name in a result ("" when absent).
func checkName(res *scanner.Result, id string) string {
	if res == nil {
		return ""
	}
	for _, c := range res.Categories {
		for _, ch := range c.Checks {
			if ch.ID == id {
				return ch.Name
			}
		}
	}
	return ""
}

func gradeCapOf(res *scanner.Result) *model.GradeCap {
	if res == nil || res.GradeCap == nil {
		return nil
	}
	gc := res.GradeCap
	return &model.GradeCap{Grade: gc.Grade, Reason: gc.Reason, CheckID: gc.CheckID, CheckName: checkName(res, gc.CheckID)}
}

// verdict adds to a scan's view model what its stored result says beyond
// the service's Detail: not graded or capped, when, how long, by which
// rules, each check's points and reason, and each finding's structured fix.
func verdict(out *model.ScanDetail, sc *ent.Scan, res *scanner.Result) {
	out.NotGraded = notGraded(sc.Status, sc.Error, res)
	if sc.CompletedAt != nil {
		out.ScannedAt = sc.CompletedAt.UTC()
	}
	if sc.DurationMs > 0 {
		out.Duration = duration(sc.DurationMs)
	}
	if res != nil {
		if !res.ScannedAt.IsZero() {
			out.ScannedAt = res.ScannedAt.UTC()
		}
		if res.DurationMs > 0 {
			out.Duration = duration(res.DurationMs)
		}
		out.ScoringVersion = res.ScoringVersion
		if c := res.Coverage; c != nil {
			out.Coverage = &model.Coverage{Summary: c.Summary(), Limits: c.Limits()}
		}
	}
	if out.NotGraded != nil {
		// Nothing was judged: no grade, score, categories or fixes.
		out.Grade, out.Score, out.Categories, out.Findings = "", nil, nil, nil
		return
	}
	out.GradeCap = gradeCapOf(res)
	if res == nil {
		return
	}
	// The stored finding rows carry no structured fix; the result does.
	type key struct{ check, title string }
	fixes := map[key]*scanner.Fix{}
	for _, f := range res.Findings {
		if f.Fix != nil {
			fixes[key{f.CheckID, f.Title}] = f.Fix
		}
	}
	for i := range out.Findings {
		f := &out.Findings[i]
		if f.Fix == nil {
			f.Fix = fixOf(fixes[key{f.CheckID, f.Title}])
		}
	}
}

// scanSide is one column of a comparison.
func (h *Handler) scanSide(sc *ent.Scan, res *scanner.Result) model.ScanSide {
	out := model.ScanSide{ID: sc.ID, URL: h.url(RouteScan, sc.ID), Target: targetLabel(sc.TargetURL), TargetURL: sc.TargetURL,
		Depth: string(sc.Depth), Grade: sc.Grade, Score: sc.OverallScore, ScannedAt: sc.CreatedAt.UTC()}
	if sc.CompletedAt != nil {
		out.ScannedAt = sc.CompletedAt.UTC()
	}
	if res != nil {
		if !res.ScannedAt.IsZero() {
			out.ScannedAt = res.ScannedAt.UTC()
		}
		out.GradeCap = gradeCapOf(res)
		out.ScoringVersion = res.ScoringVersion
		if res.Grade != "" {
			out.Grade = res.Grade
			s := res.OverallScore
			out.Score = &s
		}
	}
	return out
}

func checkState(s *scanner.CheckState) *model.CheckState {
	if s == nil {
		return nil
	}
	out := &model.CheckState{Status: string(s.Status), Reason: s.Reason}
	if scored(s.Status) {
		out.Points = points(s.Points, s.MaxPoints)
	}
	return out
}

func checkChange(c scanner.CheckDiff) model.CheckChange {
	out := model.CheckChange{ID: c.ID, Name: c.Name, Category: c.Category, Before: checkState(c.Before), After: checkState(c.After),
		Change: string(c.Change), Improved: c.Change == scanner.ChangeImproved, Regressed: c.Change == scanner.ChangeRegressed,
		NotCompared: c.Change == scanner.ChangeNotCompared}
	if out.Name == "" {
		out.Name = c.ID
	}
	if !out.NotCompared && math.Abs(c.PointsDelta) >= 0.05 {
		out.PointsDelta = signed(c.PointsDelta)
	}
	return out
}

func findingRefs(fs []scanner.Finding) []model.FindingRef {
	out := make([]model.FindingRef, 0, len(fs))
	for _, f := range fs {
		out = append(out, model.FindingRef{CheckID: f.CheckID, Severity: string(f.Severity), Title: f.Title})
	}
	return out
}

// changes is the view of a diff between two scans of one target.
func (h *Handler) changes(before, after *ent.Scan, beforeRes, afterRes *scanner.Result, d *scanner.Diff) *model.Changes {
	out := &model.Changes{Before: h.scanSide(before, beforeRes), After: h.scanSide(after, afterRes),
		ScoreDelta: d.ScoreDelta, ScoreDeltaText: signed(float64(d.ScoreDelta)), GradeChanged: d.GradeChanged,
		New: findingRefs(d.New), Fixed: findingRefs(d.Fixed), StillOpen: findingRefs(d.StillOpen),
		CompareURL: h.compareURL(after.ID, before.ID)}
	for _, c := range d.Causes {
		out.Causes = append(out.Causes, checkChange(c))
	}
	notCompared := map[string]bool{}
	for _, id := range d.NotCompared {
		notCompared[id] = true
	}
	for _, c := range d.Checks {
		cc := checkChange(c)
		out.Checks = append(out.Checks, cc)
		if cc.NotCompared || notCompared[c.ID] {
			cc.NotCompared = true
			out.NotCompared = append(out.NotCompared, cc)
			delete(notCompared, c.ID)
		}
	}
	// Ids the diff names as not compared without a row of their own.
	for _, id := range d.NotCompared {
		if notCompared[id] {
			out.NotCompared = append(out.NotCompared, model.CheckChange{ID: id, Name: id, NotCompared: true, Change: string(scanner.ChangeNotCompared)})
		}
	}
	return out
}

// compareURL is the compare page of scan id against another.
func (h *Handler) compareURL(id, against string) string {
	q := url.Values{}
	if against != "" {
		q.Set("against", against)
	}
	return withQuery(h.url(RouteScanCompare, id), q)
}

// graded reports whether a stored scan has a verdict that can be compared.
func graded(sc *ent.Scan, res *scanner.Result) bool {
	return sc.Status == domain.StatusCompleted && res != nil && res.NotGraded == nil && res.Grade != ""
}

// comparePicker lists the account's other graded scans of the same target,
// newest first, for the "Compare with…" form; selected is preselected.
func (h *Handler) comparePicker(ctx context.Context, accountID string, sc *ent.Scan, selected string) (model.ComparePicker, error) {
	out := model.ComparePicker{Action: h.url(RouteScanCompare, sc.ID)}
	items, _, err := h.scans.List(ctx, accountID, scans.ListParams{Page: 1, Limit: scans.MaxLimit,
		Status: string(domain.StatusCompleted), Domain: sc.TargetDomain})
	if err != nil {
		return out, err
	}
	for _, it := range items {
		if it.ID == sc.ID || it.Grade == "" || !scanner.SameTarget(it.TargetURL, sc.TargetURL) {
			continue
		}
		label := it.CreatedAt.UTC().Format("2 Jan 2006 15:04") + " · " + it.Grade
		if it.OverallScore != nil {
			label += " (" + strconv.Itoa(*it.OverallScore) + ")"
		}
		label += " · " + string(it.Depth)
		out.Options = append(out.Options, model.CompareOption{ID: it.ID, Label: label, Selected: it.ID == selected})
	}
	return out, nil
}
