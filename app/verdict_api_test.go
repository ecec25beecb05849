package app_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
)

// TestScanDiffOverHTTP: GET /api/v1/scan/{id}/diff through the full router.
// Another account's id (either one) or an unknown id is 404; a scan with no
// earlier scan of its target, or compared with a scan of another port, is
// 409 with the reason; two scans of one target compare (the default
// baseline is the previous comparable scan).
func TestScanDiffOverHTTP(t *testing.T) {
	env := apptest.New(t)
	site, other := target(t), target(t) // two ports of 127.0.0.1
	keyA := env.Key(env.User("diff-a@example.com", billing.Pro))
	keyB := env.Key(env.User("diff-b@example.com", billing.Pro))
	first := completedScan(t, env, keyA, site.URL)
	second := completedScan(t, env, keyA, site.URL)
	otherPort := completedScan(t, env, keyA, other.URL)
	foreign := completedScan(t, env, keyB, site.URL)

	for _, tc := range []struct {
		name, key, path string
		code            int
		says            string
	}{
		{"another account's scan", keyB, "/api/v1/scan/" + second + "/diff", 404, ""},
		{"another account's baseline", keyA, "/api/v1/scan/" + second + "/diff?against=" + foreign, 404, ""},
		{"unknown baseline", keyA, "/api/v1/scan/" + second + "/diff?against=scn_missing", 404, ""},
		{"unknown scan", keyA, "/api/v1/scan/scn_missing/diff", 404, ""},
		{"no earlier scan of the target", keyA, "/api/v1/scan/" + first + "/diff", 409, "no earlier graded scan"},
		{"no earlier scan on this port", keyA, "/api/v1/scan/" + otherPort + "/diff", 409, "no earlier graded scan"},
		{"another port", keyA, "/api/v1/scan/" + second + "/diff?against=" + otherPort, 409, "different targets"},
		{"itself", keyA, "/api/v1/scan/" + second + "/diff?against=" + second, 409, "itself"},
		{"the previous scan by default", keyA, "/api/v1/scan/" + second + "/diff", 200, `"againstId":"` + first + `"`},
		{"an explicit baseline", keyA, "/api/v1/scan/" + second + "/diff?against=" + first, 200, `"scanId":"` + second + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := env.Do("GET", tc.path, tc.key, "", "")
			if code != tc.code || !strings.Contains(string(body), tc.says) {
				t.Fatalf("GET %s = %d %s, want %d saying %q", tc.path, code, body, tc.code, tc.says)
			}
			if code == 404 && strings.Contains(string(body), second) {
				t.Errorf("a 404 names the scan: %s", body)
			}
			if code == 200 {
				d := decode[map[string]any](t, body)
				for _, k := range []string{"scanId", "againstId", "before", "after", "scoreDelta", "checks", "new", "fixed", "stillOpen"} {
					if _, ok := d[k]; !ok {
						t.Errorf("diff lacks %s: %s", k, body)
					}
				}
				if d["scoreDelta"] != 0.0 || len(d["fixed"].([]any)) != 0 {
					t.Errorf("two scans of an unchanged site differ: %s", body)
				}
			}
		})
	}
}

