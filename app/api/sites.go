package api

import (
	"net/http"
	"strings"
	"time"

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

type siteShareResponse struct {
	Token     string    `json:"token"`
	URL       string    `json:"url"`
	BadgeURL  string    `json:"badgeUrl"`
	CreatedAt time.Time `json:"createdAt"`
}

// shareSite makes or rotates the site's public share token, shown only in
// this answer (docs/monitoring.md, "Sites").
func (h *Handler) shareSite(c *fiber.Ctx) error {
	sh, err := h.Sites.Share(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(siteShareResponse{Token: sh.Token, URL: SharePath(sh.Token),
		BadgeURL: BadgePath(sh.Token), CreatedAt: sh.CreatedAt})
}

func (h *Handler) getSiteShare(c *fiber.Ctx) error {
	st, err := h.Sites.ShareStatus(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (h *Handler) unshareSite(c *fiber.Ctx) error {
	if err := h.Sites.Unshare(c.UserContext(), keyInfo(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// SharePath and BadgePath are where the web app serves a share token's
// public page and badge (app/web/routes.go registers the same paths).
func SharePath(token string) string { return "/s/" + token }

// BadgePath is the share token's SVG badge.
func BadgePath(token string) string { return "/badge/" + token + ".svg" }
