package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/account"
)

// TestCreateWebhookValidation: URLs pass the scanner's address guard,
// formats are known, duplicates conflict and the account's limit holds.
func TestCreateWebhookValidation(t *testing.T) {
	env := apptest.New(t)
	key := env.Key(env.User("valid@example.com", billing.Pro))
	rcv := newReceiver(t, []int{200}, 0)
	for _, tc := range []struct {
		name, body string
		code       int
		say        string
	}{
		{"no url", `{}`, 400, "url"},
		{"no scheme", `{"url":"example.com/hook"}`, 400, "https://"},
		{"ftp", `{"url":"ftp://example.com/hook"}`, 400, "https://"},
		{"credentials", `{"url":"https://user:pw@example.com/hook"}`, 422, "credentials"},
		{"private address", `{"url":"http://10.1.2.3/hook"}`, 422, "10.1.2.3"},
		{"metadata", `{"url":"http://169.254.169.254/latest"}`, 422, "169.254.169.254"},
		{"format", `{"url":"` + rcv.URL + `","format":"xml"}`, 400, "json or slack"},
		{"not json", `{"url":`, 400, "JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := env.Do("POST", "/api/v1/webhooks", key, "application/json", tc.body)
			if code != tc.code || !strings.Contains(strings.ToLower(string(body)), strings.ToLower(tc.say)) {
				t.Errorf("%s → %d %s, want %d saying %q", tc.body, code, body, tc.code, tc.say)
			}
		})
	}
	id, secret := createWebhook(t, env, key, rcv.URL+"/a", "json")
	if secret == "" {
		t.Fatal("no secret with the first webhook")
	}
	code, _, body := env.Do("POST", "/api/v1/webhooks", key, "application/json", fmt.Sprintf(`{"url":%q}`, rcv.URL+"/a"))
	if code != 409 || !strings.Contains(string(body), id) {
		t.Errorf("duplicate → %d %s, want 409 naming %s", code, body, id)
	}
	if _, s := createWebhook(t, env, key, rcv.URL+"/b", "slack"); s != "" {
		t.Errorf("a second webhook came with a secret")
	}
	for i := 2; i < alerts.MaxWebhooks; i++ {
		createWebhook(t, env, key, fmt.Sprintf("%s/n%d", rcv.URL, i), "json")
	}
	code, _, body = env.Do("POST", "/api/v1/webhooks", key, "application/json", fmt.Sprintf(`{"url":%q}`, rcv.URL+"/over"))
	if code != 403 || !strings.Contains(string(body), fmt.Sprintf(`"limit":%d`, alerts.MaxWebhooks)) {
		t.Errorf("over the limit → %d %s", code, body)
	}
	code, _, body = env.Do("GET", "/api/v1/webhooks", key, "", "")
	if code != 200 || strings.Count(string(body), `"id":"whk_`) != alerts.MaxWebhooks || strings.Contains(string(body), "whsec_") {
		t.Errorf("list → %d %s", code, body)
	}
	if code, _, _ := env.Do("DELETE", "/api/v1/webhooks/"+id, key, "", ""); code != 204 {
		t.Errorf("delete → %d", code)
	}
	if code, _, _ := env.Do("GET", "/api/v1/webhooks/"+id, key, "", ""); code != 404 {
		t.Errorf("deleted webhook → %d", code)
	}
}

// TestPrivateWebhookNeedsAllowList: without PALISADE_SCAN_ALLOW_CIDRS a
// loopback receiver is refused with 422.
func TestPrivateWebhookNeedsAllowList(t *testing.T) {
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.ScanAllowCIDRs = nil }))
	key := env.Key(env.User("strict@example.com", billing.Pro))
	rcv := newReceiver(t, []int{200}, 0)
	code, _, body := env.Do("POST", "/api/v1/webhooks", key, "application/json", fmt.Sprintf(`{"url":%q}`, rcv.URL))
	if code != 422 || !strings.Contains(string(body), "127.0.0.1") {
		t.Errorf("loopback webhook → %d %s, want 422", code, body)
	}
}

