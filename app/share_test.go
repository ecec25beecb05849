package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
	entfinding "github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/site"
)

// shareSecret is evidence a share page must never print.
const shareSecret = "AKIAIOSFODNN7EXAMPLEsecret"

// TestSiteShareAPI walks /api/v1/sites/{id}/share: create (201, token once),
// get (never the token), rotate (the old token 404s), revoke (page and
// badge 404), another account's site 404, and a page without evidence.
func TestSiteShareAPI(t *testing.T) {
	env := apptest.New(t)
	acc := env.User("share-api@example.com", billing.Pro)
	key := env.Key(acc)
	srv := target(t)
	code, _, body := env.Do("POST", "/api/v1/sites", key, "application/json", fmt.Sprintf(`{"url":%q,"label":"Shop <b>"}`, srv.URL))
	if code != http.StatusCreated {
		t.Fatalf("create site: %d %s", code, body)
	}
	siteID := decode[map[string]any](t, body)["id"].(string)
	share := "/api/v1/sites/" + siteID + "/share"

	code, _, body = env.Do("GET", share, key, "", "")
	if code != 200 || strings.TrimSpace(string(body)) != `{"shared":false}` {
		t.Fatalf("get before share: %d %s", code, body)
	}
	code, _, body = env.Do("POST", share, key, "", "")
	if code != http.StatusCreated {
		t.Fatalf("share: %d %s", code, body)
	}
	first := decode[map[string]string](t, body)
	tok := first["token"]
	if len(tok) < 22 || first["url"] != "/s/"+tok || first["badgeUrl"] != "/badge/"+tok+".svg" || first["createdAt"] == "" {
		t.Fatalf("share answer %s", body)
	}
	// Only the hash is stored.
	st := env.C.DB.Ent.Site.Query().Where(site.ID(siteID)).OnlyX(context.Background())
	if st.ShareTokenHash == nil || strings.Contains(*st.ShareTokenHash, tok) || len(*st.ShareTokenHash) != 64 {
		t.Fatalf("stored hash %v", st.ShareTokenHash)
	}
	code, _, body = env.Do("GET", share, key, "", "")
	if g := decode[map[string]any](t, body); code != 200 || g["shared"] != true || g["createdAt"] == nil || strings.Contains(string(body), tok) {
		t.Fatalf("get after share: %d %s", code, body)
	}

	// Not graded yet: the page says so, the badge too.
	code, _, body = env.Do("GET", "/s/"+tok, "", "", "")
	if code != 200 || !strings.Contains(string(body), "not been graded") || !strings.Contains(string(body), "Shop &lt;b&gt;") {
		t.Fatalf("ungraded page: %d %s", code, body)
	}
	code, _, body = env.Do("GET", "/badge/"+tok+".svg", "", "", "")
	if code != 200 || !strings.Contains(string(body), "not graded") {
		t.Fatalf("ungraded badge: %d %s", code, body)
	}

	scanID := completedScan(t, env, key, srv.URL)
	ctx := context.Background()
	n, err := env.C.DB.Ent.Finding.Update().Where(entfinding.ScanID(scanID)).SetEvidence(shareSecret).SetDescription(shareSecret).Save(ctx)
	if err != nil || n == 0 {
		t.Fatalf("findings of the scan: %d %v", n, err)
	}
	one := env.C.DB.Ent.Finding.Query().Where(entfinding.ScanID(scanID)).FirstX(ctx)
	code, _, body = env.Do("GET", "/s/"+tok, "", "", "")
	page := string(body)
	if code != 200 || strings.Contains(page, shareSecret) || strings.Contains(page, "AKIA") ||
		!strings.Contains(page, "Scanned by Palisade") || !strings.Contains(page, `data-testid="share-grade"`) ||
		!strings.Contains(page, `data-testid="share-categories"`) || !strings.Contains(page, one.Category) {
		t.Fatalf("graded page: %d %s", code, page)
	}

	// Rotate: the old token stops working.
	code, _, body = env.Do("POST", share, key, "", "")
	tok2 := decode[map[string]string](t, body)["token"]
	if code != http.StatusCreated || tok2 == "" || tok2 == tok {
		t.Fatalf("rotate: %d %s", code, body)
	}
	for _, p := range []string{"/s/" + tok, "/badge/" + tok + ".svg"} {
		if code, _, _ := env.Do("GET", p, "", "", ""); code != 404 {
			t.Errorf("old %s: %d", p, code)
		}
	}
	if code, _, _ := env.Do("GET", "/s/"+tok2, "", "", ""); code != 200 {
		t.Errorf("new token page: %d", code)
	}

	// Another account sees none of it.
	keyB := env.Key(env.User("share-api-b@example.com", billing.Pro))
	for _, m := range []string{"GET", "POST", "DELETE"} {
		if code, _, body := env.Do(m, share, keyB, "", ""); code != 404 {
			t.Errorf("foreign %s: %d %s", m, code, body)
		}
	}
	if code, _, _ := env.Do("GET", "/s/"+tok2, "", "", ""); code != 200 {
		t.Errorf("foreign calls changed the share: %d", code)
	}

	// Revoke.
	if code, _, body := env.Do("DELETE", share, key, "", ""); code != 204 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	for _, p := range []string{"/s/" + tok2, "/badge/" + tok2 + ".svg", "/s/nonsense", "/badge/nonsense.svg"} {
		if code, _, _ := env.Do("GET", p, "", "", ""); code != 404 {
			t.Errorf("revoked/unknown %s: %d", p, code)
		}
	}
	if code, _, body := env.Do("GET", share, key, "", ""); code != 200 || strings.TrimSpace(string(body)) != `{"shared":false}` {
		t.Errorf("get after revoke: %d %s", code, body)
	}
}

