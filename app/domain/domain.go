// Package domain declares the small closed sets of values that cross every
// layer of Palisade — a scan's status and depth, an account's plan, a user's
// role, a scan event's kind — as Go types with the questions asked of them
// (Terminal, Active, IsOwner, …) as methods.
//
// One declaration serves the database schema (ent/schema hands these types
// to Ent with GoType, so the generated columns, validators and struct fields
// use them), the scanner library, billing, the services, the web pages and
// the JSON API. A status or a role is therefore never compared as a string
// literal outside this package (a test in this package enforces it), and
// adding a value is one edit here that the compiler carries everywhere.
//
// The string values are exactly what the database stores and the API
// returns; changing one is a data migration, not a refactoring.
//
// The package imports nothing of the project (only the standard library),
// so the scanner library and the schema can both depend on it.
package domain

import (
	"slices"
	"strings"
	"time"
)

// valuesOf returns the string forms of vs; Ent's EnumValues interface wants
// strings, in the order the column's enum lists them.
func valuesOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// parse accepts s in any case when it names one of vs; API filters and
// command-line flags are case-insensitive, stored values are not. Spaces are
// not trimmed: " QUICK" is a client's mistake worth a 400, not a guess.
func parse[T ~string](s string, vs []T) (T, bool) {
	for _, v := range vs {
		if strings.EqualFold(s, string(v)) {
			return v, true
		}
	}
	return "", false
}

// ScanStatus is where a scan is in its life: PENDING → RUNNING →
// COMPLETED | FAILED | CANCELLED (a RUNNING scan whose instance died goes
// back to PENDING; see docs/ARCHITECTURE.md).
type ScanStatus string

// The scan statuses, in the order of the schema's enum.
const (
	StatusPending   ScanStatus = "PENDING"
	StatusRunning   ScanStatus = "RUNNING"
	StatusCompleted ScanStatus = "COMPLETED"
	StatusFailed    ScanStatus = "FAILED"
	StatusCancelled ScanStatus = "CANCELLED"
)

var scanStatuses = []ScanStatus{StatusPending, StatusRunning, StatusCompleted, StatusFailed, StatusCancelled}

// ScanStatuses returns every status in schema order (for filters and forms).
func ScanStatuses() []ScanStatus { return slices.Clone(scanStatuses) }

// Values implements Ent's EnumValues, so the schema's enum lists exactly these.
func (ScanStatus) Values() []string { return valuesOf(scanStatuses) }

// String returns the stored form.
func (s ScanStatus) String() string { return string(s) }

// Valid reports whether s is one of the five statuses.
func (s ScanStatus) Valid() bool { return slices.Contains(scanStatuses, s) }

// Terminal reports whether the scan has ended: its result, if any, is final,
// reports and fixes can be made from it, and it can no longer be cancelled.
func (s ScanStatus) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Active reports whether the scan is still queued or running — the
// statuses a cancel acts on and a progress page keeps polling for.
func (s ScanStatus) Active() bool { return s == StatusPending || s == StatusRunning }

// EndEvent is the event kind that closes a scan's progress stream when it
// ends in status s, and "" for a status that is not terminal.
func (s ScanStatus) EndEvent() EventKind {
	switch s {
	case StatusCompleted:
		return EventComplete
	case StatusFailed:
		return EventFailed
	case StatusCancelled:
		return EventCancelled
	}
	return ""
}

// ParseScanStatus reads a status filter in any case ("failed" is FAILED).
func ParseScanStatus(s string) (ScanStatus, bool) { return parse(s, scanStatuses) }

// Depth selects how much of a site a scan examines; it is also the unit
// plans price, so its values are part of the public API. Each depth
// includes everything of the one before (docs/scoring.md).
type Depth string

// The depths, shallowest first.
const (
	DepthQuick    Depth = "QUICK"
	DepthStandard Depth = "STANDARD"
	DepthDeep     Depth = "DEEP"
)

var depths = []Depth{DepthQuick, DepthStandard, DepthDeep}

// Depths returns every depth, shallowest first (the order forms offer them).
func Depths() []Depth { return slices.Clone(depths) }

