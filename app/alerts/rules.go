package alerts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
)

// The rules of docs/monitoring.md ("Alert rules") as one pure function:
// Decide takes a monitor's rules and state, the run being evaluated and
// the run it is compared with, and returns the alerts to raise, the new
// state and whether a confirming re-scan is needed. Evaluate (evaluate.go)
// loads the inputs and applies the decision in one transaction.

// Bounds on what an alert carries: text from scanned sites is data, and a
// site that lists hundreds of findings or origins still gets a message of
// a readable size (docs/monitoring.md, "Alert rules").
const (
	maxListed     = 20  // changes, findings, origins in one alert
	maxTitle      = 200 // a finding's title
	maxReason     = 300 // why a site could not be scanned
	maxOriginText = 300 // one script origin
	maxKeys       = 50  // finding keys an open alert remembers
	maxOrigins    = 200 // script origins a monitor remembers
)

// Run is one monitor run as the rules see it.
type Run struct {
	ScanID string
	Source domain.Trigger
	// Graded is true for a completed scan with a grade; Result is then set.
	Graded bool
	// Result is the stored result (nil when the scan ended without one).
	Result *scanner.Result
	// Reason says why a run that is not graded could not be scanned.
	Reason string
	// At is when the run started: a certificate's days left count from it.
	At time.Time
}

// RuleInput is everything Decide reads.
type RuleInput struct {
	MonitorID string
	Site      SiteRef
	// BaseURL is where links in alerts point (config.BaseURL).
	BaseURL string
	Rules   domain.AlertRules
	State   domain.MonitorState
	Run     Run
	// Baseline is the graded run Run is compared with: the previous
	// completed run of the site at the same depth or, for a confirmation,
	// the baseline of the run it confirms. Nil when there is none.
	Baseline *Run
	// Confirming is true when Run settles State.Confirming (it is the
	// confirming re-scan, or the next run after a confirmation that could
	// not be graded): what it shows is alerted without another re-scan.
	Confirming bool
}

// Planned is an alert Decide wants raised.
type Planned struct {
	Kind      domain.AlertKind
	DedupeKey string
	Content   Content
	// Opens, when set, becomes State.Open[Kind] once the alert is raised
	// (the caller fills in AlertID): it will send one "resolved" message
	// when its condition clears.
	Opens *domain.OpenAlert
}

// Decision is what a run means.
type Decision struct {
	Alerts []Planned
	// State is the monitor's new state. When Confirm is set its
	// Confirming lacks the re-scan's ScanID, which the caller fills in.
	State domain.MonitorState
	// Confirm asks for an immediate re-scan (domain.TriggerConfirm) before
	// the regression this run shows is alerted.
	Confirm bool
}

// Decide applies the alert rules to one run.
//
//   - A run that is not graded adds to the fail streak; with the
//     unreachable rule, the first failure is confirmed by a re-scan and the
//     second in a row alerts once, with the reason.
//   - A graded run resets the streak and is compared with the baseline: a
//     grade drop (any step, or below GradeBelow) or a new critical or high
//     finding is a regression, confirmed by a re-scan before it is alerted;
//     a drop's alert lists the new findings too, so one message says what
//     got worse.
//   - Recoveries are not confirmed: an open alert whose condition cleared
//     sends one "resolved" message and closes.
//   - Certificate thresholds alert once per certificate, at once (a
//     certificate does not flap); new third-party script origins alert at
//     once, and the first graded run at a depth only records them.
func Decide(in RuleInput) Decision {
	st := cloneState(in.State)
	st.LastEvaluatedScanID = in.Run.ScanID
	d := &decider{in: in, st: &st}
	if in.Run.Result != nil {
		d.certificate(in.Run.Result.TLS)
	}
	if !in.Run.Graded {
		d.failed()
	} else {
		d.graded()
	}
	if len(st.Open) == 0 {
		st.Open = nil
	}
	return Decision{Alerts: d.out, State: st, Confirm: d.confirm}
}

type decider struct {
	in      RuleInput
	st      *domain.MonitorState
	out     []Planned
	confirm bool
}

