package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// sitesTrendPoints is how many graded scans each card of the Sites page charts.
const sitesTrendPoints = 30

// sitesPage lists the account's sites (?page=).
func (h *Handler) sitesPage(c *fiber.Ctx) error {
	page, _ := strconv.Atoi(c.Query("page"))
	d, err := h.sitesData(c.UserContext(), session(c).Account.ID, max(page, 1))
	if err != nil {
		return err
	}
	d.Form = model.SiteForm{Action: h.url(RouteSites)}
	return httpx.Render(c, http.StatusOK, pages.Sites(d), nil)
}

func (h *Handler) sitesData(ctx context.Context, accountID string, page int) (model.SitesPage, error) {
	items, pg, err := h.sites.List(ctx, accountID, sites.ListParams{Page: page})
	if err != nil {
		return model.SitesPage{}, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	trends, err := h.sites.Trends(ctx, accountID, ids, sitesTrendPoints)
	if err != nil {
		return model.SitesPage{}, err
	}
	d := model.SitesPage{Pagination: model.Pagination{Page: pg.Page, Pages: pg.Pages, Total: pg.Total}}
	if pg.Page > 1 {
		d.Pagination.PrevURL = withQuery(h.url(RouteSites), url.Values{"page": {strconv.Itoa(pg.Page - 1)}})
	}
	if pg.Page < pg.Pages {
		d.Pagination.NextURL = withQuery(h.url(RouteSites), url.Values{"page": {strconv.Itoa(pg.Page + 1)}})
	}
	for _, it := range items {
		d.Sites = append(d.Sites, h.siteRow(it, trends[it.ID]))
	}
	return d, nil
}

func (h *Handler) siteRow(s sites.Summary, trend []sites.TrendPoint) model.SiteRow {
	r := model.SiteRow{ID: s.ID, Name: s.Name, Label: s.Label, TargetURL: s.URL, URL: h.url(RouteSite, s.ID),
		Score: s.Score, ScannedAt: s.ScannedAt}
	if s.Grade != nil {
		r.Grade = *s.Grade
	}
	if s.LatestStatus != nil {
		r.LatestStatus = string(*s.LatestStatus)
	}
	if m := s.Monitor; m != nil {
		r.Monitor = &model.MonitorSummary{Frequency: string(m.Frequency), Depth: string(m.Depth), Hour: m.Hour, Active: m.Active,
			NextRunAt: m.NextRunAt, LastRunAt: m.LastRunAt}
	}
	for _, p := range trend {
		r.Trend.Points = append(r.Trend.Points, model.TrendPoint{At: p.ScannedAt, Score: p.Score, Grade: p.Grade, Depth: string(p.Depth),
			URL: h.url(RouteScan, p.ScanID)})
	}
	return r
}

// createSite adds a site from the Sites page's form and opens its page.
func (h *Handler) createSite(c *fiber.Ctx) error {
	s := session(c)
	form := model.SiteForm{Action: h.url(RouteSites), URL: c.FormValue("url"), Label: c.FormValue("label"), Errors: map[string]string{}}
	st, err := h.sites.Create(c.UserContext(), s.Account.ID, form.URL, form.Label)
	if err == nil {
		return h.redirect(c, RouteSite, st.ID)
	}
	var cf *errs.Conflict
	if errors.As(err, &cf) {
		if id, ok := cf.Details["siteId"].(string); ok {
			form.ExistingURL = h.url(RouteSite, id)
		}
	}
	field, msg, ok := errs.Field(err)
	if !ok {
		return err
	}
	form.Errors[field] = msg
	d, err := h.sitesData(c.UserContext(), s.Account.ID, 1)
	if err != nil {
		return err
	}
	d.Form = form
	return httpx.Render(c, http.StatusUnprocessableEntity, pages.Sites(d), nil)
}

// notices are the success messages a redirect back to the site page may
// name (?done=); the text never comes from the request.
var notices = map[string]string{
	"created":  "Monitor created; its first run has started.",
	"run":      "Run started.",
	"paused":   "Monitor paused.",
	"resumed":  "Monitor resumed.",
	"saved":    "Settings saved.",
	"deleted":  "Monitor deleted.",
	"unshared": "Share link revoked.",
}

// redirectSite answers 303 to the site page with one of the notices.
func (h *Handler) redirectSite(c *fiber.Ctx, siteID, done string) error {
	return c.Redirect(withQuery(h.url(RouteSite, siteID), url.Values{"done": {done}}), fiber.StatusSeeOther)
}

// sitePage shows one site: chart, timeline and monitor.
func (h *Handler) sitePage(c *fiber.Ctx) error {
	d, err := h.siteData(c.UserContext(), session(c), c.Params("id"))
	if err != nil {
		return err
	}
	d.Notice = notices[c.Query("done")]
	return httpx.Render(c, http.StatusOK, pages.SitePage(d), nil)
}

func (h *Handler) siteData(ctx context.Context, s *auth.SessionInfo, id string) (model.SitePage, error) {
	acc := s.Account.ID
	det, err := h.sites.Get(ctx, acc, id)
	if err != nil {
		return model.SitePage{}, err
	}
	trend, err := h.sites.Trend(ctx, acc, id)
	if err != nil {
		return model.SitePage{}, err
	}
	d := model.SitePage{Site: h.siteRow(det.Summary, trend), DeleteURL: h.url(RouteSiteDelete, id)}
	for _, e := range det.Scans {
		row := model.TimelineRow{ID: e.ID, URL: h.url(RouteScan, e.ID), At: e.CreatedAt, Depth: string(e.Depth), Status: string(e.Status),
			Score: e.Score, SourceLabel: sourceLabel(e.Source)}
		if e.Grade != nil {
			row.Grade = *e.Grade
		}
		if e.GradeChange != nil && e.PreviousScanID != nil && e.PreviousGrade != nil {
			row.Change, row.PreviousGrade = *e.GradeChange, *e.PreviousGrade
			row.CompareURL = h.compareURL(e.ID, *e.PreviousScanID)
		}
		d.Timeline = append(d.Timeline, row)
	}
	alerted, err := h.alerts.SiteAlerts(ctx, acc, id, siteAlerts)
	if err != nil {
		return model.SitePage{}, err
	}
	for _, a := range alerted {
		row := model.SiteAlertRow{At: a.CreatedAt, Kind: a.Kind.String(), Subject: a.Subject, Deliveries: deliveriesLabel(a.Edges.Deliveries)}
		if a.ScanID != "" {
			row.ScanURL = h.url(RouteScan, a.ScanID)
		}
		d.Alerts = append(d.Alerts, row)
	}
	share, err := h.sites.ShareStatus(ctx, acc, id)
	if err != nil {
		return model.SitePage{}, err
	}
	d.Share = h.sharePanel(id, share)
	m, err := h.monitors.ForSite(ctx, acc, id)
	if err != nil {
		return model.SitePage{}, err
	}
	if m == nil {
		f := h.newMonitorForm(s, id)
		d.NewMonitor = &f
	} else {
		p := h.monitorPanel(s, m)
		d.Monitor = &p
	}
	return d, nil
}

// siteAlerts is how many alerts the site page lists.
const siteAlerts = 10

// deliveriesLabel says how an alert's deliveries went, in a few words.
func deliveriesLabel(ds []*ent.Delivery) string {
	if len(ds) == 0 {
		return "no channel"
	}
	var done, failed int
	for _, d := range ds {
		switch d.Status {
		case domain.DeliveryDelivered:
			done++
		case domain.DeliveryFailed:
			failed++
		}
	}
	out := fmt.Sprintf("%d of %d delivered", done, len(ds))
	if failed > 0 {
		out += fmt.Sprintf(", %d failed", failed)
	}
	return out
}

// sourceLabel names who started a scan that no person started.
func sourceLabel(t domain.Trigger) string {
	switch t {
	case domain.TriggerMonitor:
		return "monitor"
	case domain.TriggerConfirm:
		return "re-check"
	}
	return ""
}

// deleteSite deletes the site once the form's "yes, delete" box is ticked
// (a confirm step that needs no script).
func (h *Handler) deleteSite(c *fiber.Ctx) error {
	s := session(c)
	id := c.Params("id")
	if c.FormValue("confirm") != "yes" {
		d, err := h.siteData(c.UserContext(), s, id)
		if err != nil {
			return err
		}
		d.Errors = map[string]string{"": "Tick “Yes, delete this site” to confirm."}
		return httpx.Render(c, http.StatusUnprocessableEntity, pages.SitePage(d), nil)
	}
	if err := h.sites.Delete(c.UserContext(), s.Account.ID, id); err != nil {
		return err
	}
	return h.redirect(c, RouteSites)
}
