package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/internal/testnet"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/scanevent"
)

// slowSite answers every request after delay and records, per scan (the
// first path segment), how many requests are in flight, so a test can see
// how many scans touched it at once.
type slowSite struct {
	*httptest.Server
	mu      sync.Mutex
	active  map[string]int // path prefix → requests in flight
	maxBy   map[string]int // group → most scans in flight at once
	groupOf func(path string) string
	hits    map[string]int
}

func newSlowSite(t *testing.T, delay time.Duration, groupOf func(string) string) *slowSite {
	s := &slowSite{active: map[string]int{}, maxBy: map[string]int{}, hits: map[string]int{}, groupOf: groupOf}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
		s.mu.Lock()
		s.active[key]++
		s.hits[key]++
		s.record()
		s.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
		s.mu.Lock()
		s.active[key]--
		if s.active[key] == 0 {
			delete(s.active, key)
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>slow</body></html>")
	}))
	t.Cleanup(s.Server.Close)
	return s
}

// record notes, per group, how many distinct scans have requests in flight.
func (s *slowSite) record() {
	count := map[string]int{}
	for key := range s.active {
		count[s.groupOf(key)]++
		count["*"]++
	}
	for g, n := range count {
		if n > s.maxBy[g] {
			s.maxBy[g] = n
		}
	}
}

func (s *slowSite) max(group string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxBy[group]
}

func createScan(t *testing.T, env *apptest.Env, key, url, depth string) string {
	t.Helper()
	code, _, body := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":%q}`, url, depth))
	if code != 202 {
		t.Fatalf("create scan: %d %s", code, body)
	}
	return decode[map[string]any](t, body)["id"].(string)
}

func waitStatus(t *testing.T, env *apptest.Env, id string, timeout time.Duration, want ...domain.ScanStatus) *scanRow {
	t.Helper()
	var row *scanRow
	apptest.WaitFor(t, timeout, fmt.Sprintf("scan %s reaching %v", id, want), func() bool {
		sc, err := env.C.DB.Ent.Scan.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		row = &scanRow{sc.Status, sc.Error, sc.StartedAt, sc.CreatedAt}
		return slices.Contains(want, sc.Status)
	})
	return row
}

// waitJobDone waits until River has worked the token queued with scan id.
func waitJobDone(t *testing.T, env *apptest.Env, id string) {
	t.Helper()
	sc, err := env.C.DB.Ent.Scan.Get(context.Background(), id)
	if err != nil || sc.JobID == nil {
		t.Fatalf("scan %s has no job: %v", id, err)
	}
	q := `SELECT state FROM river_job WHERE id = $1`
	if env.C.DB.IsSQLite() {
		q = `SELECT state FROM river_job WHERE id = ?`
	}
	apptest.WaitFor(t, 10*time.Second, fmt.Sprintf("job of scan %s worked", id), func() bool {
		var state string
		err := env.C.DB.SQL.QueryRowContext(context.Background(), q, *sc.JobID).Scan(&state)
		if err != nil {
			t.Fatal(err)
		}
		return state == "completed"
	})
}

// waitTokensDone waits until River has worked every scan token: from then
// on no worker will look for a scan to start until something new is queued.
func waitTokensDone(t *testing.T, env *apptest.Env) {
	t.Helper()
	apptest.WaitFor(t, 10*time.Second, "every scan token worked", func() bool {
		var live int
		err := env.C.DB.SQL.QueryRowContext(context.Background(),
			`SELECT COUNT(*) FROM river_job WHERE kind = 'scan' AND state IN ('available', 'scheduled', 'retryable', 'running', 'pending')`).Scan(&live)
		if err != nil {
			t.Fatal(err)
		}
		return live == 0
	})
}

type scanRow struct {
	Status    domain.ScanStatus
	Error     string
	StartedAt *time.Time
	CreatedAt time.Time
}

