package web

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/app/ratelimit"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/model"
)

// Handler serves the web pages.
type Handler struct {
	auth     *auth.Service
	scans    *scans.Service
	reports  *reporting.Service
	billing  *billing.Service
	sites    *sites.Service
	monitors *monitors.Service
	alerts   *alerts.Service
	signups  *auth.SignUps
	cfg      config.Config
	log      *slog.Logger
	csrf     fiber.Handler
	cookie   string
	// routes and links are filled by Routes: every URL is built from them.
	routes routeTable
	links  model.Links
}

// Deps are the services the web surface uses.
type Deps struct {
	Config  config.Config
	Auth    *auth.Service
	Scans   *scans.Service
	Reports *reporting.Service
	Billing *billing.Service
	Limiter *ratelimit.Limiter
	// Storage keeps CSRF tokens and pending sign-ups where every instance sees them.
	Storage fiber.Storage
	// Mail, when set, makes sign-up confirm the address by e-mail first.
	Mail *mail.Sender
	Log  *slog.Logger
	// Sites, Monitors and Alerts serve the Sites pages, monitors and webhooks.
	Sites    *sites.Service
	Monitors *monitors.Service
	Alerts   *alerts.Service
}

// NewHandler wires the web surface.
func NewHandler(d Deps) *Handler {
	cfg := d.Config
	h := &Handler{auth: d.Auth, scans: d.Scans, reports: d.Reports, billing: d.Billing,
		sites: d.Sites, monitors: d.Monitors, alerts: d.Alerts,
		cfg: cfg, log: d.Log, cookie: "palisade_session"}
	var mailer auth.Mailer // stays nil for a nil *mail.Sender: no mail server
	if d.Mail != nil {
		mailer = d.Mail
	}
	// The links are built when a mail is composed, after Routes filled the route table.
	h.signups = auth.NewSignUps(d.Auth, d.Limiter, d.Storage, mailer, auth.SignUpLinks{
		Confirm: func(token string) string { return cfg.BaseURL + h.url(RouteConfirm, token) },
		LogIn:   func() string { return cfg.BaseURL + h.url(RouteLogIn) },
	}, d.Log)
	storage := d.Storage
	csrfCookie := "palisade_csrf"
	if cfg.SecureCookies() {
		// __Host- cookies are bound to this exact origin over HTTPS.
		h.cookie = "__Host-palisade_session"
		csrfCookie = "__Host-palisade_csrf"
	}
	h.csrf = csrf.New(csrf.Config{
		CookieName:     csrfCookie,
		CookieSecure:   cfg.SecureCookies(),
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		CookiePath:     "/",
		Expiration:     12 * time.Hour,
		Storage:        storage,
		ContextKey:     httpx.LocalCSRF,
		Extractor: func(c *fiber.Ctx) (string, error) {
			if t := c.Get("X-CSRF-Token"); t != "" {
				return t, nil
			}
			if t := c.FormValue("_csrf"); t != "" {
				return t, nil
			}
			return "", errors.New("missing CSRF token")
		},
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return &errs.Forbidden{Message: "This form has expired or did not come from Palisade. Reload the page and try again."}
		},
	})
	return h
}

const localSession = "session"

// clientIP is the browser's address, behind the configured trusted proxies.
func (h *Handler) clientIP(c *fiber.Ctx) string { return httpx.ClientIP(c, h.cfg.TrustedProxies) }

// loadViewer resolves the session cookie, if any, for every page.
func (h *Handler) loadViewer(c *fiber.Ctx) error {
	tok := c.Cookies(h.cookie)
	if tok == "" {
		return c.Next()
	}
	info, err := h.auth.Session(c.UserContext(), tok)
	if errors.Is(err, auth.ErrNoSession) {
		h.clearCookie(c)
		return c.Next()
	}
	if err != nil {
		return err
	}
	c.Locals(localSession, info)
	c.Locals(httpx.LocalViewer, &components.Viewer{
		Email: info.User.Email, AccountName: info.Account.Name, Plan: string(info.Account.Plan), Role: string(info.User.Role),
		Owner: info.User.Role.IsOwner(),
	})
	return c.Next()
}

// requireUser sends anonymous visitors to log in.
func (h *Handler) requireUser(c *fiber.Ctx) error {
	if session(c) == nil {
		if c.Get("HX-Request") == "true" {
			c.Set("HX-Redirect", h.url(RouteLogIn))
			return c.SendStatus(fiber.StatusUnauthorized)
		}
		return h.redirect(c, RouteLogIn)
	}
	return c.Next()
}

func session(c *fiber.Ctx) *auth.SessionInfo {
	s, _ := c.Locals(localSession).(*auth.SessionInfo)
	return s
}

func (h *Handler) setCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: h.cookie, Value: token, Path: "/", HTTPOnly: true, Secure: h.cfg.SecureCookies(),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(auth.AbsoluteTimeout),
	})
}

func (h *Handler) clearCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: h.cookie, Value: "", Path: "/", HTTPOnly: true, Secure: h.cfg.SecureCookies(),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1,
	})
}
