package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/models/kernel"
)

// archList is a repeatable --arch flag.
type archList []kernel.Arch

func (l *archList) String() string {
	var s []string
	for _, a := range *l {
		s = append(s, a.String())
	}
	return strings.Join(s, " ")
}

func (l *archList) Set(v string) error {
	as, err := kernel.Parse(v)
	if err != nil {
		return err
	}
	*l = append(*l, as...)
	return nil
}

type compareFlags struct {
	lf          *labelledFlags
	archs       archList
	testFrac    float64
	fitHyper    bool
	noise       float64
	restarts    int
	finiteWidth string
	networks    int
	plotPath    string
}

func init() {
	cf := &compareFlags{}
	register(&command{
		name:    "compare",
		usage:   "TRAIN [TEST]",
		summary: "compare deep and recurrent architectures by exact infinite-width Bayesian classification",
		help: `compare regresses the centred one-hot codes of the training labels with the
infinite-width kernel of each architecture (exact Gaussian-process inference) and
prints, ranked by log evidence: the hyperparameters, the log evidence of the training
labels, and on the test set the accuracy, the mean squared error of the posterior mean
and the mean log predictive density. The test set is the file TEST or, without it, a
stratified seeded --test-frac of TRAIN.

--arch may be repeated and takes ranges of depths: --arch deep:1..8,phi=erf
--arch recurrent:1..8,phi=relu,input=every. --fit-hyper maximises the evidence over
σ_w², σ_b² and the noise σ_ε² (log scale, L-BFGS); each depth starts from the optimum
of the previous depth of its family. --finite-width n=64,128,256 also samples finite
networks of these widths and prints their kernel's relative deviation from the limit
(Frobenius norm, on 8 training examples, averaged over --networks networks): the
finite-width bias shrinks like 1/n, the sampling noise like 1/√(n·networks), which
dominates unless many networks are sampled.`,
		flags: func(fs *flag.FlagSet) {
			cf.lf = addLabelledFlags(fs)
			cf.archs = nil // Set appends: start each command line empty
			fs.Var(&cf.archs, "arch", "architecture `SPEC`s, repeatable, e.g. deep:1..8,phi=erf (default deep:1..4,phi=erf)")
			fs.Float64Var(&cf.testFrac, "test-frac", 0.3, "fraction of TRAIN held out as test set when no TEST file is given")
			fs.BoolVar(&cf.fitHyper, "fit-hyper", false, "fit σ_w², σ_b² and σ_ε² by maximum evidence")
			fs.Float64Var(&cf.noise, "noise", infer.DefaultNoise, "noise variance σ_ε² of the one-hot targets (initial value with --fit-hyper)")
			fs.IntVar(&cf.restarts, "restarts", 0, "extra seeded starts of each evidence maximisation")
			fs.StringVar(&cf.finiteWidth, "finite-width", "", "`WIDTHS` of sampled finite networks, e.g. n=64,128,256,512")
			fs.IntVar(&cf.networks, "networks", 20, "networks sampled per width with --finite-width")
			fs.StringVar(&cf.plotPath, "plot", "", "draw accuracy and log evidence against depth per family into `FILE` (.png or .svg)")
		},
		run: func(e *env, args []string) error { return runCompare(e, args, cf) },
	})
}

type compareRow struct {
	Rank        int    `json:"rank"`
	Arch        string `json:"arch"`
	Structure   string `json:"structure"`
	Family      string `json:"family"`
	Depth       int    `json:"depth"`
	SigmaW2     number `json:"sw2"`
	SigmaB2     number `json:"sb2"`
	Noise       number `json:"noise"`
	LogEvidence number `json:"log_evidence"`
	Accuracy    number `json:"accuracy"`
	MSE         number `json:"mse"`
	MLPD        number `json:"mlpd"`
	Jitter      number `json:"jitter"`
	Converged   bool   `json:"converged"`
}

type widthRow struct {
	Family    string `json:"family"`
	Depth     int    `json:"depth"`
	Width     int    `json:"width"`
	Deviation number `json:"deviation"`
}

