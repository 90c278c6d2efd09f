//go:build openblas

package likelihood

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// With the build tag openblas, every gonum matrix operation of the program (the
// Cholesky factorisations and inverses of the Gaussian-process evidence above all)
// runs on OpenBLAS through cgo: build with
//
//	CGO_LDFLAGS=-lopenblas go build -tags openblas ./cmd/ldfit
//
// after installing the library (Debian/Ubuntu: apt-get install libopenblas-dev).
func init() { blas64.Use(netlib.Implementation{}) }
