package views

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/palisade/palisade"

// forbiddenDeps are the heavy parts of the server that rendering a page must
// never pull in: the ORM, the payment client, the job queue and the drivers.
var forbiddenDeps = []string{"entgo.io", "stripe-go", "riverqueue", "modernc.org/sqlite", "jackc/pgx"}

// listed is the part of `go list -json` output the test reads (Deps is
// every package the build needs, transitively).
type listed struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

func goList(t *testing.T, args ...string) []listed {
	t.Helper()
	// go test puts its own toolchain first on PATH.
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages under views/")
	}
	return pkgs
}

// TestViewsDependOnNoService keeps the views a leaf of the program: pages
// take view models (views/model), so nothing they import reaches the
// database, Stripe or the job queue, and no package of the application.
func TestViewsDependOnNoService(t *testing.T) {
	for _, p := range goList(t, "./...") {
		for _, d := range p.Deps {
			for _, bad := range forbiddenDeps {
				if strings.Contains(d, bad) {
					t.Errorf("%s depends on %s", p.ImportPath, d)
				}
			}
		}
		imports := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			rest := strings.TrimPrefix(imp, module+"/")
			if rest != "views" && !strings.HasPrefix(rest, "views/") && rest != "assets" {
				t.Errorf("%s imports %s: views may import only views/…, assets, templ and the standard library", p.ImportPath, imp)
			}
		}
	}
}

// TestDepsCheckSeesAService proves the check above can fail: the web
// handlers, which build the view models, do depend on Ent.
func TestDepsCheckSeesAService(t *testing.T) {
	pkgs := goList(t, module+"/app/web")
	found := false
	for _, d := range pkgs[0].Deps {
		if strings.Contains(d, "entgo.io") {
			found = true
		}
	}
	if !found {
		t.Fatal("go list -json reported no Ent dependency for app/web; the check would pass vacuously")
	}
}
