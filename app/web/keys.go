package web

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/pages"
)

func (h *Handler) keysData(c *fiber.Ctx, d pages.KeysData) (pages.KeysData, error) {
	s := session(c)
	keys, err := h.auth.Keys(c.UserContext(), s.Account.ID)
	if err != nil {
		return d, err
	}
	now := time.Now()
	for _, k := range keys {
		state := string(auth.StateOf(k, now))
		d.Keys = append(d.Keys, pages.KeyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt,
			LastUsedAt: k.LastUsedAt, RequestCount: k.RequestCount, ExpiresAt: k.ExpiresAt, State: state,
			RevokeURL: h.url(RouteKeyRevoke, k.ID)})
	}
	d.Limit = billing.Lookup(string(s.Account.Plan)).APIKeys
	return d, nil
}

func (h *Handler) keysPage(c *fiber.Ctx) error {
	d, err := h.keysData(c, pages.KeysData{})
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.Keys(d), nil)
}

func (h *Handler) createKey(c *fiber.Ctx) error {
	s := session(c)
	d := pages.KeysData{Name: c.FormValue("name"), Expires: c.FormValue("expires"), Errors: components.FormErrors{}}
	expires, err := auth.ParseKeyExpiry(d.Expires, time.Now())
	if err == nil {
		var plain string
		if _, plain, err = h.auth.CreateKey(c.UserContext(), s.Account.ID, d.Name, s.User.ID, expires); err == nil {
			h.log.Info("api key created", "account_id", s.Account.ID, "user_id", s.User.ID)
			d = pages.KeysData{NewKey: plain}
		}
	}
	if err != nil {
		field, msg, ok := errs.Field(err)
		if !ok {
			return err
		}
		d.Errors[field] = msg
	}
	d, err = h.keysData(c, d)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	// The new key is rendered straight into this response (never stored to
	// show later), and the page must not be cached.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return httpx.Render(c, status, pages.Keys(d), nil)
}

func (h *Handler) revokeKey(c *fiber.Ctx) error {
	if err := h.auth.RevokeKey(c.UserContext(), session(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return h.redirect(c, RouteKeys)
}
