package likelihood

import (
	"fmt"

	"github.com/ldfit/ldfit/data"
)

// ScanStats computes the statistics of a recording streamed from s (data.Scan), in one
// pass, decoding the next block while the current one is processed. progress, when
// non-nil, is called after each block with the number of samples (per unit) done.
//
// Without opt.Segment the segment length follows DefaultSegment's rule, applied to the
// first 65536 samples of the first trial (held back until the rule is decided); the
// 8-segments clause then counts the samples seen, since the trials' lengths are not
// known before the end of the file.
func ScanStats(s *data.Scanner, opt StatsOptions, progress func(samples int)) (*Stats, error) {
	units := s.Units()
	blocks, stop := readAhead(s, len(units))
	defer stop()
	var held []scanBlock
	if opt.Segment == 0 {
		var tr data.Trial
		for b := range blocks {
			held = append(held, b)
			if b.trial != held[0].trial {
				break
			}
			tr.Len += b.n
			if tr.Len >= 65536 {
				break
			}
		}
		if len(held) == 0 {
			return nil, scanErr(s, fmt.Errorf("likelihood: the recording has no samples"))
		}
		tr.Data = make([]float64, 0, tr.Len*len(units))
		for i := range units {
			for _, b := range held {
				if b.trial == held[0].trial {
					tr.Data = append(tr.Data, b.data[i*b.n:(i+1)*b.n]...)
				}
			}
		}
		if tr.Len < 5 {
			return nil, fmt.Errorf("likelihood: the first trial has %d samples; the spectral statistics need at least 5", tr.Len)
		}
		L, err := segmentRule(correlationTime(&tr, len(units)), tr.Len)
		if err != nil {
			return nil, err
		}
		opt.Segment = L
	}
	acc, err := NewAccumulator(units, s.Populations(), s.Step(), opt)
	if err != nil {
		return nil, err
	}
	done := 0
	add := func(b scanBlock) error {
		if err := acc.Add(b.trial, b.n, b.data); err != nil {
			return err
		}
		done += b.n
		if progress != nil {
			progress(done)
		}
		return nil
	}
	for _, b := range held {
		if err := add(b); err != nil {
			return nil, err
		}
	}
	for b := range blocks {
		if err := add(b); err != nil {
			return nil, err
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return acc.Stats()
}

func scanErr(s *data.Scanner, fallback error) error {
	if err := s.Err(); err != nil {
		return err
	}
	return fallback
}

type scanBlock struct {
	trial, n int
	data     []float64
}

// readAhead delivers copies of the scanner's blocks from a goroutine, one block ahead
// of the consumer. stop ends the goroutine early; the channel closes at the end.
func readAhead(s *data.Scanner, units int) (<-chan scanBlock, func()) {
	out := make(chan scanBlock, 1)
	quit := make(chan struct{})
	go func() {
		defer close(out)
		for s.Next() {
			b := s.Block()
			c := scanBlock{trial: b.Trial, n: b.Len, data: append([]float64(nil), b.Data[:b.Len*units]...)}
			select {
			case out <- c:
			case <-quit:
				return
			}
		}
	}()
	var once bool
	return out, func() {
		if !once {
			once = true
			close(quit)
			for range out { // let the goroutine finish before the caller closes s
			}
		}
	}
}
