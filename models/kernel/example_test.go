package kernel_test

import (
	"fmt"
	"log"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/kernel"
)

// The kernel of one erf layer for three inputs with Gram matrix G = x·x'/d.
func ExampleFromGram() {
	g := mat.NewSymDense(3, []float64{1, .5, .2, .5, 1, .3, .2, .3, 1})
	a, err := kernel.ParseArch("deep:L=1,phi=erf,sw2=1.5,sb2=0.05")
	if err != nil {
		log.Fatal(err)
	}
	k, err := kernel.FromGram(a, g, kernel.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.10f %.10f %.10f\n", k.K.At(0, 0), k.K.At(0, 1), k.K.At(0, 2))
	// Output: 0.8686894142 0.4328279429 0.2138394130
}

// Depth ranges expand into one architecture per depth.
func ExampleParse() {
	as, err := kernel.Parse("deep:1..2,phi=relu,recurrent:T=3,input=every,readout=sum")
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range as {
		fmt.Println(a)
	}
	// Output:
	// deep:L=1,phi=relu,sw2=1.5,sb2=0.05
	// deep:L=2,phi=relu,sw2=1.5,sb2=0.05
	// recurrent:T=3,phi=erf,sw2=1.5,sb2=0.05,input=every,bias=fresh,readout=sum
}

// Compute takes the features themselves, here two points in two dimensions, and gives
// the derivatives of every entry with respect to σ_w² and σ_b².
func ExampleCompute() {
	x := []float64{1, 0, 0.6, 0.8}
	a := kernel.Arch{Kind: kernel.Recurrent, Depth: 2, Phi: models.ReLU{}, SigmaW2: 2, SigmaB2: 0.1, Readout: kernel.Sum}
	k, err := kernel.Compute(a, x, 2, kernel.Options{Grad: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("K12 = %.6f, dK12/dsw2 = %.6f, dK12/dsb2 = %.6f\n", k.K.At(0, 1), k.DW.At(0, 1), k.DB.At(0, 1))
	// Output: K12 = 1.315383, dK12/dsw2 = 1.410232, dK12/dsb2 = 2.918083
}
