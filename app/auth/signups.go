package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/ent"
)

// Sign-up by e-mail: with a mail server configured, a sign-up creates
// nothing until the address is confirmed. Whether or not the address
// already has an account, Start answers the same after the same work (the
// password is hashed either way, the mail is sent in the background), and
// only the mailbox learns which: a link that finishes the sign-up, or a
// note that the account exists with a link to log in.
const (
	SignUpLinkTTL = 24 * time.Hour
	// Sign-ups per network address, and mails per recipient (so the form
	// cannot be used to flood someone's inbox; over it, nothing is sent and
	// the answer is the same).
	SignUpWindow     = time.Hour
	SignUpPerIP      = 20
	SignUpMailsPerTo = 3
)

// KV is where pending sign-ups wait for their link to be opened, seen by
// every instance (the app's shared storage; fiber.Storage has this shape).
type KV interface {
	Get(key string) ([]byte, error)
	Set(key string, val []byte, exp time.Duration) error
	Delete(key string) error
}

// Mailer queues a message to send in the background (app/mail's Sender;
// false means it was dropped, which the Sender logs).
type Mailer interface {
	Send(mail.Message) bool
}

// SignUpLinks builds the absolute URLs the mails carry. They come from
// the web surface's route table, which this package must not know.
type SignUpLinks struct {
	Confirm func(token string) string
	LogIn   func() string
}

// SignUps is the sign-up flow: throttled per network address and per
// recipient, confirmed by e-mail when a Mailer is given, immediate without.
type SignUps struct {
	auth    *Service
	limiter Limiter
	kv      KV
	mail    Mailer // nil: no mail server, accounts are made at once
	links   SignUpLinks
	log     *slog.Logger
}

// NewSignUps wires the flow. Pass a nil Mailer (not a nil *mail.Sender in
// an interface) when no mail server is configured.
func NewSignUps(a *Service, l Limiter, kv KV, m Mailer, links SignUpLinks, log *slog.Logger) *SignUps {
	return &SignUps{auth: a, limiter: l, kv: kv, mail: m, links: links, log: log}
}

// Started is what a sign-up led to: Email as normalized, and User when the
// account was made at once (no mail server); nil User means a mail is on
// its way and nothing exists yet.
type Started struct {
	Email string
	User  *ent.User
}

// PendingSignUp is what a confirmation link finishes, kept under the hash
// of its token (never the token itself).
type PendingSignUp struct {
	PreparedSignUp
	// URL is the address the person wanted to scan when they signed up.
	URL string `json:"url,omitempty"`
}

func pendingKey(token string) string { return "signup:" + HashToken(token) }

// ErrSignUpLinkGone is an unknown, used or expired confirmation link.
var ErrSignUpLinkGone = &errs.Gone{Message: "This sign-up link has expired or has already been used. Sign up again to get a new one."}

// ErrConfirmedEmailTaken: the address was proven, so saying it has an
// account tells its owner only.
var ErrConfirmedEmailTaken = &errs.Conflict{Message: "This e-mail address already has a Palisade account. Log in instead."}

// Start begins a sign-up from clientIP, with next the URL to scan after.
// Errors: RateLimited (too many sign-ups from the network), Validation
// (the input), ErrEmailTaken (only without a mail server, where the form
// must say it).
func (g *SignUps) Start(ctx context.Context, in SignUpInput, next, clientIP string) (Started, error) {
	d, err := g.limiter.AllowN(ctx, "signup:ip:"+HashToken(clientIP)[:40], SignUpPerIP, SignUpWindow)
	if err != nil {
		return Started{}, err
	}
	if !d.Allowed {
		g.log.Warn("sign-up throttled", "ip", clientIP)
		return Started{}, TooMany(d.RetryAfter, "sign-ups from your network")
	}
	p, err := g.auth.PrepareSignUp(ctx, in)
	if err != nil {
		return Started{}, err
	}
	if g.mail == nil {
		_, u, err := g.auth.CompleteSignUp(ctx, p)
		if err != nil {
			return Started{}, err
		}
		g.log.Info("signed up", "user_id", u.ID, "account_id", u.AccountID)
		return Started{Email: p.Email, User: u}, nil
	}
	return Started{Email: p.Email}, g.byMail(ctx, p, next)
}

func (g *SignUps) byMail(ctx context.Context, p PreparedSignUp, next string) error {
	taken, err := g.auth.EmailTaken(ctx, p.Email)
	if err != nil {
		return err
	}
	d, err := g.limiter.AllowN(ctx, "signup:to:"+HashToken(p.Email)[:40], SignUpMailsPerTo, SignUpWindow)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return nil // the same answer, and nothing sent
	}
	// The pending sign-up is stored for a taken address too, so both paths
	// cost the same writes; its link is never sent, and could not complete.
	token := NewLinkToken()
	val, err := json.Marshal(PendingSignUp{PreparedSignUp: p, URL: next})
	if err != nil {
		return err
	}
	if err := g.kv.Set(pendingKey(token), val, SignUpLinkTTL); err != nil {
		return err
	}
	msg := mail.Message{To: p.Email, Subject: "Confirm your Palisade sign-up",
		Body: fmt.Sprintf("Welcome to Palisade.\n\nOpen this link within 24 hours to create your account:\n%s\n\n"+
			"If you did not sign up, ignore this message and nothing will be created.\n", g.links.Confirm(token))}
	if taken {
		msg.Subject = "Your Palisade account"
		msg.Body = fmt.Sprintf("Someone, perhaps you, tried to sign up for Palisade with this address.\n\n"+
			"You already have an account. Log in here:\n%s\n\n"+
			"If you did not try to sign up, you can ignore this message.\n", g.links.LogIn())
	}
	_ = g.mail.Send(msg)
	return nil
}

// Pending loads the sign-up a link stands for; an unknown, used or
// expired link is ErrSignUpLinkGone.
func (g *SignUps) Pending(token string) (PendingSignUp, error) {
	var p PendingSignUp
	val, err := g.kv.Get(pendingKey(token))
	if err != nil {
		return p, err
	}
	if val == nil || json.Unmarshal(val, &p) != nil {
		return p, ErrSignUpLinkGone
	}
	return p, nil
}

// Confirm finishes the sign-up a link stands for, once: the link is
// deleted before the account is made. Errors: ErrSignUpLinkGone,
// ErrConfirmedEmailTaken.
func (g *SignUps) Confirm(ctx context.Context, token string) (*ent.User, PendingSignUp, error) {
	p, err := g.Pending(token)
	if err != nil {
		return nil, p, err
	}
	if err := g.kv.Delete(pendingKey(token)); err != nil {
		return nil, p, err
	}
	_, u, err := g.auth.CompleteSignUp(ctx, p.PreparedSignUp)
	if errors.Is(err, ErrEmailTaken) {
		return nil, p, ErrConfirmedEmailTaken
	}
	if err != nil {
		return nil, p, err
	}
	g.log.Info("signed up", "user_id", u.ID, "account_id", u.AccountID, "verified", true)
	return u, p, nil
}
