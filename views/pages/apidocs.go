package pages

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// APIDocsData is the API reference page (GET /docs/api), built from the
// OpenAPI document by APIDocsFromOpenAPI.
type APIDocsData struct {
	Title       string
	Version     string
	Description string
	// BaseURL prefixes the paths in the curl examples; the handler may set it
	// to the public URL. Empty means DefaultAPIDocsBaseURL.
	BaseURL string
	// SpecURL is where the raw OpenAPI document is served.
	SpecURL string
	Groups  []APIGroup
}

// DefaultAPIDocsBaseURL is used in curl examples when BaseURL is empty.
const DefaultAPIDocsBaseURL = "http://127.0.0.1:8080"

// APIGroup is the operations of one tag, in document order.
type APIGroup struct {
	Tag         string
	Description string
	Operations  []APIOperation
}

// APIOperation is one method on one path.
type APIOperation struct {
	ID          string
	Method      string // upper case: GET, POST …
	Path        string
	Summary     string
	Description string
	// Public is true for operations that need no API key.
	Public      bool
	Parameters  []APIParam
	RequestBody *APIBody
	Responses   []APIResponse
	// exampleBody is the request body of the curl example (JSON), if any.
	exampleBody string
	// pathExamples fill {name} path segments in the curl example.
	pathExamples map[string]string
}

// successType is the content type of the operation's first 2xx response.
func (o APIOperation) successType() string {
	for _, r := range o.Responses {
		if strings.HasPrefix(r.Code, "2") {
			return r.ContentType
		}
	}
	return ""
}

// APIParam is a path, query or header parameter.
type APIParam struct {
	Name        string
	In          string // path, query or header
	Required    bool
	Type        string
	Description string
}

// APIBody is a request body: its media type and the top-level fields.
type APIBody struct {
	ContentType string
	Required    bool
	Fields      []APIField
}

// APIField is one property of a JSON object schema.
type APIField struct {
	Name        string
	Type        string
	Required    bool
	Description string
}

// APIResponse is one documented answer of an operation.
type APIResponse struct {
	Code        string
	Description string
	ContentType string
	// Schema names the body's schema (e.g. "Scan"), if it is a named one.
	Schema string
}

// Curl is a copy-paste example of the operation against baseURL (the API
// key comes from $PALISADE_API_KEY).
func (o APIOperation) Curl(baseURL string) string {
	if baseURL == "" {
		baseURL = DefaultAPIDocsBaseURL
	}
	p := o.Path
	for name, v := range o.pathExamples {
		p = strings.ReplaceAll(p, "{"+name+"}", url.PathEscape(v))
	}
	var b strings.Builder
	b.WriteString("curl -s")
	switch o.successType() {
	case "text/event-stream":
		b.WriteString("N") // no buffering: print events as they arrive
	case "application/pdf", "application/octet-stream":
		b.WriteString(" -OJ") // save under the server's file name
	}
	if o.Method != "GET" {
		b.WriteString(" -X " + o.Method)
	}
	b.WriteString(" " + shellQuote(strings.TrimRight(baseURL, "/")+p))
	if !o.Public {
		b.WriteString(" \\\n  -H \"Authorization: Bearer $PALISADE_API_KEY\"")
	}
	if o.RequestBody != nil {
		b.WriteString(" \\\n  -H 'Content-Type: " + o.RequestBody.ContentType + "'")
		if o.exampleBody != "" {
			b.WriteString(" \\\n  -d " + shellQuote(o.exampleBody))
		}
	}
	return b.String()
}

// Anchor is the fragment id of the operation on the page.
func (o APIOperation) Anchor() string { return "op-" + o.ID }

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// The parts of an OpenAPI 3.1 document the page shows. Everything else is
// ignored; $ref is resolved only within the document.
type oasDoc struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Tags []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tags"`
	Security   []map[string][]string `json:"security"`
	Paths      orderedPaths          `json:"paths"`
	Components struct {
		Schemas       map[string]*oasSchema      `json:"schemas"`
		Parameters    map[string]*oasParam       `json:"parameters"`
		Responses     map[string]*oasResponse    `json:"responses"`
		RequestBodies map[string]*oasRequestBody `json:"requestBodies"`
	} `json:"components"`
}

