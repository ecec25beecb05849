package model

import "time"

// WebhooksPage is the owner's page of webhooks, the signing secret and
// recent deliveries (docs/monitoring.md, "Channels, signatures and retries").
type WebhooksPage struct {
	Webhooks []WebhookRow
	// Limit is how many webhooks an account may have.
	Limit  int
	Secret SecretPanel
	// CreateURL is the create form's action.
	CreateURL string
	// URL and Format are the create form's values after a refusal.
	URL    string
	Format string
	// Errors are the create form's field errors (field → sentence).
	Errors map[string]string
	// Message is a one-line notice (a test was queued, a webhook deleted).
	Message string
}

// SecretPanel is what may be shown of the account's signing secret.
type SecretPanel struct {
	Set       bool
	Hint      string
	CreatedAt *time.Time
	// New is the secret just created or rotated: shown in this answer only.
	New       string
	RotateURL string
}

// WebhookRow is one webhook with its recent deliveries.
type WebhookRow struct {
	ID     string
	URL    string
	Format string
	// FormatLabel is how the page names the format ("signed JSON", "Slack").
	FormatLabel string
	CreatedAt   time.Time
	TestURL     string
	DeleteURL   string
	Deliveries  []DeliveryRow
}

// DeliveryRow is one delivery as the table shows it.
type DeliveryRow struct {
	ID         string
	At         time.Time
	Alert      string
	AlertType  string
	Status     string
	StatusCode int
	DurationMs int64
	Attempts   int
	Error      string
}

// WebhookDeletePage asks to confirm a webhook's deletion (no script needed).
type WebhookDeletePage struct {
	URL       string
	DeleteURL string
	BackURL   string
}
