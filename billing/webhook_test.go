package billing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
)

// state is what a webhook may change on an account, plus the number of
// recorded events; comparing two states tells whether anything changed.
type state struct {
	Plan      string
	Customer  string
	Sub       string
	Status    string
	SubAt     int64 // subscription_updated_at, 0 when unset
	PeriodEnd int64 // plan_period_end, 0 when unset
	Events    int
}

func snapshot(t *testing.T, c *ent.Client, accountID string) state {
	t.Helper()
	ctx := context.Background()
	a, err := c.Account.Get(ctx, accountID)
	if err != nil {
		t.Fatalf("loading account: %v", err)
	}
	n, err := c.StripeEvent.Query().Count(ctx)
	if err != nil {
		t.Fatalf("counting events: %v", err)
	}
	s := state{Plan: string(a.Plan), Status: a.SubscriptionStatus, Events: n}
	if a.StripeCustomerID != nil {
		s.Customer = *a.StripeCustomerID
	}
	if a.StripeSubscriptionID != nil {
		s.Sub = *a.StripeSubscriptionID
	}
	if a.SubscriptionUpdatedAt != nil {
		s.SubAt = a.SubscriptionUpdatedAt.Unix()
	}
	if a.PlanPeriodEnd != nil {
		s.PeriodEnd = a.PlanPeriodEnd.Unix()
	}
	return s
}

// delivery is one webhook request: a body and, unless header is set, a
// valid signature for it.
type delivery struct {
	body    []byte
	header  *string
	wantErr error
}

func ok(body []byte) delivery { return delivery{body: body} }

func header(h string) *string { return &h }

