package domain

import (
	"slices"
	"time"
)

// Frequency is how often a monitor scans its site (docs/monitoring.md,
// "Monitors and schedules"). The values are part of the public API.
type Frequency string

// The frequencies, most frequent first.
const (
	FrequencyDaily   Frequency = "daily"
	FrequencyWeekly  Frequency = "weekly"
	FrequencyMonthly Frequency = "monthly"
)

var frequencies = []Frequency{FrequencyDaily, FrequencyWeekly, FrequencyMonthly}

// Frequencies returns every frequency, most frequent first.
func Frequencies() []Frequency { return slices.Clone(frequencies) }

// Values implements Ent's EnumValues.
func (Frequency) Values() []string { return valuesOf(frequencies) }

// String returns the stored form.
func (f Frequency) String() string { return string(f) }

// Valid reports whether f is one of the frequencies.
func (f Frequency) Valid() bool { return slices.Contains(frequencies, f) }

// ParseFrequency reads a frequency in any case.
func ParseFrequency(s string) (Frequency, bool) { return parse(s, frequencies) }

// Trigger is why a scan was started: a person or a CI job (manual), a
// monitor's schedule or its "run now" (monitor), or the immediate re-scan
// that confirms a regression before anyone is alerted (confirm). The fair
// dispatcher runs manual scans before scheduled ones of accounts with as
// many scans running, so monitors cannot starve people.
type Trigger string

// The triggers.
const (
	TriggerManual  Trigger = "manual"
	TriggerMonitor Trigger = "monitor"
	TriggerConfirm Trigger = "confirm"
)

var triggers = []Trigger{TriggerManual, TriggerMonitor, TriggerConfirm}

// Values implements Ent's EnumValues.
func (Trigger) Values() []string { return valuesOf(triggers) }

// String returns the stored form.
func (t Trigger) String() string { return string(t) }

// Valid reports whether t is one of the triggers.
func (t Trigger) Valid() bool { return slices.Contains(triggers, t) }

// Scheduled reports whether the scan was started by a monitor rather than a person.
func (t Trigger) Scheduled() bool { return t == TriggerMonitor || t == TriggerConfirm }

// AlertKind names what an alert says; it is the webhook body's "type", so
// its values are part of the public API (docs/monitoring.md, "Alert rules").
type AlertKind string

// The alert kinds.
const (
	AlertGradeDrop    AlertKind = "grade.dropped"
	AlertNewFindings  AlertKind = "findings.new"
	AlertCertExpiry   AlertKind = "certificate.expiring"
	AlertScriptOrigin AlertKind = "scripts.new_origin"
	AlertUnreachable  AlertKind = "scan.unreachable"
	AlertResolved     AlertKind = "alert.resolved"
	AlertTest         AlertKind = "test"
)

var alertKinds = []AlertKind{AlertGradeDrop, AlertNewFindings, AlertCertExpiry, AlertScriptOrigin, AlertUnreachable, AlertResolved, AlertTest}

// AlertKinds returns every kind.
func AlertKinds() []AlertKind { return slices.Clone(alertKinds) }

// Values implements Ent's EnumValues.
func (AlertKind) Values() []string { return valuesOf(alertKinds) }

// String returns the stored form.
func (k AlertKind) String() string { return string(k) }

// Valid reports whether k is one of the kinds.
func (k AlertKind) Valid() bool { return slices.Contains(alertKinds, k) }

// Channel is where an alert is delivered.
type Channel string

// The channels.
const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
)

var channels = []Channel{ChannelEmail, ChannelWebhook}

// Values implements Ent's EnumValues.
func (Channel) Values() []string { return valuesOf(channels) }

// String returns the stored form.
func (c Channel) String() string { return string(c) }

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool { return slices.Contains(channels, c) }

// WebhookFormat is the body a webhook receives: Palisade's signed JSON, or
// a Slack-compatible {"text": …} for incoming-webhook URLs.
type WebhookFormat string

// The webhook formats.
const (
	WebhookJSON  WebhookFormat = "json"
	WebhookSlack WebhookFormat = "slack"
)

var webhookFormats = []WebhookFormat{WebhookJSON, WebhookSlack}

// Values implements Ent's EnumValues.
func (WebhookFormat) Values() []string { return valuesOf(webhookFormats) }

// String returns the stored form.
func (f WebhookFormat) String() string { return string(f) }

// Valid reports whether f is one of the formats.
func (f WebhookFormat) Valid() bool { return slices.Contains(webhookFormats, f) }

// ParseWebhookFormat reads a format in any case; empty is json.
func ParseWebhookFormat(s string) (WebhookFormat, bool) {
	if s == "" {
		return WebhookJSON, true
	}
	return parse(s, webhookFormats)
}

// DeliveryStatus is where one delivery of an alert to one channel target is.
type DeliveryStatus string

// The delivery statuses: pending (queued or between retries), delivered,
// failed (gave up: retries exhausted, or a refusal that will not change).
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

