package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/billing"
)

func TestSignUpLogInLogOutWithCSRF(t *testing.T) {
	env := apptest.New(t)
	b := env.Browser()

	p := b.Get("/signup")
	if p.Status != 200 || p.Doc.Find(`[data-testid="signup"] form input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("sign-up page: %d, csrf field missing", p.Status)
	}
	form := url.Values{"email": {"New@Example.com"}, "password": {"a long enough password"}}

	// Without the token the POST is refused and nothing is created.
	p = b.PostRaw("/signup", form)
	if p.Status != http.StatusForbidden {
		t.Fatalf("sign-up without CSRF token = %d, want 403", p.Status)
	}
	if _, err := env.C.Auth.UserByEmail(t.Context(), "new@example.com"); err == nil {
		t.Fatal("a user was created by a request without CSRF token")
	}

	p = b.Post("/signup", form)
	if p.Status != 200 || p.URL.Path != "/dashboard" {
		t.Fatalf("sign-up ended at %d %s", p.Status, p.URL)
	}
	if got := p.Doc.Find(`[data-testid="viewer"]`).Text(); got != "new@example.com" {
		t.Errorf("dashboard viewer = %q", got)
	}
	if p.Doc.Find(`[data-testid="empty-scans"]`).Length() != 1 {
		t.Errorf("new account's dashboard has no empty state")
	}
	cookie := p.Header.Get("Set-Cookie")
	_ = cookie

	// Log out kills the session server-side.
	b.Get("/dashboard")
	p = b.Post("/logout", nil)
	if p.URL.Path != "/" {
		t.Fatalf("logout ended at %s", p.URL)
	}
	p = b.Get("/dashboard")
	if p.URL.Path != "/login" {
		t.Fatalf("dashboard after logout ended at %s, want /login", p.URL)
	}

	// Wrong password: a readable message, no session.
	p = b.Post("/login", url.Values{"email": {"new@example.com"}, "password": {"wrong password!"}})
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Doc.Find(`[data-testid="form-error"]`).Text(), "not right") {
		t.Fatalf("bad log-in = %d %q", p.Status, p.Doc.Find(`[data-testid="form-error"]`).Text())
	}
	if v := p.Doc.Find(`input[name="email"]`).AttrOr("value", ""); v != "new@example.com" {
		t.Errorf("log-in form lost the e-mail: %q", v)
	}
	p = b.Post("/login", url.Values{"email": {"new@example.com"}, "password": {"a long enough password"}})
	if p.Status != 200 || p.URL.Path != "/dashboard" {
		t.Fatalf("log-in ended at %d %s", p.Status, p.URL)
	}
}

func TestSignUpValidation(t *testing.T) {
	env := apptest.New(t)
	env.User("taken@example.com", billing.Free)
	cases := []struct {
		name, email, password, field, msg string
	}{
		{"duplicate e-mail", "Taken@example.com", "a long enough password", "email", "already exists"},
		{"bad e-mail", "not-an-email", "a long enough password", "email", "valid e-mail"},
		{"short password", "short@example.com", "short", "password", "at least 10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := env.Browser()
			b.Get("/signup")
			p := b.Post("/signup", url.Values{"email": {tc.email}, "password": {tc.password}, "account": {"Acme"}})
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", p.Status)
			}
			if got := p.Doc.Find(`[data-testid="error-` + tc.field + `"]`).Text(); !strings.Contains(got, tc.msg) {
				t.Errorf("error next to %s = %q, want %q", tc.field, got, tc.msg)
			}
			if v := p.Doc.Find(`input[name="account"]`).AttrOr("value", ""); v != "Acme" {
				t.Errorf("form lost input: account = %q", v)
			}
		})
	}
}

func TestDashboardScanFlow(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	b := env.Browser()
	b.Get("/signup")
	b.Post("/signup", url.Values{"email": {"web@example.com"}, "password": {"a long enough password"}})

	// Bad input re-renders the dashboard with the message next to the field.
	p := b.Post("/scans", url.Values{"url": {"ftp://example.com"}, "depth": {"QUICK"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(`[data-testid="error-url"]`).Length() != 1 {
		t.Fatalf("bad scan URL = %d, error shown: %d", p.Status, p.Doc.Find(`[data-testid="error-url"]`).Length())
	}
	if v := p.Doc.Find(`#scan-url`).AttrOr("value", ""); v != "ftp://example.com" {
		t.Errorf("scan form lost input: %q", v)
	}
	if p.Doc.Find(`option[value="DEEP"][disabled]`).Length() != 1 {
		t.Errorf("DEEP is not shown disabled on the free plan")
	}

	p = b.Post("/scans", url.Values{"url": {site.URL}, "depth": {"QUICK"}})
	if p.Status != 200 || !strings.HasPrefix(p.URL.Path, "/scans/scn_") {
		t.Fatalf("starting a scan ended at %d %s", p.Status, p.URL)
	}
	scanPath := p.URL.Path
	var frag *apptest.Page
	apptest.WaitFor(t, 60*time.Second, "the scan page showing a result", func() bool {
		frag = b.Get(scanPath+"/body", "HX-Request", "true")
		return frag.Doc.Find(`[data-testid="scan-result"]`).Length() == 1
	})
	if strings.Contains(frag.Body, "<html") {
		t.Errorf("htmx request got a full page, want a fragment")
	}
	if frag.Header.Get("Vary") == "" || !strings.Contains(frag.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary = %q, want HX-Request", frag.Header.Get("Vary"))
	}
	p = b.Get(scanPath)
	if g := p.Doc.Find(`[data-testid="scan-result"] [data-testid="grade"]`).First().Text(); g == "" || g == "–" {
		t.Errorf("scan page grade = %q", g)
	}
	p = b.Get("/dashboard")
	if n := p.Doc.Find(`[data-testid="scan-row"]`).Length(); n != 1 {
		t.Errorf("dashboard lists %d scans, want 1", n)
	}

	// Another account cannot see it.
	other := env.Browser()
	other.Get("/signup")
	other.Post("/signup", url.Values{"email": {"other@example.com"}, "password": {"a long enough password"}})
	if p := other.Get(scanPath); p.Status != http.StatusNotFound {
		t.Errorf("foreign scan page = %d, want 404", p.Status)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	env := apptest.New(t)
	b := env.Browser()
	for _, path := range []string{"/", "/login", "/nope", "/healthz"} {
		p := b.Get(path)
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		if p.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
	}
	p := b.Get("/")
	src, ok := p.Doc.Find(`script[src*="htmx"]`).Attr("src")
	if !ok || !strings.HasPrefix(src, "/assets/") {
		t.Fatalf("htmx not served from our origin: %q", src)
	}
	a := b.Get(src)
	if a.Status != 200 || !strings.Contains(a.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset %s = %d cache %q", src, a.Status, a.Header.Get("Cache-Control"))
	}
}

func signUp(t *testing.T, env *apptest.Env, email string) *apptest.Browser {
	t.Helper()
	b := env.Browser()
	b.Get("/signup")
	if p := b.Post("/signup", url.Values{"email": {email}, "password": {"a long enough password"}}); p.URL.Path != "/dashboard" {
		t.Fatalf("sign-up of %s ended at %s", email, p.URL)
	}
	return b
}

func TestKeysPage(t *testing.T) {
	env := apptest.New(t)
	b := signUp(t, env, "keys@example.com")
	p := b.Get("/keys")
	if p.Status != 200 || p.Doc.Find(`[data-testid="empty-keys"]`).Length() != 1 {
		t.Fatalf("keys page: %d", p.Status)
	}
	p = b.Post("/keys", url.Values{"name": {""}})
	if p.Status != 422 || p.Doc.Find(`[data-testid="error-name"]`).Length() != 1 {
		t.Fatalf("empty key name = %d", p.Status)
	}
	p = b.Post("/keys", url.Values{"name": {"CI"}, "expires": {"30"}})
	key := strings.TrimSpace(p.Doc.Find(`[data-testid="new-key-value"]`).Text())
	if p.Status != 200 || !strings.HasPrefix(key, "pal_") || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("created key %q (%d, cache %q)", key, p.Status, p.Header.Get("Cache-Control"))
	}
	if code, _, _ := env.Do("GET", "/api/v1/usage", key, "", ""); code != 200 {
		t.Fatalf("the new key does not work: %d", code)
	}
	p = b.Get("/keys")
	if strings.Contains(p.Body, key) {
		t.Fatal("the key is shown again after creation")
	}
	row := p.Doc.Find(`[data-testid="key-row"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), key[:12]) || row.AttrOr("data-key-state", "") != "active" {
		t.Fatalf("key row: %q", row.Text())
	}
	form := row.Find("form")
	p = b.Post(form.AttrOr("action", ""), nil)
	if p.Doc.Find(`[data-key-state="revoked"]`).Length() != 1 {
		t.Fatalf("revoke did not show the key revoked")
	}
	if code, _, _ := env.Do("GET", "/api/v1/usage", key, "", ""); code != 403 {
		t.Errorf("revoked key still works: %d", code)
	}
	// Another account cannot revoke it (404).
	other := signUp(t, env, "other-keys@example.com")
	other.Get("/keys")
	if p := other.Post(form.AttrOr("action", ""), nil); p.Status != 404 {
		t.Errorf("revoking another account's key = %d", p.Status)
	}
}

func TestGenerateReportFromScanPage(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	b := signUp(t, env, "pdf@example.com")
	p := b.Post("/scans", url.Values{"url": {site.URL}, "depth": {"QUICK"}})
	scanPath := p.URL.Path
	apptest.WaitFor(t, 30*time.Second, "the scan finishing", func() bool {
		return b.Get(scanPath).Doc.Find(`[data-testid="generate-report"]`).Length() == 1
	})
	p = b.Get(scanPath)
	if p.Doc.Find(`[data-testid="no-reports"]`).Length() != 1 {
		t.Errorf("no empty state for reports")
	}
	// The htmx button posts and swaps in the versions list.
	frag := b.PostHTMX(scanPath+"/reports", nil)
	if frag.Status != 200 || strings.Contains(frag.Body, "<html") || frag.Doc.Find(`[data-testid="report-row"]`).Length() != 1 {
		t.Fatalf("generate report fragment: %d rows %d", frag.Status, frag.Doc.Find(`[data-testid="report-row"]`).Length())
	}
	link, ok := frag.Doc.Find(`[data-testid="download-report"]`).Attr("href")
	if !ok {
		t.Fatalf("no download link (report not ready within 2 s?)")
	}
	pdf := b.Get(link)
	if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("download = %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	if p := b.Get("/reports"); p.Doc.Find(`[data-testid="report-row"]`).Length() != 1 {
		t.Errorf("account reports page lists %d", p.Doc.Find(`[data-testid="report-row"]`).Length())
	}
	fix := b.Get(scanPath + "/fix.md")
	if fix.Status != 200 || !strings.HasPrefix(fix.Body, "---\nformat:") {
		t.Errorf("SECURITY-FIX.md download = %d", fix.Status)
	}
	if other := signUp(t, env, "other-pdf@example.com"); other.Get(link).Status != 404 {
		t.Errorf("another account downloaded the PDF")
	}
}

func TestLogInThrottling(t *testing.T) {
	env := apptest.New(t)
	env.User("victim@example.com", billing.Free)
	b := env.Browser()
	b.Get("/login")
	for i := 0; i < 10; i++ {
		if p := b.Post("/login", url.Values{"email": {"victim@example.com"}, "password": {"wrong guess " + strconv.Itoa(i)}}); p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d", i+1, p.Status)
		}
	}
	// Even the right password is refused now, with a clear wait.
	p := b.Post("/login", url.Values{"email": {"victim@example.com"}, "password": {"correct horse battery"}})
	msg := p.Doc.Find(`[data-testid="form-error"]`).Text()
	if p.Status != http.StatusTooManyRequests || !strings.Contains(msg, "Try again in") || !strings.Contains(msg, "minute") {
		t.Fatalf("11th attempt = %d %q", p.Status, msg)
	}
	// An address with no account is throttled the same way (no enumeration).
	for i := 0; i < 10; i++ {
		b.Post("/login", url.Values{"email": {"nobody@example.com"}, "password": {"x"}})
	}
	if p := b.Post("/login", url.Values{"email": {"nobody@example.com"}, "password": {"x"}}); p.Status != http.StatusTooManyRequests {
		t.Errorf("unknown address not throttled alike: %d", p.Status)
	}
	// Per address: 30 attempts from one IP across many e-mails, then refused.
	for i := 0; i < 8; i++ {
		b.Post("/login", url.Values{"email": {fmt.Sprintf("spray%d@example.com", i)}, "password": {"x"}})
	}
	if p := b.Post("/login", url.Values{"email": {"fresh@example.com"}, "password": {"x"}}); p.Status != http.StatusTooManyRequests {
		t.Errorf("31st attempt from one address = %d, want 429", p.Status)
	}
}

func TestTeamInviteRolesAndRemoval(t *testing.T) {
	env := apptest.New(t)
	owner := signUp(t, env, "owner@example.com")
	p := owner.Post("/team/invite", url.Values{"role": {"member"}})
	link := strings.TrimSpace(p.Doc.Find(`[data-testid="invite-link-value"]`).Text())
	if !strings.Contains(link, "/invite/") {
		t.Fatalf("no invite link: %d", p.Status)
	}
	path := link[strings.Index(link, "/invite/"):]
	member := env.Browser()
	if p := member.Get(path); p.Status != 200 || p.Doc.Find(`[data-testid="invite"]`).Length() != 1 {
		t.Fatalf("invite page = %d", p.Status)
	}
	p = member.Post(path, url.Values{"email": {"member@example.com"}, "password": {"a long enough password"}})
	if p.URL.Path != "/dashboard" {
		t.Fatalf("accepting the invite ended at %s", p.URL)
	}
	if p := env.Browser().Get(path); p.Status != 404 {
		t.Errorf("a used invite link still works: %d", p.Status)
	}
	// Members cannot manage keys or billing.
	if p := member.Get("/keys"); p.Status != http.StatusForbidden {
		t.Errorf("member on /keys = %d, want 403", p.Status)
	}
	if p := member.Post("/billing/checkout", url.Values{"plan": {"pro"}}); p.Status != http.StatusForbidden {
		t.Errorf("member checkout = %d, want 403", p.Status)
	}
	// Both see the same account's team.
	p = owner.Get("/team")
	if n := p.Doc.Find(`[data-testid="member-row"]`).Length(); n != 2 {
		t.Fatalf("team has %d members, want 2", n)
	}
	var memberID string
	p.Doc.Find(`[data-testid="member-row"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "member@example.com") {
			action, _ := s.Find(`form[action$="/role"]`).Attr("action")
			memberID = strings.TrimSuffix(strings.TrimPrefix(action, "/team/"), "/role")
		}
	})
	if memberID == "" {
		t.Fatal("no role form for the member")
	}
	// Promotion ends the member's sessions (privilege change).
	owner.Post("/team/"+memberID+"/role", url.Values{"role": {"owner"}})
	if p := member.Get("/dashboard"); p.URL.Path != "/login" {
		t.Errorf("after a role change the old session still works (%s)", p.URL)
	}
	// Back to member; an owner removing the last other owner leaves one owner.
	owner.Post("/team/"+memberID+"/role", url.Values{"role": {"member"}})
	ownerUser, err := env.C.Auth.UserByEmail(t.Context(), "owner@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.C.Auth.SetRole(t.Context(), ownerUser.AccountID, ownerUser.ID, "member"); err == nil {
		t.Errorf("the last owner was demoted")
	}
	p = owner.Post("/team/"+memberID+"/remove", nil)
	if n := p.Doc.Find(`[data-testid="member-row"]`).Length(); n != 1 {
		t.Errorf("after removal the team has %d members", n)
	}
	// Another account cannot touch this team's members.
	stranger := signUp(t, env, "stranger@example.com")
	stranger.Get("/team")
	if p := stranger.Post("/team/"+memberID+"/remove", nil); p.Status != 404 {
		t.Errorf("stranger removing a member = %d, want 404", p.Status)
	}
}

