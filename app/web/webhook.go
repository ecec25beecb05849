package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/billing"
)

// StripeWebhook is POST /billing/webhook. Mount it outside CSRF protection
// (Stripe signs its requests instead) and outside session middleware. It
// answers {"received":true} when the event was applied, was a duplicate,
// or was ignored (unknown type or customer); any error goes to the app's
// error handler, which answers JSON on this path (httpx.IsAPI) with the
// status of the error's kind, so malformed input is a 4xx, never a 500,
// and a 500 is logged there (Stripe retries it). It enforces
// billing.MaxWebhookBytes itself, whatever the app's body limit, and passes
// the raw body (never a decompressed one), which is what Stripe signed.
func StripeWebhook(b *billing.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Request().Header.ContentLength() > billing.MaxWebhookBytes {
			return billing.ErrPayloadTooLarge
		}
		if err := b.HandleWebhook(c.UserContext(), c.Request().Body(), c.Get("Stripe-Signature")); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"received": true})
	}
}
