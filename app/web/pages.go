package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/pages"
)

func (h *Handler) home(c *fiber.Ctx) error {
	if session(c) != nil {
		return h.redirect(c, RouteDashboard)
	}
	return httpx.Render(c, http.StatusOK, pages.Home(), nil)
}

func (h *Handler) signUpForm(c *fiber.Ctx) error {
	return httpx.Render(c, http.StatusOK, pages.SignUp(pages.AuthForm{URL: c.Query("url")}), nil)
}

func (h *Handler) signUp(c *fiber.Ctx) error {
	f := pages.AuthForm{Email: c.FormValue("email"), AccountName: c.FormValue("account"), URL: c.FormValue("url"), Errors: components.FormErrors{}}
	if wait, err := h.signUpThrottle(c); err != nil {
		return err
	} else if wait > 0 {
		f.Errors[""] = tooMany(c, wait, "sign-ups from your network")
		return httpx.Render(c, http.StatusTooManyRequests, pages.SignUp(f), nil)
	}
	p, err := h.auth.PrepareSignUp(c.UserContext(), auth.SignUpInput{Email: f.Email, Password: c.FormValue("password"), AccountName: f.AccountName})
	var v *errs.Validation
	if errors.As(err, &v) {
		f.Errors[v.Field] = v.Message
		return httpx.Render(c, http.StatusUnprocessableEntity, pages.SignUp(f), nil)
	} else if err != nil {
		return err
	}
	if h.mail != nil {
		return h.signUpByMail(c, p, f.URL)
	}
	// Without a mail server the account is made at once, and a taken
	// address has to be said (see the README on PALISADE_SMTP_URL).
	_, u, err := h.auth.CompleteSignUp(c.UserContext(), p)
	switch {
	case errors.Is(err, auth.ErrEmailTaken):
		f.Errors["email"] = "An account with this e-mail address already exists. Log in instead."
		return httpx.Render(c, http.StatusUnprocessableEntity, pages.SignUp(f), nil)
	case err != nil:
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	h.log.Info("signed up", "user_id", u.ID, "account_id", u.AccountID)
	return c.Redirect(h.dashboardWithURL(f.URL), fiber.StatusSeeOther)
}

func (h *Handler) logInForm(c *fiber.Ctx) error {
	if session(c) != nil {
		return h.redirect(c, RouteDashboard)
	}
	return httpx.Render(c, http.StatusOK, pages.LogIn(pages.AuthForm{}), nil)
}

// Log-in throttling: attempts per address (any e-mail) and per e-mail
// address (from any address), whether or not the account exists, so the
// throttle reveals nothing either.
const (
	loginWindow     = 15 * time.Minute
	loginPerIP      = 30
	loginPerAccount = 10
)

func (h *Handler) logIn(c *fiber.Ctx) error {
	f := pages.AuthForm{Email: c.FormValue("email"), Errors: components.FormErrors{}}
	if wait, err := h.loginThrottle(c, f.Email); err != nil {
		return err
	} else if wait > 0 {
		f.Errors[""] = tooMany(c, wait, "log-in attempts")
		return httpx.Render(c, http.StatusTooManyRequests, pages.LogIn(f), nil)
	}
	u, err := h.auth.LogIn(c.UserContext(), f.Email, c.FormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		f.Errors[""] = "The e-mail address or password is not right."
		return httpx.Render(c, http.StatusUnauthorized, pages.LogIn(f), nil)
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return h.redirect(c, RouteDashboard)
}

// dashboardWithURL is the dashboard with its scan form filled with target,
// where a sign-up that started from the home page's scan box lands.
func (h *Handler) dashboardWithURL(target string) string {
	q := url.Values{}
	if target != "" {
		q.Set("url", target)
	}
	return withQuery(h.url(RouteDashboard), q)
}

// loginThrottle counts the attempt and returns how long to wait when over a limit.
func (h *Handler) loginThrottle(c *fiber.Ctx, email string) (time.Duration, error) {
	keys := []struct {
		key   string
		limit int
	}{
		{"login:ip:" + auth.HashToken(h.clientIP(c))[:40], loginPerIP},
		{"login:acct:" + auth.HashToken(strings.ToLower(strings.TrimSpace(email)))[:40], loginPerAccount},
	}
	var wait time.Duration
	for _, k := range keys {
		d, err := h.limiter.AllowN(c.UserContext(), k.key, k.limit, loginWindow)
		if err != nil {
			return 0, err
		}
		if !d.Allowed && d.RetryAfter > wait {
			wait = d.RetryAfter
		}
	}
	if wait > 0 {
		h.log.Warn("log-in throttled", "ip", h.clientIP(c))
	}
	return wait, nil
}

// tooMany sets Retry-After on a throttled form and returns its message.
func tooMany(c *fiber.Ctx, wait time.Duration, what string) string {
	mins := int((wait + time.Minute - 1) / time.Minute)
	c.Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return fmt.Sprintf("Too many %s. Try again in %d minute%s.", what, mins, plural(mins))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// startSession rotates: any session the browser had is ended before a new one starts.
func (h *Handler) startSession(c *fiber.Ctx, u *ent.User) error {
	if old := c.Cookies(h.cookie); old != "" {
		_ = h.auth.EndSession(c.UserContext(), old)
	}
	tok, err := h.auth.CreateSession(c.UserContext(), u)
	if err != nil {
		return err
	}
	h.setCookie(c, tok)
	return nil
}

func (h *Handler) logOut(c *fiber.Ctx) error {
	if err := h.auth.EndSession(c.UserContext(), c.Cookies(h.cookie)); err != nil {
		return err
	}
	h.clearCookie(c)
	return h.redirect(c, RouteHome)
}

func (h *Handler) dashboard(c *fiber.Ctx) error {
	list, err := h.scanList(c)
	if err != nil {
		return err
	}
	if c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" && c.Get("HX-History-Restore-Request") != "true" {
		return httpx.Render(c, http.StatusOK, pages.ScanTable(list), pages.ScanTable(list))
	}
	data, err := h.dashboardData(c, pages.ScanForm{URL: c.Query("url"), Depth: "STANDARD"})
	if err != nil {
		return err
	}
	data.List = list
	return httpx.Render(c, http.StatusOK, pages.Dashboard(data), pages.ScanTable(list))
}

func (h *Handler) scanList(c *fiber.Ctx) (pages.ScanList, error) {
	s := session(c)
	page, _ := strconv.Atoi(c.Query("page", "1"))
	page = max(page, 1)
	p := scans.ListParams{Page: page, Limit: scans.DefaultLimit, Status: c.Query("status"), Domain: c.Query("domain")}
	items, pg, err := h.scans.List(c.UserContext(), s.Account.ID, p)
	var v *errs.Validation
	if errors.As(err, &v) {
		p.Status, p.Domain = "", ""
		items, pg, err = h.scans.List(c.UserContext(), s.Account.ID, p)
	}
	if err != nil {
		return pages.ScanList{}, err
	}
	out := pages.ScanList{Status: p.Status, Domain: p.Domain}
	out.Pagination = pagination(pg, func(page int) string { return h.dashboardPage(page, p.Status, p.Domain) })
	for _, it := range items {
		out.Items = append(out.Items, h.scanSummary(scans.SummaryOf(it)))
	}
	if p.Domain != "" {
		trend, err := h.scans.Trend(c.UserContext(), s.Account.ID, p.Domain, 20)
		if err != nil {
			return out, err
		}
		for _, t := range trend {
			out.Trend = append(out.Trend, pages.TrendPoint{Score: *t.OverallScore, Grade: t.Grade, When: t.CreatedAt.Format("2 Jan 2006")})
		}
	}
	return out, nil
}

// dashboardPage is one page of the scan list, keeping its filters.
func (h *Handler) dashboardPage(page int, status, domain string) string {
	q := url.Values{}
	q.Set("page", strconv.Itoa(page))
	if status != "" {
		q.Set("status", status)
	}
	if domain != "" {
		q.Set("domain", domain)
	}
	return withQuery(h.url(RouteDashboard), q)
}

func (h *Handler) dashboardData(c *fiber.Ctx, form pages.ScanForm) (pages.DashboardData, error) {
	s := session(c)
	plan := billing.Lookup(string(s.Account.Plan))
	used, err := h.scans.Used(c.UserContext(), s.Account.ID)
	if err != nil {
		return pages.DashboardData{}, err
	}
	d := pages.DashboardData{
		PlanName: plan.Name, Used: used, Limit: plan.ScansPerMonth,
		ResetsAt: scans.ResetsAt(time.Now()).Format("2 January 2006"), Form: form,
	}
	for _, dep := range []scanner.Depth{scanner.Quick, scanner.Standard, scanner.Deep} {
		o := pages.DepthOption{Name: string(dep), Allowed: plan.AllowsDepth(string(dep))}
		if !o.Allowed {
			o.Why = "not in the " + plan.Name + " plan"
		}
		d.Depths = append(d.Depths, o)
	}
	return d, nil
}

func (h *Handler) createScan(c *fiber.Ctx) error {
	s := session(c)
	form := pages.ScanForm{URL: c.FormValue("url"), Depth: c.FormValue("depth"), Errors: components.FormErrors{}}
	sc, err := h.scans.Accept(c.UserContext(), s.Account, form.URL, form.Depth)
	if err != nil {
		field, msg, ok := errs.Field(err)
		if !ok {
			return err
		}
		form.Errors[field] = msg
		data, derr := h.dashboardData(c, form)
		if derr != nil {
			return derr
		}
		if data.List, derr = h.scanList(c); derr != nil {
			return derr
		}
		return httpx.Render(c, http.StatusUnprocessableEntity, pages.Dashboard(data), nil)
	}
	return h.redirect(c, RouteScan, sc.ID)
}

func (h *Handler) scanPageData(c *fiber.Ctx) (pages.ScanPageData, error) {
	s := session(c)
	d, err := h.scans.Detail(c.UserContext(), s.Account.ID, c.Params("id"))
	if err != nil {
		return pages.ScanPageData{}, err
	}
	out := pages.ScanPageData{Scan: h.scanDetail(d), Done: d.Status != "PENDING" && d.Status != "RUNNING"}
	if d.Status == "COMPLETED" {
		if out.Reports, err = h.reportVersions(c, d.ID); err != nil {
			return out, err
		}
	}
	if !out.Done {
		evs, err := h.scans.Events(c.UserContext(), s.Account.ID, d.ID, 0)
		if err != nil {
			return out, err
		}
		for _, e := range evs {
			if e.Kind == "check:complete" {
				out.Progress = append(out.Progress, pages.ProgressItem{CheckID: e.CheckID, Name: e.Name, Status: e.Status})
			}
		}
	}
	return out, nil
}

func (h *Handler) scanPage(c *fiber.Ctx) error {
	d, err := h.scanPageData(c)
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.ScanPage(d), pages.ScanBody(d))
}

func (h *Handler) scanBody(c *fiber.Ctx) error {
	d, err := h.scanPageData(c)
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.ScanBody(d), pages.ScanBody(d))
}

func (h *Handler) cancelScan(c *fiber.Ctx) error {
	if _, err := h.scans.Cancel(c.UserContext(), session(c).Account.ID, c.Params("id")); err != nil {
		// A scan that has already ended is simply shown as it is.
		var cf *errs.Conflict
		if !errors.As(err, &cf) {
			return err
		}
	}
	if c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" {
		return h.scanBody(c)
	}
	return h.redirect(c, RouteScan, c.Params("id"))
}
