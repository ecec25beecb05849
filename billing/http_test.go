package billing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/web"
	"github.com/palisade/palisade/billing"
)

// TestWebhookHandler drives POST /billing/webhook through Fiber, as the app
// mounts it (app/web's handler, app/httpx's error handler): status codes,
// JSON bodies and the account afterwards.
func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	const cus = "cus_http"
	now := time.Now().Unix()
	upgrade := event("evt_up", billing.EventSubscriptionCreated, now, subscription("sub_h", cus, "active", now+3600, pricePro))
	tooLarge := bytes.Repeat([]byte("x"), billing.MaxWebhookBytes+1)

	cases := []struct {
		name       string
		body       []byte
		sig        *string // nil: valid signature
		configured bool
		closeDB    bool
		wantStatus int
		wantBody   string // substring
		wantPlan   string
	}{
		{"applied", upgrade, nil, true, false, 200, `{"received":true}`, "pro"},
		{"bad signature", upgrade, header("t=1,v1=00"), true, false, 400, `"error":"invalid Stripe-Signature"`, "free"},
		{"missing signature", upgrade, header(""), true, false, 400, `"error"`, "free"},
		{"not JSON", []byte("<xml/>"), nil, true, false, 400, `"error":"invalid webhook payload"`, "free"},
		{"empty body", []byte{}, nil, true, false, 400, `"error"`, "free"},
		{"too large", tooLarge, nil, true, false, 413, `"error":"webhook payload too large"`, "free"},
		{"unknown type", event("evt_t", "charge.refunded", now, obj{"id": "ch_1", "object": "charge"}), nil, true, false, 200, `{"received":true}`, "free"},
		{"unknown customer", event("evt_c", billing.EventSubscriptionCreated, now, subscription("sub_h", "cus_ghost", "active", now+3600, pricePro)), nil, true, false, 200, `{"received":true}`, "free"},
		{"no webhook secret", upgrade, nil, false, false, 503, `"error":"billing webhook is not configured"`, "free"},
		{"database down: 500, generic message", upgrade, nil, true, true, 500, `{"error":"internal error"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			ctx := context.Background()
			acc := d.Ent.Account.Create().SetName("Web").SetStripeCustomerID(cus).SaveX(ctx)
			cfg := billing.Config{PricePro: pricePro, PriceEnterprise: priceEnt}
			if tc.configured {
				cfg.WebhookSecret = whsec
			}
			svc := billing.NewService(cfg, d.Ent, apptest.Logger(t))
			app := fiber.New(fiber.Config{ErrorHandler: httpx.ErrorHandler(apptest.Logger(t))})
			app.Post("/billing/webhook", web.StripeWebhook(svc))

			req := httptest.NewRequest(http.MethodPost, "/billing/webhook", bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			sig := sign(tc.body)
			if tc.sig != nil {
				sig = *tc.sig
			}
			if sig != "" {
				req.Header.Set("Stripe-Signature", sig)
			}
			if tc.closeDB {
				_ = d.SQL.Close()
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(body), tc.wantBody) {
				t.Fatalf("got %d %s, want %d containing %s", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Errorf("body is not JSON: %s", body)
			}
			if tc.closeDB {
				return
			}
			if got := string(d.Ent.Account.GetX(ctx, acc.ID).Plan); got != tc.wantPlan {
				t.Errorf("plan = %s, want %s", got, tc.wantPlan)
			}
		})
	}
}