// failed handles a run that could not be graded. A confirmation that
// failed leaves the regression it was to settle pending: the next graded
// run settles it against the same baseline.
func (d *decider) failed() {
	d.st.FailStreak++
	if !d.in.Rules.Unreachable || d.isOpen(domain.AlertUnreachable) {
		return
	}
	if d.st.FailStreak >= 2 {
		reason := bounded(cmp.Or(d.in.Run.Reason, "the scan failed"), maxReason)
		c := d.content(domain.AlertUnreachable, nil)
		c.Reason = reason
		c.Summary = fmt.Sprintf("%s could not be scanned twice in a row: %s", d.in.Site.Name, strings.TrimSuffix(reason, "."))
		d.raise(c, d.key(domain.AlertUnreachable, d.in.Run.ScanID), &domain.OpenAlert{})
		return
	}
	if !d.in.Confirming && d.st.Confirming == nil {
		d.askConfirm()
	}
}

func (d *decider) graded() {
	in := d.in
	d.st.FailStreak = 0
	if in.Confirming {
		d.st.Confirming = nil
	}
	var diff *scanner.Diff
	if in.Baseline != nil && in.Baseline.Result != nil {
		if df, err := scanner.Compare(in.Baseline.Result, in.Run.Result); err == nil {
			diff = df
		}
	}
	d.recoveries()
	d.scriptOrigins()
	if diff == nil {
		return
	}
	cur, base := in.Run.Result.Grade, in.Baseline.Result.Grade
	rc, okc := scanner.GradeRank(cur)
	rb, okb := scanner.GradeRank(base)
	drop := okc && okb && in.Rules.GradeDrop && rc > rb
	if below, ok := scanner.GradeRank(strings.ToUpper(strings.TrimSpace(in.Rules.GradeBelow))); ok && okc && okb && rb <= below && rc > below {
		drop = true
	}
	var high []scanner.Finding
	if in.Rules.NewFindings {
		for _, f := range diff.New {
			if f.Severity == scanner.SeverityCritical || f.Severity == scanner.SeverityHigh {
				high = append(high, f)
			}
		}
	}
	if !drop && len(high) == 0 {
		return
	}
	if !in.Confirming {
		d.askConfirm()
		return
	}
	if drop {
		c := d.content(domain.AlertGradeDrop, diff)
		c.NewFindings, c.NewFindingsTotal = findingRefs(diff.New), len(diff.New)
		c.Summary = fmt.Sprintf("%s dropped from %s to %s", in.Site.Name, base, cur)
		d.raise(c, d.key(domain.AlertGradeDrop, in.Run.ScanID), &domain.OpenAlert{Grade: base})
		return
	}
	c := d.content(domain.AlertNewFindings, diff)
	c.NewFindings, c.NewFindingsTotal = findingRefs(high), len(high)
	c.Summary = fmt.Sprintf("%s has %s", in.Site.Name, countFindings(high))
	keys := make([]string, 0, len(high))
	for _, f := range high {
		keys = append(keys, findingKey(f))
	}
	if o, ok := d.st.Open[domain.AlertNewFindings]; ok {
		// Still open from an earlier run: it resolves when all are gone.
		o.Keys = mergeBounded(o.Keys, keys, maxKeys)
		d.st.Open[domain.AlertNewFindings] = o
	}
	d.raise(c, d.key(domain.AlertNewFindings, in.Run.ScanID), &domain.OpenAlert{Keys: mergeBounded(nil, keys, maxKeys)})
}

// askConfirm records that this run's regression waits for a re-scan,
// compared with the same baseline.
func (d *decider) askConfirm() {
	d.confirm = true
	c := &domain.Confirmation{RunScanID: d.in.Run.ScanID}
	if d.in.Baseline != nil {
		c.BaselineScanID = d.in.Baseline.ScanID
	}
	d.st.Confirming = c
}

