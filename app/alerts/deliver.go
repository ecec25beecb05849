package alerts

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/app/scanner/netguard"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/delivery"
	"github.com/palisade/palisade/ent/webhook"
)

// Delivery defaults (docs/monitoring.md, "Channels, signatures and retries").
const (
	// DefaultWebhookTimeout bounds one webhook call, connection included.
	DefaultWebhookTimeout = 10 * time.Second
	// DefaultRetryBase is the first retry's delay; each next one doubles.
	DefaultRetryBase = 30 * time.Second
	// RetryCap is the longest delay between two attempts.
	RetryCap = 2 * time.Hour
	// RetryWindow is how long after its first attempt a delivery is retried.
	RetryWindow = 24 * time.Hour
	// maxResponseRead is how much of a receiver's answer is read.
	maxResponseRead = 4 << 10
	// maxExcerpt is how much of it is kept, cleaned, in the delivery's log.
	maxExcerpt = 200
	// UserAgent is what webhook calls say they are.
	UserAgent = "Palisade-Webhooks/1"
)

// ErrMailNotConfigured is an e-mail delivery's error on a server without SMTP.
var ErrMailNotConfigured = errors.New("mail is not configured on this server")

// Mailer sends one message synchronously (mail.Sender.Deliver).
type Mailer interface {
	Deliver(ctx context.Context, m mail.Message) error
}

// Dialer connects through the address guard (netguard.Dialer).
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// ChannelOptions are what the channels need from the container.
type ChannelOptions struct {
	// ServerKey seals webhook secrets (ServerKey).
	ServerKey []byte
	// Mail sends alert e-mails; nil when the server has no SMTP.
	Mail Mailer
	// Dialer connects webhook calls; it refuses addresses the scanner may
	// not reach, checked at connection time (DNS rebinding).
	Dialer Dialer
	// Validate normalises a webhook URL and checks it with the scanner's
	// address guard (scanner.Validate); errors wrapping netguard.ErrRefused are refusals.
	Validate func(ctx context.Context, rawURL string) (string, error)
	// RootCAs are trusted for https webhooks besides nothing else when set
	// (tests); nil is the system roots.
	RootCAs *x509.CertPool
	// Timeout bounds one webhook call (DefaultWebhookTimeout when zero).
	Timeout time.Duration
	// RetryBase is the first retry's delay (DefaultRetryBase when zero; tests shorten it).
	RetryBase time.Duration
}

// channels are the parts deliveries need, set by SetChannels.
type channels struct {
	sealer    *Sealer
	mail      Mailer
	validate  func(ctx context.Context, rawURL string) (string, error)
	client    *http.Client
	timeout   time.Duration
	retryBase time.Duration
}

// SetChannels wires the delivery channels; the container calls it once before the workers start.
func (s *Service) SetChannels(o ChannelOptions) error {
	sealer, err := NewSealer(o.ServerKey)
	if err != nil {
		return err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultWebhookTimeout
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	tr := &http.Transport{
		Proxy:                  nil, // the guard must see the real destination
		DialContext:            o.Dialer.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 16 << 10,
		// Every call dials anew, so every call's address is checked.
		DisableKeepAlives: true,
	}
	s.ch = channels{
		sealer: sealer, mail: o.Mail, validate: o.Validate, timeout: o.Timeout, retryBase: o.RetryBase,
		client: &http.Client{
			Transport: tr,
			Timeout:   o.Timeout,
			// A redirect is answered, not followed: it could point anywhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return nil
}

// Backoff is the delay before the retry that follows attempt n (1-based):
// base doubling, capped at RetryCap.
func Backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < RetryCap; i++ {
		d *= 2
	}
	return min(d, RetryCap)
}

// DeliverWorker runs DeliverArgs jobs.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// NewDeliverWorker returns the worker the container registers.
func NewDeliverWorker(s *Service) *DeliverWorker { return &DeliverWorker{s: s} }

// Timeout bounds one attempt: the call's own timeout and a margin for the database.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.s.ch.timeout + 30*time.Second
}

// NextRetry schedules the next attempt by Backoff. River's clock is the
// wall clock, so this is too.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(Backoff(w.s.ch.retryBase, job.Attempt))
}

