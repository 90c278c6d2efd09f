package dmft

import (
	"errors"
	"fmt"
	"math"

	"github.com/ldfit/ldfit/models"
	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"
)

// Solution is the stationary state of a Network.
type Solution struct {
	Network Network
	Step    float64   // Euler step of the discrete model; 0 for continuous time
	Lags    []float64 // s_k = k·h
	Pops    []PopState
	// Lambda is the decay rate of the slowest tail mode: Δ(s) − Δ(∞) ∝ e^{−λs}. For one
	// population with J0 = μ = 0 and odd φ it is √(1 − g²<φ'>²)/τ in continuous time.
	Lambda float64
	// Iterations counts the fixed-point and Newton iterations (on the short grid that
	// finds the tail rate, then on the final one).
	Iterations int
	// Residual is the largest residual at the end, measured as Options.Tol is.
	Residual float64
}

// PopState is the stationary state of one population.
type PopState struct {
	Delta    []float64 // Δ(s_k): autocovariance of x (mean removed)
	C        []float64 // C_φφ(s_k) = E[φ(x(t))φ(x(t+s))] (mean not removed)
	CDeriv   []float64 // C_φ'φ'(s_k) = E[φ'(x(t))φ'(x(t+s))] = ∂C_φφ/∂Δ
	Delta0   float64   // Δ(0), the variance of x
	DeltaInf float64   // Δ(∞): the variance across units of their temporal means
	Mean     float64   // M = E[x] = μ + Σ_b J0_ab m_b
	Rate     float64   // m = E[φ(x)]
	Slope    float64   // <φ'> = E[φ'(x)]
	// Magnetic is J0_aa·<φ'>: the symmetric state m = 0 of one population is unstable
	// to a uniform mode when it exceeds 1.
	Magnetic float64
	// CorrTime is ∫₀^∞ (Δ(s) − Δ(∞)) ds / (Δ(0) − Δ(∞)).
	CorrTime float64

	h, lambda, cD0 float64
}

// At returns Δ(s) for any lag s: interpolated on the grid to sixth order (one-sided
// near s = 0, where Δ has a kink when D > 0), and continued as Δ(∞) + c·e^{−λs} beyond.
func (p *PopState) At(s float64) float64 { return interp(p.Delta, p.h, p.DeltaInf, p.lambda, s) }

// CAt returns C_φφ(s) for any lag s like At.
func (p *PopState) CAt(s float64) float64 {
	return interp(p.C, p.h, p.C[len(p.C)-1], p.lambda, s)
}

// interp is six-point Lagrange interpolation (error O(h⁶)), with one-sided stencils
// at the ends of the grid, and the exponential tail beyond it.
func interp(y []float64, h, inf, lambda, s float64) float64 {
	s = math.Abs(s)
	n := len(y)
	x := s / h
	if x >= float64(n-1) {
		return inf + (y[n-1]-inf)*math.Exp(-lambda*(s-float64(n-1)*h))
	}
	const m = 6
	lo := max(min(int(x)-m/2+1, n-m), 0)
	hi := min(lo+m, n)
	var v float64
	for j := lo; j < hi; j++ {
		w := 1.0
		for k := lo; k < hi; k++ {
			if k != j {
				w *= (x - float64(k)) / float64(j-k)
			}
		}
		v += w * y[j]
	}
	return v
}

