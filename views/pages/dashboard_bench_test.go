package pages

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/model"
)

// BenchmarkDashboardRender renders the whole dashboard page with 50 scans
// (target: under 2 ms median).
func BenchmarkDashboardRender(b *testing.B) {
	d := DashboardData{PlanName: "Pro", Used: 42, Limit: 100, ResetsAt: "1 December 2026",
		Depths: []DepthOption{{Name: "QUICK", Allowed: true}, {Name: "STANDARD", Allowed: true}, {Name: "DEEP", Allowed: true}},
		Form:   ScanForm{Depth: "STANDARD"}}
	for i := range 50 {
		id := fmt.Sprintf("scn_%026d", i)
		d.List.Items = append(d.List.Items, model.ScanSummary{ID: id, TargetURL: "https://example.com/",
			TargetDomain: fmt.Sprintf("site%d.example.com", i), Depth: "STANDARD", Status: "COMPLETED",
			Grade: "B", CreatedAt: time.Now(), URL: "/scans/" + id})
	}
	d.List.Pagination = model.Pagination{Page: 1, Total: 500, Pages: 10, NextURL: "/dashboard?page=2"}
	ctx := components.WithPage(context.Background(), components.PageCtx{CSRF: "token", Viewer: &components.Viewer{Email: "a@example.com"}})
	b.ReportAllocs()
	for b.Loop() {
		if err := Dashboard(d).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
