package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/views/pages"
)

// oasMethods are the operation keys of an OpenAPI path item.
var oasMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oasOp is one operation of the document, read as plain JSON.
type oasOp struct {
	Method string // upper case
	Path   string
	Op     map[string]any
	Item   map[string]any // the path item (for path-level parameters)
}

func (o oasOp) String() string { return o.Method + " " + o.Path }

// oasJSON is the document as plain JSON, with local $ref resolution.
type oasJSON struct{ root map[string]any }

func loadOpenAPI(t *testing.T) oasJSON {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(OpenAPIDocument(), &root); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return oasJSON{root: root}
}

// pointer follows a local JSON pointer ("#/components/schemas/Error").
func (d oasJSON) pointer(ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = d.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// resolve follows $ref chains to the object they name.
func (d oasJSON) resolve(t *testing.T, v any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		if v, ok = d.pointer(ref); !ok {
			t.Fatalf("unresolvable $ref %q", ref)
		}
	}
	t.Fatalf("$ref chain too long at %v", v)
	return nil
}

func (d oasJSON) operations(t *testing.T) []oasOp {
	t.Helper()
	paths, _ := d.root["paths"].(map[string]any)
	var ops []oasOp
	for p, raw := range paths {
		item := d.resolve(t, raw)
		for _, m := range oasMethods {
			if op, ok := item[m].(map[string]any); ok {
				ops = append(ops, oasOp{Method: strings.ToUpper(m), Path: p, Op: op, Item: item})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return ops
}

// authenticated reports whether the operation requires a key: it has a
// non-empty security of its own, or inherits the document's.
func (d oasJSON) authenticated(op oasOp) bool {
	sec, own := op.Op["security"].([]any)
	if !own {
		sec, _ = d.root["security"].([]any)
	}
	return len(sec) > 0
}

// refersTo reports whether schema is, or is composed (allOf/anyOf/oneOf,
// through any $ref) of, the schema at target.
func (d oasJSON) refersTo(schema any, target string, seen map[string]bool) bool {
	m, ok := schema.(map[string]any)
	if !ok {
		return false
	}
	if ref, ok := m["$ref"].(string); ok {
		if ref == target {
			return true
		}
		if seen[ref] {
			return false
		}
		seen[ref] = true
		next, ok := d.pointer(ref)
		return ok && d.refersTo(next, target, seen)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := m[k].([]any)
		for _, s := range list {
			if d.refersTo(s, target, seen) {
				return true
			}
		}
	}
	return false
}

// TestOpenAPIDocumentIsValid validates the document against the OpenAPI
// 3.1 JSON Schema with libopenapi-validator and builds libopenapi's model,
// which resolves every $ref.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := libopenapi.NewDocument(OpenAPIDocument())
	if err != nil {
		t.Fatalf("libopenapi cannot read the document: %v", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("line %d col %d: %s: %s", e.SpecLine, e.SpecCol, e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("    at %s (%s): %s", f.FieldPath, f.KeywordLocation, f.Reason)
			}
		}
		t.FailNow()
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("building the model (reference resolution): %v", err)
	}
	if model.Index != nil {
		for _, e := range model.Index.GetReferenceIndexErrors() {
			t.Errorf("reference: %v", e)
		}
	}
}

// TestOpenAPIExamplesMatchSchemas validates every example (media types,
// parameters, headers and schemas) against its schema, so the document
// never shows a payload it does not allow.
func TestOpenAPIExamplesMatchSchemas(t *testing.T) {
	doc, err := libopenapi.NewDocument(OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	sv := schema_validation.NewSchemaValidator()
	checked := 0
	check := func(where string, proxy *base.SchemaProxy, value any) {
		t.Helper()
		if proxy == nil {
			t.Errorf("%s: example without a schema", where)
			return
		}
		schema := proxy.Schema()
		if schema == nil {
			t.Errorf("%s: schema does not build: %v", where, proxy.GetBuildError())
			return
		}
		checked++
		if ok, errs := sv.ValidateSchemaObjectWithVersion(schema, value, 3.1); !ok {
			for _, e := range errs {
				t.Errorf("%s: example does not match its schema: %s: %s", where, e.Message, e.Reason)
				for _, f := range e.SchemaValidationErrors {
					t.Errorf("    at %s (%s): %s", f.FieldPath, f.KeywordLocation, f.Reason)
				}
			}
		}
	}
	type node interface{ Decode(any) error }
	decode := func(where string, n node) any {
		t.Helper()
		var v any
		if err := n.Decode(&v); err != nil {
			t.Fatalf("%s: example does not decode: %v", where, err)
		}
		return v
	}

	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			at := strings.ToUpper(method) + " " + path
			params := slices.Concat(item.Parameters, op.Parameters)
			for _, p := range params {
				if p.Example != nil {
					check(at+" parameter "+p.Name, p.Schema, decode(at, p.Example))
				}
			}
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Content.FromOldest() {
					for name, ex := range mt.Examples.FromOldest() {
						check(fmt.Sprintf("%s request %s example %q", at, ct, name), mt.Schema, decode(at, ex.Value))
					}
				}
			}
			for code, resp := range op.Responses.Codes.FromOldest() {
				for hname, h := range resp.Headers.FromOldest() {
					if h.Example != nil {
						check(fmt.Sprintf("%s %s header %s", at, code, hname), h.Schema, decode(at, h.Example))
					}
				}
				for ct, mt := range resp.Content.FromOldest() {
					if mt.Example != nil {
						check(fmt.Sprintf("%s %s %s example", at, code, ct), mt.Schema, decode(at, mt.Example))
					}
					for name, ex := range mt.Examples.FromOldest() {
						check(fmt.Sprintf("%s %s %s example %q", at, code, ct, name), mt.Schema, decode(at, ex.Value))
					}
				}
			}
		}
	}
	for name, proxy := range model.Model.Components.Schemas.FromOldest() {
		s := proxy.Schema()
		if s == nil {
			t.Errorf("schema %s does not build: %v", name, proxy.GetBuildError())
			continue
		}
		for i, ex := range s.Examples {
			check(fmt.Sprintf("schema %s example %d", name, i), proxy, decode(name, ex))
		}
	}
	if checked < 30 {
		t.Errorf("only %d examples checked; the walk is missing some", checked)
	}
}

