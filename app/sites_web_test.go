package app_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/usage"
)

// everyFormHasCSRF fails the test for a POST form of the page without the token field.
func siteFormsHaveCSRF(t *testing.T, p *apptest.Page) {
	t.Helper()
	p.Doc.Find(`form[method="post"]`).Each(func(_ int, f *goquery.Selection) {
		if v, ok := f.Find(`input[type="hidden"][name="_csrf"]`).Attr("value"); !ok || v == "" {
			id, _ := f.Attr("data-testid")
			t.Errorf("form %q (%s) has no CSRF token", id, f.AttrOr("action", ""))
		}
	})
}

func siteFormAction(t *testing.T, p *apptest.Page, testid string) string {
	t.Helper()
	a, ok := p.Doc.Find(`form[data-testid="` + testid + `"]`).Attr("action")
	if !ok {
		t.Fatalf("no form %s on %s:\n%s", testid, p.URL, p.Body)
	}
	return a
}

func siteText(p *apptest.Page, testid string) string {
	return strings.TrimSpace(p.Doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}

// TestSitesWebPages drives the Sites page, the site page and the monitor
// forms as a person without JavaScript would.
func TestSitesWebPages(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "sites-web@example.com")
	// A target that never answers: the monitor's runs stay RUNNING, so the
	// graded scans on the pages are exactly the ones this test stores.
	site := tarpit(t)
	t.Cleanup(func() { cancelAll(t, env) })
	ctx := context.Background()

	p := b.Get("/sites")
	if p.Status != 200 || p.Doc.Find(`[data-testid="empty-sites"]`).Length() != 1 {
		t.Fatalf("empty sites page: %d", p.Status)
	}
	if href, _ := p.Doc.Find(`[data-testid="nav-sites"]`).Attr("href"); href != "/sites" {
		t.Errorf("navigation link to Sites = %q", href)
	}
	siteFormsHaveCSRF(t, p)

	// Bad input keeps the form with its error.
	p = b.Post("/sites", url.Values{"url": {"http://10.0.0.7/"}})
	if p.Status != 422 || !strings.Contains(siteText(p, "error-url"), "does not scan") {
		t.Errorf("refused URL: %d %q", p.Status, siteText(p, "error-url"))
	}
	p = b.Post("/sites", url.Values{"url": {site}, "label": {"<script>alert(1)</script>"}})
	if p.Status != 200 || !strings.HasPrefix(p.URL.Path, "/sites/sit_") {
		t.Fatalf("create: %d at %s", p.Status, p.URL)
	}
	sitePath := p.URL.Path
	siteID := strings.TrimPrefix(sitePath, "/sites/")
	if got := siteText(p, "site-title"); got != "<script>alert(1)</script>" || strings.Contains(p.Body, "<script>alert(1)") {
		t.Errorf("the label is not inert: title %q", got)
	}
	if p.Doc.Find(`[data-testid="chart-empty"]`).Length() != 1 || p.Doc.Find(`[data-testid="empty-timeline"]`).Length() != 1 {
		t.Errorf("a new site shows a chart or scans")
	}
	siteFormsHaveCSRF(t, p)
	// The free plan's monitors are weekly and QUICK: the rest is offered disabled.
	for sel, want := range map[string]string{
		`form[data-testid="monitor-create"] select[name="frequency"] option[disabled]`: "daily,monthly",
		`form[data-testid="monitor-create"] select[name="depth"] option[disabled]`:     "STANDARD,DEEP",
	} {
		var got []string
		p.Doc.Find(sel).Each(func(_ int, o *goquery.Selection) { got = append(got, o.AttrOr("value", "")) })
		if strings.Join(got, ",") != want {
			t.Errorf("%s = %v, want %s", sel, got, want)
		}
	}
	if v, _ := p.Doc.Find(`form[data-testid="monitor-create"] textarea[name="email"]`).Html(); v != "sites-web@example.com" {
		t.Errorf("alert e-mail defaults to %q, want the user's address", v)
	}
	p = b.Post("/sites", url.Values{"url": {strings.TrimSuffix(site, "/")}})
	if href, _ := p.Doc.Find(`[data-testid="existing-site"]`).Attr("href"); p.Status != 422 || href != sitePath {
		t.Errorf("same target again: %d, link %q", p.Status, href)
	}

	// A monitor from the form: its first run appears on the timeline.
	create := siteFormAction(t, b.Get(sitePath), "monitor-create")
	p = b.Post(create, url.Values{"frequency": {"daily"}, "depth": {"QUICK"}, "hour": {"6"}, "gradeDrop": {"on"}})
	if p.Status != 422 || siteText(p, "error-frequency") == "" {
		t.Errorf("a daily monitor on the free plan: %d %q", p.Status, siteText(p, "error-frequency"))
	}
	p = b.Post(create, url.Values{"frequency": {"weekly"}, "depth": {"QUICK"}, "hour": {"25"}})
	if p.Status != 422 || siteText(p, "error-hour") == "" {
		t.Errorf("hour 25: %d", p.Status)
	}
	p = b.Post(create, url.Values{"frequency": {"weekly"}, "depth": {"QUICK"}, "hour": {"7"}, "gradeDrop": {"on"},
		"certExpiryDays": {"30, 7"}, "email": {"ops@example.com, sites-web@example.com"}, "webhooks": {"on"}})
	if p.Status != 200 || p.URL.Path != sitePath || siteText(p, "notice") == "" || p.Doc.Find(`[data-testid="monitor"]`).Length() != 1 {
		t.Fatalf("create monitor: %d at %s:\n%s", p.Status, p.URL, p.Body)
	}
	if st := siteText(p, "monitor-state"); !strings.Contains(st, "weekly") || !strings.Contains(st, "07:00") {
		t.Errorf("monitor state %q", st)
	}
	if p.Doc.Find(`[data-testid="timeline-row"]`).Length() != 1 || !strings.Contains(p.Doc.Find(`[data-testid="timeline-row"]`).Text(), "monitor") {
		t.Fatalf("the initial run is not on the timeline:\n%s", p.Body)
	}
	siteFormsHaveCSRF(t, p)
	mon := env.C.DB.Ent.Monitor.Query().OnlyX(ctx)
	if mon.Hour != 7 || len(mon.Alerts.Email) != 2 || !mon.Alerts.GradeDrop || mon.Alerts.NewFindings || !mon.Alerts.Webhooks ||
		len(mon.Alerts.CertExpiryDays) != 2 {
		t.Errorf("stored monitor %+v alerts %+v", mon, mon.Alerts)
	}

	// Two graded scans, stored directly (how they ran does not matter
	// here): an A+ and a later B at the same depth.
	run := env.C.DB.Ent.Scan.Query().Where(scan.SiteID(siteID)).OnlyX(ctx)
	accID := run.AccountID
	graded := func(at time.Time, grade string, score int) *ent.Scan {
		return env.C.DB.Ent.Scan.Create().SetAccountID(accID).SetSiteID(siteID).SetTargetURL(run.TargetURL).SetTargetDomain(run.TargetDomain).
			SetDepth(domain.DepthQuick).SetStatus(domain.StatusCompleted).SetGrade(grade).SetOverallScore(score).
			SetCreatedAt(at).SetUpdatedAt(at).SetCompletedAt(at.Add(time.Minute)).SaveX(ctx)
	}
	older := graded(run.CreatedAt.Add(-48*time.Hour), "A+", 95)
	first := graded(run.CreatedAt.Add(-24*time.Hour), "B", 74)
	p = b.Get(sitePath)

	// The chart: labelled axes, ticks, a point with its tooltip.
	// The site page draws the chart twice, wide and narrow; the stylesheet shows one.
	if n := p.Doc.Find(`[data-testid="trend-chart"] svg[data-testid="chart-narrow"]`).Length(); n != 1 {
		t.Errorf("%d narrow charts on the site page", n)
	}
	chart := p.Doc.Find(`[data-testid="trend-chart"] svg[data-testid="chart-wide"]`)
	if chart.Find(`[data-testid="y-label"]`).Text() != "Score" || chart.Find(`[data-testid="x-label"]`).Text() != "Date (UTC)" {
		t.Errorf("chart axis labels missing")
	}
	var yt []string
	chart.Find(`[data-testid="y-tick"]`).Each(func(_ int, s *goquery.Selection) { yt = append(yt, s.Text()) })
	if strings.Join(yt, ",") != "0,25,50,75,100" || chart.Find(`[data-testid="x-tick"]`).Length() == 0 {
		t.Errorf("ticks y %v, x %d", yt, chart.Find(`[data-testid="x-tick"]`).Length())
	}
	if pt := chart.Find(`[data-testid="point"] title`); pt.Length() != 2 || !strings.Contains(pt.First().Text(), "QUICK · A+ (95)") {
		t.Errorf("points %d, first title %q", pt.Length(), pt.First().Text())
	}

	row := p.Doc.Find(`[data-testid="timeline-row"][data-scan-id="` + first.ID + `"]`)
	if ch := strings.TrimSpace(row.Find(`[data-testid="timeline-change"]`).Text()); !strings.HasPrefix(ch, "▼") || !strings.Contains(ch, "A+ → "+first.Grade) {
		t.Errorf("grade change %q, want ▼ A+ → %s", ch, first.Grade)
	}
	if href, _ := row.Find(`[data-testid="timeline-compare"]`).Attr("href"); href != "/scans/"+first.ID+"/compare?against="+older.ID {
		t.Errorf("compare link %q", href)
	}
	if n := p.Doc.Find(`svg[data-testid="chart-wide"] [data-testid="series"] [data-testid="point"]`).Length(); n != 2 {
		t.Errorf("%d points on the chart, want 2", n)
	}

	// The Sites page shows the site with its grade, monitor and chart.
	p = b.Get("/sites")
	card := p.Doc.Find(`[data-testid="site-row"][data-site-id="` + siteID + `"]`)
	if card.Find(`[data-testid="grade"]`).Text() != first.Grade || !strings.Contains(card.Find(`[data-testid="site-monitor"]`).Text(), "weekly") ||
		card.Find(`[data-testid="trend-chart"] [data-testid="y-label"]`).Length() != 1 || card.Find(`[data-testid="site-scanned"]`).Text() == "never" {
		t.Errorf("site card:\n%s", goquery.NewDocumentFromNode(card.Nodes[0]).Text())
	}

	// Pause, resume, run now, settings.
	p = b.Get(sitePath)
	p = b.Post(siteFormAction(t, p, "monitor-toggle"), url.Values{"active": {"false"}})
	if !strings.HasPrefix(siteText(p, "monitor-state"), "Paused") || siteText(p, "notice") != "Monitor paused." || !strings.Contains(siteText(p, "monitor-next"), "paused") {
		t.Errorf("after pause: %q / %q", siteText(p, "monitor-state"), siteText(p, "notice"))
	}
	p = b.Post(siteFormAction(t, p, "monitor-toggle"), url.Values{"active": {"true"}})
	if !strings.HasPrefix(siteText(p, "monitor-state"), "Active") {
		t.Errorf("after resume: %q", siteText(p, "monitor-state"))
	}
	p = b.Post(siteFormAction(t, p, "monitor-run"), url.Values{})
	if siteText(p, "notice") != "Run started." || p.Doc.Find(`[data-testid="timeline-row"]`).Length() != 4 {
		t.Errorf("after run now: %q, %d rows", siteText(p, "notice"), p.Doc.Find(`[data-testid="timeline-row"]`).Length())
	}
	// With the month's monitor runs spent, "Run now" says so on the page.
	env.C.DB.Ent.Usage.Update().Where(usage.AccountID(accID)).SetMonitorRuns(billing.Lookup(string(billing.Free)).MonitorRunsPerMonth).ExecX(ctx)
	p = b.Post(siteFormAction(t, p, "monitor-run"), url.Values{})
	if p.Status != 422 || !strings.Contains(p.Doc.Find(`[data-testid="monitor"] [data-testid="form-error"]`).Text(), "monitor runs") {
		t.Errorf("run now with no runs left: %d %q", p.Status, p.Doc.Find(`[data-testid="monitor"] [data-testid="form-error"]`).Text())
	}
	edit := siteFormAction(t, p, "monitor-edit")
	p = b.Post(edit, url.Values{"frequency": {"weekly"}, "depth": {"QUICK"}, "hour": {"9"}, "certExpiryDays": {"soon"}})
	if p.Status != 422 || siteText(p, "error-alerts.certExpiryDays") == "" {
		t.Errorf("bad threshold: %d", p.Status)
	}
	p = b.Post(edit, url.Values{"frequency": {"weekly"}, "depth": {"QUICK"}, "hour": {"9"}, "newFindings": {"on"}, "gradeBelow": {"C"}})
	if siteText(p, "notice") != "Settings saved." || !strings.Contains(siteText(p, "monitor-state"), "09:00") {
		t.Errorf("after saving: %q %q", siteText(p, "notice"), siteText(p, "monitor-state"))
	}
	if m := env.C.DB.Ent.Monitor.GetX(ctx, mon.ID); m.Hour != 9 || m.Alerts.GradeBelow != "C" || !m.Alerts.NewFindings || m.Alerts.GradeDrop || len(m.Alerts.Email) != 0 {
		t.Errorf("saved monitor: hour %d alerts %+v", m.Hour, m.Alerts)
	}

	// Another account sees none of it.
	other := signUp(t, env, "sites-web-b@example.com")
	if p := other.Get(sitePath); p.Status != 404 {
		t.Errorf("another account's site page = %d", p.Status)
	}
	other.Get("/sites")
	for _, path := range []string{"/monitors/" + mon.ID + "/run", "/monitors/" + mon.ID + "/delete", sitePath + "/delete"} {
		if p := other.Post(path, url.Values{"confirm": {"yes"}}); p.Status != 404 {
			t.Errorf("another account's POST %s = %d", path, p.Status)
		}
	}

	// Deleting asks for the box to be ticked.
	p = b.Get(sitePath)
	del := siteFormAction(t, p, "monitor-delete")
	if p = b.Post(del, url.Values{}); p.Status != 422 || siteText(p, "form-error") == "" {
		t.Errorf("monitor delete without confirming: %d", p.Status)
	}
	if p = b.Post(del, url.Values{"confirm": {"yes"}}); p.Doc.Find(`[data-testid="new-monitor"]`).Length() != 1 {
		t.Errorf("after deleting the monitor there is no create form")
	}
	if p = b.Post(sitePath+"/delete", url.Values{}); p.Status != 422 {
		t.Errorf("site delete without confirming: %d", p.Status)
	}
	p = b.Post(sitePath+"/delete", url.Values{"confirm": {"yes"}})
	if p.URL.Path != "/sites" || p.Doc.Find(`[data-testid="empty-sites"]`).Length() != 1 {
		t.Errorf("after deleting the site: %s", p.URL)
	}
	if p := b.Get("/scans/" + first.ID); p.Status != 200 {
		t.Errorf("the deleted site's scan page = %d; scans stay", p.Status)
	}
}

