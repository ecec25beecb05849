// Package alerts decides what a monitor's run means — what got worse, what
// recovered — and delivers it: e-mail and signed webhooks, as River jobs
// with retries, every attempt logged (docs/monitoring.md, "Alert rules" and
// "Channels, signatures and retries").
//
// An alert's content is structured data (Content); each channel renders its
// own message from it (the webhook's JSON body is Content itself), never
// prose parsed back.
package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/ids"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/alert"
	"github.com/palisade/palisade/ent/webhook"
)

// Queue is the River queue alert jobs (evaluations, deliveries) run on, so
// they never wait behind long scans.
const Queue = "alerts"

// Service evaluates monitor runs and delivers alerts.
type Service struct {
	db   *db.DB
	jobs jobs.Inserter
	log  *slog.Logger
	now  func() time.Time
	// baseURL is where links in alerts point (config.BaseURL).
	baseURL string
	// ch are the delivery channels' parts: the secret sealer, the mail
	// sender, the address guard (deliver.go).
	ch channels
}

// NewService wires the alerts service.
func NewService(d *db.DB, ins jobs.Inserter, baseURL string, log *slog.Logger) *Service {
	return &Service{db: d, jobs: ins, log: log, baseURL: baseURL, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// Content is what an alert says, as structured data. Its JSON is the
// webhook body (docs/monitoring.md): type, monitorId, site, scanId,
// previousScanId, grade, previousGrade, changes, url, and the details of
// its kind.
type Content struct {
	Type           domain.AlertKind `json:"type"`
	MonitorID      string           `json:"monitorId"`
	Site           SiteRef          `json:"site"`
	ScanID         string           `json:"scanId"`
	PreviousScanID string           `json:"previousScanId"`
	Grade          string           `json:"grade"`
	PreviousGrade  string           `json:"previousGrade"`
	Score          *int             `json:"score,omitempty"`
	PreviousScore  *int             `json:"previousScore,omitempty"`
	// Summary is the first line and the e-mail subject: "example.com
	// dropped from A to C".
	Summary string `json:"summary"`
	// Changes are the checks that caused it (from the comparison), largest move first.
	Changes []Change `json:"changes"`
	// NewFindings are findings not in the previous run, worst first.
	NewFindings []FindingRef `json:"newFindings,omitempty"`
	// ChangesTotal and NewFindingsTotal count what Changes and NewFindings
	// list at most 20 of, so a message can say how many it left out.
	ChangesTotal     int `json:"changesTotal,omitempty"`
	NewFindingsTotal int `json:"newFindingsTotal,omitempty"`
	// Certificate is set for certificate.expiring.
	Certificate *CertificateRef `json:"certificate,omitempty"`
	// ScriptOrigins are the new third-party script origins (scripts.new_origin).
	ScriptOrigins []string `json:"scriptOrigins,omitempty"`
	// Reason says why the site could not be scanned (scan.unreachable).
	Reason string `json:"reason,omitempty"`
	// Resolves is the kind of alert a resolved message closes, and ResolvesAlertID the alert.
	Resolves        domain.AlertKind `json:"resolves,omitempty"`
	ResolvesAlertID string           `json:"resolvesAlertId,omitempty"`
	// URL is the scan's page; CompareURL the comparison; SiteURL the site's page.
	URL        string    `json:"url"`
	CompareURL string    `json:"compareUrl,omitempty"`
	SiteURL    string    `json:"siteUrl,omitempty"`
	At         time.Time `json:"at"`
}

// SiteRef names the site an alert is about.
type SiteRef struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Label string `json:"label,omitempty"`
	// Name is how messages name it: the label, or host[:port][/path].
	Name string `json:"name"`
}

// Change is one check that moved between the two runs.
type Change struct {
	CheckID     string  `json:"checkId"`
	Name        string  `json:"name"`
	Category    string  `json:"category"`
	Before      string  `json:"before"`
	After       string  `json:"after"`
	PointsDelta float64 `json:"pointsDelta"`
}

// FindingRef is a finding named in an alert.
type FindingRef struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
}

// CertificateRef is the certificate an expiry alert is about.
type CertificateRef struct {
	NotAfter  time.Time `json:"notAfter"`
	DaysLeft  int       `json:"daysLeft"`
	Threshold int       `json:"threshold"`
	Subject   string    `json:"subject,omitempty"`
}

