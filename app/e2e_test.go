package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/billing"
)

// target is a loopback website with a few security headers.
func target(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><head><title>t</title></head><body>hello</body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func withDNS(d *apptest.DNS) apptest.Option {
	return apptest.WithConfig(func(c *config.Config) { c.DNSServer = d.Addr })
}

type scanSummary struct {
	ID            string  `json:"id"`
	TargetURL     string  `json:"targetUrl"`
	TargetDomain  string  `json:"targetDomain"`
	Depth         string  `json:"depth"`
	Status        string  `json:"status"`
	OverallScore  *int    `json:"overallScore"`
	Grade         *string `json:"grade"`
	FindingsCount int     `json:"findingsCount"`
	CreatedAt     string  `json:"createdAt"`
	CompletedAt   *string `json:"completedAt"`
}

type scanDetail struct {
	scanSummary
	FinalURL       *string           `json:"finalUrl"`
	Error          *string           `json:"error"`
	Headers        map[string]string `json:"headers"`
	MissingHeaders []string          `json:"missingHeaders"`
	RedirectChain  []map[string]any  `json:"redirectChain"`
	Categories     []map[string]any  `json:"categories"`
	Findings       []map[string]any  `json:"findings"`
	Summary        map[string]int    `json:"summary"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// waitScan polls the API until the scan leaves PENDING/RUNNING.
func waitScan(t *testing.T, env *apptest.Env, key, id string) scanDetail {
	t.Helper()
	var d scanDetail
	apptest.WaitFor(t, 60*time.Second, "scan "+id+" finishing", func() bool {
		code, _, body := env.Do("GET", "/api/v1/scan/"+id, key, "", "")
		if code != 200 {
			t.Fatalf("GET scan: %d %s", code, body)
		}
		d = decode[scanDetail](t, body)
		return d.Status != "PENDING" && d.Status != "RUNNING"
	})
	return d
}

func TestScanEndToEndOverAPI(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	acc := env.User("owner@example.com", billing.Pro)
	key := env.Key(acc)

	code, _, body := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":"quick"}`, site.URL))
	if code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/scan = %d %s", code, body)
	}
	created := decode[map[string]any](t, body)
	for _, f := range []string{"id", "url", "domain", "depth", "status", "statusUrl", "createdAt"} {
		if _, ok := created[f]; !ok {
			t.Errorf("202 body lacks %q: %s", f, body)
		}
	}
	if created["status"] != "PENDING" || created["depth"] != "QUICK" || created["domain"] != "127.0.0.1" {
		t.Errorf("202 body = %s", body)
	}
	id := created["id"].(string)
	if !strings.HasPrefix(id, "scn_") || len(id) < 20 {
		t.Errorf("id %q is not an opaque random id", id)
	}
	if created["statusUrl"] != "/api/v1/scan/"+id {
		t.Errorf("statusUrl = %v", created["statusUrl"])
	}

	d := waitScan(t, env, key, id)
	if d.Status != "COMPLETED" {
		t.Fatalf("scan ended %s (error %v)", d.Status, d.Error)
	}
	if d.OverallScore == nil || d.Grade == nil || *d.Grade == "" {
		t.Fatalf("completed scan has no score/grade: %+v", d.scanSummary)
	}
	if d.FinalURL == nil || !strings.HasPrefix(*d.FinalURL, site.URL) {
		t.Errorf("finalUrl = %v, want %s…", d.FinalURL, site.URL)
	}
	if d.Headers["x-frame-options"] != "DENY" {
		t.Errorf("headers = %v, want x-frame-options DENY", d.Headers)
	}
	if !contains(d.MissingHeaders, "content-security-policy") || contains(d.MissingHeaders, "x-frame-options") {
		t.Errorf("missingHeaders = %v", d.MissingHeaders)
	}
	if len(d.Categories) == 0 || d.CompletedAt == nil {
		t.Errorf("categories %d, completedAt %v", len(d.Categories), d.CompletedAt)
	}

	code, _, body = env.Do("GET", "/api/v1/scan", key, "", "")
	if code != 200 {
		t.Fatalf("GET /api/v1/scan = %d %s", code, body)
	}
	list := decode[struct {
		Data       []scanSummary  `json:"data"`
		Pagination map[string]any `json:"pagination"`
	}](t, body)
	if len(list.Data) != 1 || list.Data[0].ID != id || list.Data[0].Grade == nil || *list.Data[0].Grade != *d.Grade ||
		list.Data[0].OverallScore == nil || *list.Data[0].OverallScore != *d.OverallScore {
		t.Fatalf("list = %s", body)
	}
	if list.Pagination["page"] != 1.0 || list.Pagination["limit"] != 20.0 || list.Pagination["total"] != 1.0 || list.Pagination["pages"] != 1.0 {
		t.Errorf("pagination = %v", list.Pagination)
	}
}

