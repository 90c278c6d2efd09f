package infer_test

import (
	"fmt"
	"log"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/models/kernel"
)

// Three architectures on iris, at their default hyperparameters, ranked by evidence.
func ExampleCompare() {
	l, err := data.ReadLabelled("../testdata/iris.parquet", data.LabelledOptions{})
	if err != nil {
		log.Fatal(err)
	}
	train, test, err := l.Split(0.3, 1)
	if err != nil {
		log.Fatal(err)
	}
	archs, err := kernel.Parse("deep:1..2,phi=erf,recurrent:T=2,phi=relu,input=every")
	if err != nil {
		log.Fatal(err)
	}
	res, err := infer.Compare(archs, train, test, infer.CompareOptions{Standardize: true})
	if err != nil {
		log.Fatal(err)
	}
	infer.RankByEvidence(res)
	for _, r := range res {
		fmt.Printf("%-30s log evidence %7.2f  accuracy %.3f\n", r.Arch.Family()+fmt.Sprintf(" depth %d", r.Arch.Depth), r.LogEvidence, r.Accuracy)
	}
	// Output:
	// deep,erf depth 2               log evidence   26.57  accuracy 0.956
	// recurrent,relu,every depth 2   log evidence   18.47  accuracy 0.978
	// deep,erf depth 1               log evidence   15.58  accuracy 0.933
}
