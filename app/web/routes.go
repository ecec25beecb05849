// Package web is the browser surface: templ pages driven by htmx, session
// cookies and CSRF-protected forms. Its whole route table is Routes below.
package web

import (
	"github.com/gofiber/fiber/v2"
)

// Route names. Every URL the web app prints or redirects to is built from
// them (Handler.url, Handler.links), so each path is written once, below.
const (
	RouteHome      = "home"
	RouteSignUp    = "signup"
	RouteConfirm   = "signup.confirm"
	RouteLogIn     = "login"
	RouteLogOut    = "logout"
	RouteDashboard = "dashboard"
	RouteScanNew   = "scan.create"
	RouteScan      = "scan.show"
	RouteScanBody  = "scan.body"
	RouteScanStop  = "scan.cancel"
	RouteScanFix   = "scan.fix"
	// RouteScanCompare compares a scan with another of the same target (?against=).
	RouteScanCompare = "scan.compare"
	RouteReportNew   = "report.create"
	RouteReports     = "report.list"
	RouteReportPDF   = "report.pdf"
	RouteBilling     = "billing"
	RouteCheckout    = "billing.checkout"
	RoutePortal      = "billing.portal"
	RouteKeys        = "keys"
	RouteKeyRevoke   = "keys.revoke"
	RouteAPIDocs     = "docs.api"
	RouteSettings    = "account"
	RouteRename      = "account.name"
	RoutePassword    = "account.password"
	RouteDelete      = "account.delete"
	RouteTeam        = "team"
	RouteInvite      = "team.invite"
	RouteRole        = "team.role"
	RouteRemove      = "team.remove"
	RouteJoin        = "invite.accept"
	// Sites and their monitors (app/web/sites.go, app/web/monitors.go).
	RouteSites       = "sites"
	RouteSite        = "site.show"
	RouteSiteDelete  = "site.delete"
	RouteSiteShare   = "site.share"
	RouteSiteUnshare = "site.unshare"
	// A shared site's public page and badge (app/web/share.go).
	RouteShare         = "share.show"
	RouteBadge         = "share.badge"
	RouteMonitorNew    = "monitor.create"
	RouteMonitorActive = "monitor.active"
	RouteMonitorRun    = "monitor.run"
	RouteMonitorEdit   = "monitor.edit"
	RouteMonitorDelete = "monitor.delete"
	// Webhooks, the signing secret and deliveries (app/web/webhooks.go).
	RouteWebhooks      = "webhooks"
	RouteWebhookSecret = "webhooks.secret"
	RouteWebhookTest   = "webhooks.test"
	RouteWebhookDelete = "webhooks.delete"
)