// TestBoundedPerInstanceAndPerAccount: the target never sees more scans at
// once than PALISADE_WORKERS, nor more of one account's than its plan allows.
func TestBoundedPerInstanceAndPerAccount(t *testing.T) {
	env := apptest.New(t, apptest.WithWorkers(3))
	site := newSlowSite(t, 150*time.Millisecond, func(key string) string { return strings.SplitN(key, "-", 2)[0] })
	pro := env.Key(env.User("pro@example.com", billing.Pro))
	ent := env.Key(env.User("ent@example.com", billing.Enterprise))
	var ids []string
	for i := range 6 {
		ids = append(ids, createScan(t, env, pro, fmt.Sprintf("%s/pro-%d/", site.URL, i), "QUICK"))
		ids = append(ids, createScan(t, env, ent, fmt.Sprintf("%s/ent-%d/", site.URL, i), "QUICK"))
	}
	for _, id := range ids {
		waitStatus(t, env, id, 60*time.Second, domain.StatusCompleted)
	}
	if got := site.max("*"); got > 3 || got < 2 {
		t.Errorf("target saw %d scans at once; want at most PALISADE_WORKERS=3 (and some concurrency)", got)
	}
	if got := site.max("pro"); got > billing.Lookup("pro").ConcurrentScans {
		t.Errorf("a Pro account ran %d scans at once, plan allows %d", got, billing.Lookup("pro").ConcurrentScans)
	}
	free := env.Key(env.User("free@example.com", billing.Free))
	var freeIDs []string
	for i := range 3 {
		freeIDs = append(freeIDs, createScan(t, env, free, fmt.Sprintf("%s/free-%d/", site.URL, i), "QUICK"))
	}
	for _, id := range freeIDs {
		waitStatus(t, env, id, 60*time.Second, domain.StatusCompleted)
	}
	if got := site.max("free"); got != 1 {
		t.Errorf("a Free account ran %d scans at once, plan allows 1", got)
	}
}

