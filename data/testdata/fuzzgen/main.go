// Command fuzzgen writes the seed corpora of the data package's fuzz tests: small valid
// files of every kind and format that ldfit reads, and truncated copies of them.
//
//	go run ./data/testdata/fuzzgen
//
// run from the module root rewrites data/testdata/fuzz/Fuzz*/.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ldfit/ldfit/data"
)

func main() {
	dir, err := os.MkdirTemp("", "fuzzgen")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	rec := &data.Recording{
		Units: []string{"a", "b"}, Populations: []string{"E", "I"}, Step: 0.5,
		Trials: []data.Trial{{Name: "x", Start: 1, Len: 3, Data: []float64{1, 2, 3, 4, 5, 6}}, {Name: "y", Start: 9, Len: 2, Data: []float64{7, 8, 9, 10}}},
	}
	spikes := &data.Table{Columns: []data.Column{
		{Name: "unit", String: []string{"a", "b", "a"}},
		{Name: "time", Float: []float64{0.1, 0.25, 0.3}},
		{Name: "trial", Int: []int64{1, 1, 2}},
	}}
	labelled := &data.Table{Columns: []data.Column{
		{Name: "f1", Float: []float64{1, 2, 3, 4}},
		{Name: "f2", Int: []int64{5, 6, 7, 8}},
		{Name: "label", String: []string{"p", "q", "p", "q"}},
	}}
	corpus := map[string][]string{}
	add := func(fuzz, name string) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		corpus[fuzz] = append(corpus[fuzz], string(b), string(b[:len(b)*2/3]))
	}
	for _, ext := range []string{".parquet", ".arrow", ".arrows"} {
		check(data.WriteRecording(filepath.Join(dir, "wide"+ext), rec, data.WriteOptions{}))
		single := *rec
		single.Trials = []data.Trial{rec.Trials[0]}
		single.Trials[0].Name = ""
		check(data.WriteRecording(filepath.Join(dir, "single"+ext), &single, data.WriteOptions{Compression: "none"}))
		check(data.WriteRecording(filepath.Join(dir, "long"+ext), rec, data.WriteOptions{Long: true}))
		check(data.WriteTable(filepath.Join(dir, "spikes"+ext), spikes, data.WriteOptions{}))
		check(data.WriteTable(filepath.Join(dir, "labelled"+ext), labelled, data.WriteOptions{}))
		add("FuzzReadRecording", "wide"+ext)
		add("FuzzReadRecording", "long"+ext)
		add("FuzzReadRecording", "single"+ext)
		add("FuzzReadSpikes", "spikes"+ext)
		add("FuzzReadLabelled", "labelled"+ext)
		add("FuzzReadTable", "labelled"+ext)
		add("FuzzReadTable", "wide"+ext)
	}
	for fuzz, seeds := range corpus {
		out := filepath.Join("data", "testdata", "fuzz", fuzz)
		check(os.MkdirAll(out, 0o755))
		for i, s := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(s))
			check(os.WriteFile(filepath.Join(out, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644))
		}
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
