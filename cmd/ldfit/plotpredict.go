package main

// The figure of ldfit predict: held-out traces with their predictive bands.

import (
	"fmt"
	"image/color"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ldfit/ldfit/infer"
)

// plotPrediction draws the held-out traces of the k units of p that vary most over
// the drawn samples, one panel each: the observed values, the predictive mean and its
// central 50% and 90% bands, over at most the first 400 predicted samples so that the
// traces stay readable.
func plotPrediction(p *infer.Prediction, path, timeUnit string, k int) error {
	if err := checkPlotPath(path); err != nil {
		return err
	}
	k = min(k, len(p.Units))
	n := len(p.Times)
	show := mostVarying(p, min(n, 400), k)
	plots := make([]*plot.Plot, k)
	for q, i := range show {
		pl := plot.New()
		pl.Title.Text = "unit " + p.Units[i]
		pl.Y.Label.Text = "activity"
		if q == k-1 {
			pl.X.Label.Text = "time (" + orDefault(timeUnit, "time unit") + ")"
		}
		m := min(n, 400)
		mean, sd, obs, times := p.Mean[i*n:i*n+m], p.SD[i*n:i*n+m], p.Observed[i*n:i*n+m], p.Times[:m]
		for _, b := range []struct {
			z float64
			a uint8
		}{{1.6448536269514722, 60}, {0.6744897501960817, 110}} {
			band, err := plotter.NewPolygon(bandXYs(times, mean, sd, b.z))
			if err != nil {
				return err
			}
			band.Color = color.NRGBA{R: 70, G: 110, B: 200, A: b.a}
			band.LineStyle.Width = 0
			pl.Add(band)
		}
		ml, err := plotter.NewLine(xys(times, mean))
		if err != nil {
			return err
		}
		ml.LineStyle.Color, ml.LineStyle.Width = color.NRGBA{R: 20, G: 50, B: 140, A: 255}, vg.Points(1)
		ob, err := plotter.NewScatter(xys(times, obs))
		if err != nil {
			return err
		}
		ob.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(1), Shape: draw.CircleGlyph{}}
		pl.Add(ml, ob)
		if q == 0 {
			pl.Legend.Top = true
			pl.Legend.Add("observed", ob)
			pl.Legend.Add("predictive mean", ml)
		}
		plots[q] = pl
	}
	if k == 0 {
		return fmt.Errorf("--plot: no unit to draw")
	}
	return saveStack(plots, path, 7*vg.Inch, vg.Length(k)*1.8*vg.Inch)
}

// mostVarying returns, in the order of p.Units, the k units whose observed values
// vary most over the first m predicted samples: a recording's quietest units make
// uninformative panels.
func mostVarying(p *infer.Prediction, m, k int) []int {
	n := len(p.Times)
	v := make([]float64, len(p.Units))
	idx := make([]int, len(p.Units))
	for i := range idx {
		idx[i] = i
		v[i] = stat.Variance(p.Observed[i*n:i*n+m], nil)
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] > v[idx[b]] })
	idx = idx[:k]
	sort.Ints(idx)
	return idx
}

// checkPlotPath checks, before any work, that the figure can be written as path.
func checkPlotPath(path string) error {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if ext != "png" && ext != "svg" {
		return usagef("--plot %s: the figure must be a .png or .svg file", path)
	}
	return nil
}

func xys(x, y []float64) plotter.XYs {
	xy := make(plotter.XYs, len(x))
	for i := range x {
		xy[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return xy
}

// bandXYs returns the polygon mean ± z·sd: the upper edge forward, the lower back.
func bandXYs(t, mean, sd []float64, z float64) plotter.XYs {
	n := len(t)
	xy := make(plotter.XYs, 2*n)
	for i := 0; i < n; i++ {
		xy[i] = plotter.XY{X: t[i], Y: mean[i] + z*sd[i]}
		xy[2*n-1-i] = plotter.XY{X: t[i], Y: mean[i] - z*sd[i]}
	}
	return xy
}
