package app_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/delivery"
)

// TestWebhooksPage: an owner adds a webhook and sees the secret once,
// sends a test and sees its delivery, deletes it after a confirmation;
// every form needs its CSRF token, members are kept out.
func TestWebhooksPage(t *testing.T) {
	env := apptest.New(t)
	var calls atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rcv.Close)
	owner := signUp(t, env, "hooks-owner@example.com")
	p := owner.Get("/webhooks")
	if p.Status != 200 || p.Doc.Find(`nav.main a[href="/webhooks"]`).Length() != 1 || p.Doc.Find(`[data-testid="empty-webhooks"]`).Length() != 1 {
		t.Fatalf("webhooks page = %d", p.Status)
	}
	if p := owner.PostRaw("/webhooks", url.Values{"url": {rcv.URL}}); p.Status != http.StatusForbidden {
		t.Errorf("a form without its CSRF token = %d, want 403", p.Status)
	}
	owner.Get("/webhooks")
	if p := owner.Post("/webhooks", url.Values{"url": {"http://10.0.0.7/hook"}, "format": {"json"}}); p.Status != 422 ||
		!strings.Contains(p.Doc.Find(`[data-testid="webhook-form"]`).Text(), "10.0.0.7") {
		t.Errorf("private URL = %d, want 422 with the reason next to the field", p.Status)
	}
	p = owner.Post("/webhooks", url.Values{"url": {rcv.URL + "/<b>hook</b>"}, "format": {"json"}})
	secret, _ := p.Doc.Find(`[data-testid="new-secret-value"]`).Attr("value")
	if p.Status != 200 || !strings.HasPrefix(secret, "whsec_") || !strings.Contains(p.Doc.Find(`[data-testid="new-secret"]`).Text(), "will not be shown again") {
		t.Fatalf("creating = %d, secret %q", p.Status, secret)
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the answer with the secret has Cache-Control %q", cc)
	}
	p = owner.Get("/webhooks")
	if strings.Contains(p.Body, secret) || !strings.Contains(p.Doc.Find(`[data-testid="secret-state"]`).Text(), secret[len(secret)-4:]) {
		t.Error("the secret is shown again, or its hint is missing")
	}
	if strings.Contains(p.Body, "<b>hook</b>") {
		t.Error("the URL is not escaped")
	}
	hook := p.Doc.Find(`[data-testid="webhook"]`)
	if hook.Length() != 1 {
		t.Fatalf("%d webhooks listed", hook.Length())
	}
	id, _ := hook.Attr("data-webhook-id")
	p = owner.Post("/webhooks/"+id+"/test", url.Values{})
	if p.Status != 200 || p.Doc.Find(`[data-testid="webhooks-message"]`).Length() != 1 {
		t.Fatalf("send test = %d", p.Status)
	}
	apptest.WaitFor(t, 20*time.Second, "test delivered", func() bool {
		n, _ := env.C.DB.Ent.Delivery.Query().Where(delivery.WebhookID(id), delivery.StatusEQ(domain.DeliveryDelivered)).Count(context.Background())
		return n == 1
	})
	p = owner.Get("/webhooks")
	row := p.Doc.Find(`[data-testid="delivery-row"]`)
	if row.Length() != 1 || row.AttrOr("data-status", "") != "delivered" || strings.TrimSpace(row.Find(`[data-testid="delivery-code"]`).Text()) != "200" ||
		strings.TrimSpace(row.Find(`[data-testid="delivery-attempts"]`).Text()) != "1" || !strings.Contains(row.Text(), "Test alert from Palisade") {
		t.Errorf("delivery row: %q", row.Text())
	}
	if calls.Load() != 1 {
		t.Errorf("receiver saw %d calls", calls.Load())
	}
	// A hostile alert subject stays text on the page.
	accID := env.C.DB.Ent.Webhook.GetX(context.Background(), id).AccountID
	err := env.C.DB.InTx(context.Background(), func(tx *sql.Tx, c *ent.Client) error {
		_, err := env.C.Alerts.RaiseTx(context.Background(), tx, c, accID, "", "hostile",
			alerts.Content{Type: domain.AlertGradeDrop, Summary: "<script>alert(1)</script>\r\nx", Changes: []alerts.Change{}},
			domain.AlertRules{Webhooks: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := owner.Get("/webhooks"); strings.Contains(p.Body, "<script>alert(1)") || !strings.Contains(p.Doc.Find(`[data-testid="deliveries"]`).Text(), "<script>alert(1)</script> x") {
		t.Error("a hostile alert subject is not shown as text")
	}
	p = owner.Post("/webhooks/secret", url.Values{})
	rotated, _ := p.Doc.Find(`[data-testid="new-secret-value"]`).Attr("value")
	if p.Status != 200 || rotated == secret || !strings.HasPrefix(rotated, "whsec_") {
		t.Errorf("rotate = %d, %q", p.Status, rotated)
	}

	del, _ := owner.Get("/webhooks").Doc.Find(`[data-testid="delete-webhook"]`).Attr("href")
	p = owner.Get(del)
	if p.Status != 200 || p.Doc.Find(`[data-testid="confirm-delete"]`).Length() != 1 {
		t.Fatalf("confirm page = %d", p.Status)
	}
	if n, _ := env.C.DB.Ent.Webhook.Query().Count(context.Background()); n != 1 {
		t.Error("the confirmation page deleted the webhook")
	}
	p = owner.Post(del, url.Values{})
	if p.Status != 200 || p.Doc.Find(`[data-testid="empty-webhooks"]`).Length() != 1 {
		t.Errorf("after delete = %d", p.Status)
	}

	// Another account's webhook is not found; members are forbidden.
	other := signUp(t, env, "hooks-other@example.com")
	other.Get("/webhooks")
	other.Post("/webhooks", url.Values{"url": {rcv.URL + "/other"}})
	otherID, _ := other.Get("/webhooks").Doc.Find(`[data-testid="webhook"]`).Attr("data-webhook-id")
	owner.Get("/webhooks")
	if p := owner.Post("/webhooks/"+otherID+"/test", url.Values{}); p.Status != 404 {
		t.Errorf("test of a foreign webhook = %d", p.Status)
	}
	if p := owner.Get("/webhooks/" + otherID + "/delete"); p.Status != 404 {
		t.Errorf("delete page of a foreign webhook = %d", p.Status)
	}
	invite := owner.Post("/team/invite", url.Values{"role": {"member"}})
	link := strings.TrimSpace(invite.Doc.Find(`[data-testid="invite-link-value"]`).Text())
	member := env.Browser()
	path := link[strings.Index(link, "/invite/"):]
	member.Get(path)
	member.Post(path, url.Values{"email": {"hooks-member@example.com"}, "password": {"a long enough password"}})
	if p := member.Get("/webhooks"); p.Status != http.StatusForbidden {
		t.Errorf("member on /webhooks = %d", p.Status)
	}
	if p := member.Get("/dashboard"); p.Doc.Find(`nav.main a[href="/webhooks"]`).Length() != 0 {
		t.Error("members see the Webhooks link")
	}
}