// Work makes one attempt and records it.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.s.deliver(ctx, job.Args.DeliveryID, job.Attempt, job.MaxAttempts)
}

// permanent marks an attempt's error as one no retry can change (no mail
// server, a deleted webhook, no secret).
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// deliver makes attempt number attempt of the delivery and records it.
// It returns an error only when River should retry.
func (s *Service) deliver(ctx context.Context, id string, attempt, maxAttempts int) error {
	d, err := s.db.Ent.Delivery.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil // its alert was deleted with the account
	}
	if err != nil {
		return err
	}
	if d.Status.Terminal() {
		return nil
	}
	a, err := s.db.Ent.Alert.Get(ctx, d.AlertID)
	if err != nil {
		return err
	}
	log := s.log.With("delivery_id", d.ID, "alert_id", a.ID, "account_id", d.AccountID, "channel", d.Channel.String())
	at := s.now()
	start := time.Now()
	code, callErr := s.attempt(ctx, d, a)
	entry := domain.DeliveryAttempt{At: at, StatusCode: code, DurationMs: time.Since(start).Milliseconds()}
	if callErr != nil {
		entry.Error = clean(callErr.Error(), 400)
	}
	first := at
	if len(d.Log) > 0 {
		first = d.Log[0].At
	}
	var perm permanent
	final := callErr != nil && (errors.As(callErr, &perm) || attempt >= maxAttempts || at.Sub(first) >= RetryWindow)
	recorded, err := s.record(ctx, d.ID, entry, callErr == nil, final)
	if err != nil {
		return err
	}
	switch {
	case !recorded:
		log.Info("delivery already settled; attempt not recorded", "attempt", attempt)
		return nil
	case callErr == nil:
		log.Info("alert delivered", "attempt", attempt, "status_code", code, "duration_ms", entry.DurationMs)
		return nil
	case final:
		log.Warn("alert delivery failed; giving up", "attempt", attempt, "status_code", code, "err", entry.Error)
		return nil
	default:
		log.Info("alert delivery failed; will retry", "attempt", attempt, "status_code", code, "err", entry.Error)
		return fmt.Errorf("delivery attempt %d: %s", attempt, entry.Error)
	}
}

// record appends entry to the delivery's log and settles it, in a
// transaction that first checks the delivery is still pending: whatever
// retries a crash causes, one delivery is marked delivered at most once.
// The update also requires the attempt count it read, so two jobs of one
// delivery recording at once cannot overwrite each other's log entry: the
// loser reads again and appends after the winner.
func (s *Service) record(ctx context.Context, id string, entry domain.DeliveryAttempt, ok, final bool) (bool, error) {
	for range 3 {
		recorded, settled, err := s.recordOnce(ctx, id, entry, ok, final)
		if err != nil || recorded || settled {
			return recorded, err
		}
	}
	return false, fmt.Errorf("delivery %s: its log kept changing while this attempt was recorded", id)
}

