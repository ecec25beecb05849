package monitors

import (
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestSchedule walks the slot rule of docs/monitoring.md across its
// boundaries: the hour itself, month ends, February, a leap day and the
// year's end.
func TestSchedule(t *testing.T) {
	tests := []struct {
		name       string
		f          domain.Frequency
		hour, jit  int
		anchor     string
		after      string
		latest     string // LatestSlot(after)
		next       string // NextRun(after)
		nextOfNext string // NextRun(next)
	}{
		{"daily before the hour", domain.FrequencyDaily, 6, 0, "2026-03-01T12:00:00Z", "2026-03-02T05:59:59Z",
			"2026-03-01T06:00:00Z", "2026-03-02T06:00:00Z", "2026-03-03T06:00:00Z"},
		{"daily exactly on the slot is due", domain.FrequencyDaily, 6, 90, "2026-03-01T12:00:00Z", "2026-03-02T06:01:30Z",
			"2026-03-02T06:01:30Z", "2026-03-03T06:01:30Z", "2026-03-04T06:01:30Z"},
		{"daily across the year end", domain.FrequencyDaily, 23, 3599, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59Z",
			"2026-12-31T23:59:59Z", "2027-01-01T23:59:59Z", "2027-01-02T23:59:59Z"},
		{"daily across February's end", domain.FrequencyDaily, 0, 0, "2026-01-01T00:00:00Z", "2026-02-28T01:00:00Z",
			"2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},
		{"daily across a leap day", domain.FrequencyDaily, 0, 0, "2028-01-01T00:00:00Z", "2028-02-28T01:00:00Z",
			"2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z"},
		// 2026-12-02 is a Wednesday.
		{"weekly on the anchor's weekday", domain.FrequencyWeekly, 6, 0, "2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z",
			"2026-12-02T06:00:00Z", "2026-12-09T06:00:00Z", "2026-12-16T06:00:00Z"},
		{"weekly across the year end", domain.FrequencyWeekly, 6, 0, "2026-12-02T10:00:00Z", "2026-12-31T00:00:00Z",
			"2026-12-30T06:00:00Z", "2027-01-06T06:00:00Z", "2027-01-13T06:00:00Z"},
		{"weekly the day before", domain.FrequencyWeekly, 6, 0, "2026-12-02T10:00:00Z", "2026-12-08T23:00:00Z",
			"2026-12-02T06:00:00Z", "2026-12-09T06:00:00Z", "2026-12-16T06:00:00Z"},
		{"monthly on the anchor's day", domain.FrequencyMonthly, 6, 0, "2026-01-15T09:00:00Z", "2026-01-15T09:00:00Z",
			"2026-01-15T06:00:00Z", "2026-02-15T06:00:00Z", "2026-03-15T06:00:00Z"},
		{"monthly from the 31st falls on the 28th", domain.FrequencyMonthly, 6, 0, "2026-01-31T09:00:00Z", "2026-01-31T09:00:00Z",
			"2026-01-28T06:00:00Z", "2026-02-28T06:00:00Z", "2026-03-28T06:00:00Z"},
		{"monthly across the year end", domain.FrequencyMonthly, 6, 0, "2026-01-20T09:00:00Z", "2026-12-25T00:00:00Z",
			"2026-12-20T06:00:00Z", "2027-01-20T06:00:00Z", "2027-02-20T06:00:00Z"},
		{"monthly before the day in January", domain.FrequencyMonthly, 6, 0, "2026-01-20T09:00:00Z", "2027-01-05T00:00:00Z",
			"2026-12-20T06:00:00Z", "2027-01-20T06:00:00Z", "2027-02-20T06:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			anchor, after := at(tc.anchor), at(tc.after)
			if got := LatestSlot(tc.f, tc.hour, tc.jit, anchor, after); !got.Equal(at(tc.latest)) {
				t.Errorf("LatestSlot = %s, want %s", got.Format(time.RFC3339), tc.latest)
			}
			next := NextRun(tc.f, tc.hour, tc.jit, anchor, after)
			if !next.Equal(at(tc.next)) {
				t.Errorf("NextRun = %s, want %s", next.Format(time.RFC3339), tc.next)
			}
			if got := NextRun(tc.f, tc.hour, tc.jit, anchor, next); !got.Equal(at(tc.nextOfNext)) {
				t.Errorf("NextRun(next) = %s, want %s", got.Format(time.RFC3339), tc.nextOfNext)
			}
			// Every slot is strictly after the time it follows, and the latest
			// slot of the next run is that run.
			if !next.After(after) {
				t.Errorf("NextRun %s is not after %s", next, after)
			}
			if got := LatestSlot(tc.f, tc.hour, tc.jit, anchor, next); !got.Equal(next) {
				t.Errorf("LatestSlot(next) = %s, want %s", got, next)
			}
		})
	}
}

// TestScheduleProperties checks, over a year minute by hour, that the next
// run is always after "now", within the frequency's period, in the
// monitor's hour, and that slots of one schedule never move.
func TestScheduleProperties(t *testing.T) {
	anchor := at("2026-05-31T17:42:00Z")
	period := map[domain.Frequency]time.Duration{domain.FrequencyDaily: 24 * time.Hour,
		domain.FrequencyWeekly: 7 * 24 * time.Hour, domain.FrequencyMonthly: 31 * 24 * time.Hour}
	for _, f := range domain.Frequencies() {
		jit := Jitter("mon_" + string(f))
		for now := anchor; now.Before(anchor.AddDate(1, 0, 0)); now = now.Add(time.Hour + 7*time.Minute) {
			next := NextRun(f, 6, jit, anchor, now)
			if !next.After(now) || next.Sub(now) > period[f] {
				t.Fatalf("%s at %s: next %s", f, now, next)
			}
			if next.Hour() != 6 || next.Minute()*60+next.Second() != jit {
				t.Fatalf("%s: next %s is not at 06:00 + %d s", f, next, jit)
			}
			if f == domain.FrequencyWeekly && next.Weekday() != anchor.Weekday() {
				t.Fatalf("weekly: %s is a %s, want %s", next, next.Weekday(), anchor.Weekday())
			}
			if f == domain.FrequencyMonthly && next.Day() != 28 {
				t.Fatalf("monthly from the 31st: %s is not on the 28th", next)
			}
		}
	}
}

func TestJitterStableAndInsideTheHour(t *testing.T) {
	seen := map[int]bool{}
	for i := range 2000 {
		id := "mon_" + string(rune('a'+i%26)) + time.Duration(i).String()
		j := Jitter(id)
		if j < 0 || j > 3599 {
			t.Fatalf("Jitter(%q) = %d, outside the hour", id, j)
		}
		if Jitter(id) != j {
			t.Fatalf("Jitter(%q) is not stable", id)
		}
		seen[j/60] = true
	}
	// 2000 ids spread over most of the hour's 60 minutes.
	if len(seen) < 55 {
		t.Errorf("jitter uses only %d of 60 minutes", len(seen))
	}
	if Jitter("mon_a") == Jitter("mon_b") && Jitter("mon_b") == Jitter("mon_c") {
		t.Error("jitter does not depend on the id")
	}
}