// Solve returns the stationary state of the network.
func Solve(net Network, opt Options) (*Solution, error) {
	if err := net.validate(); err != nil {
		return nil, err
	}
	if opt.Step < 0 || opt.Spacing < 0 || opt.Span < 0 || !finite(opt.Step, opt.Spacing, opt.Span) {
		return nil, fmt.Errorf("dmft: step %g, spacing %g and span %g must be finite and nonnegative", opt.Step, opt.Spacing, opt.Span)
	}
	tauMin, tauMax := math.Inf(1), 0.0
	for a := range net.Pops {
		tauMin, tauMax = math.Min(tauMin, net.tau(a)), math.Max(tauMax, net.tau(a))
	}
	if opt.Step > 0 && opt.Step >= 2*tauMin {
		return nil, fmt.Errorf("dmft: Euler step %g is not below 2τ = %g: the map is unstable", opt.Step, 2*tauMin)
	}
	h := opt.Step
	if h == 0 {
		h = opt.Spacing
		if h == 0 {
			h = 0.025 * tauMin
		}
	}
	span := opt.Span
	if span == 0 {
		// Find the tail rate on a short grid, then take the span where e^{−λs} < 1e-11.
		s := newSolver(net, opt, h, int(math.Ceil(60*tauMax/h))+1)
		if err := s.start(nil); err != nil {
			return nil, err
		}
		if _, err := s.newton(); err != nil {
			return nil, err
		}
		span = 60 * tauMax
		if lambda := s.tailRate(); lambda > 0 {
			span = math.Max(span, math.Min(1.2*25.3/lambda, maxSpan*tauMax))
		} else {
			span = maxSpan * tauMax
		}
		return finish(newSolver(net, opt, h, int(math.Ceil(span/h))+1), s)
	}
	return finish(newSolver(net, opt, h, int(math.Ceil(span/h))+1), nil)
}

// maxSpan bounds the automatic lag span, in units of τ: at the edge of chaos the tail
// decays ever more slowly.
const maxSpan = 2000

// errDiverges is the error of a network without a stationary state.
var errDiverges = errors.New("dmft: no stationary state: the variance grows without bound (the coupling is too strong for this transfer function); lower g")

func finish(s *solver, from *solver) (*Solution, error) {
	if err := s.start(from); err != nil {
		return nil, err
	}
	sol, err := s.newton()
	if err != nil {
		return nil, err
	}
	return sol, sol.checkSpectrum()
}

type solver struct {
	net  Network
	opt  Options
	h    float64
	L, P int
	rows [][]stencil // rows[a][k]
	// state
	d    [][]float64 // Δ_a[k]
	mean []float64   // M_a
	// per-iteration
	c, cD, c0, cM [][]float64
	m1            []models.Moments
	iter          int
}

// stencil is row k of the lag equations of a population:
// Σ_j P_j Δ[j] + Σ_j R_j Q[j] + Const = 0, Q = Σ_b g_ab² C_b.
type stencil struct {
	cols  []int
	p, r  []float64
	Const float64
}

func newSolver(net Network, opt Options, h float64, L int) *solver {
	L = max(L, 8)
	P := len(net.Pops)
	s := &solver{net: net, opt: opt, h: h, L: L, P: P}
	s.rows = make([][]stencil, P)
	for a := range P {
		s.rows[a] = s.stencils(a)
	}
	alloc := func() [][]float64 {
		x := make([][]float64, P)
		for a := range x {
			x[a] = make([]float64, L)
		}
		return x
	}
	s.d, s.c, s.cD, s.c0, s.cM = alloc(), alloc(), alloc(), alloc(), alloc()
	s.mean = make([]float64, P)
	s.m1 = make([]models.Moments, P)
	return s
}

