package likelihood

import (
	"fmt"
	"math"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"gonum.org/v1/gonum/mat"
)

// Exact is the coupling-marginal likelihood of a fully observed network (DESIGN.md
// §4). With the residual y_i[k] = (x_i[k+1] − x_i[k])/α + x_i[k], α = Δ/τ, and the
// couplings J_ij ~ N(J0/N, g²/N) integrated out, the residuals of unit i over the T
// steps of a trial are Gaussian,
//
//	y_i ~ N(μ1 + J0·m, g²C + sI),  C = ΦΦᵀ/N,  m = Φ1/N,  s = 2D/α,
//
// with Φ the T×N matrix of φ(x_j[k]); units are independent given the paths, and
// trials add. The log-likelihood is that of the recorded x: the change of variables
// from x[k+1] to y[k] contributes −log α per sample, which is what identifies τ.
//
// Construction decomposes the smaller of the N×N and T×T Gram matrices once per trial
// (C = U diag(λ) Uᵀ on its range, r = min(N, T) directions) and projects x[k+1]−x[k],
// x[k], 1 and m on U; afterwards each evaluation, gradient included, costs O(N·r).
//
// Parameters, in order: tau (unless ExactOptions.FixTau), g, D (Log transforms), J0,
// mu (Identity).
//
// All units form one population: with several, the covariance would be a sum of
// Gram matrices with different weights g_ab², which no single decomposition
// diagonalises; use Spectral for population structure.
type Exact struct {
	step   float64
	tau    float64 // τ when fixed
	fixTau bool
	n      int
	trials []exactTrial
	params []Param
}

// exactTrial holds the projections of one trial.
type exactTrial struct {
	T, r   int
	lambda []float64 // eigenvalues of C on its range
	// Per unit i: projections a = Uᵀdx_i and b = Uᵀx_i (row i of A and B, length r).
	A, B       []float64
	u1, um     []float64 // Uᵀ1, Uᵀm
	ones, mm   float64   // 1·1 (= T), m·m
	sm         float64   // 1·m
	dd, dx, xx []float64 // per unit |dx|², dx·x, |x|²
	d1, x1     []float64 // per unit 1·dx, 1·x
	dm, xm     []float64 // per unit m·dx, m·x
}

// ExactOptions configures NewExact.
type ExactOptions struct {
	Phi models.Phi // transfer function; nil means tanh
	// Tau, when positive, is the initial value of τ; zero means 1 time unit.
	Tau float64
	// FixTau holds τ at Tau (or 1) instead of fitting it; τ is then not a parameter.
	FixTau bool
}

// NewExact prepares the exact likelihood of a recording whose every unit belongs to one
// population. It costs O(N·T·min(N, T)) time and O(N·min(N, T)) memory per trial.
func NewExact(rec *data.Recording, opt ExactOptions) (*Exact, error) {
	if rec == nil || rec.N() < 2 || len(rec.Trials) == 0 {
		return nil, fmt.Errorf("likelihood: the exact likelihood needs a recording of at least 2 units")
	}
	if !(rec.Step > 0) {
		return nil, fmt.Errorf("likelihood: sampling step %v is not positive", rec.Step)
	}
	if opt.Tau < 0 || math.IsNaN(opt.Tau) {
		return nil, fmt.Errorf("likelihood: initial τ = %v is not positive; give τ > 0 in the recording's time unit", opt.Tau)
	}
	phi := opt.Phi
	if phi == nil {
		phi = models.Tanh{}
	}
	e := &Exact{step: rec.Step, n: rec.N()}
	for t := range rec.Trials {
		tr := &rec.Trials[t]
		if tr.Len < 3 {
			return nil, fmt.Errorf("likelihood: trial %d has %d samples; the exact likelihood needs at least 3", t, tr.Len)
		}
		et, err := newExactTrial(tr, rec.N(), phi)
		if err != nil {
			return nil, fmt.Errorf("likelihood: trial %d: %v", t, err)
		}
		e.trials = append(e.trials, et)
	}
	tau := opt.Tau
	if tau == 0 {
		tau = 1
	}
	g, d := e.initial(rec.Step / tau)
	e.tau, e.fixTau = tau, opt.FixTau
	if !opt.FixTau {
		e.params = []Param{{Name: "tau", Transform: Log, Init: tau}}
	}
	e.params = append(e.params, []Param{
		{Name: "g", Transform: Log, Init: g},
		{Name: "D", Transform: Log, Init: d},
		{Name: "J0", Transform: Identity},
		{Name: "mu", Transform: Identity},
	}...)
	return e, nil
}

