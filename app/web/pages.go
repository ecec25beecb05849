package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/domain"
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
	st, err := h.signups.Start(c.UserContext(), auth.SignUpInput{Email: f.Email, Password: c.FormValue("password"), AccountName: f.AccountName},
		f.URL, h.clientIP(c))
	if err != nil {
		code, ok := formError(c, err, f.Errors)
		if !ok {
			return err
		}
		// Every refusal of the sign-up form is about what was typed (422),
		// a taken address included, except the throttle.
		if code != http.StatusTooManyRequests {
			code = http.StatusUnprocessableEntity
		}
		return httpx.Render(c, code, pages.SignUp(f), nil)
	}
	if st.User == nil {
		return httpx.Render(c, http.StatusOK, pages.SignUpSent(st.Email), nil)
	}
	// Without a mail server the account is made at once (see the README
	// on PALISADE_SMTP_URL).
	if err := h.startSession(c, st.User); err != nil {
		return err
	}
	return c.Redirect(h.dashboardWithURL(f.URL), fiber.StatusSeeOther)
}

func (h *Handler) logInForm(c *fiber.Ctx) error {
	if session(c) != nil {
		return h.redirect(c, RouteDashboard)
	}
	return httpx.Render(c, http.StatusOK, pages.LogIn(pages.AuthForm{}), nil)
}

func (h *Handler) logIn(c *fiber.Ctx) error {
	f := pages.AuthForm{Email: c.FormValue("email"), Errors: components.FormErrors{}}
	u, err := h.auth.LogInFrom(c.UserContext(), f.Email, c.FormValue("password"), h.clientIP(c))
	if err != nil {
		code, ok := formError(c, err, f.Errors)
		if !ok {
			return err
		}
		// 401 for wrong credentials, 429 with Retry-After when throttled.
		return httpx.Render(c, code, pages.LogIn(f), nil)
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

// formError shows err on a form: next to the field its kind names
// (errs.Field), or for the whole form under "". It returns the status
// app/httpx gives the kind, a Validation's 400 as 422 (the form is answered,
// with what was wrong in it), and sets the kind's headers (Retry-After).
// ok is false for an internal error, which the caller returns instead.
func formError(c *fiber.Ctx, err error, fe components.FormErrors) (code int, ok bool) {
	field, msg, ok := errs.Field(err)
	if !ok {
		return 0, false
	}
	fe[field] = msg
	code, _, _, headers := httpx.Status(err)
	for k, v := range headers {
		c.Set(k, v)
	}
	if code == http.StatusBadRequest {
		code = http.StatusUnprocessableEntity
	}
	return code, true
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
		o := pages.DepthOption{Name: string(dep), Allowed: plan.AllowsDepth(dep)}
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
	out := pages.ScanPageData{Scan: h.scanDetail(d), Done: d.Status.Terminal()}
	if out.Done {
		sc, err := h.scans.Get(c.UserContext(), s.Account.ID, d.ID)
		if err != nil {
			return out, err
		}
		res, err := decodeStored(sc)
		if err != nil {
			return out, err
		}
		verdict(&out.Scan, sc, res)
		if graded(sc, res) {
			if out.Changes, err = h.previousChanges(c.UserContext(), sc, res); err != nil {
				return out, err
			}
			if out.Picker, err = h.comparePicker(c.UserContext(), s.Account.ID, sc, ""); err != nil {
				return out, err
			}
		}
	}
	if d.Status == domain.StatusCompleted {
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
			if e.Kind == domain.EventCheckComplete {
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
