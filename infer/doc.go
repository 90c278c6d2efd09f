// Package infer does what is done with a likelihood.Objective: maximise it, measure the
// uncertainty of the estimate (Laplace approximation, posterior sampling), predict
// held-out activity, and compare network architectures by their evidence.
package infer
