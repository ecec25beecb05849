package monitors

import (
	"hash/fnv"
	"time"

	"github.com/palisade/palisade/app/domain"
)

// DefaultHour is the UTC hour monitors run in unless told otherwise.
const DefaultHour = 6

// Jitter is the monitor's stable offset inside its hour, in seconds
// (0–3599): an FNV-1a hash of its id, so monitors of one hour spread across
// it and a monitor keeps its minute for life (docs/monitoring.md,
// "Monitors and schedules").
func Jitter(monitorID string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(monitorID))
	return int(h.Sum32() % 3600)
}

// slotOn is the slot of the day d (any time on it): d's date at hour plus jitter, UTC.
func slotOn(d time.Time, hour, jitter int) time.Time {
	y, m, day := d.UTC().Date()
	return time.Date(y, m, day, hour, 0, 0, 0, time.UTC).Add(time.Duration(jitter) * time.Second)
}

// monthDay is the day of the month monthly runs fall on: the anchor's day,
// at most 28, so every month has one (February included).
func monthDay(anchor time.Time) int { return min(anchor.UTC().Day(), 28) }

// LatestSlot is the last due slot at or before t of a schedule: daily at
// hour:00 UTC plus jitter seconds; weekly on the anchor's weekday; monthly
// on the anchor's day of the month (at most the 28th). The anchor is the
// monitor's creation time. After an outage the scheduler runs this slot
// only: missed slots before it are not caught up.
func LatestSlot(f domain.Frequency, hour, jitter int, anchor, t time.Time) time.Time {
	t = t.UTC()
	switch f {
	case domain.FrequencyWeekly:
		back := (int(t.Weekday()) - int(anchor.UTC().Weekday()) + 7) % 7
		s := slotOn(t.AddDate(0, 0, -back), hour, jitter)
		if s.After(t) {
			s = s.AddDate(0, 0, -7)
		}
		return s
	case domain.FrequencyMonthly:
		y, m, _ := t.Date()
		s := slotOn(time.Date(y, m, monthDay(anchor), 0, 0, 0, 0, time.UTC), hour, jitter)
		if s.After(t) {
			s = slotOn(time.Date(y, m-1, monthDay(anchor), 0, 0, 0, 0, time.UTC), hour, jitter)
		}
		return s
	default: // daily
		s := slotOn(t, hour, jitter)
		if s.After(t) {
			s = slotOn(t.AddDate(0, 0, -1), hour, jitter)
		}
		return s
	}
}

// NextRun is the first slot of the schedule strictly after t (see
// LatestSlot for the rule): what next_run_at is set to when a monitor is
// created or resumed, and after each enqueued run.
func NextRun(f domain.Frequency, hour, jitter int, anchor, t time.Time) time.Time {
	s := LatestSlot(f, hour, jitter, anchor, t)
	switch f {
	case domain.FrequencyWeekly:
		return s.AddDate(0, 0, 7)
	case domain.FrequencyMonthly:
		y, m, _ := s.Date()
		return slotOn(time.Date(y, m+1, monthDay(anchor), 0, 0, 0, 0, time.UTC), hour, jitter)
	default:
		return slotOn(s.AddDate(0, 0, 1), hour, jitter)
	}
}
