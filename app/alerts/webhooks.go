package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/ids"
	"github.com/palisade/palisade/app/scanner/netguard"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/alert"
	"github.com/palisade/palisade/ent/delivery"
	"github.com/palisade/palisade/ent/webhook"
)

// MaxWebhooks is how many webhooks one account may have.
const MaxWebhooks = 10

// SecretInfo is what may be shown of an account's webhook secret: whether
// it exists, its last characters, and when it was made.
type SecretInfo struct {
	Set       bool       `json:"set"`
	Hint      string     `json:"hint,omitempty"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
}

// SecretState returns what may be shown of the account's secret.
func (s *Service) SecretState(ctx context.Context, accountID string) (SecretInfo, error) {
	acc, err := s.db.Ent.Account.Query().Where(account.ID(accountID)).
		Select(account.FieldWebhookSecret, account.FieldWebhookSecretHint, account.FieldWebhookSecretAt).Only(ctx)
	if err != nil {
		return SecretInfo{}, err
	}
	return secretInfo(acc), nil
}

func secretInfo(acc *ent.Account) SecretInfo {
	if acc.WebhookSecret == "" {
		return SecretInfo{}
	}
	return SecretInfo{Set: true, Hint: acc.WebhookSecretHint, CreatedAt: acc.WebhookSecretAt}
}

// RotateSecret creates the account's webhook secret, or replaces it: the
// old one stops verifying at once. The plain secret is returned this once;
// only its sealed form is stored.
func (s *Service) RotateSecret(ctx context.Context, accountID string) (string, SecretInfo, error) {
	var plain string
	var info SecretInfo
	err := s.db.InTx(ctx, func(_ *sql.Tx, c *ent.Client) error {
		var err error
		plain, info, err = s.setSecretTx(ctx, c, accountID)
		return err
	})
	if err != nil {
		return "", SecretInfo{}, err
	}
	s.log.Info("webhook secret set", "account_id", accountID)
	return plain, info, nil
}

func (s *Service) setSecretTx(ctx context.Context, c *ent.Client, accountID string) (string, SecretInfo, error) {
	if s.ch.sealer == nil {
		return "", SecretInfo{}, &errs.Unavailable{Message: "webhooks are not set up on this server"}
	}
	plain, err := NewSecret()
	if err != nil {
		return "", SecretInfo{}, err
	}
	sealed, err := s.ch.sealer.Seal(plain, accountID)
	if err != nil {
		return "", SecretInfo{}, err
	}
	now := s.now()
	hint := SecretHint(plain)
	n, err := c.Account.Update().Where(account.ID(accountID)).SetWebhookSecret(sealed).
		SetWebhookSecretHint(hint).SetWebhookSecretAt(now).Save(ctx)
	if err != nil {
		return "", SecretInfo{}, err
	}
	if n == 0 {
		return "", SecretInfo{}, errs.ErrNotFound
	}
	return plain, SecretInfo{Set: true, Hint: hint, CreatedAt: &now}, nil
}

// CreatedWebhook is a new webhook and, when creating it also created the
// account's first secret, that secret (shown this once).
type CreatedWebhook struct {
	Webhook *ent.Webhook
	Secret  string
}

// CreateWebhook adds a webhook. The URL passes the scanner's address guard
// (http or https, no credentials, only addresses the scanner may reach);
// a URL the account already has is a conflict; past MaxWebhooks is
// forbidden. An account without a secret gets one with its first webhook,
// so every JSON delivery is signed from the start.
func (s *Service) CreateWebhook(ctx context.Context, accountID, userID, rawURL, format string) (CreatedWebhook, error) {
	f, ok := domain.ParseWebhookFormat(strings.TrimSpace(format))
	if !ok {
		return CreatedWebhook{}, &errs.Validation{Field: "format", Message: "format must be json or slack"}
	}
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return CreatedWebhook{}, &errs.Validation{Field: "url", Message: "url is required, e.g. https://example.com/hooks/palisade"}
	}
	if s.ch.validate == nil {
		return CreatedWebhook{}, &errs.Unavailable{Message: "webhooks are not set up on this server"}
	}
	// Only explicit http(s) URLs: a receiver's scheme is not guessed.
	if l := strings.ToLower(rawURL); !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
		return CreatedWebhook{}, &errs.Validation{Field: "url", Message: "the webhook URL must start with https:// or http://"}
	}
	normal, err := s.ch.validate(ctx, rawURL)
	if err != nil {
		if errors.Is(err, netguard.ErrRefused) {
			return CreatedWebhook{}, &errs.TargetRefused{Field: "url", Message: err.Error()}
		}
		return CreatedWebhook{}, err
	}
	var out CreatedWebhook
	err = s.db.InTx(ctx, func(_ *sql.Tx, c *ent.Client) error {
		n, err := c.Webhook.Query().Where(webhook.AccountID(accountID)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxWebhooks {
			return &errs.Forbidden{Message: fmt.Sprintf("an account can have at most %d webhooks; delete one first", MaxWebhooks),
				Details: map[string]any{"limit": MaxWebhooks}}
		}
		if dup, err := c.Webhook.Query().Where(webhook.AccountID(accountID), webhook.URL(normal)).Only(ctx); err == nil {
			return &errs.Conflict{Field: "url", Message: "this account already has a webhook with that URL",
				Details: map[string]any{"webhookId": dup.ID}}
		} else if !ent.IsNotFound(err) {
			return err
		}
		now := s.now()
		create := c.Webhook.Create().SetID(ids.New("whk")).SetAccountID(accountID).SetURL(normal).SetFormat(f).
			SetCreatedAt(now).SetUpdatedAt(now)
		if userID != "" {
			create = create.SetCreatedBy(userID)
		}
		if out.Webhook, err = create.Save(ctx); err != nil {
			if ent.IsConstraintError(err) {
				return &errs.Conflict{Field: "url", Message: "this account already has a webhook with that URL"}
			}
			return err
		}
		acc, err := c.Account.Query().Where(account.ID(accountID)).Select(account.FieldWebhookSecret).Only(ctx)
		if err != nil {
			return err
		}
		if acc.WebhookSecret == "" {
			out.Secret, _, err = s.setSecretTx(ctx, c, accountID)
		}
		return err
	})
	if err != nil {
		return CreatedWebhook{}, err
	}
	s.log.Info("webhook created", "account_id", accountID, "webhook_id", out.Webhook.ID, "format", f.String(), "secret_created", out.Secret != "")
	return out, nil
}

// Webhooks lists the account's webhooks, oldest first.
func (s *Service) Webhooks(ctx context.Context, accountID string) ([]*ent.Webhook, error) {
	return s.db.Ent.Webhook.Query().Where(webhook.AccountID(accountID)).
		Order(ent.Asc(webhook.FieldCreatedAt), ent.Asc(webhook.FieldID)).All(ctx)
}

// Webhook returns one of the account's webhooks; a foreign id is not found.
func (s *Service) Webhook(ctx context.Context, accountID, id string) (*ent.Webhook, error) {
	h, err := s.db.Ent.Webhook.Query().Where(webhook.ID(id), webhook.AccountID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, &errs.NotFound{Message: "no such webhook"}
	}
	return h, err
}

// DeleteWebhook removes a webhook; its pending deliveries fail at their
// next attempt ("the webhook was deleted"), its log stays with the alerts.
func (s *Service) DeleteWebhook(ctx context.Context, accountID, id string) error {
	n, err := s.db.Ent.Webhook.Delete().Where(webhook.ID(id), webhook.AccountID(accountID)).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return &errs.NotFound{Message: "no such webhook"}
	}
	s.log.Info("webhook deleted", "account_id", accountID, "webhook_id", id)
	return nil
}

// SendTest raises a test alert delivered to this webhook only; every call
// is a new alert (its dedupe key is unique), visible in the deliveries log.
func (s *Service) SendTest(ctx context.Context, accountID, webhookID string) (*ent.Alert, *ent.Delivery, error) {
	h, err := s.Webhook(ctx, accountID, webhookID)
	if err != nil {
		return nil, nil, err
	}
	content := Content{
		Type: domain.AlertTest, Summary: "Test alert from Palisade",
		Site:    SiteRef{Name: "example.com", URL: "https://example.com/"},
		Changes: []Change{}, URL: s.baseURL + "/dashboard",
	}
	var a *ent.Alert
	var d *ent.Delivery
	err = s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
		r, err := s.RaiseTx(ctx, tx, c, accountID, "", "test:"+ids.New("tst"), content, domain.AlertRules{})
		if err != nil {
			return err
		}
		a = r.Alert
		d, err = s.QueueDeliveryTx(ctx, tx, c, a, domain.ChannelWebhook, h.URL, h.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	s.log.Info("test alert queued", "account_id", accountID, "webhook_id", h.ID, "alert_id", a.ID, "delivery_id", d.ID)
	return a, d, nil
}

// Page is where a list is.
type Page struct {
	Page, Limit, Total, Pages int
}

func pageOf(page, limit, total int) Page {
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 50)
	if page <= 0 {
		page = 1
	}
	return Page{Page: page, Limit: limit, Total: total, Pages: (total + limit - 1) / limit}
}

// Deliveries lists a webhook's deliveries, newest first, with their attempts.
func (s *Service) Deliveries(ctx context.Context, accountID, webhookID string, page, limit int) ([]*ent.Delivery, Page, error) {
	if _, err := s.Webhook(ctx, accountID, webhookID); err != nil {
		return nil, Page{}, err
	}
	q := s.db.Ent.Delivery.Query().Where(delivery.AccountID(accountID), delivery.WebhookID(webhookID))
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return nil, Page{}, err
	}
	pg := pageOf(page, limit, total)
	items, err := q.Order(ent.Desc(delivery.FieldCreatedAt), ent.Desc(delivery.FieldID)).
		Offset((pg.Page - 1) * pg.Limit).Limit(pg.Limit).WithAlert().All(ctx)
	return items, pg, err
}

// Alerts lists the account's alerts, newest first, with their deliveries.
func (s *Service) Alerts(ctx context.Context, accountID string, page, limit int) ([]*ent.Alert, Page, error) {
	q := s.db.Ent.Alert.Query().Where(alert.AccountID(accountID))
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return nil, Page{}, err
	}
	pg := pageOf(page, limit, total)
	items, err := q.Order(ent.Desc(alert.FieldCreatedAt), ent.Desc(alert.FieldID)).
		Offset((pg.Page - 1) * pg.Limit).Limit(pg.Limit).
		WithDeliveries(func(dq *ent.DeliveryQuery) { dq.Order(ent.Asc(delivery.FieldCreatedAt), ent.Asc(delivery.FieldID)) }).
		All(ctx)
	return items, pg, err
}

// WebhookView is a webhook as the API shows it.
type WebhookView struct {
	ID        string               `json:"id"`
	URL       string               `json:"url"`
	Format    domain.WebhookFormat `json:"format"`
	Active    bool                 `json:"active"`
	CreatedAt time.Time            `json:"createdAt"`
}

// WebhookViewOf is h's view.
func WebhookViewOf(h *ent.Webhook) WebhookView {
	return WebhookView{ID: h.ID, URL: h.URL, Format: h.Format, Active: h.Active, CreatedAt: h.CreatedAt.UTC()}
}

// DeliveryView is a delivery as the API shows it, attempts included.
type DeliveryView struct {
	ID             string                   `json:"id"`
	AlertID        string                   `json:"alertId"`
	AlertType      domain.AlertKind         `json:"alertType,omitempty"`
	Channel        domain.Channel           `json:"channel"`
	Target         string                   `json:"target"`
	WebhookID      string                   `json:"webhookId,omitempty"`
	Status         domain.DeliveryStatus    `json:"status"`
	Attempts       int                      `json:"attempts"`
	LastStatusCode int                      `json:"lastStatusCode,omitempty"`
	LastError      string                   `json:"lastError,omitempty"`
	DeliveredAt    *time.Time               `json:"deliveredAt,omitempty"`
	CreatedAt      time.Time                `json:"createdAt"`
	Log            []domain.DeliveryAttempt `json:"log"`
}

// DeliveryViewOf is d's view.
func DeliveryViewOf(d *ent.Delivery) DeliveryView {
	v := DeliveryView{ID: d.ID, AlertID: d.AlertID, Channel: d.Channel, Target: d.Target, WebhookID: d.WebhookID,
		Status: d.Status, Attempts: d.Attempts, LastStatusCode: d.LastStatusCode, LastError: d.LastError,
		DeliveredAt: d.DeliveredAt, CreatedAt: d.CreatedAt.UTC(), Log: d.Log}
	if v.Log == nil {
		v.Log = []domain.DeliveryAttempt{}
	}
	if a := d.Edges.Alert; a != nil {
		v.AlertType = a.Kind
	}
	return v
}

// AlertView is an alert as the API shows it: what it said and where it went.
type AlertView struct {
	ID         string           `json:"id"`
	Type       domain.AlertKind `json:"type"`
	Subject    string           `json:"subject"`
	MonitorID  string           `json:"monitorId,omitempty"`
	SiteID     string           `json:"siteId,omitempty"`
	ScanID     string           `json:"scanId,omitempty"`
	CreatedAt  time.Time        `json:"createdAt"`
	Content    json.RawMessage  `json:"content"`
	Deliveries []DeliveryView   `json:"deliveries"`
}

// AlertViewOf is a's view (its deliveries when loaded).
func AlertViewOf(a *ent.Alert) AlertView {
	v := AlertView{ID: a.ID, Type: a.Kind, Subject: a.Subject, SiteID: a.SiteID, ScanID: a.ScanID,
		CreatedAt: a.CreatedAt.UTC(), Content: json.RawMessage(a.Payload), Deliveries: []DeliveryView{}}
	if a.MonitorID != nil {
		v.MonitorID = *a.MonitorID
	}
	if !json.Valid(v.Content) {
		v.Content = json.RawMessage("{}")
	}
	for _, d := range a.Edges.Deliveries {
		dv := DeliveryViewOf(d)
		dv.AlertType = a.Kind
		v.Deliveries = append(v.Deliveries, dv)
	}
	return v
}

// SiteAlerts returns the account's latest alerts about one site, newest
// first, at most limit, with their deliveries: the site page lists them.
func (s *Service) SiteAlerts(ctx context.Context, accountID, siteID string, limit int) ([]*ent.Alert, error) {
	return s.db.Read.Alert.Query().Where(alert.AccountID(accountID), alert.SiteID(siteID)).
		Order(ent.Desc(alert.FieldCreatedAt), ent.Desc(alert.FieldID)).Limit(limit).
		WithDeliveries(func(dq *ent.DeliveryQuery) { dq.Order(ent.Asc(delivery.FieldCreatedAt), ent.Asc(delivery.FieldID)) }).
		All(ctx)
}
