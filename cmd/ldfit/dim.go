package main

import (
	"flag"
	"fmt"
	"path/filepath"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

func init() {
	var (
		rf     *recordingFlags
		phi    string
		blocks int
	)
	register(&command{
		name:    "dim",
		usage:   "REC",
		summary: "participation-ratio dimension of a recording's activity x and of φ(x)",
		help: `dim prints the participation ratio PR = (tr C)²/tr(C²) of the equal-time covariance
of the units' activity x and of φ(x), estimated two ways: "naive" plugs in the sample
covariance and is biased low by the finite number of samples; "cross" averages
tr(C_a C_b) over pairs of disjoint time blocks a ≠ b, which removes that bias. Both
come with a delete-one-block jackknife standard error. Blocks should be much longer
than the correlation time of the activity. -o writes the table.

Recordings are streamed in bounded memory (2·blocks+1 matrices of units×units);
spike tables, and --nan drop or interpolate, read the whole recording.`,
		flags: func(fs *flag.FlagSet) {
			rf = addRecordingFlags(fs)
			fs.StringVar(&phi, "phi", "tanh", "transfer function φ `NAME` for the PR of φ(x); \"none\" skips it")
			fs.IntVar(&blocks, "blocks", 10, "number of disjoint time blocks (at least 3)")
		},
		run: func(e *env, args []string) error { return runDim(e, args, rf, phi, blocks) },
	})
}

func runDim(e *env, args []string, rf *recordingFlags, phiName string, blocks int) error {
	if err := wantArgs(args, "REC"); err != nil {
		return err
	}
	if blocks < 3 {
		return usagef("--blocks must be at least 3, got %d", blocks)
	}
	qs := []quantity{{"x", nil}}
	if phiName != "none" {
		phi, err := models.ParsePhi(phiName)
		if err != nil {
			return usagef("--phi: %v", err)
		}
		qs = append(qs, quantity{"phi(x)", phi})
	}
	ests, n, T, err := dimensions(e, rf, args[0], blocks, qs)
	if err != nil {
		return err
	}
	type row struct {
		Quantity string `json:"quantity"`
		Naive    number `json:"naive"`
		NaiveSE  number `json:"naive_se"`
		Cross    number `json:"cross"`
		CrossSE  number `json:"cross_se"`
		PerUnit  number `json:"cross_per_unit"`
	}
	var out struct {
		File   string `json:"file"`
		Units  int    `json:"units"`
		Sample int    `json:"samples"`
		Blocks int    `json:"blocks"`
		Rows   []row  `json:"pr"`
	}
	out.File, out.Units, out.Sample = args[0], n, T
	for k, d := range ests {
		out.Blocks = d.Blocks
		out.Rows = append(out.Rows, row{qs[k].name, number(d.Naive), number(d.NaiveSE), number(d.Cross), number(d.CrossSE), number(d.Cross / float64(d.N))})
	}
	if e.Out != "" {
		t := &data.Table{Meta: map[string]string{"ldfit.source": filepath.Base(args[0])}}
		cols := []data.Column{{Name: "quantity"}, {Name: "naive"}, {Name: "naive_se"}, {Name: "cross"}, {Name: "cross_se"}, {Name: "cross_per_unit"}}
		for _, r := range out.Rows {
			cols[0].String = append(cols[0].String, r.Quantity)
			for j, v := range []number{r.Naive, r.NaiveSE, r.Cross, r.CrossSE, r.PerUnit} {
				cols[j+1].Float = append(cols[j+1].Float, float64(v))
			}
		}
		t.Columns = cols
		if err := data.WriteTable(e.Out, t, e.writeOptions(nil)); err != nil {
			return err
		}
	}
	if e.JSON {
		return writeJSON(e.stdout, out)
	}
	var rows [][]string
	for _, r := range out.Rows {
		rows = append(rows, []string{r.Quantity, f4(r.Naive), f4(r.NaiveSE), f4(r.Cross), f4(r.CrossSE), f4(r.PerUnit)})
	}
	fmt.Fprintf(e.stdout, "%s: %d units, %d samples in %d blocks\n", out.File, out.Units, out.Sample, out.Blocks)
	printTable(e.stdout, []string{"PR of", "naive", "±", "cross-block", "±", "cross/N"}, rows)
	return nil
}

func f4(x number) string { return formatFloat(float64(x), 4) }

// quantity is what a participation ratio is computed of: x, or φ(x).
type quantity struct {
	name string
	phi  models.Phi
}

// dimensions estimates the participation ratio of each quantity in the recording at
// path. Recordings are streamed block by block in bounded memory; spike tables (which
// are binned first) and NaN policies other than "error" read the whole recording.
func dimensions(e *env, rf *recordingFlags, path string, blocks int, qs []quantity) (ds []network.Dimension, n, T int, err error) {
	if err := rf.check(); err != nil {
		return nil, 0, 0, err
	}
	spikes, err := data.IsSpikeTable(path)
	if err != nil {
		return nil, 0, 0, err
	}
	if spikes || rf.nan != "error" {
		rec, err := rf.load(e, path)
		if err != nil {
			return nil, 0, 0, err
		}
		for _, q := range qs {
			d, err := network.Participation(rec, network.DimOptions{Blocks: blocks, Phi: q.phi})
			if err != nil {
				return nil, 0, 0, fmt.Errorf("%s: %v", path, err)
			}
			ds = append(ds, d)
		}
		return ds, rec.N(), rec.Samples(), nil
	}
	if err := e.addInput(path); err != nil {
		return nil, 0, 0, err
	}
	sc, err := data.Scan(path, rf.readOptions())
	if err != nil {
		return nil, 0, 0, err
	}
	defer sc.Close()
	n = len(sc.Units())
	streams := make([]*network.DimStream, len(qs))
	for k, q := range qs {
		if streams[k], err = network.NewDimStream(n, network.DimOptions{Blocks: blocks, Phi: q.phi}); err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %v", path, err)
		}
	}
	p := e.progress("dim", 0)
	trial := -1
	for sc.Next() {
		b := sc.Block()
		for _, s := range streams {
			if b.Trial != trial && trial >= 0 {
				s.EndTrial()
			}
			if err := s.Add(b.Data, b.Len); err != nil {
				return nil, 0, 0, err
			}
		}
		trial = b.Trial
		T += b.Len
		p.Add(b.Len)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, 0, err
	}
	p.Done()
	for _, s := range streams {
		d, err := s.Dimension()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %v", path, err)
		}
		ds = append(ds, d)
	}
	return ds, n, T, nil
}