type oasOperation struct {
	OperationID string                  `json:"operationId"`
	Summary     string                  `json:"summary"`
	Description string                  `json:"description"`
	Tags        []string                `json:"tags"`
	Security    *[]map[string][]string  `json:"security"`
	Parameters  []*oasParam             `json:"parameters"`
	RequestBody *oasRequestBody         `json:"requestBody"`
	Responses   map[string]*oasResponse `json:"responses"`
}

type oasParam struct {
	Ref         string          `json:"$ref"`
	Name        string          `json:"name"`
	In          string          `json:"in"`
	Required    bool            `json:"required"`
	Description string          `json:"description"`
	Schema      *oasSchema      `json:"schema"`
	Example     json.RawMessage `json:"example"`
}

type oasRequestBody struct {
	Ref         string                   `json:"$ref"`
	Required    bool                     `json:"required"`
	Description string                   `json:"description"`
	Content     map[string]*oasMediaType `json:"content"`
}

type oasResponse struct {
	Ref         string                   `json:"$ref"`
	Description string                   `json:"description"`
	Content     map[string]*oasMediaType `json:"content"`
}

type oasMediaType struct {
	Schema  *oasSchema      `json:"schema"`
	Example json.RawMessage `json:"example"`
	// Examples is kept raw so the first example in document order can be found.
	Examples json.RawMessage `json:"examples"`
}

type oasSchema struct {
	Ref         string                `json:"$ref"`
	Type        json.RawMessage       `json:"type"` // a string or, in 3.1, an array
	Format      string                `json:"format"`
	Enum        []json.RawMessage     `json:"enum"`
	Const       json.RawMessage       `json:"const"`
	Default     json.RawMessage       `json:"default"`
	Description string                `json:"description"`
	Required    []string              `json:"required"`
	Properties  map[string]*oasSchema `json:"properties"`
	Items       *oasSchema            `json:"items"`
	AllOf       []*oasSchema          `json:"allOf"`
	AnyOf       []*oasSchema          `json:"anyOf"`
	OneOf       []*oasSchema          `json:"oneOf"`
}

// orderedPaths keeps the document's order of paths and methods, which is
// the order the page lists them in.
type orderedPaths []oasPath

type oasPath struct {
	Path       string
	Parameters []*oasParam
	Operations []oasMethod
}

type oasMethod struct {
	Method string
	Op     oasOperation
}

var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true,
}

// UnmarshalJSON reads the paths object, keeping the order of paths and methods.
func (p *orderedPaths) UnmarshalJSON(b []byte) error {
	keys, raws, err := orderedObject(b)
	if err != nil {
		return err
	}
	for i, path := range keys {
		mkeys, mraws, err := orderedObject(raws[i])
		if err != nil {
			return fmt.Errorf("path %s: %w", path, err)
		}
		item := oasPath{Path: path}
		for j, k := range mkeys {
			switch {
			case k == "parameters":
				if err := json.Unmarshal(mraws[j], &item.Parameters); err != nil {
					return fmt.Errorf("path %s parameters: %w", path, err)
				}
			case httpMethods[k]:
				var op oasOperation
				if err := json.Unmarshal(mraws[j], &op); err != nil {
					return fmt.Errorf("%s %s: %w", strings.ToUpper(k), path, err)
				}
				item.Operations = append(item.Operations, oasMethod{Method: strings.ToUpper(k), Op: op})
			}
		}
		*p = append(*p, item)
	}
	return nil
}

// orderedObject splits a JSON object into its keys and raw values, in order.
func orderedObject(b []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("not a JSON object")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return keys, vals, nil
}

const refPrefix = "#/components/"

func refName(ref, kind string) (string, bool) {
	return strings.CutPrefix(ref, refPrefix+kind+"/")
}

func (d *oasDoc) param(p *oasParam) *oasParam {
	for i := 0; p != nil && p.Ref != "" && i < 10; i++ {
		name, _ := refName(p.Ref, "parameters")
		p = d.Components.Parameters[name]
	}
	return p
}

func (d *oasDoc) response(r *oasResponse) *oasResponse {
	for i := 0; r != nil && r.Ref != "" && i < 10; i++ {
		name, _ := refName(r.Ref, "responses")
		r = d.Components.Responses[name]
	}
	return r
}

func (d *oasDoc) requestBody(r *oasRequestBody) *oasRequestBody {
	for i := 0; r != nil && r.Ref != "" && i < 10; i++ {
		name, _ := refName(r.Ref, "requestBodies")
		r = d.Components.RequestBodies[name]
	}
	return r
}

func (d *oasDoc) schema(s *oasSchema) *oasSchema {
	for i := 0; s != nil && s.Ref != "" && i < 10; i++ {
		name, _ := refName(s.Ref, "schemas")
		s = d.Components.Schemas[name]
	}
	return s
}

// typeOf describes a schema in a few words: "string", "integer | null",
// "array of Finding", "QUICK | STANDARD | DEEP", "Scan".
func (d *oasDoc) typeOf(s *oasSchema) string {
	if s == nil {
		return ""
	}
	if name, ok := refName(s.Ref, "schemas"); ok {
		if t := d.schema(s); t != nil && len(t.Enum) > 0 {
			return d.typeOf(t)
		}
		return name
	}
	if len(s.Const) > 0 {
		return string(s.Const)
	}
	if len(s.Enum) > 0 {
		vals := make([]string, 0, len(s.Enum))
		for _, e := range s.Enum {
			var v any
			if json.Unmarshal(e, &v) == nil {
				if str, ok := v.(string); ok {
					vals = append(vals, str)
					continue
				}
			}
			vals = append(vals, string(e))
		}
		return strings.Join(vals, " | ")
	}
	var types []string
	if len(s.Type) > 0 {
		var one string
		if json.Unmarshal(s.Type, &one) == nil {
			types = []string{one}
		} else {
			_ = json.Unmarshal(s.Type, &types)
		}
	}
	for i, t := range types {
		switch {
		case t == "array" && s.Items != nil:
			types[i] = "array of " + d.typeOf(s.Items)
		case t == "string" && s.Format != "":
			types[i] = "string (" + s.Format + ")"
		}
	}
	if len(types) == 0 {
		var alts []string
		for _, a := range append(append([]*oasSchema{}, s.OneOf...), s.AnyOf...) {
			alts = append(alts, d.typeOf(a))
		}
		return strings.Join(alts, " | ")
	}
	return strings.Join(types, " | ")
}

// fields lists the top-level properties of an object schema (following
// $ref and allOf), required ones first, each group by name.
func (d *oasDoc) fields(s *oasSchema) []APIField {
	req := map[string]bool{}
	props := map[string]*oasSchema{}
	var walk func(s *oasSchema, depth int)
	walk = func(s *oasSchema, depth int) {
		s = d.schema(s)
		if s == nil || depth > 10 {
			return
		}
		for _, r := range s.Required {
			req[r] = true
		}
		for k, v := range s.Properties {
			props[k] = v
		}
		for _, a := range s.AllOf {
			walk(a, depth+1)
		}
	}
	walk(s, 0)
	out := make([]APIField, 0, len(props))
	for name, p := range props {
		desc := p.Description
		if t := d.schema(p); desc == "" && t != nil {
			desc = t.Description
		}
		desc = withDefault(desc, p.Default)
		out = append(out, APIField{Name: name, Type: d.typeOf(p), Required: req[name], Description: desc})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Required != out[j].Required {
			return out[i].Required
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// withDefault appends "Default: x." to desc unless it already mentions a default.
func withDefault(desc string, def json.RawMessage) string {
	if len(def) == 0 || strings.Contains(strings.ToLower(desc), "default") {
		return desc
	}
	return strings.TrimSpace(desc + " Default: " + strings.Trim(string(def), `"`) + ".")
}

// firstExample is one example value of a media type, compact JSON.
func firstExample(mt *oasMediaType) string {
	if mt == nil {
		return ""
	}
	if len(mt.Example) > 0 {
		return compactJSON(mt.Example)
	}
	if len(mt.Examples) == 0 {
		return ""
	}
	_, vals, err := orderedObject(mt.Examples)
	if err != nil {
		return ""
	}
	for _, raw := range vals {
		var ex struct {
			Value json.RawMessage `json:"value"`
		}
		if json.Unmarshal(raw, &ex) == nil && len(ex.Value) > 0 {
			return compactJSON(ex.Value)
		}
	}
	return ""
}

func compactJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return string(b)
	}
	return string(out)
}

func exampleString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// contentTypes returns a media-type map's keys, application/json first.
func contentTypes[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "application/json") != (keys[j] == "application/json") {
			return keys[i] == "application/json"
		}
		return keys[i] < keys[j]
	})
	return keys
}

// APIDocsFromOpenAPI builds the API reference page's data from an OpenAPI
// 3.x JSON document: operations grouped by their first tag (tags in the
// order the document declares them), with parameters, request fields,
// responses and a curl example each.
func APIDocsFromOpenAPI(doc []byte) (APIDocsData, error) {
	var d oasDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return APIDocsData{}, fmt.Errorf("parsing the OpenAPI document: %w", err)
	}
	out := APIDocsData{
		Title:       d.Info.Title,
		Version:     d.Info.Version,
		Description: d.Info.Description,
		SpecURL:     "/api/v1/openapi.json",
	}
	groupIdx := map[string]int{}
	addGroup := func(tag, desc string) int {
		if i, ok := groupIdx[tag]; ok {
			return i
		}
		out.Groups = append(out.Groups, APIGroup{Tag: tag, Description: desc})
		groupIdx[tag] = len(out.Groups) - 1
		return groupIdx[tag]
	}
	for _, t := range d.Tags {
		addGroup(t.Name, t.Description)
	}
	docSecured := len(d.Security) > 0
	for _, p := range d.Paths {
		if strings.HasSuffix(p.Path, "/openapi.json") {
			out.SpecURL = p.Path
		}
		for _, m := range p.Operations {
			op, err := d.operation(p, m)
			if err != nil {
				return APIDocsData{}, err
			}
			if m.Op.Security != nil {
				op.Public = len(*m.Op.Security) == 0
			} else {
				op.Public = !docSecured
			}
			tag := "other"
			if len(m.Op.Tags) > 0 {
				tag = m.Op.Tags[0]
			}
			g := addGroup(tag, "")
			out.Groups[g].Operations = append(out.Groups[g].Operations, op)
		}
	}
	groups := out.Groups[:0]
	for _, g := range out.Groups {
		if len(g.Operations) > 0 {
			groups = append(groups, g)
		}
	}
	out.Groups = groups
	return out, nil
}

func (d *oasDoc) operation(p oasPath, m oasMethod) (APIOperation, error) {
	op := APIOperation{
		ID:           m.Op.OperationID,
		Method:       m.Method,
		Path:         p.Path,
		Summary:      m.Op.Summary,
		Description:  m.Op.Description,
		pathExamples: map[string]string{},
	}
	if op.ID == "" {
		op.ID = strings.ToLower(m.Method) + strings.NewReplacer("/", "-", "{", "", "}", "", ".", "-").Replace(p.Path)
	}
	// Operation parameters override path-level ones with the same name and location.
	seen := map[string]bool{}
	for _, list := range [][]*oasParam{m.Op.Parameters, p.Parameters} {
		for _, raw := range list {
			prm := d.param(raw)
			if prm == nil {
				return APIOperation{}, fmt.Errorf("%s %s: unresolved parameter %s", m.Method, p.Path, raw.Ref)
			}
			key := prm.In + ":" + prm.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			desc := prm.Description
			if prm.Schema != nil {
				desc = withDefault(desc, prm.Schema.Default)
			}
			op.Parameters = append(op.Parameters, APIParam{
				Name: prm.Name, In: prm.In, Required: prm.Required || prm.In == "path",
				Type: d.typeOf(prm.Schema), Description: desc,
			})
			if prm.In == "path" {
				ex := exampleString(prm.Example)
				if ex == "" {
					ex = prm.Name
				}
				op.pathExamples[prm.Name] = ex
			}
		}
	}
	// Path parameters first, then query, then header; stable within each.
	rank := map[string]int{"path": 0, "query": 1, "header": 2, "cookie": 3}
	sort.SliceStable(op.Parameters, func(i, j int) bool { return rank[op.Parameters[i].In] < rank[op.Parameters[j].In] })

	if rb := d.requestBody(m.Op.RequestBody); rb != nil {
		cts := contentTypes(rb.Content)
		body := &APIBody{Required: rb.Required}
		if len(cts) > 0 {
			body.ContentType = cts[0]
			mt := rb.Content[cts[0]]
			if mt != nil {
				body.Fields = d.fields(mt.Schema)
				op.exampleBody = firstExample(mt)
			}
		}
		op.RequestBody = body
	}

	codes := make([]string, 0, len(m.Op.Responses))
	for c := range m.Op.Responses {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return codeRank(codes[i]) < codeRank(codes[j]) })
	for _, c := range codes {
		r := d.response(m.Op.Responses[c])
		if r == nil {
			return APIOperation{}, fmt.Errorf("%s %s: unresolved response %s", m.Method, p.Path, m.Op.Responses[c].Ref)
		}
		resp := APIResponse{Code: c, Description: r.Description}
		if cts := contentTypes(r.Content); len(cts) > 0 {
			resp.ContentType = cts[0]
			if mt := r.Content[cts[0]]; mt != nil && mt.Schema != nil {
				if name, ok := refName(mt.Schema.Ref, "schemas"); ok {
					resp.Schema = name
				} else if len(mt.Schema.AnyOf)+len(mt.Schema.OneOf) > 0 {
					resp.Schema = d.typeOf(mt.Schema)
				}
			}
		}
		op.Responses = append(op.Responses, resp)
	}
	return op, nil
}

