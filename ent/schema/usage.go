package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Usage counts an account's accepted scans in one calendar month (UTC). The
// quota check is a single conditional UPDATE on this row, so concurrent
// requests can never accept more than the plan allows.
type Usage struct{ ent.Schema }

// Mixin of Usage.
func (Usage) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of Usage.
func (Usage) Fields() []ent.Field {
	return []ent.Field{
		field.String("period").NotEmpty().MaxLen(7), // "2026-11"
		field.Int("scans").Default(0),
		// monitor_runs counts scheduled and "run now" monitor runs, which
		// have their own allowance (billing.Plan.MonitorRunsPerMonth).
		field.Int("monitor_runs").Default(0),
	}
}

// Indexes of Usage.
func (Usage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "period").Unique()}
}
