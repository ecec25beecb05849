package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/report"
)

// benchResult is a stored scan result with n findings in the scanner's
// shapes, long enough to wrap, with non-Latin text the fonts must carry.
func benchResult(site string, n, score int) *scanner.Result {
	sevs := []scanner.Severity{scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium, scanner.SeverityLow, scanner.SeverityInfo}
	cats := []string{"tls", "headers", "cookies", "redirects", "dns", "exposure", "content"}
	res := &scanner.Result{TargetURL: "https://" + site + "/", TargetDomain: site, Depth: scanner.Standard,
		FinalURL: "https://" + site + "/", StatusCode: 200, DurationMs: 4200, OverallScore: score, Grade: "C",
		Headers:        map[string]string{"Server": "nginx/1.18.0 (Ubuntu)", "Content-Type": "text/html; charset=utf-8"},
		MissingHeaders: []string{"Content-Security-Policy", "Permissions-Policy"},
		TLS:            &scanner.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Subject: "CN=" + site, Issuer: "CN=R11, O=Let's Encrypt, C=US", DaysLeft: 51, Trusted: true, Protocols: []string{"TLS 1.2", "TLS 1.3"}}}
	for _, c := range cats {
		res.Categories = append(res.Categories, scanner.Category{Name: c, Score: 6, MaxScore: 10, Grade: "C",
			Checks: []scanner.CheckResult{{ID: c + ".main", Name: "Main " + c + " check", Category: c, Status: scanner.StatusFail, Value: "see findings"}}})
	}
	for i := range n {
		res.Findings = append(res.Findings, scanner.Finding{
			CheckID: fmt.Sprintf("%s.generated-%03d", cats[i%7], i), Category: cats[i%7], Severity: sevs[i%5],
			Title:          fmt.Sprintf("Finding %03d: %s", i, []string{"Ελληνικά γράμματα", "Кириллица работает", "Überprüfung nötig", "a title long enough to wrap onto a second line of the report's finding heading"}[i%4]),
			Description:    fmt.Sprintf("Finding %d explains why this matters in a couple of sentences. It keeps going so the paragraph wraps over several lines of the page, as real descriptions do.", i),
			Recommendation: fmt.Sprintf("Change the configuration.\nnginx: add_header X-Bench-%d \"%s\" always;", i, strings.Repeat("v", 40+i%60)),
			Evidence:       fmt.Sprintf("seen at https://%s/path/%d?q=%s", site, i, strings.Repeat("A1b2C3d4", 10+i%7)),
		})
	}
	return res
}

var reportReady = regexp.MustCompile(`msg="report ready".* duration_ms=(\d+)`)

