// Package httpx is what the web and API surfaces share: the one error
// handler, the one render helper, and the security headers every response
// carries.
package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// IsAPI reports whether the request is answered in JSON: the API, and the
// Stripe webhook (a machine caller too).
func IsAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || c.Path() == "/billing/webhook"
}

// ErrorHandler answers every error a handler returns: `{"error":…}` with the
// right status on the API, a readable page on the web. Internal errors are
// logged with the request's path and never shown.
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		code, msg := classify(err)
		if code >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", code,
				"request_id", RequestIDOf(c), "err", err)
		}
		var st *errs.Status
		if errors.As(err, &st) {
			for k, v := range st.Headers {
				c.Set(k, v)
			}
		}
		if IsAPI(c) {
			body := fiber.Map{"error": msg}
			if st != nil {
				for k, v := range st.Extra {
					body[k] = v
				}
			}
			return c.Status(code).JSON(body)
		}
		title := http.StatusText(code)
		if code == http.StatusNotFound {
			msg = "There is nothing at this address, or it belongs to another account."
		}
		if c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" {
			// A fragment request (a button, a poll): say it in the flash area
			// of the page the person is on, not by replacing a fragment with a page.
			c.Set("HX-Retarget", "#flash")
			c.Set("HX-Reswap", "innerHTML")
			return Render(c, code, components.Flash(msg), components.Flash(msg))
		}
		return Render(c, code, pages.Error(code, title, msg), nil)
	}
}

// classify maps an error to its status and the sentence we may show.
func classify(err error) (int, string) {
	var fe *fiber.Error
	var v *errs.Validation
	var st *errs.Status
	var cf *errs.Conflict
	switch {
	case errors.As(err, &st):
		return st.Code, st.Message
	case errors.As(err, &v):
		return http.StatusBadRequest, v.Message
	case errors.As(err, &cf):
		return http.StatusConflict, cf.Message
	case errors.Is(err, errs.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.As(err, &fe):
		msg := fe.Message
		switch fe.Code {
		case http.StatusRequestEntityTooLarge:
			msg = "the request body is too large"
		case http.StatusNotFound:
			msg = "not found"
		case http.StatusMethodNotAllowed:
			msg = "method not allowed"
		}
		if fe.Code >= 500 {
			msg = "internal error"
		}
		return fe.Code, msg
	}
	return http.StatusInternalServerError, "internal error"
}

// Render writes a templ component as HTML. When the request comes from htmx
// and is neither boosted nor a history restore, fragment (if given) is sent
// instead of the full page. The answer varies on HX-Request for caches.
func Render(c *fiber.Ctx, status int, full, fragment templ.Component) error {
	c.Vary("HX-Request")
	comp := full
	if fragment != nil && c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" && c.Get("HX-History-Restore-Request") != "true" {
		comp = fragment
	}
	c.Status(status)
	if status >= 400 {
		// A form answered with its errors stays at the address it was on.
		c.Set("HX-Push-Url", "false")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	ctx := components.WithPage(c.UserContext(), PageContext(c))
	return comp.Render(ctx, c.Response().BodyWriter())
}

// Locals keys set by the middleware.
const (
	LocalCSRF   = "csrf"
	LocalViewer = "viewer"
	// LocalLinks holds the *model.Links the web surface builds from its route table.
	LocalLinks = "links"
)

// PageContext collects what every page needs from the request.
func PageContext(c *fiber.Ctx) components.PageCtx {
	p := components.PageCtx{Path: c.Path()}
	if t, ok := c.Locals(LocalCSRF).(string); ok {
		p.CSRF = t
	}
	if v, ok := c.Locals(LocalViewer).(*components.Viewer); ok {
		p.Viewer = v
	}
	if l, ok := c.Locals(LocalLinks).(*model.Links); ok {
		p.Links = *l
	}
	return p
}

// SecurityHeaders sets Palisade's own strict headers on every response: a
// CSP with no inline script or style, no framing, no sniffing, isolation,
// and HSTS when served over HTTPS.
func SecurityHeaders(https bool) fiber.Handler {
	const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; form-action 'self' https://checkout.stripe.com https://billing.stripe.com; frame-ancestors 'none'; base-uri 'none'"
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return c.Next()
	}
}