// stencils builds the lag equations of population a.
func (s *solver) stencils(a int) []stencil {
	tau, D, L, h := s.net.tau(a), s.net.Pops[a].D, s.L, s.h
	rows := make([]stencil, L)
	if s.opt.Step > 0 {
		// Euler map x' = b·x + α(η + μ) + √(2Dα)ε, α = a/τ, b = 1 − α:
		// (1+b²)Δ[n] − b(Δ[n+1] + Δ[n−1]) = α²Q[n] + 2Dα δ_n0.
		alpha := s.opt.Step / tau
		b := 1 - alpha
		rows[0] = stencil{cols: []int{0, 1}, p: []float64{-(1 + b*b), 2 * b}, r: []float64{alpha * alpha, 0}, Const: 2 * D * alpha}
		for k := 1; k < L-1; k++ {
			rows[k] = stencil{cols: []int{k - 1, k, k + 1}, p: []float64{b, -(1 + b*b), b}, r: []float64{0, alpha * alpha, 0}}
		}
		rows[L-1] = stencil{cols: []int{L - 2, L - 1}, p: []float64{2 * b, -(1 + b*b)}, r: []float64{0, alpha * alpha}}
		return rows
	}
	// Δ'' − κ²Δ = −κ²Q, κ = 1/τ, integrated exactly against the Green's function of the
	// left side (an exponentially fitted Numerov scheme), with Q interpolated by
	// polynomials: fourth order, and exact for the noise-driven part D·e^{−κs}.
	k := 1 / tau
	ch, sh := math.Cosh(k*h), math.Sinh(k*h)
	green := func(t float64) float64 { return math.Sinh(k*(h-math.Abs(t))) / k }
	wIn := greenWeights(green, h, []float64{-1, 0, 1}, -h, h)
	wBd := greenWeights(green, h, []float64{0, 1, 2, 3, 4}, 0, h)
	k2 := k * k
	scaled := func(w []float64) []float64 {
		out := make([]float64, len(w))
		for i, v := range w {
			out[i] = k2 * v
		}
		return out
	}
	// s = 0: Δ(h) = Δ(0)cosh κh + Δ'(0+) sinh(κh)/κ − κ²∫₀ʰ G·Q, Δ'(0+) = −D/τ.
	rows[0] = stencil{cols: []int{0, 1, 2, 3, 4}, p: []float64{-ch, 1, 0, 0, 0}, r: scaled(wBd), Const: D * sh / (k * tau)}
	for j := 1; j < L-1; j++ {
		rows[j] = stencil{cols: []int{j - 1, j, j + 1}, p: []float64{1, -2 * ch, 1}, r: scaled(wIn)}
	}
	// Δ'(s_L) = 0: the mirror image Δ_L = Δ_{L−2}, Q_L = Q_{L−2}.
	rows[L-1] = stencil{cols: []int{L - 2, L - 1}, p: []float64{2, -2 * ch}, r: scaled([]float64{2 * wIn[0], wIn[1]})}
	return rows
}

// greenWeights returns w_j = ∫_a^b G(t)·ℓ_j(t) dt for the Lagrange basis ℓ_j on the nodes
// x_j·h, by 20-point Gauss–Legendre on each side of t = 0 (where G has a kink).
func greenWeights(G func(float64) float64, h float64, nodes []float64, a, b float64) []float64 {
	x := make([]float64, 20)
	wt := make([]float64, 20)
	quad.Legendre{}.FixedLocations(x, wt, -1, 1)
	out := make([]float64, len(nodes))
	pieces := [][2]float64{{a, b}}
	if a < 0 && b > 0 {
		pieces = [][2]float64{{a, 0}, {0, b}}
	}
	for _, pc := range pieces {
		half := (pc[1] - pc[0]) / 2
		for i := range x {
			t := pc[0] + half*(x[i]+1)
			g := G(t) * wt[i] * half
			for j := range nodes {
				l := 1.0
				for m := range nodes {
					if m != j {
						l *= (t/h - nodes[m]) / (nodes[j] - nodes[m])
					}
				}
				out[j] += g * l
			}
		}
	}
	return out
}

