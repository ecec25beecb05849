package app_test

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
)

// TestLoadWithWrk is the load script of docs/BENCHMARKS.md: it seeds an
// account's history, starts the real server and drives
// GET /api/v1/scan?page=1&limit=20 with wrk (apt-get install wrk), printing
// wrk's report. Opt in with PALISADE_LOADTEST=1 (and PALISADE_BENCH_SCANS).
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
	for _, path := range []string{"/api/v1/scan?page=1&limit=20", "/api/v1/scan?page=2000&limit=20"} {
		out, err := exec.Command(wrk, "-t2", "-c16", "-d10s", "--latency", "-H", "Authorization: Bearer "+key, env.URL+path).CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
		t.Logf("%d scans, GET %s\n%s", n, path, out)
	}
}
