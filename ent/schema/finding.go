package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Finding is one problem a scan found. They are rows (not only inside the
// scan's JSON) so they can be counted, filtered and compared across scans.
type Finding struct{ ent.Schema }

// Mixin of Finding.
func (Finding) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "fnd"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Finding.
func (Finding) Fields() []ent.Field {
	return []ent.Field{
		field.String("scan_id").NotEmpty().Immutable(),
		field.String("check_id").NotEmpty(),
		field.String("category").NotEmpty(),
		field.Enum("severity").Values("critical", "high", "medium", "low", "info"),
		field.String("title").NotEmpty(),
		field.Text("description").Optional(),
		field.Text("recommendation").Optional(),
		field.Text("evidence").Optional(),
		// fix is the structured fix (scanner.Fix) as JSON; recommendation is
		// its plain-text rendering, kept for API clients.
		field.Text("fix").Optional(),
	}
}

// Edges of Finding.
func (Finding) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("scan", Scan.Type).Ref("findings").Field("scan_id").Unique().Required().Immutable(),
	}
}

// Indexes of Finding.
func (Finding) Indexes() []ent.Index {
	return []ent.Index{index.Fields("scan_id")}
}