func TestForeignScanIsNotFound(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	keyA := env.Key(env.User("a@example.com", billing.Free))
	keyB := env.Key(env.User("b@example.com", billing.Free))
	code, _, body := env.Do("POST", "/api/v1/scan", keyA, "application/json", fmt.Sprintf(`{"url":%q}`, site.URL))
	if code != http.StatusAccepted {
		t.Fatalf("create: %d %s", code, body)
	}
	id := decode[map[string]any](t, body)["id"].(string)

	codeForeign, _, bodyForeign := env.Do("GET", "/api/v1/scan/"+id, keyB, "", "")
	codeMissing, _, bodyMissing := env.Do("GET", "/api/v1/scan/scn_doesnotexist0000000000000", keyB, "", "")
	if codeForeign != http.StatusNotFound || codeMissing != http.StatusNotFound {
		t.Fatalf("foreign = %d %s, missing = %d %s; want 404 for both", codeForeign, bodyForeign, codeMissing, bodyMissing)
	}
	if string(bodyForeign) != string(bodyMissing) {
		t.Errorf("a foreign id must look exactly like a missing one: %s vs %s", bodyForeign, bodyMissing)
	}
	code, _, body = env.Do("GET", "/api/v1/scan", keyB, "", "")
	if code != 200 || strings.Contains(string(body), id) {
		t.Errorf("B's list shows A's scan: %s", body)
	}
}

