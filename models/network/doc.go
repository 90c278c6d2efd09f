// Package network is the rate-network model of ldfit: its parameters, the coupling
// generators (iid Gaussian by population, sparse, random-mode, user-supplied), an
// Euler–Maruyama simulator that returns a recording or streams it to a file, and the
// participation-ratio dimension of recorded activity.
//
// # Model and conventions
//
// Unit i of population a obeys, in the recording's time t,
//
//	τ_a dx_i/dt = −x_i + Σ_j J_ij φ_b(x_j) + μ_a + ξ_i(t),   <ξ_i(t) ξ_j(t')> = 2 D_a τ_a δ_ij δ(t − t'),
//
// where j runs over all units and b is the population of j. Equivalently, in the
// population's own time s = t/τ_a the noise has <ξξ> = 2 D_a δ(s − s'), which is the
// convention of DESIGN.md §4 with τ = 1: D_a is the stationary variance that an
// uncoupled unit (J = 0) of population a would have, whatever τ_a. With a_i = dt/τ_a the
// Euler–Maruyama update of step dt is
//
//	x_i[k+1] = x_i[k] + a_i (−x_i[k] + Σ_j J_ij φ_b(x_j[k]) + μ_a) + √(2 D_a a_i) ε_i[k],
//
// ε iid standard normal. A recording sampled every dt therefore has residual
// y_i[k] = (x_i[k+1] − (1−a_i) x_i[k]) / a_i = Σ_j J_ij φ(x_j[k]) + μ_a + √(2D_a/a_i) ε,
// which is what the likelihoods in package likelihood assume.
//
// Couplings from unit j in population b to unit i in population a are, unless a
// generator says otherwise, J_ij ~ N(J0_ab/N_b, g_ab²/N_b) independently; Model.G2 holds
// g_ab² and Model.J0 holds J0_ab.
//
// # Pieces
//
// A Coupling generator (IID, Sparse, RandomMode, File; ParseCoupling reads the
// command-line form) builds an Operator, the realised J applied to a vector: Dense and
// CSR products split their rows across workers, the random-mode model is applied as
// L(d∘(Rᵀv)) in O(NP). Simulate returns a data.Recording; SimulateTo streams to a
// Parquet or Arrow file. Participation (in memory) and DimStream (streamed) estimate
// the participation-ratio dimension of any recording.
//
// # Determinism
//
// Every random draw derives from Options.Seed through separate PCG streams: one for the
// couplings (per block of rows), one for the initial state, and one per block of
// NoiseBlock units for the noise. The result is therefore the same for every value of
// Options.Workers.
//
// # Truth metadata
//
// Simulate and SimulateTo store the true parameters as JSON (type Truth) under the
// metadata key TruthKey ("ldfit.truth"), so that fits of the recording can be compared
// with the values it was simulated with.
package network
