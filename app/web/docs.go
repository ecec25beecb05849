package web

import (
	"net/http"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/api"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/views/pages"
)

var (
	docsOnce sync.Once
	docs     pages.APIDocsData
	docsErr  error
)

// apiDocs renders the human-readable API reference from the same OpenAPI
// document the API serves, so the two cannot disagree.
func (h *Handler) apiDocs(c *fiber.Ctx) error {
	docsOnce.Do(func() { docs, docsErr = pages.APIDocsFromOpenAPI(api.OpenAPIDocument()) })
	if docsErr != nil {
		return docsErr
	}
	d := docs
	d.BaseURL = h.cfg.BaseURL
	return httpx.Render(c, http.StatusOK, pages.APIDocs(d), nil)
}