// recoveries resolves the open alerts whose condition cleared in this graded run.
func (d *decider) recoveries() {
	in := d.in
	res := in.Run.Result
	if o, ok := d.st.Open[domain.AlertUnreachable]; ok {
		d.resolve(domain.AlertUnreachable, o, fmt.Sprintf("%s recovered: it can be scanned again (%s)", in.Site.Name, gradeText(res.Grade)))
	}
	if o, ok := d.st.Open[domain.AlertGradeDrop]; ok {
		rc, okc := scanner.GradeRank(res.Grade)
		ro, oko := scanner.GradeRank(o.Grade)
		if okc && (!oko || rc <= ro) {
			d.resolve(domain.AlertGradeDrop, o, fmt.Sprintf("%s recovered: back to %s", in.Site.Name, res.Grade))
		}
	}
	if o, ok := d.st.Open[domain.AlertNewFindings]; ok && findingsGone(o.Keys, res) {
		what := "the new findings are gone"
		if len(o.Keys) == 1 {
			what = "the new finding is gone"
		}
		d.resolve(domain.AlertNewFindings, o, fmt.Sprintf("%s recovered: %s", in.Site.Name, what))
	}
}

// certificate applies the expiry thresholds to the run's certificate: each
// alerts once per certificate; crossing several at once alerts for the
// smallest and marks the larger ones done; a renewed certificate (a later
// NotAfter) starts over and resolves an open expiry alert.
func (d *decider) certificate(tls *scanner.TLSInfo) {
	if tls == nil || tls.NotAfter.IsZero() {
		return
	}
	in, st := d.in, d.st
	na := tls.NotAfter.UTC()
	thresholds := thresholdsOf(in.Rules.CertExpiryDays)
	days := daysLeft(na, in.Run.At)
	renewed := !st.CertNotAfter.IsZero() && na.After(st.CertNotAfter)
	switch {
	case st.CertNotAfter.IsZero() || renewed:
		st.CertNotAfter, st.CertAlerted = na, nil
	case na.Before(st.CertNotAfter):
		// Another certificate that expires sooner: the thresholds already
		// alerted stay alerted.
		st.CertNotAfter = na
	}
	// A threshold of half the certificate's validity or more would alert at
	// every renewal of a short-lived certificate (a 6-day certificate is
	// always "within 7 days"; a 47-day one is renewed with about 15 left):
	// it is not applied to that certificate.
	half := -1.0
	if !tls.NotBefore.IsZero() {
		half = na.Sub(tls.NotBefore.UTC()).Hours() / 48
	}
	var crossed []int
	for _, t := range thresholds {
		if half >= 0 && float64(t) >= half {
			continue
		}
		if days <= t {
			crossed = append(crossed, t)
		}
	}
	if renewed && len(crossed) == 0 {
		if o, ok := st.Open[domain.AlertCertExpiry]; ok {
			d.resolve(domain.AlertCertExpiry, o, fmt.Sprintf("%s recovered: the certificate was renewed (it expires %s)", in.Site.Name, dateText(na)))
		}
	}
	if len(crossed) == 0 {
		return
	}
	smallest := slices.Min(crossed)
	done := slices.Contains(st.CertAlerted, smallest)
	st.CertAlerted = mergeInts(st.CertAlerted, crossed)
	if done {
		return
	}
	c := d.content(domain.AlertCertExpiry, nil)
	c.Certificate = &CertificateRef{NotAfter: na, DaysLeft: days, Threshold: smallest, Subject: bounded(tls.Subject, maxTitle)}
	c.Summary = fmt.Sprintf("The certificate of %s %s (%s)", in.Site.Name, expiresText(days), dateText(na))
	key := d.key(domain.AlertCertExpiry, strconv.FormatInt(na.Unix(), 10)+":"+strconv.Itoa(smallest))
	d.raise(c, key, &domain.OpenAlert{})
}

// scriptOrigins alerts on third-party script origins not seen before. The
// first graded run at a depth (no baseline) only records them: a DEEP scan
// reads more pages, so more origins, than a QUICK one.
func (d *decider) scriptOrigins() {
	in, st := d.in, d.st
	cur := in.Run.Result.ScriptOrigins
	if in.Baseline == nil {
		st.ScriptOrigins = mergeBounded(nil, cur, maxOrigins)
		return
	}
	var fresh []string
	for _, o := range cur {
		if !slices.Contains(st.ScriptOrigins, o) {
			fresh = append(fresh, o)
		}
	}
	st.ScriptOrigins = mergeBounded(st.ScriptOrigins, cur, maxOrigins)
	if len(fresh) == 0 || !in.Rules.NewScriptOrigin {
		return
	}
	c := d.content(domain.AlertScriptOrigin, nil)
	for _, o := range fresh[:min(len(fresh), maxListed)] {
		c.ScriptOrigins = append(c.ScriptOrigins, bounded(o, maxOriginText))
	}
	if len(fresh) == 1 {
		c.Summary = fmt.Sprintf("%s loads script from a new origin: %s", in.Site.Name, originText(fresh[0]))
	} else {
		names := make([]string, 0, 3)
		for _, o := range fresh[:min(len(fresh), 3)] {
			names = append(names, originText(o))
		}
		more := ""
		if len(fresh) > 3 {
			more = fmt.Sprintf(" and %d more", len(fresh)-3)
		}
		c.Summary = fmt.Sprintf("%s loads script from %d new origins: %s%s", in.Site.Name, len(fresh), strings.Join(names, ", "), more)
	}
	d.raise(c, d.key(domain.AlertScriptOrigin, in.Run.ScanID), nil)
}

