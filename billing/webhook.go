package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/predicate"
	"github.com/palisade/palisade/ent/stripeevent"
)

// MaxWebhookBytes bounds a webhook body. Stripe's events are a few KiB;
// anything over 1 MiB is refused before it is parsed.
const MaxWebhookBytes = 1 << 20

// Event types the webhook applies; every other type is acknowledged (200)
// and ignored, as Stripe expects from an endpoint subscribed to more events
// than it handles.
const (
	// EventCheckoutCompleted links the customer (if new) and grants the
	// bought plan at once, so the success page already shows it.
	EventCheckoutCompleted = "checkout.session.completed"
	// EventSubscriptionCreated sets the plan from the subscription's price.
	EventSubscriptionCreated = "customer.subscription.created"
	// EventSubscriptionUpdated follows plan changes, cancellations at period
	// end and status changes (unpaid → Free).
	EventSubscriptionUpdated = "customer.subscription.updated"
	// EventSubscriptionDeleted returns the account to Free: Stripe sends it
	// when the subscription actually ends (at the period end for a
	// cancellation made in the portal).
	EventSubscriptionDeleted = "customer.subscription.deleted"
	// EventInvoicePaymentFail records past_due; the plan stays while
	// Stripe retries the card.
	EventInvoicePaymentFail = "invoice.payment_failed"
	// EventInvoicePaid clears past_due after a successful retry.
	EventInvoicePaid = "invoice.paid"
)

type eventKind int

const (
	kindCheckout eventKind = iota
	kindSubCreated
	kindSubUpdated
	kindSubDeleted
	kindInvoiceFailed
	kindInvoicePaid
)

var handled = map[string]eventKind{
	EventCheckoutCompleted:   kindCheckout,
	EventSubscriptionCreated: kindSubCreated,
	EventSubscriptionUpdated: kindSubUpdated,
	EventSubscriptionDeleted: kindSubDeleted,
	EventInvoicePaymentFail:  kindInvoiceFailed,
	EventInvoicePaid:         kindInvoicePaid,
}

// Subscription statuses (Stripe's). A live subscription grants its plan;
// every other status (incomplete, incomplete_expired, unpaid, paused,
// canceled) grants Free.
const (
	statusActive   = "active"
	statusTrialing = "trialing"
	statusPastDue  = "past_due"
	statusCanceled = "canceled"
)

func liveStatus(status string) bool {
	return status == statusActive || status == statusTrialing || status == statusPastDue
}

// HandleWebhook verifies one webhook delivery and applies it at most once.
//
// The signature is checked with STRIPE_WEBHOOK_SECRET (default 5-minute
// tolerance against replays of old deliveries). The event's api_version is
// deliberately not required to equal stripe-go's: the endpoint's version is
// chosen in the Stripe dashboard, and this package reads only the few fields
// it needs with its own tolerant decoders (ids as strings or expanded
// objects; period end and invoice subscription in both their old and 2025
// places), so a version bump in Stripe does not stop billing.
//
// Recording the event id and changing the account happen in one
// transaction, under a row lock on the account on PostgreSQL (SQLite
// serialises writers), so a duplicate or replayed delivery changes nothing
// and two deliveries for one account cannot interleave. Ordering uses the
// event's created time against the account's subscription_updated_at: an
// event older than the state already applied is recorded and ignored.
//
// Errors: ErrWebhookNotConfigured, ErrPayloadTooLarge, ErrBadSignature,
// ErrBadPayload, or a database error (which Stripe will retry). Events of
// other types, and events for customers no account knows, return nil and
// change nothing.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) error {
	if s.cfg.WebhookSecret == "" {
		return ErrWebhookNotConfigured
	}
	if len(payload) > MaxWebhookBytes {
		return ErrPayloadTooLarge
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.cfg.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			s.log.WarnContext(ctx, "webhook refused: bad signature", "err", err)
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
		s.log.WarnContext(ctx, "webhook refused: unreadable body", "err", err)
		return fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if ev.ID == "" || ev.Type == "" || ev.Created <= 0 || ev.Data == nil || len(ev.Data.Raw) == 0 {
		s.log.WarnContext(ctx, "webhook refused: not a Stripe event", "event_id", ev.ID, "event_type", ev.Type)
		return fmt.Errorf("%w: missing id, type, created or data.object", ErrBadPayload)
	}
	log := s.log.With("event_id", ev.ID, "event_type", string(ev.Type))
	kind, ok := handled[string(ev.Type)]
	if !ok {
		log.DebugContext(ctx, "webhook event type not handled: ignored")
		return nil
	}
	ch, err := decodeChange(kind, ev, s.prices)
	if err != nil {
		log.WarnContext(ctx, "webhook refused: unreadable event object", "err", err)
		return fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if ch.live && !ch.priceKnown {
		log.WarnContext(ctx, "subscription carries no price this deployment sells: it grants Free",
			"subscription_id", ch.subscriptionID, "prices", ch.prices)
	}
	return s.apply(ctx, log, ev.ID, string(ev.Type), ch)
}

// change is what one event says, read out of its object.
type change struct {
	kind           eventKind
	at             time.Time // the event's created time
	customerID     string
	accountRef     string // checkout: client_reference_id
	subscriptionID string
	status         string
	live           bool
	plan           PlanID // what the subscription (or checkout metadata) grants
	priceKnown     bool
	prices         []string
	periodEnd      *time.Time
	checkoutPaid   bool
}

// ref is a Stripe reference that arrives as an id or as the expanded object.
type ref string

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*r = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = ref(s)
	default:
		var o struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*r = ref(o.ID)
	}
	return nil
}