var deliveryStatuses = []DeliveryStatus{DeliveryPending, DeliveryDelivered, DeliveryFailed}

// Values implements Ent's EnumValues.
func (DeliveryStatus) Values() []string { return valuesOf(deliveryStatuses) }

// String returns the stored form.
func (s DeliveryStatus) String() string { return string(s) }

// Valid reports whether s is one of the statuses.
func (s DeliveryStatus) Valid() bool { return slices.Contains(deliveryStatuses, s) }

// Terminal reports whether no further attempt will be made.
func (s DeliveryStatus) Terminal() bool { return s == DeliveryDelivered || s == DeliveryFailed }

// DefaultCertExpiryDays are the certificate-expiry thresholds a monitor
// alerts at unless told otherwise; each alerts once per certificate.
func DefaultCertExpiryDays() []int { return []int{30, 14, 7} }

// AlertRules are a monitor's alert settings (the API's "alerts" object).
// The zero value alerts on nothing; DefaultAlertRules is what a monitor
// gets when the request says nothing.
type AlertRules struct {
	// GradeDrop alerts when the grade falls by any step.
	GradeDrop bool `json:"gradeDrop"`
	// GradeBelow, when set ("B"), alerts when the grade falls below it.
	GradeBelow string `json:"gradeBelow,omitempty"`
	// NewFindings alerts on a new critical or high finding.
	NewFindings bool `json:"newFindings"`
	// CertExpiryDays are the days-left thresholds; each alerts once per certificate.
	CertExpiryDays []int `json:"certExpiryDays"`
	// NewScriptOrigin alerts when a page loads script from a third-party origin not seen before.
	NewScriptOrigin bool `json:"newScriptOrigin"`
	// Unreachable alerts when the site cannot be scanned twice in a row.
	Unreachable bool `json:"unreachable"`
	// Email lists the addresses alerts are mailed to (none: no mail).
	Email []string `json:"email"`
	// Webhooks delivers alerts to every active webhook of the account.
	Webhooks bool `json:"webhooks"`
}

// DefaultAlertRules alerts on everything, mails the given addresses and
// calls the account's webhooks.
func DefaultAlertRules(email ...string) AlertRules {
	return AlertRules{GradeDrop: true, NewFindings: true, CertExpiryDays: DefaultCertExpiryDays(),
		NewScriptOrigin: true, Unreachable: true, Email: email, Webhooks: true}
}

// MonitorState is what a monitor remembers between runs to alert once and
// resolve once (docs/monitoring.md, "Alert rules"). It is stored as JSON on
// the monitor row and changed only in the transaction that evaluates a run.
type MonitorState struct {
	// FailStreak counts consecutive runs that could not be graded.
	FailStreak int `json:"failStreak,omitempty"`
	// Open are the alerts raised and not yet resolved, by kind.
	Open map[AlertKind]OpenAlert `json:"open,omitempty"`
	// Confirming, when set, is the re-scan that must confirm a regression
	// before anyone is alerted.
	Confirming *Confirmation `json:"confirming,omitempty"`
	// CertNotAfter is the expiry of the certificate CertAlerted refers to;
	// a renewed certificate starts its thresholds again.
	CertNotAfter time.Time `json:"certNotAfter,omitzero"`
	// CertAlerted are the expiry thresholds already alerted for CertNotAfter.
	CertAlerted []int `json:"certAlerted,omitempty"`
	// ScriptOrigins are the third-party script origins seen so far.
	ScriptOrigins []string `json:"scriptOrigins,omitempty"`
	// LastEvaluatedScanID is the last run whose outcome was applied, so a
	// retried evaluation job changes nothing twice.
	LastEvaluatedScanID string `json:"lastEvaluatedScanId,omitempty"`
}

// OpenAlert is an alert that will send one "resolved" message when its condition clears.
type OpenAlert struct {
	AlertID string    `json:"alertId"`
	ScanID  string    `json:"scanId"`
	Since   time.Time `json:"since"`
	// Grade is the grade before the drop (for grade alerts): the grade to get back to.
	Grade string `json:"grade,omitempty"`
	// Keys identify what was found (new findings' check ids and titles).
	Keys []string `json:"keys,omitempty"`
}

// Confirmation is a regression waiting for its re-scan.
type Confirmation struct {
	// ScanID is the confirming re-scan.
	ScanID string `json:"scanId"`
	// RunScanID is the run that looked like a regression.
	RunScanID string `json:"runScanId"`
	// BaselineScanID is the scan both are compared with.
	BaselineScanID string `json:"baselineScanId,omitempty"`
}

// DeliveryAttempt is one try of a delivery: when, the answer's status code
// (0 when there was none), how long it took and, when it failed, why.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"statusCode,omitempty"`
	DurationMs int64     `json:"durationMs"`
	Error      string    `json:"error,omitempty"`
}