// evaluate fills the correlations and their derivatives at the current state; coarse
// tables suffice for the fixed-point iterations.
func (s *solver) evaluate(coarse bool) {
	for b, pop := range s.net.Pops {
		d0, M := s.d[b][0], s.mean[b]
		s.m1[b] = models.Expect(pop.Phi, models.Gauss{Mean: M, Var: d0})
		var cf corr
		if M == 0 && models.HasClosedForm(pop.Phi) {
			cf = closedCorr{phi: pop.Phi, delta0: d0}
		} else {
			lo := d0
			for _, v := range s.d[b] {
				lo = math.Min(lo, v)
			}
			cf = newChebCorr(pop.Phi, d0, M, lo, coarse)
		}
		for k, v := range s.d[b] {
			s.c[b][k], s.cD[b][k], s.c0[b][k], s.cM[b][k] = cf.at(v)
		}
		// At lag 0 only the sum of the Δ and Δ0 derivatives matters (both are Δ_b[0]):
		// the derivative of E[φ²] in the variance. For Sign and Step each part is
		// infinite and the sum finite; take it by a central difference.
		if isBad(s.cD[b][0]) || isBad(s.c0[b][0]) {
			h := 1e-6 * math.Max(d0, 1e-12)
			up := models.Expect(pop.Phi, models.Gauss{Mean: M, Var: d0 + h}).Phi2
			dn := models.Expect(pop.Phi, models.Gauss{Mean: M, Var: math.Max(d0-h, 0)}).Phi2
			s.cD[b][0], s.c0[b][0] = 0, (up-dn)/(d0+h-math.Max(d0-h, 0))
		}
	}
}

func (s *solver) g2(a, b int) float64 { return s.net.G[a][b] * s.net.G[a][b] }

// residual returns the lag residuals r[k·P + a] and the mean residuals.
func (s *solver) residual() (r, rm []float64) {
	P := s.P
	r = make([]float64, s.L*P)
	rm = make([]float64, P)
	for a := range P {
		for k, st := range s.rows[a] {
			v := st.Const
			for i, j := range st.cols {
				v += st.p[i] * s.d[a][j]
				if st.r[i] != 0 {
					for b := range P {
						v += st.r[i] * s.g2(a, b) * s.c[b][j]
					}
				}
			}
			r[k*P+a] = v
		}
		rm[a] = s.mean[a] - s.net.Pops[a].Mu
		for b := range P {
			rm[a] -= s.net.j0(a, b) * s.m1[b].Phi
		}
	}
	return r, rm
}

// scale returns the factor that makes the lag residuals comparable with the variances:
// the rows are second differences, O(h²) or O(α²) times the mismatch of Δ and Q.
func (s *solver) scale() float64 {
	v := 1e-10 // absolute floor: without noise below the edge the solution is Δ ≡ 0
	for a := range s.P {
		v = math.Max(v, math.Abs(s.d[a][0]))
	}
	w := math.Inf(1)
	for a := range s.P {
		if s.opt.Step > 0 {
			alpha := s.opt.Step / s.net.tau(a)
			w = math.Min(w, alpha*alpha)
		} else {
			w = math.Min(w, s.h*s.h/(s.net.tau(a)*s.net.tau(a)))
		}
	}
	return v * w
}

