package pages

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// sampleOpenAPI is a small document with what the page must handle: tags,
// top-level security with a public operation, path-level and component
// parameters, a $ref request body schema with allOf, and $ref responses.
const sampleOpenAPI = `{
  "openapi": "3.1.0",
  "info": {"title": "Sample API", "version": "2.3.4", "description": "Intro with ` + "`code`" + `.\n\n| event | data |\n|---|---|\n| ` + "`start`" + ` | nothing |"},
  "tags": [{"name": "things", "description": "Things."}, {"name": "meta"}],
  "security": [{"bearerAuth": []}],
  "paths": {
    "/api/v1/thing": {
      "post": {
        "operationId": "createThing", "tags": ["things"], "summary": "Make a thing", "description": "Makes one.",
        "requestBody": {"required": true, "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/NewThing"},
          "examples": {"first": {"value": {"name": "it's", "size": 3}}, "another": {"value": {"name": "b"}}}}}},
        "responses": {
          "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
          "400": {"$ref": "#/components/responses/Bad"}
        }
      },
      "get": {
        "operationId": "listThings", "tags": ["things"], "summary": "List things", "description": "All of them.",
        "parameters": [{"$ref": "#/components/parameters/Page"}],
        "responses": {"200": {"description": "A page."}}
      }
    },
    "/api/v1/thing/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "thg_1"}],
      "get": {
        "operationId": "getThing", "tags": ["things"], "summary": "Get a thing", "description": "One.",
        "responses": {"200": {"description": "The thing."}, "404": {"$ref": "#/components/responses/Bad"}}
      }
    },
    "/api/v1/openapi.json": {
      "get": {"operationId": "spec", "tags": ["meta"], "summary": "This document", "description": "Public.", "security": [],
        "responses": {"200": {"description": "The document."}}}
    }
  },
  "components": {
    "parameters": {"Page": {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}, "description": "Page."}},
    "responses": {"Bad": {"description": "Bad.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    "schemas": {
      "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
      "Base": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "description": "Its name."}}},
      "NewThing": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {
        "size": {"type": ["integer", "null"]},
        "kind": {"type": "string", "enum": ["A", "B"], "default": "A"}}}]},
      "Thing": {"type": "object"}
    }
  }
}`