// recordOnce is one try of record; settled reports that the delivery is no longer pending.
func (s *Service) recordOnce(ctx context.Context, id string, entry domain.DeliveryAttempt, ok, final bool) (recorded, settled bool, err error) {
	err = s.db.InTx(ctx, func(_ *sql.Tx, c *ent.Client) error {
		d, err := c.Delivery.Query().Where(delivery.ID(id), delivery.StatusEQ(domain.DeliveryPending)).Only(ctx)
		if ent.IsNotFound(err) {
			settled = true
			return nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		upd := c.Delivery.Update().Where(delivery.ID(id), delivery.StatusEQ(domain.DeliveryPending), delivery.Attempts(d.Attempts)).
			SetAttempts(d.Attempts + 1).SetLog(append(d.Log, entry)).SetUpdatedAt(now)
		if entry.StatusCode != 0 {
			upd = upd.SetLastStatusCode(entry.StatusCode)
		}
		switch {
		case ok:
			upd = upd.SetStatus(domain.DeliveryDelivered).SetDeliveredAt(now).ClearLastError()
		case final:
			upd = upd.SetStatus(domain.DeliveryFailed).SetLastError(trimTo(entry.Error, 500))
		default:
			upd = upd.SetLastError(trimTo(entry.Error, 500))
		}
		n, err := upd.Save(ctx)
		recorded = n == 1
		return err
	})
	return recorded, settled, err
}

func trimTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// attempt sends the delivery once: the answer's status code (0 without
// one) and, when it did not succeed, why.
func (s *Service) attempt(ctx context.Context, d *ent.Delivery, a *ent.Alert) (int, error) {
	var c Content
	if err := json.Unmarshal([]byte(a.Payload), &c); err != nil {
		return 0, permanent{fmt.Errorf("the alert's content is unreadable: %w", err)}
	}
	switch d.Channel {
	case domain.ChannelEmail:
		return 0, s.sendEmail(ctx, d, c)
	case domain.ChannelWebhook:
		return s.callWebhook(ctx, d, a, c)
	}
	return 0, permanent{fmt.Errorf("unknown channel %q", d.Channel)}
}

// sendEmail mails the alert through the SMTP sender.
func (s *Service) sendEmail(ctx context.Context, d *ent.Delivery, c Content) error {
	if s.ch.mail == nil {
		return permanent{ErrMailNotConfigured}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.ch.mail.Deliver(ctx, mail.Message{To: d.Target, Subject: Subject(c), Body: EmailBody(c)}); err != nil {
		return fmt.Errorf("sending mail: %w", err)
	}
	return nil
}

// webhookBody is what a webhook of the format receives: the alert's
// content as JSON (the stored payload, which is json.Marshal(Content)), or
// Slack's {"text": …}.
func webhookBody(format domain.WebhookFormat, payload string, c Content) ([]byte, error) {
	if format == domain.WebhookSlack {
		return json.Marshal(map[string]string{"text": SlackText(c)})
	}
	return []byte(payload), nil
}

// callWebhook POSTs the alert to the webhook, signed with the account's secret.
func (s *Service) callWebhook(ctx context.Context, d *ent.Delivery, a *ent.Alert, c Content) (int, error) {
	if d.WebhookID == "" {
		return 0, permanent{errors.New("the delivery names no webhook")}
	}
	h, err := s.db.Ent.Webhook.Query().Where(webhook.ID(d.WebhookID), webhook.AccountID(d.AccountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, permanent{errors.New("the webhook was deleted")}
	}
	if err != nil {
		return 0, err
	}
	acc, err := s.db.Ent.Account.Query().Where(account.ID(d.AccountID)).
		Select(account.FieldID, account.FieldWebhookSecret).Only(ctx)
	if err != nil {
		return 0, err
	}
	var secret string
	if acc.WebhookSecret != "" {
		if secret, err = s.ch.sealer.Open(acc.WebhookSecret, acc.ID); err != nil {
			return 0, permanent{err}
		}
	} else if h.Format == domain.WebhookJSON {
		return 0, permanent{errors.New("the account has no webhook secret to sign with; create one")}
	}
	body, err := webhookBody(h.Format, a.Payload, c)
	if err != nil {
		return 0, permanent{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, permanent{errors.New("the webhook URL is not valid")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Palisade-Event", c.Type.String())
	req.Header.Set("Palisade-Delivery", d.ID)
	if secret != "" {
		req.Header.Set(SignatureHeader, Sign(secret, s.now(), body))
	}
	resp, err := s.ch.client.Do(req)
	if err != nil {
		return 0, callError(err, s.ch.timeout)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	if e := clean(string(excerpt), maxExcerpt); e != "" {
		msg += ": " + e
	}
	return resp.StatusCode, errors.New(msg)
}

// callError says why a call failed in a sentence that never holds the
// URL (a Slack webhook's path is its secret).
func callError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("timeout: no answer within %s", timeout)
	case errors.Is(err, netguard.ErrRefused):
		return fmt.Errorf("refused by the address guard: %w", err)
	}
	return err
}