// TestReportGenerationLoad is issue 6's memory budget on the real path (see
// docs/BENCHMARKS.md): PALISADE_BENCH_REPORTS (50 for the figures) reports
// of scans with 100 findings, each compared with the previous scan of the
// same site, requested at once through POST /api/v1/report on the real
// binary; the report service renders them as River jobs on its own queue
// (two at a time) and stores them. It reports the time until all are
// stored, the render times the server logs, the PDF sizes and the server's
// peak RSS (VmHWM of the subprocess).
func TestReportGenerationLoad(t *testing.T) {
	n := envInt("PALISADE_BENCH_REPORTS", 0)
	if n == 0 {
		t.Skip("load measurement: set PALISADE_BENCH_REPORTS=50")
	}
	bin := buildPalisade(t)
	dbURL := testdb.URL(t)
	addr := freeLoopbackAddr(t)
	env := append(os.Environ(), "PALISADE_DATABASE_URL="+dbURL, "PALISADE_ADDR="+addr)
	var who struct{ AccountID string }
	out := runOperator(t, bin, env, "a long password for the load test\n", "user", "add", "--email", "reports@example.com",
		"--password-stdin", "--account", "Reports", "--plan", string(billing.Enterprise))
	if err := json.Unmarshal([]byte(out), &who); err != nil || who.AccountID == "" {
		t.Fatalf("user add printed %q: %v", out, err)
	}
	key := strings.TrimSpace(runOperator(t, bin, env, "", "key", "add", "--email", "reports@example.com", "--name", "load"))

	// n completed scans of one site (n+1: the oldest is every report's
	// "previous"), stored as the scan worker stores them.
	d, err := db.Open(ctxBG, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const site = "shop.example"
	base := time.Now().UTC().Add(-time.Hour)
	ids := make([]string, 0, n)
	for i := range n + 1 {
		res := benchResult(site, 100, 50+i%40)
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		at := base.Add(time.Duration(i) * time.Second)
		sc, err := d.Ent.Scan.Create().SetAccountID(who.AccountID).SetTargetURL(res.TargetURL).SetTargetDomain(site).
			SetDepth(domain.DepthStandard).SetStatus(domain.StatusCompleted).SetOverallScore(res.OverallScore).SetGrade(res.Grade).
			SetFindingsCount(len(res.Findings)).SetResult(string(js)).SetCreatedAt(at).SetUpdatedAt(at).
			SetStartedAt(at).SetCompletedAt(at.Add(4 * time.Second)).Save(ctxBG)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			ids = append(ids, sc.ID)
		}
	}

	srv := startProcServer(t, bin, env, addr)
	idle := srv.status("VmHWM")
	cpu0 := srv.cpu()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var wg sync.WaitGroup
	codes := make([]int, n)
	began := time.Now()
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", srv.base+"/api/v1/report", strings.NewReader(fmt.Sprintf(`{"scanId":%q}`, id)))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("POST /api/v1/report: %v", err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
			if resp.StatusCode != 201 && resp.StatusCode != 202 {
				t.Errorf("POST /api/v1/report = %d %s", resp.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	answered := time.Since(began)
	waitCondition(t, time.Duration(n)*10*time.Second+time.Minute, 100*time.Millisecond, "all reports stored", func() bool {
		left, err := d.Ent.Report.Query().Where(report.StatusEQ(report.StatusPENDING)).Count(ctxBG)
		if err != nil {
			t.Fatal(err)
		}
		return left == 0
	})
	all := time.Since(began)
	cpu := srv.cpu() - cpu0
	peak := srv.status("VmHWM")
	rows, err := d.Ent.Report.Query().All(ctxBG)
	if err != nil {
		t.Fatal(err)
	}
	var minSize, maxSize int64
	for _, r := range rows {
		if r.Status != report.StatusREADY {
			t.Fatalf("report %s is %s: %s", r.ID, r.Status, r.Error)
		}
		if minSize == 0 || r.PdfSize < minSize {
			minSize = r.PdfSize
		}
		maxSize = max(maxSize, r.PdfSize)
	}
	if len(rows) != n {
		t.Fatalf("%d reports stored, want %d", len(rows), n)
	}
	var renders []int
	for _, line := range strings.Split(srv.logTail(), "\n") {
		if m := reportReady.FindStringSubmatch(line); m != nil {
			ms, _ := strconv.Atoi(m[1])
			renders = append(renders, ms)
		}
	}
	sumMs, maxMs := 0, 0
	for _, ms := range renders {
		sumMs += ms
		maxMs = max(maxMs, ms)
	}
	created := 0
	for _, c := range codes {
		if c == 201 {
			created++
		}
	}
	const mb = 1 << 20
	t.Logf("%d reports of 100 findings (each with a previous scan) requested at once: all answered in %v (%d rendered within the 2 s wait: 201, the rest 202), all stored after %v",
		n, answered.Round(time.Millisecond), created, all.Round(time.Millisecond))
	if len(renders) > 0 {
		t.Logf("render time logged by the server (%d of %d): mean %d ms, max %d ms; PDF %d–%d KB; server CPU %v",
			len(renders), n, sumMs/len(renders), maxMs, minSize/1024, maxSize/1024, cpu.Round(10*time.Millisecond))
	}
	t.Logf("server peak RSS (VmHWM) %.0f MB (%.0f MB idle before the requests); budget 200 MB: %s",
		float64(peak)/mb, float64(idle)/mb, verdict(peak < 200*mb))
	srv.stop()
}
