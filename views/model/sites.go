package model

import "time"

// Trend is a site's graded scans for its score chart, oldest first.
type Trend struct {
	Points []TrendPoint
}

// TrendPoint is one graded scan on a trend chart.
type TrendPoint struct {
	At    time.Time
	Score int
	Grade string
	Depth string
	// URL is the scan's page.
	URL string
}

// MonitorSummary is a site's monitor as the Sites page shows it.
type MonitorSummary struct {
	Frequency string
	Depth     string
	Hour      int
	Active    bool
	// NextRunAt is nil while paused.
	NextRunAt *time.Time
	LastRunAt *time.Time
}

// SiteRow is one site on the Sites page.
type SiteRow struct {
	ID string
	// Name is host, ":port" when not the default, and the path when not "/".
	Name      string
	Label     string
	TargetURL string
	// URL is the site's page.
	URL   string
	Grade string // empty before the first graded scan
	Score *int
	// ScannedAt is when the newest graded scan finished.
	ScannedAt *time.Time
	// LatestStatus is the newest scan's status (empty before the first scan).
	LatestStatus string
	Monitor      *MonitorSummary
	Trend        Trend
}

// SiteForm is the add-a-site form, kept across errors.
type SiteForm struct {
	Action string
	URL    string
	Label  string
	Errors map[string]string
	// ExistingURL is the page of the site the URL already belongs to (a conflict).
	ExistingURL string
}

// SitesPage is the Sites page: the account's sites, one page at a time.
type SitesPage struct {
	Sites      []SiteRow
	Pagination Pagination
	Form       SiteForm
}

// TimelineRow is one scan on a site's timeline.
type TimelineRow struct {
	ID     string
	URL    string // the scan's page
	At     time.Time
	Depth  string
	Status string
	// SourceLabel says who started a scan not started by a person ("monitor", "re-check").
	SourceLabel string
	Grade       string // empty when not graded
	Score       *int
	// PreviousGrade is the grade of the previous graded scan at the same
	// depth; Change is up, down or same (empty without one), and
	// CompareURL compares the two.
	PreviousGrade string
	Change        string
	CompareURL    string
}

// Option is one choice of a select; Disabled ones say Why.
type Option struct {
	Value    string
	Label    string
	Selected bool
	Disabled bool
	Why      string
}

// AlertSettings are a monitor's alert rules as the form shows them.
type AlertSettings struct {
	GradeDrop       bool
	GradeBelow      string
	GradeBelowOpts  []Option
	NewFindings     bool
	CertExpiryDays  string // "30, 14, 7"
	NewScriptOrigin bool
	Unreachable     bool
	Email           string // one address a line, or comma-separated
	Webhooks        bool
}

// MonitorForm creates a monitor, or edits one's schedule and alerts.
type MonitorForm struct {
	Action      string
	Frequencies []Option
	Depths      []Option
	Hour        int
	Alerts      AlertSettings
	Errors      map[string]string
}

// MonitorPanel is the site's monitor on its page, with its actions.
type MonitorPanel struct {
	ID        string
	Frequency string
	Depth     string
	Hour      int
	Active    bool
	NextRunAt *time.Time
	LastRunAt *time.Time
	// LastScanURL is the page of the last run's scan (empty before one).
	LastScanURL string
	// LastSkip says why the last due run did not start.
	LastSkip string
	// The actions, each a POST form.
	ActiveURL string // active=true|false
	RunURL    string
	DeleteURL string
	Edit      MonitorForm
	// ConfirmDelete asks again before deleting (no JavaScript needed).
	ConfirmDelete bool
	Errors        map[string]string
}

// SitePage is one site: its chart, timeline and monitor.
type SitePage struct {
	Site     SiteRow
	Timeline []TimelineRow
	// Monitor is nil when the site has none; NewMonitor is then the form to add one.
	Monitor    *MonitorPanel
	NewMonitor *MonitorForm
	DeleteURL  string
	// ConfirmDelete asks again before deleting the site.
	ConfirmDelete bool
	Errors        map[string]string
	// Notice is a one-line success message ("Run started.").
	Notice string
	// Alerts are the latest alerts about the site, newest first.
	Alerts []SiteAlertRow
	// Share is the Share panel (views/pages/share.templ).
	Share SharePanel
}

// SiteAlertRow is one alert on the site page: what it said, when, which
// scan it is about, and how its deliveries went ("2 of 2 delivered").
type SiteAlertRow struct {
	At         time.Time
	Kind       string
	Subject    string
	ScanURL    string
	Deliveries string
}
