package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// APIKey authenticates CI and scripts on /api/v1. Keys are 128+ random bits,
// so a SHA-256 of the key is a safe, fast lookup; the key itself is shown
// once and never stored.
type APIKey struct{ ent.Schema }

// Mixin of APIKey.
func (APIKey) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "key"}, TimeMixin{}, TenantMixin{}}
}

// Fields of APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100),
		// prefix is the first characters of the key, shown so people can tell keys apart.
		field.String("prefix").NotEmpty().Immutable(),
		field.String("key_hash").NotEmpty().Unique().Sensitive().Immutable(),
		field.String("created_by").Optional(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Int64("request_count").Default(0),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Indexes of APIKey.
func (APIKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "created_at")}
}
