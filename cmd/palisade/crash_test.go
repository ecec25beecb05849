package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/ent/scanevent"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// sharedBinary builds the binary once for the parallel process tests.
func sharedBinary(t *testing.T) string {
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "palisade-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = dir + "/palisade"
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Stderr = os.Stderr
		binErr = cmd.Run()
	})
	if binErr != nil {
		t.Fatalf("building palisade: %v", binErr)
	}
	return binPath
}

type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan error
	base string
}

func startServer(t *testing.T, bin string, env []string, addr string) *server {
	t.Helper()
	s := &server{t: t, cmd: exec.Command(bin, "serve"), logs: &bytes.Buffer{}, done: make(chan error, 1), base: "http://" + addr}
	s.cmd.Env = env
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	waitUp(t, s.base+"/healthz", s.done, s.logs)
	return s
}

func (s *server) post(key, path, body string) (int, []byte) {
	req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// operator sets up a database with an enterprise account and returns an API key.
func operator(t *testing.T, p proc) string {
	t.Helper()
	if _, e, code := p.run(t, "a long password here\n", "user", "add", "--email", "ops@example.com", "--password-stdin", "--plan", "enterprise"); code != 0 {
		t.Fatalf("user add: %s", e)
	}
	out, e, code := p.run(t, "", "key", "add", "--email", "ops@example.com", "--name", "ci")
	if code != 0 {
		t.Fatalf("key add: %s", e)
	}
	return strings.TrimSpace(out)
}

func countByStatus(t *testing.T, dbURL string) map[domain.ScanStatus]int {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Ent.Scan.Query().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[domain.ScanStatus]int{}
	for _, r := range rows {
		out[r.Status]++
	}
	return out
}

// TestKillNineLosesNothing: kill -9 with scans queued and running, start
// again, and every accepted scan reaches a terminal state exactly once.
func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary for ~30 s")
	}
	t.Parallel()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A slow target is the point: scans must still be running when the process is killed.
		time.Sleep(700 * time.Millisecond)
		fmt.Fprint(w, "<html><body>slow</body></html>")
	}))
	defer site.Close()
	dbURL := apptest.DatabaseURL(t)
	addr := freeAddr(t)
	p := proc{bin: sharedBinary(t), env: append(os.Environ(), "PALISADE_DATABASE_URL="+dbURL, "PALISADE_ADDR="+addr,
		"PALISADE_SCAN_ALLOW_CIDRS=127.0.0.0/8", "PALISADE_WORKERS=2")}
	key := operator(t, p)
	s := startServer(t, p.bin, p.env, addr)
	var ids []string
	for i := range 8 {
		code, body := s.post(key, "/api/v1/scan", fmt.Sprintf(`{"url":"%s/k%d/","depth":"QUICK"}`, site.URL, i))
		if code != 202 {
			t.Fatalf("create: %d %s", code, body)
		}
		var c struct{ ID string }
		_ = json.Unmarshal(body, &c)
		ids = append(ids, c.ID)
	}
	// Wait until some run and some wait, then kill -9.
	var st map[domain.ScanStatus]int
	if !apptest.Eventually(20*time.Second, func() bool {
		st = countByStatus(t, dbURL)
		return st[domain.StatusRunning] > 0 && st[domain.StatusPending] > 0
	}) {
		t.Fatalf("never saw scans running and queued together: %v", st)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
	before := countByStatus(t, dbURL)
	if before[domain.StatusRunning] == 0 {
		t.Fatalf("no scan was running at the kill: %v", before)
	}

	s2 := startServer(t, p.bin, p.env, addr)
	if !apptest.Eventually(90*time.Second, func() bool {
		st = countByStatus(t, dbURL)
		return st[domain.StatusCompleted] == len(ids)
	}) {
		t.Fatalf("after restart: %v\nlogs:\n%s", st, s2.logs.String())
	}
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	for _, id := range ids {
		ends, _ := d.Ent.ScanEvent.Query().Where(scanevent.ScanID(id), scanevent.KindIn("complete", "failed", "cancelled")).Count(ctx)
		if ends != 1 {
			t.Errorf("scan %s ended %d times", id, ends)
		}
		sc, _ := d.Ent.Scan.Get(ctx, id)
		if n, _ := sc.QueryFindings().Count(ctx); n != sc.FindingsCount {
			t.Errorf("scan %s has %d finding rows for %d findings: stored twice?", id, n, sc.FindingsCount)
		}
	}
	_ = s2.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-s2.done; err != nil {
		t.Errorf("second server did not exit 0: %v", err)
	}
}

// TestGracefulStop: on SIGTERM a running scan may finish (within 25 s), a
// scan that cannot is handed back to the queue, and the process exits 0.
func TestGracefulStop(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary for ~30 s")
	}
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A slow target is the point: the scan is still running when SIGTERM arrives.
		time.Sleep(2 * time.Second)
		fmt.Fprint(w, "<html><body>slow</body></html>")
	}))
	defer slow.Close()
	// A chain of slow pages: each answers in 8 s (under the per-request
	// timeout) and links to the next, so a DEEP crawl runs far past 25 s.
	chain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(8 * time.Second):
		case <-r.Context().Done():
			return
		}
		var n int
		fmt.Sscanf(r.URL.Path, "/p%d", &n)
		fmt.Fprintf(w, `<html><body><a href="/p%d">next</a></body></html>`, n+1)
	}))
	defer chain.Close()
	dbURL := apptest.DatabaseURL(t)
	addr := freeAddr(t)
	p := proc{bin: sharedBinary(t), env: append(os.Environ(), "PALISADE_DATABASE_URL="+dbURL, "PALISADE_ADDR="+addr,
		"PALISADE_SCAN_ALLOW_CIDRS=127.0.0.0/8", "PALISADE_WORKERS=2")}
	key := operator(t, p)
	s := startServer(t, p.bin, p.env, addr)
	for _, body := range []string{fmt.Sprintf(`{"url":"%s/","depth":"QUICK"}`, slow.URL), fmt.Sprintf(`{"url":"%s/","depth":"DEEP"}`, chain.URL)} {
		if code, b := s.post(key, "/api/v1/scan", body); code != 202 {
			t.Fatalf("create: %d %s", code, b)
		}
	}
	if !apptest.Eventually(20*time.Second, func() bool { return countByStatus(t, dbURL)[domain.StatusRunning] >= 2 }) {
		t.Fatalf("scans did not start: %v", countByStatus(t, dbURL))
	}
	stopAt := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.logs.String())
		}
	case <-time.After(45 * time.Second):
		t.Fatalf("did not exit within 45 s of SIGTERM\n%s", s.logs.String())
	}
	took := time.Since(stopAt)
	st := countByStatus(t, dbURL)
	if st[domain.StatusCompleted] != 1 || st[domain.StatusPending] != 1 || st[domain.StatusRunning] != 0 {
		t.Errorf("after graceful stop: %v, want the slow scan COMPLETED and the stuck one handed back PENDING", st)
	}
	if took < 20*time.Second || took > 40*time.Second {
		t.Errorf("stop took %v; the stuck scan should have had about 25 s", took)
	}
}
