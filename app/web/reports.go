package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/api"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// reportVersions lists a scan's report versions, newest first.
func (h *Handler) reportVersions(c *fiber.Ctx, scanID string) ([]model.Report, error) {
	items, _, err := h.reports.List(c.UserContext(), session(c).Account.ID, scanID, 1, scans.MaxLimit)
	if err != nil {
		return nil, err
	}
	out := make([]model.Report, 0, len(items))
	for _, r := range items {
		out = append(out, h.report(reporting.ViewOf(r, "")))
	}
	return out, nil
}

func (h *Handler) createReport(c *fiber.Ctx) error {
	acc := session(c).Account.ID
	id := c.Params("id")
	r, err := h.reports.Create(c.UserContext(), acc, id)
	if err != nil {
		return err
	}
	if _, err := h.reports.WaitReady(c.UserContext(), acc, r.ID, 2*time.Second); err != nil {
		return err
	}
	if c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" {
		versions, err := h.reportVersions(c, id)
		if err != nil {
			return err
		}
		newURL := h.url(RouteReportNew, id)
		return httpx.Render(c, http.StatusOK, pages.ReportVersions(newURL, versions), pages.ReportVersions(newURL, versions))
	}
	return h.redirect(c, RouteScan, id)
}

func (h *Handler) reportPDF(c *fiber.Ctx) error {
	return api.SendPDF(c, h.reports, session(c).Account.ID, c.Params("id"))
}

func (h *Handler) listReports(c *fiber.Ctx) error {
	page, _ := strconv.Atoi(c.Query("page", "1"))
	page = max(page, 1)
	items, pg, err := h.reports.List(c.UserContext(), session(c).Account.ID, "", page, scans.DefaultLimit)
	if err != nil {
		return err
	}
	views := make([]model.Report, 0, len(items))
	for _, r := range items {
		views = append(views, h.report(reporting.ViewOf(r, "")))
	}
	pageURL := func(page int) string {
		return withQuery(h.url(RouteReports), url.Values{"page": {strconv.Itoa(page)}})
	}
	return httpx.Render(c, http.StatusOK, pages.Reports(views, pagination(pg, pageURL)), nil)
}

func (h *Handler) scanFix(c *fiber.Ctx) error {
	d, err := h.scans.Detail(c.UserContext(), session(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	if d.Status.Active() {
		return &errs.Conflict{Message: "The scan has not finished yet."}
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="SECURITY-FIX.md"`)
	return c.SendString(scans.FixMarkdown(d, time.Now()))
}