func TestWebhookKeepsPlanInStepWithSubscription(t *testing.T) {
	t.Parallel()
	const cus, sub1, sub2 = "cus_alpha", "sub_one", "sub_two"
	// Events happened in the past (their created times); deliveries are
	// signed now, as Stripe's retries are.
	t0 := time.Now().Add(-time.Hour).Unix()
	end := time.Now().Add(30 * 24 * time.Hour).Unix()

	cases := []struct {
		name       string
		start      func(*ent.AccountCreate) // beyond customer cus
		noCustomer bool
		deliveries func(accountID string) []delivery
		want       state // Customer and Events checked too
	}{{
		name: "upgrade: checkout completed then subscription created",
		deliveries: func(acc string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventCheckoutCompleted, t0, checkoutSession("cs_1", acc, cus, sub1, billing.Pro))),
				ok(event("evt_2", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 2},
	}, {
		name: "upgrade: subscription created before checkout completed",
		deliveries: func(acc string) []delivery {
			return []delivery{
				ok(event("evt_2", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, priceEnt))),
				ok(event("evt_1", billing.EventCheckoutCompleted, t0, checkoutSession("cs_1", acc, cus, sub1, billing.Pro))),
			}
		},
		want: state{Plan: "enterprise", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 2},
	}, {
		name:       "checkout links a customer to an account found by client_reference_id",
		noCustomer: true,
		deliveries: func(acc string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventCheckoutCompleted, t0, checkoutSession("cs_1", acc, cus, sub1, billing.Pro))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+1, subscription(sub1, cus, "active", end, pricePro))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0 + 1, PeriodEnd: end, Events: 2},
	}, {
		name: "checkout with an unpaid session only links",
		deliveries: func(acc string) []delivery {
			cs := checkoutSession("cs_1", acc, cus, sub1, billing.Pro)
			cs["payment_status"] = "unpaid"
			return []delivery{ok(event("evt_1", billing.EventCheckoutCompleted, t0, cs))}
		},
		want: state{Plan: "free", Customer: cus, Events: 1},
	}, {
		name: "downgrade to a price this deployment does not sell",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+10, subscription(sub1, cus, "active", end, priceElse))),
			}
		},
		want: state{Plan: "free", Customer: cus, Sub: sub1, Status: "active", SubAt: t0 + 10, PeriodEnd: end, Events: 2},
	}, {
		name: "downgrade from Enterprise to Pro",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, priceEnt))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+10, subscription(sub1, cus, "active", end, pricePro))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0 + 10, PeriodEnd: end, Events: 2},
	}, {
		name: "upgrade from Pro to Enterprise; several items grant the best",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+10, subscription(sub1, cus, "trialing", end, priceElse, priceEnt, pricePro))),
			}
		},
		want: state{Plan: "enterprise", Customer: cus, Sub: sub1, Status: "trialing", SubAt: t0 + 10, PeriodEnd: end, Events: 2},
	}, {
		name: "cancel at period end keeps the plan until deleted",
		deliveries: func(string) []delivery {
			canceling := subscription(sub1, cus, "active", end, pricePro)
			canceling["cancel_at_period_end"] = true
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+10, canceling)),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0 + 10, PeriodEnd: end, Events: 2},
	}, {
		name: "cancel: deleted returns to free",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				// Stripe may still say "active" in the object of a deletion.
				ok(event("evt_2", billing.EventSubscriptionDeleted, t0+20, subscription(sub1, cus, "active", end, pricePro))),
			}
		},
		want: state{Plan: "free", Customer: cus, Sub: sub1, Status: "canceled", SubAt: t0 + 20, PeriodEnd: end, Events: 2},
	}, {
		name: "payment failed: status recorded, plan kept while Stripe retries",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventInvoicePaymentFail, t0+30, invoice("in_1", cus, sub1))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "past_due", SubAt: t0 + 30, PeriodEnd: end, Events: 2},
	}, {
		name: "payment failed then paid: active again",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventInvoicePaymentFail, t0+30, invoice("in_1", cus, sub1))),
				ok(event("evt_3", billing.EventInvoicePaid, t0+40, invoice("in_1", cus, sub1))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0 + 40, PeriodEnd: end, Events: 3},
	}, {
		name: "payment failed then unpaid: free",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, priceEnt))),
				ok(event("evt_2", billing.EventInvoicePaymentFail, t0+30, invoice("in_1", cus, sub1))),
				ok(event("evt_3", billing.EventSubscriptionUpdated, t0+60, subscription(sub1, cus, "unpaid", end, priceEnt))),
			}
		},
		want: state{Plan: "free", Customer: cus, Sub: sub1, Status: "unpaid", SubAt: t0 + 60, PeriodEnd: end, Events: 3},
	}, {
		name: "payment failed for another subscription changes nothing",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventInvoicePaymentFail, t0+30, invoice("in_1", cus, "sub_other"))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 2},
	}, {
		name: "the same event twice is applied once",
		deliveries: func(string) []delivery {
			d := ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro)))
			return []delivery{d, d}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 1},
	}, {
		name: "a reused event id is not applied again, whatever it says",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_1", billing.EventSubscriptionUpdated, t0+10, subscription(sub1, cus, "active", end, priceEnt))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 1},
	}, {
		name: "an older update after a newer one is ignored",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_3", billing.EventSubscriptionUpdated, t0+20, subscription(sub1, cus, "active", end, priceEnt))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+10, subscription(sub1, cus, "active", end-1, pricePro))),
			}
		},
		want: state{Plan: "enterprise", Customer: cus, Sub: sub1, Status: "active", SubAt: t0 + 20, PeriodEnd: end, Events: 3},
	}, {
		name: "an older update after the deletion is ignored",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_3", billing.EventSubscriptionDeleted, t0+20, subscription(sub1, cus, "canceled", end, pricePro))),
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0+10, subscription(sub1, cus, "active", end, pricePro))),
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro))),
			}
		},
		want: state{Plan: "free", Customer: cus, Sub: sub1, Status: "canceled", SubAt: t0 + 20, PeriodEnd: end, Events: 3},
	}, {
		name: "in one second, the creation never overrides its update",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_2", billing.EventSubscriptionUpdated, t0, subscription(sub1, cus, "active", end, priceEnt))),
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "incomplete", end, priceEnt))),
			}
		},
		want: state{Plan: "enterprise", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 2},
	}, {
		name: "in one second, nothing revives a deleted subscription",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_2", billing.EventSubscriptionDeleted, t0, subscription(sub1, cus, "canceled", end, pricePro))),
				ok(event("evt_1", billing.EventSubscriptionUpdated, t0, subscription(sub1, cus, "active", end, pricePro))),
			}
		},
		want: state{Plan: "free", Customer: cus, Sub: sub1, Status: "canceled", SubAt: t0, PeriodEnd: end, Events: 2},
	}, {
		name: "the end of a previous subscription does not cancel the current one",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub2, cus, "active", end, pricePro))),
				ok(event("evt_2", billing.EventSubscriptionDeleted, t0+10, subscription(sub1, cus, "canceled", end, priceEnt))),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub2, Status: "active", SubAt: t0, PeriodEnd: end, Events: 2},
	}, {
		name: "a new subscription after a canceled one",
		deliveries: func(string) []delivery {
			return []delivery{
				ok(event("evt_1", billing.EventSubscriptionDeleted, t0, subscription(sub1, cus, "canceled", end, pricePro))),
				ok(event("evt_2", billing.EventSubscriptionCreated, t0+10, subscription(sub2, cus, "active", end+10, priceEnt))),
			}
		},
		want: state{Plan: "enterprise", Customer: cus, Sub: sub2, Status: "active", SubAt: t0 + 10, PeriodEnd: end + 10, Events: 2},
	}, {
		name: "another api_version, expanded customer, 2025 shapes",
		deliveries: func(string) []delivery {
			s := subscription(sub1, cus, "active", 0, pricePro)
			s["customer"] = obj{"id": cus, "object": "customer"}
			delete(s, "current_period_end")
			s["items"].(obj)["data"].([]any)[0].(obj)["current_period_end"] = end
			inv := invoice("in_1", cus, "")
			delete(inv, "subscription")
			inv["parent"] = obj{"type": "subscription_details", "subscription_details": obj{"subscription": sub1}}
			return []delivery{
				ok(withAPIVersion(event("evt_1", billing.EventSubscriptionCreated, t0, s), "2025-03-31.basil")),
				ok(withAPIVersion(event("evt_2", billing.EventInvoicePaymentFail, t0+5, inv), "2025-03-31.basil")),
			}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "past_due", SubAt: t0 + 5, PeriodEnd: end, Events: 2},
	}, {
		name:  "operator-set plan is replaced by the subscription's",
		start: func(c *ent.AccountCreate) { c.SetPlan(domain.PlanEnterprise) },
		deliveries: func(string) []delivery {
			return []delivery{ok(event("evt_1", billing.EventSubscriptionCreated, t0, subscription(sub1, cus, "active", end, pricePro)))}
		},
		want: state{Plan: "pro", Customer: cus, Sub: sub1, Status: "active", SubAt: t0, PeriodEnd: end, Events: 1},
	}}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			ctx := context.Background()
			create := d.Ent.Account.Create().SetName("Acme")
			if !tc.noCustomer {
				create.SetStripeCustomerID(cus)
			}
			if tc.start != nil {
				tc.start(create)
			}
			acc := create.SaveX(ctx)
			svc := webhookService(t, d.Ent)
			for i, dl := range tc.deliveries(acc.ID) {
				h := sign(dl.body)
				if dl.header != nil {
					h = *dl.header
				}
				if err := svc.HandleWebhook(ctx, dl.body, h); !errors.Is(err, dl.wantErr) {
					t.Fatalf("delivery %d: err = %v, want %v", i, err, dl.wantErr)
				}
			}
			if got := snapshot(t, d.Ent, acc.ID); got != tc.want {
				t.Errorf("account after webhooks:\n got %+v\nwant %+v", got, tc.want)
			}
			// The plan column is what every limit reads.
			plan := billing.Lookup(string(d.Ent.Account.GetX(ctx, acc.ID).Plan))
			if string(plan.ID) != tc.want.Plan {
				t.Errorf("limits follow plan %q, want %q", plan.ID, tc.want.Plan)
			}
		})
	}
}