// TestSitePageListsAlerts: the site page lists the site's alerts, newest
// first, with how their deliveries went; an alert's subject (made of text
// from the scanned site) stays inert, and another site's alerts are not shown.
func TestSitePageListsAlerts(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "site-alerts@example.com")
	target := tarpit(t)
	ctx := context.Background()
	p := b.Post("/sites", url.Values{"url": {target}})
	if p.Status != 200 || !strings.HasPrefix(p.URL.Path, "/sites/sit_") {
		t.Fatalf("create: %d at %s", p.Status, p.URL)
	}
	siteID := strings.TrimPrefix(p.URL.Path, "/sites/")
	if p.Doc.Find(`[data-testid="site-alerts"]`).Length() != 0 {
		t.Errorf("a site without alerts shows an alerts table")
	}
	st := env.C.DB.Ent.Site.GetX(ctx, siteID)
	now := time.Now().UTC()
	add := func(site, key, subject string, at time.Time, delivered ...domain.DeliveryStatus) {
		a := env.C.DB.Ent.Alert.Create().SetAccountID(st.AccountID).SetSiteID(site).SetKind(domain.AlertGradeDrop).
			SetDedupeKey(key).SetSubject(subject).SetPayload("{}").SetCreatedAt(at).SetUpdatedAt(at).SaveX(ctx)
		for i, s := range delivered {
			env.C.DB.Ent.Delivery.Create().SetAccountID(st.AccountID).SetAlertID(a.ID).SetChannel(domain.ChannelWebhook).
				SetTarget("https://hooks.example.com/" + strconv.Itoa(i)).SetStatus(s).ExecX(ctx)
		}
	}
	add(siteID, "k1", "older <b>drop</b>", now.Add(-time.Hour), domain.DeliveryDelivered, domain.DeliveryFailed)
	add(siteID, "k2", `<script>alert(1)</script> dropped from A to C`, now, domain.DeliveryDelivered)
	add("sit_other", "k3", "another site's alert", now)

	p = b.Get("/sites/" + siteID)
	rows := p.Doc.Find(`[data-testid="site-alert"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d alert rows, want 2:\n%s", rows.Length(), p.Body)
	}
	first, second := rows.Eq(0).Text(), rows.Eq(1).Text()
	if !strings.Contains(first, "<script>alert(1)</script> dropped from A to C") || !strings.Contains(first, "1 of 1 delivered") {
		t.Errorf("newest alert row %q", first)
	}
	if !strings.Contains(second, "older <b>drop</b>") || !strings.Contains(second, "1 of 2 delivered, 1 failed") {
		t.Errorf("older alert row %q", second)
	}
	if strings.Contains(p.Body, "<script>alert(1)") || strings.Contains(p.Body, "<b>drop") {
		t.Errorf("an alert subject is not escaped")
	}
}
