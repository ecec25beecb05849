package alerts_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/mail/mailtest"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/delivery"
)

// fastRetries makes deliveries retry in milliseconds instead of 30 s doubling.
func fastRetries(s *apptest.Setup) { s.App.WebhookRetryBase = 10 * time.Millisecond }

// received is one call a receiver saw.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a loopback webhook endpoint answering with codes in turn (the
// last one from then on); hang, when set, holds the nth call (1-based) until the test ends.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	calls []received
}

func newReceiver(t *testing.T, codes []int, hang int) *receiver {
	t.Helper()
	r := &receiver{}
	done := make(chan struct{})
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.calls = append(r.calls, received{header: req.Header.Clone(), body: body})
		n := len(r.calls)
		r.mu.Unlock()
		if n == hang {
			select {
			case <-done:
			case <-req.Context().Done():
			}
			return
		}
		code := codes[min(n, len(codes))-1]
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html>answer %d\r\n<script>x</script></html>", code)
	}))
	t.Cleanup(func() { close(done); r.Close() })
	return r
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.calls...)
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// createWebhook makes a webhook over the API and returns its id and the secret that came with it.
func createWebhook(t *testing.T, env *apptest.Env, key, url, format string) (id, secret string) {
	t.Helper()
	code, _, body := env.Do("POST", "/api/v1/webhooks", key, "application/json", fmt.Sprintf(`{"url":%q,"format":%q}`, url, format))
	if code != 201 {
		t.Fatalf("creating webhook: %d %s", code, body)
	}
	v := decode[map[string]any](t, body)
	s, _ := v["secret"].(string)
	return v["id"].(string), s
}

// gradeDrop is a grade.dropped alert's content with a hostile finding title.
func gradeDrop() alerts.Content {
	return alerts.Content{
		Type: domain.AlertGradeDrop, MonitorID: "mon_x", ScanID: "scn_2", PreviousScanID: "scn_1",
		Site:  alerts.SiteRef{ID: "sit_1", URL: "https://example.com/", Name: "example.com"},
		Grade: "C", PreviousGrade: "A", Summary: "example.com dropped from A to C",
		Changes:     []alerts.Change{{CheckID: "hsts", Name: "HSTS", Category: "headers", Before: "pass", After: "fail", PointsDelta: -10}},
		NewFindings: []alerts.FindingRef{{CheckID: "csp", Severity: "high", Title: "<b>evil</b>\r\nBcc: x@evil.test"}},
		URL:         "http://palisade.test/scans/scn_2",
	}
}

