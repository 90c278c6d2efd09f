package likelihood_test

import (
	"fmt"
	"log"

	"github.com/ldfit/ldfit/likelihood"
	"gonum.org/v1/gonum/mat"
)

// The unconstrained least-squares solution of this system is (4, −1); with x ≥ 0 the
// second coefficient is held at zero and the first refitted.
func ExampleNNLS() {
	A := mat.NewDense(3, 2, []float64{
		1, 1,
		1, 2,
		1, 3,
	})
	x, err := likelihood.NNLS(A, []float64{3, 2, 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", x)
	// Output:
	// [2.000 0.000]
}