func newExactTrial(tr *data.Trial, N int, phi models.Phi) (exactTrial, error) {
	T := tr.Len - 1
	F := mat.NewDense(N, T, nil)  // φ(x_j[k])
	DX := mat.NewDense(N, T, nil) // x_j[k+1] − x_j[k]
	X := mat.NewDense(N, T, nil)
	m := make([]float64, T)
	for j := range N {
		x := tr.Unit(j)
		f, dx, xr := F.RawRowView(j), DX.RawRowView(j), X.RawRowView(j)
		for k := range T {
			if math.IsNaN(x[k]) || math.IsInf(x[k], 0) {
				return exactTrial{}, fmt.Errorf("unit %d has the non-finite value %v at sample %d", j, x[k], k)
			}
			f[k] = phi.Eval(x[k])
			dx[k] = x[k+1] - x[k]
			xr[k] = x[k]
			m[k] += f[k] / float64(N)
		}
	}
	et := exactTrial{T: T}
	ones := make([]float64, T)
	for k := range ones {
		ones[k] = 1
	}
	// W (N×r or T×r) maps a length-T vector v to Uᵀv: Uᵀv = Wᵀ·(F v) when N ≤ T,
	// Wᵀ·v when T < N.
	var proj func(dst *mat.Dense, V *mat.Dense) // rows of V (length T) → rows of dst (length r)
	if N <= T {
		var G mat.SymDense
		G.SymOuterK(1/float64(N), F)
		lam, vec, err := eigTop(&G)
		if err != nil {
			return et, err
		}
		et.lambda = lam
		// U = Fᵀ V diag(λ)^{-1/2} / √N, so Uᵀv = diag(λ)^{-1/2} Vᵀ (F v) / √N.
		W := mat.DenseCopyOf(vec)
		for c, l := range lam {
			s := 1 / math.Sqrt(l*float64(N))
			for i := range N {
				W.Set(i, c, W.At(i, c)*s)
			}
		}
		proj = func(dst, V *mat.Dense) {
			var FV mat.Dense
			FV.Mul(V, F.T()) // rows: (F v)ᵀ
			dst.Mul(&FV, W)
		}
	} else {
		var G mat.SymDense
		G.SymOuterK(1/float64(N), F.T())
		lam, vec, err := eigTop(&G)
		if err != nil {
			return et, err
		}
		et.lambda = lam
		proj = func(dst, V *mat.Dense) { dst.Mul(V, vec) }
	}
	r := len(et.lambda)
	et.r = r
	A, B := mat.NewDense(N, r, nil), mat.NewDense(N, r, nil)
	proj(A, DX)
	proj(B, X)
	et.A, et.B = A.RawMatrix().Data, B.RawMatrix().Data
	U1 := mat.NewDense(2, r, nil)
	proj(U1, mat.NewDense(2, T, append(append([]float64(nil), ones...), m...)))
	et.u1, et.um = U1.RawRowView(0), U1.RawRowView(1)
	et.ones = float64(T)
	for k := range T {
		et.mm += m[k] * m[k]
		et.sm += m[k]
	}
	for _, p := range []*[]float64{&et.dd, &et.dx, &et.xx, &et.d1, &et.x1, &et.dm, &et.xm} {
		*p = make([]float64, N)
	}
	for i := range N {
		dx, x := DX.RawRowView(i), X.RawRowView(i)
		for k := range T {
			et.dd[i] += dx[k] * dx[k]
			et.dx[i] += dx[k] * x[k]
			et.xx[i] += x[k] * x[k]
			et.d1[i] += dx[k]
			et.x1[i] += x[k]
			et.dm[i] += dx[k] * m[k]
			et.xm[i] += x[k] * m[k]
		}
	}
	return et, nil
}