// TestSecretRotation: the secret is stored sealed, never plain; rotating
// replaces it and deliveries are signed with the new one only.
func TestSecretRotation(t *testing.T) {
	env := apptest.New(t, fastRetries)
	acc := env.User("rotate@example.com", billing.Pro)
	key := env.Key(acc)
	code, _, body := env.Do("GET", "/api/v1/webhooks/secret", key, "", "")
	if code != 200 || !strings.Contains(string(body), `"set":false`) {
		t.Fatalf("secret before any → %d %s", code, body)
	}
	code, _, body = env.Do("POST", "/api/v1/webhooks/secret", key, "", "")
	if code != 201 {
		t.Fatalf("create secret → %d %s", code, body)
	}
	first := decode[map[string]any](t, body)["secret"].(string)
	code, _, body = env.Do("POST", "/api/v1/webhooks/secret", key, "", "")
	second := decode[map[string]any](t, body)["secret"].(string)
	if code != 201 || second == first || !strings.HasPrefix(second, alerts.SecretPrefix) {
		t.Fatalf("rotate → %d %s", code, body)
	}
	code, _, body = env.Do("GET", "/api/v1/webhooks/secret", key, "", "")
	if code != 200 || strings.Contains(string(body), "whsec_") || !strings.Contains(string(body), `"hint":"`+second[len(second)-4:]+`"`) {
		t.Errorf("secret state → %d %s", code, body)
	}
	row, err := env.C.DB.Ent.Account.Query().Where(account.ID(acc)).Only(context.Background())
	if err != nil || row.WebhookSecret == "" || strings.Contains(row.WebhookSecret, second[len(alerts.SecretPrefix):]) {
		t.Errorf("stored secret %q", row.WebhookSecret)
	}

	rcv := newReceiver(t, []int{200}, 0)
	whk, s := createWebhook(t, env, key, rcv.URL, "json")
	if s != "" {
		t.Error("a webhook of an account with a secret came with one")
	}
	code, _, body = env.Do("POST", "/api/v1/webhooks/"+whk+"/test", key, "", "")
	if code != 202 {
		t.Fatalf("test → %d %s", code, body)
	}
	waitSettled(t, env, decode[map[string]string](t, body)["deliveryId"])
	call := rcv.got()[0]
	if err := alerts.Verify(second, call.header.Get("Palisade-Signature"), call.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("new secret: %v", err)
	}
	if err := alerts.Verify(first, call.header.Get("Palisade-Signature"), call.body, time.Now(), 5*time.Minute); err == nil {
		t.Error("the rotated-out secret still verifies")
	}
	c := decode[alerts.Content](t, call.body)
	if c.Type != domain.AlertTest {
		t.Errorf("test body type %q", c.Type)
	}
}

// TestWebhookForeignIDs: another account's webhook is not found on every route.
func TestWebhookForeignIDs(t *testing.T) {
	env := apptest.New(t)
	keyA := env.Key(env.User("a@example.com", billing.Pro))
	keyB := env.Key(env.User("b@example.com", billing.Pro))
	rcv := newReceiver(t, []int{200}, 0)
	id, _ := createWebhook(t, env, keyA, rcv.URL, "json")
	for _, r := range [][2]string{{"GET", ""}, {"DELETE", ""}, {"POST", "/test"}, {"GET", "/deliveries"}} {
		if code, _, body := env.Do(r[0], "/api/v1/webhooks/"+id+r[1], keyB, "", ""); code != 404 {
			t.Errorf("%s %s with another account's key → %d %s", r[0], r[1], code, body)
		}
	}
	if code, _, body := env.Do("GET", "/api/v1/alerts", keyB, "", ""); code != 200 || !strings.Contains(string(body), `"data":[]`) {
		t.Errorf("alerts of B → %d %s", code, body)
	}
	if code, _, _ := env.Do("GET", "/api/v1/webhooks/"+id, keyA, "", ""); code != 200 {
		t.Errorf("own webhook → %d", code)
	}
	if len(rcv.got()) != 0 {
		t.Error("a foreign test call reached the receiver")
	}
}

// TestServerKeyIsGeneratedOnce: without PALISADE_SECRET_KEY every instance
// reads the key the first one stored; a configured key is used as it is.
func TestServerKeyIsGeneratedOnce(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	a, err := alerts.ServerKey(ctx, env.C.DB.Ent, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := alerts.ServerKey(ctx, env.C.DB.Ent, "")
	if err != nil || string(a) != string(b) || len(a) != 32 {
		t.Fatalf("second instance's key differs (%d bytes): %v", len(b), err)
	}
	conf := strings.Repeat("s", 40)
	if k, err := alerts.ServerKey(ctx, env.C.DB.Ent, conf); err != nil || string(k) != conf {
		t.Errorf("configured key: %v", err)
	}
	if _, err := alerts.ServerKey(ctx, env.C.DB.Ent, "short"); err == nil {
		t.Error("a short configured key is accepted")
	}
}