func TestSettingsPasswordAndDelete(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	a := signUp(t, env, "settings@example.com")
	other := env.Browser()
	other.Get("/login")
	other.Post("/login", url.Values{"email": {"settings@example.com"}, "password": {"a long enough password"}})
	a.Post("/scans", url.Values{"url": {site.URL}, "depth": {"QUICK"}})

	a.Get("/account")
	p := a.Post("/account/password", url.Values{"current": {"wrong"}, "new": {"another long password"}})
	if p.Status != 422 || p.Doc.Find(`[data-testid="error-current"]`).Length() != 1 {
		t.Fatalf("wrong current password = %d", p.Status)
	}
	p = a.Post("/account/password", url.Values{"current": {"a long enough password"}, "new": {"another long password"}})
	if p.URL.Path != "/account" || p.Doc.Find(`[data-testid="settings-message"]`).Length() != 1 {
		t.Fatalf("password change ended at %s", p.URL)
	}
	if p := other.Get("/dashboard"); p.URL.Path != "/login" {
		t.Errorf("the other session survived a password change")
	}
	p = a.Post("/account/name", url.Values{"account": {"Acme Security"}})
	if p.Doc.Find(`#account-name`).AttrOr("value", "") != "Acme Security" {
		t.Errorf("rename did not stick")
	}
	p = a.Post("/account/delete", url.Values{"confirm": {"nope"}})
	if p.Status != 422 {
		t.Errorf("delete without confirmation = %d", p.Status)
	}
	p = a.Post("/account/delete", url.Values{"confirm": {"Acme Security"}})
	if p.URL.Path != "/" {
		t.Fatalf("delete ended at %s", p.URL)
	}
	if _, err := env.C.Auth.UserByEmail(t.Context(), "settings@example.com"); err == nil {
		t.Error("the user still exists")
	}
	if n, _ := env.C.DB.Ent.Scan.Query().Count(t.Context()); n != 0 {
		t.Errorf("%d scans left after deleting the account", n)
	}
}

