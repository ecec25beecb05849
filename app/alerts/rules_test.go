package alerts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
)

var ruleNow = time.Date(2027, 1, 1, 6, 0, 0, 0, time.UTC)

// resultOpt changes a synthetic result.
type resultOpt func(*scanner.Result)

// ruleResult is a graded result of https://example.com/ with two passing
// header checks; the options fail checks, add a certificate or origins.
func ruleResult(grade string, score int, opts ...resultOpt) *scanner.Result {
	r := &scanner.Result{TargetURL: "https://example.com/", Depth: scanner.Quick, Grade: grade, OverallScore: score, ScannedAt: ruleNow,
		Categories: []scanner.Category{{Name: "headers", Checks: []scanner.CheckResult{
			{ID: "headers.csp", Name: "Content-Security-Policy", Category: "headers", Status: scanner.StatusPass, Points: 10, MaxPoints: 10},
			{ID: "headers.hsts", Name: "Strict-Transport-Security", Category: "headers", Status: scanner.StatusPass, Points: 10, MaxPoints: 10},
			{ID: "headers.xcto", Name: "X-Content-Type-Options", Category: "headers", Status: scanner.StatusPass, Points: 5, MaxPoints: 5},
		}}},
		Findings: []scanner.Finding{},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// failing makes check id fail with a finding of severity sev.
func failing(id string, sev scanner.Severity, title string) resultOpt {
	return func(r *scanner.Result) {
		for i := range r.Categories[0].Checks {
			c := &r.Categories[0].Checks[i]
			if c.ID == id {
				c.Status, c.Points = scanner.StatusFail, 0
			}
		}
		r.Findings = append(r.Findings, scanner.Finding{CheckID: id, Category: "headers", Severity: sev, Title: title})
	}
}

// extraChecks adds n more header checks, failing with a high finding each when fail is set.
func extraChecks(n int, fail bool) resultOpt {
	return func(r *scanner.Result) {
		for i := range n {
			id := fmt.Sprintf("headers.extra%02d", i)
			c := scanner.CheckResult{ID: id, Name: "Extra " + id, Category: "headers", Status: scanner.StatusPass, Points: 1, MaxPoints: 1}
			if fail {
				c.Status, c.Points = scanner.StatusFail, 0
				r.Findings = append(r.Findings, scanner.Finding{CheckID: id, Category: "headers", Severity: scanner.SeverityHigh, Title: "Missing " + id})
			}
			r.Categories[0].Checks = append(r.Categories[0].Checks, c)
		}
	}
}

// notRun makes check id an error (it could not be evaluated).
func notRun(id string) resultOpt {
	return func(r *scanner.Result) {
		for i := range r.Categories[0].Checks {
			if c := &r.Categories[0].Checks[i]; c.ID == id {
				c.Status, c.Points, c.MaxPoints = scanner.StatusError, 0, 0
			}
		}
	}
}

func withCert(daysLeft float64) resultOpt {
	return func(r *scanner.Result) {
		r.TLS = &scanner.TLSInfo{Subject: "CN=example.com", NotBefore: ruleNow.Add(-60 * 24 * time.Hour),
			NotAfter: ruleNow.Add(time.Duration(daysLeft * 24 * float64(time.Hour)))}
	}
}

// withCertLife is a certificate valid for lifeDays in all, daysLeft of them left.
func withCertLife(daysLeft, lifeDays float64) resultOpt {
	return func(r *scanner.Result) {
		na := ruleNow.Add(time.Duration(daysLeft * 24 * float64(time.Hour)))
		r.TLS = &scanner.TLSInfo{Subject: "CN=example.com", NotAfter: na, NotBefore: na.Add(-time.Duration(lifeDays * 24 * float64(time.Hour)))}
	}
}

func withOrigins(o ...string) resultOpt { return func(r *scanner.Result) { r.ScriptOrigins = o } }

func graded(id string, src domain.Trigger, res *scanner.Result) Run {
	return Run{ScanID: id, Source: src, Graded: true, Result: res, At: ruleNow}
}

func failedRun(id string, src domain.Trigger, reason string, opts ...resultOpt) Run {
	res := &scanner.Result{TargetURL: "https://example.com/", NotGraded: &scanner.NotGraded{Reason: scanner.NotGradedUnreachable, Detail: reason}}
	for _, o := range opts {
		o(res)
	}
	return Run{ScanID: id, Source: src, Result: res, Reason: reason, At: ruleNow}
}

func base(id string, res *scanner.Result) *Run {
	r := graded(id, domain.TriggerMonitor, res)
	return &r
}

func openState(k domain.AlertKind, o domain.OpenAlert) domain.MonitorState {
	return domain.MonitorState{Open: map[domain.AlertKind]domain.OpenAlert{k: o}}
}

// TestDecide is the table of docs/monitoring.md, "Alert rules".
func TestDecide(t *testing.T) {
	all := domain.DefaultAlertRules("ops@example.com")
	const high, medium = scanner.SeverityHigh, scanner.SeverityMedium
	A := ruleResult("A", 85)
	B := ruleResult("B", 75, failing("headers.xcto", medium, "X-Content-Type-Options missing"))
	C := ruleResult("C", 65, failing("headers.csp", high, "No Content-Security-Policy"))
	D := ruleResult("D", 55, failing("headers.csp", high, "No Content-Security-Policy"), failing("headers.hsts", medium, "No HSTS"))
	AHigh := ruleResult("A", 82, failing("headers.xcto", high, "Sniffing allowed"))
	AMedium := ruleResult("A", 82, failing("headers.xcto", medium, "Sniffing allowed"))
	pending := domain.MonitorState{Confirming: &domain.Confirmation{ScanID: "scn_k", RunScanID: "scn_r", BaselineScanID: "scn_b"}}

	type want struct {
		kinds    []domain.AlertKind
		summary  []string // one substring per alert, in order
		confirm  bool
		check    func(t *testing.T, d Decision)
		noChange bool // the state is the input's but for LastEvaluatedScanID
	}
	for _, tc := range []struct {
		name string
		in   RuleInput
		want want
	}{
		// Grade.
		{"first run records, alerts nothing", RuleInput{Rules: all, Run: graded("scn_1", domain.TriggerMonitor, ruleResult("A", 85, withOrigins("https://cdn.a.test"), withCert(80)))},
			want{check: func(t *testing.T, d Decision) {
				if !slices.Equal(d.State.ScriptOrigins, []string{"https://cdn.a.test"}) || d.State.CertNotAfter.IsZero() || d.State.LastEvaluatedScanID != "scn_1" {
					t.Errorf("state %+v", d.State)
				}
			}}},
		{"same grade", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_2", domain.TriggerMonitor, A)}, want{noChange: true}},
		{"a drop waits for its confirmation", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, C)},
			want{confirm: true, check: func(t *testing.T, d Decision) {
				if c := d.State.Confirming; c == nil || c.RunScanID != "scn_r" || c.BaselineScanID != "scn_b" || c.ScanID != "" {
					t.Errorf("Confirming = %+v", c)
				}
			}}},
		{"a confirmed drop alerts with its causes", RuleInput{Rules: all, State: pending, Confirming: true, Baseline: base("scn_b", A), Run: graded("scn_k", domain.TriggerConfirm, C)},
			want{kinds: []domain.AlertKind{domain.AlertGradeDrop}, summary: []string{"example.com dropped from A to C"}, check: func(t *testing.T, d Decision) {
				c := d.Alerts[0].Content
				if len(c.Changes) != 1 || c.Changes[0].CheckID != "headers.csp" || c.Changes[0].Before != "pass" || c.Changes[0].After != "fail" || c.Changes[0].PointsDelta != -10 {
					t.Errorf("changes %+v", c.Changes)
				}
				if len(c.NewFindings) != 1 || c.NewFindings[0].Severity != "high" || c.NewFindings[0].Title != "No Content-Security-Policy" {
					t.Errorf("new findings %+v", c.NewFindings)
				}
				if c.ScanID != "scn_k" || c.PreviousScanID != "scn_b" || c.Grade != "C" || c.PreviousGrade != "A" || *c.Score != 65 || *c.PreviousScore != 85 {
					t.Errorf("content %+v", c)
				}
				if c.URL != "https://palisade.test/scans/scn_k" || c.CompareURL != "https://palisade.test/scans/scn_k/compare?against=scn_b" || c.SiteURL != "https://palisade.test/sites/sit_1" {
					t.Errorf("links %q %q %q", c.URL, c.CompareURL, c.SiteURL)
				}
				if o := d.Alerts[0].Opens; o == nil || o.Grade != "A" || o.ScanID != "scn_k" {
					t.Errorf("opens %+v", o)
				}
				if d.State.Confirming != nil {
					t.Errorf("still confirming %+v", d.State.Confirming)
				}
			}}},
		{"a drop with 25 regressed checks lists 20 of each and counts all", RuleInput{Rules: all, State: pending, Confirming: true,
			Baseline: base("scn_b", ruleResult("A", 85, extraChecks(25, false))), Run: graded("scn_k", domain.TriggerConfirm, ruleResult("D", 55, extraChecks(25, true)))},
			want{kinds: []domain.AlertKind{domain.AlertGradeDrop}, summary: []string{"dropped from A to D"}, check: func(t *testing.T, d Decision) {
				c := d.Alerts[0].Content
				if len(c.Changes) != 20 || c.ChangesTotal != 25 || len(c.NewFindings) != 20 || c.NewFindingsTotal != 25 {
					t.Errorf("changes %d of %d, findings %d of %d", len(c.Changes), c.ChangesTotal, len(c.NewFindings), c.NewFindingsTotal)
				}
			}}},
		{"flap: the confirmation is good again", RuleInput{Rules: all, State: pending, Confirming: true, Baseline: base("scn_b", A), Run: graded("scn_k", domain.TriggerConfirm, A)},
			want{check: func(t *testing.T, d Decision) {
				if d.State.Confirming != nil {
					t.Errorf("still confirming %+v", d.State.Confirming)
				}
			}}},
		{"a confirmation never asks for another", RuleInput{Rules: all, State: pending, Confirming: true, Baseline: base("scn_b", A), Run: failedRun("scn_k", domain.TriggerConfirm, "the connection was refused")},
			want{check: func(t *testing.T, d Decision) {
				if c := d.State.Confirming; c == nil || c.BaselineScanID != "scn_b" {
					t.Errorf("a confirmation that was not graded should leave the regression pending: %+v", c)
				}
			}}},
		{"a drop with the rule off", RuleInput{Rules: domain.AlertRules{}, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, C)}, want{noChange: true}},
		{"below B: A to B is not below", RuleInput{Rules: domain.AlertRules{GradeBelow: "B"}, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, B)}, want{noChange: true}},
		{"below B: B to C asks for confirmation", RuleInput{Rules: domain.AlertRules{GradeBelow: "B"}, Baseline: base("scn_b", B), Run: graded("scn_r", domain.TriggerMonitor, C)}, want{confirm: true}},
		{"below b (any case): A to C confirmed", RuleInput{Rules: domain.AlertRules{GradeBelow: "b"}, Confirming: true, State: pending, Baseline: base("scn_b", A), Run: graded("scn_k", domain.TriggerConfirm, C)},
			want{kinds: []domain.AlertKind{domain.AlertGradeDrop}, summary: []string{"dropped from A to C"}}},
		{"below B: C to D is already below", RuleInput{Rules: domain.AlertRules{GradeBelow: "B"}, Confirming: true, State: pending, Baseline: base("scn_b", C), Run: graded("scn_k", domain.TriggerConfirm, D)}, want{}},
		{"a further drop while one is open alerts, the first stays open", RuleInput{Rules: all, Confirming: true,
			State:    domain.MonitorState{Confirming: pending.Confirming, Open: map[domain.AlertKind]domain.OpenAlert{domain.AlertGradeDrop: {AlertID: "alr_1", Grade: "A"}}},
			Baseline: base("scn_b", C), Run: graded("scn_k", domain.TriggerConfirm, D)},
			want{kinds: []domain.AlertKind{domain.AlertGradeDrop}, summary: []string{"dropped from C to D"}, check: func(t *testing.T, d Decision) {
				if d.Alerts[0].Opens != nil || d.State.Open[domain.AlertGradeDrop].AlertID != "alr_1" {
					t.Errorf("the first alert should stay the open one: %+v %+v", d.Alerts[0].Opens, d.State.Open)
				}
			}}},
		// Findings.
		{"a new high finding without a grade change asks for confirmation", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, AHigh)}, want{confirm: true}},
		{"a confirmed new high finding", RuleInput{Rules: all, State: pending, Confirming: true, Baseline: base("scn_b", A), Run: graded("scn_k", domain.TriggerConfirm, AHigh)},
			want{kinds: []domain.AlertKind{domain.AlertNewFindings}, summary: []string{"example.com has 1 new high finding"}, check: func(t *testing.T, d Decision) {
				if o := d.Alerts[0].Opens; o == nil || !slices.Equal(o.Keys, []string{"headers.xcto Sniffing allowed"}) {
					t.Errorf("opens %+v", o)
				}
				if c := d.Alerts[0].Content; len(c.Changes) != 1 || c.Changes[0].CheckID != "headers.xcto" {
					t.Errorf("changes %+v", c.Changes)
				}
			}}},
		{"a new medium finding is not alerted", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, AMedium)}, want{noChange: true}},
		{"new findings with the rule off", RuleInput{Rules: domain.AlertRules{GradeDrop: true}, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, AHigh)}, want{noChange: true}},
		{"a drop with new findings is one message", RuleInput{Rules: all, State: pending, Confirming: true, Baseline: base("scn_b", A), Run: graded("scn_k", domain.TriggerConfirm, D)},
			want{kinds: []domain.AlertKind{domain.AlertGradeDrop}, summary: []string{"dropped from A to D"}, check: func(t *testing.T, d Decision) {
				c := d.Alerts[0].Content
				if len(c.NewFindings) != 2 || c.NewFindings[0].Severity != "high" || c.NewFindings[1].Severity != "medium" {
					t.Errorf("new findings, worst first: %+v", c.NewFindings)
				}
			}}},
		{"counts critical and high", RuleInput{Rules: all, State: pending, Confirming: true, Baseline: base("scn_b", A),
			Run: graded("scn_k", domain.TriggerConfirm, ruleResult("A", 80, failing("headers.xcto", scanner.SeverityCritical, "x"), failing("headers.hsts", high, "y"), failing("headers.csp", high, "z")))},
			want{kinds: []domain.AlertKind{domain.AlertNewFindings}, summary: []string{"has 1 new critical finding and 2 new high findings"}}},
		// Recoveries.
		{"back to the grade before the drop resolves once", RuleInput{Rules: all, State: openState(domain.AlertGradeDrop, domain.OpenAlert{AlertID: "alr_1", Grade: "A"}), Baseline: base("scn_b", C), Run: graded("scn_3", domain.TriggerMonitor, A)},
			want{kinds: []domain.AlertKind{domain.AlertResolved}, summary: []string{"example.com recovered: back to A"}, check: func(t *testing.T, d Decision) {
				p := d.Alerts[0]
				if p.Content.Resolves != domain.AlertGradeDrop || p.Content.ResolvesAlertID != "alr_1" || !strings.Contains(p.DedupeKey, "alr_1") || p.Opens != nil {
					t.Errorf("resolved %+v key %q", p.Content, p.DedupeKey)
				}
				if len(d.State.Open) != 0 {
					t.Errorf("still open %+v", d.State.Open)
				}
			}}},
		{"better but not back", RuleInput{Rules: all, State: openState(domain.AlertGradeDrop, domain.OpenAlert{AlertID: "alr_1", Grade: "A"}), Baseline: base("scn_b", C), Run: graded("scn_3", domain.TriggerMonitor, B)}, want{noChange: true}},
		{"resolved already: nothing", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_4", domain.TriggerMonitor, A)}, want{noChange: true}},
		{"new findings gone", RuleInput{Rules: all, State: openState(domain.AlertNewFindings, domain.OpenAlert{AlertID: "alr_2", Keys: []string{"headers.xcto Sniffing allowed"}}), Baseline: base("scn_b", AHigh), Run: graded("scn_5", domain.TriggerMonitor, A)},
			want{kinds: []domain.AlertKind{domain.AlertResolved}, summary: []string{"recovered: the new finding is gone"}}},
		{"new findings still there", RuleInput{Rules: all, State: openState(domain.AlertNewFindings, domain.OpenAlert{AlertID: "alr_2", Keys: []string{"headers.xcto Sniffing allowed"}}), Baseline: base("scn_b", AHigh), Run: graded("scn_5", domain.TriggerMonitor, AHigh)}, want{noChange: true}},
		{"a check that did not run is not a fix", RuleInput{Rules: all, State: openState(domain.AlertNewFindings, domain.OpenAlert{AlertID: "alr_2", Keys: []string{"headers.xcto Sniffing allowed"}}), Baseline: base("scn_b", AHigh), Run: graded("scn_5", domain.TriggerMonitor, ruleResult("A", 85, notRun("headers.xcto")))}, want{noChange: true}},
		// Unreachable.
		{"a first failure waits for its confirmation", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: failedRun("scn_r", domain.TriggerMonitor, "the connection was refused")},
			want{confirm: true, check: func(t *testing.T, d Decision) {
				if d.State.FailStreak != 1 || d.State.Confirming == nil || d.State.Confirming.BaselineScanID != "scn_b" {
					t.Errorf("state %+v", d.State)
				}
			}}},
		{"twice in a row alerts with the reason", RuleInput{Rules: all, State: domain.MonitorState{FailStreak: 1, Confirming: pending.Confirming}, Confirming: true, Baseline: base("scn_b", A), Run: failedRun("scn_k", domain.TriggerConfirm, "the connection was refused.")},
			want{kinds: []domain.AlertKind{domain.AlertUnreachable}, summary: []string{"example.com could not be scanned twice in a row: the connection was refused"}, check: func(t *testing.T, d Decision) {
				c := d.Alerts[0].Content
				if c.Reason != "the connection was refused." || c.Grade != "" || c.Score != nil || c.CompareURL != "" || d.Alerts[0].Opens == nil || d.State.FailStreak != 2 {
					t.Errorf("content %+v state %+v", c, d.State)
				}
			}}},
		{"a third failure sends nothing more", RuleInput{Rules: all, State: domain.MonitorState{FailStreak: 2, Open: map[domain.AlertKind]domain.OpenAlert{domain.AlertUnreachable: {AlertID: "alr_3"}}}, Baseline: base("scn_b", A), Run: failedRun("scn_6", domain.TriggerMonitor, "refused")},
			want{check: func(t *testing.T, d Decision) {
				if d.State.FailStreak != 3 || d.State.Confirming != nil {
					t.Errorf("state %+v", d.State)
				}
			}}},
		{"failures with the rule off", RuleInput{Rules: domain.AlertRules{GradeDrop: true}, Baseline: base("scn_b", A), Run: failedRun("scn_r", domain.TriggerMonitor, "refused")}, want{}},
		{"graded again resolves unreachable", RuleInput{Rules: all, State: domain.MonitorState{FailStreak: 2, Open: map[domain.AlertKind]domain.OpenAlert{domain.AlertUnreachable: {AlertID: "alr_3"}}}, Baseline: base("scn_b", A), Run: graded("scn_7", domain.TriggerMonitor, A)},
			want{kinds: []domain.AlertKind{domain.AlertResolved}, summary: []string{"example.com recovered: it can be scanned again (grade A)"}, check: func(t *testing.T, d Decision) {
				if d.State.FailStreak != 0 || len(d.State.Open) != 0 {
					t.Errorf("state %+v", d.State)
				}
			}}},
		// Certificates.
		{"20 days left crosses 30", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_8", domain.TriggerMonitor, ruleResult("A", 85, withCert(20.5)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"The certificate of example.com expires in 20 days (21 January 2027)"}, check: func(t *testing.T, d Decision) {
				c := d.Alerts[0].Content.Certificate
				if c == nil || c.Threshold != 30 || c.DaysLeft != 20 || c.Subject != "CN=example.com" || !slices.Equal(d.State.CertAlerted, []int{30}) {
					t.Errorf("certificate %+v alerted %v", c, d.State.CertAlerted)
				}
			}}},
		{"the same threshold alerts once", RuleInput{Rules: all, State: domain.MonitorState{CertNotAfter: ruleNow.Add(492 * time.Hour), CertAlerted: []int{30}}, Baseline: base("scn_b", A), Run: graded("scn_9", domain.TriggerMonitor, ruleResult("A", 85, withCert(20.5)))}, want{noChange: true}},
		{"10 days left crosses 14", RuleInput{Rules: all, State: domain.MonitorState{CertNotAfter: ruleNow.Add(246 * time.Hour), CertAlerted: []int{30}}, Baseline: base("scn_b", A), Run: graded("scn_10", domain.TriggerMonitor, ruleResult("A", 85, withCert(10.25)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 10 days"}, check: func(t *testing.T, d Decision) {
				if d.Alerts[0].Content.Certificate.Threshold != 14 || !slices.Equal(d.State.CertAlerted, []int{30, 14}) {
					t.Errorf("threshold %d alerted %v", d.Alerts[0].Content.Certificate.Threshold, d.State.CertAlerted)
				}
			}}},
		{"found with 5 days left: one alert for 7, 30 and 14 done", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_11", domain.TriggerMonitor, ruleResult("A", 85, withCert(5.5)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 5 days"}, check: func(t *testing.T, d Decision) {
				if d.Alerts[0].Content.Certificate.Threshold != 7 || !slices.Equal(d.State.CertAlerted, []int{30, 14, 7}) {
					t.Errorf("threshold %d alerted %v", d.Alerts[0].Content.Certificate.Threshold, d.State.CertAlerted)
				}
			}}},
		{"expired", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_12", domain.TriggerMonitor, ruleResult("A", 85, withCert(-2.5)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expired 3 days ago"}}},
		{"a renewal resolves and starts over", RuleInput{Rules: all,
			State:    domain.MonitorState{CertNotAfter: ruleNow.Add(120 * time.Hour), CertAlerted: []int{30, 14, 7}, Open: map[domain.AlertKind]domain.OpenAlert{domain.AlertCertExpiry: {AlertID: "alr_4"}}},
			Baseline: base("scn_b", A), Run: graded("scn_13", domain.TriggerMonitor, ruleResult("A", 85, withCert(89.5)))},
			want{kinds: []domain.AlertKind{domain.AlertResolved}, summary: []string{"recovered: the certificate was renewed"}, check: func(t *testing.T, d Decision) {
				if len(d.State.CertAlerted) != 0 || !d.State.CertNotAfter.After(ruleNow.Add(80*24*time.Hour)) || len(d.State.Open) != 0 {
					t.Errorf("state %+v", d.State)
				}
			}}},
		{"a renewed certificate's thresholds alert again", RuleInput{Rules: all, State: domain.MonitorState{CertNotAfter: ruleNow.Add(120 * time.Hour), CertAlerted: []int{30, 14, 7}},
			Baseline: base("scn_b", A), Run: graded("scn_14", domain.TriggerMonitor, ruleResult("A", 85, withCert(25.5)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 25 days"}}},
		{"a short-lived certificate is not alerted at thresholds of half its life or more", RuleInput{Rules: all, Baseline: base("scn_b", A),
			Run: graded("scn_16", domain.TriggerMonitor, ruleResult("A", 85, withCertLife(3, 6)))}, want{}},
		{"a short-lived certificate still alerts at a shorter threshold", RuleInput{Rules: domain.AlertRules{CertExpiryDays: []int{30, 14, 2}}, Baseline: base("scn_b", A),
			Run: graded("scn_17", domain.TriggerMonitor, ruleResult("A", 85, withCertLife(1.5, 6)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 1 day"}}},
		{"a 47-day certificate skips 30 and alerts at 14", RuleInput{Rules: all, Baseline: base("scn_b", A),
			Run: graded("scn_18", domain.TriggerMonitor, ruleResult("A", 85, withCertLife(12.5, 47)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 12 days"}, check: func(t *testing.T, d Decision) {
				if d.Alerts[0].Content.Certificate.Threshold != 14 || !slices.Equal(d.State.CertAlerted, []int{14}) {
					t.Errorf("threshold %d alerted %v", d.Alerts[0].Content.Certificate.Threshold, d.State.CertAlerted)
				}
			}}},
		{"no thresholds, no certificate alerts", RuleInput{Rules: domain.AlertRules{GradeDrop: true}, Baseline: base("scn_b", A), Run: graded("scn_15", domain.TriggerMonitor, ruleResult("A", 85, withCert(3)))}, want{}},
		{"a certificate needs no confirmation, even beside a drop", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: graded("scn_r", domain.TriggerMonitor, ruleResult("C", 65, failing("headers.csp", high, "No CSP"), withCert(12.5)))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 12 days (13 January 2027)"}, confirm: true}},
		{"a run that is not graded still reads its certificate", RuleInput{Rules: all, Baseline: base("scn_b", A), Run: failedRun("scn_r", domain.TriggerMonitor, "blocked", withCert(6.5))},
			want{kinds: []domain.AlertKind{domain.AlertCertExpiry}, summary: []string{"expires in 6 days"}, confirm: true}},
		// Script origins.
		{"a new script origin", RuleInput{Rules: all, State: domain.MonitorState{ScriptOrigins: []string{"https://cdn.a.test"}}, Baseline: base("scn_b", A),
			Run: graded("scn_16", domain.TriggerMonitor, ruleResult("A", 85, withOrigins("https://cdn.a.test", "https://cdn.evil.test")))},
			want{kinds: []domain.AlertKind{domain.AlertScriptOrigin}, summary: []string{"example.com loads script from a new origin: cdn.evil.test"}, check: func(t *testing.T, d Decision) {
				if !slices.Equal(d.Alerts[0].Content.ScriptOrigins, []string{"https://cdn.evil.test"}) || !slices.Equal(d.State.ScriptOrigins, []string{"https://cdn.a.test", "https://cdn.evil.test"}) {
					t.Errorf("origins %q state %q", d.Alerts[0].Content.ScriptOrigins, d.State.ScriptOrigins)
				}
			}}},
		{"several new origins", RuleInput{Rules: all, Baseline: base("scn_b", A),
			Run: graded("scn_17", domain.TriggerMonitor, ruleResult("A", 85, withOrigins("http://a.test", "https://b.test", "https://c.test", "https://d.test")))},
			want{kinds: []domain.AlertKind{domain.AlertScriptOrigin}, summary: []string{"loads script from 4 new origins: http://a.test, b.test, c.test and 1 more"}}},
		{"known origins", RuleInput{Rules: all, State: domain.MonitorState{ScriptOrigins: []string{"https://cdn.a.test"}}, Baseline: base("scn_b", A), Run: graded("scn_18", domain.TriggerMonitor, ruleResult("A", 85, withOrigins("https://cdn.a.test")))}, want{noChange: true}},
		{"origins with the rule off are recorded", RuleInput{Rules: domain.AlertRules{GradeDrop: true}, Baseline: base("scn_b", A), Run: graded("scn_19", domain.TriggerMonitor, ruleResult("A", 85, withOrigins("https://x.test")))},
			want{check: func(t *testing.T, d Decision) {
				if !slices.Equal(d.State.ScriptOrigins, []string{"https://x.test"}) {
					t.Errorf("origins %q", d.State.ScriptOrigins)
				}
			}}},
		// Text from the site.
		{"hostile text is bounded and on one line", RuleInput{Rules: all, State: domain.MonitorState{FailStreak: 1}, Confirming: true, Site: SiteRef{ID: "sit_1", Name: "shop"},
			Run: failedRun("scn_20", domain.TriggerMonitor, "bad\r\nBcc: x@evil.test "+strings.Repeat("é", 400))},
			want{kinds: []domain.AlertKind{domain.AlertUnreachable}, summary: []string{"shop could not be scanned twice in a row: bad  Bcc"}, check: func(t *testing.T, d Decision) {
				c := d.Alerts[0].Content
				if strings.ContainsAny(c.Summary+c.Reason, "\r\n") || len(c.Reason) > maxReason || len(c.Summary) > 300 || !strings.HasSuffix(c.Reason, "…") {
					t.Errorf("summary %q reason %q", c.Summary, c.Reason)
				}
			}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.MonitorID, in.BaseURL = "mon_1", "https://palisade.test/"
			if in.Site.Name == "" {
				in.Site = SiteRef{ID: "sit_1", URL: "https://example.com/", Name: "example.com"}
			}
			before := cloneState(in.State)
			d := Decide(in)
			var kinds []domain.AlertKind
			for _, p := range d.Alerts {
				kinds = append(kinds, p.Kind)
			}
			if !slices.Equal(kinds, tc.want.kinds) {
				t.Fatalf("alerts %v, want %v (%+v)", kinds, tc.want.kinds, d.Alerts)
			}
			for i, s := range tc.want.summary {
				if got := d.Alerts[i].Content.Summary; !strings.Contains(got, s) {
					t.Errorf("summary %q, want %q", got, s)
				}
			}
			for _, p := range d.Alerts {
				c := p.Content
				if c.Type != p.Kind || c.MonitorID != "mon_1" || c.Site.ID != "sit_1" || c.ScanID != in.Run.ScanID || c.Changes == nil || !strings.HasPrefix(c.URL, "https://palisade.test/scans/") {
					t.Errorf("content %+v", c)
				}
				if !strings.HasPrefix(p.DedupeKey, "mon_1:"+string(p.Kind)+":") {
					t.Errorf("dedupe key %q", p.DedupeKey)
				}
			}
			if d.Confirm != tc.want.confirm {
				t.Errorf("confirm = %v, want %v", d.Confirm, tc.want.confirm)
			}
			if d.State.LastEvaluatedScanID != in.Run.ScanID {
				t.Errorf("LastEvaluatedScanID %q", d.State.LastEvaluatedScanID)
			}
			if tc.want.noChange {
				got := d.State
				got.LastEvaluatedScanID = before.LastEvaluatedScanID
				if !sameState(got, before) {
					t.Errorf("state changed:\n%+v\nwas\n%+v", got, before)
				}
			}
			if !sameState(in.State, before) {
				t.Errorf("Decide changed its input state")
			}
			if tc.want.check != nil {
				tc.want.check(t, d)
			}
			// Deterministic: the same input decides the same, with the same keys.
			again := Decide(in)
			for i := range again.Alerts {
				if again.Alerts[i].DedupeKey != d.Alerts[i].DedupeKey {
					t.Errorf("dedupe keys differ between two decisions: %q %q", again.Alerts[i].DedupeKey, d.Alerts[i].DedupeKey)
				}
			}
		})
	}
}

// sameState compares states with nil and empty collections equal.
func sameState(a, b domain.MonitorState) bool {
	eqConf := (a.Confirming == nil) == (b.Confirming == nil) && (a.Confirming == nil || *a.Confirming == *b.Confirming)
	if !eqConf || a.FailStreak != b.FailStreak || !a.CertNotAfter.Equal(b.CertNotAfter) || !slices.Equal(a.CertAlerted, b.CertAlerted) ||
		!slices.Equal(a.ScriptOrigins, b.ScriptOrigins) || a.LastEvaluatedScanID != b.LastEvaluatedScanID || len(a.Open) != len(b.Open) {
		return false
	}
	for k, v := range a.Open {
		w, ok := b.Open[k]
		if !ok || v.AlertID != w.AlertID || v.Grade != w.Grade || !slices.Equal(v.Keys, w.Keys) {
			return false
		}
	}
	return true
}

// TestBounded: the text bound keeps whole runes and one line.
func TestBounded(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"short", "short"},
		{"a\nb\tc\u2028d", "a b c d"},
		{"\xffok", "\uFFFDok"},
		{strings.Repeat("é", 10), strings.Repeat("é", 3) + "…"},
	} {
		if got := bounded(tc.in, 9); got != tc.want || len(got) > 9 && len(tc.in) > 9 {
			t.Errorf("bounded(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
