package billing

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
)

// Config is what billing needs from the environment. The composition root
// fills it from app/config, so this package never reads the environment.
type Config struct {
	// SecretKey (STRIPE_SECRET_KEY) turns billing on; empty means the app
	// runs without Stripe and plans change only through `palisade plan set`.
	SecretKey string
	// WebhookSecret (STRIPE_WEBHOOK_SECRET, "whsec_…") verifies the
	// Stripe-Signature header of every webhook delivery.
	WebhookSecret string
	// PricePro and PriceEnterprise (PALISADE_STRIPE_PRICE_PRO,
	// PALISADE_STRIPE_PRICE_ENTERPRISE) are the recurring prices that sell
	// the two paid plans.
	PricePro        string
	PriceEnterprise string
	// APIBase (STRIPE_API_BASE) points the Stripe client at another
	// backend, such as stripe-mock in tests; empty means api.stripe.com.
	APIBase string
}

// Prices returns the plan ↔ price mapping the configuration describes.
func (c Config) Prices() Prices { return NewPrices(c.PricePro, c.PriceEnterprise) }

// Errors of this package, each one of the kinds of app/errs so the HTTP
// layer (app/httpx) answers them like any other service's. Wrapped errors
// keep these as their cause, so test with errors.Is.
var (
	// ErrDisabled: Stripe is not configured (no secret key); to the
	// caller there is no billing to reach.
	ErrDisabled = &errs.NotFound{Message: "billing is not configured"}
	// ErrWebhookNotConfigured: a webhook arrived but no signing secret is
	// set, so nothing can be verified and nothing is applied. Unavailable
	// rather than a client error: Stripe should retry once it is set.
	ErrWebhookNotConfigured = &errs.Unavailable{Message: "billing webhook is not configured"}
	// ErrBadSignature: the Stripe-Signature header is missing, malformed,
	// too old or does not match the body.
	ErrBadSignature = &errs.Validation{Field: "Stripe-Signature", Message: "invalid Stripe-Signature"}
	// ErrBadPayload: the signed body is not a Stripe event we can read.
	ErrBadPayload = &errs.Validation{Field: "body", Message: "invalid webhook payload"}
	// ErrPayloadTooLarge: the body exceeds MaxWebhookBytes.
	ErrPayloadTooLarge = &errs.TooLarge{Message: "webhook payload too large"}
	// ErrAccountNotFound: no account has the given id.
	ErrAccountNotFound = &errs.NotFound{Message: "account not found"}
	// ErrPlanNotForSale: the plan is free or has no price configured.
	ErrPlanNotForSale = &errs.Validation{Field: "plan", Message: "plan is not for sale"}
	// ErrAlreadySubscribed: the account has a live subscription; a second
	// Checkout would bill twice, so plan changes go through the portal.
	ErrAlreadySubscribed = &errs.Conflict{Message: "account already has a subscription: change it in the billing portal"}
	// ErrNoCustomer: the account never went through Checkout, so there is
	// no Stripe customer whose portal could be opened.
	ErrNoCustomer = &errs.Conflict{Message: "account has no billing customer yet"}
	// ErrStripe: a call to the Stripe API failed.
	ErrStripe = &errs.Upstream{Message: "stripe request failed"}
)

// Service talks to Stripe (Checkout, Customer Portal) and applies Stripe's
// webhook events to accounts. It holds its own Stripe client, never the
// package-global key, so several services (tests) can run side by side.
type Service struct {
	cfg    Config
	prices Prices
	db     *ent.Client
	log    *slog.Logger
	api    *client.API // nil when billing is disabled
	// OnAccountChange runs after a webhook changed an account, so caches
	// of it on this instance (the API key cache) drop it at once.
	OnAccountChange func(accountID string)
}

// stripeTimeout bounds one Stripe API call, so a slow Stripe cannot hold a
// request handler for stripe-go's default 80 s.
const stripeTimeout = 20 * time.Second

// NewService builds the billing service. Without a secret key it is
// disabled: Checkout and Portal answer ErrDisabled, and webhooks are still
// verified and applied when a webhook secret is set.
func NewService(cfg Config, db *ent.Client, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "billing")
	s := &Service{cfg: cfg, prices: cfg.Prices(), db: db, log: log}
	if cfg.SecretKey != "" {
		bc := &stripe.BackendConfig{
			HTTPClient:    &http.Client{Timeout: stripeTimeout},
			LeveledLogger: stripeLogger{log},
		}
		if cfg.APIBase != "" {
			bc.URL = stripe.String(cfg.APIBase)
		}
		backend := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
		s.api = client.New(cfg.SecretKey, &stripe.Backends{API: backend, Connect: backend, Uploads: backend})
	}
	if cfg.PricePro != "" && cfg.PricePro == cfg.PriceEnterprise {
		log.Warn("the Pro and Enterprise plans share one Stripe price id; it grants Enterprise")
	}
	return s
}

// Enabled reports whether Stripe is configured, so pages show Upgrade and
// Manage only when they can work.
func (s *Service) Enabled() bool { return s.api != nil }

// Prices exposes the configured plan ↔ price mapping (for pages that list
// what can be bought).
func (s *Service) Prices() Prices { return s.prices }

