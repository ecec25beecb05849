// Package httpx is what the web and API surfaces share: the one error
// handler, the one render helper, and the security headers every response
// carries.
package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// IsAPI reports whether the request is answered in JSON: the API, the MCP
// server (app/mcp, whose key errors match the API's) and the Stripe webhook
// (a machine caller too).
func IsAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || c.Path() == "/mcp" || c.Path() == "/billing/webhook"
}

// ErrorHandler answers every error a handler returns: `{"error":…}` with the
// status, extra fields and headers Status gives on the API, a readable page
// (or an htmx flash) on the web. Internal errors are logged with the
// request's path and never shown.
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		code, msg, extra, headers := Status(err)
		if code >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", code,
				"request_id", RequestIDOf(c), "err", err)
		}
		for k, v := range headers {
			c.Set(k, v)
		}
		if IsAPI(c) {
			body := fiber.Map{"error": msg}
			for k, v := range extra {
				body[k] = v
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

// Status is the one mapping from an error to an answer: the status code,
// the sentence we may show, extra JSON fields for the API's error body
// (quota details) and headers (Retry-After). Services return the kinds of
// app/errs and never choose a code; this is where codes are chosen, so the
// web, the API and the Stripe webhook answer a kind alike. Anything else is
// a 500 whose message says nothing of the cause.
func Status(err error) (code int, msg string, extra map[string]any, headers map[string]string) {
	var (
		fe *fiber.Error
		v  *errs.Validation
		q  *errs.QuotaExceeded
		rl *errs.RateLimited
		un *errs.Unauthenticated
		fb *errs.Forbidden
		cf *errs.Conflict
		gn *errs.Gone
		tr *errs.TargetRefused
		tl *errs.TooLarge
		ua *errs.Unavailable
		up *errs.Upstream
		nf *errs.NotFound
	)
	switch {
	case err == nil:
		return http.StatusOK, "", nil, nil
	case errors.As(err, &v):
		return http.StatusBadRequest, v.Message, nil, nil
	case errors.As(err, &q):
		return http.StatusTooManyRequests, q.Error(),
			map[string]any{"limit": q.Limit, "used": q.Used, "resetsAt": q.ResetsAt.UTC().Format(time.RFC3339)}, nil
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, rl.Message, nil, map[string]string{"Retry-After": strconv.Itoa(RetryAfterSeconds(rl.RetryAfter))}
	case errors.As(err, &un):
		return http.StatusUnauthorized, un.Message, nil, nil
	case errors.As(err, &fb):
		return http.StatusForbidden, fb.Message, fb.Details, nil
	case errors.As(err, &cf):
		return http.StatusConflict, cf.Message, cf.Details, nil
	case errors.As(err, &gn):
		return http.StatusGone, gn.Message, nil, nil
	case errors.As(err, &tr):
		return http.StatusUnprocessableEntity, tr.Message, nil, nil
	case errors.As(err, &tl):
		return http.StatusRequestEntityTooLarge, tl.Message, nil, nil
	case errors.As(err, &ua):
		return http.StatusServiceUnavailable, ua.Message, nil, nil
	case errors.As(err, &up):
		return http.StatusBadGateway, up.Message, nil, nil
	case errors.As(err, &nf):
		return http.StatusNotFound, nf.Error(), nil, nil
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
		return fe.Code, msg, nil, nil
	}
	return http.StatusInternalServerError, "internal error", nil, nil
}

// RetryAfterSeconds is a wait as the whole seconds of a Retry-After header,
// rounded up (never 0, which would invite an immediate retry).
func RetryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
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
