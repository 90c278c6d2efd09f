package data_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ldfit/ldfit/data"
)

func ExampleWriteRecording() {
	dir, _ := os.MkdirTemp("", "ldfit")
	defer os.RemoveAll(dir)
	rec := &data.Recording{
		Units: []string{"n1", "n2"},
		Step:  0.01,
		Trials: []data.Trial{{
			Start: 0,
			Len:   3,
			Data:  []float64{0.1, 0.2, 0.3 /* n2: */, 1, 2, 3},
		}},
	}
	path := filepath.Join(dir, "rec.parquet")
	if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	back, err := data.ReadRecording(path, data.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Units, back.Step, back.Trials[0].Unit(1))
	// Output: [n1 n2] 0.01 [1 2 3]
}

func ExampleReadRecording() {
	dir, _ := os.MkdirTemp("", "ldfit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "long.arrow")
	rec := &data.Recording{Units: []string{"a", "b", "c"}, Step: 0.5, Trials: []data.Trial{{Start: 10, Len: 4, Data: []float64{
		0, 1, 2, 3, // a
		4, 5, 6, 7, // b
		8, 9, 10, 11, // c
	}}}}
	if err := data.WriteRecording(path, rec, data.WriteOptions{Long: true}); err != nil {
		log.Fatal(err)
	}
	// Two units, the window [10.5, 11.5).
	r, err := data.ReadRecording(path, data.ReadOptions{Units: []string{"c", "a"}, From: 10.5, To: 11.5})
	if err != nil {
		log.Fatal(err)
	}
	tr := r.Trials[0]
	fmt.Println(r.Units, tr.Start, tr.Len, tr.Unit(0), tr.Unit(1))
	// Output: [c a] 10.5 2 [9 10] [1 2]
}

func ExampleReadLabelled() {
	l, err := data.ReadLabelled("../testdata/iris.parquet", data.LabelledOptions{})
	if err != nil {
		log.Fatal(err)
	}
	train, test, err := l.Split(0.2, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.P(), l.D(), l.Classes, train.P(), test.P())
	// Output: 150 4 [setosa versicolor virginica] 120 30
}

func ExampleSpikes_Bin() {
	sp, err := data.ReadSpikes("../testdata/aplysia_Jun0214da01_spikes.parquet")
	if err != nil {
		log.Fatal(err)
	}
	rec, dropped, err := sp.Bin(data.BinOptions{Bin: 0.05, From: 0, To: 30, Smooth: "exp:0.1", Transform: "rate"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d units firing in the first 30 s, %d silent; %d bins of %g s\n", rec.N(), len(dropped), rec.Trials[0].Len, rec.Step)
	// Output: 133 units firing in the first 30 s, 3 silent; 600 bins of 0.05 s
}
