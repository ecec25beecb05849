package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The opt-in measurements of docs/BENCHMARKS.md that need the server's own
// figures (peak RSS, goroutines) run the real binary as a subprocess: built
// with `go build`, prepared with its operator commands, and measured from
// /proc/PID/status. The goroutine count comes from the Go runtime's own
// scheduler trace (GODEBUG=schedtrace=1000,scheddetail=1 lists every
// goroutine on stderr once a second), because the server deliberately has
// no debug endpoint and /metrics does not export it.

// envInt reads a positive whole number from the environment, or returns def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// buildPalisade compiles cmd/palisade into the test's temporary directory.
func buildPalisade(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "palisade")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/palisade/palisade/cmd/palisade").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeLoopbackAddr returns a loopback address nothing listens on right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// runOperator runs one operator command of the binary and returns its stdout.
func runOperator(t *testing.T, bin string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("palisade %s: %v\n%s", strings.Join(args[:2], " "), err, stderr.String())
	}
	return stdout.String()
}

// procServer is a running `palisade serve`.
type procServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	done chan error

	mu       sync.Mutex
	gCount   int       // live goroutines in the last complete scheduler trace
	gAt      time.Time // when that trace began
	gChanged chan struct{}
	tail     []string // the last 2,000 log lines, for failure messages and log figures
}

// startProcServer starts `palisade serve` with env on addr and waits for /healthz.
func startProcServer(t *testing.T, bin string, env []string, addr string) *procServer {
	t.Helper()
	s := &procServer{t: t, base: "http://" + addr, done: make(chan error, 1), gChanged: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = slices.Concat(env, []string{"GODEBUG=schedtrace=1000,scheddetail=1"})
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr io.Reader = pipe
	if f := os.Getenv("PALISADE_BENCH_SERVER_LOG"); f != "" {
		// The server's whole stderr (logs and scheduler traces), for diagnosis.
		lf, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lf.Close() })
		stderr = io.TeeReader(pipe, lf)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() { defer close(read); s.readTrace(stderr) }()
	go func() { <-read; s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("palisade exited before it was up: %v\n%s", err, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("palisade not up after 60 s\n%s", s.logTail())
		}
	}
}

var (
	schedLine = regexp.MustCompile(`^SCHED \d+ms:`)
	gLine     = regexp.MustCompile(`^\s+G\d+: status=(\d+)`)
)

// readTrace consumes the server's stderr: scheduler traces become the
// goroutine count, everything else is kept as the log's tail.
func (s *procServer) readTrace(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	count, began, inBlock := 0, time.Time{}, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case schedLine.MatchString(line):
			if inBlock {
				s.publish(count, began)
			}
			count, began, inBlock = 0, time.Now(), true
		case gLine.MatchString(line):
			st, _ := strconv.Atoi(gLine.FindStringSubmatch(line)[1])
			if st&^0x1000 != 6 { // _Gdead, with or without the scan bit
				count++
			}
		case strings.HasPrefix(line, "  P") || strings.HasPrefix(line, "  M"):
		default:
			s.mu.Lock()
			s.tail = append(s.tail, line)
			if len(s.tail) > 2000 {
				s.tail = s.tail[len(s.tail)-2000:]
			}
			s.mu.Unlock()
		}
	}
}

func (s *procServer) publish(n int, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gCount, s.gAt = n, at
	close(s.gChanged)
	s.gChanged = make(chan struct{})
}

func (s *procServer) logTail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

// goroutines returns the server's live goroutines (runtime ones included)
// from the first scheduler trace that began after since.
func (s *procServer) goroutines(since time.Time) int {
	s.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		n, at, changed := s.gCount, s.gAt, s.gChanged
		s.mu.Unlock()
		if at.After(since) {
			return n
		}
		select {
		case <-changed:
		case <-deadline:
			s.t.Fatalf("no scheduler trace from the server in 10 s (is GODEBUG honoured?)")
		}
	}
}

// steady returns the goroutine count once three consecutive traces agree
// (the job queue starts some of its services a moment after the server is
// up), or the last count after timeout.
func (s *procServer) steady(timeout time.Duration) int {
	start := time.Now()
	n, same := s.goroutines(start), 1
	for same < 3 && time.Since(start) < timeout {
		m := s.goroutines(time.Now())
		if m == n {
			same++
		} else {
			n, same = m, 1
		}
	}
	return n
}

// settle waits until the goroutine count is at most target or timeout has
// passed, and returns the last count and how long it took.
func (s *procServer) settle(target int, timeout time.Duration) (int, time.Duration) {
	start := time.Now()
	for {
		at := time.Now()
		n := s.goroutines(at)
		if n <= target || time.Since(start) > timeout {
			return n, time.Since(start)
		}
	}
}

// status reads one "Name:   value kB" field of /proc/PID/status, in bytes.
func (s *procServer) status(field string) uint64 {
	s.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatalf("reading the server's /proc status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				s.t.Fatalf("%s %q: %v", field, rest, err)
			}
			return kb * 1024
		}
	}
	s.t.Fatalf("no %s in /proc/%d/status", field, s.cmd.Process.Pid)
	return 0
}

// cpu is the CPU time the server has used so far (user + system).
func (s *procServer) cpu() time.Duration {
	s.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// metric reads one unlabelled gauge from /metrics.
func (s *procServer) metric(name string) int {
	s.t.Helper()
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				s.t.Fatalf("/metrics %s: %q", name, v)
			}
			return n
		}
	}
	s.t.Fatalf("/metrics has no %s:\n%s", name, body)
	return 0
}

// stop sends SIGTERM and expects a clean exit.
func (s *procServer) stop() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("palisade exited with %v\n%s", err, s.logTail())
		}
	case <-time.After(40 * time.Second):
		s.t.Errorf("palisade did not stop within 40 s of SIGTERM")
	}
}

// waitCondition polls cond every interval until it holds or timeout passes.
func waitCondition(t *testing.T, timeout, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %v", what, timeout)
		}
		<-tick.C
	}
}

// ctxBG is shorthand for the measurements' database reads.
var ctxBG = context.Background()
