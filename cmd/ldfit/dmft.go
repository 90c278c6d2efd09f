package main

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/dmft"
)

type dmftFlags struct {
	phi                   string
	g, d, j0, mu, tau, dt float64
	lags                  int
	ds                    float64
	plot                  string
	edge                  bool
}

func init() {
	f := &dmftFlags{}
	register(&command{
		name:    "dmft",
		summary: "mean-field (DMFT) autocorrelation and spectra of a random rate network",
		help: `dmft solves the dynamic mean-field theory of the network
τ dx/dt = −x + Σ_j J_ij φ(x_j) + μ + ξ, J_ij ~ N(J0/N, g²/N), <ξξ> = 2Dτ δ (so D
is the variance of an uncoupled unit), in the limit of many units, and prints the variance Δ0 = Δ(0) of x, <φ'>, C_φφ(0), the decay
rate λ of the tail of Δ(s), the correlation time ∫Δ/Δ0, the largest Lyapunov
exponent (continuous time; positive means chaos) and the convergence of the solver;
--edge also finds the coupling g of the transition to chaos for the given φ and D. With --dt it solves the Euler map with that step, which a recording sampled at
that step follows. -o writes Δ(s), C_φφ(s) and the spectra S_x(f), S_φ(f) as a table
(columns lag, delta, c_phi, freq, s_x, s_phi); --plot draws Δ(s) and C_φφ(s).

Time is in units of the time constant unless --tau is given. The lag grid is chosen so
that the tail has decayed to 1e-11; --lags and --ds set it instead.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.phi, "phi", "tanh", "transfer function `NAME` (tanh, erf, relu, leaky:0.1, linear, logistic, sign, step; scaled: tanh:a=2,b=0.5,c=0.1)")
			fs.Float64Var(&f.g, "g", 2, "coupling strength g")
			fs.Float64Var(&f.d, "D", 0, "noise intensity D (<ξξ> = 2Dτ δ; the variance of an uncoupled unit)")
			fs.Float64Var(&f.j0, "J0", 0, "mean coupling J0")
			fs.Float64Var(&f.mu, "mu", 0, "constant input μ")
			fs.Float64Var(&f.tau, "tau", 1, "time constant τ")
			fs.Float64Var(&f.dt, "dt", 0, "Euler step of the discrete-time model; 0 solves continuous time")
			fs.IntVar(&f.lags, "lags", 0, "number of lags `N` of the grid (default: automatic)")
			fs.Float64Var(&f.ds, "ds", 0, "lag spacing `H` (continuous time; default 0.025·τ)")
			fs.StringVar(&f.plot, "plot", "", "draw Δ(s) and C_φφ(s) to `FILE` (.png or .svg)")
			fs.BoolVar(&f.edge, "edge", false, "also find the coupling g at which the network becomes chaotic for this φ and D (continuous time)")
		},
		run: func(e *env, args []string) error { return runDMFT(e, args, f) },
	})
}

func (f *dmftFlags) options() (dmft.Network, dmft.Options, error) {
	phi, err := models.ParsePhi(f.phi)
	if err != nil {
		return dmft.Network{}, dmft.Options{}, usagef("--phi: %v", err)
	}
	for _, c := range []struct {
		name string
		v    float64
		min  float64 // smallest allowed value (exclusive when positive is set)
		pos  bool
	}{{"--g", f.g, 0, false}, {"--D", f.d, 0, false}, {"--J0", f.j0, math.Inf(-1), false},
		{"--mu", f.mu, math.Inf(-1), false}, {"--tau", f.tau, 0, true}, {"--dt", f.dt, 0, false}, {"--ds", f.ds, 0, false}} {
		if isBad(c.v) || c.v < c.min || (c.pos && c.v <= c.min) {
			what := "finite"
			switch {
			case c.pos:
				what = "positive"
			case c.min == 0:
				what = "nonnegative"
			}
			return dmft.Network{}, dmft.Options{}, usagef("%s must be %s, got %g", c.name, what, c.v)
		}
	}
	if f.lags < 0 || f.lags == 1 {
		return dmft.Network{}, dmft.Options{}, usagef("--lags must be at least 2, got %d", f.lags)
	}
	if f.edge && (f.j0 != 0 || f.mu != 0 || f.dt != 0) {
		return dmft.Network{}, dmft.Options{}, usagef("--edge is for continuous time without --J0 and --mu")
	}
	if f.dt > 0 && f.ds > 0 && f.ds != f.dt {
		return dmft.Network{}, dmft.Options{}, usagef("--ds %g differs from --dt %g: the lags of the Euler map are its steps; drop --ds", f.ds, f.dt)
	}
	net := dmft.Single(phi, f.g, f.d)
	net.Pops[0].Tau, net.Pops[0].Mu = f.tau, f.mu
	if f.j0 != 0 {
		net.J0 = [][]float64{{f.j0}}
	}
	opt := dmft.Options{Step: f.dt, Spacing: f.ds}
	if f.lags > 0 {
		h := f.dt
		if h == 0 {
			h = f.ds
		}
		if h == 0 {
			h = 0.025 * f.tau
		}
		opt.Spacing = h
		if f.dt > 0 {
			opt.Spacing = 0
		}
		opt.Span = float64(f.lags-1) * h
	}
	return net, opt, nil
}

func runDMFT(e *env, args []string, f *dmftFlags) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if f.plot != "" {
		if ext := strings.ToLower(filepath.Ext(f.plot)); ext != ".png" && ext != ".svg" {
			return usagef("--plot %s: the figure must be a .png or .svg file", f.plot)
		}
	}
	net, opt, err := f.options()
	if err != nil {
		return err
	}
	sol, err := dmft.Solve(net, opt)
	if err != nil {
		return err
	}
	p := sol.Pops[0]
	out := struct {
		Phi        string `json:"phi"`
		G          number `json:"g"`
		D          number `json:"D"`
		J0         number `json:"J0"`
		Mu         number `json:"mu"`
		Tau        number `json:"tau"`
		Dt         number `json:"dt"`
		Delta0     number `json:"delta0"`
		DeltaInf   number `json:"delta_inf"`
		Slope      number `json:"mean_phi_prime"`
		C0         number `json:"c_phiphi0"`
		Mean       number `json:"mean_x"`
		Rate       number `json:"mean_phi"`
		Lambda     number `json:"lambda"`
		CorrTime   number `json:"corr_time"`
		Magnetic   number `json:"J0_mean_phi_prime"`
		Lyapunov   number `json:"lyapunov"`
		Edge       number `json:"chaos_edge_g"`
		Lags       int    `json:"lags"`
		Spacing    number `json:"spacing"`
		Iterations int    `json:"iterations"`
		Residual   number `json:"residual"`
	}{f.phi, number(f.g), number(f.d), number(f.j0), number(f.mu), number(f.tau), number(f.dt),
		number(p.Delta0), number(p.DeltaInf), number(p.Slope), number(p.C[0]), number(p.Mean), number(p.Rate),
		number(sol.Lambda), number(p.CorrTime), number(p.Magnetic), number(math.NaN()), number(math.NaN()),
		len(sol.Lags), number(sol.Lags[1]), sol.Iterations, number(sol.Residual)}
	if f.dt == 0 {
		k, err := sol.Lyapunov()
		if err != nil {
			return err
		}
		out.Lyapunov = number(k)
	}
	if f.edge {
		g, err := dmft.ChaosEdge(net.Pops[0].Phi, f.d, dmft.Options{Spacing: opt.Spacing})
		if err != nil {
			return err
		}
		out.Edge = number(g)
	}
	if p.Magnetic > 1 && math.Abs(p.Rate) < 1e-9 {
		e.warnf("J0·<φ'> = %.4g > 1: the state m = 0 is unstable; pass --mu with a small bias to reach the ordered state", p.Magnetic)
	}
	if e.Out != "" {
		if err := data.WriteTable(e.Out, dmftTable(sol, f), e.writeOptions(nil)); err != nil {
			return err
		}
	}
	if f.plot != "" {
		if err := plotDMFT(sol, f.plot); err != nil {
			return err
		}
	}
	if e.JSON {
		return writeJSON(e.stdout, out)
	}
	g := func(x number) string { return formatFloat(float64(x), 8) }
	rows := [][]string{
		{"Δ0 (variance of x)", g(out.Delta0)},
		{"<φ'>", g(out.Slope)},
		{"C_φφ(0)", g(out.C0)},
		{"λ (tail decay rate)", g(out.Lambda)},
		{"correlation time", g(out.CorrTime)},
	}
	if f.dt == 0 {
		rows = append(rows, []string{"Lyapunov exponent", g(out.Lyapunov)})
	}
	if f.edge {
		rows = append(rows, []string{"chaos edge g", g(out.Edge)})
	}
	if f.j0 != 0 || f.mu != 0 || math.Abs(p.Rate) > 1e-12 {
		rows = append(rows, []string{"mean of x", g(out.Mean)}, []string{"<φ>", g(out.Rate)},
			[]string{"Δ(∞) (static part)", g(out.DeltaInf)}, []string{"J0·<φ'>", g(out.Magnetic)})
	}
	model := "continuous time"
	if f.dt > 0 {
		model = "Euler map, step " + strconv.FormatFloat(f.dt, 'g', -1, 64)
	}
	fmt.Fprintf(e.stdout, "DMFT %s, g = %g, D = %g (%s)\n", f.phi, f.g, f.d, model)
	printTable(e.stdout, []string{"quantity", "value"}, rows)
	fmt.Fprintf(e.stdout, "converged: %d iterations, residual %.2g, %d lags of %g\n", sol.Iterations, sol.Residual, len(sol.Lags), sol.Lags[1])
	return nil
}

func dmftTable(sol *dmft.Solution, f *dmftFlags) *data.Table {
	p := sol.Pops[0]
	freq, sx, sphi := sol.Spectra(0)
	meta := map[string]string{"ldfit.phi": f.phi}
	for k, v := range map[string]float64{"g": f.g, "D": f.d, "J0": f.j0, "mu": f.mu, "tau": f.tau, "dt": f.dt,
		"delta0": p.Delta0, "lambda": sol.Lambda, "corr_time": p.CorrTime, "mean_phi_prime": p.Slope} {
		meta["ldfit."+k] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return &data.Table{Meta: meta, Columns: []data.Column{
		{Name: "lag", Float: sol.Lags}, {Name: "delta", Float: p.Delta}, {Name: "c_phi", Float: p.C},
		{Name: "freq", Float: freq}, {Name: "s_x", Float: sx}, {Name: "s_phi", Float: sphi},
	}}
}

// plotDMFT draws Δ(s) and C_φφ(s) up to the lag where Δ has decayed to 1e-3 of Δ0.
func plotDMFT(sol *dmft.Solution, path string) error {
	p := sol.Pops[0]
	end := len(sol.Lags)
	for k, v := range p.Delta {
		if math.Abs(v-p.DeltaInf) < 1e-3*math.Abs(p.Delta0-p.DeltaInf) {
			end = min(k+1, end)
			break
		}
	}
	pl := plot.New()
	pl.Title.Text = "DMFT autocorrelations"
	pl.X.Label.Text = "lag s"
	pl.Legend.Top = true
	for i, c := range []struct {
		name string
		y    []float64
	}{{"Δ(s)", p.Delta}, {"C_φφ(s)", p.C}} {
		xy := make(plotter.XYs, end)
		for k := range xy {
			xy[k] = plotter.XY{X: sol.Lags[k], Y: c.y[k]}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		line.LineStyle.Color, line.LineStyle.Width = plotutil.Color(i), vg.Points(1.5)
		pl.Add(line)
		pl.Legend.Add(c.name, line)
	}
	return savePlot(pl, path, 6*vg.Inch, 4*vg.Inch)
}