// Checkout starts a Stripe Checkout Session (subscription mode) selling plan
// to the account and returns the URL to send the browser to. The account's
// Stripe customer is created on first use and reused afterwards; the session
// carries the account id as client_reference_id so the webhook can find it.
func (s *Service) Checkout(ctx context.Context, accountID string, plan PlanID, successURL, cancelURL string) (string, error) {
	if !s.Enabled() {
		return "", ErrDisabled
	}
	price, ok := s.prices.PriceID(plan)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrPlanNotForSale, plan)
	}
	acc, err := s.account(ctx, accountID)
	if err != nil {
		return "", err
	}
	if acc.StripeSubscriptionID != nil && liveStatus(acc.SubscriptionStatus) && acc.Plan != Free {
		return "", ErrAlreadySubscribed
	}
	customerID, err := s.customer(ctx, acc)
	if err != nil {
		return "", err
	}
	meta := map[string]string{"account_id": acc.ID, "plan": string(plan)}
	params := &stripe.CheckoutSessionParams{
		Params:            stripe.Params{Context: ctx},
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(customerID),
		ClientReferenceID: stripe.String(acc.ID),
		LineItems: []*stripe.CheckoutSessionLineItemParams{
			{Price: stripe.String(price), Quantity: stripe.Int64(1)},
		},
		SuccessURL:       stripe.String(successURL),
		CancelURL:        stripe.String(cancelURL),
		Metadata:         meta,
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{Metadata: meta},
	}
	sess, err := s.api.CheckoutSessions.New(params)
	if err != nil {
		s.log.WarnContext(ctx, "creating checkout session", "account_id", acc.ID, "plan", plan, "err", err)
		return "", fmt.Errorf("%w: creating checkout session: %w", ErrStripe, err)
	}
	if sess.URL == "" {
		return "", fmt.Errorf("%w: checkout session %s has no URL", ErrStripe, sess.ID)
	}
	s.log.InfoContext(ctx, "checkout session created", "account_id", acc.ID, "plan", plan, "checkout_session_id", sess.ID)
	return sess.URL, nil
}

// Portal opens a Stripe Customer Portal session for the account (change
// plan, card, cancel) and returns its URL.
func (s *Service) Portal(ctx context.Context, accountID, returnURL string) (string, error) {
	if !s.Enabled() {
		return "", ErrDisabled
	}
	acc, err := s.account(ctx, accountID)
	if err != nil {
		return "", err
	}
	if acc.StripeCustomerID == nil || *acc.StripeCustomerID == "" {
		return "", ErrNoCustomer
	}
	sess, err := s.api.BillingPortalSessions.New(&stripe.BillingPortalSessionParams{
		Params:    stripe.Params{Context: ctx},
		Customer:  acc.StripeCustomerID,
		ReturnURL: stripe.String(returnURL),
	})
	if err != nil {
		s.log.WarnContext(ctx, "creating portal session", "account_id", acc.ID, "err", err)
		return "", fmt.Errorf("%w: creating portal session: %w", ErrStripe, err)
	}
	if sess.URL == "" {
		return "", fmt.Errorf("%w: portal session %s has no URL", ErrStripe, sess.ID)
	}
	return sess.URL, nil
}

func (s *Service) account(ctx context.Context, id string) (*ent.Account, error) {
	acc, err := s.db.Account.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, ErrAccountNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("loading account: %w", err)
	}
	return acc, nil
}

// customer returns the account's Stripe customer, creating it the first
// time. The create carries an idempotency key derived from the account, and
// the id is stored only where none is yet, so two racing Checkouts end with
// one customer on the account.
func (s *Service) customer(ctx context.Context, acc *ent.Account) (string, error) {
	if acc.StripeCustomerID != nil && *acc.StripeCustomerID != "" {
		return *acc.StripeCustomerID, nil
	}
	params := &stripe.CustomerParams{
		Params:   stripe.Params{Context: ctx},
		Name:     stripe.String(acc.Name),
		Metadata: map[string]string{"account_id": acc.ID},
	}
	params.SetIdempotencyKey("palisade-customer-" + acc.ID)
	c, err := s.api.Customers.New(params)
	if err != nil {
		s.log.WarnContext(ctx, "creating customer", "account_id", acc.ID, "err", err)
		return "", fmt.Errorf("%w: creating customer: %w", ErrStripe, err)
	}
	n, err := s.db.Account.Update().
		Where(account.ID(acc.ID), account.StripeCustomerIDIsNil()).
		SetStripeCustomerID(c.ID).
		Save(ctx)
	if err != nil {
		return "", fmt.Errorf("storing customer id: %w", err)
	}
	if n == 1 {
		s.log.InfoContext(ctx, "stripe customer created", "account_id", acc.ID, "customer_id", c.ID)
		return c.ID, nil
	}
	// Someone stored a customer first: use theirs.
	fresh, err := s.account(ctx, acc.ID)
	if err != nil {
		return "", err
	}
	if fresh.StripeCustomerID == nil {
		return "", fmt.Errorf("storing customer id for account %s: no row changed", acc.ID)
	}
	return *fresh.StripeCustomerID, nil
}

// stripeLogger sends stripe-go's own log lines to slog. Its per-request
// info lines become debug, so they do not drown the service's logs.
type stripeLogger struct{ l *slog.Logger }

func (s stripeLogger) Debugf(format string, v ...any) { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s stripeLogger) Infof(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s stripeLogger) Warnf(format string, v ...any)  { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s stripeLogger) Errorf(format string, v ...any) { s.l.Warn(fmt.Sprintf(format, v...)) }
