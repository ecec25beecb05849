package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/monitors"
)

// createMonitorRequest is POST /monitors: url or siteId, and the schedule.
type createMonitorRequest struct {
	URL       *string            `json:"url"`
	SiteID    *string            `json:"siteId"`
	Frequency *string            `json:"frequency"`
	Depth     *string            `json:"depth"`
	Hour      *int               `json:"hour"`
	Alerts    *domain.AlertRules `json:"alerts"`
}

// createMonitorResponse is the monitor and its initial scan.
type createMonitorResponse struct {
	Monitor monitors.View      `json:"monitor"`
	Scan    createScanResponse `json:"scan"`
}

type patchMonitorRequest struct {
	Frequency *string            `json:"frequency"`
	Depth     *string            `json:"depth"`
	Hour      *int               `json:"hour"`
	Alerts    *domain.AlertRules `json:"alerts"`
	Active    *bool              `json:"active"`
}

type monitorList struct {
	Data []monitors.View `json:"data"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (h *Handler) createMonitor(c *fiber.Ctx) error {
	var req createMonitorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	info := keyInfo(c)
	m, sc, err := h.Monitors.Create(c.UserContext(), info.Account, info.Key.CreatedBy, monitors.Input{
		URL: deref(req.URL), SiteID: deref(req.SiteID), Frequency: deref(req.Frequency), Depth: deref(req.Depth),
		Hour: req.Hour, Alerts: req.Alerts,
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, Prefix+"/monitors/"+m.ID)
	return c.Status(http.StatusCreated).JSON(createMonitorResponse{Monitor: monitors.ViewOf(m), Scan: createScanResponse{
		ID: sc.ID, URL: sc.TargetURL, Domain: sc.TargetDomain, Depth: string(sc.Depth), Status: string(sc.Status),
		StatusURL: Prefix + "/scan/" + sc.ID, CreatedAt: sc.CreatedAt.UTC(),
	}})
}

func (h *Handler) listMonitors(c *fiber.Ctx) error {
	ms, err := h.Monitors.List(c.UserContext(), keyInfo(c).Account.ID)
	if err != nil {
		return err
	}
	out := monitorList{Data: make([]monitors.View, 0, len(ms))}
	for _, m := range ms {
		out.Data = append(out.Data, monitors.ViewOf(m))
	}
	return c.JSON(out)
}

func (h *Handler) getMonitor(c *fiber.Ctx) error {
	m, err := h.Monitors.Get(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(monitors.ViewOf(m))
}

func (h *Handler) patchMonitor(c *fiber.Ctx) error {
	var req patchMonitorRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := h.Monitors.Update(c.UserContext(), keyInfo(c).Account, c.Params("id"), monitors.Patch{
		Frequency: req.Frequency, Depth: req.Depth, Hour: req.Hour, Alerts: req.Alerts, Active: req.Active,
	})
	if err != nil {
		return err
	}
	return c.JSON(monitors.ViewOf(m))
}

func (h *Handler) deleteMonitor(c *fiber.Ctx) error {
	if err := h.Monitors.Delete(c.UserContext(), keyInfo(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (h *Handler) runMonitor(c *fiber.Ctx) error {
	sc, err := h.Monitors.RunNow(c.UserContext(), keyInfo(c).Account, c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(createScanResponse{
		ID: sc.ID, URL: sc.TargetURL, Domain: sc.TargetDomain, Depth: string(sc.Depth), Status: string(sc.Status),
		StatusURL: Prefix + "/scan/" + sc.ID, CreatedAt: sc.CreatedAt.UTC(),
	})
}
