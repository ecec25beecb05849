package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
)

// TestSitesAPI walks /api/v1/sites: create (201, 409 with siteId, bad
// input), list, detail with history, delete (204, scans kept) and another
// account's 404.
func TestSitesAPI(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("sites-api@example.com", billing.Pro))
	site := target(t)

	code, hdr, body := env.Do("POST", "/api/v1/sites", key, "application/json", fmt.Sprintf(`{"url":%q,"label":"Home","extra":1}`, site.URL))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	created := decode[map[string]any](t, body)
	id, _ := created["id"].(string)
	if !strings.HasPrefix(id, "sit_") || created["label"] != "Home" || created["monitor"] != nil || created["grade"] != nil ||
		hdr.Get("Location") != "/api/v1/sites/"+id {
		t.Fatalf("created %s (Location %q)", body, hdr.Get("Location"))
	}

	for _, tc := range []struct {
		name, ct, body string
		code           int
		contains       string
	}{
		{"same target", "application/json", fmt.Sprintf(`{"url":%q}`, site.URL+"/"), 409, `"siteId":"` + id + `"`},
		{"missing url", "application/json", `{"label":"x"}`, 400, `is required`},
		{"empty body", "application/json", ``, 400, "empty"},
		{"not json", "application/json", `{`, 400, "not valid JSON"},
		{"wrong type", "application/json", `{"url":5}`, 400, "must be a string"},
		{"refused", "application/json", `{"url":"http://10.0.0.7/"}`, 422, "does not scan"},
		{"label too long", "application/json", fmt.Sprintf(`{"url":%q,"label":%q}`, site.URL+"/x", strings.Repeat("l", 101)), 400, "label"},
		{"form body", "application/x-www-form-urlencoded", `url=x`, 415, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := env.Do("POST", "/api/v1/sites", key, tc.ct, tc.body)
			if code != tc.code || !strings.Contains(string(body), tc.contains) || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%d %s, want %d with %q", code, body, tc.code, tc.contains)
			}
		})
	}

	scanID := completedScan(t, env, key, site.URL)
	code, _, body = env.Do("GET", "/api/v1/sites", key, "", "")
	list := decode[struct {
		Data       []map[string]any `json:"data"`
		Pagination map[string]any   `json:"pagination"`
	}](t, body)
	if code != 200 || len(list.Data) != 1 || list.Pagination["total"] != 1.0 {
		t.Fatalf("list: %d %s", code, body)
	}
	if s := list.Data[0]; s["id"] != id || s["latestScanId"] != scanID || s["gradedScanId"] != scanID || s["grade"] == nil || s["score"] == nil || s["scannedAt"] == nil {
		t.Errorf("listed site %v", s)
	}
	if code, _, body := env.Do("GET", "/api/v1/sites?limit=0", key, "", ""); code != 400 {
		t.Errorf("limit=0: %d %s", code, body)
	}

	code, _, body = env.Do("GET", "/api/v1/sites/"+id, key, "", "")
	detail := decode[struct {
		ID    string           `json:"id"`
		Scans []map[string]any `json:"scans"`
	}](t, body)
	if code != 200 || detail.ID != id || len(detail.Scans) != 1 || detail.Scans[0]["id"] != scanID || detail.Scans[0]["source"] != "manual" {
		t.Fatalf("detail: %d %s", code, body)
	}

	keyB := env.Key(env.User("sites-api-b@example.com", billing.Pro))
	for _, m := range []string{"GET", "DELETE"} {
		if code, _, body := env.Do(m, "/api/v1/sites/"+id, keyB, "", ""); code != 404 {
			t.Errorf("another account's %s = %d %s", m, code, body)
		}
	}
	if code, _, body := env.Do("GET", "/api/v1/sites", keyB, "", ""); code != 200 || !strings.Contains(string(body), `"data":[]`) {
		t.Errorf("another account's list = %d %s", code, body)
	}

	if code, _, body := env.Do("DELETE", "/api/v1/sites/"+id, key, "", ""); code != 204 || len(body) != 0 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, _, _ := env.Do("GET", "/api/v1/sites/"+id, key, "", ""); code != 404 {
		t.Errorf("deleted site = %d", code)
	}
	if code, _, body := env.Do("GET", "/api/v1/scan/"+scanID, key, "", ""); code != 200 {
		t.Errorf("the deleted site's scan = %d %s; scans stay", code, body)
	}
}

// TestSitesCreateRace: N concurrent creates of one target make one site;
// every other answer is 409 naming it.
func TestSitesCreateRace(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("sites-race@example.com", billing.Enterprise))
	site := target(t)
	const n = 8
	type answer struct {
		code int
		body map[string]any
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Spellings of one target: the site is the normalised one.
			url := site.URL
			if i%2 == 1 {
				url += "/?q=" + fmt.Sprint(i)
			}
			code, _, body := env.Do("POST", "/api/v1/sites", key, "application/json", fmt.Sprintf(`{"url":%q}`, url))
			answers[i] = answer{code, decode[map[string]any](t, body)}
		}()
	}
	close(start)
	wg.Wait()
	var created string
	for _, a := range answers {
		if a.code == 201 {
			if created != "" {
				t.Fatalf("two sites created: %s and %v", created, a.body["id"])
			}
			created = a.body["id"].(string)
		}
	}
	if created == "" {
		t.Fatalf("no create succeeded: %v", answers)
	}
	for _, a := range answers {
		if a.code != 201 && (a.code != 409 || a.body["siteId"] != created) {
			t.Errorf("answer %d %v, want 409 with siteId %s", a.code, a.body, created)
		}
	}
	code, _, body := env.Do("GET", "/api/v1/sites", key, "", "")
	if code != 200 || strings.Count(string(body), `"id":"sit_`) != 1 {
		t.Errorf("list after the race: %s", body)
	}
}
