package components

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/palisade/palisade/views/model"
)

func TestLayoutTrend(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	tr := model.Trend{Points: []model.TrendPoint{
		{At: t0, Score: 100, Grade: "A+", Depth: "QUICK", URL: "/scans/a"},
		{At: t0.AddDate(0, 0, 10), Score: 0, Grade: "F", Depth: "STANDARD", URL: "/scans/b"},
		{At: t0.AddDate(0, 0, 20), Score: 50, Grade: "D", Depth: "QUICK", URL: "/scans/c"},
	}}
	d := LayoutTrend(tr, chartWide)
	if len(d.YTicks) != 5 || d.YTicks[0].Label != "0" || d.YTicks[4].Label != "100" {
		t.Errorf("y ticks %v", d.YTicks)
	}
	// Score 100 is at the top of the plot, 0 at its bottom (the x axis).
	if d.YTicks[4].Pos != "12.0" || d.YTicks[0].Pos != d.Y0+".0" {
		t.Errorf("y positions: 100 at %s, 0 at %s (axis %s)", d.YTicks[4].Pos, d.YTicks[0].Pos, d.Y0)
	}
	if len(d.XTicks) != 5 || d.XTicks[0].Label != "1 Mar" || d.XTicks[4].Label != "21 Mar" || d.XTicks[0].Pos != d.X0+".0" || d.XTicks[4].Pos != d.X1+".0" {
		t.Errorf("x ticks %v (plot %s–%s)", d.XTicks, d.X0, d.X1)
	}
	if len(d.Series) != 2 || d.Series[0].Depth != "QUICK" || len(d.Series[0].Dots) != 2 || d.Series[1].Depth != "STANDARD" {
		t.Fatalf("series %+v", d.Series)
	}
	// Depths share the time axis: the STANDARD point sits half way.
	if d.Series[1].Dots[0].X != "339.0" || !strings.Contains(d.Series[0].Dots[1].Title, "D (50)") {
		t.Errorf("STANDARD at x %s; QUICK second title %q", d.Series[1].Dots[0].X, d.Series[0].Dots[1].Title)
	}

	// One point, or several at one instant: centred, one tick with the time.
	one := LayoutTrend(model.Trend{Points: tr.Points[:1]}, chartNarrow)
	if len(one.XTicks) != 1 || one.XTicks[0].Label != "1 Mar 06:00" || len(one.Series[0].Dots) != 1 {
		t.Errorf("one point: ticks %v", one.XTicks)
	}
	// Across a new year the ticks name months and years.
	years := LayoutTrend(model.Trend{Points: []model.TrendPoint{{At: t0, Depth: "QUICK"}, {At: t0.AddDate(1, 0, 0), Depth: "QUICK"}}}, chartNarrow)
	if years.XTicks[0].Label != "Mar 2026" {
		t.Errorf("year ticks %v", years.XTicks)
	}
}

func TestTrendChartRendersLabelledAxesAndInertText(t *testing.T) {
	tr := model.Trend{Points: []model.TrendPoint{{At: time.Now(), Score: 70, Grade: "B", Depth: "QUICK", URL: "/scans/a"}}}
	for _, compact := range []bool{false, true} {
		var buf bytes.Buffer
		if err := TrendChart(tr, `<b>Shop</b>`, compact).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		svgs := doc.Find("svg.chart-svg")
		if want := map[bool]int{false: 2, true: 1}[compact]; svgs.Length() != want {
			t.Errorf("compact %v: %d charts, want %d", compact, svgs.Length(), want)
		}
		svgs.Each(func(_ int, s *goquery.Selection) {
			if s.Find(`[data-testid="y-label"]`).Text() != "Score" || s.Find(`[data-testid="x-label"]`).Text() != "Date (UTC)" ||
				s.Find(`[data-testid="point"] title`).Length() != 1 {
				t.Errorf("chart %s lacks its labels or point", s.AttrOr("class", ""))
			}
		})
		if doc.Find("b").Length() != 0 || doc.Find("style, script, [style]").Length() != 0 {
			t.Errorf("markup in the caption was rendered, or the chart uses inline style or script")
		}
	}
}
