package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/httpx"
)

// newRoutedApp registers the web route table on a real Fiber app. No
// service is called while routes are registered or on the pages used here.
func newRoutedApp(t *testing.T) (*fiber.App, *Handler) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	app := fiber.New(fiber.Config{ErrorHandler: httpx.ErrorHandler(log), DisableStartupMessage: true})
	h := NewHandler(Deps{Log: log})
	h.Routes(app)
	return app, h
}

// routeConstants reads the Route* constants declared in routes.go, so a
// constant added there is checked without editing this test.
func routeConstants(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Route") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", n.Name)
				}
				v, _ := strconv.Unquote(lit.Value)
				out[n.Name] = v
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d route constants in routes.go", len(out))
	}
	return out
}

func TestEveryRouteNameIsRegistered(t *testing.T) {
	app, h := newRoutedApp(t)
	consts := routeConstants(t)
	declared := map[string]bool{}
	for ident, name := range consts {
		declared[name] = true
		r := app.GetRoute(name)
		if r.Name == "" {
			r = app.GetRoute(name + ".post")
		}
		if r.Name == "" {
			t.Errorf("%s (%q) is not registered in the route table", ident, name)
			continue
		}
		if h.routes[name] != r.Path {
			t.Errorf("%s: URL builder has %q, Fiber routes %q", ident, h.routes[name], r.Path)
		}
	}
	for name := range h.routes {
		if !declared[name] {
			t.Errorf("route %q is registered without a Route constant", name)
		}
	}
}

