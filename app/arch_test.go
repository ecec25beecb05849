package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestServicesKnowNoHTTP keeps the error model of docs/ARCHITECTURE.md
// honest: the services say what went wrong with the kinds of app/errs, and
// only app/httpx picks status codes. A service that imports Fiber or names
// an http.Status… constant has started answering HTTP itself; app/errs
// must not import net/http at all. Test files are exempt (they may assert
// what a kind becomes).
func TestServicesKnowNoHTTP(t *testing.T) {
	cases := []struct {
		dir       string
		noNetHTTP bool // not even the import (stripe-go's http.Client is billing's only use)
	}{
		{dir: "auth"},
		{dir: "scans"},
		{dir: "reporting"},
		{dir: "sites"},
		{dir: "alerts"}, // its webhook client uses net/http; answers are its own, not Palisade's
		{dir: "../billing"},
		{dir: "errs", noNetHTTP: true},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(tc.dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			parsed := 0
			for _, name := range files {
				if strings.HasSuffix(name, "_test.go") {
					continue
				}
				f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
				if err != nil {
					t.Fatal(err)
				}
				parsed++
				for _, problem := range httpUse(f, tc.noNetHTTP) {
					t.Errorf("%s: %s", fset.Position(problem.pos), problem.what)
				}
			}
			if parsed == 0 {
				t.Fatalf("no Go files in %s: the test is looking in the wrong place", tc.dir)
			}
		})
	}
}

type finding struct {
	pos  token.Pos
	what string
}

// httpUse lists a file's Fiber imports and its uses of net/http's Status…
// identifiers (under whatever name the file imports net/http).
func httpUse(f *ast.File, noNetHTTP bool) []finding {
	var out []finding
	httpName := ""
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		switch {
		case strings.HasPrefix(path, "github.com/gofiber/fiber"):
			out = append(out, finding{imp.Pos(), "imports " + path})
		case path == "net/http":
			if noNetHTTP {
				out = append(out, finding{imp.Pos(), "imports net/http"})
			}
			httpName = "http"
			if imp.Name != nil {
				httpName = imp.Name.Name
			}
		}
	}
	if httpName == "" {
		return out
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == httpName && strings.HasPrefix(sel.Sel.Name, "Status") {
			out = append(out, finding{sel.Pos(), "uses http." + sel.Sel.Name})
		}
		return true
	})
	return out
}

// TestHTTPUseFinds: the checker above does find what it forbids, so a
// clean run of TestServicesKnowNoHTTP means something.
func TestHTTPUseFinds(t *testing.T) {
	cases := []struct {
		name, src string
		noNetHTTP bool
		want      int
	}{
		{"fiber import", "package p\nimport \"github.com/gofiber/fiber/v2\"\nvar _ = fiber.New", false, 1},
		{"status constant", "package p\nimport \"net/http\"\nvar _ = http.StatusConflict", false, 1},
		{"renamed import", "package p\nimport nh \"net/http\"\nvar _ = nh.StatusText(1)", false, 1},
		{"http.Client is fine", "package p\nimport \"net/http\"\nvar _ = &http.Client{}", false, 0},
		{"no net/http at all", "package p\nimport \"net/http\"\nvar _ = &http.Client{}", true, 1},
		{"clean", "package p\nimport \"errors\"\nvar _ = errors.New", false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "x.go", tc.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(httpUse(f, tc.noNetHTTP)); got != tc.want {
				t.Fatalf("%d findings, want %d", got, tc.want)
			}
		})
	}
}
