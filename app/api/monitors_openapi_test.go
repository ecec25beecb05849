package api

import (
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/ent"
)

// TestMonitorSchemasMatchGoTypes validates what the monitor handlers
// encode against the document's schemas: active, paused, skipped, with and
// without alert settings.
func TestMonitorSchemasMatchGoTypes(t *testing.T) {
	validate := schemaValidator(t)
	created := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	m := &ent.Monitor{ID: "mon_a", SiteID: "sit_a", Frequency: domain.FrequencyDaily, Hour: 6, JitterSeconds: 1437,
		Depth: domain.DepthQuick, Active: true, Alerts: domain.DefaultAlertRules("ops@example.com"),
		NextRunAt: created.Add(20 * time.Hour), LastRunAt: &created, LastScanID: "scn_a", CreatedAt: created}
	m.Edges.Site = &ent.Site{ID: "sit_a", TargetURL: "https://example.com/"}
	paused := *m
	paused.Active, paused.Alerts, paused.LastRunAt = false, domain.AlertRules{GradeBelow: "C"}, nil
	skipped := *m
	skipped.LastSkip = "the run due 15 March 2026 06:23 UTC did not start: the monthly allowance of 8 monitor runs is used up"
	for _, v := range []*ent.Monitor{m, &paused, &skipped} {
		validate("Monitor", monitors.ViewOf(v))
	}
	validate("MonitorList", monitorList{Data: []monitors.View{monitors.ViewOf(m)}})
	validate("MonitorList", monitorList{Data: []monitors.View{}})
	validate("MonitorCreated", createMonitorResponse{Monitor: monitors.ViewOf(m), Scan: createScanResponse{ID: "scn_a",
		URL: "https://example.com/", Domain: "example.com", Depth: "QUICK", Status: "PENDING", StatusURL: "/api/v1/scan/scn_a", CreatedAt: created}})
}
