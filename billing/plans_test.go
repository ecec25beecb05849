package billing_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/billing"
)

func TestCatalogue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id       string
		want     billing.PlanID
		paid     bool
		priceEnv string
		deep     bool
		scans    int
	}{
		{"free", billing.Free, false, "", false, 3},
		{"pro", billing.Pro, true, "PALISADE_STRIPE_PRICE_PRO", true, 100},
		{"enterprise", billing.Enterprise, true, "PALISADE_STRIPE_PRICE_ENTERPRISE", true, billing.Unlimited},
		{"platinum", billing.Free, false, "", false, 3}, // unknown falls back to Free limits
		{"", billing.Free, false, "", false, 3},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			p := billing.Lookup(tc.id)
			if p.ID != tc.want || p.Paid() != tc.paid || p.PriceEnv != tc.priceEnv ||
				p.AllowsDepth("DEEP") != tc.deep || p.ScansPerMonth != tc.scans {
				t.Errorf("Lookup(%q) = %+v", tc.id, p)
			}
		})
	}
	if ps := billing.Plans(); len(ps) != 3 || ps[0].ID != billing.Free || ps[2].ID != billing.Enterprise {
		t.Errorf("Plans() = %+v", ps)
	}
}

func TestPrices(t *testing.T) {
	t.Parallel()
	p := billing.Config{PricePro: " price_p ", PriceEnterprise: "price_e"}.Prices()
	toPrice := []struct {
		plan billing.PlanID
		want string
		ok   bool
	}{{billing.Free, "", false}, {billing.Pro, "price_p", true}, {billing.Enterprise, "price_e", true}, {"x", "", false}}
	for _, tc := range toPrice {
		if got, ok := p.PriceID(tc.plan); got != tc.want || ok != tc.ok {
			t.Errorf("PriceID(%s) = %q, %v; want %q, %v", tc.plan, got, ok, tc.want, tc.ok)
		}
	}
	toPlan := []struct {
		price string
		want  billing.PlanID
		ok    bool
	}{{"price_p", billing.Pro, true}, {"price_e", billing.Enterprise, true}, {"price_other", "", false}, {"", "", false}}
	for _, tc := range toPlan {
		if got, ok := p.PlanFor(tc.price); got != tc.want || ok != tc.ok {
			t.Errorf("PlanFor(%q) = %q, %v; want %q, %v", tc.price, got, ok, tc.want, tc.ok)
		}
	}
	unsold := billing.NewPrices("", "")
	if _, ok := unsold.PriceID(billing.Pro); ok {
		t.Error("an empty price id sells Pro")
	}
	if _, ok := unsold.PlanFor(""); ok {
		t.Error("the empty price grants a plan")
	}
}

// httpStatus is the status app/httpx answers err with: billing's errors
// are kinds of app/errs, and this is what the kind chosen means to callers.
func httpStatus(err error) int {
	code, _, _, _ := httpx.Status(err)
	return code
}

// TestHTTPStatus: each of billing's errors, wrapped or not, is the kind
// that gives the status the web, the API and Stripe have always seen.
func TestHTTPStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want int
	}{
		{billing.ErrBadSignature, http.StatusBadRequest},
		{fmt.Errorf("%w: detail", billing.ErrBadPayload), http.StatusBadRequest},
		{billing.ErrPayloadTooLarge, http.StatusRequestEntityTooLarge},
		{billing.ErrPlanNotForSale, http.StatusBadRequest},
		{billing.ErrDisabled, http.StatusNotFound},
		{billing.ErrAccountNotFound, http.StatusNotFound},
		{billing.ErrAlreadySubscribed, http.StatusConflict},
		{billing.ErrNoCustomer, http.StatusConflict},
		{fmt.Errorf("%w: %w", billing.ErrStripe, errors.New("boom")), http.StatusBadGateway},
		{billing.ErrWebhookNotConfigured, http.StatusServiceUnavailable},
		{errors.New("database is on fire"), http.StatusInternalServerError},
	}
	for _, tc := range cases {
		if got := httpStatus(tc.err); got != tc.want {
			t.Errorf("status of %v = %d, want %d", tc.err, got, tc.want)
		}
	}
}
