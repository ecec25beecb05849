package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/report"
)

// ReportWait is how long creating a report waits for it to be rendered
// before answering 202 with a status URL instead of 201 with the report.
var ReportWait = 2 * time.Second

type createReportRequest struct {
	ScanID *string `json:"scanId"`
}

func (h *Handler) createReport(c *fiber.Ctx) error {
	var req createReportRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ScanID == nil || strings.TrimSpace(*req.ScanID) == "" {
		return &errs.Validation{Field: "scanId", Message: `field "scanId" is required`}
	}
	acc := keyInfo(c).Account.ID
	r, err := h.reports.Create(c.UserContext(), acc, strings.TrimSpace(*req.ScanID))
	if err != nil {
		return err
	}
	r, err = h.reports.WaitReady(c.UserContext(), acc, r.ID, ReportWait)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if r.Status == report.StatusPENDING {
		status = http.StatusAccepted
		c.Set(fiber.HeaderLocation, Prefix+"/report/"+r.ID)
	}
	return c.Status(status).JSON(reporting.ViewOf(r, Prefix))
}

func (h *Handler) listReports(c *fiber.Ctx) error {
	page, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, pg, err := h.reports.List(c.UserContext(), keyInfo(c).Account.ID, c.Query("scanId"), page, limit)
	if err != nil {
		return err
	}
	out := listResponse[reporting.View]{Data: make([]reporting.View, 0, len(items)), Pagination: pg}
	for _, r := range items {
		out.Data = append(out.Data, reporting.ViewOf(r, Prefix))
	}
	return c.JSON(out)
}

func (h *Handler) getReport(c *fiber.Ctx) error {
	r, err := h.reports.Get(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(reporting.ViewOf(r, Prefix))
}

func (h *Handler) reportPDF(c *fiber.Ctx) error {
	return SendPDF(c, h.reports, keyInfo(c).Account.ID, c.Params("id"))
}

// SendPDF streams a stored report with its ETag (the SHA-256), answering 304
// when the client already has it. The web surface uses it too.
func SendPDF(c *fiber.Ctx, svc *reporting.Service, accountID, id string) error {
	r, pdf, err := svc.PDF(c.UserContext(), accountID, id)
	if err != nil {
		return err
	}
	etag := `"` + r.Sha256 + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, max-age=0, must-revalidate")
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && (match == etag || match == "*") {
		return c.SendStatus(http.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, reporting.Filename(r)))
	return c.Send(pdf)
}

func (h *Handler) scanFix(c *fiber.Ctx) error {
	d, err := h.scans.Detail(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	if d.Status.Active() {
		return &errs.Conflict{Message: "the scan has not finished yet; fetch its fixes when it has"}
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="SECURITY-FIX.md"`)
	return c.SendString(scans.FixMarkdown(d, time.Now()))
}

type usageResponse struct {
	Plan              domain.PlanID  `json:"plan"`
	ScansUsed         int            `json:"scansUsed"`
	ScansLimit        *int           `json:"scansLimit"`
	ScansRemaining    *int           `json:"scansRemaining"`
	ResetsAt          time.Time      `json:"resetsAt"`
	RequestsPerMinute int            `json:"requestsPerMinute"`
	Depths            []domain.Depth `json:"depths"`
	ConcurrentScans   int            `json:"concurrentScans"`
	// Monitors and their runs have their own limits (docs/monitoring.md, "Plan limits").
	Monitors             int `json:"monitors"`
	MonitorsLimit        int `json:"monitorsLimit"`
	MonitorRunsUsed      int `json:"monitorRunsUsed"`
	MonitorRunsLimit     int `json:"monitorRunsLimit"`
	MonitorRunsRemaining int `json:"monitorRunsRemaining"`
}

func (h *Handler) usage(c *fiber.Ctx) error {
	acc := keyInfo(c).Account
	plan := billing.Lookup(acc.Plan)
	used, err := h.scans.Used(c.UserContext(), acc.ID)
	if err != nil {
		return err
	}
	out := usageResponse{Plan: plan.ID, ScansUsed: used, ResetsAt: scans.ResetsAt(time.Now()),
		RequestsPerMinute: plan.RequestsPerMinute, Depths: plan.Depths, ConcurrentScans: plan.ConcurrentScans}
	if plan.ScansPerMonth != billing.Unlimited {
		limit, left := plan.ScansPerMonth, max(0, plan.ScansPerMonth-used)
		out.ScansLimit, out.ScansRemaining = &limit, &left
	}
	mu, err := h.Monitors.Usage(c.UserContext(), acc.ID)
	if err != nil {
		return err
	}
	out.Monitors, out.MonitorsLimit = mu.Monitors, plan.Monitors
	out.MonitorRunsUsed, out.MonitorRunsLimit = mu.Runs, plan.MonitorRunsPerMonth
	out.MonitorRunsRemaining = max(0, plan.MonitorRunsPerMonth-mu.Runs)
	return c.JSON(out)
}
