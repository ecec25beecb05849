package alerts_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/alerts"
)

// snippet returns the fenced code block after <!-- snippet: name --> in docs/monitoring.md.
func snippet(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "monitoring.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- snippet: " + regexp.QuoteMeta(name) + " -->\\s*```[a-z]*\n(.*?)```")
	m := re.FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/monitoring.md has no snippet %s", name)
	}
	return string(m[1])
}

// TestDocumentedVerifiersAcceptPalisadeSignatures runs the Go, Python and
// Node verification snippets of docs/monitoring.md against a body signed by
// Palisade's signer: they accept it, and refuse a tampered body, another
// secret and a stale timestamp.
func TestDocumentedVerifiersAcceptPalisadeSignatures(t *testing.T) {
	secret, err := alerts.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"grade.dropped","summary":"example.com dropped from A to C","site":{"name":"bücher.example"}}`)
	good := alerts.Sign(secret, time.Now(), body)
	cases := []struct {
		name, secret, header string
		body                 []byte
		ok                   bool
	}{
		{"signed", secret, good, body, true},
		{"tampered body", secret, good, bytes.Replace(body, []byte("A to C"), []byte("A to B"), 1), false},
		{"other secret", "whsec_other", good, body, false},
		{"stale", secret, alerts.Sign(secret, time.Now().Add(-10*time.Minute), body), body, false},
	}
	dir := t.TempDir()
	goDir := filepath.Join(dir, "gov")
	if err := os.MkdirAll(goDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(goDir, "verify.go"), strings.Replace(snippet(t, "verify-go"), "package webhook", "package main", 1))
	write(filepath.Join(goDir, "main.go"), `package main

import (
	"io"
	"os"
	"time"
)

func main() {
	body, _ := io.ReadAll(os.Stdin)
	if !Verify(os.Getenv("SECRET"), os.Getenv("HEADER"), body, time.Now(), 5*time.Minute) {
		os.Exit(1)
	}
}
`)
	write(filepath.Join(goDir, "go.mod"), "module verify\n\ngo 1.22\n")
	goBin := filepath.Join(dir, "verify-go")
	build := exec.Command("go", "build", "-o", goBin, ".")
	build.Dir = goDir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Go snippet does not build: %v\n%s", err, out)
	}
	write(filepath.Join(dir, "verify.py"), snippet(t, "verify-python")+`
import os, sys
sys.exit(0 if verify(os.environ["SECRET"], os.environ["HEADER"], sys.stdin.buffer.read()) else 1)
`)
	write(filepath.Join(dir, "verify.js"), snippet(t, "verify-node")+`
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => process.exit(verify(process.env.SECRET, process.env.HEADER, Buffer.concat(chunks)) ? 0 : 1));
`)
	runners := []struct {
		lang string
		cmd  []string
	}{
		{"go", []string{goBin}},
		{"python", []string{"python3", filepath.Join(dir, "verify.py")}},
		{"node", []string{"node", filepath.Join(dir, "verify.js")}},
	}
	for _, r := range runners {
		t.Run(r.lang, func(t *testing.T) {
			if _, err := exec.LookPath(r.cmd[0]); err != nil && r.lang != "go" {
				t.Skipf("%s is not installed", r.cmd[0])
			}
			for _, tc := range cases {
				cmd := exec.Command(r.cmd[0], r.cmd[1:]...)
				cmd.Env = append(os.Environ(), "SECRET="+tc.secret, "HEADER="+tc.header)
				cmd.Stdin = bytes.NewReader(tc.body)
				out, err := cmd.CombinedOutput()
				if _, exit := err.(*exec.ExitError); err != nil && !exit {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if got := err == nil; got != tc.ok {
					t.Errorf("%s: the %s snippet says %v, want %v\n%s", tc.name, r.lang, got, tc.ok, out)
				}
			}
		})
	}
}
