package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/views/pages"
)

// Sign-up by e-mail: with a mail server configured, a sign-up creates
// nothing until the address is confirmed. Whether or not the address
// already has an account, the form answers the same page after the same
// work (the password is hashed either way, the mail is sent in the
// background), and only the mailbox learns which: a link that finishes the
// sign-up, or a note that the account exists with a link to log in.
const (
	signUpLinkTTL = 24 * time.Hour
	// Sign-ups per network address, and mails per recipient (so the form
	// cannot be used to flood someone's inbox; over it, nothing is sent and
	// the page is the same).
	signUpWindow     = time.Hour
	signUpPerIP      = 20
	signUpMailsPerTo = 3
)

// pendingSignUp is what a confirmation link finishes, kept under the hash of its token.
type pendingSignUp struct {
	auth.PreparedSignUp
	URL string `json:"url,omitempty"`
}

func pendingKey(token string) string { return "signup:" + auth.HashToken(token) }

// signUpThrottle counts a sign-up from this address and returns how long to
// wait when over the limit.
func (h *Handler) signUpThrottle(c *fiber.Ctx) (time.Duration, error) {
	d, err := h.limiter.AllowN(c.UserContext(), "signup:ip:"+auth.HashToken(h.clientIP(c))[:40], signUpPerIP, signUpWindow)
	if err != nil || d.Allowed {
		return 0, err
	}
	h.log.Warn("sign-up throttled", "ip", h.clientIP(c))
	return d.RetryAfter, nil
}

func (h *Handler) signUpByMail(c *fiber.Ctx, p auth.PreparedSignUp, next string) error {
	ctx := c.UserContext()
	taken, err := h.auth.EmailTaken(ctx, p.Email)
	if err != nil {
		return err
	}
	d, err := h.limiter.AllowN(ctx, "signup:to:"+auth.HashToken(p.Email)[:40], signUpMailsPerTo, signUpWindow)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return httpx.Render(c, http.StatusOK, pages.SignUpSent(p.Email), nil)
	}
	// The pending sign-up is stored for a taken address too, so both paths
	// cost the same writes; its link is never sent, and could not complete.
	token := auth.NewLinkToken()
	val, err := json.Marshal(pendingSignUp{PreparedSignUp: p, URL: next})
	if err != nil {
		return err
	}
	if err := h.storage.Set(pendingKey(token), val, signUpLinkTTL); err != nil {
		return err
	}
	msg := mail.Message{To: p.Email, Subject: "Confirm your Palisade sign-up",
		Body: fmt.Sprintf("Welcome to Palisade.\n\nOpen this link within 24 hours to create your account:\n%s%s\n\n"+
			"If you did not sign up, ignore this message and nothing will be created.\n", h.cfg.BaseURL, h.url(RouteConfirm, token))}
	if taken {
		msg.Subject = "Your Palisade account"
		msg.Body = fmt.Sprintf("Someone, perhaps you, tried to sign up for Palisade with this address.\n\n"+
			"You already have an account. Log in here:\n%s%s\n\n"+
			"If you did not try to sign up, you can ignore this message.\n", h.cfg.BaseURL, h.url(RouteLogIn))
	}
	h.mail.Send(msg)
	return httpx.Render(c, http.StatusOK, pages.SignUpSent(p.Email), nil)
}

// pending loads the sign-up a link stands for; an unknown, used or expired
// link is a 410 that says what to do.
func (h *Handler) pending(token string) (pendingSignUp, error) {
	var p pendingSignUp
	val, err := h.storage.Get(pendingKey(token))
	if err != nil {
		return p, err
	}
	if val == nil || json.Unmarshal(val, &p) != nil {
		return p, &errs.Gone{Message: "This sign-up link has expired or has already been used. Sign up again to get a new one."}
	}
	return p, nil
}

// confirmForm asks for a click rather than acting on the GET: mail
// scanners open links, and must not create accounts by doing so.
func (h *Handler) confirmForm(c *fiber.Ctx) error {
	p, err := h.pending(c.Params("token"))
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.SignUpConfirm(p.Email, h.url(RouteConfirm, c.Params("token"))), nil)
}

func (h *Handler) confirmSignUp(c *fiber.Ctx) error {
	tok := c.Params("token")
	p, err := h.pending(tok)
	if err != nil {
		return err
	}
	if err := h.storage.Delete(pendingKey(tok)); err != nil {
		return err
	}
	// The address is proven now, so saying it is taken tells its owner only.
	_, u, err := h.auth.CompleteSignUp(c.UserContext(), p.PreparedSignUp)
	if errors.Is(err, auth.ErrEmailTaken) {
		return &errs.Conflict{Message: "This e-mail address already has a Palisade account. Log in instead."}
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	h.log.Info("signed up", "user_id", u.ID, "account_id", u.AccountID, "verified", true)
	return c.Redirect(h.dashboardWithURL(p.URL), fiber.StatusSeeOther)
}