type checkoutObject struct {
	Object            string            `json:"object"`
	ID                string            `json:"id"`
	Mode              string            `json:"mode"`
	Status            string            `json:"status"`
	PaymentStatus     string            `json:"payment_status"`
	ClientReferenceID string            `json:"client_reference_id"`
	Customer          ref               `json:"customer"`
	Subscription      ref               `json:"subscription"`
	Metadata          map[string]string `json:"metadata"`
}

type subscriptionObject struct {
	Object           string `json:"object"`
	ID               string `json:"id"`
	Customer         ref    `json:"customer"`
	Status           string `json:"status"`
	CurrentPeriodEnd int64  `json:"current_period_end"` // before API 2025-03-31
	Items            struct {
		Data []struct {
			Price            ref   `json:"price"`
			Plan             ref   `json:"plan"`               // legacy plans: same id as the price
			CurrentPeriodEnd int64 `json:"current_period_end"` // API 2025-03-31 and later
		} `json:"data"`
	} `json:"items"`
}

type invoiceObject struct {
	Object       string `json:"object"`
	ID           string `json:"id"`
	Customer     ref    `json:"customer"`
	Subscription ref    `json:"subscription"` // before API 2025-03-31
	Parent       *struct {
		SubscriptionDetails *struct {
			Subscription ref `json:"subscription"`
		} `json:"subscription_details"`
	} `json:"parent"` // API 2025-03-31 and later
}