// norm is the largest residual: lag rows divided by scale, mean rows as they are.
func norm(r, rm []float64, scale float64) float64 {
	var m float64
	for _, v := range r {
		m = math.Max(m, math.Abs(v))
	}
	m /= scale
	for _, v := range rm {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// start sets the starting state: damped fixed-point iterations from a guess, or the
// state of a solver on a shorter grid of the same spacing, continued flat.
func (s *solver) start(from *solver) error {
	if s.opt.InitMean != nil && len(s.opt.InitMean) != s.P {
		return fmt.Errorf("dmft: InitMean has %d entries for %d populations", len(s.opt.InitMean), s.P)
	}
	if from != nil {
		for a := range s.P {
			src := from.d[a]
			for k := range s.L {
				s.d[a][k] = src[min(k, len(src)-1)]
			}
			s.mean[a] = from.mean[a]
		}
		s.iter = from.iter
		return nil
	}
	for a := range s.P {
		tau := s.net.tau(a)
		var g2 float64
		for b := range s.P {
			g2 += s.g2(a, b)
		}
		for k := range s.L {
			s.d[a][k] = (1 + s.net.Pops[a].D/tau + g2) * math.Exp(-float64(k)*s.h/(2*tau))
		}
		if s.opt.InitMean != nil {
			s.mean[a] = s.opt.InitMean[a]
			continue
		}
		s.mean[a] = s.net.Pops[a].Mu
		for b := range s.P {
			s.mean[a] += math.Abs(s.net.j0(a, b))
		}
	}
	n, err := s.fixedPoint(200, 0.5, 1e-3)
	s.iter += n
	return err
}

func isBad(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// diverged returns an error when the state has left the finite numbers or the
// variances have grown past any stationary value.
func (s *solver) diverged(res float64) error {
	if math.IsNaN(res) || math.IsInf(res, 0) {
		for a := range s.P {
			if math.IsInf(s.d[a][0], 0) {
				return errDiverges
			}
		}
		return errors.New("dmft: the iteration produced a non-finite value; the transfer function's expectations may be undefined at this variance")
	}
	for a := range s.P {
		if s.d[a][0] > 1e12*(1+s.net.Pops[a].D) {
			return errDiverges
		}
	}
	return nil
}

// newton iterates Newton's method with the exact Jacobian to convergence.
func (s *solver) newton() (*Solution, error) {
	tol := s.opt.Tol
	if tol == 0 {
		tol = 1e-10
	}
	maxIter := s.opt.MaxIter
	if maxIter == 0 {
		maxIter = 60
	}
	s.evaluate(false)
	r, rm := s.residual()
	res := norm(r, rm, s.scale())
	for n := 0; !(res <= tol); n++ {
		if err := s.diverged(res); err != nil {
			return nil, err
		}
		if n == maxIter {
			return nil, fmt.Errorf("dmft: no convergence after %d Newton iterations (residual %.3g): the network may have no stationary state at this coupling (an unbounded φ), or try a finer lag spacing or a longer span", maxIter, res)
		}
		dx, dz, err := s.newtonStep(r, rm)
		if err != nil {
			return nil, err
		}
		res, r, rm = s.lineSearch(dx, dz, res)
		s.iter++
	}
	return s.solution(s.iter, res), nil
}

// fixedPoint runs damped iterations Δ ← (1−ω)Δ + ω·L⁻¹(Q(Δ)), M ← μ + J0·m, at most n
// or until the largest relative change of the variances and means is below tol: a
// starting point from which Newton's method finds the stable solution rather than
// an unstable one (Δ ≡ 0 beyond the chaos edge, m = 0 beyond the magnetic instability).
func (s *solver) fixedPoint(n int, omega, tol float64) (int, error) {
	P := s.P
	lin := newBand(s.L*P, 2*P-1, 5*P-1)
	for a := range P {
		for k, st := range s.rows[a] {
			for i, j := range st.cols {
				lin.add(k*P+a, j*P+a, st.p[i])
			}
		}
	}
	if err := lin.factor(); err != nil {
		return 0, fmt.Errorf("dmft: %w", err)
	}
	x := make([]float64, s.L*P)
	for it := range n {
		s.evaluate(true)
		for a := range P {
			for k, st := range s.rows[a] {
				v := -st.Const
				for i, j := range st.cols {
					for b := range P {
						v -= st.r[i] * s.g2(a, b) * s.c[b][j]
					}
				}
				x[k*P+a] = v
			}
		}
		lin.solve(x)
		var change float64
		for a := range P {
			old := s.d[a][0]
			for k := range s.L {
				s.d[a][k] += omega * (x[k*P+a] - s.d[a][k])
			}
			m := s.net.Pops[a].Mu
			for b := range P {
				m += s.net.j0(a, b) * s.m1[b].Phi
			}
			dm := omega * (m - s.mean[a])
			s.mean[a] += dm
			change = math.Max(change, math.Abs(s.d[a][0]-old)/math.Max(math.Abs(old), 1e-12))
			change = math.Max(change, math.Abs(dm)/math.Max(math.Abs(s.mean[a]), 1))
		}
		if change < tol {
			return it + 1, nil
		}
		if err := s.diverged(change); err != nil {
			return it + 1, err
		}
	}
	return n, nil
}

// newtonStep solves J·(dx, dz) = −(r, rm) with the lag unknowns x and the border
// unknowns z = (Δ_b(0) as it enters the variances, M_b).
func (s *solver) newtonStep(r, rm []float64) (dx, dz []float64, err error) {
	P, L := s.P, s.L
	n := L * P
	A := newBand(n, 2*P-1, 5*P-1)
	B := make([][]float64, 2*P) // border columns
	for c := range B {
		B[c] = make([]float64, n)
	}
	for a := range P {
		for k, st := range s.rows[a] {
			row := k*P + a
			for i, j := range st.cols {
				A.add(row, j*P+a, st.p[i])
				if st.r[i] == 0 {
					continue
				}
				for c := range P {
					w := st.r[i] * s.g2(a, c)
					A.add(row, j*P+c, w*s.cD[c][j])
					B[c][row] += w * s.c0[c][j]
					B[P+c][row] += w * s.cM[c][j]
				}
			}
		}
	}
	if err := A.factor(); err != nil {
		return nil, nil, fmt.Errorf("dmft: Newton step: %w", err)
	}
	x0 := make([]float64, n)
	for i, v := range r {
		x0[i] = -v
	}
	A.solve(x0)
	for c := range B {
		A.solve(B[c])
	}
	// Border rows: z_c − Δ_c[0] = 0 (copy) and the mean equations.
	S := mat.NewDense(2*P, 2*P, nil)
	rhs := mat.NewVecDense(2*P, nil)
	// With x = x0 − X·z (X = A⁻¹B), the border rows Cc·x + Dd·z = −r2 become
	// (Dd − Cc·X)·z = −r2 − Cc·x0. The copy row of c has Cc = −e_(0,c), Dd = e_c, r2 = 0;
	// lag 0 of population c is unknown number c.
	for c := range P {
		S.Set(c, c, 1)
		for col := range 2 * P {
			S.Set(c, col, S.At(c, col)+B[col][c])
		}
		rhs.SetVec(c, x0[c])
	}
	for a := range P {
		row := P + a
		S.Set(row, P+a, 1)
		for c := range P {
			j := s.net.j0(a, c)
			S.Set(row, c, S.At(row, c)-j*s.m1[c].DVar)
			S.Set(row, P+c, S.At(row, P+c)-j*s.m1[c].DPhi)
		}
		rhs.SetVec(row, -rm[a])
	}
	var z mat.VecDense
	if err := z.SolveVec(S, rhs); err != nil {
		return nil, nil, fmt.Errorf("dmft: Newton step: singular border system: %w", err)
	}
	dz = make([]float64, 2*P)
	for i := range dz {
		dz[i] = z.AtVec(i)
	}
	for col := range 2 * P {
		for i := range x0 {
			x0[i] -= B[col][i] * dz[col]
		}
	}
	return x0, dz, nil
}

// lineSearch applies the Newton step, halving it until the residual decreases.
func (s *solver) lineSearch(dx, dz []float64, res0 float64) (float64, []float64, []float64) {
	P := s.P
	d0 := make([][]float64, P)
	m0 := append([]float64(nil), s.mean...)
	for a := range P {
		d0[a] = append([]float64(nil), s.d[a]...)
	}
	t := 1.0
	for try := 0; ; try++ {
		for a := range P {
			for k := range s.L {
				s.d[a][k] = d0[a][k] + t*dx[k*P+a]
			}
			s.mean[a] = m0[a] + t*dz[P+a]
		}
		s.evaluate(false)
		r, rm := s.residual()
		res := norm(r, rm, s.scale())
		if res < res0 || try == 12 {
			return res, r, rm
		}
		t /= 2
	}
}