func TestAPIBadInput(t *testing.T) {
	dnsSrv := apptest.NewDNS(t)
	dnsSrv.SetA("internal.test", "10.1.2.3")
	env := apptest.New(t, withDNS(dnsSrv))
	site := target(t)
	acc := env.User("owner@example.com", billing.Pro)
	key := env.Key(acc)
	revoked := env.Key(acc)
	free := env.Key(env.User("free@example.com", billing.Free))
	keys, err := env.C.Auth.Keys(t.Context(), acc)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.HasPrefix(revoked, k.Prefix) {
			if err := env.C.Auth.RevokeKey(t.Context(), acc, k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	cases := []struct {
		name, key, ctype, body string
		want                   int
		msg                    string
	}{
		{"no key", "", "application/json", `{"url":"` + site.URL + `"}`, 401, "API key"},
		{"unknown key", "pal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "application/json", `{"url":"` + site.URL + `"}`, 403, "not valid"},
		{"revoked key", revoked, "application/json", `{"url":"` + site.URL + `"}`, 403, "revoked"},
		{"malformed JSON", key, "application/json", `{"url":`, 400, "not valid JSON"},
		{"missing url", key, "application/json", `{"depth":"QUICK"}`, 400, "url"},
		{"url of wrong type", key, "application/json", `{"url":42}`, 400, "url"},
		{"unknown depth", key, "application/json", `{"url":"` + site.URL + `","depth":"HUGE"}`, 400, "depth"},
		{"ftp scheme", key, "application/json", `{"url":"ftp://example.com/"}`, 422, ""},
		{"credentials in URL", key, "application/json", `{"url":"http://user:pass@127.0.0.1/"}`, 422, ""},
		{"unresolvable host", key, "application/json", `{"url":"https://no-such-host.test/"}`, 422, ""},
		{"private address not allowed", key, "application/json", `{"url":"http://internal.test/"}`, 422, ""},
		{"private literal not allowed", key, "application/json", `{"url":"http://192.168.1.1/"}`, 422, ""},
		{"metadata address", key, "application/json", `{"url":"http://169.254.169.254/latest/meta-data/"}`, 422, ""},
		{"depth outside the plan", free, "application/json", `{"url":"` + site.URL + `","depth":"DEEP"}`, 403, "DEEP"},
		{"wrong content type", key, "text/plain", `{"url":"` + site.URL + `"}`, 415, "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, hdr, body := env.Do("POST", "/api/v1/scan", tc.key, tc.ctype, tc.body)
			if code != tc.want {
				t.Fatalf("status = %d, want %d (%s)", code, tc.want, body)
			}
			if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", hdr.Get("Content-Type"))
			}
			e := decode[map[string]any](t, body)
			msg, _ := e["error"].(string)
			if msg == "" || !strings.Contains(msg, tc.msg) {
				t.Errorf("error = %q, want it to mention %q", msg, tc.msg)
			}
		})
	}
	// None of the refused requests created a scan or used quota.
	code, _, body := env.Do("GET", "/api/v1/scan", key, "", "")
	if code != 200 || !strings.Contains(string(body), `"total":0`) {
		t.Errorf("refused requests left scans behind: %s", body)
	}
	if used, err := env.C.Scans.Used(t.Context(), acc); err != nil || used != 0 {
		t.Errorf("quota used = %d (%v), want 0", used, err)
	}
	for _, tc := range []struct{ name, query, field string }{
		{"page zero", "?page=0", "page"}, {"limit zero", "?limit=0", "limit"}, {"page not a number", "?page=x", "page"}, {"bad status", "?status=DONE", "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := env.Do("GET", "/api/v1/scan"+tc.query, key, "", "")
			if code != 400 || !strings.Contains(string(body), tc.field) {
				t.Errorf("GET %s = %d %s", tc.query, code, body)
			}
		})
	}
	code, _, body = env.Do("GET", "/api/v1/scan?limit=500", key, "", "")
	if code != 200 || !strings.Contains(string(body), `"limit":50`) {
		t.Errorf("limit over 50 is not capped: %d %s", code, body)
	}
	code, _, body = env.Do("GET", "/api/v1/nope", key, "", "")
	if code != 404 || !strings.Contains(string(body), `"error"`) {
		t.Errorf("unknown API path = %d %s", code, body)
	}
}

func TestXAPIKeyHeader(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("x@example.com", billing.Free))
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/scan", nil)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("X-API-Key auth = %d", resp.StatusCode)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestQuotaIsAtomic: 10 simultaneous scans with 3 left in the month accept exactly 3.
func TestQuotaIsAtomic(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	acc := env.User("quota@example.com", billing.Free)
	key := env.Key(acc)
	type res struct {
		code int
		body []byte
	}
	results := make(chan res, 10)
	start := make(chan struct{})
	for range 10 {
		go func() {
			<-start
			code, _, body := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":"QUICK"}`, site.URL))
			results <- res{code, body}
		}()
	}
	close(start)
	accepted, refused := 0, 0
	for range 10 {
		r := <-results
		switch r.code {
		case http.StatusAccepted:
			accepted++
		case http.StatusTooManyRequests:
			refused++
			e := decode[map[string]any](t, r.body)
			if e["limit"] != 3.0 || e["used"] != 3.0 || e["resetsAt"] == nil || e["error"] == nil {
				t.Errorf("429 body = %s", r.body)
			}
		default:
			t.Errorf("unexpected %d %s", r.code, r.body)
		}
	}
	if accepted != 3 || refused != 7 {
		t.Fatalf("accepted %d, refused %d; want 3 and 7", accepted, refused)
	}
	// A second key of the same account: the first has spent its 10 requests a minute.
	code, _, body := env.Do("GET", "/api/v1/scan", env.Key(acc), "", "")
	if code != 200 || !strings.Contains(string(body), `"total":3`) {
		t.Errorf("list after the race: %s", body)
	}
}