func TestHistoryFiltersAndTrend(t *testing.T) {
	env := apptest.New(t)
	site := target(t)
	b := signUp(t, env, "history@example.com")
	s, _ := env.C.Auth.UserByEmail(t.Context(), "history@example.com")
	if err := env.C.Auth.SetPlan(t.Context(), s.AccountID, billing.Enterprise); err != nil {
		t.Fatal(err)
	}
	key := env.Key(s.AccountID)
	for range 3 {
		completedScan(t, env, key, site.URL)
	}
	p := b.Get("/dashboard?domain=127.0.0.1&status=COMPLETED")
	if n := p.Doc.Find(`[data-testid="scan-row"]`).Length(); n != 3 {
		t.Fatalf("filtered list shows %d rows, want 3", n)
	}
	if p.Doc.Find(`[data-testid="trend"] polyline`).Length() != 1 || p.Doc.Find(`[data-testid="trend"] circle`).Length() != 3 {
		t.Errorf("no trend chart with 3 points")
	}
	if v := p.Doc.Find(`#filter-domain`).AttrOr("value", ""); v != "127.0.0.1" {
		t.Errorf("filter form lost the domain: %q", v)
	}
	frag := b.Get("/dashboard?status=FAILED", "HX-Request", "true")
	if strings.Contains(frag.Body, "<html") || frag.Doc.Find(`[data-testid="empty-filter"]`).Length() != 1 {
		t.Errorf("htmx filter did not answer the list fragment with an empty state")
	}
}

// TestFirstPageLoadIsSmall: the landing page and everything it loads stay
// under 100 KB.
func TestFirstPageLoadIsSmall(t *testing.T) {
	env := apptest.New(t)
	b := env.Browser()
	p := b.Get("/")
	total := len(p.Body)
	var assets []string
	p.Doc.Find(`script[src], link[href]`).Each(func(_ int, s *goquery.Selection) {
		if v, ok := s.Attr("src"); ok {
			assets = append(assets, v)
		}
		if v, ok := s.Attr("href"); ok && strings.HasPrefix(v, "/assets/") {
			assets = append(assets, v)
		}
	})
	if len(assets) < 3 {
		t.Fatalf("expected css, htmx and app.js, found %v", assets)
	}
	for _, a := range assets {
		r := b.Get(a)
		if r.Status != 200 {
			t.Fatalf("%s = %d", a, r.Status)
		}
		total += len(r.Body)
	}
	if total > 100_000 {
		t.Errorf("first page load is %d bytes, want under 100 KB", total)
	}
	t.Logf("first page load: %d bytes in %d requests", total, len(assets)+1)
}