func TestRouteURL(t *testing.T) {
	table := routeTable{}
	table.add("scan.show", "/scans/:id")
	table.add("scan.body", "/scans/:id/body")
	table.add("home", "/")
	table.add("two", "/a/:x/b/:y")
	tests := []struct {
		name   string
		params []string
		want   string
		panics bool
	}{
		{name: "home", want: "/"},
		{name: "scan.show", params: []string{"scn_1"}, want: "/scans/scn_1"},
		{name: "scan.body", params: []string{"scn_1"}, want: "/scans/scn_1/body"},
		{name: "scan.show", params: []string{"a/b c"}, want: "/scans/a%2Fb%20c"},
		{name: "two", params: []string{"1", "2"}, want: "/a/1/b/2"},
		{name: "scan.show", panics: true},
		{name: "scan.show", params: []string{"1", "2"}, panics: true},
		{name: "home", params: []string{"1"}, panics: true},
		{name: "nope", panics: true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+strings.Join(tt.params, ","), func(t *testing.T) {
			defer func() {
				if r := recover(); (r != nil) != tt.panics {
					t.Fatalf("panic = %v, want panic %v", r, tt.panics)
				}
			}()
			if got := table.url(tt.name, tt.params...); got != tt.want {
				t.Fatalf("url = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRouteTableRejectsANameForTwoPaths(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	table := routeTable{}
	table.add("keys", "/keys")
	table.add("keys", "/keys/other")
}

// appPathPattern matches a quoted literal that starts with one of the
// web app's own path prefixes ("/dashboard", "/scans/…"). The root, "/"
// alone, is rootPathPattern: in Go code it is as often a separator.
var rootPathPattern = regexp.MustCompile(`["']/["']`)

func appPathPattern(h *Handler) *regexp.Regexp {
	seen := map[string]bool{}
	var alts []string
	for _, p := range h.routes {
		first := "/" + strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]
		if first == "/" || seen[first] {
			continue
		}
		seen[first] = true
		alts = append(alts, regexp.QuoteMeta(first))
	}
	return regexp.MustCompile(`["'](?:` + strings.Join(alts, "|") + `)(?:[/?#"']|$)`)
}

func TestAppPathPattern(t *testing.T) {
	_, h := newRoutedApp(t)
	re := appPathPattern(h)
	tests := []struct {
		in   string
		want bool
	}{
		{`href="/dashboard"`, true},
		{`action="/scans"`, true},
		{`hx-get={ "/scans/" + id + "/body" }`, true},
		{`"/reports?page=2"`, true},
		{`href="/"`, false}, // rootPathPattern's
		{`<input name="url"/>`, false},
		{`href={ l.Dashboard }`, false},
		{`"/api/v1/openapi.json"`, false},
		{`"/assets/app.css"`, false},
		{`"/dashboards-of-others"`, false},
	}
	for _, tt := range tests {
		if got := re.MatchString(tt.in); got != tt.want {
			t.Errorf("%s: matched %v, want %v", tt.in, got, tt.want)
		}
	}
	if !rootPathPattern.MatchString(`href="/"`) || rootPathPattern.MatchString(`<input name="url"/>`) {
		t.Error("rootPathPattern matches the wrong things")
	}
}

// TestNoHardCodedAppPaths keeps every app URL built from the route table:
// no template or view helper spells one of the app's paths, and the web
// handlers build theirs by route name (routes.go is where paths are written).
func TestNoHardCodedAppPaths(t *testing.T) {
	_, h := newRoutedApp(t)
	re := appPathPattern(h)
	err := filepath.WalkDir("../../views", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".templ") && (!strings.HasSuffix(path, ".go") ||
			strings.HasSuffix(path, "_templ.go") || strings.HasSuffix(path, "_test.go")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			m := re.FindString(line)
			if m == "" && strings.HasSuffix(path, ".templ") {
				m = rootPathPattern.FindString(line)
			}
			if m != "" {
				t.Errorf("%s:%d: hard-coded app path %s; take the href from the view model or the page's Links", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The handlers: every string literal, except the paths in routes.go and
	// the cookie paths (a cookie's scope, not a link).
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "routes.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		skip := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "Path" || k.Name == "CookiePath") {
					if lit, ok := n.Value.(*ast.BasicLit); ok {
						skip[lit] = true
					}
				}
			case *ast.CallExpr:
				// strings.Split(pattern, "/") and the like handle paths, they are not one.
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "strings" {
						for _, a := range n.Args {
							if lit, ok := a.(*ast.BasicLit); ok {
								skip[lit] = true
							}
						}
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && !skip[n] && (re.MatchString(n.Value) || rootPathPattern.MatchString(n.Value)) {
					t.Errorf("%s: hard-coded app path %s; build it with h.url(Route…)", fset.Position(n.Pos()), n.Value)
				}
			}
			return true
		})
	}
}

// TestPagesCarryLinksFromTheRouteTable serves the public pages and an
// unknown address (the error page) over a loopback server and checks every
// same-origin href and form action on them is a registered route.
func TestPagesCarryLinksFromTheRouteTable(t *testing.T) {
	app, h := newRoutedApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	base := "http://" + ln.Addr().String()

	known := map[string]bool{}
	for _, p := range h.routes {
		if !strings.Contains(p, ":") {
			known[p] = true
		}
	}
	attr := regexp.MustCompile(`(?:href|action)="([^"]*)"`)
	tests := []struct {
		path      string
		status    int
		wantLinks []string
	}{
		{"/", http.StatusOK, []string{h.url(RouteLogIn), h.url(RouteSignUp), h.url(RouteAPIDocs), h.url(RouteHome)}},
		{h.url(RouteLogIn), http.StatusOK, []string{h.url(RouteSignUp)}},
		{h.url(RouteSignUp), http.StatusOK, []string{h.url(RouteLogIn)}},
		{"/no-such-page", http.StatusNotFound, []string{h.url(RouteHome), h.url(RouteLogIn), h.url(RouteSignUp)}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			found := map[string]bool{}
			for _, m := range attr.FindAllStringSubmatch(string(body), -1) {
				href := m[1]
				if strings.HasPrefix(href, "/assets/") {
					continue
				}
				if !known[href] {
					t.Errorf("link %q is not a registered route", href)
				}
				found[href] = true
			}
			for _, want := range tt.wantLinks {
				if !found[want] {
					t.Errorf("page has no link to %q", want)
				}
			}
		})
	}
}
