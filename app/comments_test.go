package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// outsideRef matches a citation of a document that is not in this
// repository: the specification and seeds live beside it, not in it, so a
// reader of the code could not follow such a reference.
var outsideRef = regexp.MustCompile(`PRODUCT\.md|\.\./shared|shared/seeds|DEVELOPERS\.md`)

// TestCommentsCiteOnlyThisRepository walks the hand-written Go, templ and
// script files and fails on any reference to a document outside the
// repository; comments cite docs/… or other files that are here.
func TestCommentsCiteOnlyThisRepository(t *testing.T) {
	root := filepath.Join("..")
	var bad []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "data", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if strings.HasSuffix(name, "_templ.go") || name == "comments_test.go" ||
			!(strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".templ") || name == "run" || name == "Taskfile.yml") {
			return nil
		}
		if rel, _ := filepath.Rel(root, path); strings.HasPrefix(rel, "ent"+string(filepath.Separator)) && !strings.HasPrefix(rel, filepath.Join("ent", "schema")) {
			return nil // generated
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if outsideRef.MatchString(line) {
				bad = append(bad, path+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("cites a document outside the repository: %s", b)
	}
	if !outsideRef.MatchString("see PRODUCT.md §4") {
		t.Fatal("the pattern no longer recognises a citation of the specification")
	}
}
