package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
)

func TestScanStatus(t *testing.T) {
	for _, tc := range []struct {
		s                       domain.ScanStatus
		valid, terminal, active bool
		end                     domain.EventKind
	}{
		{domain.StatusPending, true, false, true, ""},
		{domain.StatusRunning, true, false, true, ""},
		{domain.StatusCompleted, true, true, false, domain.EventComplete},
		{domain.StatusFailed, true, true, false, domain.EventFailed},
		{domain.StatusCancelled, true, true, false, domain.EventCancelled},
		{"", false, false, false, ""},
		{"pending", false, false, false, ""}, // stored values are upper case; only Parse folds case
		{"DONE", false, false, false, ""},
	} {
		t.Run(string(tc.s), func(t *testing.T) {
			if got := tc.s.Valid(); got != tc.valid {
				t.Errorf("Valid() = %v, want %v", got, tc.valid)
			}
			if got := tc.s.Terminal(); got != tc.terminal {
				t.Errorf("Terminal() = %v, want %v", got, tc.terminal)
			}
			if got := tc.s.Active(); got != tc.active {
				t.Errorf("Active() = %v, want %v", got, tc.active)
			}
			if got := tc.s.EndEvent(); got != tc.end {
				t.Errorf("EndEvent() = %q, want %q", got, tc.end)
			}
			if tc.terminal && !tc.s.EndEvent().Terminal() {
				t.Errorf("the end event %q of %s does not end the stream", tc.s.EndEvent(), tc.s)
			}
		})
	}
}

func TestParseScanStatus(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want domain.ScanStatus
		ok   bool
	}{
		{"FAILED", domain.StatusFailed, true},
		{"failed", domain.StatusFailed, true},
		{"Cancelled", domain.StatusCancelled, true},
		{"", "", false},
		{" RUNNING", "", false},
		{"DONE", "", false},
	} {
		got, ok := domain.ParseScanStatus(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseScanStatus(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDepth(t *testing.T) {
	for _, tc := range []struct {
		d        domain.Depth
		rank     int
		deadline time.Duration
	}{
		{domain.DepthQuick, 1, 15 * time.Second},
		{domain.DepthStandard, 2, 60 * time.Second},
		{domain.DepthDeep, 3, 300 * time.Second},
		{"", 0, 60 * time.Second},
		{"quick", 0, 60 * time.Second},
	} {
		if got := tc.d.Rank(); got != tc.rank {
			t.Errorf("%q.Rank() = %d, want %d", tc.d, got, tc.rank)
		}
		if got := tc.d.Valid(); got != (tc.rank > 0) {
			t.Errorf("%q.Valid() = %v", tc.d, got)
		}
		if got := tc.d.Deadline(); got != tc.deadline {
			t.Errorf("%q.Deadline() = %v, want %v", tc.d, got, tc.deadline)
		}
	}
	// Depths() is shallowest first: each includes everything of the one before.
	ds := domain.Depths()
	for i := 1; i < len(ds); i++ {
		if ds[i-1].Rank() >= ds[i].Rank() {
			t.Errorf("Depths() out of order at %d: %v", i, ds)
		}
	}
}

func TestParseDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want domain.Depth
		ok   bool
	}{
		{"", domain.DepthStandard, true},
		{"quick", domain.DepthQuick, true},
		{"Deep", domain.DepthDeep, true},
		{"STANDARD", domain.DepthStandard, true},
		{" QUICK", "", false},
		{"medium", "", false},
	} {
		got, ok := domain.ParseDepth(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDepth(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPlanID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want domain.PlanID
		ok   bool
	}{
		{"free", domain.PlanFree, true},
		{"PRO", domain.PlanPro, true},
		{"Enterprise", domain.PlanEnterprise, true},
		{"gold", "", false},
		{"", "", false},
	} {
		got, ok := domain.ParsePlanID(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParsePlanID(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if got.Valid() != tc.ok {
			t.Errorf("%q.Valid() = %v, want %v", got, got.Valid(), tc.ok)
		}
	}
}

func TestRole(t *testing.T) {
	for _, tc := range []struct {
		in                 string
		valid, owner, bill bool
	}{
		{"owner", true, true, true},
		{"member", true, false, false},
		{"Owner", false, false, false}, // forms send the stored value; anything else is refused
		{"admin", false, false, false},
		{"", false, false, false},
	} {
		r, ok := domain.ParseRole(tc.in)
		if ok != tc.valid || r.Valid() != tc.valid {
			t.Errorf("ParseRole(%q) ok = %v, Valid() = %v; want %v", tc.in, ok, r.Valid(), tc.valid)
		}
		if r.IsOwner() != tc.owner || r.CanManageBilling() != tc.bill {
			t.Errorf("%q: IsOwner() = %v, CanManageBilling() = %v; want %v, %v", tc.in, r.IsOwner(), r.CanManageBilling(), tc.owner, tc.bill)
		}
	}
}

func TestEventKind(t *testing.T) {
	for _, tc := range []struct {
		k               domain.EventKind
		valid, terminal bool
	}{
		{domain.EventStart, true, false},
		{domain.EventCheckComplete, true, false},
		{domain.EventComplete, true, true},
		{domain.EventFailed, true, true},
		{domain.EventCancelled, true, true},
		{"progress", false, false},
		{"", false, false},
	} {
		if tc.k.Valid() != tc.valid || tc.k.Terminal() != tc.terminal {
			t.Errorf("%q: Valid() = %v, Terminal() = %v; want %v, %v", tc.k, tc.k.Valid(), tc.k.Terminal(), tc.valid, tc.terminal)
		}
	}
}

// TestStoredValues pins the strings the database holds and the API returns:
// changing one of them is a data migration and a breaking API change, never
// a rename.
func TestStoredValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []string
		want []string
	}{
		{"ScanStatus", domain.ScanStatus("").Values(), []string{"PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"}},
		{"Depth", domain.Depth("").Values(), []string{"QUICK", "STANDARD", "DEEP"}},
		{"PlanID", domain.PlanID("").Values(), []string{"free", "pro", "enterprise"}},
		{"Role", domain.Role("").Values(), []string{"owner", "member"}},
		{"EventKind", domain.EventKind("").Values(), []string{"start", "check:complete", "complete", "failed", "cancelled"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s.Values() = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	// The list helpers hand out copies: a caller cannot change the set.
	ss := domain.ScanStatuses()
	ss[0] = "X"
	if domain.ScanStatuses()[0] != domain.StatusPending {
		t.Error("ScanStatuses() shares its backing array")
	}
}
