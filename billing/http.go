package billing

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// WebhookHandler is the Fiber handler for POST /billing/webhook. Mount it
// outside CSRF protection (Stripe signs its requests instead) and outside
// session middleware. It answers {"received":true} when the event was
// applied, was a duplicate, or was ignored (unknown type or customer), and
// {"error":…} with HTTPStatus otherwise; malformed input is always a 4xx,
// never a 500. It enforces MaxWebhookBytes itself, whatever the app's body
// limit, and reads the raw body (never a decompressed one), which is what
// Stripe signed.
func (s *Service) WebhookHandler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Request().Header.ContentLength() > MaxWebhookBytes {
			return webhookError(c, ErrPayloadTooLarge)
		}
		err := s.HandleWebhook(c.UserContext(), c.Request().Body(), c.Get("Stripe-Signature"))
		if err != nil {
			if HTTPStatus(err) >= http.StatusInternalServerError {
				s.log.ErrorContext(c.UserContext(), "webhook failed; Stripe will retry", "err", err)
			}
			return webhookError(c, err)
		}
		return c.JSON(fiber.Map{"received": true})
	}
}

// webhookError answers {"error":…}: the sentinel's message for known
// errors, a generic one for internal failures (details stay in the log).
func webhookError(c *fiber.Ctx, err error) error {
	status := HTTPStatus(err)
	msg := "internal error"
	for _, known := range []error{ErrWebhookNotConfigured, ErrBadSignature, ErrBadPayload, ErrPayloadTooLarge} {
		if errors.Is(err, known) {
			msg = known.Error()
			break
		}
	}
	return c.Status(status).JSON(fiber.Map{"error": msg})
}