// TestFairness: an account with 200 queued scans does not hold back another
// account's single scan for more than one scan's duration — the next free
// worker takes it.
func TestFairness(t *testing.T) {
	env := apptest.New(t, apptest.WithWorkers(2))
	// Each scan takes about 400 ms, so the 200 queued ones outlast their own
	// creation (seconds under -race) and the small scan meets a backlog:
	// workers that run scans back to back drain 100 ms scans faster than
	// the test can queue them.
	site := newSlowSite(t, 400*time.Millisecond, func(key string) string { return strings.SplitN(key, "-", 2)[0] })
	big := env.Key(env.User("big@example.com", billing.Enterprise))
	small := env.Key(env.User("small@example.com", billing.Free))
	for i := range 200 {
		createScan(t, env, big, fmt.Sprintf("%s/big-%d/", site.URL, i), "QUICK")
	}
	id := createScan(t, env, small, site.URL+"/small-0/", "QUICK")
	row := waitStatus(t, env, id, 60*time.Second, domain.StatusCompleted)
	ctx := context.Background()
	// How many of the big account's scans started between the small scan's
	// acceptance and its start? Fair dispatch allows at most the workers that
	// were already choosing at that instant.
	overtook, err := env.C.DB.Ent.Scan.Query().Where(scan.TargetDomain("127.0.0.1"),
		scan.StartedAtGT(row.CreatedAt), scan.StartedAtLT(*row.StartedAt), scan.IDNEQ(id)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if overtook > 2 {
		t.Errorf("%d scans of the busy account started ahead of the waiting one", overtook)
	}
	done, _ := env.C.DB.Ent.Scan.Query().Where(scan.StatusEQ(domain.StatusCompleted)).Count(ctx)
	if done > 150 {
		t.Errorf("the busy account had already finished %d scans: the test did not exercise a backlog", done)
	}
	cancelAll(t, env)
}

// cancelAll cancels every unfinished scan so the test ends quickly.
func cancelAll(t *testing.T, env *apptest.Env) {
	ctx := context.Background()
	rows, err := env.C.DB.Ent.Scan.Query().Where(scan.StatusIn(domain.StatusPending, domain.StatusRunning)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		_, _ = env.C.Scans.Cancel(ctx, r.AccountID, r.ID)
	}
}

// tarpit holds a scan RUNNING: see testnet.Tarpit.
func tarpit(t *testing.T) string { return testnet.Tarpit(t) }

func TestCancelRunningAndPending(t *testing.T) {
	env := apptest.New(t)
	acc := env.User("cancel@example.com", billing.Free)
	key := env.Key(acc)
	pit := tarpit(t)
	running := createScan(t, env, key, pit, "QUICK")
	waitStatus(t, env, running, 10*time.Second, domain.StatusRunning)
	pending := createScan(t, env, key, pit, "QUICK") // free plan: one at a time, so this one waits
	// Its token has been worked, and found the account at its limit.
	waitJobDone(t, env, pending)
	if row := waitStatus(t, env, pending, time.Second, domain.StatusPending); row.StartedAt != nil {
		t.Fatalf("second scan of a free account started while the first runs")
	}
	used, _ := env.C.Scans.Used(context.Background(), acc)

	code, _, body := env.Do("POST", "/api/v1/scan/"+pending+"/cancel", key, "", "")
	if code != 202 || !strings.Contains(string(body), `"CANCELLED"`) {
		t.Fatalf("cancel pending = %d %s", code, body)
	}
	after, _ := env.C.Scans.Used(context.Background(), acc)
	if after != used-1 {
		t.Errorf("quota used %d → %d; a scan cancelled before it started must be given back", used, after)
	}

	asked := time.Now()
	code, _, body = env.Do("POST", "/api/v1/scan/"+running+"/cancel", key, "", "")
	if code != 202 {
		t.Fatalf("cancel running = %d %s", code, body)
	}
	row := waitStatus(t, env, running, 5*time.Second, domain.StatusCancelled)
	if took := time.Since(asked); took > 2*time.Second {
		t.Errorf("running scan took %v to stop, want under 2 s", took)
	}
	if !strings.Contains(row.Error, "cancelled") {
		t.Errorf("error = %q", row.Error)
	}
	// The cancelled pending scan never starts: once no token is left, nothing will start it.
	waitTokensDone(t, env)
	n, _ := env.C.DB.Ent.ScanEvent.Query().Where(scanevent.ScanID(pending), scanevent.Kind("start")).Count(context.Background())
	if n != 0 {
		t.Errorf("the cancelled pending scan started %d times", n)
	}
	code, _, body = env.Do("POST", "/api/v1/scan/"+running+"/cancel", key, "", "")
	if code != 409 {
		t.Errorf("cancelling a finished scan = %d %s, want 409", code, body)
	}
	keyB := env.Key(env.User("other@example.com", billing.Free))
	if code, _, _ := env.Do("POST", "/api/v1/scan/"+running+"/cancel", keyB, "", ""); code != 404 {
		t.Errorf("cancelling another account's scan = %d, want 404", code)
	}
}

func TestDeadlineExceeded(t *testing.T) {
	env := apptest.New(t, apptest.WithExec(scans.ExecOptions{Deadline: func(scanner.Depth) time.Duration { return time.Second }}))
	key := env.Key(env.User("deadline@example.com", billing.Free))
	id := createScan(t, env, key, tarpit(t), "QUICK")
	row := waitStatus(t, env, id, 15*time.Second, domain.StatusFailed)
	if row.Error != "deadline exceeded" {
		t.Errorf("error = %q, want \"deadline exceeded\"", row.Error)
	}
	code, _, body := env.Do("GET", "/api/v1/scan/"+id, key, "", "")
	if code != 200 || !strings.Contains(string(body), `"error":"deadline exceeded"`) {
		t.Errorf("GET failed scan = %d %s", code, body)
	}
}

// TestEventStream reads a running scan's SSE stream to its end.
func TestEventStream(t *testing.T) {
	env := apptest.New(t)
	site := newSlowSite(t, 200*time.Millisecond, func(string) string { return "x" })
	key := env.Key(env.User("sse@example.com", billing.Free))
	id := createScan(t, env, key, site.URL+"/", "QUICK")
	waitStatus(t, env, id, 10*time.Second, domain.StatusRunning)
	events := readEvents(t, env.URL, key, id)
	if len(events) < 3 || events[0].kind != "start" || events[len(events)-1].kind != "complete" {
		t.Fatalf("events = %+v", events)
	}
	checks := 0
	for _, e := range events[1 : len(events)-1] {
		if e.kind != "check:complete" || !strings.Contains(e.data, `"id":"`) || !strings.Contains(e.data, `"status":"`) {
			t.Errorf("unexpected event %+v", e)
		}
		checks++
	}
	if checks == 0 {
		t.Errorf("no check:complete events")
	}
	// A late subscriber gets the whole story, then the stream ends.
	late := readEvents(t, env.URL, key, id)
	if len(late) != len(events) {
		t.Errorf("late subscriber got %d events, want %d", len(late), len(events))
	}
	keyB := env.Key(env.User("sse-b@example.com", billing.Free))
	if code, _, _ := env.Do("GET", "/api/v1/scan/"+id+"/events", keyB, "", ""); code != 404 {
		t.Errorf("another account's stream = %d, want 404", code)
	}
}

type sse struct{ kind, data string }

// readEvents reads the scan's event stream to its end; onEvent, if given,
// sees each event as it arrives.
func readEvents(t *testing.T, base, key, id string, onEvent ...func(sse)) []sse {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/scan/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var out []sse
	var cur sse
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		case line == "" && cur.kind != "":
			out = append(out, cur)
			for _, f := range onEvent {
				f(cur)
			}
			cur = sse{}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading stream: %v (got %d events)", err, len(out))
	}
	return out
}