// Routes registers every web route. Public pages carry CSRF and the viewer;
// the rest also require a signed-in user.
func (h *Handler) Routes(app *fiber.App) {
	h.routes = routeTable{}
	// Every page, error pages of unknown addresses included, prints the
	// navigation, so the links reach the page context before any route.
	app.Use(h.setLinks)
	pub := router{app: app, table: h.routes, mw: []fiber.Handler{h.csrf, h.loadViewer}}
	pub.get("/", RouteHome, h.home)
	pub.get("/signup", RouteSignUp, h.signUpForm)
	pub.post("/signup", RouteSignUp, h.signUp)
	pub.get("/signup/confirm/:token", RouteConfirm, h.confirmForm)
	pub.post("/signup/confirm/:token", RouteConfirm, h.confirmSignUp)
	pub.get("/login", RouteLogIn, h.logInForm)
	pub.post("/login", RouteLogIn, h.logIn)
	pub.post("/logout", RouteLogOut, h.logOut)
	pub.get("/docs/api", RouteAPIDocs, h.apiDocs)
	pub.get("/invite/:token", RouteJoin, h.inviteForm)
	pub.post("/invite/:token", RouteJoin, h.acceptInvite)
	// A shared site's page and badge: anyone with the token, read only (app/web/share.go).
	pub.get("/s/:token", RouteShare, h.sharePage)
	// An image needs neither CSRF nor the viewer.
	bare := router{app: app, table: h.routes}
	bare.get("/badge/:token.svg", RouteBadge, h.badge)

	user := pub.with(h.requireUser)
	user.get("/dashboard", RouteDashboard, h.dashboard)
	user.post("/scans", RouteScanNew, h.createScan)
	user.get("/scans/:id", RouteScan, h.scanPage)
	user.get("/scans/:id/body", RouteScanBody, h.scanBody)
	user.post("/scans/:id/cancel", RouteScanStop, h.cancelScan)
	user.get("/scans/:id/fix.md", RouteScanFix, h.scanFix)
	user.get("/scans/:id/compare", RouteScanCompare, h.comparePage)
	user.post("/scans/:id/reports", RouteReportNew, h.createReport)
	user.get("/reports", RouteReports, h.listReports)
	user.get("/reports/:id/pdf", RouteReportPDF, h.reportPDF)
	user.get("/billing", RouteBilling, h.billingPage)
	user.get("/account", RouteSettings, h.settingsPage)
	user.post("/account/password", RoutePassword, h.changePassword)
	user.get("/team", RouteTeam, h.teamPage)
	// sites and the site page (app/web/sites.go)
	user.get("/sites", RouteSites, h.sitesPage)
	user.post("/sites", RouteSites, h.createSite)
	user.get("/sites/:id", RouteSite, h.sitePage)
	user.post("/sites/:id/delete", RouteSiteDelete, h.deleteSite)
	user.post("/sites/:id/share", RouteSiteShare, h.shareSite)
	user.post("/sites/:id/share/revoke", RouteSiteUnshare, h.unshareSite)
	// monitors (app/web/monitors.go)
	user.post("/sites/:id/monitor", RouteMonitorNew, h.createMonitor)
	user.post("/monitors/:id/active", RouteMonitorActive, h.setMonitorActive)
	user.post("/monitors/:id/run", RouteMonitorRun, h.runMonitor)
	user.post("/monitors/:id/settings", RouteMonitorEdit, h.editMonitor)
	user.post("/monitors/:id/delete", RouteMonitorDelete, h.deleteMonitor)
	owner := user.with(h.requireOwner)
	owner.post("/billing/checkout", RouteCheckout, h.checkout)
	owner.post("/billing/portal", RoutePortal, h.portal)
	owner.get("/keys", RouteKeys, h.keysPage)
	owner.post("/keys", RouteKeys, h.createKey)
	owner.post("/keys/:id/revoke", RouteKeyRevoke, h.revokeKey)
	owner.post("/account/name", RouteRename, h.renameAccount)
	owner.post("/account/delete", RouteDelete, h.deleteAccount)
	owner.post("/team/invite", RouteInvite, h.createInvite)
	owner.post("/team/:id/role", RouteRole, h.setRole)
	owner.post("/team/:id/remove", RouteRemove, h.removeMember)
	// webhooks, the webhook secret and deliveries (app/web/webhooks.go)
	owner.get("/webhooks", RouteWebhooks, h.webhooksPage)
	owner.post("/webhooks", RouteWebhooks, h.createWebhook)
	owner.post("/webhooks/secret", RouteWebhookSecret, h.rotateWebhookSecret)
	owner.post("/webhooks/:id/test", RouteWebhookTest, h.testWebhook)
	owner.get("/webhooks/:id/delete", RouteWebhookDelete, h.confirmDeleteWebhook)
	owner.post("/webhooks/:id/delete", RouteWebhookDelete, h.deleteWebhook)
	h.links = h.buildLinks()
}

// router applies a middleware chain to each route it registers, so the
// table above stays one line per route.
type router struct {
	app   *fiber.App
	table routeTable
	mw    []fiber.Handler
}

func (r router) with(mw ...fiber.Handler) router {
	return router{app: r.app, table: r.table, mw: append(append([]fiber.Handler{}, r.mw...), mw...)}
}

func (r router) chain(h fiber.Handler) []fiber.Handler {
	return append(append([]fiber.Handler{}, r.mw...), h)
}

func (r router) get(path, name string, h fiber.Handler) {
	r.table.add(name, path)
	r.app.Get(path, r.chain(h)...).Name(name)
}

// post names the route name+".post" in Fiber, whose GetRoute looks names up
// across methods; the URL is the same as the GET's of that name.
func (r router) post(path, name string, h fiber.Handler) {
	r.table.add(name, path)
	r.app.Post(path, r.chain(h)...).Name(name + ".post")
}
