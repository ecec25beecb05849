package scanner

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// declaredCheck is a `var checkX = Check{…}` found in the package source.
type declaredCheck struct {
	varName, id, idConst, file string
}

// declaredChecks parses the package's non-test files and returns every
// package-level Check literal with its id (resolved through the string
// constants of the package) and the file it is in. Counting checks this way
// means no test has to be told how many checks there are.
func declaredChecks(t *testing.T) []declaredCheck {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	type pending struct {
		varName, idExpr, file string
	}
	var found []pending
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range gd.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, v := range vs.Values {
					if gd.Tok == token.CONST {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[vs.Names[i].Name], _ = strconv.Unquote(lit.Value)
						}
						continue
					}
					cl, ok := v.(*ast.CompositeLit)
					if !ok {
						continue
					}
					if id, ok := cl.Type.(*ast.Ident); !ok || id.Name != "Check" {
						continue
					}
					p := pending{varName: vs.Names[i].Name, file: name}
					for _, e := range cl.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "ID" {
							if id, ok := kv.Value.(*ast.Ident); ok {
								p.idExpr = id.Name
							}
						}
					}
					found = append(found, p)
				}
			}
		}
	}
	var out []declaredCheck
	for _, p := range found {
		id, ok := consts[p.idExpr]
		if !ok {
			t.Errorf("%s (%s): ID must be a string constant, got %q", p.varName, p.file, p.idExpr)
			continue
		}
		out = append(out, declaredCheck{varName: p.varName, id: id, idConst: p.idExpr, file: p.file})
	}
	return out
}