// fiberParam matches a Fiber path parameter (":id", ":id?"), which OpenAPI writes "{id}".
var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)\??`)

// TestOpenAPICoversRouter builds the real route table and checks it against
// the document both ways: every /api/v1 route is documented, and every
// documented operation is routed.
func TestOpenAPICoversRouter(t *testing.T) {
	app := fiber.New()
	(&Handler{}).Routes(app)

	routed := map[string]bool{}
	gets := map[string]bool{}
	var heads []string
	for _, r := range app.GetRoutes(true) { // true: leave out Use/Group middleware
		if r.Method == "USE" || (r.Path != Prefix && !strings.HasPrefix(r.Path, Prefix+"/")) {
			continue
		}
		p := fiberParam.ReplaceAllString(r.Path, "{$1}")
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
		if r.Method == fiber.MethodHead {
			heads = append(heads, p)
			continue
		}
		if r.Method == fiber.MethodGet {
			gets[p] = true
		}
		routed[r.Method+" "+p] = true
	}
	for _, p := range heads { // Fiber adds HEAD for every GET; other HEADs are real routes
		if !gets[p] {
			routed[fiber.MethodHead+" "+p] = true
		}
	}

	d := loadOpenAPI(t)
	documented := map[string]bool{}
	for _, op := range d.operations(t) {
		documented[op.String()] = true
	}

	var undocumented, unrouted []string
	for k := range routed {
		if !documented[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unrouted)
	if len(undocumented) > 0 {
		t.Errorf("routed but missing from openapi.json:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unrouted) > 0 {
		t.Errorf("in openapi.json but not routed by (*Handler).Routes:\n  %s", strings.Join(unrouted, "\n  "))
	}
}

// TestOpenAPIConventions checks what every operation must say: identity and
// prose, authentication answers, 404 for ids, errors as Error, and the
// rate-limit headers on successes.
func TestOpenAPIConventions(t *testing.T) {
	d := loadOpenAPI(t)
	const errorSchema = "#/components/schemas/Error"
	rateHeaders := []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
	for _, h := range append(slices.Clone(rateHeaders), "Retry-After") {
		if _, ok := d.pointer("#/components/headers/" + h); !ok {
			t.Errorf("components.headers.%s is not declared", h)
		}
	}
	schemes := d.resolve(t, d.pointer2(t, "#/components/securitySchemes"))
	if s := d.resolve(t, schemes["bearerAuth"]); s["type"] != "http" || s["scheme"] != "bearer" {
		t.Errorf("bearerAuth = %v, want http bearer", s)
	}
	if s := d.resolve(t, schemes["apiKeyHeader"]); s["type"] != "apiKey" || s["in"] != "header" || s["name"] != "X-API-Key" {
		t.Errorf("apiKeyHeader = %v, want apiKey in header X-API-Key", s)
	}

	tags := map[string]bool{"scans": true, "reports": true, "sites": true, "monitors": true, "alerts": true, "account": true, "meta": true}
	ids := map[string]string{}
	ops := d.operations(t)
	if len(ops) == 0 {
		t.Fatal("no operations")
	}
	for _, op := range ops {
		id, _ := op.Op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", op)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q already used by %s", op, id, prev)
		}
		ids[id] = op.String()
		for _, k := range []string{"summary", "description"} {
			if s, _ := op.Op[k].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s", op, k)
			}
		}
		opTags, _ := op.Op["tags"].([]any)
		if len(opTags) == 0 {
			t.Errorf("%s: no tags", op)
		}
		for _, tg := range opTags {
			if s, _ := tg.(string); !tags[s] {
				t.Errorf("%s: tag %v is not one of scans, reports, sites, monitors, alerts, account, meta", op, tg)
			}
		}

		// Path parameters: each {name} declared as a required path parameter, and nothing else.
		declared := map[string]bool{}
		for _, list := range []any{op.Item["parameters"], op.Op["parameters"]} {
			ps, _ := list.([]any)
			for _, p := range ps {
				pm := d.resolve(t, p)
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v is not required", op, pm["name"])
					}
				}
			}
		}
		inPath := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(op.Path, -1) {
			inPath[m[1]] = true
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", op, m[1])
			}
		}
		for name := range declared {
			if !inPath[name] {
				t.Errorf("%s: declares path parameter %q not in the path", op, name)
			}
		}

		responses, _ := op.Op["responses"].(map[string]any)
		auth := d.authenticated(op)
		if !auth && op.Path != OpenAPIPath {
			t.Errorf("%s: needs no API key; only %s may be public", op, OpenAPIPath)
		}
		if auth {
			for _, code := range []string{"401", "403", "429"} {
				if _, ok := responses[code]; !ok {
					t.Errorf("%s: authenticated but no %s response", op, code)
				}
			}
			if op.Path == OpenAPIPath {
				t.Errorf("%s must be public (security: [])", op)
			}
		}
		if strings.Contains(op.Path, "{id}") {
			if _, ok := responses["404"]; !ok {
				t.Errorf("%s: has {id} but no 404 response", op)
			}
		}
		hasSuccess := false
		for code, raw := range responses {
			r := d.resolve(t, raw)
			if desc, _ := r["description"].(string); strings.TrimSpace(desc) == "" {
				t.Errorf("%s %s: no description", op, code)
			}
			switch {
			case code == "304":
				if content, ok := r["content"]; ok {
					t.Errorf("%s 304: must have no body, has %v", op, content)
				}
			case strings.HasPrefix(code, "4"), strings.HasPrefix(code, "5"):
				content, _ := r["content"].(map[string]any)
				mt, _ := content["application/json"].(map[string]any)
				if mt == nil || !d.refersTo(mt["schema"], errorSchema, map[string]bool{}) {
					t.Errorf("%s %s: the application/json body must be (or be composed of) %s", op, code, errorSchema)
				}
				if code == "429" {
					if hs, _ := r["headers"].(map[string]any); hs["Retry-After"] == nil {
						t.Errorf("%s 429: no Retry-After header", op)
					}
				}
			case strings.HasPrefix(code, "2"):
				hasSuccess = true
			}
			if auth && (strings.HasPrefix(code, "2") || code == "304" || code == "429") {
				hs, _ := r["headers"].(map[string]any)
				for _, h := range rateHeaders {
					want := "#/components/headers/" + h
					if hm, _ := hs[h].(map[string]any); hm["$ref"] != want {
						t.Errorf("%s %s: header %s must be {\"$ref\": %q}", op, code, h, want)
					}
				}
			}
		}
		if !hasSuccess {
			t.Errorf("%s: no 2xx response", op)
		}
	}
}

// pointer2 is pointer that fails the test when ref does not resolve.
func (d oasJSON) pointer2(t *testing.T, ref string) any {
	t.Helper()
	v, ok := d.pointer(ref)
	if !ok {
		t.Fatalf("%s does not exist", ref)
	}
	return v
}

// TestOpenAPIDocsPage renders the reference page from the real document:
// every operation appears once, with its method and path.
func TestOpenAPIDocsPage(t *testing.T) {
	data, err := pages.APIDocsFromOpenAPI(OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pages.APIDocs(data).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	page, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	d := loadOpenAPI(t)
	ops := d.operations(t)
	if n := page.Find(`article[data-testid^="op-"]`).Length(); n != len(ops) {
		t.Errorf("the page shows %d operations, the document has %d", n, len(ops))
	}
	for _, op := range ops {
		id, _ := op.Op["operationId"].(string)
		sel := page.Find(`article[data-testid="op-` + id + `"]`)
		if sel.Length() != 1 {
			t.Errorf("%s (%s): shown %d times, want once", op, id, sel.Length())
			continue
		}
		if m, p := sel.Find(`[data-testid="op-method"]`).Text(), sel.Find(`[data-testid="op-path"]`).Text(); m != op.Method || p != op.Path {
			t.Errorf("%s: the page says %s %s", op, m, p)
		}
	}
}

// TestServeOpenAPI checks the handler serves the document as JSON without a key.
func TestServeOpenAPI(t *testing.T) {
	app := fiber.New()
	app.Get(OpenAPIPath, ServeOpenAPI)
	resp, err := app.Test(httptest.NewRequest(fiber.MethodGet, OpenAPIPath, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != fiber.StatusOK || !strings.HasPrefix(resp.Header.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get(fiber.HeaderContentType))
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), openAPIJSON) {
		t.Error("served body differs from the embedded document")
	}
	// OpenAPIDocument hands out copies: changing one does not change what is served.
	c := OpenAPIDocument()
	c[0] = 'X'
	if openAPIJSON[0] == 'X' {
		t.Error("OpenAPIDocument returned the embedded slice itself")
	}
}

// TestOpenAPISchemasMatchGoTypes marshals the Go values the handlers answer
// with and validates them against the document's schemas, so the two cannot
// drift apart silently.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	validate := schemaValidator(t)

	created := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	done := created.Add(48 * time.Second)
	score, grade := 72, "B"
	pending := scans.ScanSummary{ID: "scn_a", TargetURL: "https://example.com/", TargetDomain: "example.com",
		Depth: "STANDARD", Status: "PENDING", CreatedAt: created}
	completed := pending
	completed.Status, completed.OverallScore, completed.Grade, completed.FindingsCount, completed.CompletedAt = "COMPLETED", &score, &grade, 1, &done
	res := &scanner.Result{
		TargetURL: "https://example.com/", TargetDomain: "example.com", Depth: scanner.Standard,
		FinalURL: "https://example.com/", StatusCode: 200, DurationMs: 4812, OverallScore: score, Grade: grade,
		Categories: []scanner.Category{{Name: "headers", Score: 18, MaxScore: 30, Grade: "C", Checks: []scanner.CheckResult{
			{ID: "headers.hsts", Name: "HSTS", Category: "headers", Status: scanner.StatusFail, Value: "missing", Description: "d"}}}},
		Findings: []scanner.Finding{{CheckID: "headers.hsts", Category: "headers", Severity: scanner.SeverityMedium,
			Title: "t", Description: "d", Recommendation: "r", Evidence: "e"}},
		Headers:        map[string]string{"content-type": "text/html"},
		MissingHeaders: []string{"strict-transport-security"},
		RedirectChain:  []scanner.Hop{{URL: "http://example.com/", StatusCode: 301, Location: "https://example.com/"}, {URL: "https://example.com/", StatusCode: 200}},
		TLS: &scanner.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Subject: "CN=example.com", Issuer: "CN=R11",
			DNSNames: []string{"example.com"}, NotBefore: created, NotAfter: created.AddDate(0, 3, 0), DaysLeft: 90, Trusted: true},
		Summary: scanner.Summary{Total: 1, Medium: 1},
	}
	failed := pending
	failed.Status, failed.CompletedAt = "FAILED", &done
	failedRes := &scanner.Result{TargetURL: "https://example.com/", Error: "the host example.com could not be resolved", DurationMs: 12}

	validate("ScanSummary", pending)
	validate("ScanSummary", completed)
	validate("Scan", scans.DetailOf(pending, nil, nil))
	validate("Scan", scans.DetailOf(completed, res, nil))
	validate("Scan", scans.DetailOf(failed, failedRes, nil))
	capped := *res
	capped.GradeCap = &scanner.GradeCap{Grade: "F", Reason: "the certificate has expired", CheckID: "tls.expiry"}
	capped.ScoringVersion, capped.ScannedAt = "2.0.0+ab12cd34", created.Add(time.Second)
	capped.ScriptOrigins = []string{"https://cdn.jsdelivr.net", "https://www.googletagmanager.com"}
	capped.Categories = []scanner.Category{{Name: "dns", Checks: []scanner.CheckResult{
		{ID: "dns.caa", Name: "CAA", Category: "dns", Status: scanner.StatusSkipped, Reason: "the target is an IP address", MaxPoints: 0},
		{ID: "dns.spf", Name: "SPF", Category: "dns", Status: scanner.StatusPass, Points: 2.5, MaxPoints: 2.5}}}}
	capped.Findings = []scanner.Finding{{CheckID: "headers.hsts", Category: "headers", Severity: scanner.SeverityMedium, Title: "t",
		Fix: &scanner.Fix{Advice: "Send HSTS.", Snippets: []scanner.Snippet{{Server: scanner.ServerNginx, Code: "add_header …;"}}}}}
	validate("Scan", scans.DetailOf(completed, &capped, nil))
	notGraded := failed
	notGradedRes := &scanner.Result{TargetURL: "https://example.com:8443/", ScoringVersion: "2.0.0+ab12cd34", ScannedAt: created,
		NotGraded: &scanner.NotGraded{Reason: scanner.NotGradedUnreachable, Detail: "The connection was refused.", Advice: "Check the port."}}
	validate("Scan", scans.DetailOf(notGraded, notGradedRes, nil))
	side := scanner.ScanSide{TargetURL: "https://example.com/", Depth: scanner.Standard, ScannedAt: created, Grade: "B", OverallScore: 72, ScoringVersion: "2.0.0+ab12cd34"}
	moved := scanner.CheckDiff{ID: "headers.csp", Name: "CSP", Category: "headers", Before: &scanner.CheckState{Status: scanner.StatusFail, MaxPoints: 8},
		After: &scanner.CheckState{Status: scanner.StatusPass, Points: 8, MaxPoints: 8}, Change: scanner.ChangeImproved, PointsDelta: 8}
	validate("ScanDiff", scans.DiffView{ScanID: "scn_b", AgainstID: "scn_a", Diff: scanner.Diff{Before: side, After: side, ScoreDelta: 8, GradeChanged: true,
		Checks: []scanner.CheckDiff{moved, {ID: "exposure.env", Before: nil, After: &scanner.CheckState{Status: scanner.StatusSkipped}, Change: scanner.ChangeNotCompared}},
		Causes: []scanner.CheckDiff{moved}, NotCompared: []string{"exposure.env"}, Fixed: capped.Findings}})
	validate("ScanDiff", scans.DiffView{ScanID: "scn_b", AgainstID: "scn_a", Diff: scanner.Diff{Before: side, After: side}})
	validate("ScanList", map[string]any{"data": []scans.ScanSummary{completed},
		"pagination": scans.Pagination{Page: 1, Limit: 20, Total: 21, Pages: 2, NextCursor: scans.EncodeCursor(created, "scn_a")}})
	validate("ScanList", map[string]any{"data": []scans.ScanSummary{}, "pagination": scans.Pagination{Page: 1, Limit: 20}})

	ready := reporting.View{ID: "rpt_a", Title: "Security Report — example.com", Version: 1, Status: "READY", PDFSize: 48213, Format: "PDF",
		SHA256: strings.Repeat("ab", 32), CreatedAt: created, Scan: reporting.ScanRef{ID: "scn_a", TargetURL: "https://example.com/",
			TargetDomain: "example.com", OverallScore: &score, Grade: &grade},
		DownloadURL: "/api/v1/report/rpt_a/pdf", StatusURL: "/api/v1/report/rpt_a"}
	pendingReport := ready
	pendingReport.Status, pendingReport.PDFSize, pendingReport.SHA256 = "PENDING", 0, ""
	failedReport := pendingReport
	failedReport.Status, failedReport.Error = "FAILED", "rendering failed"
	validate("Report", ready)
	validate("Report", pendingReport)
	validate("Report", failedReport)

	validateSites(t, validate, created)
}

// validateSites checks the sites API's answers against Site, SiteList and SiteDetail.
func validateSites(t *testing.T, validate func(string, any), created time.Time) {
	t.Helper()
	bare := sites.Summary{ID: "sit_a", URL: "https://example.com/", Domain: "example.com", Name: "example.com", CreatedAt: created}
	validate("Site", bare)
	scanID, st, grade, score, at := "scn_a", domain.StatusCompleted, "B", 72, created.Add(time.Minute)
	next := created.Add(7 * 24 * time.Hour)
	full := bare
	full.Label, full.LatestScanID, full.LatestStatus, full.GradedScanID, full.Grade, full.Score, full.ScannedAt = "Shop", &scanID, &st, &scanID, &grade, &score, &at
	full.Monitor = &sites.MonitorSummary{ID: "mon_a", Frequency: domain.FrequencyWeekly, Depth: domain.DepthQuick, Hour: 6, Active: true, NextRunAt: &next, LastRunAt: &at}
	validate("Site", full)
	paused := full
	paused.Monitor = &sites.MonitorSummary{ID: "mon_a", Frequency: domain.FrequencyDaily, Depth: domain.DepthDeep, Hour: 0, Active: false}
	validate("Site", paused)
	validate("SiteList", map[string]any{"data": []sites.Summary{bare, full}, "pagination": scans.Pagination{Page: 1, Limit: 20, Total: 2, Pages: 1}})
	prevGrade, change := "A", sites.ChangeDown
	validate("SiteDetail", sites.Detail{Summary: full, Scans: []sites.HistoryEntry{
		{ID: "scn_b", Depth: domain.DepthQuick, Status: domain.StatusCompleted, Source: domain.TriggerMonitor, Grade: &grade, Score: &score,
			CreatedAt: created, CompletedAt: &at, PreviousScanID: &scanID, PreviousGrade: &prevGrade, GradeChange: &change},
		{ID: "scn_c", Depth: domain.DepthQuick, Status: domain.StatusRunning, Source: domain.TriggerManual, CreatedAt: created},
	}})
	validate("SiteDetail", sites.Detail{Summary: bare, Scans: []sites.HistoryEntry{}})
}

// schemaValidator returns a function that marshals a Go value and fails t
// when it does not match the document's schema of that name: the schema
// tests of every surface share it.
func schemaValidator(t *testing.T) func(name string, v any) {
	t.Helper()
	doc, err := libopenapi.NewDocument(OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	sv := schema_validation.NewSchemaValidator()
	return func(name string, v any) {
		t.Helper()
		proxy := model.Model.Components.Schemas.GetOrZero(name)
		if proxy == nil || proxy.Schema() == nil {
			t.Fatalf("no schema %s", name)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if ok, errs := sv.ValidateSchemaBytesWithVersion(proxy.Schema(), b, 3.1); !ok {
			for _, e := range errs {
				t.Errorf("%s %s does not match the schema: %s", name, b, e.Reason)
				for _, f := range e.SchemaValidationErrors {
					t.Errorf("    at %s (%s): %s", f.FieldPath, f.KeywordLocation, f.Reason)
				}
			}
		}
	}
}
