package main

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/models/kernel"
)

// labelledFlags are the flags of the commands that read a labelled data set.
type labelledFlags struct {
	label       string
	features    string
	maxFeatures int
	standardize bool
}

func addLabelledFlags(fs *flag.FlagSet) *labelledFlags {
	lf := &labelledFlags{}
	fs.StringVar(&lf.label, "label", "label", "label `COLUMN` (string or integer)")
	fs.StringVar(&lf.features, "features", "", "feature `COLUMNS` (comma-separated); default: every numeric column but the label")
	fs.IntVar(&lf.maxFeatures, "max-features", 0, "keep only the first `N` features")
	fs.BoolVar(&lf.standardize, "standardize", false, "centre and scale every feature by its (training) mean and standard deviation")
	return lf
}

func (lf *labelledFlags) read(e *env, path string) (*data.Labelled, error) {
	if lf.maxFeatures < 0 {
		return nil, usagef("--max-features must be positive, got %d", lf.maxFeatures)
	}
	if err := e.addInput(path); err != nil {
		return nil, err
	}
	return data.ReadLabelled(path, data.LabelledOptions{Features: splitList(lf.features), Label: lf.label, MaxFeatures: lf.maxFeatures})
}

func init() {
	var (
		lf       *labelledFlags
		arch     string
		sw2, sb2 float64
		plotPath string
	)
	register(&command{
		name:    "kernel",
		usage:   "DATA",
		summary: "infinite-width kernel of a deep or recurrent architecture on a labelled data set",
		help: `kernel computes the Gaussian-process kernel that a deep or recurrent network becomes
when its hidden layers are infinitely wide, on the examples of DATA (one row per
example, numeric feature columns and a label column), and prints a summary.
-o writes the matrix: a column "label" and one float column per example (k0, k1, ...),
with the architecture in the file's metadata. --plot draws it as a heat map with the
examples sorted by label.

Architectures: deep:L=3,phi=erf  or  recurrent:T=5,phi=relu,input=every,bias=shared,
readout=sum; phi is erf (erf(x)), relu, tanh, linear, sign, step, logistic, leaky:A, ...;
sw2 and sb2 may be given in the spec or with --sw2, --sb2.`,
		flags: func(fs *flag.FlagSet) {
			lf = addLabelledFlags(fs)
			fs.StringVar(&arch, "arch", "deep:L=1,phi=erf", "architecture `SPEC`, e.g. deep:L=3,phi=erf")
			fs.Float64Var(&sw2, "sw2", 0, "weight variance σ_w² (overrides the spec)")
			fs.Float64Var(&sb2, "sb2", -1, "bias variance σ_b² (overrides the spec)")
			fs.StringVar(&plotPath, "plot", "", "draw the kernel as a heat map into `FILE` (.png or .svg)")
		},
		run: func(e *env, args []string) error { return runKernel(e, args, lf, arch, sw2, sb2, plotPath) },
	})
}

func runKernel(e *env, args []string, lf *labelledFlags, spec string, sw2, sb2 float64, plotPath string) error {
	if err := wantArgs(args, "DATA"); err != nil {
		return err
	}
	a, err := kernel.ParseArch(spec)
	if err != nil {
		return usagef("--arch: %v", err)
	}
	if sw2 != 0 {
		a.SigmaW2 = sw2
	}
	if sb2 != -1 {
		a.SigmaB2 = sb2
	}
	if err := a.Validate(); err != nil {
		return usagef("%v", err)
	}
	if plotPath != "" {
		if err := figureExt(plotPath); err != nil {
			return err
		}
	}
	l, err := lf.read(e, args[0])
	if err != nil {
		return err
	}
	x := append([]float64(nil), l.X...)
	if lf.standardize {
		infer.Standardize(x, nil, l.D())
	}
	k, err := kernel.Compute(a, x, l.D(), kernel.Options{Workers: e.Workers})
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	n := l.P()
	var diag, off float64
	for i := 0; i < n; i++ {
		diag += k.K.At(i, i)
		for j := i + 1; j < n; j++ {
			off += k.K.At(i, j) / math.Sqrt(k.K.At(i, i)*k.K.At(j, j))
		}
	}
	diag /= float64(n)
	if n > 1 {
		off /= float64(n * (n - 1) / 2)
	}
	if e.Out != "" {
		if err := writeKernel(e, l, a, k.K, args[0]); err != nil {
			return err
		}
	}
	if plotPath != "" {
		if err := plotKernel(plotPath, l, a, k.K); err != nil {
			return err
		}
	}
	if e.JSON {
		return writeJSON(e.stdout, struct {
			File      string `json:"file"`
			Arch      string `json:"arch"`
			Examples  int    `json:"examples"`
			Features  int    `json:"features"`
			MeanDiag  number `json:"mean_diagonal"`
			MeanCorr  number `json:"mean_correlation"`
			Out       string `json:"output,omitempty"`
			PlotsPath string `json:"plot,omitempty"`
		}{args[0], a.String(), n, l.D(), number(diag), number(off), e.Out, plotPath})
	}
	fmt.Fprintf(e.stdout, "%s: %d examples, %d features\n", args[0], n, l.D())
	printTable(e.stdout, []string{"architecture", "mean K(x,x)", "mean correlation"},
		[][]string{{a.String(), formatFloat(diag, 6), formatFloat(off, 6)}})
	return nil
}

func figureExt(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return usagef("--plot %s: the figure must be a .png or .svg file", path)
	}
	return nil
}

func writeKernel(e *env, l *data.Labelled, a kernel.Arch, k *mat.SymDense, src string) error {
	n := l.P()
	cols := make([]data.Column, n+1)
	cols[0] = data.Column{Name: "label", String: make([]string, n)}
	for i, y := range l.Y {
		cols[0].String[i] = l.Classes[y]
	}
	for j := 0; j < n; j++ {
		c := data.Column{Name: "k" + strconv.Itoa(j), Float: make([]float64, n)}
		for i := 0; i < n; i++ {
			c.Float[i] = k.At(i, j)
		}
		cols[j+1] = c
	}
	t := &data.Table{Columns: cols, Meta: map[string]string{
		"ldfit.source": filepath.Base(src),
		"ldfit.arch":   a.String(),
	}}
	return data.WriteTable(e.Out, t, e.writeOptions(nil))
}

// kernelGrid shows a kernel matrix as a heat map, rows and columns in a given order.
type kernelGrid struct {
	k     *mat.SymDense
	order []int
}

func (g kernelGrid) Dims() (int, int)   { return len(g.order), len(g.order) }
func (g kernelGrid) Z(c, r int) float64 { return g.k.At(g.order[r], g.order[c]) }
func (g kernelGrid) X(c int) float64    { return float64(c) }
func (g kernelGrid) Y(r int) float64    { return float64(len(g.order) - 1 - r) }

func plotKernel(path string, l *data.Labelled, a kernel.Arch, k *mat.SymDense) error {
	order := make([]int, l.P())
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return l.Y[order[i]] < l.Y[order[j]] })
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range order {
		for j := range order {
			v := k.At(i, j)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(lo)
	pal.SetMax(math.Max(hi, lo+1e-12))
	p := plot.New()
	p.Title.Text = "Kernel " + a.String()
	p.X.Label.Text = "example (sorted by label)"
	p.Y.Label.Text = "example (sorted by label)"
	p.Add(plotter.NewHeatMap(kernelGrid{k, order}, pal.Palette(255)))
	return savePlot(p, path, 6*vg.Inch, 6*vg.Inch)
}