func renderAPIDocs(t *testing.T, d APIDocsData) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := APIDocs(d).Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestAPIDocsRendersEveryOperation(t *testing.T) {
	d, err := APIDocsFromOpenAPI([]byte(sampleOpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	d.BaseURL = "https://palisade.example/"
	doc := renderAPIDocs(t, d)

	if got := strings.TrimSpace(doc.Find("title").Text()); !strings.HasPrefix(got, "API reference") {
		t.Errorf("title = %q", got)
	}
	if v := doc.Find(`[data-testid="api-version"]`).Text(); v != "v2.3.4" {
		t.Errorf("version = %q", v)
	}
	if href, _ := doc.Find(`[data-testid="api-spec-link"]`).Attr("href"); href != "/api/v1/openapi.json" {
		t.Errorf("spec link = %q", href)
	}
	// The description's table and inline code are rendered as HTML, not as Markdown source.
	intro := doc.Find(`[data-testid="api-docs"]`)
	if intro.Find("table th").First().Text() != "event" || intro.Find("code").First().Text() != "code" {
		t.Errorf("description not rendered as table and code")
	}

	want := []struct{ id, method, path, tag string }{
		{"createThing", "POST", "/api/v1/thing", "things"},
		{"listThings", "GET", "/api/v1/thing", "things"},
		{"getThing", "GET", "/api/v1/thing/{id}", "things"},
		{"spec", "GET", "/api/v1/openapi.json", "meta"},
	}
	if n := doc.Find(`article[data-testid^="op-"]`).Length(); n != len(want) {
		t.Errorf("%d operations rendered, want %d", n, len(want))
	}
	for _, w := range want {
		op := doc.Find(`[data-testid="api-tag-` + w.tag + `"] article[data-testid="op-` + w.id + `"]`)
		if op.Length() != 1 {
			t.Errorf("operation %s: found %d times under tag %s, want once", w.id, op.Length(), w.tag)
			continue
		}
		if got := op.Find(`[data-testid="op-method"]`).Text(); got != w.method {
			t.Errorf("%s: method %q, want %q", w.id, got, w.method)
		}
		if got := op.Find(`[data-testid="op-path"]`).Text(); got != w.path {
			t.Errorf("%s: path %q, want %q", w.id, got, w.path)
		}
		if op.Find(`[data-testid="op-summary"]`).Text() == "" {
			t.Errorf("%s: no summary", w.id)
		}
		if op.Find(`[data-testid="op-response"]`).Length() == 0 {
			t.Errorf("%s: no responses", w.id)
		}
		curl := op.Find(`[data-testid="op-curl"]`).Text()
		if !strings.HasPrefix(curl, "curl ") || !strings.Contains(curl, "https://palisade.example/api/v1/") {
			t.Errorf("%s: curl example %q", w.id, curl)
		}
		if toc := doc.Find(`[data-testid="api-toc"] a[href="#op-` + w.id + `"]`); toc.Length() != 1 {
			t.Errorf("%s: not in the table of contents", w.id)
		}
	}

	// The curl example uses the first example in document order, shell-quoted.
	create := doc.Find(`[data-testid="op-createThing"]`)
	curl := create.Find(`[data-testid="op-curl"]`).Text()
	for _, s := range []string{"-X POST", `Authorization: Bearer $PALISADE_API_KEY`, "Content-Type: application/json", `-d '{"name":"it'\''s","size":3}'`} {
		if !strings.Contains(curl, s) {
			t.Errorf("createThing curl lacks %q:\n%s", s, curl)
		}
	}
	// Fields come through $ref and allOf; required first.
	var fields []string
	create.Find(`[data-testid="op-field"] td:first-child code`).Each(func(_ int, s *goquery.Selection) { fields = append(fields, s.Text()) })
	if strings.Join(fields, ",") != "name,kind,size" {
		t.Errorf("request fields = %v, want name,kind,size", fields)
	}
	if txt := create.Find(`[data-testid="op-body"]`).Text(); !strings.Contains(txt, "A | B") || !strings.Contains(txt, "integer | null") || !strings.Contains(txt, "Default: A.") {
		t.Errorf("field types or defaults missing: %q", txt)
	}
	if codes := create.Find(`[data-testid="op-response"]`).Map(func(_ int, s *goquery.Selection) string { c, _ := s.Attr("data-code"); return c }); strings.Join(codes, ",") != "201,400" {
		t.Errorf("createThing responses = %v", codes)
	}
	if desc := create.Find(`[data-testid="op-response"][data-code="400"]`).Text(); !strings.Contains(desc, "Bad.") || !strings.Contains(desc, "Error") {
		t.Errorf("$ref response not resolved: %q", desc)
	}

	get := doc.Find(`[data-testid="op-getThing"]`)
	if !strings.Contains(get.Find(`[data-testid="op-curl"]`).Text(), "/api/v1/thing/thg_1") {
		t.Errorf("path example not used in curl: %q", get.Find(`[data-testid="op-curl"]`).Text())
	}
	if get.Find(`[data-testid="op-param"]`).Length() != 1 {
		t.Errorf("getThing: path-level parameter not shown")
	}
	if doc.Find(`[data-testid="op-listThings"] [data-testid="op-param"]`).Text() == "" {
		t.Errorf("listThings: component parameter not resolved")
	}

	spec := doc.Find(`[data-testid="op-spec"]`)
	if spec.Find(`[data-testid="op-public"]`).Length() != 1 || strings.Contains(spec.Find(`[data-testid="op-curl"]`).Text(), "Authorization") {
		t.Errorf("the public operation should say so and send no key")
	}
	if get.Find(`[data-testid="op-public"]`).Length() != 0 {
		t.Errorf("an authenticated operation is marked public")
	}
	// Strict CSP: no inline styles or scripts.
	if doc.Find("[style], style, script:not([src])").Length() != 0 {
		t.Errorf("inline style or script rendered")
	}
}

func TestAPIDocsDefaultsAndErrors(t *testing.T) {
	if _, err := APIDocsFromOpenAPI([]byte("not json")); err == nil {
		t.Error("no error for a broken document")
	}
	d, err := APIDocsFromOpenAPI([]byte(sampleOpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Groups[0].Operations[1].Curl(""); !strings.Contains(c, DefaultAPIDocsBaseURL+"/api/v1/thing") {
		t.Errorf("curl without base URL = %q", c)
	}
}

func TestDescriptionBlocks(t *testing.T) {
	bl := DescriptionBlocks("one `a|b` two\nstill one\n\n| h1 | h2 |\n|---|---|\n| `x|y` | z |\n\nlast")
	if len(bl) != 3 || bl[0].Table || !bl[1].Table || bl[2].Table {
		t.Fatalf("blocks = %+v", bl)
	}
	if got := bl[0].Spans; len(got) != 3 || got[1] != (TextSpan{Text: "a|b", Code: true}) || got[2].Text != " two still one" {
		t.Errorf("paragraph spans = %+v", got)
	}
	if len(bl[1].Header) != 2 || len(bl[1].Rows) != 1 || len(bl[1].Rows[0]) != 2 || bl[1].Rows[0][0][0] != (TextSpan{Text: "x|y", Code: true}) {
		t.Errorf("table = %+v", bl[1])
	}
}
