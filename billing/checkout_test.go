package billing_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
)

// call is one request the service made to Stripe.
type call struct {
	Method, Path, Idempotency string
	Form                      url.Values
}

// stripeRecorder sits between the service and stripe-mock and remembers
// every request, so tests can count customers created and read what a
// session was created with (stripe-mock itself keeps no state).
type stripeRecorder struct {
	URL   string
	mu    sync.Mutex
	calls []call
}

func newStripeRecorder(t *testing.T) *stripeRecorder {
	t.Helper()
	target, err := url.Parse(stripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	r := &stripeRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.calls = append(r.calls, call{Method: req.Method, Path: req.URL.Path, Idempotency: req.Header.Get("Idempotency-Key"), Form: form})
		r.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// posts returns the POSTs made to path.
func (r *stripeRecorder) posts(path string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.Method == http.MethodPost && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func (r *stripeRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func TestCheckoutCreatesCustomerOnceAndSessions(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	ctx := context.Background()
	rec := newStripeRecorder(t)
	svc := billing.NewService(billing.Config{
		SecretKey: "sk_test_123", WebhookSecret: whsec, PricePro: pricePro, PriceEnterprise: priceEnt, APIBase: rec.URL,
	}, d.Ent, apptest.Logger(t))
	if !svc.Enabled() {
		t.Fatal("Enabled() false with a secret key")
	}
	acc := d.Ent.Account.Create().SetName("Acme").SaveX(ctx)

	steps := []struct {
		plan  billing.PlanID
		price string
	}{{billing.Pro, pricePro}, {billing.Enterprise, priceEnt}}
	var customer string
	for i, st := range steps {
		u, err := svc.Checkout(ctx, acc.ID, st.plan, "https://palisade.test/billing?ok=1", "https://palisade.test/billing")
		if err != nil {
			t.Fatalf("checkout %d (%s): %v", i, st.plan, err)
		}
		if pu, err := url.Parse(u); err != nil || pu.Scheme != "https" || pu.Host == "" {
			t.Fatalf("checkout %d: URL %q is not an https URL", i, u)
		}
		stored := d.Ent.Account.GetX(ctx, acc.ID).StripeCustomerID
		if stored == nil || !strings.HasPrefix(*stored, "cus_") {
			t.Fatalf("checkout %d: account stripe_customer_id = %v", i, stored)
		}
		if i == 0 {
			customer = *stored
		} else if *stored != customer {
			t.Fatalf("checkout %d: customer changed %s → %s", i, customer, *stored)
		}
		sessions := rec.posts("/v1/checkout/sessions")
		if len(sessions) != i+1 {
			t.Fatalf("checkout %d: %d sessions created", i, len(sessions))
		}
		f := sessions[i].Form
		want := map[string]string{
			"mode": "subscription", "customer": customer, "client_reference_id": acc.ID,
			"line_items[0][price]": st.price, "line_items[0][quantity]": "1",
			"success_url": "https://palisade.test/billing?ok=1", "cancel_url": "https://palisade.test/billing",
			"metadata[account_id]": acc.ID, "metadata[plan]": string(st.plan),
			"subscription_data[metadata][account_id]": acc.ID,
		}
		for k, v := range want {
			if got := f.Get(k); got != v {
				t.Errorf("checkout %d: session %s = %q, want %q", i, k, got, v)
			}
		}
	}
	customers := rec.posts("/v1/customers")
	if len(customers) != 1 {
		t.Fatalf("%d customers created for two checkouts, want 1", len(customers))
	}
	if got := customers[0].Form.Get("metadata[account_id]"); got != acc.ID {
		t.Errorf("customer metadata account_id = %q", got)
	}
	if got := customers[0].Idempotency; got != "palisade-customer-"+acc.ID {
		t.Errorf("customer Idempotency-Key = %q", got)
	}

	// Manage: a portal session for the stored customer.
	u, err := svc.Portal(ctx, acc.ID, "https://palisade.test/billing")
	if err != nil {
		t.Fatalf("portal: %v", err)
	}
	if !strings.HasPrefix(u, "https://") {
		t.Errorf("portal URL %q", u)
	}
	portals := rec.posts("/v1/billing_portal/sessions")
	if len(portals) != 1 || portals[0].Form.Get("customer") != customer || portals[0].Form.Get("return_url") != "https://palisade.test/billing" {
		t.Errorf("portal sessions = %+v", portals)
	}
	if len(rec.posts("/v1/customers")) != 1 {
		t.Error("portal created a customer")
	}
}

// TestCheckoutRefusals: each refusal is a typed error and calls Stripe
// no more than it must.
func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name      string
		cfg       billing.Config
		setup     func(*testing.T, *domain.PlanID) (customer, sub *string, status string)
		portal    bool
		plan      billing.PlanID
		accountID string // "" → the created account
		wantErr   error
		wantHTTP  int
	}{
		{name: "disabled checkout", cfg: billing.Config{PricePro: pricePro}, plan: billing.Pro, wantErr: billing.ErrDisabled, wantHTTP: 404},
		{name: "disabled portal", cfg: billing.Config{PricePro: pricePro}, portal: true, wantErr: billing.ErrDisabled, wantHTTP: 404},
		{name: "free is not for sale", plan: billing.Free, wantErr: billing.ErrPlanNotForSale, wantHTTP: 400},
		{name: "unknown plan", plan: "platinum", wantErr: billing.ErrPlanNotForSale, wantHTTP: 400},
		{name: "enterprise without a price", cfg: billing.Config{SecretKey: "sk_test_123", PricePro: pricePro}, plan: billing.Enterprise, wantErr: billing.ErrPlanNotForSale, wantHTTP: 400},
		{name: "unknown account", plan: billing.Pro, accountID: "acc_missing", wantErr: billing.ErrAccountNotFound, wantHTTP: 404},
		{name: "portal without a customer", portal: true, wantErr: billing.ErrNoCustomer, wantHTTP: 409},
		{name: "already subscribed", plan: billing.Enterprise, wantErr: billing.ErrAlreadySubscribed, wantHTTP: 409,
			setup: func(_ *testing.T, p *domain.PlanID) (*string, *string, string) {
				*p = domain.PlanPro
				c, s := "cus_x", "sub_x"
				return &c, &s, "past_due"
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			rec := newStripeRecorder(t)
			cfg := tc.cfg
			if cfg == (billing.Config{}) {
				cfg = billing.Config{SecretKey: "sk_test_123", PricePro: pricePro, PriceEnterprise: priceEnt}
			}
			cfg.APIBase = rec.URL
			svc := billing.NewService(cfg, d.Ent, apptest.Logger(t))
			create := d.Ent.Account.Create().SetName("Acme")
			if tc.setup != nil {
				plan := domain.PlanFree
				c, s, st := tc.setup(t, &plan)
				create.SetPlan(plan).SetNillableStripeCustomerID(c).SetNillableStripeSubscriptionID(s).SetSubscriptionStatus(st)
			}
			acc := create.SaveX(ctx)
			id := tc.accountID
			if id == "" {
				id = acc.ID
			}
			var u string
			var err error
			if tc.portal {
				u, err = svc.Portal(ctx, id, "https://palisade.test/")
			} else {
				u, err = svc.Checkout(ctx, id, tc.plan, "https://palisade.test/ok", "https://palisade.test/no")
			}
			if !errors.Is(err, tc.wantErr) || u != "" {
				t.Fatalf("got (%q, %v), want error %v", u, err, tc.wantErr)
			}
			if got := httpStatus(err); got != tc.wantHTTP {
				t.Errorf("HTTPStatus = %d, want %d", got, tc.wantHTTP)
			}
			if n := rec.count(); n != 0 {
				t.Errorf("%d Stripe calls for a refused request", n)
			}
		})
	}
}

// TestCheckoutStripeDown: an unreachable Stripe is ErrStripe (502), and no
// customer id is stored.
func TestCheckoutStripeDown(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	svc := billing.NewService(billing.Config{SecretKey: "sk_test_123", PricePro: pricePro, APIBase: dead}, d.Ent, apptest.Logger(t))
	acc := d.Ent.Account.Create().SetName("Acme").SaveX(ctx)
	_, err = svc.Checkout(ctx, acc.ID, billing.Pro, "https://palisade.test/ok", "https://palisade.test/no")
	if !errors.Is(err, billing.ErrStripe) || httpStatus(err) != http.StatusBadGateway {
		t.Fatalf("err = %v (HTTP %d), want ErrStripe (502)", err, httpStatus(err))
	}
	if c := d.Ent.Account.GetX(ctx, acc.ID).StripeCustomerID; c != nil {
		t.Errorf("customer id %q stored although Stripe was down", *c)
	}
}
