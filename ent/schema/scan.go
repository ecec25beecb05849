package schema

import (
	"entgo.io/ent"
	entsql "entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/palisade/palisade/app/domain"
)

// Scan is one accepted request to grade a site. Accepted means counted
// against the month's quota and owning a queued job; the worker moves it
// PENDING → RUNNING → COMPLETED | FAILED | CANCELLED.
type Scan struct{ ent.Schema }

// Mixin of Scan.
func (Scan) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "scn"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Scan.
func (Scan) Fields() []ent.Field {
	return []ent.Field{
		field.String("target_url").NotEmpty().MaxLen(2048).Immutable(),
		field.String("target_domain").NotEmpty().MaxLen(255).Immutable(),
		field.Enum("depth").GoType(domain.Depth("")).Default(string(domain.DepthStandard)).Immutable(),
		field.Enum("status").GoType(domain.ScanStatus("")).Default(string(domain.StatusPending)),
		field.Int("overall_score").Optional().Nillable(),
		field.String("grade").Optional(),
		field.Int("findings_count").Default(0),
		field.String("final_url").Optional().MaxLen(2048),
		field.Int64("duration_ms").Optional(),
		field.String("error").Optional().MaxLen(1000),
		// result is the scanner's full Result as JSON, the source of truth for detail views and reports.
		field.Text("result").Optional(),
		field.Int64("job_id").Optional().Nillable(),
		// cancel_requested is set by any instance; the worker running the scan watches it.
		field.Bool("cancel_requested").Default(false),
		// claim identifies the one worker run that owns a RUNNING scan; only
		// that run may finish it, so a scan never completes twice.
		field.String("claim").Optional(),
		// heartbeat_at is refreshed by the running worker; a RUNNING scan whose
		// heartbeat stops (its instance died) is handed back to the queue.
		field.Time("heartbeat_at").Optional().Nillable(),
		field.Time("started_at").Optional().Nillable(),
		field.Time("completed_at").Optional().Nillable(),
		// quota_refunded is flipped false → true, once, when a scan that never
		// reached its target gives its unit back to the month's quota.
		field.Bool("quota_refunded").Default(false),
		// source is why the scan started (domain.Trigger); monitor and confirm scans spend
		// the monitor-run allowance (or nothing) instead of the manual quota.
		field.Enum("source").GoType(domain.Trigger("")).Default(string(domain.TriggerManual)).Immutable(),
		// site_id is the site the scan is of (cleared when the site is
		// deleted: the scan stays); monitor_id the monitor that started it.
		field.String("site_id").Optional().Nillable(),
		field.String("monitor_id").Optional().Nillable(),
	}
}

// Edges of Scan. A scan's findings, events and reports exist only with it:
// their foreign keys cascade, so a deleted scan (or account) leaves none behind.
func (Scan) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.To("findings", Finding.Type).Annotations(cascade),
		edge.To("events", ScanEvent.Type).Annotations(cascade),
		edge.To("reports", Report.Type).Annotations(cascade),
	}
}

// Indexes of Scan: each list the app shows ("this account's scans, newest
// first, page N", optionally filtered by status or domain) is one index range scan.
func (Scan) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "created_at", "id"),
		index.Fields("account_id", "status", "created_at", "id"),
		index.Fields("account_id", "target_domain", "created_at", "id"),
		index.Fields("status", "updated_at"),
		index.Fields("account_id", "site_id", "created_at", "id"),
	}
}