func decodeChange(kind eventKind, ev stripe.Event, prices Prices) (change, error) {
	ch := change{kind: kind, at: time.Unix(ev.Created, 0).UTC()}
	switch kind {
	case kindCheckout:
		var o checkoutObject
		if err := json.Unmarshal(ev.Data.Raw, &o); err != nil {
			return ch, err
		}
		if o.Object != "checkout.session" || o.ID == "" {
			return ch, fmt.Errorf("data.object is not a checkout session")
		}
		if o.Customer == "" && o.ClientReferenceID == "" {
			return ch, fmt.Errorf("checkout session %s names neither customer nor client_reference_id", o.ID)
		}
		ch.customerID, ch.accountRef, ch.subscriptionID = string(o.Customer), o.ClientReferenceID, string(o.Subscription)
		ch.checkoutPaid = o.Mode == "subscription" && o.Status == "complete" &&
			(o.PaymentStatus == "paid" || o.PaymentStatus == "no_payment_required") && o.Subscription != ""
		// The plan comes from the metadata Checkout put on the session;
		// the subscription events that follow carry the authoritative price.
		if p, err := ParsePlan(o.Metadata["plan"]); err == nil && Lookup(string(p)).Paid() {
			ch.plan, ch.priceKnown = p, true
		}
	case kindSubCreated, kindSubUpdated, kindSubDeleted:
		var o subscriptionObject
		if err := json.Unmarshal(ev.Data.Raw, &o); err != nil {
			return ch, err
		}
		if o.Object != "subscription" || o.ID == "" || o.Customer == "" || o.Status == "" {
			return ch, fmt.Errorf("data.object is not a subscription with id, customer and status")
		}
		ch.customerID, ch.subscriptionID, ch.status = string(o.Customer), o.ID, o.Status
		if kind == kindSubDeleted {
			ch.status = statusCanceled // a deleted subscription is over, whatever it says
		}
		ch.live = liveStatus(ch.status)
		end := o.CurrentPeriodEnd
		for _, it := range o.Items.Data {
			id := string(it.Price)
			if id == "" {
				id = string(it.Plan)
			}
			if id != "" {
				ch.prices = append(ch.prices, id)
			}
			end = max(end, it.CurrentPeriodEnd)
		}
		if end > 0 {
			t := time.Unix(end, 0).UTC()
			ch.periodEnd = &t
		}
		ch.plan, ch.priceKnown = prices.best(ch.prices)
		if !ch.live {
			ch.plan = Free
		}
	case kindInvoiceFailed, kindInvoicePaid:
		var o invoiceObject
		if err := json.Unmarshal(ev.Data.Raw, &o); err != nil {
			return ch, err
		}
		if o.Object != "invoice" || o.ID == "" || o.Customer == "" {
			return ch, fmt.Errorf("data.object is not an invoice with id and customer")
		}
		ch.customerID, ch.subscriptionID = string(o.Customer), string(o.Subscription)
		if ch.subscriptionID == "" && o.Parent != nil && o.Parent.SubscriptionDetails != nil {
			ch.subscriptionID = string(o.Parent.SubscriptionDetails.Subscription)
		}
	}
	return ch, nil
}

