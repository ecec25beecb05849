package app_test

import (
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
)

// TestLoadWithWrk is the load script of docs/BENCHMARKS.md: it seeds an
// account's history, starts the real server and drives
// GET /api/v1/scan?page=1&limit=20 (and page 2,000) with wrk (apt-get
// install wrk), printing wrk's report. Opt in with PALISADE_LOADTEST=1;
// PALISADE_BENCH_SCANS sets the history size, PALISADE_LOADTEST_PATHS
// (comma-separated) the requests, and PALISADE_LOADTEST_CPUPROFILE a file
// for the server's CPU profile while wrk runs.
func TestLoadWithWrk(t *testing.T) {
	if os.Getenv("PALISADE_LOADTEST") == "" {
		t.Skip("load test: set PALISADE_LOADTEST=1 (needs wrk)")
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk is not installed")
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PALISADE_BENCH_SCANS")); err == nil && v > 0 {
		n = v
	}
	env := apptest.New(t, apptest.WithRateLimit(1_000_000))
	acc := env.User("load@example.com", billing.Enterprise)
	key := env.Key(acc)
	seedScans(t, env, acc, n)
	if f := os.Getenv("PALISADE_LOADTEST_CPUPROFILE"); f != "" {
		pf, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	paths := []string{"/api/v1/scan?page=1&limit=20", "/api/v1/scan?page=2000&limit=20"}
	if v := os.Getenv("PALISADE_LOADTEST_PATHS"); v != "" {
		paths = strings.Split(v, ",")
	}
	for _, path := range paths {
		out, err := exec.Command(wrk, "-t2", "-c16", "-d10s", "--latency", "-H", "Authorization: Bearer "+key, env.URL+path).CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
		t.Logf("%d scans, GET %s\n%s", n, path, out)
	}
}
