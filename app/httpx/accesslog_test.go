package httpx

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// syncBuffer collects log output written from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines returns the JSON log records written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serve runs the shared middleware and error handler, wired as the
// container wires them, on a loopback listener.
func serve(t *testing.T) (string, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, nil))
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(log), DisableStartupMessage: true})
	app.Use(RequestID(), AccessLog(log, nil), recover.New())
	app.Get("/api/ok", func(c *fiber.Ctx) error { return c.SendString("fine") })
	app.Get("/api/boom", func(c *fiber.Ctx) error { return errors.New("the disk is on fire") })
	app.Get("/api/panic", func(c *fiber.Ctx) error { panic("unexpected") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String(), buf
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestAccessLogOneLinePerRequestWithoutQuery(t *testing.T) {
	base, buf := serve(t)
	resp := get(t, base+"/api/ok?token=s3cr3t-value&x=1", nil)
	id := resp.Header.Get("X-Request-ID")
	if resp.StatusCode != 200 || len(id) != 36 {
		t.Fatalf("status %d, X-Request-ID %q", resp.StatusCode, id)
	}
	lines := buf.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d log lines for one request:\n%s", len(lines), buf)
	}
	l := lines[0]
	for _, k := range []string{"method", "path", "status", "duration_ms", "request_id", "bytes", "client_ip"} {
		if _, ok := l[k]; !ok {
			t.Errorf("the line lacks %q: %v", k, l)
		}
	}
	if l["method"] != "GET" || l["path"] != "/api/ok" || l["status"] != 200.0 || l["request_id"] != id ||
		l["bytes"] != 4.0 || l["client_ip"] != "127.0.0.1" {
		t.Errorf("line %v", l)
	}
	if strings.Contains(buf.String(), "s3cr3t") || strings.Contains(buf.String(), "token") {
		t.Errorf("the query string reached the log:\n%s", buf)
	}
}

func TestServerErrorLogCarriesTheResponsesRequestID(t *testing.T) {
	for _, path := range []string{"/api/boom", "/api/panic"} {
		t.Run(path, func(t *testing.T) {
			base, buf := serve(t)
			resp := get(t, base+path, nil)
			id := resp.Header.Get("X-Request-ID")
			if resp.StatusCode != 500 || id == "" {
				t.Fatalf("status %d, X-Request-ID %q", resp.StatusCode, id)
			}
			var failed, access int
			for _, l := range buf.lines(t) {
				switch l["msg"] {
				case "request failed":
					failed++
					if l["request_id"] != id || l["status"] != 500.0 || l["path"] != path {
						t.Errorf("error line %v, want request_id %s", l, id)
					}
				case "request":
					access++
					if l["request_id"] != id || l["status"] != 500.0 {
						t.Errorf("access line %v: the client got 500 with id %s", l, id)
					}
				}
			}
			if failed != 1 || access != 1 {
				t.Errorf("%d error lines and %d access lines, want one each:\n%s", failed, access, buf)
			}
		})
	}
}

func TestRequestIDFromAProxyIsKeptOnlyWhenPlain(t *testing.T) {
	base, buf := serve(t)
	for _, tc := range []struct {
		sent string
		kept bool
	}{
		{"edge-7f3a.19", true},
		{"abc\" injected=1", false},
		{strings.Repeat("a", 65), false},
	} {
		got := get(t, base+"/api/ok", map[string]string{"X-Request-ID": tc.sent}).Header.Get("X-Request-ID")
		if (got == tc.sent) != tc.kept || got == "" {
			t.Errorf("sent %q, answered %q, want kept=%v", tc.sent, got, tc.kept)
		}
	}
	if strings.Contains(buf.String(), "injected") {
		t.Errorf("a client-chosen id reached the log:\n%s", buf)
	}
}
