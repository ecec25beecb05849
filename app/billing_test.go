package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
)

func TestBillingPageWithoutStripe(t *testing.T) {
	env := apptest.New(t)
	b := env.Browser()
	b.Get("/signup")
	b.Post("/signup", url.Values{"email": {"bill@example.com"}, "password": {"a long enough password"}})
	p := b.Get("/billing")
	if p.Status != 200 || p.Doc.Find(`[data-testid="billing-off"]`).Length() != 1 {
		t.Fatalf("billing page without Stripe: %d, off notice %d", p.Status, p.Doc.Find(`[data-testid="billing-off"]`).Length())
	}
	if !strings.Contains(p.Doc.Find(`[data-testid="current-plan"]`).Text(), "Free plan") {
		t.Errorf("current plan not shown: %q", p.Doc.Find(`[data-testid="current-plan"]`).Text())
	}
	if p := b.Post("/billing/checkout", url.Values{"plan": {"pro"}}); p.Status != http.StatusNotFound {
		t.Errorf("checkout with billing off = %d, want 404", p.Status)
	}
}

// TestUpgradeWebhookChangesLimitsOnTheNextCall: a signed subscription event
// moves the account to Pro, and the very next API call sees Pro's depths and rate.
func TestUpgradeWebhookChangesLimitsOnTheNextCall(t *testing.T) {
	const secret = "whsec_test_palisade"
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) {
		c.StripeWebhookSecret = secret
		c.StripePricePro = "price_pro_test"
		c.StripePriceEnt = "price_ent_test"
	}))
	site := target(t)
	acc := env.User("upgrade@example.com", billing.Free)
	key := env.Key(acc)
	if code, _, _ := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":"DEEP"}`, site.URL)); code != 403 {
		t.Fatalf("DEEP on free = %d, want 403", code)
	}
	now := time.Now().Unix()
	send := func(id, typ string, object map[string]any) int {
		body, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "created": now,
			"livemode": false, "pending_webhooks": 1, "type": typ, "data": map[string]any{"object": object}})
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header
		req, _ := http.NewRequest("POST", env.URL+"/billing/webhook", strings.NewReader(string(body)))
		req.Header.Set("Stripe-Signature", sig)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("evt_1", "checkout.session.completed", map[string]any{"id": "cs_1", "object": "checkout.session", "mode": "subscription",
		"status": "complete", "payment_status": "paid", "client_reference_id": acc, "customer": "cus_1", "subscription": "sub_1",
		"metadata": map[string]any{"account_id": acc, "plan": "pro"}}); code != 200 {
		t.Fatalf("checkout.session.completed = %d", code)
	}
	if code := send("evt_2", "customer.subscription.created", map[string]any{"id": "sub_1", "object": "subscription", "customer": "cus_1",
		"status": "active", "current_period_end": now + 30*86400, "cancel_at_period_end": false,
		"items": map[string]any{"object": "list", "data": []any{map[string]any{"id": "si_1", "object": "subscription_item",
			"price": map[string]any{"id": "price_pro_test", "object": "price"}, "quantity": 1}}}}); code != 200 {
		t.Fatalf("customer.subscription.created = %d", code)
	}
	code, hdr, body := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":"DEEP"}`, site.URL))
	if code != 202 || hdr.Get("X-RateLimit-Limit") != "60" {
		t.Fatalf("after upgrade: DEEP = %d %s, rate limit %q; want 202 and 60", code, body, hdr.Get("X-RateLimit-Limit"))
	}
	// A bad signature changes nothing and is a JSON 400.
	req, _ := http.NewRequest("POST", env.URL+"/billing/webhook", strings.NewReader(`{"id":"evt_x"}`))
	req.Header.Set("Stripe-Signature", "t=1,v1=deadbeef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("bad signature = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestPlanChangeMadeElsewhere: the API key cache holds an account's plan for
// at most half a second. A change this instance makes (webhook, operator
// command) applies at once; one made by another instance applies within the
// TTL for reads, and never lets a scan spend a plan the account has left.
func TestPlanChangeMadeElsewhere(t *testing.T) {
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.WithClock(clock))
	site := target(t)
	acc := env.User("elsewhere@example.com", billing.Pro)
	key := env.Key(acc)
	limit := func() string {
		t.Helper()
		code, hdr, body := env.Do("GET", "/api/v1/usage", key, "", "")
		if code != 200 {
			t.Fatalf("usage = %d %s", code, body)
		}
		return hdr.Get("X-RateLimit-Limit")
	}
	if got := limit(); got != "60" {
		t.Fatalf("pro limit = %s, want 60", got)
	}
	// Another instance downgrades the account: this one's cache still says Pro.
	if err := env.C.DB.Ent.Account.UpdateOneID(acc).SetPlan(domain.PlanFree).Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	code, _, body := env.Do("POST", "/api/v1/scan", key, "application/json", fmt.Sprintf(`{"url":%q,"depth":"DEEP"}`, site.URL))
	if code != 403 || !strings.Contains(string(body), "Free plan does not include DEEP") {
		t.Fatalf("DEEP right after a downgrade elsewhere = %d %s, want 403 from the plan read in the scan's transaction", code, body)
	}
	clock.Advance(600 * time.Millisecond) // past the key cache's 500 ms
	if got := limit(); got != "10" {
		t.Fatalf("limit after the cache TTL = %s, want the free plan's 10", got)
	}
	// This instance's own change applies to the very next call.
	if err := env.C.Auth.SetPlan(t.Context(), acc, billing.Enterprise); err != nil {
		t.Fatal(err)
	}
	if got := limit(); got != "300" {
		t.Fatalf("limit right after SetPlan = %s, want 300", got)
	}
}