// Values implements Ent's EnumValues.
func (Depth) Values() []string { return valuesOf(depths) }

// String returns the stored form.
func (d Depth) String() string { return string(d) }

// Rank orders depths (QUICK 1, STANDARD 2, DEEP 3; 0 for anything else) so
// a check declared for STANDARD also runs at DEEP.
func (d Depth) Rank() int { return slices.Index(depths, d) + 1 }

// Valid reports whether d is one of the three depths; API input is checked with it.
func (d Depth) Valid() bool { return d.Rank() > 0 }

// Deadline is the wall-clock budget of a whole scan at this depth; on
// expiry the partial result is kept and the scan fails.
func (d Depth) Deadline() time.Duration {
	switch d {
	case DepthQuick:
		return 15 * time.Second
	case DepthDeep:
		return 300 * time.Second
	}
	return 60 * time.Second
}

// ParseDepth accepts a depth name in any case; empty means STANDARD, the
// default of the API, the web form and the command line.
func ParseDepth(s string) (Depth, bool) {
	if s == "" {
		return DepthStandard, true
	}
	return parse(s, depths)
}

// PlanID names a plan; it is what the accounts table stores. What a plan
// grants lives in billing's catalogue, the single source of truth for limits.
type PlanID string

// The plans of the catalogue (billing/plans.go), cheapest first.
const (
	PlanFree       PlanID = "free"
	PlanPro        PlanID = "pro"
	PlanEnterprise PlanID = "enterprise"
)

var planIDs = []PlanID{PlanFree, PlanPro, PlanEnterprise}

// Values implements Ent's EnumValues.
func (PlanID) Values() []string { return valuesOf(planIDs) }

// String returns the stored form.
func (p PlanID) String() string { return string(p) }

// Valid reports whether p is one of the plans.
func (p PlanID) Valid() bool { return slices.Contains(planIDs, p) }

// ParsePlanID reads a plan name in any case, as an operator types it (the
// caller trims it).
func ParsePlanID(s string) (PlanID, bool) { return parse(s, planIDs) }

// Role is what a user may do in their account: owners manage billing, API
// keys and members; members run scans and read reports.
type Role string

// The roles.
const (
	RoleOwner  Role = "owner"
	RoleMember Role = "member"
)

var roles = []Role{RoleOwner, RoleMember}

// Values implements Ent's EnumValues.
func (Role) Values() []string { return valuesOf(roles) }

// String returns the stored form.
func (r Role) String() string { return string(r) }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return slices.Contains(roles, r) }

// IsOwner reports whether r is the owner role; an account always keeps at
// least one owner.
func (r Role) IsOwner() bool { return r == RoleOwner }

// CanManageBilling reports whether r may change the plan or open the
// Stripe portal: only owners, because it spends the account's money.
func (r Role) CanManageBilling() bool { return r.IsOwner() }

// ParseRole reads a role from a form, exactly as stored (the form offers
// the stored values).
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, r.Valid()
}

// EventKind names one step of a scan's progress stream; it is the SSE
// `event:` name of `GET /api/v1/scan/{id}/events`, so its values are part of
// the public API.
type EventKind string

// The event kinds: one start, one check-complete per check, then exactly one
// of the three ends.
const (
	EventStart         EventKind = "start"
	EventCheckComplete EventKind = "check:complete"
	EventComplete      EventKind = "complete"
	EventFailed        EventKind = "failed"
	EventCancelled     EventKind = "cancelled"
)

var eventKinds = []EventKind{EventStart, EventCheckComplete, EventComplete, EventFailed, EventCancelled}

// Values lists the kinds (the column is a plain string; this documents and
// tests the set).
func (EventKind) Values() []string { return valuesOf(eventKinds) }

// String returns the stored form.
func (k EventKind) String() string { return string(k) }

// Valid reports whether k is one of the kinds.
func (k EventKind) Valid() bool { return slices.Contains(eventKinds, k) }

// Terminal reports whether k ends a scan's stream: after it no event follows.
func (k EventKind) Terminal() bool {
	return k == EventComplete || k == EventFailed || k == EventCancelled
}