func runCompare(e *env, args []string, cf *compareFlags) error {
	if len(args) < 1 || len(args) > 2 {
		return usagef("want TRAIN [TEST], got %d arguments", len(args))
	}
	if len(cf.archs) == 0 {
		cf.archs, _ = kernel.Parse("deep:1..4,phi=erf")
	}
	if !(cf.noise > 0) || isBad(cf.noise) {
		return usagef("--noise must be a positive variance, got %v", cf.noise)
	}
	if cf.restarts < 0 || cf.networks < 1 {
		return usagef("--restarts must be ≥ 0 and --networks ≥ 1")
	}
	widths, err := parseWidths(cf.finiteWidth)
	if err != nil {
		return err
	}
	if cf.plotPath != "" {
		if err := figureExt(cf.plotPath); err != nil {
			return err
		}
	}
	train, test, err := loadSplit(e, args, cf)
	if err != nil {
		return err
	}
	prog := e.progress("architectures", len(cf.archs))
	res, err := infer.Compare(cf.archs, train, test, infer.CompareOptions{
		FitHyper: cf.fitHyper, Noise: cf.noise, Standardize: cf.lf.standardize, Restarts: cf.restarts,
		Seed: e.Seed, Workers: e.Workers, Progress: func(int, int) { prog.Add(1) },
	})
	prog.Done()
	if err != nil {
		return err
	}
	for _, r := range res {
		if !r.Converged {
			e.warnf("%s: evidence maximisation did not converge (%s); its row is the best point found", r.Arch, r.Status)
		}
		if r.Jitter > 0 {
			e.warnf("%s: jitter %.3g was added to the kernel diagonal to factorise it", r.Arch, r.Jitter)
		}
	}
	if cf.plotPath != "" {
		if err := plotCompare(cf.plotPath, res); err != nil {
			return err
		}
	}
	infer.RankByEvidence(res)
	rows := make([]compareRow, len(res))
	for i, r := range res {
		rows[i] = compareRow{i + 1, r.Arch.String(), r.Arch.Structure(), r.Arch.Family(), r.Arch.Depth, number(r.Arch.SigmaW2), number(r.Arch.SigmaB2),
			number(r.Noise), number(r.LogEvidence), number(r.Accuracy), number(r.MSE), number(r.MLPD), number(r.Jitter), r.Converged}
	}
	var wrows []widthRow
	if len(widths) > 0 {
		if wrows, err = finiteWidth(e, train, res, widths, cf); err != nil {
			return err
		}
	}
	if e.Out != "" {
		if err := writeCompare(e, rows, args); err != nil {
			return err
		}
	}
	if e.JSON {
		return writeJSON(e.stdout, struct {
			Train       int          `json:"train_examples"`
			Test        int          `json:"test_examples"`
			Results     []compareRow `json:"results"`
			FiniteWidth []widthRow   `json:"finite_width,omitempty"`
		}{train.P(), test.P(), rows, wrows})
	}
	fmt.Fprintf(e.stdout, "%d training and %d test examples, %d features, %d classes\n", train.P(), test.P(), train.D(), len(train.Classes))
	var cells [][]string
	for _, r := range rows {
		conv := ""
		if !r.Converged {
			conv = "*"
		}
		cells = append(cells, []string{strconv.Itoa(r.Rank), r.Structure + conv, f4(r.SigmaW2), f4(r.SigmaB2), f4(r.Noise),
			strconv.FormatFloat(float64(r.LogEvidence), 'f', 2, 64), f4(r.Accuracy), f4(r.MSE), f4(r.MLPD)})
	}
	printTable(e.stdout, []string{"rank", "architecture", "sw2", "sb2", "noise", "log evidence", "accuracy", "MSE", "MLPD"}, cells)
	if len(wrows) > 0 {
		fmt.Fprintln(e.stdout, "\nfinite-width kernel: relative deviation from the infinite-width limit")
		var wc [][]string
		for _, w := range wrows {
			wc = append(wc, []string{w.Family, strconv.Itoa(w.Depth), strconv.Itoa(w.Width), formatFloat(float64(w.Deviation), 4)})
		}
		printTable(e.stdout, []string{"family", "depth", "width n", "deviation"}, wc)
	}
	return nil
}

func loadSplit(e *env, args []string, cf *compareFlags) (train, test *data.Labelled, err error) {
	if train, err = cf.lf.read(e, args[0]); err != nil {
		return nil, nil, err
	}
	if len(args) == 2 {
		test, err = cf.lf.read(e, args[1])
		return train, test, err
	}
	if !(cf.testFrac > 0 && cf.testFrac < 1) {
		return nil, nil, usagef("--test-frac must lie strictly between 0 and 1, got %v", cf.testFrac)
	}
	train, test, err = train.Split(cf.testFrac, e.Seed)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", args[0], err)
	}
	return train, test, nil
}