// raise plans an alert; opens (when the kind is not open already) becomes
// its open entry, so the first alert of a condition is the one resolved.
func (d *decider) raise(c Content, key string, opens *domain.OpenAlert) {
	c.Summary = bounded(c.Summary, 300)
	p := Planned{Kind: c.Type, DedupeKey: key, Content: c}
	if opens != nil && !d.isOpen(c.Type) {
		o := *opens
		o.ScanID, o.Since = d.in.Run.ScanID, d.in.Run.At
		p.Opens = &o
	}
	d.out = append(d.out, p)
}

// resolve plans the one "resolved" message of open alert o and closes it.
func (d *decider) resolve(kind domain.AlertKind, o domain.OpenAlert, summary string) {
	c := d.content(domain.AlertResolved, nil)
	c.Resolves, c.ResolvesAlertID = kind, o.AlertID
	c.Summary = bounded(summary, 300)
	delete(d.st.Open, kind)
	d.out = append(d.out, Planned{Kind: domain.AlertResolved, DedupeKey: d.key(domain.AlertResolved, string(kind)+":"+o.AlertID), Content: c})
}

func (d *decider) isOpen(k domain.AlertKind) bool {
	_, ok := d.st.Open[k]
	return ok
}

// key is a dedupe key: the monitor, the kind and what makes the alert
// unique (the run's scan id, or a certificate's expiry and threshold), so a
// retried evaluation raises nothing twice.
func (d *decider) key(k domain.AlertKind, what string) string {
	return d.in.MonitorID + ":" + string(k) + ":" + what
}

// content is the part every alert shares: the site, the runs compared,
// their grades and scores, the regressed checks, the links.
func (d *decider) content(kind domain.AlertKind, diff *scanner.Diff) Content {
	in := d.in
	c := Content{Type: kind, MonitorID: in.MonitorID, Site: in.Site, ScanID: in.Run.ScanID, Changes: []Change{}}
	base := strings.TrimRight(in.BaseURL, "/")
	c.URL = base + "/scans/" + in.Run.ScanID
	if in.Site.ID != "" {
		c.SiteURL = base + "/sites/" + in.Site.ID
	}
	if r := in.Run.Result; r != nil && in.Run.Graded {
		c.Grade = r.Grade
		s := r.OverallScore
		c.Score = &s
	}
	if b := in.Baseline; b != nil && b.Result != nil {
		c.PreviousScanID = b.ScanID
		c.PreviousGrade = b.Result.Grade
		s := b.Result.OverallScore
		c.PreviousScore = &s
		if in.Run.Graded {
			c.CompareURL = base + "/scans/" + in.Run.ScanID + "/compare?against=" + b.ScanID
		}
	}
	if diff != nil {
		for _, cd := range diff.Causes {
			if cd.Change != scanner.ChangeRegressed {
				continue
			}
			if c.ChangesTotal++; len(c.Changes) == maxListed {
				continue
			}
			ch := Change{CheckID: cd.ID, Name: bounded(cd.Name, maxTitle), Category: cd.Category, PointsDelta: cd.PointsDelta}
			if cd.Before != nil {
				ch.Before = string(cd.Before.Status)
			}
			if cd.After != nil {
				ch.After = string(cd.After.Status)
			}
			c.Changes = append(c.Changes, ch)
		}
	}
	return c
}

