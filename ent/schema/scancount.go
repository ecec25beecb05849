package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/palisade/palisade/app/domain"
)

// ScanCount keeps how many of an account's scans are in each status, moved
// in the same transaction as every status change, so list totals never need
// a COUNT(*) over an account's whole history.
type ScanCount struct{ ent.Schema }

// Mixin of ScanCount.
func (ScanCount) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}}
}

// Fields of ScanCount.
func (ScanCount) Fields() []ent.Field {
	return []ent.Field{
		field.String("status").GoType(domain.ScanStatus("")).NotEmpty(),
		field.Int64("n").Default(0),
	}
}

// Indexes of ScanCount.
func (ScanCount) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "status").Unique()}
}