// DeliverArgs is the River job that delivers one Delivery row (one alert
// to one e-mail address or webhook), retried with backoff.
type DeliverArgs struct {
	DeliveryID string `json:"deliveryId"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "alert_delivery" }

// EvaluateArgs is the River job that evaluates a finished monitor run.
type EvaluateArgs struct {
	ScanID string `json:"scanId"`
}

// Kind names the job in River's table.
func (EvaluateArgs) Kind() string { return "monitor_evaluate" }

// InsertOpts: on the alerts queue; an evaluation is idempotent, so retries are safe.
func (EvaluateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 10}
}

// QueueEvaluationTx queues the evaluation of the monitor run sc inside the
// transaction that stores its outcome (scans.FinishHook).
func (s *Service) QueueEvaluationTx(ctx context.Context, tx *sql.Tx, sc *ent.Scan, _ domain.ScanStatus) error {
	_, err := s.jobs.InsertTx(ctx, tx, EvaluateArgs{ScanID: sc.ID}, nil)
	return err
}

// Raised is an alert RaiseTx recorded, with the deliveries it queued.
type Raised struct {
	Alert *ent.Alert
	// New is false when an alert with the same dedupe key existed: nothing
	// was queued again.
	New        bool
	Deliveries []*ent.Delivery
}

// RaiseTx records an alert and queues one delivery per channel target of
// rules (each e-mail address; each active webhook of the account when
// rules.Webhooks), inside the caller's transaction. The dedupe key makes it
// idempotent: an alert whose key exists is returned with New false and
// nothing queued.
func (s *Service) RaiseTx(ctx context.Context, tx *sql.Tx, c *ent.Client, accountID, monitorID, dedupeKey string, content Content, rules domain.AlertRules) (Raised, error) {
	now := s.now()
	if content.At.IsZero() {
		content.At = now
	}
	payload, err := json.Marshal(content)
	if err != nil {
		return Raised{}, fmt.Errorf("encoding the alert: %w", err)
	}
	// The stored subject is the rendered first line: one clean line, cut
	// on a character boundary within the column's 300 bytes (render.go).
	subject := trimTo(Subject(content), 300)
	// The id is chosen here so the row read back tells whether this call
	// inserted it (New) or found an alert with the same key.
	id := ids.New("alr")
	create := c.Alert.Create().SetID(id).SetAccountID(accountID).SetKind(content.Type).SetDedupeKey(dedupeKey).
		SetSubject(subject).SetPayload(string(payload)).SetSiteID(content.Site.ID).SetScanID(content.ScanID).
		SetPreviousScanID(content.PreviousScanID).SetCreatedAt(now).SetUpdatedAt(now)
	if monitorID != "" {
		create = create.SetMonitorID(monitorID)
	}
	err = create.OnConflictColumns(alert.FieldAccountID, alert.FieldDedupeKey).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Raised{}, fmt.Errorf("recording the alert: %w", err)
	}
	a, err := c.Alert.Query().Where(alert.AccountID(accountID), alert.DedupeKey(dedupeKey)).Only(ctx)
	if err != nil {
		return Raised{}, fmt.Errorf("reading the alert: %w", err)
	}
	if a.ID != id {
		return Raised{Alert: a}, nil
	}
	out := Raised{Alert: a, New: true}
	type target struct {
		channel   domain.Channel
		to, whkID string
	}
	var targets []target
	for _, e := range rules.Email {
		targets = append(targets, target{channel: domain.ChannelEmail, to: e})
	}
	if rules.Webhooks {
		hooks, err := c.Webhook.Query().Where(webhook.AccountID(accountID), webhook.Active(true)).All(ctx)
		if err != nil {
			return Raised{}, err
		}
		for _, h := range hooks {
			targets = append(targets, target{channel: domain.ChannelWebhook, to: h.URL, whkID: h.ID})
		}
	}
	for _, t := range targets {
		d, err := s.QueueDeliveryTx(ctx, tx, c, a, t.channel, t.to, t.whkID)
		if err != nil {
			return Raised{}, err
		}
		out.Deliveries = append(out.Deliveries, d)
	}
	return out, nil
}

// QueueDeliveryTx records one delivery of alert a and inserts its job, in the caller's transaction.
func (s *Service) QueueDeliveryTx(ctx context.Context, tx *sql.Tx, c *ent.Client, a *ent.Alert, ch domain.Channel, to, webhookID string) (*ent.Delivery, error) {
	now := s.now()
	create := c.Delivery.Create().SetAccountID(a.AccountID).SetAlertID(a.ID).SetChannel(ch).SetTarget(to).
		SetCreatedAt(now).SetUpdatedAt(now)
	if webhookID != "" {
		create = create.SetWebhookID(webhookID)
	}
	d, err := create.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("recording a delivery: %w", err)
	}
	res, err := s.jobs.InsertTx(ctx, tx, DeliverArgs{DeliveryID: d.ID}, &river.InsertOpts{Queue: Queue, MaxAttempts: MaxDeliveryAttempts})
	if err != nil {
		return nil, fmt.Errorf("queueing a delivery: %w", err)
	}
	return d.Update().SetJobID(res.Job.ID).Save(ctx)
}

// MaxDeliveryAttempts bounds a delivery's tries; with the backoff of
// docs/monitoring.md they span about 24 hours.
const MaxDeliveryAttempts = 20
