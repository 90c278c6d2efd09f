package models_test

import (
	"fmt"

	"github.com/ldfit/ldfit/models"
)

func ExampleParsePhi() {
	for _, name := range []string{"tanh", "erf", "erf:b=1", "leaky:0.1", "tanh:a=2,b=0.5,c=0.1"} {
		phi, err := models.ParsePhi(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-22s φ(1) = %.6f  round trip %s\n", name, phi.Eval(1), phi)
	}
	// Output:
	// tanh                   φ(1) = 0.761594  round trip tanh
	// erf                    φ(1) = 0.789909  round trip erf
	// erf:b=1                φ(1) = 0.842701  round trip erf:b=1
	// leaky:0.1              φ(1) = 1.000000  round trip leaky:0.1
	// tanh:a=2,b=0.5,c=0.1   φ(1) = 1.074099  round trip tanh:a=2,b=0.5,c=0.1
}

func ExamplePair() {
	// One layer of the arc-cosine kernel: inputs with unit variance and correlation ½.
	m := models.Pair(models.ReLU{}, 1, 1, 0.5)
	fmt.Printf("E[φφ] = %.6f, ∂/∂C = %.6f, ∂/∂Q1 = %.6f\n", m.F, m.DC, m.DQ1)
	// tanh has no closed form: rotated-frame quadrature.
	m = models.Pair(models.Tanh{}, 2, 2, 1.5)
	fmt.Printf("E[tanh u tanh v] = %.6f\n", m.F)
	// Output:
	// E[φφ] = 0.304499, ∂/∂C = 0.333333, ∂/∂Q1 = 0.068916
	// E[tanh u tanh v] = 0.366429
}

func ExampleExpect() {
	m := models.Expect(models.Tanh{}, models.Gauss{Mean: 0, Var: 1.9248054})
	fmt.Printf("<φ'> = %.6f, E[Φ] = %.6f\n", m.DPhi, m.Anti)
	// Output:
	// <φ'> = 0.486822, E[Φ] = 0.624074
}
