package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// gradeBelowChoices are the grades a monitor may alert below ("" is off).
var gradeBelowChoices = []string{"", "A+", "A", "B", "C", "D"}

// monitorChoices are the form's frequency and depth options; what the
// plan's monitors may not use is disabled, saying so.
func monitorChoices(plan billing.Plan, freq domain.Frequency, depth domain.Depth) (freqs, depths []model.Option) {
	for _, f := range domain.Frequencies() {
		o := model.Option{Value: f.String(), Label: f.String(), Selected: f == freq}
		if !slices.Contains(plan.MonitorFrequencies, f) {
			o.Disabled, o.Why = true, "not on the "+plan.Name+" plan"
		}
		freqs = append(freqs, o)
	}
	for _, d := range domain.Depths() {
		o := model.Option{Value: string(d), Label: string(d), Selected: d == depth}
		if !slices.Contains(plan.MonitorDepths, d) {
			o.Disabled, o.Why = true, "not on the "+plan.Name+" plan"
		}
		depths = append(depths, o)
	}
	return freqs, depths
}

func alertSettings(r domain.AlertRules) model.AlertSettings {
	a := model.AlertSettings{GradeDrop: r.GradeDrop, GradeBelow: r.GradeBelow, NewFindings: r.NewFindings,
		NewScriptOrigin: r.NewScriptOrigin, Unreachable: r.Unreachable, Webhooks: r.Webhooks, Email: strings.Join(r.Email, "\n")}
	days := make([]string, len(r.CertExpiryDays))
	for i, d := range r.CertExpiryDays {
		days[i] = strconv.Itoa(d)
	}
	a.CertExpiryDays = strings.Join(days, ", ")
	for _, g := range gradeBelowChoices {
		label := g
		if g == "" {
			label = "off"
		}
		a.GradeBelowOpts = append(a.GradeBelowOpts, model.Option{Value: g, Label: label, Selected: g == r.GradeBelow})
	}
	return a
}

// newMonitorForm is the create form with the defaults of monitors.Create.
func (h *Handler) newMonitorForm(s *auth.SessionInfo, siteID string) model.MonitorForm {
	plan := billing.Lookup(string(s.Account.Plan))
	f := model.MonitorForm{Action: h.url(RouteMonitorNew, siteID), Hour: monitors.DefaultHour,
		Alerts: alertSettings(domain.DefaultAlertRules(s.User.Email))}
	f.Frequencies, f.Depths = monitorChoices(plan, domain.FrequencyWeekly, domain.DepthQuick)
	return f
}

func (h *Handler) monitorPanel(s *auth.SessionInfo, m *ent.Monitor) model.MonitorPanel {
	v := monitors.ViewOf(m)
	p := model.MonitorPanel{ID: m.ID, Frequency: v.Frequency.String(), Depth: string(v.Depth), Hour: v.Hour, Active: v.Active,
		NextRunAt: v.NextRunAt, LastRunAt: v.LastRunAt, LastSkip: v.LastSkip,
		ActiveURL: h.url(RouteMonitorActive, m.ID), RunURL: h.url(RouteMonitorRun, m.ID), DeleteURL: h.url(RouteMonitorDelete, m.ID)}
	if v.LastScanID != "" {
		p.LastScanURL = h.url(RouteScan, v.LastScanID)
	}
	p.Edit = model.MonitorForm{Action: h.url(RouteMonitorEdit, m.ID), Hour: v.Hour, Alerts: alertSettings(v.Alerts)}
	p.Edit.Frequencies, p.Edit.Depths = monitorChoices(billing.Lookup(string(s.Account.Plan)), v.Frequency, v.Depth)
	return p
}

// monitorInput is what a monitor form sent: schedule, depth and alert rules.
type monitorInput struct {
	frequency, depth string
	hour             int
	rules            domain.AlertRules
}

// readMonitorForm reads the form; a malformed hour or threshold is a Validation error on its field.
func readMonitorForm(c *fiber.Ctx) (monitorInput, error) {
	in := monitorInput{frequency: c.FormValue("frequency"), depth: c.FormValue("depth"), hour: monitors.DefaultHour}
	if hs := strings.TrimSpace(c.FormValue("hour")); hs != "" {
		h, err := strconv.Atoi(hs)
		if err != nil {
			return in, &errs.Validation{Field: "hour", Message: "hour must be a UTC hour from 0 to 23"}
		}
		in.hour = h
	}
	on := func(name string) bool { return c.FormValue(name) == "on" }
	in.rules = domain.AlertRules{GradeDrop: on("gradeDrop"), GradeBelow: strings.TrimSpace(c.FormValue("gradeBelow")),
		NewFindings: on("newFindings"), NewScriptOrigin: on("newScriptOrigin"), Unreachable: on("unreachable"),
		Webhooks: on("webhooks"), CertExpiryDays: []int{}, Email: []string{}}
	for _, f := range strings.FieldsFunc(c.FormValue("certExpiryDays"), splitList) {
		d, err := strconv.Atoi(f)
		if err != nil {
			return in, &errs.Validation{Field: "alerts.certExpiryDays", Message: fmt.Sprintf("%q is not a whole number of days", f)}
		}
		in.rules.CertExpiryDays = append(in.rules.CertExpiryDays, d)
	}
	in.rules.Email = strings.FieldsFunc(c.FormValue("email"), splitList)
	return in, nil
}