func parseWidths(s string) ([]int, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "n=")
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, usagef("--finite-width must list positive widths, e.g. n=64,128,256; got %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// finiteWidth samples finite networks of the deepest architecture of every family, at
// its fitted hyperparameters, on the first training examples.
func finiteWidth(e *env, train *data.Labelled, res []infer.Comparison, widths []int, cf *compareFlags) ([]widthRow, error) {
	const points = 8
	p := min(points, train.P())
	x := append([]float64(nil), train.X[:p*train.D()]...)
	if cf.lf.standardize {
		all := append([]float64(nil), train.X...)
		infer.Standardize(all, x, train.D())
	}
	deepest := map[string]kernel.Arch{}
	var families []string
	for _, r := range res {
		f := r.Arch.Family()
		if a, ok := deepest[f]; !ok || r.Arch.Depth > a.Depth {
			if !ok {
				families = append(families, f)
			}
			deepest[f] = r.Arch
		}
	}
	var rows []widthRow
	prog := e.progress("finite widths", len(families))
	for _, f := range families {
		a := deepest[f]
		dev, err := kernel.Deviation(a, x, train.D(), widths, cf.networks, e.Seed)
		if err != nil {
			return nil, err
		}
		for i, w := range widths {
			rows = append(rows, widthRow{f, a.Depth, w, number(dev[i])})
		}
		prog.Add(1)
	}
	prog.Done()
	return rows, nil
}

func writeCompare(e *env, rows []compareRow, args []string) error {
	t := &data.Table{Meta: map[string]string{"ldfit.source": strings.Join(args, " ")}}
	rank, depth := data.Column{Name: "rank"}, data.Column{Name: "depth"}
	arch, structure := data.Column{Name: "arch"}, data.Column{Name: "structure"}
	family, conv := data.Column{Name: "family"}, data.Column{Name: "converged"}
	names := []string{"sw2", "sb2", "noise", "log_evidence", "accuracy", "mse", "mlpd", "jitter"}
	floats := make([]data.Column, len(names))
	for i, n := range names {
		floats[i].Name = n
	}
	for _, r := range rows {
		rank.Int = append(rank.Int, int64(r.Rank))
		depth.Int = append(depth.Int, int64(r.Depth))
		arch.String = append(arch.String, r.Arch)
		structure.String = append(structure.String, r.Structure)
		family.String = append(family.String, r.Family)
		conv.String = append(conv.String, strconv.FormatBool(r.Converged))
		for i, v := range []number{r.SigmaW2, r.SigmaB2, r.Noise, r.LogEvidence, r.Accuracy, r.MSE, r.MLPD, r.Jitter} {
			floats[i].Float = append(floats[i].Float, float64(v))
		}
	}
	t.Columns = append([]data.Column{rank, arch, structure, family, depth}, floats...)
	t.Columns = append(t.Columns, conv)
	return data.WriteTable(e.Out, t, e.writeOptions(nil))
}

// plotCompare draws test accuracy (top) and log evidence (bottom) against depth, one
// line per family.
func plotCompare(path string, res []infer.Comparison) error {
	byFamily := map[string][2]plotter.XYs{}
	var families []string
	for _, r := range res {
		f := r.Arch.Family()
		if _, ok := byFamily[f]; !ok {
			families = append(families, f)
		}
		v := byFamily[f]
		v[0] = append(v[0], plotter.XY{X: float64(r.Arch.Depth), Y: r.Accuracy})
		v[1] = append(v[1], plotter.XY{X: float64(r.Arch.Depth), Y: r.LogEvidence})
		byFamily[f] = v
	}
	var plots [2]*plot.Plot
	for k, label := range []string{"test accuracy", "log evidence"} {
		p := plot.New()
		p.X.Label.Text = "depth (layers or time steps)"
		p.Y.Label.Text = label
		p.Legend.Top, p.Legend.Left = k == 1, true
		for i, f := range families {
			line, pts, err := plotter.NewLinePoints(byFamily[f][k])
			if err != nil {
				return err
			}
			line.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
			pts.Shape = plotutil.Shape(i)
			p.Add(line, pts)
			p.Legend.Add(f, line, pts)
		}
		plots[k] = p
	}
	plots[0].Title.Text = "Architecture comparison"
	return saveStack(plots[:], path, 6*vg.Inch, 7*vg.Inch)
}
