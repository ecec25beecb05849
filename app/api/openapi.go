package api

import (
	"bytes"
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIJSON is the OpenAPI 3.1 document of /api/v1, edited by hand.
// openapi_test.go validates it, checks it against the route table both
// ways and checks the conventions every operation follows.
//
//go:embed openapi.json
var openAPIJSON []byte

// OpenAPIPath is where the document is served, without authentication.
const OpenAPIPath = Prefix + "/openapi.json"

// OpenAPIDocument returns the OpenAPI 3.1 document describing every route
// under /api/v1 (app/api/openapi.json). It returns a fresh copy, so callers may
// keep or modify it.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIJSON) }

// ServeOpenAPI answers GET /api/v1/openapi.json with the document. It needs
// no API key, so register it before the authenticated /api/v1 group (whose
// middleware would otherwise run first).
func ServeOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(openAPIJSON)
}
