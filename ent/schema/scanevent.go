package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/palisade/palisade/app/domain"
)

// ScanEvent records a scan's progress (start, each check's completion, the
// end) in the database, so any instance can stream it to any subscriber.
type ScanEvent struct{ ent.Schema }

// Mixin of ScanEvent.
func (ScanEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}}
}

// Fields of ScanEvent. The id is an auto-increment integer: events are read in id order.
func (ScanEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("scan_id").NotEmpty().Immutable(),
		field.String("kind").GoType(domain.EventKind("")).NotEmpty().Immutable(),
		field.String("check_id").Optional().Immutable(),
		field.String("name").Optional().Immutable(),
		field.String("status").Optional().Immutable(),
		field.Time("created_at").Immutable().Default(func() time.Time { return time.Now().UTC() }),
	}
}

// Edges of ScanEvent.
func (ScanEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("scan", Scan.Type).Ref("events").Field("scan_id").Unique().Required().Immutable(),
	}
}

// Indexes of ScanEvent.
func (ScanEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("scan_id")}
}
