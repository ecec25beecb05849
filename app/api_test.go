package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/api"
	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
)

// completedScan runs one QUICK scan to completion and returns its id.
func completedScan(t *testing.T, env *apptest.Env, key, url string) string {
	t.Helper()
	id := createScan(t, env, key, url, "QUICK")
	waitStatus(t, env, id, 60*time.Second, domain.StatusCompleted)
	return id
}

func TestReportsVersionedAndImmutable(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	key := env.Key(env.User("reports@example.com", billing.Pro))
	id := completedScan(t, env, key, site.URL)

	var versions []map[string]any
	for v := 1; v <= 2; v++ {
		code, _, body := env.Do("POST", "/api/v1/report", key, "application/json", fmt.Sprintf(`{"scanId":%q}`, id))
		if code != http.StatusCreated && code != http.StatusAccepted {
			t.Fatalf("create report: %d %s", code, body)
		}
		r := decode[map[string]any](t, body)
		if r["version"] != float64(v) || r["format"] != "PDF" || r["scan"].(map[string]any)["id"] != id {
			t.Fatalf("report %d = %s", v, body)
		}
		versions = append(versions, r)
	}
	var stored [][]byte
	for _, r := range versions {
		rid := r["id"].(string)
		waitReport(t, env, key, rid)
		code, hdr, pdf := env.Do("GET", "/api/v1/report/"+rid+"/pdf", key, "", "")
		if code != 200 || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("download: %d %s %q", code, hdr.Get("Content-Type"), pdf[:min(len(pdf), 20)])
		}
		date := time.Now().UTC().Format("2006-01-02")
		wantName := fmt.Sprintf(`attachment; filename="palisade-127.0.0.1-%s-v%v.pdf"`, date, r["version"])
		if hdr.Get("Content-Disposition") != wantName {
			t.Errorf("Content-Disposition = %q, want %q", hdr.Get("Content-Disposition"), wantName)
		}
		sum := sha256.Sum256(pdf)
		if hdr.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
			t.Errorf("ETag %q is not the sha256 of the body", hdr.Get("ETag"))
		}
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/report/"+rid+"/pdf", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("If-None-Match", hdr.Get("ETag"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match = %d, want 304", resp.StatusCode)
		}
		stored = append(stored, pdf)
		if text := pdfText(t, pdf); text != "" {
			for _, want := range []string{"127.0.0.1", fmt.Sprintf("%v", r["version"])} {
				if !strings.Contains(text, want) {
					t.Errorf("PDF text lacks %q", want)
				}
			}
		}
	}
	// Downloading again returns exactly the stored bytes.
	_, _, again := env.Do("GET", "/api/v1/report/"+versions[0]["id"].(string)+"/pdf", key, "", "")
	if string(again) != string(stored[0]) {
		t.Errorf("version 1 changed between downloads")
	}

	code, _, body := env.Do("GET", "/api/v1/report?scanId="+id, key, "", "")
	list := decode[struct {
		Data       []map[string]any `json:"data"`
		Pagination map[string]any   `json:"pagination"`
	}](t, body)
	if code != 200 || len(list.Data) != 2 || list.Pagination["total"] != 2.0 || list.Data[0]["version"] != 2.0 {
		t.Fatalf("report list: %d %s", code, body)
	}
	if !strings.HasSuffix(list.Data[0]["downloadUrl"].(string), "/pdf") {
		t.Errorf("downloadUrl = %v", list.Data[0]["downloadUrl"])
	}

	// A scan that has not completed has no report.
	pending := createScan(t, env, key, tarpit(t), "QUICK")
	if code, _, body := env.Do("POST", "/api/v1/report", key, "application/json", fmt.Sprintf(`{"scanId":%q}`, pending)); code != http.StatusConflict {
		t.Errorf("report of an unfinished scan = %d %s, want 409", code, body)
	}
	cancelAll(t, env)
	// Another account sees none of it.
	keyB := env.Key(env.User("reports-b@example.com", billing.Pro))
	for _, path := range []string{"/api/v1/report/" + versions[0]["id"].(string), "/api/v1/report/" + versions[0]["id"].(string) + "/pdf"} {
		if code, _, _ := env.Do("GET", path, keyB, "", ""); code != 404 {
			t.Errorf("another account's %s = %d, want 404", path, code)
		}
	}
	if code, _, _ := env.Do("POST", "/api/v1/report", keyB, "application/json", fmt.Sprintf(`{"scanId":%q}`, id)); code != 404 {
		t.Errorf("report of another account's scan = %d, want 404", code)
	}
	if code, _, body := env.Do("GET", "/api/v1/report", keyB, "", ""); code != 200 || !strings.Contains(string(body), `"total":0`) {
		t.Errorf("another account's report list = %d %s", code, body)
	}
}

