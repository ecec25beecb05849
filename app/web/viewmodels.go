package web

import (
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/views/model"
)

// The view models of views/model are filled here from service results, so
// the templates know nothing of scans, reporting or billing (see
// views/deps_test.go), and every href in them comes from the route table.

func (h *Handler) scanSummary(s scans.ScanSummary) model.ScanSummary {
	out := model.ScanSummary{ID: s.ID, TargetURL: s.TargetURL, TargetDomain: s.TargetDomain, Depth: string(s.Depth),
		Status: string(s.Status), Target: targetLabel(s.TargetURL), Completed: s.Status == domain.StatusCompleted, CreatedAt: s.CreatedAt, URL: h.url(RouteScan, s.ID)}
	if s.Grade != nil {
		out.Grade = *s.Grade
	}
	return out
}

func (h *Handler) scanDetail(d scans.Detail) model.ScanDetail {
	out := model.ScanDetail{ScanSummary: h.scanSummary(d.ScanSummary), Score: d.OverallScore, Headers: d.Headers,
		BodyURL: h.url(RouteScanBody, d.ID), CancelURL: h.url(RouteScanStop, d.ID),
		FixURL: h.url(RouteScanFix, d.ID), NewReportURL: h.url(RouteReportNew, d.ID)}
	if d.Error != nil {
		out.Error = *d.Error
	}
	if d.FinalURL != nil {
		out.FinalURL = *d.FinalURL
	}
	for _, c := range d.Categories {
		mc := model.Category{Name: c.Name, Grade: c.Grade, Score: c.Score, MaxScore: c.MaxScore}
		for _, ch := range c.Checks {
			mc.Checks = append(mc.Checks, checkOf(ch))
		}
		out.Categories = append(out.Categories, mc)
	}
	for _, f := range d.Findings {
		out.Findings = append(out.Findings, model.Finding{CheckID: f.CheckID, Severity: string(f.Severity), Title: f.Title,
			Description: f.Description, Evidence: f.Evidence, Fix: fixOf(f.Fix), Recommendation: f.Recommendation})
	}
	for _, hop := range d.RedirectChain {
		out.Redirects = append(out.Redirects, model.Hop{StatusCode: hop.StatusCode, URL: hop.URL})
	}
	if t := d.TLS; t != nil {
		out.TLS = &model.TLS{Version: t.Version, CipherSuite: t.CipherSuite, Subject: t.Subject, Issuer: t.Issuer,
			NotAfter: t.NotAfter, DaysLeft: t.DaysLeft}
	}
	return out
}

func (h *Handler) report(v reporting.View) model.Report {
	out := model.Report{ID: v.ID, Version: v.Version, Status: v.Status, PDFSize: v.PDFSize, CreatedAt: v.CreatedAt,
		PDFURL: h.url(RouteReportPDF, v.ID), ScanDomain: v.Scan.TargetDomain}
	if v.Scan.TargetURL != "" {
		out.ScanDomain = scanner.TargetLabel(v.Scan.TargetURL) // host:port when the port is not the default
	}
	if v.Scan.ID != "" {
		out.ScanURL = h.url(RouteScan, v.Scan.ID)
	}
	if v.Scan.Grade != nil {
		out.ScanGrade = *v.Scan.Grade
	}
	return out
}

func planOf(p billing.Plan) model.Plan {
	out := model.Plan{ID: string(p.ID), Name: p.Name, PriceMonthlyUSD: p.PriceMonthlyUSD, ScansPerMonth: p.ScansPerMonth,
		RequestsPerMinute: p.RequestsPerMinute, Depths: p.DepthNames(), ConcurrentScans: p.ConcurrentScans, Paid: p.Paid(),
		Monitors: p.Monitors, MonitorRunsPerMonth: p.MonitorRunsPerMonth}
	if p.ScansPerMonth == billing.Unlimited {
		out.ScansPerMonth = model.Unlimited
	}
	if p.MonitorRunsPerMonth == billing.Unlimited {
		out.MonitorRunsPerMonth = model.Unlimited
	}
	for _, f := range p.MonitorFrequencies {
		out.MonitorFrequencies = append(out.MonitorFrequencies, string(f))
	}
	for _, d := range p.MonitorDepths {
		out.MonitorDepths = append(out.MonitorDepths, string(d))
	}
	return out
}

// pagination adds the neighbouring pages' hrefs; pageURL gives the href of
// a page number with the list's filters.
func pagination(pg scans.Pagination, pageURL func(page int) string) model.Pagination {
	out := model.Pagination{Page: pg.Page, Pages: pg.Pages, Total: pg.Total}
	if pg.Page > 1 {
		out.PrevURL = pageURL(pg.Page - 1)
	}
	if pg.Page < pg.Pages {
		out.NextURL = pageURL(pg.Page + 1)
	}
	return out
}
