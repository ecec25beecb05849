package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/views/model"
)

// routeTable maps each route name to its path pattern ("/scans/:id"), filled
// as Routes registers them. Lookups are a map read, not Fiber's GetRoute,
// which walks the whole router stack on each call.
type routeTable map[string]string

// add records name → path; a name used for two paths is a mistake in the
// table, caught when the server starts.
func (t routeTable) add(name, path string) {
	if old, ok := t[name]; ok && old != path {
		panic(fmt.Sprintf("web: route %q registered for %s and %s", name, old, path))
	}
	t[name] = path
}

// url is the path of the named route with its :parameters filled in order
// by params (path-escaped). An unknown name or a wrong number of params is
// a programming error; it panics, and the route tests render every page.
func (t routeTable) url(name string, params ...string) string {
	pattern, ok := t[name]
	if !ok {
		panic(fmt.Sprintf("web: no route named %q", name))
	}
	if !strings.Contains(pattern, ":") {
		if len(params) != 0 {
			panic(fmt.Sprintf("web: route %q (%s) takes no parameters", name, pattern))
		}
		return pattern
	}
	segs := strings.Split(pattern, "/")
	n := 0
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			if n >= len(params) {
				panic(fmt.Sprintf("web: route %q (%s) needs more parameters than %d", name, pattern, len(params)))
			}
			// A parameter may end the segment early ("/badge/:token.svg").
			suffix := ""
			if dot := strings.Index(s, "."); dot > 0 {
				suffix = s[dot:]
			}
			segs[i] = url.PathEscape(params[n]) + suffix
			n++
		}
	}
	if n != len(params) {
		panic(fmt.Sprintf("web: route %q (%s) takes %d parameters, got %d", name, pattern, n, len(params)))
	}
	return strings.Join(segs, "/")
}

// url builds the path of a named route (see routeTable.url).
func (h *Handler) url(name string, params ...string) string { return h.routes.url(name, params...) }

// withQuery appends q to a route's path, when q has values.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// buildLinks computes the hrefs every page can print, once, after the
// routes are registered.
func (h *Handler) buildLinks() model.Links {
	return model.Links{
		Home: h.url(RouteHome), SignUp: h.url(RouteSignUp), LogIn: h.url(RouteLogIn), LogOut: h.url(RouteLogOut),
		APIDocs: h.url(RouteAPIDocs), Dashboard: h.url(RouteDashboard), ScanNew: h.url(RouteScanNew),
		Reports: h.url(RouteReports), Billing: h.url(RouteBilling), Checkout: h.url(RouteCheckout),
		Portal: h.url(RoutePortal), Keys: h.url(RouteKeys), Settings: h.url(RouteSettings),
		Rename: h.url(RouteRename), Password: h.url(RoutePassword), Delete: h.url(RouteDelete),
		Team: h.url(RouteTeam), Invite: h.url(RouteInvite), Sites: h.url(RouteSites), Webhooks: h.url(RouteWebhooks),
	}
}

// setLinks hands the links to the page context (see httpx.PageContext).
func (h *Handler) setLinks(c *fiber.Ctx) error {
	c.Locals(httpx.LocalLinks, &h.links)
	return c.Next()
}

// redirect answers 303 See Other to the named route, the way every form
// in the web app ends.
func (h *Handler) redirect(c *fiber.Ctx, name string, params ...string) error {
	return c.Redirect(h.url(name, params...), fiber.StatusSeeOther)
}
