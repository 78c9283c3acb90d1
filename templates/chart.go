package templates

import (
	"strconv"
)

// Chart is a bar chart or a funnel drawn as SVG on the server: a title and
// a description for screen readers, and one bar per value, each with its
// label above it and its value as text beside it.
type Chart struct {
	ID, Title, Desc string
	Bars            []ChartBar
	// Max is the value of a full-length bar; 0 means the largest value.
	Max float64
	// Funnel centres the bars, so that they narrow like a funnel.
	Funnel bool
}

// ChartBar is one bar: its label, its value and the value as shown.
type ChartBar struct {
	Label string
	Value float64
	Text  string
}

// The chart's geometry, in viewBox units: a row is a label line and a
// bar; the value's text sits right of the bar area.
const (
	chartWidth     = 320
	chartTextWidth = 90
	chartRow       = 46
	chartBarTop    = 20
	chartBarHeight = 18
)

// chartBar is a bar placed in the chart.
type chartBar struct {
	ChartBar
	X, Y, W float64
}

// placed lays the bars out top to bottom.
func (c Chart) placed() []chartBar {
	top := c.Max
	for _, b := range c.Bars {
		top = max(top, b.Value)
	}
	area := float64(chartWidth - chartTextWidth)
	out := make([]chartBar, len(c.Bars))
	for i, b := range c.Bars {
		w := 0.0
		if top > 0 {
			w = area * b.Value / top
		}
		x := 0.0
		if c.Funnel {
			x = (area - w) / 2
		}
		out[i] = chartBar{ChartBar: b, X: x, Y: float64(i * chartRow), W: w}
	}
	return out
}

// viewBox is the chart's SVG viewBox: as tall as its rows.
func (c Chart) viewBox() string {
	return "0 0 " + strconv.Itoa(chartWidth) + " " + strconv.Itoa(max(len(c.Bars), 1)*chartRow)
}

// num writes a coordinate or a value for SVG and data attributes.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
