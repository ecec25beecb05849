package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
)

// bearer adds the API key to every request the MCP client makes.
type bearer struct{ key string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return http.DefaultTransport.RoundTrip(r)
}

func mcpSession(t *testing.T, env *apptest.Env, key string) *sdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	s, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: env.URL + "/mcp",
		HTTPClient: &http.Client{Transport: bearer{key}}}, nil)
	if err != nil {
		t.Fatalf("initialise: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// callTool calls name and returns the result's structured content (or, for
// an error, its text) and whether it is an error.
func callTool(t *testing.T, s *sdk.ClientSession, name string, args map[string]any) (map[string]any, string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	text := ""
	if len(res.Content) > 0 {
		if tc, ok := res.Content[0].(*sdk.TextContent); ok {
			text = tc.Text
		}
	}
	var out map[string]any
	if res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: structured content %s: %v", name, b, err)
		}
	}
	return out, text, res.IsError
}

func TestMCPTools(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	key := env.Key(env.User("mcp@example.com", billing.Pro))
	s := mcpSession(t, env, key)

	tools, err := s.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
		schema, _ := json.Marshal(tl.InputSchema)
		if !strings.Contains(string(schema), `"type":"object"`) {
			t.Errorf("tool %s input schema = %s", tl.Name, schema)
		}
		if tl.Name == "scan_site" && !strings.Contains(string(schema), `"url"`) {
			t.Errorf("scan_site schema lacks url: %s", schema)
		}
	}
	slices.Sort(names)
	if want := []string{"compare_scans", "get_fix_file", "get_scan", "list_scans", "scan_site"}; !slices.Equal(names, want) {
		t.Fatalf("tools = %v, want %v", names, want)
	}

	if _, msg, isErr := callTool(t, s, "scan_site", map[string]any{"url": ""}); !isErr || !strings.Contains(msg, "url") {
		t.Errorf("scan_site without a url = %v %q, want a tool error", isErr, msg)
	}
	if _, msg, isErr := callTool(t, s, "scan_site", map[string]any{"url": site.URL, "depth": "SIDEWAYS"}); !isErr || msg == "internal error" {
		t.Errorf("scan_site with a bad depth = %v %q, want the service's message", isErr, msg)
	}
	sc, text, isErr := callTool(t, s, "scan_site", map[string]any{"url": site.URL, "depth": "QUICK", "wait": true})
	if isErr || sc["status"] != "COMPLETED" {
		t.Fatalf("scan_site with wait = %v %q", sc, text)
	}
	id, _ := sc["id"].(string)
	if id == "" || sc["grade"] == nil {
		t.Fatalf("scan_site result has no id or grade: %v", sc)
	}

	got, _, isErr := callTool(t, s, "get_scan", map[string]any{"id": id})
	if isErr || got["id"] != id || got["status"] != "COMPLETED" {
		t.Fatalf("get_scan = %v", got)
	}
	list, _, isErr := callTool(t, s, "list_scans", map[string]any{"domain": "127.0.0.1"})
	if data, _ := list["data"].([]any); isErr || len(data) != 1 {
		t.Fatalf("list_scans = %v", list)
	}
	_, md, isErr := callTool(t, s, "get_fix_file", map[string]any{"id": id})
	if isErr || !strings.Contains(md, "#") || !strings.Contains(md, "127.0.0.1") {
		t.Fatalf("get_fix_file = %q", md)
	}
	_, msg, isErr := callTool(t, s, "compare_scans", map[string]any{"id": id})
	if !isErr || !strings.Contains(msg, "no earlier graded scan") {
		t.Fatalf("compare_scans without a previous scan = %v %q", isErr, msg)
	}

	// A second scan of the same target compares with the first.
	sc2, _, isErr := callTool(t, s, "scan_site", map[string]any{"url": site.URL, "depth": "QUICK", "wait": true})
	if isErr || sc2["status"] != "COMPLETED" {
		t.Fatalf("second scan_site = %v", sc2)
	}
	diff, msg, isErr := callTool(t, s, "compare_scans", map[string]any{"id": sc2["id"]})
	if isErr || diff == nil {
		t.Fatalf("compare_scans = %v %q", diff, msg)
	}

	// Another account's key sees none of it.
	other := mcpSession(t, env, env.Key(env.User("other@example.com", billing.Pro)))
	for _, name := range []string{"get_scan", "get_fix_file", "compare_scans"} {
		_, msg, isErr := callTool(t, other, name, map[string]any{"id": id})
		if !isErr || msg != "not found" {
			t.Errorf("%s of a foreign scan = %v %q, want the tool error \"not found\"", name, isErr, msg)
		}
	}
	if l, _, _ := callTool(t, other, "list_scans", nil); len(l["data"].([]any)) != 0 {
		t.Errorf("list_scans of another account = %v", l)
	}
}

func TestMCPRequiresKey(t *testing.T) {
	env := apptest.New(t)
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	code, hdr, resp := env.Do("POST", "/mcp", "", "application/json", body)
	if code != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("no key: %d %s %s", code, hdr.Get("Content-Type"), resp)
	}
	if e := decode[map[string]any](t, resp); e["error"] == nil {
		t.Fatalf("no key: body %s has no error", resp)
	}
	code, _, resp = env.Do("POST", "/mcp", "pal_not_a_key", "application/json", body)
	if code < 400 || code >= 500 || !strings.Contains(string(resp), `"error"`) {
		t.Fatalf("bad key: %d %s", code, resp)
	}
	// With a key the request reaches the transport, rate limited like the API.
	key := env.Key(env.User("mcpkey@example.com", billing.Free))
	req, _ := http.NewRequest("POST", env.URL+"/mcp", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = io.ReadAll(res.Body)
	res.Body.Close()
	code, hdr = res.StatusCode, res.Header
	if code != http.StatusOK || hdr.Get("X-RateLimit-Limit") == "" || !strings.Contains(string(resp), `"serverInfo"`) {
		t.Fatalf("initialise with a key: %d %v %s", code, hdr, resp)
	}
	// Stateless: no event stream to open, no session to delete.
	if code, _, resp = env.Do("GET", "/mcp", key, "", ""); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /mcp = %d %s, want 405", code, resp)
	}
}
