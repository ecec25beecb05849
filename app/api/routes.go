// Package api is the Bearer-key JSON surface, /api/v1 (documented in app/api/openapi.json). Its
// whole route table is Routes below; every error is {"error": "…"}.
package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/palisade/palisade/app/mcp"
)

// Route names, used by tests that walk the table.
const (
	RouteScanCreate = "api.scan.create"
	RouteScanList   = "api.scan.list"
	RouteScanGet    = "api.scan.get"
	RouteScanEvents = "api.scan.events"
	RouteScanCancel = "api.scan.cancel"
	RouteScanFix    = "api.scan.fix"
	RouteScanDiff   = "api.scan.diff"
	RouteReportNew  = "api.report.create"
	RouteReportList = "api.report.list"
	RouteReportGet  = "api.report.get"
	RouteReportPDF  = "api.report.pdf"
	RouteUsage      = "api.usage"
	RouteOpenAPI    = "api.openapi"
	RouteSiteCreate = "api.site.create"
	RouteSiteList   = "api.site.list"
	RouteSiteGet    = "api.site.get"
	RouteSiteDelete = "api.site.delete"
	// A site's public share link (app/api/sites.go).
	RouteSiteShare       = "api.site.share"
	RouteSiteShareGet    = "api.site.share.get"
	RouteSiteShareDelete = "api.site.share.delete"
	// monitors (app/api/monitors.go)
	RouteMonitorCreate = "api.monitor.create"
	RouteMonitorList   = "api.monitor.list"
	RouteMonitorGet    = "api.monitor.get"
	RouteMonitorPatch  = "api.monitor.patch"
	RouteMonitorDelete = "api.monitor.delete"
	RouteMonitorRun    = "api.monitor.run"
	// Webhooks, the webhook secret, deliveries and alerts (app/api/webhooks.go).
	RouteWebhookCreate     = "api.webhook.create"
	RouteWebhookList       = "api.webhook.list"
	RouteWebhookSecret     = "api.webhook.secret"
	RouteWebhookRotate     = "api.webhook.secret.rotate"
	RouteWebhookGet        = "api.webhook.get"
	RouteWebhookDelete     = "api.webhook.delete"
	RouteWebhookTest       = "api.webhook.test"
	RouteWebhookDeliveries = "api.webhook.deliveries"
	RouteAlertList         = "api.alert.list"
	// The MCP server (app/mcp), outside /api/v1 but behind the same key check.
	RouteMCP = "api.mcp"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Routes registers every API route: the OpenAPI document in the open, the
// rest behind key authentication and rate limiting.
func (h *Handler) Routes(app *fiber.App) {
	app.Get(OpenAPIPath, ServeOpenAPI).Name(RouteOpenAPI)
	if h.MCP != nil {
		// POST carries the JSON-RPC messages; GET and DELETE reach the
		// transport too, which answers 405 since it keeps no sessions.
		app.All(mcp.Path, h.limitBody, h.requireKey, h.serveMCP).Name(RouteMCP)
	}
	v1 := app.Group(Prefix, h.limitBody, h.requireKey)
	v1.Post("/scan", h.createScan).Name(RouteScanCreate)
	v1.Get("/scan", h.listScans).Name(RouteScanList)
	v1.Get("/scan/:id", h.getScan).Name(RouteScanGet)
	v1.Get("/scan/:id/events", h.scanEvents).Name(RouteScanEvents)
	v1.Post("/scan/:id/cancel", h.cancelScan).Name(RouteScanCancel)
	v1.Get("/scan/:id/fix", h.scanFix).Name(RouteScanFix)
	v1.Get("/scan/:id/diff", h.scanDiff).Name(RouteScanDiff)
	v1.Post("/report", h.createReport).Name(RouteReportNew)
	v1.Get("/report", h.listReports).Name(RouteReportList)
	v1.Get("/report/:id", h.getReport).Name(RouteReportGet)
	v1.Get("/report/:id/pdf", h.reportPDF).Name(RouteReportPDF)
	v1.Get("/usage", h.usage).Name(RouteUsage)
	// sites (app/api/sites.go)
	v1.Post("/sites", h.createSite).Name(RouteSiteCreate)
	v1.Get("/sites", h.listSites).Name(RouteSiteList)
	v1.Get("/sites/:id", h.getSite).Name(RouteSiteGet)
	v1.Delete("/sites/:id", h.deleteSite).Name(RouteSiteDelete)
	v1.Post("/sites/:id/share", h.shareSite).Name(RouteSiteShare)
	v1.Get("/sites/:id/share", h.getSiteShare).Name(RouteSiteShareGet)
	v1.Delete("/sites/:id/share", h.unshareSite).Name(RouteSiteShareDelete)
	// monitors (app/api/monitors.go)
	v1.Post("/monitors", h.createMonitor).Name(RouteMonitorCreate)
	v1.Get("/monitors", h.listMonitors).Name(RouteMonitorList)
	v1.Get("/monitors/:id", h.getMonitor).Name(RouteMonitorGet)
	v1.Patch("/monitors/:id", h.patchMonitor).Name(RouteMonitorPatch)
	v1.Delete("/monitors/:id", h.deleteMonitor).Name(RouteMonitorDelete)
	v1.Post("/monitors/:id/run", h.runMonitor).Name(RouteMonitorRun)
	// webhooks and alerts (app/api/webhooks.go)
	// webhooks and alerts (app/api/webhooks.go); /webhooks/secret before /webhooks/:id
	v1.Post("/webhooks", h.createWebhook).Name(RouteWebhookCreate)
	v1.Get("/webhooks", h.listWebhooks).Name(RouteWebhookList)
	v1.Get("/webhooks/secret", h.getWebhookSecret).Name(RouteWebhookSecret)
	v1.Post("/webhooks/secret", h.rotateWebhookSecret).Name(RouteWebhookRotate)
	v1.Get("/webhooks/:id", h.getWebhook).Name(RouteWebhookGet)
	v1.Delete("/webhooks/:id", h.deleteWebhook).Name(RouteWebhookDelete)
	v1.Post("/webhooks/:id/test", h.testWebhook).Name(RouteWebhookTest)
	v1.Get("/webhooks/:id/deliveries", h.webhookDeliveries).Name(RouteWebhookDeliveries)
	v1.Get("/alerts", h.listAlerts).Name(RouteAlertList)
	v1.Use(h.notFound)
}

// serveMCP hands the authenticated request to the MCP transport, its tools
// bound to the key's account.
func (h *Handler) serveMCP(c *fiber.Ctx) error {
	return adaptor.HTTPHandler(h.MCP.Handler(keyInfo(c).Account))(c)
}