// TestSiteShareBadgeAndReadOnly checks the badge's type, cache headers,
// ETag and 304, and that anonymous views write no rows.
func TestSiteShareBadgeAndReadOnly(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("share-badge@example.com", billing.Pro))
	srv := target(t)
	completedScan(t, env, key, srv.URL)
	ctx := context.Background()
	st := env.C.DB.Ent.Site.Query().FirstX(ctx)
	code, _, body := env.Do("POST", "/api/v1/sites/"+st.ID+"/share", key, "", "")
	if code != http.StatusCreated {
		t.Fatalf("share: %d %s", code, body)
	}
	tok := decode[map[string]string](t, body)["token"]

	counts := func() map[string]int {
		c := env.C.DB.Ent
		return map[string]int{
			"sites":    c.Site.Query().CountX(ctx),
			"scans":    c.Scan.Query().CountX(ctx),
			"findings": c.Finding.Query().CountX(ctx),
			"sessions": c.Session.Query().CountX(ctx),
			"events":   c.ScanEvent.Query().CountX(ctx),
			"reports":  c.Report.Query().CountX(ctx),
		}
	}
	before := counts()
	updated := env.C.DB.Ent.Site.GetX(ctx, st.ID).UpdatedAt

	get := func(inm string) *http.Response {
		req, _ := http.NewRequest("GET", env.URL+"/badge/"+tok+".svg", nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	res := get("")
	svg, _ := io.ReadAll(res.Body)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || res.Header.Get("Cache-Control") != "public, max-age=300" ||
		etag == "" || !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "palisade") || !strings.Contains(string(svg), " · ") {
		t.Fatalf("badge: %d %v %s", res.StatusCode, res.Header, svg)
	}
	if res := get(etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d", etag, res.StatusCode)
	}
	if res := get(`"other"`); res.StatusCode != 200 {
		t.Errorf("other ETag: %d", res.StatusCode)
	}
	if code, _, body := env.Do("GET", "/s/"+tok, "", "", ""); code != 200 {
		t.Fatalf("page: %d %s", code, body)
	}
	after := counts()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows before anonymous views, %d after", k, v, after[k])
		}
	}
	if got := env.C.DB.Ent.Site.GetX(ctx, st.ID).UpdatedAt; !got.Equal(updated) {
		t.Errorf("site updated by a view: %v → %v", updated, got)
	}
}

// TestSiteShareWebPanel drives the site page's Share panel: create shows
// the link once, a reload does not, the link works, and revoke ends it.
func TestSiteShareWebPanel(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "share-web@example.com")
	srv := target(t)
	p := b.Post("/sites", url.Values{"url": {srv.URL}})
	if p.Status != 200 || !strings.HasPrefix(p.URL.Path, "/sites/sit_") {
		t.Fatalf("create site: %d at %s", p.Status, p.URL)
	}
	sitePath := p.URL.Path
	siteFormsHaveCSRF(t, p)
	if p.Doc.Find(`form[data-testid="share-revoke"]`).Length() != 0 {
		t.Errorf("an unshared site offers revoke")
	}
	p = b.Post(siteFormAction(t, p, "share-create"), url.Values{})
	link := p.Doc.Find(`[data-testid="share-link"] code`).Text()
	if p.Status != 200 || !strings.Contains(link, "/s/") {
		t.Fatalf("share: %d link %q", p.Status, link)
	}
	path := link[strings.Index(link, "/s/"):]
	if code, _, _ := env.Do("GET", path, "", "", ""); code != 200 {
		t.Fatalf("shared page %s: %d", path, code)
	}
	p = b.Get(sitePath)
	if strings.Contains(p.Body, path) || p.Doc.Find(`form[data-testid="share-revoke"]`).Length() != 1 {
		t.Errorf("reloaded site page shows the token or lacks revoke")
	}
	siteFormsHaveCSRF(t, p)
	p = b.Post(siteFormAction(t, p, "share-revoke"), url.Values{})
	if p.Status != 200 || !strings.Contains(p.Body, "Share link revoked.") {
		t.Errorf("revoke: %d", p.Status)
	}
	if code, _, _ := env.Do("GET", path, "", "", ""); code != 404 {
		t.Errorf("revoked page: %d", code)
	}
}
