// Package monitors watches sites on a schedule: a monitor per site with a
// frequency, an hour and a stable jitter, plan limits, and the scheduler
// that enqueues each due run exactly once however many instances run it
// (docs/monitoring.md, "Monitors and schedules").
package monitors

import (
	"log/slog"
	"time"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/scans"
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
