package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
)

// seedScans inserts n completed scans for the account, oldest first, in one
// transaction, and sets the per-status counters as the service would.
func seedScans(b testing.TB, env *apptest.Env, accountID string, n int) {
	b.Helper()
	d := env.C.DB
	ph := func(i int) string {
		if d.IsSQLite() {
			return "?"
		}
		return "$" + strconv.Itoa(i)
	}
	q := "INSERT INTO scans (id, account_id, target_url, target_domain, depth, status, overall_score, grade, findings_count, created_at, updated_at, cancel_requested) VALUES ("
	for i := 1; i <= 12; i++ {
		if i > 1 {
			q += ", "
		}
		q += ph(i)
	}
	q += ")"
	ctx := context.Background()
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	base := time.Now().UTC().Add(-time.Duration(n) * time.Second)
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * time.Second)
		domain := fmt.Sprintf("site%d.example", i%50)
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("scn_seed%020d", i), accountID, "https://"+domain+"/", domain,
			"STANDARD", "COMPLETED", 50+i%50, "C", i%7, at, at, false); err != nil {
			b.Fatal(err)
		}
	}
	stmt.Close()
	if _, err := tx.ExecContext(ctx, "INSERT INTO scan_counts (account_id, status, n) VALUES ("+ph(1)+", 'COMPLETED', "+ph(2)+")", accountID, n); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// A steady-state database as the server keeps it: on SQLite the bulk
	// load checkpointed out of the WAL and no planner statistics (the server
	// never runs ANALYZE: see docs/ARCHITECTURE.md); on PostgreSQL the
	// statistics autovacuum would gather.
	if d.IsSQLite() {
		_, _ = d.SQL.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	} else {
		_, _ = d.SQL.Exec("ANALYZE scans")
	}
}

func benchEnv(b *testing.B, n int) (*apptest.Env, string) {
	env := apptest.New(b, apptest.WithRateLimit(1_000_000))
	acc := env.User("bench@example.com", billing.Enterprise)
	key := env.Key(acc)
	start := time.Now()
	seedScans(b, env, acc, n)
	b.Logf("seeded %d scans in %v", n, time.Since(start))
	return env, key
}

func get(b *testing.B, client *http.Client, url, key string) []byte {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s = %d %s", url, resp.StatusCode, body)
	}
	return body
}

// benchScans is the history size; PALISADE_BENCH_SCANS=1000000 for the million-scan figures.
func benchScans() []int {
	if v, err := strconv.Atoi(os.Getenv("PALISADE_BENCH_SCANS")); err == nil && v > 0 {
		return []int{1000, v}
	}
	return []int{1000, 100_000}
}

// BenchmarkListScans measures one authenticated GET of a page of scans
// (sequential requests: ns/op is the latency), by history size and depth.
func BenchmarkListScans(b *testing.B) {
	for _, n := range benchScans() {
		env, key := benchEnv(b, n)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		pages := []int{1}
		if n >= 40_000 {
			pages = append(pages, 2000)
		}
		for _, page := range pages {
			url := fmt.Sprintf("%s/api/v1/scan?page=%d&limit=20", env.URL, page)
			b.Run(fmt.Sprintf("scans=%d/page=%d", n, page), func(b *testing.B) {
				get(b, client, url, key)
				b.ResetTimer()
				for range b.N {
					get(b, client, url, key)
				}
			})
		}
		// Cursor paging: the last page of the history (page n/20) reached by cursor.
		b.Run(fmt.Sprintf("scans=%d/cursor=last", n), func(b *testing.B) {
			url := env.URL + "/api/v1/scan?limit=20&cursor=" + deepCursor(b, env)
			get(b, client, url, key)
			b.ResetTimer()
			for range b.N {
				get(b, client, url, key)
			}
		})
	}
}

// deepCursor is the cursor after the 20th-oldest scan: what a client holds
// when it has walked to the last page.
func deepCursor(b *testing.B, env *apptest.Env) string {
	sc, err := env.C.DB.Ent.Scan.Get(context.Background(), fmt.Sprintf("scn_seed%020d", 20))
	if err != nil {
		b.Fatal(err)
	}
	return scans.EncodeCursor(sc.CreatedAt, sc.ID)
}

// BenchmarkListScansLoad drives GET /api/v1/scan?page=1&limit=20 from 16
// concurrent clients and reports requests/s and the 99th percentile latency.
func BenchmarkListScansLoad(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PALISADE_BENCH_SCANS")); err == nil && v > 0 {
		n = v
	}
	env, key := benchEnv(b, n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	url := env.URL + "/api/v1/scan?page=1&limit=20"
	get(b, client, url, key)
	const workers = 16
	b.ResetTimer()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	per := (b.N + workers - 1) / workers
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, per)
			for range per {
				t0 := time.Now()
				get(b, client, url, key)
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkKeyAuth is the cost key authentication adds to a request: a
// SHA-256 and a look-up in the key cache, which holds the key and its
// account's plan for at most half a second (a miss costs one indexed read).
func BenchmarkKeyAuth(b *testing.B) {
	env := apptest.New(b)
	key := env.Key(env.User("auth@example.com", billing.Pro))
	ctx := context.Background()
	if _, err := env.C.Auth.AuthenticateKey(ctx, key); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := env.C.Auth.AuthenticateKey(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}