func splitList(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
}

// formAgain is the monitor form showing what was sent, with err on its field.
func (h *Handler) formAgain(f model.MonitorForm, s *auth.SessionInfo, in monitorInput, err error) (model.MonitorForm, error) {
	field, msg, ok := errs.Field(err)
	if !ok {
		return f, err
	}
	freq, _ := domain.ParseFrequency(in.frequency)
	depth, _ := domain.ParseDepth(in.depth)
	f.Frequencies, f.Depths = monitorChoices(billing.Lookup(string(s.Account.Plan)), freq, depth)
	f.Hour, f.Alerts = in.hour, alertSettings(in.rules)
	f.Errors = map[string]string{field: msg}
	return f, nil
}

// createMonitor watches the site with the form's settings; the first run starts at once.
func (h *Handler) createMonitor(c *fiber.Ctx) error {
	s := session(c)
	siteID := c.Params("id")
	in, err := readMonitorForm(c)
	if err == nil {
		hour, rules := in.hour, in.rules
		_, _, err = h.monitors.Create(c.UserContext(), s.Account, s.User.ID, monitors.Input{SiteID: siteID, Frequency: in.frequency,
			Depth: in.depth, Hour: &hour, Alerts: &rules})
		if err == nil {
			return h.redirectSite(c, siteID, "created")
		}
	}
	d, derr := h.siteData(c.UserContext(), s, siteID)
	if derr != nil {
		return derr
	}
	if d.NewMonitor == nil { // created meanwhile, in another tab
		return h.redirectSite(c, siteID, "")
	}
	f, err := h.formAgain(*d.NewMonitor, s, in, err)
	if err != nil {
		return err
	}
	d.NewMonitor = &f
	return httpx.Render(c, http.StatusUnprocessableEntity, pages.SitePage(d), nil)
}

// monitorAction runs a change of the monitor and goes back to its site
// page, or shows the page with the error.
func (h *Handler) monitorAction(c *fiber.Ctx, done string, act func(s *auth.SessionInfo, m *ent.Monitor) error,
	again func(p *model.MonitorPanel, err error) error) error {
	s := session(c)
	m, err := h.monitors.Get(c.UserContext(), s.Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	if err = act(s, m); err == nil {
		return h.redirectSite(c, m.SiteID, done)
	}
	d, derr := h.siteData(c.UserContext(), s, m.SiteID)
	if derr != nil {
		return derr
	}
	if d.Monitor == nil {
		return err
	}
	if again != nil {
		err = again(d.Monitor, err)
	} else {
		_, msg, ok := errs.Field(err)
		if !ok {
			return err
		}
		d.Monitor.Errors = map[string]string{"": msg}
		err = nil
	}
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusUnprocessableEntity, pages.SitePage(d), nil)
}

// setMonitorActive pauses (active=false) or resumes (active=true) the monitor.
func (h *Handler) setMonitorActive(c *fiber.Ctx) error {
	active := c.FormValue("active") == "true"
	done := "paused"
	if active {
		done = "resumed"
	}
	return h.monitorAction(c, done, func(s *auth.SessionInfo, m *ent.Monitor) error {
		_, err := h.monitors.Update(c.UserContext(), s.Account, m.ID, monitors.Patch{Active: &active})
		return err
	}, nil)
}

// runMonitor starts a run now (it spends a monitor run, like a scheduled one).
func (h *Handler) runMonitor(c *fiber.Ctx) error {
	return h.monitorAction(c, "run", func(s *auth.SessionInfo, m *ent.Monitor) error {
		_, err := h.monitors.RunNow(c.UserContext(), s.Account, m.ID)
		return err
	}, nil)
}

// editMonitor saves the schedule, depth and alert settings.
func (h *Handler) editMonitor(c *fiber.Ctx) error {
	var in monitorInput
	s := session(c)
	return h.monitorAction(c, "saved", func(_ *auth.SessionInfo, m *ent.Monitor) error {
		var err error
		if in, err = readMonitorForm(c); err != nil {
			return err
		}
		_, err = h.monitors.Update(c.UserContext(), s.Account, m.ID, monitors.Patch{Frequency: &in.frequency, Depth: &in.depth,
			Hour: &in.hour, Alerts: &in.rules})
		return err
	}, func(p *model.MonitorPanel, err error) error {
		f, err := h.formAgain(p.Edit, s, in, err)
		p.Edit = f
		return err
	})
}

// deleteMonitor deletes the monitor once "yes, delete" is ticked; its scans stay.
func (h *Handler) deleteMonitor(c *fiber.Ctx) error {
	return h.monitorAction(c, "deleted", func(s *auth.SessionInfo, m *ent.Monitor) error {
		if c.FormValue("confirm") != "yes" {
			return &errs.Validation{Field: "confirm", Message: "Tick “Yes, delete the monitor” to confirm."}
		}
		return h.monitors.Delete(c.UserContext(), s.Account.ID, m.ID)
	}, nil)
}
