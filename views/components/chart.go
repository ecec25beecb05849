package components

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/views/model"
)

// The chart's drawing area in viewBox units: the SVG scales to its box,
// and the margins leave room for the axis labels.
const (
	chartW, chartH                       = 640, 240
	chartLeft, chartRight                = 52, 12
	chartTop, chartBottom                = 12, 44
	plotW, plotH                         = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	maxXTicks                            = 5
	chartViewBox                         = "0 0 640 240"
	chartYTitleX, chartYTitleY           = 14, chartTop + plotH/2
	chartXTitleX, chartXTitleY           = chartLeft + plotW/2, chartH - 6
	chartXTickLabelY                     = chartTop + plotH + 18
	chartYTickLabelX                     = chartLeft - 8
	chartAxisX0, chartAxisX1, chartAxisY = chartLeft, chartLeft + plotW, chartTop + plotH
)

// ChartTick is one labelled tick of an axis, at Pos (x or y in viewBox units).
type ChartTick struct {
	Pos   string
	Label string
}

// ChartDot is one scan on the chart, with its tooltip and link.
type ChartDot struct {
	X, Y  string
	Title string
	URL   string
}

// ChartSeries is one depth's line.
type ChartSeries struct {
	Depth  string
	Color  string
	Points string // the polyline's points
	Dots   []ChartDot
}

// ChartData is a trend laid out for drawing.
type ChartData struct {
	YTicks []ChartTick
	XTicks []ChartTick
	Series []ChartSeries
}

// depthColors are the lines' colours (presentation attributes, not inline styles: CSP).
var depthColors = map[string]string{"QUICK": "#1f4fd8", "STANDARD": "#17803d", "DEEP": "#b45309"}

var depthOrder = []string{"QUICK", "STANDARD", "DEEP"}

// LayoutTrend places a trend's points: x by time (so depths share the
// axis), y by score 0–100, one series per depth in depth order, up to
// maxXTicks dated ticks.
func LayoutTrend(t model.Trend) ChartData {
	var d ChartData
	for _, s := range []int{0, 25, 50, 75, 100} {
		d.YTicks = append(d.YTicks, ChartTick{Pos: num(yOf(s)), Label: strconv.Itoa(s)})
	}
	if len(t.Points) == 0 {
		return d
	}
	lo, hi := t.Points[0].At, t.Points[0].At
	for _, p := range t.Points {
		if p.At.Before(lo) {
			lo = p.At
		}
		if p.At.After(hi) {
			hi = p.At
		}
	}
	span := hi.Sub(lo)
	xOf := func(at time.Time) float64 {
		if span <= 0 {
			return chartLeft + plotW/2
		}
		return chartLeft + float64(plotW)*float64(at.Sub(lo))/float64(span)
	}
	layout := "2 Jan"
	if span < 48*time.Hour {
		layout = "2 Jan 15:04"
	} else if lo.Year() != hi.Year() {
		layout = "Jan 2006"
	}
	n := maxXTicks
	if span <= 0 {
		n = 1
	}
	seen := map[string]bool{}
	for i := range n {
		at := lo
		if n > 1 {
			at = lo.Add(time.Duration(float64(span) * float64(i) / float64(n-1)))
		}
		label := at.UTC().Format(layout)
		if seen[label] {
			continue
		}
		seen[label] = true
		d.XTicks = append(d.XTicks, ChartTick{Pos: num(xOf(at)), Label: label})
	}
	byDepth := map[string][]model.TrendPoint{}
	for _, p := range t.Points {
		byDepth[p.Depth] = append(byDepth[p.Depth], p)
	}
	depths := slices.Clone(depthOrder)
	for dep := range byDepth {
		if !slices.Contains(depths, dep) {
			depths = append(depths, dep)
		}
	}
	for _, dep := range depths {
		ps := byDepth[dep]
		if len(ps) == 0 {
			continue
		}
		slices.SortStableFunc(ps, func(a, b model.TrendPoint) int { return a.At.Compare(b.At) })
		s := ChartSeries{Depth: dep, Color: depthColors[dep]}
		if s.Color == "" {
			s.Color = "#5b6675"
		}
		var pts []string
		for _, p := range ps {
			x, y := num(xOf(p.At)), num(yOf(p.Score))
			pts = append(pts, x+","+y)
			s.Dots = append(s.Dots, ChartDot{X: x, Y: y, URL: p.URL,
				Title: fmt.Sprintf("%s · %s · %s (%d)", p.At.UTC().Format("2 Jan 2006 15:04 UTC"), dep, p.Grade, p.Score)})
		}
		s.Points = strings.Join(pts, " ")
		d.Series = append(d.Series, s)
	}
	return d
}

func yOf(score int) float64 {
	score = min(max(score, 0), 100)
	return chartTop + float64(plotH)*float64(100-score)/100
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func itoa2(n int) string { return strconv.Itoa(n) }
