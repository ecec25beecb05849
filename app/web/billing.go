package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/views/pages"
)

// requireOwner keeps members out of billing and key management.
func (h *Handler) requireOwner(c *fiber.Ctx) error {
	if s := session(c); s == nil || !s.User.Role.IsOwner() {
		return &errs.Forbidden{Message: "Only the account's owners can do this."}
	}
	return c.Next()
}

func (h *Handler) billingData(c *fiber.Ctx, msg string) (pages.BillingData, error) {
	s := session(c)
	plan := billing.Lookup(string(s.Account.Plan))
	used, err := h.scans.Used(c.UserContext(), s.Account.ID)
	if err != nil {
		return pages.BillingData{}, err
	}
	// The monitor limits are documented here (docs/monitoring.md, "Plan limits").
	var mu monitors.Usage
	if h.monitors != nil {
		if mu, err = h.monitors.Usage(c.UserContext(), s.Account.ID); err != nil {
			return pages.BillingData{}, err
		}
	}
	d := pages.BillingData{
		Enabled: h.billing.Enabled(), Current: planOf(plan), Used: used, ResetsAt: scans.ResetsAt(time.Now()).Format("2 January 2006"),
		MonitorsUsed: mu.Monitors, MonitorRunsUsed: mu.Runs,
		Owner: s.User.Role.CanManageBilling(), Status: s.Account.SubscriptionStatus, Message: msg,
		HasCustomer: s.Account.StripeCustomerID != nil,
	}
	for _, p := range billing.Plans() {
		d.Plans = append(d.Plans, planOf(p))
	}
	return d, nil
}

func (h *Handler) billingPage(c *fiber.Ctx) error {
	msg := ""
	switch c.Query("checkout") {
	case "success":
		msg = "Thank you! Your plan changes as soon as Stripe confirms the payment."
	case "cancel":
		msg = "Checkout was cancelled; nothing changed."
	}
	d, err := h.billingData(c, msg)
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.Billing(d), nil)
}

func (h *Handler) checkout(c *fiber.Ctx) error {
	plan, err := billing.ParsePlan(c.FormValue("plan"))
	if err != nil {
		return &errs.Validation{Field: "plan", Message: err.Error()}
	}
	page := h.cfg.BaseURL + h.url(RouteBilling)
	url, err := h.billing.Checkout(c.UserContext(), session(c).Account.ID, plan, page+"?checkout=success", page+"?checkout=cancel")
	if err != nil {
		return h.billingError(c, err)
	}
	return redirectOut(c, url)
}

func (h *Handler) portal(c *fiber.Ctx) error {
	url, err := h.billing.Portal(c.UserContext(), session(c).Account.ID, h.cfg.BaseURL+h.url(RouteBilling))
	if err != nil {
		return h.billingError(c, err)
	}
	return redirectOut(c, url)
}

// billingError shows a billing failure on the billing page rather than an error page.
func (h *Handler) billingError(c *fiber.Ctx, err error) error {
	// The kind decides: what a person can act on, and Stripe failing
	// (Upstream, Unavailable), is said on the page; anything else is a 500.
	code, msg, _, _ := httpx.Status(err)
	var up *errs.Upstream
	var ua *errs.Unavailable
	if _, _, ok := errs.Field(err); !ok && !errors.As(err, &up) && !errors.As(err, &ua) {
		return err
	}
	h.log.Warn("billing action failed", "account_id", session(c).Account.ID, "err", err)
	d, derr := h.billingData(c, "")
	if derr != nil {
		return derr
	}
	d.Error = msg
	return httpx.Render(c, code, pages.Billing(d), nil)
}

// redirectOut sends the browser to Stripe; htmx needs HX-Redirect for a cross-origin page.
func redirectOut(c *fiber.Ctx, url string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", url)
		return c.SendStatus(http.StatusOK)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}
