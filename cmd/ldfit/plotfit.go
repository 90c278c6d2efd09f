package main

// The goodness-of-fit figure of ldfit fit: observed and fitted residual spectra.

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/ldfit/ldfit/infer"
)

// plotSpectra draws the observed (points) and fitted (line) residual spectrum of every
// population of r on log–log axes and writes the figure to path (.png or .svg),
// atomically.
func plotSpectra(r *infer.Result, path string) error {
	if err := checkPlotPath(path); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "Residual spectrum: observed and fitted"
	p.X.Label.Text = "frequency (1/" + orDefault(r.TimeUnit, "time unit") + ")"
	p.Y.Label.Text = "S_y(f)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	for i, s := range r.Spectra {
		obs, fit := positive(s.Freq, s.Observed), positive(s.Freq, s.Fitted)
		if len(obs) == 0 || len(fit) == 0 {
			return fmt.Errorf("--plot: population %q has no positive frequency to draw", s.Population)
		}
		c := plotutil.Color(i)
		pts, err := plotter.NewScatter(obs)
		if err != nil {
			return err
		}
		pts.GlyphStyle = draw.GlyphStyle{Color: faded(c), Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		line, err := plotter.NewLine(fit)
		if err != nil {
			return err
		}
		line.LineStyle.Color, line.LineStyle.Width = c, vg.Points(1.5)
		p.Add(pts, line)
		name := s.Population
		if len(r.Spectra) == 1 {
			name = ""
		}
		p.Legend.Add(strings.TrimSpace(name+" observed"), pts)
		p.Legend.Add(strings.TrimSpace(name+" fitted Σ g² S_φ + 2D/a"), line)
	}
	return savePlot(p, path, 6*vg.Inch, 4*vg.Inch)
}

// savePlot draws p at width w and height h and writes it to path atomically, in the
// format its extension names (.png or .svg).
func savePlot(p *plot.Plot, path string, w, h vg.Length) error {
	wt, err := p.WriterTo(w, h, strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return err
	}
	return writeAtomic(path, buf.Bytes())
}

// saveStack writes plots as one figure, a column of panels with aligned axes, as PNG
// or SVG by the extension of path.
func saveStack(plots []*plot.Plot, path string, w, h vg.Length) error {
	var c vg.CanvasWriterTo
	if strings.ToLower(filepath.Ext(path)) == ".svg" {
		c = vgsvg.New(w, h)
	} else {
		c = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	}
	rows := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		rows[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(8), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(6)}
	canvases := plot.Align(rows, tiles, draw.New(c))
	for i, p := range plots {
		p.Draw(canvases[i][0])
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	return writeAtomic(path, buf.Bytes())
}

// positive returns the points with positive x and y, which a log axis can show.
func positive(x, y []float64) plotter.XYs {
	var xy plotter.XYs
	for i := range x {
		if x[i] > 0 && i < len(y) && y[i] > 0 {
			xy = append(xy, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return xy
}

func faded(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 170}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// writeAtomic writes b to a temporary file next to path and renames it into place, so
// that a failure never leaves half a figure.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".ldfit-*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	// CreateTemp makes the file private; a figure is for sharing.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