// codeRank orders response codes numerically, with "default" and ranges
// such as "5XX" after the exact codes they cover.
func codeRank(c string) int {
	if n, err := strconv.Atoi(c); err == nil {
		return n * 10
	}
	if len(c) == 3 && (c[1] == 'X' || c[1] == 'x') {
		if n, err := strconv.Atoi(c[:1]); err == nil {
			return n*1000 + 999
		}
	}
	return 1 << 30
}

// TextBlock is a paragraph or a table of an OpenAPI description, which is
// CommonMark; the page renders only paragraphs, pipe tables and `code`.
type TextBlock struct {
	// Table tells a table from a paragraph.
	Table bool
	// Spans is the paragraph's text.
	Spans []TextSpan
	// Header and Rows are the table's cells (nil for a paragraph).
	Header [][]TextSpan
	Rows   [][][]TextSpan
}

// TextSpan is a run of plain text or of inline code.
type TextSpan struct {
	Text string
	Code bool
}

// DescriptionBlocks splits a description into paragraphs (separated by a
// blank line) and pipe tables.
func DescriptionBlocks(md string) []TextBlock {
	var out []TextBlock
	for _, para := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		if isTable(lines) {
			b := TextBlock{Table: true, Header: tableRow(lines[0])}
			for _, l := range lines[2:] {
				b.Rows = append(b.Rows, tableRow(l))
			}
			out = append(out, b)
			continue
		}
		out = append(out, TextBlock{Spans: InlineSpans(strings.Join(lines, " "))})
	}
	return out
}

func isTable(lines []string) bool {
	if len(lines) < 2 {
		return false
	}
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "|") {
			return false
		}
	}
	return strings.Trim(strings.TrimSpace(lines[1]), "|-: ") == ""
}

// tableRow splits "| a | `b|c` |" into cells; a pipe inside backticks
// belongs to the cell.
func tableRow(line string) [][]TextSpan {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	var cells [][]TextSpan
	var cur strings.Builder
	inCode := false
	for _, r := range line {
		switch {
		case r == '`':
			inCode = !inCode
			cur.WriteRune(r)
		case r == '|' && !inCode:
			cells = append(cells, InlineSpans(strings.TrimSpace(cur.String())))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(cells, InlineSpans(strings.TrimSpace(cur.String())))
}

// InlineSpans splits text on backticks into plain and code spans.
func InlineSpans(s string) []TextSpan {
	var out []TextSpan
	for i, part := range strings.Split(s, "`") {
		if part == "" {
			continue
		}
		out = append(out, TextSpan{Text: part, Code: i%2 == 1})
	}
	return out
}

// methodClass colours an HTTP method badge with the stylesheet's existing
// severity pills (the method-* class is there for a future rule).
func methodClass(m string) string {
	c := "sev-low"
	switch m {
	case "POST", "PUT", "PATCH":
		c = "sev-medium"
	case "DELETE":
		c = "sev-high"
	}
	return "sev " + c + " method method-" + strings.ToLower(m)
}

// codeClass colours a response code like a check result.
func codeClass(code string) string {
	switch {
	case strings.HasPrefix(code, "2"):
		return "chk-pass"
	case strings.HasPrefix(code, "4"):
		return "chk-warn"
	case strings.HasPrefix(code, "5"):
		return "chk-fail"
	}
	return "chk-info"
}
