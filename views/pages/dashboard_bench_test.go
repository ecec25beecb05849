package pages

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/views/components"
)

// BenchmarkDashboardRender renders the whole dashboard page with 50 scans
// (target: under 2 ms median).
func BenchmarkDashboardRender(b *testing.B) {
	d := DashboardData{PlanName: "Pro", Used: 42, Limit: 100, ResetsAt: "1 December 2026",
		Depths: []DepthOption{{Name: "QUICK", Allowed: true}, {Name: "STANDARD", Allowed: true}, {Name: "DEEP", Allowed: true}},
		Form:   ScanForm{Depth: "STANDARD"}}
	for i := range 50 {
		score, grade := 40+i, "B"
		done := time.Now()
		d.List.Items = append(d.List.Items, scans.ScanSummary{ID: fmt.Sprintf("scn_%026d", i), TargetURL: "https://example.com/",
			TargetDomain: fmt.Sprintf("site%d.example.com", i), Depth: "STANDARD", Status: "COMPLETED",
			OverallScore: &score, Grade: &grade, FindingsCount: i % 9, CreatedAt: done, CompletedAt: &done})
	}
	d.List.Pagination = scans.Pagination{Page: 1, Limit: 50, Total: 500, Pages: 10}
	ctx := components.WithPage(context.Background(), components.PageCtx{CSRF: "token", Viewer: &components.Viewer{Email: "a@example.com"}})
	b.ReportAllocs()
	for b.Loop() {
		if err := Dashboard(d).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
