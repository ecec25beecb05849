package web

import (
	"github.com/palisade/palisade/app/domain"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// The owner's webhooks page (docs/monitoring.md, "Channels, signatures and retries").

// recentDeliveries is how many deliveries the page shows per webhook.
const recentDeliveries = 10

func (h *Handler) webhooksData(c *fiber.Ctx, d model.WebhooksPage) (model.WebhooksPage, error) {
	ctx, acc := c.UserContext(), session(c).Account.ID
	info, err := h.alerts.SecretState(ctx, acc)
	if err != nil {
		return d, err
	}
	d.Secret.Set, d.Secret.Hint, d.Secret.CreatedAt = info.Set, info.Hint, info.CreatedAt
	d.Secret.RotateURL = h.url(RouteWebhookSecret)
	d.CreateURL, d.Limit = h.url(RouteWebhooks), alerts.MaxWebhooks
	hooks, err := h.alerts.Webhooks(ctx, acc)
	if err != nil {
		return d, err
	}
	for _, w := range hooks {
		label := "signed JSON"
		if w.Format == domain.WebhookSlack {
			label = "Slack"
		}
		row := model.WebhookRow{ID: w.ID, URL: w.URL, Format: w.Format.String(), FormatLabel: label, CreatedAt: w.CreatedAt,
			TestURL: h.url(RouteWebhookTest, w.ID), DeleteURL: h.url(RouteWebhookDelete, w.ID)}
		ds, _, err := h.alerts.Deliveries(ctx, acc, w.ID, 1, recentDeliveries)
		if err != nil {
			return d, err
		}
		for _, dl := range ds {
			r := model.DeliveryRow{ID: dl.ID, At: dl.CreatedAt, Status: dl.Status.String(), StatusCode: dl.LastStatusCode,
				Attempts: dl.Attempts, Error: dl.LastError}
			if n := len(dl.Log); n > 0 {
				r.At, r.DurationMs = dl.Log[n-1].At, dl.Log[n-1].DurationMs
			}
			if a := dl.Edges.Alert; a != nil {
				r.Alert, r.AlertType = a.Subject, a.Kind.String()
			}
			row.Deliveries = append(row.Deliveries, r)
		}
		d.Webhooks = append(d.Webhooks, row)
	}
	return d, nil
}

func (h *Handler) renderWebhooks(c *fiber.Ctx, status int, d model.WebhooksPage) error {
	d, err := h.webhooksData(c, d)
	if err != nil {
		return err
	}
	// A new secret is rendered straight into this answer, never stored to show later.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return httpx.Render(c, status, pages.Webhooks(d), nil)
}

func (h *Handler) webhooksPage(c *fiber.Ctx) error {
	msg := ""
	switch c.Query("done") {
	case "test":
		msg = "A test alert is queued; its delivery shows below in a moment."
	case "deleted":
		msg = "The webhook was deleted."
	}
	return h.renderWebhooks(c, http.StatusOK, model.WebhooksPage{Message: msg})
}

func (h *Handler) createWebhook(c *fiber.Ctx) error {
	s := session(c)
	d := model.WebhooksPage{URL: c.FormValue("url"), Format: c.FormValue("format"), Errors: map[string]string{}}
	created, err := h.alerts.CreateWebhook(c.UserContext(), s.Account.ID, s.User.ID, d.URL, d.Format)
	if err != nil {
		field, msg, ok := errs.Field(err)
		if !ok {
			code, m, _, _ := httpx.Status(err)
			if code >= 500 {
				return err
			}
			field, msg = "", m
		}
		d.Errors[field] = msg
		code, _, _, _ := httpx.Status(err)
		return h.renderWebhooks(c, code, d)
	}
	return h.renderWebhooks(c, http.StatusOK, model.WebhooksPage{Message: "Webhook added.", Secret: model.SecretPanel{New: created.Secret}})
}

func (h *Handler) rotateWebhookSecret(c *fiber.Ctx) error {
	plain, _, err := h.alerts.RotateSecret(c.UserContext(), session(c).Account.ID)
	if err != nil {
		return err
	}
	return h.renderWebhooks(c, http.StatusOK, model.WebhooksPage{Secret: model.SecretPanel{New: plain}})
}

func (h *Handler) testWebhook(c *fiber.Ctx) error {
	if _, _, err := h.alerts.SendTest(c.UserContext(), session(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return c.Redirect(h.url(RouteWebhooks)+"?done=test", fiber.StatusSeeOther)
}

func (h *Handler) confirmDeleteWebhook(c *fiber.Ctx) error {
	w, err := h.alerts.Webhook(c.UserContext(), session(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.WebhookDelete(model.WebhookDeletePage{URL: w.URL,
		DeleteURL: h.url(RouteWebhookDelete, w.ID), BackURL: h.url(RouteWebhooks)}), nil)
}

func (h *Handler) deleteWebhook(c *fiber.Ctx) error {
	if err := h.alerts.DeleteWebhook(c.UserContext(), session(c).Account.ID, c.Params("id")); err != nil {
		return err
	}
	return c.Redirect(h.url(RouteWebhooks)+"?done=deleted", fiber.StatusSeeOther)
}