// TestCheckRegistry holds the "one file plus one table test per check" rule:
// every check declared in the package is registered in AllChecks exactly
// once, lives in a check_<name>.go file that has a check_<name>_test.go
// naming it, and has exactly one category, a row of the Categories table
// that is also its id's namespace.
func TestCheckRegistry(t *testing.T) {
	declared := declaredChecks(t)
	all := AllChecks()
	registered := map[string]int{}
	for _, c := range all {
		registered[c.ID]++
	}
	cases := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"every declared check is registered once", func(t *testing.T) {
			if len(declared) == 0 {
				t.Fatal("no Check declarations found in the package source")
			}
			for _, d := range declared {
				if registered[d.id] != 1 {
					t.Errorf("%s (%s, %s) is registered %d times in AllChecks", d.varName, d.id, d.file, registered[d.id])
				}
			}
			if len(all) != len(declared) {
				t.Errorf("AllChecks has %d checks, the source declares %d", len(all), len(declared))
			}
		}},
		{"one category from the table, the id's namespace", func(t *testing.T) {
			for _, c := range all {
				if _, ok := CategoryByID(c.Category); !ok {
					t.Errorf("%s: category %q is not in Categories", c.ID, c.Category)
				}
				if ns, _, _ := strings.Cut(c.ID, "."); ns != c.Category {
					t.Errorf("%s: category %q is not its namespace %q", c.ID, c.Category, ns)
				}
				if got := outcome(c.ID).Finding(SeverityInfo, "t", "d", nil, ""); got.CheckID != c.ID || got.Category != c.Category {
					t.Errorf("%s: outcome builder files findings under %s/%s", c.ID, got.CheckID, got.Category)
				}
			}
		}},
		{"every table category has a weighted check", func(t *testing.T) {
			for _, cat := range Categories {
				if !slices.ContainsFunc(all, func(c Check) bool { return c.Category == cat.ID && c.Weight > 0 }) {
					t.Errorf("category %s has no check with a positive weight", cat.ID)
				}
			}
		}},
		{"each check file has its table test naming the check", func(t *testing.T) {
			files := map[string]bool{}
			for _, d := range declared {
				files[d.file] = true
				if !strings.HasPrefix(d.file, "check_") {
					t.Errorf("%s is declared in %s, not in a check_<name>.go file", d.varName, d.file)
					continue
				}
				testFile := strings.TrimSuffix(d.file, ".go") + "_test.go"
				src, err := os.ReadFile(testFile)
				if err != nil {
					t.Errorf("%s: no table test: %v", d.file, err)
					continue
				}
				if !strings.Contains(string(src), d.idConst) && !strings.Contains(string(src), strconv.Quote(d.id)) {
					t.Errorf("%s does not test %s (%s)", testFile, d.id, d.idConst)
				}
			}
			checkFiles, _ := filepath.Glob("check_*.go")
			for _, f := range checkFiles {
				if !strings.HasSuffix(f, "_test.go") && !files[f] {
					t.Errorf("%s declares no check: name it otherwise", f)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.fn)
	}
}

// TestCategoryTable: the table is the single source of category ids, titles
// and points, and the derived views agree with it.
func TestCategoryTable(t *testing.T) {
	total := 0
	seen := map[string]bool{}
	for i, c := range Categories {
		if c.ID == "" || c.Title == "" || c.Weight <= 0 || seen[c.ID] {
			t.Errorf("bad or duplicate row %+v", c)
		}
		seen[c.ID] = true
		total += c.Weight
		if CategoryOrder[i] != c.ID || CategoryWeights[c.ID] != c.Weight {
			t.Errorf("derived order/weights disagree with the table at %s", c.ID)
		}
		if got, ok := CategoryByID(c.ID); !ok || got != c {
			t.Errorf("CategoryByID(%q) = %+v, %v", c.ID, got, ok)
		}
	}
	if total != 100 {
		t.Errorf("category points add up to %d, want 100", total)
	}
	if len(CategoryOrder) != len(Categories) || len(CategoryWeights) != len(Categories) {
		t.Errorf("derived views have %d/%d entries for %d categories", len(CategoryOrder), len(CategoryWeights), len(Categories))
	}
	if _, ok := CategoryByID("nope"); ok {
		t.Error("unknown category found")
	}
}

// TestExtraCheckKeepsOtherWeights registers a fake extra check in each
// category in turn: no check of another category changes its points, the
// siblings keep their weights relative to each other (all diluted by the
// same factor), the category still shares exactly its points, and in a
// realistic scan the other categories score exactly as before.
func TestExtraCheckKeepsOtherWeights(t *testing.T) {
	base := AllChecks()
	basePts := CheckPoints(base)
	ev := typicalEvidence()
	var baseResults []Scored
	for _, c := range base {
		baseResults = append(baseResults, Scored{Check: c, Outcome: c.Evaluate(ev)})
	}
	baseCats, baseOverall, baseGrade := Score(baseResults)
	catOf := func(cats []Category, id string) Category {
		for _, c := range cats {
			if c.Name == id {
				return c
			}
		}
		return Category{}
	}
	for _, cat := range Categories {
		for _, extra := range []struct {
			name   string
			weight int
			out    Outcome
		}{
			{"failing", 3, outcome(cat.ID+".fake").Fail(0, "x", "d", outcome(cat.ID+".fake").Finding(SeverityLow, "t", "d", adviceFix("r"), ""))},
			{"informational", 3, outcome(cat.ID+".fake").Info("x", "d")},
		} {
			t.Run(cat.ID+"/"+extra.name, func(t *testing.T) {
				fake := Check{ID: cat.ID + ".fake", Name: "Fake", Category: cat.ID, Depth: Quick, Weight: extra.weight,
					Needs: []EvidenceKind{NeedPage}, Evaluate: func(*Evidence) Outcome { return extra.out }}
				with := append(slices.Clone(base), fake)
				pts := CheckPoints(with)
				var factor float64
				sum := pts[fake.ID]
				for _, c := range base {
					if c.Category != cat.ID {
						if pts[c.ID] != basePts[c.ID] {
							t.Errorf("%s (other category) moved from %v to %v points", c.ID, basePts[c.ID], pts[c.ID])
						}
						continue
					}
					sum += pts[c.ID]
					if basePts[c.ID] == 0 {
						continue
					}
					f := pts[c.ID] / basePts[c.ID]
					if factor == 0 {
						factor = f
					}
					if math.Abs(f-factor) > 1e-12 || f >= 1 {
						t.Errorf("sibling %s diluted by %v, others by %v", c.ID, f, factor)
					}
				}
				if math.Abs(sum-float64(cat.Weight)) > 1e-9 {
					t.Errorf("category %s shares %v points, want %d", cat.ID, sum, cat.Weight)
				}

				cats, overall, grade := Score(append(slices.Clone(baseResults), Scored{Check: fake, Outcome: fake.Evaluate(ev)}))
				for _, bc := range baseCats {
					got := catOf(cats, bc.Name)
					if bc.Name == cat.ID {
						if got.MaxScore != bc.MaxScore || len(got.Checks) != len(bc.Checks)+1 {
							t.Errorf("%s: max %d with %d checks, want %d with %d", bc.Name, got.MaxScore, len(got.Checks), bc.MaxScore, len(bc.Checks)+1)
						}
						if extra.out.Status == StatusInfo && (got.Score != bc.Score || got.Grade != bc.Grade) {
							t.Errorf("%s: an unscored extra check moved the category to %d %s from %d %s", bc.Name, got.Score, got.Grade, bc.Score, bc.Grade)
						}
						if extra.out.Status == StatusFail && got.Score > bc.Score {
							t.Errorf("%s: a failing extra check raised the category to %d from %d", bc.Name, got.Score, bc.Score)
						}
						continue
					}
					if got.Score != bc.Score || got.MaxScore != bc.MaxScore || got.Grade != bc.Grade || len(got.Checks) != len(bc.Checks) {
						t.Errorf("%s changed: %d/%d %s, want %d/%d %s", bc.Name, got.Score, got.MaxScore, got.Grade, bc.Score, bc.MaxScore, bc.Grade)
					}
				}
				if extra.out.Status == StatusInfo && (overall != baseOverall || grade != baseGrade) {
					t.Errorf("unscored extra check moved the scan to %d %s from %d %s", overall, grade, baseOverall, baseGrade)
				}
			})
		}
	}
}

// TestScoringDocMatchesChecks: docs/scoring.md lists every check once with
// its depth and points (CheckPoints, out of 100), and every category with
// its points, so the document cannot drift from the code.
func TestScoringDocMatchesChecks(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scoring.md"))
	if err != nil {
		t.Fatal(err)
	}
	rowRE := regexp.MustCompile("(?m)^\\| `([a-z]+\\.[a-z-]+)` \\| ([A-Z]+) \\| ([0-9.]+) \\|")
	headRE := regexp.MustCompile(`(?m)^### ([a-z]+) — ([0-9]+) points$`)
	all := AllChecks()
	pts := CheckPoints(all)
	rows := map[string][]string{}
	for _, m := range rowRE.FindAllStringSubmatch(string(doc), -1) {
		if _, dup := rows[m[1]]; dup {
			t.Errorf("%s listed twice", m[1])
		}
		rows[m[1]] = m[2:]
	}
	for _, c := range all {
		r, ok := rows[c.ID]
		if !ok {
			t.Errorf("%s is not in docs/scoring.md", c.ID)
			continue
		}
		delete(rows, c.ID)
		p, _ := strconv.ParseFloat(r[1], 64)
		if r[0] != string(c.Depth) || math.Abs(p-pts[c.ID]) > 0.05 {
			t.Errorf("%s documented as %s, %s points; the code says %s, %.4g", c.ID, r[0], r[1], c.Depth, pts[c.ID])
		}
	}
	for id := range rows {
		t.Errorf("docs/scoring.md lists %s, which is not a check", id)
	}
	heads := headRE.FindAllStringSubmatch(string(doc), -1)
	if len(heads) != len(Categories) {
		t.Errorf("%d category sections, %d categories", len(heads), len(Categories))
	}
	for _, h := range heads {
		c, ok := CategoryByID(h[1])
		if w, _ := strconv.Atoi(h[2]); !ok || w != c.Weight {
			t.Errorf("section %q: %s points, table says %d", h[1], h[2], c.Weight)
		}
	}
}
