package api

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
)

type createSiteRequest struct {
	URL   *string `json:"url"`
	Label *string `json:"label"`
}

// createSite adds a site explicitly (docs/monitoring.md, "Sites"); the same
// target again answers 409 with the existing site's id.
func (h *Handler) createSite(c *fiber.Ctx) error {
	var req createSiteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.URL == nil || strings.TrimSpace(*req.URL) == "" {
		return &errs.Validation{Field: "url", Message: `field "url" is required, e.g. {"url":"https://example.com"}`}
	}
	label := ""
	if req.Label != nil {
		label = *req.Label
	}
	acc := keyInfo(c).Account
	st, err := h.Sites.Create(c.UserContext(), acc.ID, *req.URL, label)
	if err != nil {
		return err
	}
	d, err := h.Sites.Get(c.UserContext(), acc.ID, st.ID)
	if err != nil {
		return err
	}
	c.Location(Prefix + "/sites/" + st.ID)
	return c.Status(http.StatusCreated).JSON(d.Summary)
}

func (h *Handler) listSites(c *fiber.Ctx) error {
	page, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, pg, err := h.Sites.List(c.UserContext(), keyInfo(c).Account.ID, sites.ListParams{Page: page, Limit: limit, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	return c.JSON(listResponse[sites.Summary]{Data: items, Pagination: scans.Pagination(pg)})
}

func (h *Handler) getSite(c *fiber.Ctx) error {
	d, err := h.Sites.Get(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (h *Handler) deleteSite(c *fiber.Ctx) error {
	if err := h.Sites.Delete(c.UserContext(), keyInfo(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
