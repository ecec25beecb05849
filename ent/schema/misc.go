package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/palisade/palisade/app/domain"
)

// StripeEvent remembers every Stripe webhook event applied, so a replay or a
// duplicate delivery changes nothing.
type StripeEvent struct{ ent.Schema }

// Fields of StripeEvent.
func (StripeEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty(), // Stripe's evt_… id
		field.String("type").NotEmpty(),
		field.String("account_id").Optional(),
		field.Time("created_at").Immutable().Default(now),
	}
}

// Invite lets an owner bring a colleague into the account by link. Only the
// token's hash is stored.
type Invite struct{ ent.Schema }

// Mixin of Invite.
func (Invite) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "inv"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Invite.
func (Invite) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").NotEmpty().Unique().Sensitive(),
		field.String("email").Optional(),
		field.Enum("role").GoType(domain.Role("")).Default(string(domain.RoleMember)),
		field.Time("expires_at"),
		field.Time("accepted_at").Optional().Nillable(),
	}
}

// KV is a small shared key-value store with expiry (CSRF tokens, short-lived
// counters) so that every instance sees the same state.
type KV struct{ ent.Schema }

// Fields of KV.
func (KV) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty().MaxLen(255), // the key
		field.Bytes("value"),
		field.Time("expires_at").Optional().Nillable(),
	}
}

// Indexes of KV.
func (KV) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

// RateLimit is the state of one API key's request rate (GCRA: the
// theoretical arrival time of the next request, in Unix microseconds). It
// lives in the database so every instance enforces the same limit.
type RateLimit struct{ ent.Schema }

// Fields of RateLimit.
func (RateLimit) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty().MaxLen(64), // the API key id
		field.Int64("tat").Default(0),
		field.String("nonce").Optional(),
	}
}
