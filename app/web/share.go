package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// sharePage is a shared site's public page (docs/monitoring.md, "Sites").
// It only reads: anyone holding the link may load it any number of times.
func (h *Handler) sharePage(c *fiber.Ctx) error {
	p, err := h.sites.Public(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	d := model.SharePage{Name: p.Name, Graded: p.ScanID != "", Grade: p.Grade, Score: p.Score, ScannedAt: p.ScannedAt}
	for _, cat := range p.Categories {
		d.Categories = append(d.Categories, model.ShareCategory{Name: cat.Name, Score: cat.Score, MaxScore: cat.MaxScore, Grade: cat.Grade})
	}
	for _, f := range p.Findings {
		d.Findings = append(d.Findings, model.ShareFinding{Title: f.Title, Severity: f.Severity, Category: f.Category})
	}
	// The token is in the address: keep it out of other sites' logs.
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex")
	return httpx.Render(c, http.StatusOK, pages.SharePage(d), nil)
}

// badgeColours are the badge's right-hand colours by grade (shields.io's palette).
var badgeColours = map[string]string{"A+": "#44cc11", "A": "#44cc11", "B": "#97ca00", "C": "#dfb317", "D": "#fe7d37", "F": "#e05d44"}

// badge answers the shared site's SVG badge: "palisade" | "<grade> · <date>".
// Its ETag is of the grade and scan, so a cache revalidates cheaply.
func (h *Handler) badge(c *fiber.Ctx) error {
	p, err := h.sites.Public(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	right, colour := "not graded", "#9f9f9f"
	if p.ScanID != "" {
		right = p.Grade + " · " + p.ScannedAt.Format("2006-01-02")
		if col, ok := badgeColours[p.Grade]; ok {
			colour = col
		}
	}
	sum := sha256.Sum256([]byte(p.Grade + "|" + p.ScanID))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, etag) {
		return c.SendStatus(http.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.SendString(badgeSVG("palisade", right, colour))
}

// etagMatches reports whether an If-None-Match list names etag (or is "*").
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// badgeSVG draws a flat shields-style badge. Both texts are XML-escaped:
// the grade comes from the database, but nothing printed into SVG is trusted.
func badgeSVG(left, right, colour string) string {
	lw, rw := textWidth(left), textWidth(right)
	w := lw + rw
	l, r := html.EscapeString(left), html.EscapeString(right)
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">`+
		`<title>%s: %s</title>`+
		`<rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/>`+
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`+
		`<text x="%d" y="14">%s</text><text x="%d" y="14">%s</text></g></svg>`,
		w, l, r, l, r, lw, lw, rw, html.EscapeString(colour), lw/2, l, lw+rw/2, r)
}

// textWidth estimates a label's width in pixels at 11px Verdana, with padding.
func textWidth(s string) int { return 7*len([]rune(s)) + 12 }

// shareSite makes or rotates the site's share token and shows the link
// once, on the page itself (it is never shown again).
func (h *Handler) shareSite(c *fiber.Ctx) error {
	s := session(c)
	id := c.Params("id")
	sh, err := h.sites.Share(c.UserContext(), s.Account.ID, id)
	if err != nil {
		return err
	}
	d, err := h.siteData(c.UserContext(), s, id)
	if err != nil {
		return err
	}
	d.Share.Link = c.BaseURL() + h.url(RouteShare, sh.Token)
	d.Share.BadgeLink = c.BaseURL() + h.url(RouteBadge, sh.Token)
	d.Notice = "Share link created; copy it now, it is shown only once."
	c.Set(fiber.HeaderCacheControl, "no-store")
	return httpx.Render(c, http.StatusOK, pages.SitePage(d), nil)
}

// unshareSite revokes the site's share token.
func (h *Handler) unshareSite(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := h.sites.Unshare(c.UserContext(), session(c).Account.ID, id); err != nil {
		return err
	}
	return h.redirectSite(c, id, "unshared")
}

// sharePanel is the site page's Share panel for the site's share status.
func (h *Handler) sharePanel(id string, st sites.ShareStatus) model.SharePanel {
	return model.SharePanel{Shared: st.Shared, CreatedAt: st.CreatedAt, ShareURL: h.url(RouteSiteShare, id), RevokeURL: h.url(RouteSiteUnshare, id)}
}