// apply records the event and changes the account in one transaction.
func (s *Service) apply(ctx context.Context, log *slog.Logger, eventID, eventType string, ch change) (err error) {
	tx, err := s.db.Tx(ctx)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	acc, err := findAccount(ctx, tx, ch)
	if err != nil {
		return err
	}
	if acc == nil {
		log.WarnContext(ctx, "webhook event for an unknown customer: ignored",
			"customer_id", ch.customerID, "client_reference_id", ch.accountRef)
		_ = tx.Rollback()
		return nil
	}
	log = log.With("account_id", acc.ID)
	seen, err := tx.StripeEvent.Query().Where(stripeevent.ID(eventID)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("looking up event: %w", err)
	}
	if !seen {
		err = tx.StripeEvent.Create().SetID(eventID).SetType(eventType).SetAccountID(acc.ID).Exec(ctx)
		if ent.IsConstraintError(err) {
			seen, err = true, nil
		} else if err != nil {
			return fmt.Errorf("recording event: %w", err)
		}
	}
	if seen {
		log.InfoContext(ctx, "webhook event already applied: ignored")
		_ = tx.Rollback()
		return nil
	}
	upd, why := s.decide(tx, acc, ch, log)
	if upd != nil {
		if err = upd.Exec(ctx); err != nil {
			return fmt.Errorf("updating account: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	if upd == nil {
		log.InfoContext(ctx, "webhook event recorded, account unchanged", "reason", why)
		return nil
	}
	if s.OnAccountChange != nil {
		s.OnAccountChange(acc.ID)
	}
	log.InfoContext(ctx, "webhook event applied", "reason", why, "subscription_id", ch.subscriptionID,
		"status", ch.status, "plan", ch.plan)
	return nil
}

// lockForUpdate is a predicate that adds FOR UPDATE on PostgreSQL, so two
// events for one account are applied one after the other. SQLite has no
// row locks and needs none: its write transactions (BEGIN IMMEDIATE) are
// already serialised.
func lockForUpdate() predicate.Account {
	return func(s *sql.Selector) {
		if s.Dialect() == dialect.Postgres {
			s.ForUpdate()
		}
	}
}

// findAccount finds the account an event is about: by Stripe customer, or
// for a completed Checkout by client_reference_id (our account id). It
// returns nil when no account matches.
func findAccount(ctx context.Context, tx *ent.Tx, ch change) (*ent.Account, error) {
	if ch.customerID != "" {
		acc, err := tx.Account.Query().Where(account.StripeCustomerID(ch.customerID), lockForUpdate()).Only(ctx)
		if err == nil {
			return acc, nil
		}
		if !ent.IsNotFound(err) {
			return nil, fmt.Errorf("finding account by customer: %w", err)
		}
	}
	if ch.kind == kindCheckout && ch.accountRef != "" {
		acc, err := tx.Account.Query().Where(account.ID(ch.accountRef), lockForUpdate()).Only(ctx)
		if ent.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("finding account by client_reference_id: %w", err)
		}
		return acc, nil
	}
	return nil, nil
}

// decide turns an event into an account update, or nil and the reason it
// changes nothing.
func (s *Service) decide(tx *ent.Tx, acc *ent.Account, ch change, log *slog.Logger) (*ent.AccountUpdateOne, string) {
	current := acc.StripeSubscriptionID != nil && *acc.StripeSubscriptionID == ch.subscriptionID
	switch ch.kind {
	case kindCheckout:
		upd := tx.Account.UpdateOne(acc)
		changed, why := false, "checkout: nothing to change"
		if acc.StripeCustomerID == nil && ch.customerID != "" {
			upd.SetStripeCustomerID(ch.customerID)
			changed, why = true, "checkout: customer linked"
		} else if ch.customerID != "" && *acc.StripeCustomerID != ch.customerID {
			log.Warn("checkout completed with another customer than the account's: ignored",
				"customer_id", ch.customerID, "account_customer_id", *acc.StripeCustomerID)
			return nil, "checkout: customer mismatch"
		}
		// The subscription events own the state; checkout only upgrades
		// when none of them has been seen for this subscription yet, so
		// the customer sees the new plan on the success page.
		if ch.checkoutPaid && ch.priceKnown && !current {
			upd.SetPlan(ch.plan).
				SetStripeSubscriptionID(ch.subscriptionID).
				SetSubscriptionStatus(statusActive)
			changed, why = true, "checkout: paid, plan granted"
		}
		if !changed {
			return nil, why
		}
		return upd, why

	case kindSubCreated, kindSubUpdated, kindSubDeleted:
		if acc.StripeSubscriptionID != nil && !current && !ch.live {
			return nil, "ended subscription is not the account's current one"
		}
		if at := acc.SubscriptionUpdatedAt; at != nil {
			if ch.at.Before(*at) {
				return nil, "older than the state already applied"
			}
			// Stripe's created is in seconds, so events of one second tie:
			// a creation never overrides its own later update, and nothing
			// but the deletion itself follows a deletion.
			if ch.at.Equal(*at) && current {
				if ch.kind == kindSubCreated {
					return nil, "creation tied with a newer state"
				}
				if acc.SubscriptionStatus == statusCanceled && ch.kind != kindSubDeleted {
					return nil, "subscription already deleted"
				}
			}
		}
		upd := tx.Account.UpdateOne(acc).
			SetPlan(ch.plan).
			SetStripeSubscriptionID(ch.subscriptionID).
			SetSubscriptionStatus(ch.status).
			SetSubscriptionUpdatedAt(ch.at).
			SetNillablePlanPeriodEnd(ch.periodEnd)
		if ch.periodEnd == nil {
			upd.ClearPlanPeriodEnd()
		}
		return upd, "subscription " + ch.status

	case kindInvoiceFailed, kindInvoicePaid:
		if ch.subscriptionID == "" || !current {
			return nil, "invoice is not for the account's current subscription"
		}
		if at := acc.SubscriptionUpdatedAt; at != nil && ch.at.Before(*at) {
			return nil, "older than the state already applied"
		}
		// Payment status only: the plan stays during Stripe's retries
		// (past_due is live) and follows the subscription events when
		// Stripe gives up (unpaid or deleted → Free).
		if ch.kind == kindInvoiceFailed && liveStatus(acc.SubscriptionStatus) {
			return tx.Account.UpdateOne(acc).
				SetSubscriptionStatus(statusPastDue).
				SetSubscriptionUpdatedAt(ch.at), "payment failed"
		}
		if ch.kind == kindInvoicePaid && acc.SubscriptionStatus == statusPastDue {
			return tx.Account.UpdateOne(acc).
				SetSubscriptionStatus(statusActive).
				SetSubscriptionUpdatedAt(ch.at), "invoice paid"
		}
		return nil, "invoice changes no status"
	}
	return nil, "unhandled"
}
