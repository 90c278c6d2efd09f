package network

import (
	"encoding/json"

	"github.com/ldfit/ldfit/data"
)

// streamValues is the size, in values, of the blocks SimulateTo hands to the writer.
const streamValues = 1 << 20

// SimulateTo simulates like Simulate but streams the recording to path (.parquet,
// .arrow, .feather or .arrows) in blocks, so that memory stays bounded whatever
// opt.Steps: besides the couplings, it holds about 8 MiB of samples plus the writer's
// row group. The file gets the Truth under TruthKey and, with several populations, the
// population labels; wopt.Meta entries are added. It returns the Truth. On error no
// file is left behind.
func SimulateTo(path string, m Model, opt Options, wopt data.WriteOptions) (*Truth, error) {
	s, err := newSim(&m, &opt)
	if err != nil {
		return nil, err
	}
	rec := s.recording()
	meta := map[string]string{}
	for k, v := range wopt.Meta {
		meta[k] = v
	}
	for k, v := range rec.Meta {
		meta[k] = v
	}
	if rec.Populations != nil {
		pm := map[string]string{}
		for i, u := range rec.Units {
			pm[u] = rec.Populations[i]
		}
		b, _ := json.Marshal(pm)
		meta["populations"] = string(b)
	}
	wopt.Meta = meta
	w, err := data.CreateRecording(path, rec.Units, rec.Step, 0, wopt)
	if err != nil {
		return nil, err
	}
	n := s.n
	bs := max(1, min(opt.Steps, streamValues/n))
	block := make([]float64, n*bs)
	fill := 0
	err = s.run(&opt, func(k int, x []float64) error {
		for i, v := range x {
			block[i*bs+fill] = v
		}
		fill++
		if fill < bs && k < opt.Steps-1 {
			return nil
		}
		if fill < bs {
			// The last, shorter block: compact it to fill samples per unit.
			for i := 1; i < n; i++ {
				copy(block[i*fill:(i+1)*fill], block[i*bs:i*bs+fill])
			}
		}
		err := w.Write(block[:n*fill], fill)
		fill = 0
		return err
	})
	if err != nil {
		w.Abort()
		return nil, err
	}
	return &s.truth, w.Close()
}