// raise records an alert for the account as a monitor would.
func raise(t *testing.T, env *apptest.Env, accountID, dedupe string, c alerts.Content, rules domain.AlertRules) alerts.Raised {
	t.Helper()
	var r alerts.Raised
	err := env.C.DB.InTx(context.Background(), func(tx *sql.Tx, client *ent.Client) error {
		var err error
		r, err = env.C.Alerts.RaiseTx(context.Background(), tx, client, accountID, "", dedupe, c, rules)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func waitSettled(t *testing.T, env *apptest.Env, id string) *ent.Delivery {
	t.Helper()
	var d *ent.Delivery
	apptest.WaitFor(t, 30*time.Second, "delivery "+id+" settled", func() bool {
		var err error
		d, err = env.C.DB.Ent.Delivery.Get(context.Background(), id)
		return err == nil && d.Status.Terminal()
	})
	return d
}

// TestWebhookRetriesThenDeliversOnce: a receiver answering 500 twice, then
// 200, sees three signed calls; the delivery is delivered once, its log
// holds the three attempts with their codes, and the API shows it.
func TestWebhookRetriesThenDeliversOnce(t *testing.T) {
	env := apptest.New(t, fastRetries)
	acc := env.User("hooks@example.com", billing.Pro)
	key := env.Key(acc)
	rcv := newReceiver(t, []int{500, 500, 200}, 0)
	whk, secret := createWebhook(t, env, key, rcv.URL+"/hook", "json")
	if !strings.HasPrefix(secret, alerts.SecretPrefix) {
		t.Fatalf("first webhook came without a secret: %q", secret)
	}
	content := gradeDrop()
	r := raise(t, env, acc, "drop:1", content, domain.AlertRules{Webhooks: true})
	if len(r.Deliveries) != 1 {
		t.Fatalf("%d deliveries queued, want 1", len(r.Deliveries))
	}
	d := waitSettled(t, env, r.Deliveries[0].ID)
	if d.Status != domain.DeliveryDelivered || d.Attempts != 3 || d.DeliveredAt == nil {
		t.Fatalf("delivery = %s after %d attempts, want delivered after 3", d.Status, d.Attempts)
	}
	var codes []int
	for _, a := range d.Log {
		codes = append(codes, a.StatusCode)
	}
	if fmt.Sprint(codes) != "[500 500 200]" {
		t.Errorf("log codes = %v", codes)
	}
	if !strings.HasPrefix(d.Log[0].Error, "HTTP 500") || strings.ContainsAny(d.Log[0].Error, "\r\n") {
		t.Errorf("first attempt's error = %q", d.Log[0].Error)
	}
	calls := rcv.got()
	if len(calls) != 3 {
		t.Fatalf("receiver saw %d calls, want 3", len(calls))
	}
	want, _ := json.Marshal(decode[alerts.Content](t, []byte(r.Alert.Payload)))
	for i, c := range calls {
		if err := alerts.Verify(secret, c.header.Get("Palisade-Signature"), c.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("call %d: signature: %v", i+1, err)
		}
		if err := alerts.Verify(secret, c.header.Get("Palisade-Signature"), append([]byte(" "), c.body...), time.Now(), 5*time.Minute); err == nil {
			t.Errorf("call %d: a tampered body verifies", i+1)
		}
		if string(c.body) != string(want) {
			t.Errorf("call %d: body = %s, want json.Marshal(Content) %s", i+1, c.body, want)
		}
		for h, v := range map[string]string{"Content-Type": "application/json", "Palisade-Event": "grade.dropped",
			"Palisade-Delivery": d.ID, "User-Agent": "Palisade-Webhooks/1"} {
			if got := c.header.Get(h); got != v {
				t.Errorf("call %d: %s = %q, want %q", i+1, h, got, v)
			}
		}
	}
	body := decode[alerts.Content](t, calls[0].body)
	if body.Type != domain.AlertGradeDrop || body.Grade != "C" || body.PreviousGrade != "A" || body.ScanID != "scn_2" || len(body.Changes) != 1 {
		t.Errorf("body = %+v", body)
	}

	code, _, raw := env.Do("GET", "/api/v1/webhooks/"+whk+"/deliveries", key, "", "")
	if code != 200 {
		t.Fatalf("deliveries: %d %s", code, raw)
	}
	list := decode[struct {
		Data []alerts.DeliveryView `json:"data"`
	}](t, raw)
	if len(list.Data) != 1 || list.Data[0].Status != domain.DeliveryDelivered || len(list.Data[0].Log) != 3 || list.Data[0].AlertType != domain.AlertGradeDrop {
		t.Errorf("deliveries = %s", raw)
	}
	code, _, raw = env.Do("GET", "/api/v1/alerts", key, "", "")
	if code != 200 || !strings.Contains(string(raw), `"status":"delivered"`) || !strings.Contains(string(raw), `"type":"grade.dropped"`) {
		t.Errorf("alerts: %d %s", code, raw)
	}

	// A job run again for a delivered delivery (a retry after a crash)
	// calls nobody and records nothing.
	err := env.C.DB.InTx(context.Background(), func(tx *sql.Tx, _ *ent.Client) error {
		_, err := env.C.Jobs.Inserter.InsertTx(context.Background(), tx, alerts.DeliverArgs{DeliveryID: d.ID}, &river.InsertOpts{Queue: alerts.Queue})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, 20*time.Second, "the repeated job to finish", func() bool {
		var n int
		_ = env.C.DB.SQL.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'alert_delivery' AND state = 'completed'`).Scan(&n)
		return n == 2
	})
	if again, _ := env.C.DB.Ent.Delivery.Get(context.Background(), d.ID); again.Attempts != 3 || len(rcv.got()) != 3 {
		t.Errorf("the repeated job made an attempt: %d attempts, %d calls", again.Attempts, len(rcv.got()))
	}

	// Raising the same alert again queues nothing: the receiver sees no fourth call.
	if again := raise(t, env, acc, "drop:1", content, domain.AlertRules{Webhooks: true}); again.New || len(again.Deliveries) != 0 {
		t.Errorf("a repeated dedupe key queued %d deliveries", len(again.Deliveries))
	}
}

// TestWebhookTimeoutIsLoggedAndRetried: a receiver that does not answer
// within the timeout is an attempt logged as a timeout, then retried.
func TestWebhookTimeoutIsLoggedAndRetried(t *testing.T) {
	env := apptest.New(t, fastRetries, apptest.WithConfig(func(c *config.Config) { c.WebhookTimeout = 300 * time.Millisecond }))
	acc := env.User("slow@example.com", billing.Pro)
	key := env.Key(acc)
	rcv := newReceiver(t, []int{204}, 1)
	whk, _ := createWebhook(t, env, key, rcv.URL, "json")
	code, _, raw := env.Do("POST", "/api/v1/webhooks/"+whk+"/test", key, "", "")
	if code != 202 {
		t.Fatalf("test: %d %s", code, raw)
	}
	d := waitSettled(t, env, decode[map[string]string](t, raw)["deliveryId"])
	if d.Status != domain.DeliveryDelivered || len(d.Log) != 2 {
		t.Fatalf("delivery %s with log %+v, want delivered on the second attempt", d.Status, d.Log)
	}
	if a := d.Log[0]; a.StatusCode != 0 || !strings.Contains(a.Error, "timeout") {
		t.Errorf("first attempt = %+v, want a timeout", a)
	}
	if a := d.Log[1]; a.StatusCode != 204 || a.Error != "" {
		t.Errorf("second attempt = %+v", a)
	}
	if got := rcv.got(); len(got) != 2 || got[1].header.Get("Palisade-Event") != "test" {
		t.Errorf("receiver saw %d calls", len(got))
	}
}

// TestDeliveryGivesUpAfterRetryWindow: a receiver that always fails is
// retried until a day has passed since the first attempt, then the delivery fails.
func TestDeliveryGivesUpAfterRetryWindow(t *testing.T) {
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.WithClock(clock), func(s *apptest.Setup) { s.App.WebhookRetryBase = 300 * time.Millisecond })
	acc := env.User("down@example.com", billing.Pro)
	key := env.Key(acc)
	rcv := newReceiver(t, []int{503}, 0)
	createWebhook(t, env, key, rcv.URL, "slack")
	r := raise(t, env, acc, "drop:window", gradeDrop(), domain.AlertRules{Webhooks: true})
	id := r.Deliveries[0].ID
	apptest.WaitFor(t, 20*time.Second, "first attempt", func() bool {
		d, err := env.C.DB.Ent.Delivery.Get(context.Background(), id)
		return err == nil && d.Attempts >= 1
	})
	clock.Advance(alerts.RetryWindow + time.Minute)
	d := waitSettled(t, env, id)
	if d.Status != domain.DeliveryFailed || d.Attempts < 2 || !strings.Contains(d.LastError, "HTTP 503") || d.LastStatusCode != 503 {
		t.Fatalf("delivery = %s after %d attempts (%q), want failed", d.Status, d.Attempts, d.LastError)
	}
	var slack map[string]string
	if err := json.Unmarshal(rcv.got()[0].body, &slack); err != nil || !strings.Contains(slack["text"], "example.com dropped from A to C") {
		t.Errorf("slack body = %s", rcv.got()[0].body)
	}
}

// TestEmailDeliveries: alert e-mails go through the SMTP server as River
// jobs; without SMTP the delivery fails at once, saying so in its log.
func TestEmailDeliveries(t *testing.T) {
	smtp := mailtest.New(t)
	env := apptest.New(t, fastRetries, apptest.WithConfig(func(c *config.Config) { c.SMTPURL = smtp.URL() }))
	acc := env.User("mail@example.com", billing.Pro)
	r := raise(t, env, acc, "drop:mail", gradeDrop(), domain.AlertRules{Email: []string{"ops@example.com"}})
	if d := waitSettled(t, env, r.Deliveries[0].ID); d.Status != domain.DeliveryDelivered {
		t.Fatalf("e-mail delivery = %s: %q", d.Status, d.LastError)
	}
	m := smtp.Wait(t, 1, 10*time.Second)[0]
	if m.To != "ops@example.com" || m.Subject != "example.com dropped from A to C" {
		t.Errorf("mail to %q subject %q", m.To, m.Subject)
	}
	for _, want := range []string{"HSTS: pass → fail", "[HIGH] <b>evil</b> Bcc: x@evil.test", "Scan: http://palisade.test/scans/scn_2", "monitor"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("mail body lacks %q:\n%s", want, m.Body)
		}
	}

	plain := apptest.New(t, fastRetries)
	acc2 := plain.User("nomail@example.com", billing.Pro)
	r2 := raise(t, plain, acc2, "drop:nomail", gradeDrop(), domain.AlertRules{Email: []string{"ops@example.com"}})
	d := waitSettled(t, plain, r2.Deliveries[0].ID)
	if d.Status != domain.DeliveryFailed || d.Attempts != 1 || len(d.Log) != 1 || d.Log[0].Error != alerts.ErrMailNotConfigured.Error() {
		t.Errorf("without SMTP: %s after %d attempts, log %+v", d.Status, d.Attempts, d.Log)
	}
	n, _ := plain.C.DB.Ent.Delivery.Query().Where(delivery.StatusEQ(domain.DeliveryPending)).Count(context.Background())
	if n != 0 {
		t.Errorf("%d deliveries still pending", n)
	}
}

// TestWebhookRebindingIsRefusedAtDelivery: a name that resolved to an
// allowed address when the webhook was made, and to a refused one when it
// is called, is not connected to; the attempt is logged as a refusal.
func TestWebhookRebindingIsRefusedAtDelivery(t *testing.T) {
	dns := apptest.NewDNS(t)
	dns.SetA("hooks.rebind.test.", "127.0.0.1")
	env := apptest.New(t, fastRetries, apptest.WithConfig(func(c *config.Config) {
		c.DNSServer = dns.Addr
		c.ScanAllowCIDRs = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}))
	acc := env.User("rebind@example.com", billing.Pro)
	key := env.Key(acc)
	rcv := newReceiver(t, []int{200}, 0)
	port := rcv.URL[strings.LastIndex(rcv.URL, ":")+1:]
	createWebhook(t, env, key, "http://hooks.rebind.test:"+port+"/hook", "json")
	dns.SetA("hooks.rebind.test.", "10.0.0.1")
	r := raise(t, env, acc, "drop:rebind", gradeDrop(), domain.AlertRules{Webhooks: true})
	apptest.WaitFor(t, 20*time.Second, "a refused attempt", func() bool {
		d, err := env.C.DB.Ent.Delivery.Get(context.Background(), r.Deliveries[0].ID)
		return err == nil && d.Attempts >= 1
	})
	d, _ := env.C.DB.Ent.Delivery.Get(context.Background(), r.Deliveries[0].ID)
	if d.Status == domain.DeliveryDelivered || !strings.Contains(d.Log[0].Error, "address guard") || !strings.Contains(d.Log[0].Error, "10.0.0.1") {
		t.Errorf("rebound delivery: %s, log %+v", d.Status, d.Log)
	}
	if len(rcv.got()) != 0 {
		t.Error("the receiver was called")
	}
}
