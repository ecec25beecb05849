package components

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/views/model"
)

// chartSize is a chart's drawing in viewBox units. The SVG scales to its
// box, so each size is drawn for a range of widths where its 12-unit text
// stays readable: wide for the site page on a desktop, narrow for phones
// and the Sites page's cards (CSS shows one of the two).
type chartSize struct {
	Class                    string
	W, H                     int
	Left, Right, Top, Bottom int
	XTicks                   int
}

var (
	chartWide   = chartSize{Class: "chart-wide", W: 640, H: 240, Left: 52, Right: 14, Top: 12, Bottom: 44, XTicks: 5}
	chartNarrow = chartSize{Class: "chart-narrow", W: 360, H: 220, Left: 46, Right: 14, Top: 12, Bottom: 44, XTicks: 3}
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

// ChartData is a trend laid out for drawing at one size.
type ChartData struct {
	Class   string
	ViewBox string
	// The axes: the plot's left, right and bottom edges, and where their titles go.
	X0, X1, Y0   string
	TickEnd      string // the bottom of an x tick mark
	XTickLabelY  string
	YTickLabelX  string
	YTitleX      string
	YTitleY      string
	YTitleRotate string
	XTitleX      string
	XTitleY      string
	YTicks       []ChartTick
	XTicks       []ChartTick
	Series       []ChartSeries
}

// depthColors are the lines' colours (presentation attributes, not inline styles: CSP).
var depthColors = map[string]string{"QUICK": "#1f4fd8", "STANDARD": "#17803d", "DEEP": "#b45309"}

var depthOrder = []string{"QUICK", "STANDARD", "DEEP"}

// LayoutTrend places a trend's points at size sz: x by time (so depths
// share the axis), y by score 0–100, one series per depth in depth order,
// a few dated ticks.
func LayoutTrend(t model.Trend, sz chartSize) ChartData {
	plotW, plotH := sz.W-sz.Left-sz.Right, sz.H-sz.Top-sz.Bottom
	yTitleX, yTitleY := 14, sz.Top+plotH/2
	d := ChartData{Class: sz.Class, ViewBox: fmt.Sprintf("0 0 %d %d", sz.W, sz.H),
		X0: itoa2(sz.Left), X1: itoa2(sz.Left + plotW), Y0: itoa2(sz.Top + plotH), TickEnd: itoa2(sz.Top + plotH + 5),
		XTickLabelY: itoa2(sz.Top + plotH + 18), YTickLabelX: itoa2(sz.Left - 8),
		YTitleX: itoa2(yTitleX), YTitleY: itoa2(yTitleY), YTitleRotate: fmt.Sprintf("rotate(-90 %d %d)", yTitleX, yTitleY),
		XTitleX: itoa2(sz.Left + plotW/2), XTitleY: itoa2(sz.H - 6)}
	yOf := func(score int) string {
		score = min(max(score, 0), 100)
		return num(float64(sz.Top) + float64(plotH)*float64(100-score)/100)
	}
	for _, s := range []int{0, 25, 50, 75, 100} {
		d.YTicks = append(d.YTicks, ChartTick{Pos: yOf(s), Label: strconv.Itoa(s)})
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
	xOf := func(at time.Time) string {
		if span <= 0 {
			return num(float64(sz.Left + plotW/2))
		}
		return num(float64(sz.Left) + float64(plotW)*float64(at.Sub(lo))/float64(span))
	}
	layout := "2 Jan"
	if span < 48*time.Hour {
		layout = "2 Jan 15:04"
	} else if lo.Year() != hi.Year() {
		layout = "Jan 2006"
	}
	n := sz.XTicks
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
		d.XTicks = append(d.XTicks, ChartTick{Pos: xOf(at), Label: label})
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
			x, y := xOf(p.At), yOf(p.Score)
			pts = append(pts, x+","+y)
			s.Dots = append(s.Dots, ChartDot{X: x, Y: y, URL: p.URL,
				Title: fmt.Sprintf("%s · %s · %s (%d)", p.At.UTC().Format("2 Jan 2006 15:04 UTC"), dep, p.Grade, p.Score)})
		}
		s.Points = strings.Join(pts, " ")
		d.Series = append(d.Series, s)
	}
	return d
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func itoa2(n int) string { return strconv.Itoa(n) }