func withAPIVersion(body []byte, v string) []byte {
	var m obj
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	m["api_version"] = v
	b, _ := json.Marshal(m)
	return b
}

// TestWebhookRefusesOrIgnoresBadInput: nothing here may change the account
// or record an event, and every answer is a 4xx or an ignored 200.
func TestWebhookRefusesOrIgnoresBadInput(t *testing.T) {
	t.Parallel()
	const cus = "cus_beta"
	now := time.Now().Unix()
	good := event("evt_good", billing.EventSubscriptionCreated, now, subscription("sub_1", cus, "active", now+3600, priceEnt))
	big := event("evt_big", billing.EventSubscriptionCreated, now, subscription("sub_1", cus, "active", now+3600, priceEnt))
	big = append(big[:len(big)-1], []byte(`,"padding":"`+strings.Repeat("x", billing.MaxWebhookBytes)+`"}`)...)
	old := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: good, Secret: whsec, Timestamp: time.Now().Add(-time.Hour)}).Header
	wrongSecret := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: good, Secret: "whsec_other"}).Header
	mismatched := event("evt_x", billing.EventSubscriptionCreated, now, invoice("in_1", cus, "sub_1"))

	cases := []struct {
		name     string
		body     []byte
		header   *string // nil: a valid signature
		wantErr  error
		recorded bool // the event id is stored (account known), yet nothing changes
	}{
		{"missing signature", good, header(""), billing.ErrBadSignature, false},
		{"garbage signature", good, header("nonsense"), billing.ErrBadSignature, false},
		{"wrong secret", good, header(wrongSecret), billing.ErrBadSignature, false},
		{"signature of another body", good, header(sign([]byte(`{"id":"evt_other"}`))), billing.ErrBadSignature, false},
		{"signature too old (replay)", good, header(old), billing.ErrBadSignature, false},
		{"not JSON, unsigned", []byte("hello"), header(""), billing.ErrBadSignature, false},
		{"not JSON, signed", []byte("hello"), nil, billing.ErrBadPayload, false},
		{"JSON but not an event", []byte(`{"hello":"world"}`), nil, billing.ErrBadPayload, false},
		{"event without data.object", []byte(`{"id":"evt_1","type":"invoice.paid","created":1}`), nil, billing.ErrBadPayload, false},
		{"data.object of the wrong kind", mismatched, nil, billing.ErrBadPayload, false},
		{"subscription without customer", event("evt_y", billing.EventSubscriptionUpdated, now, obj{"id": "sub_1", "object": "subscription", "status": "active"}), nil, billing.ErrBadPayload, false},
		{"too large", big, nil, billing.ErrPayloadTooLarge, false},
		{"unknown type: ignored", event("evt_z", "customer.created", now, obj{"id": cus, "object": "customer"}), nil, nil, false},
		{"unknown customer: ignored", event("evt_u", billing.EventSubscriptionCreated, now, subscription("sub_9", "cus_nobody", "active", now+3600, priceEnt)), nil, nil, false},
		{"checkout for an unknown account: ignored", event("evt_v", billing.EventCheckoutCompleted, now, checkoutSession("cs_9", "acc_nobody", "cus_nobody", "sub_9", billing.Enterprise)), nil, nil, false},
		{"invoice without subscription: recorded, no change", event("evt_w", billing.EventInvoicePaid, now, invoice("in_2", cus, "")), nil, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			ctx := context.Background()
			acc := d.Ent.Account.Create().SetName("Beta").SetStripeCustomerID(cus).SaveX(ctx)
			other := d.Ent.Account.Create().SetName("Other").SaveX(ctx)
			before, beforeOther := snapshot(t, d.Ent, acc.ID), snapshot(t, d.Ent, other.ID)
			acc = d.Ent.Account.GetX(ctx, acc.ID) // updated_at as stored (PostgreSQL keeps µs)
			h := sign(tc.body)
			if tc.header != nil {
				h = *tc.header
			}
			svc := webhookService(t, d.Ent)
			err := svc.HandleWebhook(ctx, tc.body, h)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if status := httpStatus(err); status >= 500 {
				t.Errorf("HTTP status %d for bad input", status)
			}
			after := snapshot(t, d.Ent, acc.ID)
			if tc.recorded {
				before.Events = 1
			}
			if after != before {
				t.Errorf("account changed:\n got %+v\nwant %+v", after, before)
			}
			if got := snapshot(t, d.Ent, other.ID); got.Plan != beforeOther.Plan || got.Customer != beforeOther.Customer {
				t.Errorf("other account changed: %+v → %+v", beforeOther, got)
			}
			if a := d.Ent.Account.GetX(ctx, acc.ID); !a.UpdatedAt.Equal(acc.UpdatedAt) {
				t.Errorf("account row written (updated_at %v → %v)", acc.UpdatedAt, a.UpdatedAt)
			}
		})
	}
}

