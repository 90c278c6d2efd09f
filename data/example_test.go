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

func ExampleCreateRecording() {
	dir, _ := os.MkdirTemp("", "ldfit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "sim.parquet")
	w, err := data.CreateRecording(path, []string{"x1", "x2"}, 0.1, 0, data.WriteOptions{})
	if err != nil {
		log.Fatal(err)
	}
	// A simulation hands over blocks of samples as it goes, unit-major.
	for k := 0; k < 3; k++ {
		block := []float64{float64(k), float64(k) + 0.5 /* x2: */, -float64(k), -float64(k) - 0.5}
		if err := w.Write(block, 2); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	r, err := data.ReadRecording(path, data.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Trials[0].Len, r.Trials[0].Unit(0))
	// Output: 6 [0 0.5 1 1.5 2 2.5]
}

func ExampleScan() {
	dir, _ := os.MkdirTemp("", "ldfit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rec.parquet")
	rec := &data.Recording{Units: []string{"a", "b"}, Step: 1, Trials: []data.Trial{{Len: 4, Data: []float64{1, 2, 3, 4, 10, 20, 30, 40}}}}
	if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	s, err := data.Scan(path, data.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	// One pass over the recording, one block (row group) at a time.
	sums := make([]float64, len(s.Units()))
	for s.Next() {
		b := s.Block()
		for i := range sums {
			for _, x := range b.Unit(i) {
				sums[i] += x
			}
		}
	}
	if err := s.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Units(), sums)
	// Output: [a b] [10 100]
}
