package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scans"
)

// Webhooks, the webhook secret, deliveries and alerts (docs/monitoring.md,
// "Channels, signatures and retries").

type createWebhookRequest struct {
	URL    *string `json:"url"`
	Format string  `json:"format"`
}

type createdWebhookResponse struct {
	alerts.WebhookView
	// Secret is set when this webhook is the account's first and the
	// secret was made with it: shown this once.
	Secret string `json:"secret,omitempty"`
}

type secretResponse struct {
	alerts.SecretInfo
	Secret string `json:"secret,omitempty"`
}

type testResponse struct {
	AlertID    string `json:"alertId"`
	DeliveryID string `json:"deliveryId"`
	StatusURL  string `json:"statusUrl"`
}

func pagination(p alerts.Page) scans.Pagination {
	return scans.Pagination{Page: p.Page, Limit: p.Limit, Total: p.Total, Pages: p.Pages}
}

func (h *Handler) createWebhook(c *fiber.Ctx) error {
	var req createWebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.URL == nil {
		return &errs.Validation{Field: "url", Message: `field "url" is required, e.g. {"url":"https://example.com/hooks/palisade"}`}
	}
	info := keyInfo(c)
	created, err := h.Alerts.CreateWebhook(c.UserContext(), info.Account.ID, "", *req.URL, req.Format)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderLocation, Prefix+"/webhooks/"+created.Webhook.ID)
	return c.Status(http.StatusCreated).JSON(createdWebhookResponse{WebhookView: alerts.WebhookViewOf(created.Webhook), Secret: created.Secret})
}

func (h *Handler) listWebhooks(c *fiber.Ctx) error {
	hooks, err := h.Alerts.Webhooks(c.UserContext(), keyInfo(c).Account.ID)
	if err != nil {
		return err
	}
	out := struct {
		Data []alerts.WebhookView `json:"data"`
	}{Data: make([]alerts.WebhookView, 0, len(hooks))}
	for _, w := range hooks {
		out.Data = append(out.Data, alerts.WebhookViewOf(w))
	}
	return c.JSON(out)
}

func (h *Handler) getWebhook(c *fiber.Ctx) error {
	w, err := h.Alerts.Webhook(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(alerts.WebhookViewOf(w))
}

func (h *Handler) deleteWebhook(c *fiber.Ctx) error {
	if err := h.Alerts.DeleteWebhook(c.UserContext(), keyInfo(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (h *Handler) testWebhook(c *fiber.Ctx) error {
	id := c.Params("id")
	a, d, err := h.Alerts.SendTest(c.UserContext(), keyInfo(c).Account.ID, id)
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(testResponse{AlertID: a.ID, DeliveryID: d.ID, StatusURL: Prefix + "/webhooks/" + id + "/deliveries"})
}

func (h *Handler) webhookDeliveries(c *fiber.Ctx) error {
	page, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, pg, err := h.Alerts.Deliveries(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"), page, limit)
	if err != nil {
		return err
	}
	out := listResponse[alerts.DeliveryView]{Data: make([]alerts.DeliveryView, 0, len(items)), Pagination: pagination(pg)}
	for _, d := range items {
		out.Data = append(out.Data, alerts.DeliveryViewOf(d))
	}
	return c.JSON(out)
}

func (h *Handler) getWebhookSecret(c *fiber.Ctx) error {
	info, err := h.Alerts.SecretState(c.UserContext(), keyInfo(c).Account.ID)
	if err != nil {
		return err
	}
	return c.JSON(secretResponse{SecretInfo: info})
}

// rotateWebhookSecret creates the secret or replaces it; the old one stops verifying at once.
func (h *Handler) rotateWebhookSecret(c *fiber.Ctx) error {
	plain, info, err := h.Alerts.RotateSecret(c.UserContext(), keyInfo(c).Account.ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(secretResponse{SecretInfo: info, Secret: plain})
}

func (h *Handler) listAlerts(c *fiber.Ctx) error {
	page, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, pg, err := h.Alerts.Alerts(c.UserContext(), keyInfo(c).Account.ID, page, limit)
	if err != nil {
		return err
	}
	out := listResponse[alerts.AlertView]{Data: make([]alerts.AlertView, 0, len(items)), Pagination: pagination(pg)}
	for _, a := range items {
		out.Data = append(out.Data, alerts.AlertViewOf(a))
	}
	return c.JSON(out)
}
