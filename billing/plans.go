package billing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/palisade/palisade/app/domain"
)

// PlanID names a plan; it is what the accounts table stores. It is the
// domain type, so an account's plan field and the catalogue share one type.
type PlanID = domain.PlanID

// The three plans (see the README, Billing).
const (
	Free       = domain.PlanFree
	Pro        = domain.PlanPro
	Enterprise = domain.PlanEnterprise
)

// Unlimited marks a quota with no ceiling.
const Unlimited = -1

// Plan is one row of the price list. It is the single source of truth for
// quotas, rate limits, depths and concurrency; nothing else hard-codes them.
type Plan struct {
	ID                PlanID
	Name              string
	PriceMonthlyUSD   int
	ScansPerMonth     int // Unlimited for no ceiling
	RequestsPerMinute int
	Depths            []domain.Depth
	APIKeys           int
	ConcurrentScans   int
	// Monitors is how many sites the plan watches on a schedule;
	// MonitorFrequencies and MonitorDepths are what those monitors may use.
	Monitors           int
	MonitorFrequencies []domain.Frequency
	MonitorDepths      []domain.Depth
	// MonitorRunsPerMonth is the allowance of monitor runs (scheduled and
	// "run now"), separate from ScansPerMonth; the immediate re-scan that
	// confirms a regression is not counted.
	MonitorRunsPerMonth int
	// PriceEnv names the environment variable holding the plan's Stripe
	// price id (empty for Free, which is never bought). The id itself is
	// deployment configuration, so it reaches billing through Config, never
	// through this table.
	PriceEnv string
}

var catalogue = []Plan{
	{ID: Free, Name: "Free", PriceMonthlyUSD: 0, ScansPerMonth: 3, RequestsPerMinute: 10,
		Depths: []domain.Depth{domain.DepthQuick, domain.DepthStandard}, APIKeys: 5, ConcurrentScans: 1,
		Monitors: 1, MonitorFrequencies: []domain.Frequency{domain.FrequencyWeekly}, MonitorDepths: []domain.Depth{domain.DepthQuick},
		MonitorRunsPerMonth: 8},
	{ID: Pro, Name: "Pro", PriceMonthlyUSD: 29, ScansPerMonth: 100, RequestsPerMinute: 60,
		Depths: []domain.Depth{domain.DepthQuick, domain.DepthStandard, domain.DepthDeep}, APIKeys: 5, ConcurrentScans: 3,
		Monitors: 5, MonitorFrequencies: []domain.Frequency{domain.FrequencyDaily, domain.FrequencyWeekly, domain.FrequencyMonthly}, MonitorDepths: []domain.Depth{domain.DepthQuick, domain.DepthStandard, domain.DepthDeep},
		MonitorRunsPerMonth: 250,
		PriceEnv:            "PALISADE_STRIPE_PRICE_PRO"},
	{ID: Enterprise, Name: "Enterprise", PriceMonthlyUSD: 199, ScansPerMonth: Unlimited, RequestsPerMinute: 300,
		Depths: []domain.Depth{domain.DepthQuick, domain.DepthStandard, domain.DepthDeep}, APIKeys: 5, ConcurrentScans: 10,
		Monitors: 25, MonitorFrequencies: []domain.Frequency{domain.FrequencyDaily, domain.FrequencyWeekly, domain.FrequencyMonthly}, MonitorDepths: []domain.Depth{domain.DepthQuick, domain.DepthStandard, domain.DepthDeep},
		MonitorRunsPerMonth: 1000,
		PriceEnv:            "PALISADE_STRIPE_PRICE_ENTERPRISE"},
}

// Plans returns the catalogue, cheapest first.
func Plans() []Plan { return slices.Clone(catalogue) }

// Lookup returns the plan with id; unknown ids (which the schema's enum
// prevents) fall back to Free so limits always apply. It takes a PlanID or a
// plain string, so callers holding either need no conversion.
func Lookup[T ~string](id T) Plan {
	for _, p := range catalogue {
		if p.ID == PlanID(id) {
			return p
		}
	}
	return catalogue[0]
}

// ParsePlan validates a plan name typed by an operator.
func ParsePlan(s string) (PlanID, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if id, ok := domain.ParsePlanID(s); ok {
		return id, nil
	}
	return "", fmt.Errorf("unknown plan %q: use free, pro or enterprise", s)
}

// AllowsDepth reports whether the plan includes depth.
func (p Plan) AllowsDepth(depth domain.Depth) bool { return slices.Contains(p.Depths, depth) }

// AllowsMonitor reports whether the plan's monitors may scan at depth with frequency.
func (p Plan) AllowsMonitor(f domain.Frequency, depth domain.Depth) bool {
	return slices.Contains(p.MonitorFrequencies, f) && slices.Contains(p.MonitorDepths, depth)
}

// DepthNames returns the plan's depths as text, for pages that list them.
func (p Plan) DepthNames() []string {
	out := make([]string, len(p.Depths))
	for i, d := range p.Depths {
		out[i] = string(d)
	}
	return out
}

// Paid reports whether the plan is sold through Stripe; only paid plans have
// a price id and can be the target of a Checkout.
func (p Plan) Paid() bool { return p.PriceMonthlyUSD > 0 }

// rank orders plans from cheapest (0) so that a subscription carrying
// several known prices grants the best of them.
func rank(id PlanID) int {
	return slices.IndexFunc(catalogue, func(p Plan) bool { return p.ID == id })
}

// Prices maps the paid plans to the Stripe price ids configured for them
// (PALISADE_STRIPE_PRICE_PRO, PALISADE_STRIPE_PRICE_ENTERPRISE) and back:
// Checkout needs plan → price, webhooks need price → plan. It is built from
// Config so tests and several services can use different ids side by side.
type Prices struct {
	byPlan  map[PlanID]string
	byPrice map[string]PlanID
}

// NewPrices builds the mapping; an empty id leaves that plan unsold. Should
// both plans name the same id, the dearer plan wins the reverse lookup.
func NewPrices(pro, enterprise string) Prices {
	p := Prices{byPlan: map[PlanID]string{}, byPrice: map[string]PlanID{}}
	for _, pair := range []struct {
		plan  PlanID
		price string
	}{{Pro, pro}, {Enterprise, enterprise}} {
		price := strings.TrimSpace(pair.price)
		if price == "" {
			continue
		}
		p.byPlan[pair.plan] = price
		p.byPrice[price] = pair.plan
	}
	return p
}

// PriceID returns the Stripe price id that sells plan, and false when the
// plan is free or has no price configured.
func (p Prices) PriceID(plan PlanID) (string, bool) {
	id, ok := p.byPlan[plan]
	return id, ok
}

// PlanFor returns the plan a Stripe price id grants, and false for a price
// this deployment does not sell (which grants nothing beyond Free).
func (p Prices) PlanFor(priceID string) (PlanID, bool) {
	plan, ok := p.byPrice[priceID]
	return plan, ok
}

// best returns the highest plan any of priceIDs grants, or Free and false
// when none is known.
func (p Prices) best(priceIDs []string) (PlanID, bool) {
	best, found := Free, false
	for _, id := range priceIDs {
		if plan, ok := p.PlanFor(id); ok && (!found || rank(plan) > rank(best)) {
			best, found = plan, true
		}
	}
	return best, found
}
