package domain_test

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// storedValues are the string forms of statuses, depths, plans and roles.
const storedValues = `PENDING|RUNNING|COMPLETED|FAILED|CANCELLED|QUICK|STANDARD|DEEP|free|pro|enterprise|owner|member`

// literalComparison matches a comparison of a stored value as a string
// literal: `x == "COMPLETED"`, `"owner" != r`, `case "DEEP":`, and event
// kinds compared by name (`kind == "check:complete"`). The plain words
// "complete", "failed" and "cancelled" are only caught next to a kind,
// because other strings (Stripe's checkout status "complete") use them too.
var literalComparison = regexp.MustCompile(
	`(==|!=)\s*"(` + storedValues + `|start|check:complete)"` +
		`|"(` + storedValues + `|start|check:complete)"\s*(==|!=)` +
		`|\bcase\s+("[^"]*"\s*,\s*)*"(` + storedValues + `|check:complete)"` +
		`|(?i:kind)\s*(==|!=)\s*"(complete|failed|cancelled)"`)

func TestLiteralComparisonPattern(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`if d.Status != "PENDING" && d.Status != "RUNNING" {`, true},
		{`if s.User.Role != "owner" {`, true},
		{`if "COMPLETED" == st {`, true},
		{`	case "DEEP":`, true},
		{`	case "QUICK", "STANDARD":`, true},
		{`	case "start", "check:complete":`, true},
		{`if e.Kind == "check:complete" {`, true},
		{`return kind == "complete" || kind == "failed"`, true},
		{`if plan == "pro" {`, true},
		{`if d.Status.Terminal() {`, false},
		{`status := domain.StatusCompleted`, false},
		{`if o.Status == "complete" {`, false}, // Stripe's checkout session status
		{`depthFlag := fs.String("depth", "STANDARD", "QUICK, STANDARD or DEEP")`, false},
		{`if v == "provider" {`, false},
		{`case "free-trial":`, false},
		{`Message: "status must be PENDING, RUNNING, COMPLETED, FAILED or CANCELLED"`, false},
	} {
		if got := literalComparison.MatchString(tc.line); got != tc.want {
			t.Errorf("match(%s) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestNoLiteralComparisons fails when code outside this package compares a
// status, depth, plan, role or event kind with a string literal: such a
// comparison compiles against a typo and survives a renamed value, where
// the typed constants and methods (Terminal, Active, IsOwner, …) do not.
// Tests and generated code are not checked; templ sources are, since
// their comparisons are hand-written.
func TestNoLiteralComparisons(t *testing.T) {
	root := moduleRoot(t)
	self := filepath.Join(root, "app", "domain")
	checked := 0
	for _, dir := range []string{"app", "billing", "reports", "cmd", "views"} {
		base := filepath.Join(root, dir)
		if _, err := os.Stat(base); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(base, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if path == self || e.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			name := e.Name()
			if !strings.HasSuffix(name, ".templ") &&
				(!strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_templ.go")) {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if generated.Match(src) {
				return nil
			}
			checked++
			sc := bufio.NewScanner(bytes.NewReader(src))
			sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
			for n := 1; sc.Scan(); n++ {
				line := sc.Text()
				if strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue
				}
				if m := literalComparison.FindString(line); m != "" {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s:%d compares a string literal (%s); use the app/domain constant or method", rel, n, m)
				}
			}
			return sc.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 50 {
		t.Fatalf("only %d files checked; is the module root %s right?", checked, root)
	}
}

// generated matches Go's standard marker of generated files.
var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