// findingRefs are fs worst first, at most maxListed, titles bounded.
func findingRefs(fs []scanner.Finding) []FindingRef {
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, func(a, b scanner.Finding) int {
		return cmp.Compare(scanner.SeverityRank(a.Severity), scanner.SeverityRank(b.Severity))
	})
	out := []FindingRef{}
	for _, f := range sorted[:min(len(sorted), maxListed)] {
		out = append(out, FindingRef{CheckID: f.CheckID, Severity: string(f.Severity), Title: bounded(f.Title, maxTitle)})
	}
	return out
}

// countFindings words the new critical and high findings: "2 new high
// findings", "1 new critical finding and 2 new high findings".
func countFindings(fs []scanner.Finding) string {
	n := map[scanner.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range []scanner.Severity{scanner.SeverityCritical, scanner.SeverityHigh} {
		switch n[s] {
		case 0:
		case 1:
			parts = append(parts, "1 new "+string(s)+" finding")
		default:
			parts = append(parts, fmt.Sprintf("%d new %s findings", n[s], s))
		}
	}
	return strings.Join(parts, " and ")
}

// findingKey identifies a finding across runs as scanner.Compare matches
// them: by check id and title.
func findingKey(f scanner.Finding) string { return f.CheckID + " " + bounded(f.Title, maxTitle) }

// findingsGone reports whether none of the keyed findings is in res. A
// finding of a check that did not run (skipped, error, absent) is not
// known to be gone.
func findingsGone(keys []string, res *scanner.Result) bool {
	status := map[string]scanner.Status{}
	for _, cat := range res.Categories {
		for _, ch := range cat.Checks {
			status[ch.ID] = ch.Status
		}
	}
	have := map[string]bool{}
	for _, f := range res.Findings {
		have[findingKey(f)] = true
	}
	for _, k := range keys {
		id, _, _ := strings.Cut(k, " ")
		switch status[id] {
		case scanner.StatusPass, scanner.StatusWarn, scanner.StatusFail, scanner.StatusInfo:
		default:
			return false
		}
		if have[k] {
			return false
		}
	}
	return true
}

// thresholdsOf are the positive thresholds, each once, largest first.
func thresholdsOf(days []int) []int {
	var out []int
	for _, t := range days {
		if t > 0 && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return cmp.Compare(b, a) })
	return out
}

// daysLeft counts whole days from at to notAfter (negative once expired).
func daysLeft(notAfter, at time.Time) int {
	return int(math.Floor(notAfter.Sub(at).Hours() / 24))
}

func expiresText(days int) string {
	switch {
	case days < -1:
		return fmt.Sprintf("expired %d days ago", -days)
	case days == -1:
		return "expired yesterday"
	case days == 0:
		return "expires today"
	case days == 1:
		return "expires in 1 day"
	}
	return fmt.Sprintf("expires in %d days", days)
}

func dateText(t time.Time) string { return t.UTC().Format("2 January 2006") }

func gradeText(g string) string {
	if g == "" {
		return "not graded"
	}
	return "grade " + g
}

// originText is how a summary names an origin: without "https://".
func originText(o string) string { return bounded(strings.TrimPrefix(o, "https://"), maxOriginText) }

// mergeInts is the union of a and b, largest first.
func mergeInts(a, b []int) []int {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(x, y int) int { return cmp.Compare(y, x) })
	return out
}

// mergeBounded is the sorted union of a and b, at most n.
func mergeBounded(a, b []string, n int) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	if len(out) > n {
		out = out[:n]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// bounded makes text from a scanned site one line of at most n bytes:
// control characters (line breaks in a subject) become spaces and a long
// text is cut on a rune boundary with "…". Escaping for HTML, mail and
// Slack is the renderers' (docs/monitoring.md, "Alert rules").
func bounded(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// cloneState copies st so Decide never changes its input.
func cloneState(st domain.MonitorState) domain.MonitorState {
	out := st
	out.Open = make(map[domain.AlertKind]domain.OpenAlert, len(st.Open))
	for k, v := range st.Open {
		v.Keys = slices.Clone(v.Keys)
		out.Open[k] = v
	}
	if st.Confirming != nil {
		c := *st.Confirming
		out.Confirming = &c
	}
	out.CertAlerted = slices.Clone(st.CertAlerted)
	out.ScriptOrigins = slices.Clone(st.ScriptOrigins)
	return out
}