// eigTop returns the eigenvalues of the symmetric G above 1e-12 of the largest, with
// their eigenvectors as columns. Directions below are numerically outside the range of
// C and are treated as such (noise only).
func eigTop(G *mat.SymDense) ([]float64, *mat.Dense, error) {
	var es mat.EigenSym
	if !es.Factorize(G, true) {
		return nil, nil, fmt.Errorf("eigendecomposition of the Gram matrix of φ(x) failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	top := vals[len(vals)-1]
	if !(top > 0) {
		return nil, nil, fmt.Errorf("φ(x) is zero at every sample; the units carry no signal")
	}
	var keep []int
	for c, v := range vals {
		if v > 1e-12*top {
			keep = append(keep, c)
		}
	}
	n, _ := vecs.Dims()
	out := mat.NewDense(n, len(keep), nil)
	lam := make([]float64, len(keep))
	for k, c := range keep {
		lam[k] = vals[c]
		for i := range n {
			out.Set(i, k, vecs.At(i, c))
		}
	}
	return lam, out, nil
}

// initial returns a starting g and D: half the residual variance at α explained by
// the network, half by noise.
func (e *Exact) initial(alpha float64) (g, d float64) {
	var vy, tr, n float64
	for _, et := range e.trials {
		for i := range e.n {
			vy += et.dd[i]/(alpha*alpha) + 2*et.dx[i]/alpha + et.xx[i]
		}
		for _, l := range et.lambda {
			tr += l
		}
		n += float64(et.T)
	}
	vy /= n * float64(e.n)
	tr /= n
	return math.Sqrt(0.5 * vy / tr), 0.25 * vy * alpha
}

// Params returns the parameter descriptions.
func (e *Exact) Params() []Param { return e.params }

// Eval returns the log-likelihood at theta and stores its gradient in grad if non-nil.
func (e *Exact) Eval(theta, grad []float64) float64 {
	tau, off := e.tau, 0
	if !e.fixTau {
		tau, off = math.Exp(theta[0]), 1
	}
	g, D := math.Exp(theta[off]), math.Exp(theta[off+1])
	j0, mu := theta[off+2], theta[off+3]
	alpha := e.step / tau
	g2, s := g*g, 2*D/alpha
	var ll, dA, dG2, dS, dJ0, dMu float64
	for t := range e.trials {
		et := &e.trials[t]
		r := et.r
		// Per-trial log-determinant and its derivatives, shared by all units.
		var logdet, ldG2, ldS float64
		// Per direction: 1/e_k − 1/s, and the derivatives of p²/e_k − p²/s by g² and s
		// per unit p², so that the loop over units has no divisions.
		inv, dinvG2, dinvS := make([]float64, r), make([]float64, r), make([]float64, r)
		for k, l := range et.lambda {
			ek := g2*l + s
			logdet += math.Log(ek)
			ldG2 += l / ek
			ldS += 1 / ek
			inv[k] = 1/ek - 1/s
			dinvG2[k] = -l / (ek * ek)
			dinvS[k] = 1/(s*s) - 1/(ek*ek)
		}
		free := float64(et.T - r)
		logdet += free * math.Log(s)
		ldS += free / s
		N := float64(e.n)
		ll -= 0.5*N*logdet + N*float64(et.T)*(0.5*math.Log(2*math.Pi)+math.Log(alpha))
		dG2 -= 0.5 * N * ldG2
		dS -= 0.5 * N * ldS
		dA -= N * float64(et.T) / alpha
		for i := range e.n {
			a, b := et.A[i*r:(i+1)*r], et.B[i*r:(i+1)*r]
			b = b[:len(a)]
			// Q = Σ p_k²(1/e_k − 1/s) + |res|²/s, p = a/α + b − μu1 − J0um.
			var q, qG2, qS, qA, qMu, qJ0 float64
			ia := 1 / alpha
			u1, um := et.u1[:r], et.um[:r]
			inv, dinvG2, dinvS := inv[:r], dinvG2[:r], dinvS[:r]
			if grad == nil {
				for k := range a {
					p := a[k]*ia + b[k] - mu*u1[k] - j0*um[k]
					q += p * p * inv[k]
				}
			} else {
				for k := range a {
					p := a[k]*ia + b[k] - mu*u1[k] - j0*um[k]
					pp := p * p
					q += pp * inv[k]
					qG2 += pp * dinvG2[k]
					qS += pp * dinvS[k]
					c := 2 * p * inv[k]
					qA -= c * a[k]
					qMu -= c * u1[k]
					qJ0 -= c * um[k]
				}
				qA *= ia * ia
			}
			y1 := et.d1[i]/alpha + et.x1[i]
			ym := et.dm[i]/alpha + et.xm[i]
			yy := et.dd[i]/(alpha*alpha) + 2*et.dx[i]/alpha + et.xx[i]
			r1 := y1 - mu*et.ones - j0*et.sm // res·1
			rm := ym - mu*et.sm - j0*et.mm   // res·m
			res2 := yy - 2*mu*y1 - 2*j0*ym + mu*mu*et.ones + 2*mu*j0*et.sm + j0*j0*et.mm
			q += res2 / s
			ll -= 0.5 * q
			if grad != nil {
				rdx := et.dd[i]/alpha + et.dx[i] - mu*et.d1[i] - j0*et.dm[i] // res·dx
				qS -= res2 / (s * s)
				qA += -2 * rdx / (alpha * alpha) / s
				qMu += -2 * r1 / s
				qJ0 += -2 * rm / s
				dG2 -= 0.5 * qG2
				dS -= 0.5 * qS
				dA -= 0.5 * qA
				dMu -= 0.5 * qMu
				dJ0 -= 0.5 * qJ0
			}
		}
	}
	if grad != nil {
		// s = 2D/α: ∂s/∂α = −s/α; α = Δ/τ: ∂α/∂log τ = −α.
		dA += dS * (-s / alpha)
		if !e.fixTau {
			grad[0] = -alpha * dA
		}
		grad[off] = dG2 * 2 * g2
		grad[off+1] = dS * s
		grad[off+2] = dJ0
		grad[off+3] = dMu
	}
	return ll
}