// TestNotGradedOverAPI: scans that could not run, end to end through the
// API: grade and overallScore null, notGraded says why, no findings; a
// private address is refused at accept. The unreachable case needs the
// scanner's NotGraded (issue 13, scanner engine).
func TestNotGradedOverAPI(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("notgraded@example.com", billing.Pro))

	code, _, body := env.Do("POST", "/api/v1/scan", key, "application/json", `{"url":"http://10.0.0.1/"}`)
	if code != 422 {
		t.Errorf("a private address = %d %s, want 422 at accept", code, body)
	}

	t.Run("cancelled", func(t *testing.T) {
		id := createScan(t, env, key, tarpit(t), "QUICK")
		waitStatus(t, env, id, 10*time.Second, domain.StatusRunning)
		if code, _, body := env.Do("POST", "/api/v1/scan/"+id+"/cancel", key, "application/json", "{}"); code != 202 {
			t.Fatalf("cancel = %d %s", code, body)
		}
		d := waitScanJSON(t, env, key, id)
		assertNotGraded(t, d, "cancelled")
		if d["status"] != "CANCELLED" {
			t.Errorf("status %v", d["status"])
		}
		code, _, md := env.Do("GET", "/api/v1/scan/"+id+"/fix", key, "", "")
		if code != 200 || strings.Contains(string(md), "## 1.") || !strings.Contains(string(md), "could not grade") {
			t.Errorf("SECURITY-FIX.md of a cancelled scan = %d:\n%s", code, md)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + l.Addr().String() + "/"
		l.Close()
		id := createScan(t, env, key, closed, "QUICK")
		d := waitScanJSON(t, env, key, id)
		assertNotGraded(t, d, "unreachable")
		if !strings.Contains(d["targetUrl"].(string), l.Addr().String()) {
			t.Errorf("targetUrl %v lacks the port", d["targetUrl"])
		}
	})

	t.Run("challenge page", func(t *testing.T) {
		srv := challengeSite(t)
		id := createScan(t, env, key, srv.URL, "QUICK")
		assertNotGraded(t, waitScanJSON(t, env, key, id), "blocked")
	})

	t.Run("cross-port redirect to HTTPS is graded", func(t *testing.T) {
		tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!doctype html><title>t</title>ok"))
		}))
		t.Cleanup(tlsSrv.Close)
		plain := httptest.NewServer(http.RedirectHandler(tlsSrv.URL+"/", http.StatusMovedPermanently))
		t.Cleanup(plain.Close)
		id := createScan(t, env, key, plain.URL, "QUICK")
		d := waitScanJSON(t, env, key, id)
		if d["notGraded"] != nil || d["grade"] == nil || d["overallScore"] == nil {
			t.Errorf("a redirect to HTTPS on another port: notGraded %v grade %v score %v", d["notGraded"], d["grade"], d["overallScore"])
		}
	})
}

func waitScanJSON(t *testing.T, env *apptest.Env, key, id string) map[string]any {
	t.Helper()
	var d map[string]any
	apptest.WaitFor(t, 60*time.Second, "scan "+id+" finishing", func() bool {
		code, _, body := env.Do("GET", "/api/v1/scan/"+id, key, "", "")
		if code != 200 {
			t.Fatalf("GET scan: %d %s", code, body)
		}
		d = decode[map[string]any](t, body)
		return d["status"] != "PENDING" && d["status"] != "RUNNING"
	})
	return d
}

func assertNotGraded(t *testing.T, d map[string]any, reason string) {
	t.Helper()
	ng, _ := d["notGraded"].(map[string]any)
	if ng == nil || ng["reason"] != reason || ng["detail"] == "" {
		t.Errorf("notGraded = %v, want reason %s (status %v, error %v)", d["notGraded"], reason, d["status"], d["error"])
	}
	for _, k := range []string{"grade", "overallScore", "gradeCap"} {
		if v, ok := d[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if f, _ := d["findings"].([]any); len(f) != 0 || d["findingsCount"] != 0.0 {
		t.Errorf("a scan that was not graded lists %d findings (count %v)", len(f), d["findingsCount"])
	}
}

// TestCoverageOverAPI: a finished scan's detail says what was read
// (docs/scoring.md, "Coverage"): a STANDARD scan reads the main page alone.
func TestCoverageOverAPI(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	key := env.Key(env.User("coverage-api@example.com", billing.Pro))
	id := completedScan(t, env, key, site.URL)
	code, _, body := env.Do("GET", "/api/v1/scan/"+id, key, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET scan = %d %s", code, body)
	}
	d := decode[map[string]any](t, body)
	cov, ok := d["coverage"].(map[string]any)
	if !ok {
		t.Fatalf("no coverage in %s", body)
	}
	if cov["pagesCrawled"] != 1.0 || cov["pagesDiscovered"] != 1.0 || cov["pageLimit"] != 1.0 {
		t.Errorf("coverage of a STANDARD scan = %v, want the main page, 1 of 1", cov)
	}
}
