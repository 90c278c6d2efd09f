//go:build openblas

package deps

import _ "gonum.org/v1/netlib/blas/netlib"
