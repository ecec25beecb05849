package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/ent"
)

// TestWebhookSchemasMatchGoTypes validates what the webhook and alert
// handlers answer with against the document's schemas.
func TestWebhookSchemasMatchGoTypes(t *testing.T) {
	validate := schemaValidator(t)
	at := time.Date(2026, 3, 14, 9, 30, 12, 0, time.UTC)
	hook := &ent.Webhook{ID: "whk_a", URL: "https://hooks.example.com/p", Format: domain.WebhookSlack, Active: true, CreatedAt: at}
	validate("Webhook", alerts.WebhookViewOf(hook))
	validate("CreatedWebhook", createdWebhookResponse{WebhookView: alerts.WebhookViewOf(hook), Secret: "whsec_x"})
	validate("CreatedWebhook", createdWebhookResponse{WebhookView: alerts.WebhookViewOf(hook)})
	validate("WebhookList", map[string]any{"data": []alerts.WebhookView{alerts.WebhookViewOf(hook)}})
	validate("WebhookSecret", secretResponse{})
	validate("WebhookSecret", secretResponse{SecretInfo: alerts.SecretInfo{Set: true, Hint: "abcd", CreatedAt: &at}, Secret: "whsec_y"})
	validate("TestSent", testResponse{AlertID: "alr_a", DeliveryID: "dlv_a", StatusURL: "/api/v1/webhooks/whk_a/deliveries"})

	pending := &ent.Delivery{ID: "dlv_a", AlertID: "alr_a", Channel: domain.ChannelEmail, Target: "ops@example.com",
		Status: domain.DeliveryPending, CreatedAt: at}
	done := at.Add(time.Minute)
	delivered := &ent.Delivery{ID: "dlv_b", AlertID: "alr_a", Channel: domain.ChannelWebhook, Target: hook.URL, WebhookID: hook.ID,
		Status: domain.DeliveryDelivered, Attempts: 2, LastStatusCode: 200, DeliveredAt: &done, CreatedAt: at,
		Log: []domain.DeliveryAttempt{{At: at, DurationMs: 10000, Error: "timeout: no answer within 10s"}, {At: done, StatusCode: 200, DurationMs: 40}}}
	validate("Delivery", alerts.DeliveryViewOf(pending))
	validate("DeliveryList", listResponse[alerts.DeliveryView]{Data: []alerts.DeliveryView{alerts.DeliveryViewOf(delivered)}, Pagination: pagination(alerts.Page{Page: 1, Limit: 20, Total: 1, Pages: 1})})

	content, _ := json.Marshal(alerts.Content{Type: domain.AlertGradeDrop, MonitorID: "mon_a", Site: alerts.SiteRef{ID: "sit_a", URL: "https://example.com/", Name: "example.com"},
		ScanID: "scn_b", PreviousScanID: "scn_a", Grade: "C", PreviousGrade: "A", Summary: "example.com dropped from A to C",
		Changes:     []alerts.Change{{CheckID: "hsts", Name: "HSTS", Before: "pass", After: "fail", PointsDelta: -10}},
		NewFindings: []alerts.FindingRef{{CheckID: "csp", Severity: "high", Title: "t"}}, Certificate: &alerts.CertificateRef{NotAfter: at, DaysLeft: 7, Threshold: 7},
		URL: "https://palisade.example/scans/scn_b", At: at})
	mon := "mon_a"
	a := &ent.Alert{ID: "alr_a", Kind: domain.AlertGradeDrop, Subject: "example.com dropped from A to C", MonitorID: &mon, Payload: string(content), CreatedAt: at}
	a.Edges.Deliveries = []*ent.Delivery{pending, delivered}
	test, _ := json.Marshal(alerts.Content{Type: domain.AlertTest, Summary: "Test alert from Palisade", Changes: []alerts.Change{}, At: at})
	validate("AlertList", listResponse[alerts.AlertView]{Data: []alerts.AlertView{alerts.AlertViewOf(a),
		alerts.AlertViewOf(&ent.Alert{ID: "alr_t", Kind: domain.AlertTest, Subject: "Test alert from Palisade", Payload: string(test), CreatedAt: at})},
		Pagination: pagination(alerts.Page{Page: 1, Limit: 20, Total: 2, Pages: 1})})
}
