// Package monitors watches sites on a schedule: a monitor per site with a
// frequency, an hour and a stable jitter, plan limits, and the scheduler
// that enqueues each due run exactly once however many instances run it
// (docs/monitoring.md, "Monitors and schedules").
package monitors

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/ids"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/site"
	"github.com/palisade/palisade/ent/usage"
	"github.com/palisade/palisade/ent/user"
)

// Service manages monitors and schedules their runs.
type Service struct {
	db     *db.DB
	jobs   jobs.Inserter
	scans  *scans.Service
	alerts *alerts.Service
	log    *slog.Logger
	now    func() time.Time
}

// NewService wires the monitors service.
func NewService(d *db.DB, ins jobs.Inserter, sc *scans.Service, al *alerts.Service, log *slog.Logger) *Service {
	return &Service{db: d, jobs: ins, scans: sc, alerts: al, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (tests drive schedules with it).
func (s *Service) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// Now is the service's clock (the scheduler's "now").
func (s *Service) Now() time.Time { return s.now() }

// Input is a monitor to create: exactly one of URL (the site is found or
// created) and SiteID (one of the account's sites). Empty Frequency is
// weekly, empty Depth QUICK, a nil Hour DefaultHour, nil Alerts
// domain.DefaultAlertRules with the creator's e-mail address.
type Input struct {
	URL, SiteID, Frequency, Depth string
	Hour                          *int
	Alerts                        *domain.AlertRules
}

// Patch changes a monitor; nil fields stay as they are.
type Patch struct {
	Frequency, Depth *string
	Hour             *int
	Alerts           *domain.AlertRules
	Active           *bool
}

// Limits on alert settings, so one monitor cannot fan out without bound.
const (
	maxAlertEmails   = 10
	maxCertThreshold = 10
)

// parseFrequency reads a frequency ("" is weekly, which every plan allows).
func parseFrequency(s string) (domain.Frequency, error) {
	if strings.TrimSpace(s) == "" {
		return domain.FrequencyWeekly, nil
	}
	f, ok := domain.ParseFrequency(strings.TrimSpace(s))
	if !ok {
		return "", &errs.Validation{Field: "frequency", Message: "frequency must be daily, weekly or monthly"}
	}
	return f, nil
}

// parseDepth reads a depth ("" is QUICK, which every plan's monitors allow).
func parseDepth(s string) (domain.Depth, error) {
	if strings.TrimSpace(s) == "" {
		return domain.DepthQuick, nil
	}
	d, ok := scanner.ParseDepth(strings.TrimSpace(s))
	if !ok {
		return "", &errs.Validation{Field: "depth", Message: "depth must be QUICK, STANDARD or DEEP"}
	}
	return d, nil
}

func checkHour(h int) error {
	if h < 0 || h > 23 {
		return &errs.Validation{Field: "hour", Message: "hour must be a UTC hour from 0 to 23"}
	}
	return nil
}

// CheckAlerts validates alert rules and returns them normalised (e-mail
// addresses lower-cased and de-duplicated, thresholds sorted, largest first).
func CheckAlerts(r domain.AlertRules) (domain.AlertRules, error) {
	r.GradeBelow = strings.ToUpper(strings.TrimSpace(r.GradeBelow))
	// Below F there is nothing: the grades to fall below are A+ to D (the
	// scanner's grade steps, docs/scoring.md).
	if _, ok := scanner.GradeRank(r.GradeBelow); r.GradeBelow != "" && (!ok || r.GradeBelow == "F") {
		return r, &errs.Validation{Field: "alerts.gradeBelow", Message: "alerts.gradeBelow must be one of A+, A, B, C or D"}
	}
	if len(r.CertExpiryDays) > maxCertThreshold {
		return r, &errs.Validation{Field: "alerts.certExpiryDays", Message: fmt.Sprintf("alerts.certExpiryDays may hold at most %d thresholds", maxCertThreshold)}
	}
	days := []int{}
	for _, d := range r.CertExpiryDays {
		if d < 1 || d > 365 {
			return r, &errs.Validation{Field: "alerts.certExpiryDays", Message: "alerts.certExpiryDays must be days from 1 to 365"}
		}
		if !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	slices.Reverse(days)
	r.CertExpiryDays = days
	if len(r.Email) > maxAlertEmails {
		return r, &errs.Validation{Field: "alerts.email", Message: fmt.Sprintf("alerts.email may hold at most %d addresses", maxAlertEmails)}
	}
	emails := []string{}
	for _, e := range r.Email {
		e = strings.ToLower(strings.TrimSpace(e))
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e || a.Name != "" || len(e) > 254 {
			return r, &errs.Validation{Field: "alerts.email", Message: "alerts.email must hold plain e-mail addresses, e.g. ops@example.com"}
		}
		if !slices.Contains(emails, e) {
			emails = append(emails, e)
		}
	}
	r.Email = emails
	return r, nil
}

// names lists values for a sentence: "a", "a or b", "a, b or c".
func names[T ~string](vs []T) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	if len(out) <= 1 {
		return strings.Join(out, "")
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// allows refuses a frequency or depth the plan's monitors may not use.
func allows(p billing.Plan, f domain.Frequency, d domain.Depth) error {
	if !slices.Contains(p.MonitorFrequencies, f) {
		return &errs.Forbidden{Field: "frequency", Message: fmt.Sprintf("the %s plan's monitors run %s, not %s", p.Name, names(p.MonitorFrequencies), f)}
	}
	if !slices.Contains(p.MonitorDepths, d) {
		return &errs.Forbidden{Field: "depth", Message: fmt.Sprintf("the %s plan's monitors scan at %s depth, not %s", p.Name, names(p.MonitorDepths), d)}
	}
	return nil
}

// lockAccount serialises the monitor writes of one account on PostgreSQL,
// so the plan's monitor limit is checked and used in one step; SQLite write
// transactions are already serial (they begin IMMEDIATE). NO KEY UPDATE, as
// the scan dispatcher takes (docs/ARCHITECTURE.md), leaves rows that merely
// reference the account (its scans, its usage) free to be written meanwhile.
func (s *Service) lockAccount(ctx context.Context, tx *sql.Tx, c *ent.Client, accountID string) (*ent.Account, error) {
	if !s.db.IsSQLite() {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
			return nil, fmt.Errorf("locking the account: %w", err)
		}
	}
	return c.Account.Query().Where(account.ID(accountID)).Only(ctx)
}

func conflict(m *ent.Monitor) error {
	return &errs.Conflict{Field: "url", Message: "this site already has a monitor; change it instead",
		Details: map[string]any{"monitorId": m.ID}}
}

// Create makes a monitor and accepts its initial scan in one transaction:
// both or neither. The initial scan is a monitor run, so when the month's
// monitor runs are spent nothing is created (429). A foreign siteId is 404.
func (s *Service) Create(ctx context.Context, acc *ent.Account, userID string, in Input) (*ent.Monitor, *ent.Scan, error) {
	in.URL, in.SiteID = strings.TrimSpace(in.URL), strings.TrimSpace(in.SiteID)
	if (in.URL == "") == (in.SiteID == "") {
		return nil, nil, &errs.Validation{Field: "url", Message: "send either url or siteId (not both), e.g. {\"url\":\"https://example.com\"}"}
	}
	freq, err := parseFrequency(in.Frequency)
	if err != nil {
		return nil, nil, err
	}
	depth, err := parseDepth(in.Depth)
	if err != nil {
		return nil, nil, err
	}
	hour := DefaultHour
	if in.Hour != nil {
		hour = *in.Hour
	}
	if err := checkHour(hour); err != nil {
		return nil, nil, err
	}
	var rules domain.AlertRules
	if in.Alerts != nil {
		if rules, err = CheckAlerts(*in.Alerts); err != nil {
			return nil, nil, err
		}
	} else {
		rules = domain.DefaultAlertRules()
		if userID != "" {
			u, err := s.db.Ent.User.Query().Where(user.ID(userID), user.AccountID(acc.ID)).Only(ctx)
			if err != nil && !ent.IsNotFound(err) {
				return nil, nil, err
			}
			if u != nil {
				rules = domain.DefaultAlertRules(u.Email)
			}
		}
	}
	if err := allows(billing.Lookup(acc.Plan), freq, depth); err != nil {
		return nil, nil, err
	}
	if in.URL != "" {
		// The guard's verdict (DNS included) before the transaction: the
		// runs themselves are accepted without a lookup (scans.AcceptRequest).
		t, err := s.scans.ValidateTarget(ctx, in.URL)
		if err != nil {
			return nil, nil, err
		}
		in.URL = t.URL
	}
	now := s.now()
	id := ids.New("mon")
	jitter := Jitter(id)
	var (
		created *ent.Monitor
		initial *ent.Scan
	)
	err = s.db.InTxRetry(ctx, func(tx *sql.Tx, c *ent.Client) error {
		fresh, err := s.lockAccount(ctx, tx, c, acc.ID)
		if err != nil {
			return err
		}
		plan := billing.Lookup(fresh.Plan)
		if err := allows(plan, freq, depth); err != nil {
			return err
		}
		n, err := c.Monitor.Query().Where(monitor.AccountID(acc.ID)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= plan.Monitors {
			noun := "monitors"
			if plan.Monitors == 1 {
				noun = "monitor"
			}
			return &errs.Forbidden{Message: fmt.Sprintf("the %s plan includes %d %s; delete one or upgrade to watch more sites", plan.Name, plan.Monitors, noun),
				Details: map[string]any{"limit": plan.Monitors}}
		}
		target := in.URL
		if in.SiteID != "" {
			st, err := c.Site.Query().Where(site.ID(in.SiteID), site.AccountID(acc.ID)).Only(ctx)
			if ent.IsNotFound(err) {
				return &errs.NotFound{Message: "no such site"}
			}
			if err != nil {
				return err
			}
			target = st.TargetURL
		}
		// A site that already has a monitor answers 409 before anything is spent.
		if key, ok := scanner.TargetKey(target); ok {
			m, err := c.Monitor.Query().Where(monitor.AccountID(acc.ID),
				monitor.HasSiteWith(site.AccountID(acc.ID), site.TargetKey(key))).First(ctx)
			if err != nil && !ent.IsNotFound(err) {
				return err
			}
			if m != nil {
				return conflict(m)
			}
		}
		sc, err := s.scans.AcceptRequest(ctx, scans.Request{Account: fresh, URL: target, Depth: string(depth),
			Source: domain.TriggerMonitor, MonitorID: id, Tx: tx, TxClient: c})
		if err != nil {
			return err
		}
		if sc.SiteID == nil {
			return fmt.Errorf("the initial scan %s has no site", sc.ID)
		}
		if m, err := c.Monitor.Query().Where(monitor.AccountID(acc.ID), monitor.SiteID(*sc.SiteID)).First(ctx); err == nil {
			return conflict(m)
		} else if !ent.IsNotFound(err) {
			return err
		}
		m, err := c.Monitor.Create().SetID(id).SetAccountID(acc.ID).SetSiteID(*sc.SiteID).
			SetFrequency(freq).SetHour(hour).SetJitterSeconds(jitter).SetDepth(depth).SetActive(true).
			SetAlerts(rules).SetNextRunAt(NextRun(freq, hour, jitter, now, now)).
			SetLastRunAt(now).SetLastScanID(sc.ID).SetCreatedBy(userID).
			SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		created, initial = m, sc
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.log.Info("monitor created", "monitor_id", created.ID, "account_id", acc.ID, "site_id", created.SiteID,
		"scan_id", initial.ID, "frequency", freq, "next_run_at", created.NextRunAt)
	m, err := s.Get(ctx, acc.ID, created.ID)
	return m, initial, err
}

// List returns the account's monitors, oldest first, each with its site loaded.
func (s *Service) List(ctx context.Context, accountID string) ([]*ent.Monitor, error) {
	return s.db.Ent.Monitor.Query().Where(monitor.AccountID(accountID)).WithSite().
		Order(ent.Asc(monitor.FieldCreatedAt), ent.Asc(monitor.FieldID)).All(ctx)
}

// Get returns one of the account's monitors with its site loaded; a foreign id is errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, accountID, id string) (*ent.Monitor, error) {
	m, err := s.db.Ent.Monitor.Query().Where(monitor.ID(id), monitor.AccountID(accountID)).WithSite().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	return m, err
}

// ForSite returns the site's monitor, or nil and no error when it has none.
func (s *Service) ForSite(ctx context.Context, accountID, siteID string) (*ent.Monitor, error) {
	m, err := s.db.Ent.Monitor.Query().Where(monitor.AccountID(accountID), monitor.SiteID(siteID)).WithSite().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return m, err
}

// Update applies p. Pausing (Active false) stops runs; resuming, or a new
// frequency or hour, sets the next run to the first slot after now, so a
// paused month is not caught up.
func (s *Service) Update(ctx context.Context, acc *ent.Account, id string, p Patch) (*ent.Monitor, error) {
	var (
		freq  *domain.Frequency
		depth *domain.Depth
		rules *domain.AlertRules
	)
	if p.Frequency != nil {
		if strings.TrimSpace(*p.Frequency) == "" {
			return nil, &errs.Validation{Field: "frequency", Message: "frequency must be daily, weekly or monthly"}
		}
		f, err := parseFrequency(*p.Frequency)
		if err != nil {
			return nil, err
		}
		freq = &f
	}
	if p.Depth != nil {
		if strings.TrimSpace(*p.Depth) == "" {
			return nil, &errs.Validation{Field: "depth", Message: "depth must be QUICK, STANDARD or DEEP"}
		}
		d, err := parseDepth(*p.Depth)
		if err != nil {
			return nil, err
		}
		depth = &d
	}
	if p.Hour != nil {
		if err := checkHour(*p.Hour); err != nil {
			return nil, err
		}
	}
	if p.Alerts != nil {
		r, err := CheckAlerts(*p.Alerts)
		if err != nil {
			return nil, err
		}
		rules = &r
	}
	now := s.now()
	err := s.db.InTxRetry(ctx, func(tx *sql.Tx, c *ent.Client) error {
		fresh, err := s.lockAccount(ctx, tx, c, acc.ID)
		if err != nil {
			return err
		}
		m, err := c.Monitor.Query().Where(monitor.ID(id), monitor.AccountID(acc.ID)).Only(ctx)
		if ent.IsNotFound(err) {
			return errs.ErrNotFound
		}
		if err != nil {
			return err
		}
		f, d, h, active := m.Frequency, m.Depth, m.Hour, m.Active
		if freq != nil {
			f = *freq
		}
		if depth != nil {
			d = *depth
		}
		if p.Hour != nil {
			h = *p.Hour
		}
		if p.Active != nil {
			active = *p.Active
		}
		// Only what changes is held to the plan: a monitor kept after a
		// downgrade may still be paused or have its alerts edited.
		if freq != nil || depth != nil {
			if err := allows(billing.Lookup(fresh.Plan), f, d); err != nil {
				return err
			}
		}
		upd := m.Update().SetFrequency(f).SetDepth(d).SetHour(h).SetActive(active).SetUpdatedAt(now)
		if rules != nil {
			upd = upd.SetAlerts(*rules)
		}
		resumed := active && !m.Active
		if resumed || f != m.Frequency || h != m.Hour {
			upd = upd.SetNextRunAt(NextRun(f, h, m.JitterSeconds, m.CreatedAt, now))
		}
		if resumed {
			upd = upd.SetLastSkip("")
		}
		return upd.Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("monitor updated", "monitor_id", id, "account_id", acc.ID)
	return s.Get(ctx, acc.ID, id)
}

// Delete removes the monitor and, by cascade, its alerts and their
// deliveries; its scans stay.
func (s *Service) Delete(ctx context.Context, accountID, id string) error {
	n, err := s.db.Ent.Monitor.Delete().Where(monitor.ID(id), monitor.AccountID(accountID)).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	s.log.Info("monitor deleted", "monitor_id", id, "account_id", accountID)
	return nil
}

// RunNow accepts a run of the monitor now, paused or not. It spends a
// monitor run like a scheduled one (429 when the month's are spent) and does
// not move the schedule.
func (s *Service) RunNow(ctx context.Context, acc *ent.Account, id string) (*ent.Scan, error) {
	m, err := s.Get(ctx, acc.ID, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var sc *ent.Scan
	err = s.db.InTxRetry(ctx, func(tx *sql.Tx, c *ent.Client) error {
		sc, err = s.scans.AcceptRequest(ctx, scans.Request{Account: acc, URL: m.Edges.Site.TargetURL, Depth: string(m.Depth),
			Source: domain.TriggerMonitor, MonitorID: m.ID, Tx: tx, TxClient: c})
		if err != nil {
			return err
		}
		n, err := c.Monitor.Update().Where(monitor.ID(m.ID), monitor.AccountID(acc.ID)).
			SetLastRunAt(now).SetLastScanID(sc.ID).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.ErrNotFound // deleted meanwhile
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("monitor run now", "monitor_id", m.ID, "account_id", acc.ID, "scan_id", sc.ID)
	return sc, nil
}

// Usage is an account's monitors and this month's monitor runs.
type Usage struct {
	Monitors int
	Runs     int
}

// Usage counts the account's monitors and the monitor runs of this month
// (the billing page shows them against the plan's limits).
func (s *Service) Usage(ctx context.Context, accountID string) (Usage, error) {
	n, err := s.db.Read.Monitor.Query().Where(monitor.AccountID(accountID)).Count(ctx)
	if err != nil {
		return Usage{}, err
	}
	u, err := s.db.Read.Usage.Query().Where(usage.AccountID(accountID), usage.Period(scans.Period(s.now()))).Only(ctx)
	if ent.IsNotFound(err) {
		return Usage{Monitors: n}, nil
	}
	if err != nil {
		return Usage{}, err
	}
	return Usage{Monitors: n, Runs: u.MonitorRuns}, nil
}