// TestPagination walks pages and cursors over more scans than one page holds.
func TestPagination(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	acc := env.User("pages@example.com", billing.Enterprise)
	key := env.Key(acc)
	var ids []string
	for range 7 {
		code, _, body := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":"QUICK"}`, site.URL))
		if code != 202 {
			t.Fatalf("create: %d %s", code, body)
		}
		ids = append(ids, decode[map[string]any](t, body)["id"].(string))
	}
	type page struct {
		Data       []scanSummary `json:"data"`
		Pagination struct {
			Page, Limit, Total, Pages int
			NextCursor                string
		} `json:"pagination"`
	}
	seen := map[string]bool{}
	for n := 1; n <= 3; n++ {
		code, _, body := env.Do("GET", fmt.Sprintf("/api/v1/scan?page=%d&limit=3", n), key, "", "")
		if code != 200 {
			t.Fatalf("page %d: %d %s", n, code, body)
		}
		p := decode[page](t, body)
		if p.Pagination.Total != 7 || p.Pagination.Pages != 3 || p.Pagination.Page != n {
			t.Fatalf("page %d pagination = %+v", n, p.Pagination)
		}
		want := 3
		if n == 3 {
			want = 1
		}
		if len(p.Data) != want {
			t.Fatalf("page %d has %d items, want %d", n, len(p.Data), want)
		}
		for i, s := range p.Data {
			if seen[s.ID] {
				t.Errorf("scan %s on two pages", s.ID)
			}
			seen[s.ID] = true
			if i > 0 && s.CreatedAt > p.Data[i-1].CreatedAt {
				t.Errorf("page %d not newest first", n)
			}
		}
	}
	if len(seen) != 7 || !seen[ids[6]] {
		t.Fatalf("pages covered %d scans", len(seen))
	}
	// The same walk by cursor.
	seen = map[string]bool{}
	cursor := ""
	for i := 0; i < 5; i++ {
		q := "/api/v1/scan?limit=3"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		code, _, body := env.Do("GET", q, key, "", "")
		if code != 200 {
			t.Fatalf("cursor page: %d %s", code, body)
		}
		p := decode[page](t, body)
		for _, s := range p.Data {
			seen[s.ID] = true
		}
		cursor = p.Pagination.NextCursor
		if cursor == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Errorf("cursor walk covered %d scans, want 7", len(seen))
	}
	if code, _, body := env.Do("GET", "/api/v1/scan?cursor=garbage!", key, "", ""); code != 400 {
		t.Errorf("bad cursor = %d %s", code, body)
	}
	// Filters: by domain, and by status (no scan of this account has FAILED).
	for _, tc := range []struct {
		query string
		total int
	}{{"domain=127.0.0.1", 7}, {"domain=other.example", 0}, {"status=failed", 0}, {"domain=127.0.0.1&status=CANCELLED", 0}} {
		code, _, body := env.Do("GET", "/api/v1/scan?limit=50&"+tc.query, key, "", "")
		if code != 200 {
			t.Fatalf("%s: %d %s", tc.query, code, body)
		}
		if p := decode[page](t, body); p.Pagination.Total != tc.total || len(p.Data) != tc.total {
			t.Errorf("%s: total %d, %d items; want %d", tc.query, p.Pagination.Total, len(p.Data), tc.total)
		}
	}
}
