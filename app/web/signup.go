package web

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/views/pages"
)

// The sign-up flow itself (throttles, pending sign-ups, the mails) is
// auth.SignUps; these handlers parse, call it and render.

// confirmForm asks for a click rather than acting on the GET: mail
// scanners open links, and must not create accounts by doing so.
func (h *Handler) confirmForm(c *fiber.Ctx) error {
	p, err := h.signups.Pending(c.Params("token"))
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.SignUpConfirm(p.Email, h.url(RouteConfirm, c.Params("token"))), nil)
}

func (h *Handler) confirmSignUp(c *fiber.Ctx) error {
	u, p, err := h.signups.Confirm(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(h.dashboardWithURL(p.URL), fiber.StatusSeeOther)
}
