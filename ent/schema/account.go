package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"github.com/palisade/palisade/app/domain"
)

// Account is the tenant: everything a customer owns hangs off it, and its
// plan decides quotas, rate limits and depths.
type Account struct{ ent.Schema }

// Mixin of Account.
func (Account) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "acc"}, TimeMixin{}}
}

// Fields of Account.
func (Account) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100),
		field.Enum("plan").GoType(domain.PlanID("")).Default(string(domain.PlanFree)),
		field.String("stripe_customer_id").Optional().Nillable().Unique(),
		field.String("stripe_subscription_id").Optional().Nillable(),
		field.String("subscription_status").Optional(),
		// subscription_updated_at orders Stripe events so an older one never
		// overrides a newer state.
		field.Time("subscription_updated_at").Optional().Nillable(),
		field.Time("plan_period_end").Optional().Nillable(),
		// webhook_secret is the account's webhook signing secret, sealed
		// (AES-GCM) under the server's secret key, never in plain text;
		// webhook_secret_hint is its last characters, shown to tell it apart.
		field.String("webhook_secret").Optional().Sensitive(),
		field.String("webhook_secret_hint").Optional(),
		field.Time("webhook_secret_at").Optional().Nillable(),
	}
}
