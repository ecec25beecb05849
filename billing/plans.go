// Package billing holds the plan catalogue every limit check reads, and (with
// Stripe configured) keeps an account's plan in step with its subscription.
package billing

import (
	"fmt"
	"slices"
	"strings"
)

// PlanID names a plan; it is what the accounts table stores.
type PlanID string

// The three plans of PRODUCT.md §3.
const (
	Free       PlanID = "free"
	Pro        PlanID = "pro"
	Enterprise PlanID = "enterprise"
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
	Depths            []string
	APIKeys           int
	ConcurrentScans   int
}

var catalogue = []Plan{
	{ID: Free, Name: "Free", PriceMonthlyUSD: 0, ScansPerMonth: 3, RequestsPerMinute: 10,
		Depths: []string{"QUICK", "STANDARD"}, APIKeys: 5, ConcurrentScans: 1},
	{ID: Pro, Name: "Pro", PriceMonthlyUSD: 29, ScansPerMonth: 100, RequestsPerMinute: 60,
		Depths: []string{"QUICK", "STANDARD", "DEEP"}, APIKeys: 5, ConcurrentScans: 3},
	{ID: Enterprise, Name: "Enterprise", PriceMonthlyUSD: 199, ScansPerMonth: Unlimited, RequestsPerMinute: 300,
		Depths: []string{"QUICK", "STANDARD", "DEEP"}, APIKeys: 5, ConcurrentScans: 10},
}

// Plans returns the catalogue, cheapest first.
func Plans() []Plan { return slices.Clone(catalogue) }

// Lookup returns the plan with id; unknown ids (which the schema's enum
// prevents) fall back to Free so limits always apply.
func Lookup(id string) Plan {
	for _, p := range catalogue {
		if string(p.ID) == id {
			return p
		}
	}
	return catalogue[0]
}

// ParsePlan validates a plan name typed by an operator.
func ParsePlan(s string) (PlanID, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range catalogue {
		if string(p.ID) == s {
			return p.ID, nil
		}
	}
	return "", fmt.Errorf("unknown plan %q: use free, pro or enterprise", s)
}

// AllowsDepth reports whether the plan includes depth.
func (p Plan) AllowsDepth(depth string) bool { return slices.Contains(p.Depths, depth) }