// pdfText extracts a PDF's text with pdftotext, or "" (with a log line) when poppler is absent.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed (apt-get install poppler-utils): skipping PDF text checks")
		return ""
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestFixAndUsage(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	key := env.Key(env.User("fix@example.com", billing.Free))
	id := completedScan(t, env, key, site.URL)
	code, hdr, body := env.Do("GET", "/api/v1/scan/"+id+"/fix", key, "", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/markdown") {
		t.Fatalf("fix = %d %s", code, hdr.Get("Content-Type"))
	}
	md := string(body)
	if !strings.HasPrefix(md, "---\nformat: ") || !strings.Contains(md, `scanId: "`+id+`"`) || !strings.Contains(md, "\n## 1. ") {
		t.Errorf("SECURITY-FIX.md:\n%s", md)
	}
	code, _, body = env.Do("GET", "/api/v1/usage", key, "", "")
	u := decode[map[string]any](t, body)
	if code != 200 || u["plan"] != "free" || u["scansUsed"] != 1.0 || u["scansLimit"] != 3.0 || u["scansRemaining"] != 2.0 ||
		u["requestsPerMinute"] != 10.0 || u["resetsAt"] == nil ||
		u["monitors"] != 0.0 || u["monitorsLimit"] != 1.0 || u["monitorRunsUsed"] != 0.0 || u["monitorRunsLimit"] != 8.0 || u["monitorRunsRemaining"] != 8.0 {
		t.Errorf("usage = %d %s", code, body)
	}
}

func TestRateLimitHeadersAndRetryAfter(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("rate@example.com", billing.Free))
	for i := 1; i <= 10; i++ {
		code, hdr, body := env.Do("GET", "/api/v1/usage", key, "", "")
		if code != 200 {
			t.Fatalf("request %d = %d %s", i, code, body)
		}
		if hdr.Get("X-RateLimit-Limit") != "10" || hdr.Get("X-RateLimit-Remaining") != strconv.Itoa(10-i) {
			t.Errorf("request %d: limit %q remaining %q, want 10 and %d", i, hdr.Get("X-RateLimit-Limit"), hdr.Get("X-RateLimit-Remaining"), 10-i)
		}
		if reset, err := strconv.ParseInt(hdr.Get("X-RateLimit-Reset"), 10, 64); err != nil || reset < time.Now().Unix() {
			t.Errorf("X-RateLimit-Reset = %q", hdr.Get("X-RateLimit-Reset"))
		}
	}
	code, hdr, body := env.Do("GET", "/api/v1/scan", key, "", "")
	if code != http.StatusTooManyRequests {
		t.Fatalf("11th request = %d %s, want 429", code, body)
	}
	if ra, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || ra < 1 || ra > 6 {
		t.Errorf("Retry-After = %q, want 1–6 s", hdr.Get("Retry-After"))
	}
	if !strings.Contains(string(body), `"error":"rate limit`) || hdr.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 = %s, remaining %q", body, hdr.Get("X-RateLimit-Remaining"))
	}
	// Another key of another account is unaffected.
	other := env.Key(env.User("rate2@example.com", billing.Free))
	if code, _, _ := env.Do("GET", "/api/v1/usage", other, "", ""); code != 200 {
		t.Errorf("another key = %d", code)
	}
}

