package likelihood

import "math"

// tanhInto stores tanh(x[k]) in dst[k]. It agrees with math.Tanh to a few units in the
// last place (tested to 1e-15 relative) and is about twice as fast, which matters
// because φ = tanh is evaluated once per sample of the statistics pass: the same
// Cephes rational for |x| < 0.625, and above it 1 − 2/(e^{2|x|}+1) with expSmall in
// place of math.Exp.
func tanhInto(dst, x []float64) {
	const (
		p0, p1, p2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
		q0, q1, q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
	)
	dst = dst[:len(x)]
	for k, v := range x {
		z := math.Abs(v)
		var t float64
		switch {
		case z >= 0.625 && z <= 19:
			t = 1 - 2/(expSmall(2*z)+1)
		case z > 19: // 1 − tanh(19) < 2^-54: the result rounds to 1
			t = 1
			if z != z {
				t = z
			}
		default:
			s := v * v
			dst[k] = v + v*s*((p0*s+p1)*s+p2)/(((s+q0)*s+q1)*s+q2)
			continue
		}
		dst[k] = math.Copysign(t, v)
	}
}

// exp2Table[j] = 2^(j/64), the table of expSmall.
var exp2Table = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()

// expSmall returns e^x for 0 ≤ x ≤ 40, within 3 units in the last place: x = (64m + j)
// ln2/64 + r with |r| ≤ ln2/128, so e^x = 2^m · 2^(j/64) · e^r, and e^r by its Taylor
// polynomial of degree 5 (truncation below 4e-17 relative). Few operations per call is
// the point: math.Exp spends about three times as long.
func expSmall(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 / 64
		ln2Lo = 1.90821492927058770002e-10 / 64
		inv   = 64 * 1.44269504088896338700e+00
	)
	k := int64(x*inv + 0.5) // x ≥ 0, so truncation rounds to nearest
	kf := float64(k)
	r := (x - kf*ln2Hi) - kf*ln2Lo
	r2 := r * r
	p := 1 + r + r2*((1.0/2+r*(1.0/6))+r2*(1.0/24+r*(1.0/120)))
	return p * exp2Table[k&63] * math.Float64frombits(uint64((k>>6)+1023)<<52)
}
