package schema

import (
	"entgo.io/ent"
	entsql "entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/palisade/palisade/app/domain"
)

// Site is a tenant's normalised target (scheme, host, port, path:
// scanner.TargetKey) with an optional label. It is created explicitly or
// by the first scan of its target; deleting it keeps its scans and reports
// (their site_id is cleared), and removes its monitor.
type Site struct{ ent.Schema }

// Mixin of Site.
func (Site) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "sit"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Site.
func (Site) Fields() []ent.Field {
	return []ent.Field{
		// target_url is the normalised URL scans of this site are started with.
		field.String("target_url").NotEmpty().MaxLen(2048).Immutable(),
		// target_key is scanner.TargetKey of target_url: the identity two
		// scans share when they are of one site.
		field.String("target_key").NotEmpty().MaxLen(2048).Immutable(),
		field.String("target_domain").NotEmpty().MaxLen(255).Immutable(),
		field.String("label").Optional().MaxLen(100),
		// share_token_hash is the SHA-256 (hex) of the site's public share
		// token, unset while the site is not shared; the token itself is
		// shown once and never stored (docs/monitoring.md, "Sites").
		field.String("share_token_hash").Optional().Nillable().MaxLen(64).Unique(),
		field.Time("share_created_at").Optional().Nillable(),
	}
}

// Edges of Site.
func (Site) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("monitor", Monitor.Type).Unique().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of Site: one site per target per account.
func (Site) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "target_key").Unique(),
		index.Fields("account_id", "created_at", "id"),
	}
}

// Monitor scans one site on a schedule and alerts on what got worse
// (docs/monitoring.md). next_run_at is the next due slot; the scheduler
// advances it in the transaction that enqueues the slot's run.
type Monitor struct{ ent.Schema }

// Mixin of Monitor.
func (Monitor) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "mon"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Monitor.
func (Monitor) Fields() []ent.Field {
	return []ent.Field{
		field.String("site_id").NotEmpty().Immutable(),
		field.Enum("frequency").GoType(domain.Frequency("")),
		// hour is the UTC hour runs are due in; jitter_seconds (stable per
		// monitor) spreads monitors of one hour across it.
		field.Int("hour").Default(6).Min(0).Max(23),
		field.Int("jitter_seconds").Default(0).Min(0).Max(3599),
		field.Enum("depth").GoType(domain.Depth("")).Default(string(domain.DepthQuick)),
		field.Bool("active").Default(true),
		field.JSON("alerts", domain.AlertRules{}),
		field.JSON("state", domain.MonitorState{}).Optional(),
		// state_version is bumped by every write of state: evaluations write
		// it conditionally, so two never apply on top of each other.
		field.Int("state_version").Default(0),
		field.Time("next_run_at"),
		// last_slot is the due slot of the last enqueued run.
		field.Time("last_slot").Optional().Nillable(),
		field.Time("last_run_at").Optional().Nillable(),
		field.String("last_scan_id").Optional(),
		// last_skip says why the last due run did not start (allowance spent), "" otherwise.
		field.String("last_skip").Optional().MaxLen(300),
		field.String("created_by").Optional(),
	}
}

// Edges of Monitor.
func (Monitor) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("site", Site.Type).Ref("monitor").Field("site_id").Unique().Required().Immutable(),
		edge.To("alerts_raised", Alert.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of Monitor: one per site; the scheduler reads due monitors by (active, next_run_at).
func (Monitor) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "site_id").Unique(),
		index.Fields("active", "next_run_at"),
		index.Fields("account_id", "created_at", "id"),
	}
}

// Alert is one message a monitor decided to send (or a test). dedupe_key
// makes raising it idempotent: a retried evaluation, or a threshold already
// crossed, finds the row and sends nothing again.
type Alert struct{ ent.Schema }

// Mixin of Alert.
func (Alert) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "alr"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Alert.
func (Alert) Fields() []ent.Field {
	return []ent.Field{
		field.String("monitor_id").Optional().Nillable(),
		field.String("site_id").Optional(),
		field.String("scan_id").Optional(),
		field.String("previous_scan_id").Optional(),
		field.Enum("kind").GoType(domain.AlertKind("")),
		field.String("dedupe_key").NotEmpty().MaxLen(300),
		field.String("subject").NotEmpty().MaxLen(300),
		// payload is the alert's content (alerts.Content) as JSON; every
		// channel renders its message from it.
		field.Text("payload"),
	}
}

// Edges of Alert.
func (Alert) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("monitor", Monitor.Type).Ref("alerts_raised").Field("monitor_id").Unique(),
		edge.To("deliveries", Delivery.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of Alert.
func (Alert) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "dedupe_key").Unique(),
		index.Fields("account_id", "created_at", "id"),
		index.Fields("monitor_id", "created_at"),
	}
}

// Webhook is an account's endpoint for alerts. Every delivery to it is
// signed with the account's webhook secret (Account.webhook_secret).
type Webhook struct{ ent.Schema }

// Mixin of Webhook.
func (Webhook) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "whk"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Webhook.
func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").NotEmpty().MaxLen(2048),
		field.Enum("format").GoType(domain.WebhookFormat("")).Default(string(domain.WebhookJSON)),
		field.Bool("active").Default(true),
		field.String("created_by").Optional(),
	}
}

// Indexes of Webhook.
func (Webhook) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "url").Unique()}
}

// Delivery is one alert to one channel target, with every attempt logged
// (time, status code, duration) so the owner can see what was sent.
type Delivery struct{ ent.Schema }

// Mixin of Delivery.
func (Delivery) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "dlv"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Delivery.
func (Delivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("alert_id").NotEmpty().Immutable(),
		field.Enum("channel").GoType(domain.Channel("")).Immutable(),
		// target is the webhook URL or the e-mail address.
		field.String("target").NotEmpty().MaxLen(2048).Immutable(),
		field.String("webhook_id").Optional(),
		field.Enum("status").GoType(domain.DeliveryStatus("")).Default(string(domain.DeliveryPending)),
		field.Int("attempts").Default(0),
		field.JSON("log", []domain.DeliveryAttempt{}).Optional(),
		field.Int("last_status_code").Optional(),
		field.String("last_error").Optional().MaxLen(500),
		field.Time("delivered_at").Optional().Nillable(),
		field.Int64("job_id").Optional().Nillable(),
	}
}

// Edges of Delivery.
func (Delivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("alert", Alert.Type).Ref("deliveries").Field("alert_id").Unique().Required().Immutable(),
	}
}

// Indexes of Delivery.
func (Delivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "created_at", "id"),
		index.Fields("webhook_id", "created_at"),
	}
}
