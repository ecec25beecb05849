package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
)

// buildBinary compiles the real palisade binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "palisade")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("building palisade: %v", err)
	}
	return bin
}

type proc struct {
	bin string
	env []string
}

func (p proc) run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestBinaryEndToEnd drives the real binary as an operator would: user add,
// key add, plan set, serve, a scan over the API, then SIGTERM.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>ok</body></html>")
	}))
	defer site.Close()
	addr := freeAddr(t)
	p := proc{bin: buildBinary(t), env: append(os.Environ(),
		"PALISADE_DATABASE_URL="+apptest.DatabaseURL(t),
		"PALISADE_ADDR="+addr,
		"PALISADE_SCAN_ALLOW_CIDRS=127.0.0.0/8",
		"PALISADE_WORKERS=2",
	)}

	_, errOut, code := p.run(t, "", "migrate")
	if code != 0 {
		t.Fatalf("migrate exited %d: %s", code, errOut)
	}
	out, errOut, code := p.run(t, "a long password here\n", "user", "add", "--email", "ops@example.com", "--password-stdin", "--account", "Ops", "--plan", "pro")
	if code != 0 {
		t.Fatalf("user add exited %d: %s", code, errOut)
	}
	var ids map[string]string
	if err := json.Unmarshal([]byte(out), &ids); err != nil || !strings.HasPrefix(ids["accountId"], "acc_") || !strings.HasPrefix(ids["userId"], "usr_") {
		t.Fatalf("user add printed %q (%v)", out, err)
	}
	_, errOut, code = p.run(t, "a long password here\n", "user", "add", "--email", "ops@example.com", "--password-stdin")
	if code == 0 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate user add exited %d: %s", code, errOut)
	}
	out, errOut, code = p.run(t, "", "key", "add", "--email", "ops@example.com", "--name", "CI")
	key := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(key, "pal_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("key add exited %d, printed %q: %s", code, out, errOut)
	}
	out, errOut, code = p.run(t, "", "key", "add", "--email", "ops@example.com", "--name", "temp", "--expires-in", "30")
	if code != 0 || !strings.HasPrefix(out, "pal_") {
		t.Fatalf("key add --expires-in: %d %s %s", code, out, errOut)
	}
	out, errOut, code = p.run(t, "", "key", "list", "--email", "ops@example.com")
	if code != 0 || strings.Count(out, "\n") != 2 || strings.Contains(out, key) || !strings.Contains(out, `"name":"temp"`) || !strings.Contains(out, `"expiresAt":"20`) {
		t.Fatalf("key list: %d %s %s", code, out, errOut)
	}
	var listed struct{ ID, Name string }
	_ = json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &listed)
	if _, errOut, code = p.run(t, "", "key", "revoke", "--email", "ops@example.com", "--id", listed.ID); code != 0 {
		t.Fatalf("key revoke: %d %s", code, errOut)
	}
	if _, errOut, code = p.run(t, "", "key", "revoke", "--email", "ops@example.com", "--id", listed.ID); code == 0 || !strings.Contains(errOut, "no active key") {
		t.Errorf("revoking twice: %d %s", code, errOut)
	}
	out, errOut, code = p.run(t, "", "plan", "set", "--email", "ops@example.com", "--plan", "enterprise")
	if code != 0 || !strings.Contains(out, "enterprise") {
		t.Fatalf("plan set exited %d: %s %s", code, out, errOut)
	}
	if _, errOut, code = p.run(t, "", "plan", "set", "--email", "ops@example.com", "--plan", "gold"); code != 2 || !strings.Contains(errOut, "unknown plan") {
		t.Errorf("plan set with a bad plan exited %d: %s", code, errOut)
	}

	srv := exec.Command(p.bin)
	srv.Env = p.env
	var logs bytes.Buffer
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	defer func() {
		if srv.ProcessState == nil {
			_ = srv.Process.Kill()
		}
	}()
	base := "http://" + addr
	waitUp(t, base+"/healthz", done, &logs)

	req, _ := http.NewRequest("POST", base+"/api/v1/scan", strings.NewReader(fmt.Sprintf(`{"url":%q,"depth":"DEEP"}`, site.URL)))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("POST scan = %d %s", resp.StatusCode, body)
	}
	var created struct{ ID string }
	_ = json.Unmarshal(body, &created)
	if !apptest.Eventually(90*time.Second, func() bool {
		req, _ := http.NewRequest("GET", base+"/api/v1/scan?limit=5", nil)
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		var list struct {
			Data []struct {
				ID, Status, Grade string
				OverallScore      *int
			}
		}
		_ = json.Unmarshal(body, &list)
		if len(list.Data) == 1 && list.Data[0].ID == created.ID && list.Data[0].Status == "COMPLETED" {
			if list.Data[0].Grade == "" || list.Data[0].OverallScore == nil {
				t.Fatalf("completed scan without grade/score: %s", body)
			}
			return true
		}
		return false
	}) {
		t.Fatalf("scan did not complete: %s\nlogs:\n%s", body, logs.String())
	}

	_ = srv.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not exit 0 on SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "palisade listening") || !strings.Contains(logs.String(), addr) {
		t.Errorf("serve did not log where it listens:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), key) {
		t.Errorf("the API key appears in the logs")
	}
}

func waitUp(t *testing.T, url string, done chan error, logs *bytes.Buffer) {
	t.Helper()
	if !apptest.Eventually(30*time.Second, func() bool {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}) {
		t.Fatalf("serve did not come up\n%s", logs.String())
	}
}

func TestScanCommandJSON(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		fmt.Fprint(w, "<html><body>ok</body></html>")
	}))
	defer site.Close()
	t.Setenv("PALISADE_SCAN_ALLOW_CIDRS", "127.0.0.0/8")
	var out, errb bytes.Buffer
	code := run([]string{"scan", site.URL, "--depth", "QUICK", "--json"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("scan exited %d: %s", code, errb.String())
	}
	var d map[string]any
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("scan --json printed invalid JSON: %v\n%s", err, out.String())
	}
	for _, f := range []string{"id", "targetUrl", "targetDomain", "depth", "status", "overallScore", "grade", "findingsCount",
		"createdAt", "completedAt", "finalUrl", "durationMs", "error", "categories", "findings", "headers", "missingHeaders",
		"redirectChain", "tls", "summary"} {
		if _, ok := d[f]; !ok {
			t.Errorf("scan --json lacks %q", f)
		}
	}
	if d["depth"] != "QUICK" || d["status"] != "COMPLETED" {
		t.Errorf("depth %v status %v", d["depth"], d["status"])
	}
}

func TestCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"user", "add", "--email", "x@example.com"}, 2, "--password-stdin"},
		{[]string{"key", "add", "--email", "x@example.com"}, 2, "--name"},
		{[]string{"scan"}, 2, "needs a URL"},
		{[]string{"scan", "https://example.com", "--depth", "HUGE"}, 2, "unknown depth"},
		{[]string{"scan", "ftp://example.com"}, 1, "only http and https"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errb.String(), tc.code, tc.msg)
			}
		})
	}
}