// TestTwoInstancesShareTheQueue: two instances on one database run 100
// scans, each exactly once; a scan running on one is watched and cancelled
// through the other.
func TestTwoInstancesShareTheQueue(t *testing.T) {
	if os.Getenv("PALISADE_TEST_DATABASE_URL") == "" {
		t.Skip("scale-out runs on PostgreSQL (CI sets PALISADE_TEST_DATABASE_URL); SQLite is the single-instance mode")
	}
	dbURL := apptest.DatabaseURL(t)
	a := apptest.New(t, apptest.WithDatabase(dbURL), apptest.WithWorkers(4))
	b := apptest.New(t, apptest.WithDatabase(dbURL), apptest.WithWorkers(4))
	site := newSlowSite(t, 5*time.Millisecond, func(string) string { return "x" })
	key := a.Key(a.User("scale@example.com", billing.Enterprise))
	var ids []string
	for i := range 100 {
		env := a
		if i%2 == 1 {
			env = b
		}
		ids = append(ids, createScan(t, env, key, fmt.Sprintf("%s/s%d/", site.URL, i), "QUICK"))
	}
	for _, id := range ids {
		waitStatus(t, a, id, 120*time.Second, domain.StatusCompleted)
	}
	ctx := context.Background()
	for i, id := range ids {
		starts, _ := a.C.DB.Ent.ScanEvent.Query().Where(scanevent.ScanID(id), scanevent.Kind("start")).Count(ctx)
		ends, _ := a.C.DB.Ent.ScanEvent.Query().Where(scanevent.ScanID(id), scanevent.KindIn("complete", "failed", "cancelled")).Count(ctx)
		if starts != 1 || ends != 1 {
			t.Errorf("scan %d ran %d times and ended %d times, want once each", i, starts, ends)
		}
	}
	site.mu.Lock()
	first := site.hits["s0"]
	for i := range 100 {
		if h := site.hits[fmt.Sprintf("s%d", i)]; h != first {
			t.Errorf("scan %d made %d requests to the target, scan 0 made %d: a scan ran twice", i, h, first)
		}
	}
	site.mu.Unlock()

	// Watch and cancel through the other instance.
	pit := tarpit(t)
	id := createScan(t, a, key, pit, "QUICK")
	waitStatus(t, a, id, 10*time.Second, domain.StatusRunning)
	done := make(chan []sse, 1)
	watching := make(chan struct{})
	var once sync.Once
	go func() { done <- readEvents(t, b.URL, key, id, func(sse) { once.Do(func() { close(watching) }) }) }()
	// Cancel only once the other instance's stream is live (it has sent the start event).
	select {
	case <-watching:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream through the other instance sent nothing")
	}
	if code, _, body := b.Do("POST", "/api/v1/scan/"+id+"/cancel", key, "", ""); code != 202 {
		t.Fatalf("cancel through the other instance = %d %s", code, body)
	}
	select {
	case evs := <-done:
		if len(evs) == 0 || evs[len(evs)-1].kind != "cancelled" {
			t.Errorf("stream through the other instance ended with %+v", evs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not end after cancel")
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	key := env.Key(env.User("ops@example.com", billing.Free))
	id := createScan(t, env, key, site.URL, "QUICK")
	waitStatus(t, env, id, 30*time.Second, domain.StatusCompleted)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		code, _, body := env.Do("GET", path, "", "", "")
		if code != 200 || string(body) != want {
			t.Errorf("%s = %d %q", path, code, body)
		}
	}
	code, hdr, body := env.Do("GET", "/metrics", "", "", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics = %d %s", code, hdr.Get("Content-Type"))
	}
	for _, want := range []string{"palisade_scans_queued 0", "palisade_scans_running 0",
		`palisade_scan_duration_seconds_count{depth="QUICK"} 1`, `palisade_scan_duration_seconds_bucket{depth="QUICK",le="+Inf"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	env.C.DB.SQL.Close()
	if code, _, _ := env.Do("GET", "/readyz", "", "", ""); code != 503 {
		t.Errorf("/readyz with the database closed = %d, want 503", code)
	}
}