func TestExpiredAndRevokedKeys(t *testing.T) {
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.WithClock(clock))
	acc := env.User("keys@example.com", billing.Free)
	past := time.Now().Add(-time.Minute)
	_, expired, err := env.C.Auth.CreateKey(context.Background(), acc, "old", "", &past)
	if err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(1500 * time.Millisecond)
	k, expiring, err := env.C.Auth.CreateKey(context.Background(), acc, "soon", "", &soon)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, body := env.Do("GET", "/api/v1/scan", expired, "", ""); code != 403 || !strings.Contains(string(body), "expired") {
		t.Errorf("expired key = %d %s", code, body)
	}
	if code, _, _ := env.Do("GET", "/api/v1/scan", expiring, "", ""); code != 200 {
		t.Errorf("valid key = %d", code)
	}
	// Past the key's expiry (and the key cache's lifetime) on the services' clock.
	clock.Advance(time.Until(soon) + time.Second)
	if code, _, _ := env.Do("GET", "/api/v1/scan", expiring, "", ""); code != 403 {
		t.Errorf("key past its expiry = %d, want 403", code)
	}
	live := env.Key(acc)
	if code, _, _ := env.Do("GET", "/api/v1/scan", live, "", ""); code != 200 {
		t.Fatalf("live key = %d", code)
	}
	keys, _ := env.C.Auth.Keys(context.Background(), acc)
	for _, kk := range keys {
		if strings.HasPrefix(live, kk.Prefix) && kk.ID != k.ID {
			if err := env.C.Auth.RevokeKey(context.Background(), acc, kk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if code, _, body := env.Do("GET", "/api/v1/scan", live, "", ""); code != 403 || !strings.Contains(string(body), "revoked") {
		t.Errorf("revoked key = %d %s", code, body)
	}
	// Use is recorded in batches: the count appears after a flush.
	if err := env.C.Auth.FlushKeyUse(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys, _ = env.C.Auth.Keys(context.Background(), acc)
	for _, kk := range keys {
		if kk.Name == "soon" && (kk.RequestCount != 1 || kk.LastUsedAt == nil) {
			t.Errorf("key %q: %d requests, last used %v; want 1 and a time", kk.Name, kk.RequestCount, kk.LastUsedAt)
		}
	}
}

// TestRouteWalkForeignIDs walks the API route table: every route that takes
// an id answers 404 for another account's id, exactly as for a missing one.
func TestRouteWalkForeignIDs(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	keyA := env.Key(env.User("walk-a@example.com", billing.Pro))
	keyB := env.Key(env.User("walk-b@example.com", billing.Pro))
	scanID := completedScan(t, env, keyA, site.URL)
	code, _, body := env.Do("POST", "/api/v1/report", keyA, "application/json", fmt.Sprintf(`{"scanId":%q}`, scanID))
	if code != 201 && code != 202 {
		t.Fatalf("report: %d %s", code, body)
	}
	reportID := decode[map[string]any](t, body)["id"].(string)
	code, _, body = env.Do("POST", "/api/v1/monitors", keyA, "application/json", fmt.Sprintf(`{"url":%q}`, site.URL))
	if code != 201 {
		t.Fatalf("monitor: %d %s", code, body)
	}
	mon := decode[map[string]any](t, body)["monitor"].(map[string]any)
	monitorID, siteID := mon["id"].(string), mon["siteId"].(string)
	code, _, body = env.Do("POST", "/api/v1/webhooks", keyA, "application/json", fmt.Sprintf(`{"url":%q}`, site.URL+"/hook"))
	if code != 201 {
		t.Fatalf("webhook: %d %s", code, body)
	}
	webhookID := decode[map[string]any](t, body)["id"].(string)
	idFor := map[string]string{"scan": scanID, "report": reportID, "monitors": monitorID, "sites": siteID, "webhooks": webhookID}

	app := fiber.New()
	(&api.Handler{}).Routes(app)
	walked := 0
	for _, r := range app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, api.Prefix) || !strings.Contains(r.Path, ":id") || r.Method == "HEAD" {
			continue
		}
		resource := strings.Split(strings.TrimPrefix(r.Path, api.Prefix+"/"), "/")[0]
		id, ok := idFor[resource]
		if !ok {
			t.Errorf("route %s %s takes an id of a kind this test cannot make: extend idFor", r.Method, r.Path)
			continue
		}
		path := strings.Replace(r.Path, ":id", id, 1)
		ctype, payload := "", ""
		if r.Method == "POST" || r.Method == "PATCH" {
			ctype, payload = "application/json", "{}"
		}
		codeB, _, bodyB := env.Do(r.Method, path, keyB, ctype, payload)
		codeM, _, bodyM := env.Do(r.Method, strings.Replace(r.Path, ":id", "xyz_missing", 1), keyB, ctype, payload)
		if codeB != 404 || codeM != 404 || string(bodyB) != strings.Replace(string(bodyM), "xyz_missing", id, -1) && !strings.Contains(string(bodyB), `"error"`) {
			t.Errorf("%s %s with another account's id = %d %s (missing id: %d %s), want 404 for both", r.Method, r.Path, codeB, bodyB, codeM, bodyM)
		}
		walked++
	}
	if walked < 6 {
		t.Errorf("walked only %d routes with ids", walked)
	}
}

// TestReportOfIDNDomain: a scan of bücher.example (through a local DNS
// server) yields a report whose text shows the domain in Unicode, the grade,
// the version and every finding title.
func TestReportOfIDNDomain(t *testing.T) {
	dnsSrv := apptest.NewDNS(t)
	dnsSrv.SetA("xn--bcher-kva.example", "127.0.0.1")
	env := apptest.New(t, withDNS(dnsSrv))
	site := target(t)
	port := site.URL[strings.LastIndex(site.URL, ":")+1:]
	key := env.Key(env.User("idn@example.com", billing.Pro))
	id := completedScan(t, env, key, "http://bücher.example:"+port+"/")
	_, _, body := env.Do("GET", "/api/v1/scan/"+id, key, "", "")
	d := decode[scanDetail](t, body)
	if d.TargetDomain != "bücher.example" {
		t.Fatalf("targetDomain = %q, want the Unicode form", d.TargetDomain)
	}
	code, _, body := env.Do("POST", "/api/v1/report", key, "application/json", fmt.Sprintf(`{"scanId":%q}`, id))
	if code != 201 && code != 202 {
		t.Fatalf("report = %d %s", code, body)
	}
	rid := decode[map[string]any](t, body)["id"].(string)
	waitReport(t, env, key, rid)
	_, hdr, pdf := env.Do("GET", "/api/v1/report/"+rid+"/pdf", key, "", "")
	if !strings.Contains(hdr.Get("Content-Disposition"), `filename="palisade-xn--bcher-kva.example-`) {
		t.Errorf("Content-Disposition = %q", hdr.Get("Content-Disposition"))
	}
	text := pdfText(t, pdf)
	if text == "" {
		t.Skip("pdftotext not installed")
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"bücher.example", *d.Grade, "Version 1"} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, f := range d.Findings {
		title := strings.Join(strings.Fields(f["title"].(string)), " ")
		if !strings.Contains(flat, title) {
			t.Errorf("PDF text lacks finding %q", title)
		}
	}
}

// waitReport waits until the report is READY (the API answers 202 when
// rendering takes longer than its wait, e.g. under the race detector).
func waitReport(t *testing.T, env *apptest.Env, key, rid string) {
	t.Helper()
	accountID := mustAccountOfKey(t, env, key)
	apptest.WaitFor(t, 60*time.Second, "report "+rid+" ready", func() bool {
		r, err := env.C.Reports.Get(context.Background(), accountID, rid)
		return err == nil && r.Status == "READY"
	})
}

func mustAccountOfKey(t *testing.T, env *apptest.Env, key string) string {
	t.Helper()
	info, err := env.C.Auth.AuthenticateKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return info.Account.ID
}
