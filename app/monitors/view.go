package monitors

import (
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/ent"
)

// View is a monitor as the API shows it (the OpenAPI schema Monitor).
type View struct {
	ID            string            `json:"id"`
	SiteID        string            `json:"siteId"`
	URL           string            `json:"url"`
	Frequency     domain.Frequency  `json:"frequency"`
	Hour          int               `json:"hour"`
	JitterSeconds int               `json:"jitterSeconds"`
	Depth         domain.Depth      `json:"depth"`
	Active        bool              `json:"active"`
	Alerts        domain.AlertRules `json:"alerts"`
	NextRunAt     *time.Time        `json:"nextRunAt"`
	LastRunAt     *time.Time        `json:"lastRunAt"`
	LastScanID    string            `json:"lastScanId,omitempty"`
	LastSkip      string            `json:"lastSkip,omitempty"`
	CreatedAt     time.Time         `json:"createdAt"`
}

// ViewOf shows m; its site edge should be loaded (Get, List and ForSite
// load it) for the URL. A paused monitor has no next run.
func ViewOf(m *ent.Monitor) View {
	v := View{ID: m.ID, SiteID: m.SiteID, Frequency: m.Frequency, Hour: m.Hour, JitterSeconds: m.JitterSeconds,
		Depth: m.Depth, Active: m.Active, Alerts: m.Alerts, LastScanID: m.LastScanID, LastSkip: m.LastSkip,
		CreatedAt: m.CreatedAt.UTC()}
	if m.Edges.Site != nil {
		v.URL = m.Edges.Site.TargetURL
	}
	if m.Active {
		t := m.NextRunAt.UTC()
		v.NextRunAt = &t
	}
	if m.LastRunAt != nil {
		t := m.LastRunAt.UTC()
		v.LastRunAt = &t
	}
	if v.Alerts.Email == nil {
		v.Alerts.Email = []string{}
	}
	if v.Alerts.CertExpiryDays == nil {
		v.Alerts.CertExpiryDays = []int{}
	}
	return v
}