// TestWebhookReplayWritesNothing: an identical redelivery must not even
// touch the account row (a tie on created alone would re-apply it).
func TestWebhookReplayWritesNothing(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	ctx := context.Background()
	acc := d.Ent.Account.Create().SetName("Replay").SetStripeCustomerID("cus_r").SaveX(ctx)
	svc := webhookService(t, d.Ent)
	now := time.Now().Unix()
	body := event("evt_r", billing.EventSubscriptionUpdated, now, subscription("sub_r", "cus_r", "active", now+3600, pricePro))
	if err := svc.HandleWebhook(ctx, body, sign(body)); err != nil {
		t.Fatal(err)
	}
	first := d.Ent.Account.GetX(ctx, acc.ID)
	time.Sleep(20 * time.Millisecond)
	if err := svc.HandleWebhook(ctx, body, sign(body)); err != nil {
		t.Fatal(err)
	}
	second := d.Ent.Account.GetX(ctx, acc.ID)
	if !second.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("replay rewrote the account: updated_at %v → %v", first.UpdatedAt, second.UpdatedAt)
	}
	if first.Plan != domain.PlanPro {
		t.Errorf("plan = %s, want pro", first.Plan)
	}
}

// TestWebhookConcurrentDeliveries: Stripe delivers in parallel. The same
// event at once is recorded once; two updates racing end with the newer
// one, whichever commits last (PostgreSQL row lock; SQLite's single writer).
func TestWebhookConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	ctx := context.Background()
	acc := d.Ent.Account.Create().SetName("Race").SetStripeCustomerID("cus_c").SaveX(ctx)
	svc := webhookService(t, d.Ent)
	t0 := time.Now().Add(-time.Hour).Unix()

	run := func(bodies ...[]byte) {
		var wg sync.WaitGroup
		errs := make(chan error, len(bodies))
		for _, b := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- svc.HandleWebhook(ctx, b, sign(b))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent delivery: %v", err)
			}
		}
	}

	same := event("evt_same", billing.EventSubscriptionCreated, t0, subscription("sub_c", "cus_c", "active", t0+3600, pricePro))
	run(same, same, same, same, same, same, same, same)
	if n := d.Ent.StripeEvent.Query().CountX(ctx); n != 1 {
		t.Fatalf("%d events recorded for one delivered 8 times", n)
	}

	for round := range 10 {
		at := t0 + int64(10*(round+1))
		older := event(fmt.Sprintf("evt_o%d", round), billing.EventSubscriptionUpdated, at,
			subscription("sub_c", "cus_c", "active", t0+3600, priceEnt))
		newer := event(fmt.Sprintf("evt_n%d", round), billing.EventSubscriptionUpdated, at+1,
			subscription("sub_c", "cus_c", "active", t0+3600, pricePro))
		run(newer, older, older) // the duplicate of older races too
		got := snapshot(t, d.Ent, acc.ID)
		if got.Plan != "pro" || got.SubAt != at+1 {
			t.Fatalf("round %d: plan %s at %d, want pro at %d (the newer update)", round, got.Plan, got.SubAt, at+1)
		}
	}
	if n := d.Ent.StripeEvent.Query().CountX(ctx); n != 21 {
		t.Errorf("%d events recorded, want 21", n)
	}
}

func TestWebhookNotConfigured(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	svc := billing.NewService(billing.Config{}, d.Ent, nil)
	body := event("evt_1", billing.EventSubscriptionCreated, time.Now().Unix(), subscription("s", "c", "active", 0, pricePro))
	err := svc.HandleWebhook(context.Background(), body, sign(body))
	if !errors.Is(err, billing.ErrWebhookNotConfigured) {
		t.Fatalf("err = %v, want ErrWebhookNotConfigured", err)
	}
	if svc.Enabled() {
		t.Error("Enabled() with no secret key")
	}
}
