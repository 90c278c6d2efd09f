package infer

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// ScanStats streams a file block by block through a reader goroutine and reused
// buffers; its statistics must equal those of the recording in memory.
func TestScanStatsMatchesMemory(t *testing.T) {
	m := network.Single(30, 1.5, 0.5, models.Tanh{})
	var rec *data.Recording
	for k := 0; k < 3; k++ {
		r := recSimulate(t, m, 1500+100*k, uint64(k)+1)
		r.Trials[0].Name = string(rune('a' + k))
		if rec == nil {
			rec = r
		} else {
			rec.Trials = append(rec.Trials, r.Trials[0])
		}
	}
	path := filepath.Join(t.TempDir(), "rec.parquet")
	if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	so := likelihood.StatsOptions{Segment: 256, Blocks: 4}
	want, err := likelihood.SpectralStats(rec, so)
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	got, sc, err := ScanStats(path, data.ReadOptions{}, so, func(int) { blocks++ })
	if err != nil {
		t.Fatal(err)
	}
	if blocks < 3 || len(sc.Units()) != 30 {
		t.Errorf("%d blocks, %d units", blocks, len(sc.Units()))
	}
	if got.Total.Count[0] != want.Total.Count[0] {
		t.Fatalf("%v unit-segments streamed, %v in memory", got.Total.Count, want.Total.Count)
	}
	for f := range want.Total.PP[0] {
		for _, pair := range [][2]float64{
			{got.Total.PP[0][f], want.Total.PP[0][f]},
			{got.Total.XX[0][f], want.Total.XX[0][f]},
			{got.Total.DD[0][f], want.Total.DD[0][f]},
		} {
			if math.Abs(pair[0]-pair[1]) > 1e-12*math.Abs(pair[1]) {
				t.Fatalf("ordinate %d: streamed %v, in memory %v", f, pair[0], pair[1])
			}
		}
	}
}

func TestScanStatsErrors(t *testing.T) {
	if _, _, err := ScanStats(filepath.Join(t.TempDir(), "missing.parquet"), data.ReadOptions{}, likelihood.StatsOptions{}, nil); err == nil {
		t.Error("a missing file gave no error")
	}
}

func TestFitNNLS(t *testing.T) {
	rec := recSimulate(t, network.Single(200, 1.5, 0.5, models.Tanh{}), 4096, 7)
	st, err := likelihood.SpectralStats(rec, likelihood.StatsOptions{Segment: 256, Blocks: 8})
	if err != nil {
		t.Fatal(err)
	}
	res, err := FitNNLS(st, []float64{1}, []string{"tanh"})
	if err != nil {
		t.Fatal(err)
	}
	g := recParam(t, res, "g")
	if math.Abs(g.Estimate/1.5-1) > 0.05 || !(g.SE > 0) || !(g.Lower < g.Estimate && g.Estimate < g.Upper) {
		t.Errorf("NNLS g = %+v, want 1.5 with a positive standard error", g)
	}
	if res.Method != "nnls" || len(res.Spectra) != 1 {
		t.Errorf("method %q, %d spectra", res.Method, len(res.Spectra))
	}
}
