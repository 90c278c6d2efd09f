package likelihood_test

import (
	"fmt"
	"log"
	"math"

	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models/kernel"
)

// The evidence of four labelled points in one dimension under a one-layer erf kernel,
// its gradient, and the posterior at a new point.
func ExampleGP() {
	x := []float64{-2, -1, 1, 2}
	y, err := likelihood.OneHot([]int{0, 0, 1, 1}, 2)
	if err != nil {
		log.Fatal(err)
	}
	a, _ := kernel.ParseArch("deep:L=1,phi=erf,sw2=2,sb2=0.1")
	gp, err := likelihood.NewGP(a, x, 1, y, 0.01)
	if err != nil {
		log.Fatal(err)
	}
	theta := []float64{math.Log(2), math.Log(0.1), math.Log(0.01)}
	grad := make([]float64, 3)
	fmt.Printf("log evidence %.4f, gradient %.4f\n", gp.Eval(theta, grad), grad)
	post, err := gp.Predict(theta, []float64{1.5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean %.4f, variance %.4f\n", post.Mean.RawRowView(0), post.Var[0])
	// Output:
	// log evidence -2.1567, gradient [-2.1051 -1.5247 -0.6063]
	// mean [-0.5077 0.5077], variance 0.0059
}
