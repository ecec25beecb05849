package sites

import (
	"log/slog"
	"time"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/scanner"
)

// Service reads and manages an account's sites.
type Service struct {
	db      *db.DB
	scanner *scanner.Scanner
	log     *slog.Logger
	now     func() time.Time
}

// NewService wires the sites service; the scanner validates explicitly created sites' URLs.
func NewService(d *db.DB, sc *scanner.Scanner, log *slog.Logger) *Service {
	return &Service{db: d, scanner: sc, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }
