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
than the correlation time of the activity. -o writes the table.`,
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
	qs := []struct {
		name string
		phi  models.Phi
	}{{"x", nil}}
	if phiName != "none" {
		phi, err := models.ParsePhi(phiName)
		if err != nil {
			return usagef("--phi: %v", err)
		}
		qs = append(qs, struct {
			name string
			phi  models.Phi
		}{"phi(x)", phi})
	}
	rec, err := rf.load(e, args[0])
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
	out.File, out.Units, out.Sample = args[0], rec.N(), rec.Samples()
	for _, q := range qs {
		d, err := network.Participation(rec, network.DimOptions{Blocks: blocks, Phi: q.phi})
		if err != nil {
			return err
		}
		out.Blocks = d.Blocks
		out.Rows = append(out.Rows, row{q.name, number(d.Naive), number(d.NaiveSE), number(d.Cross), number(d.CrossSE), number(d.Cross / float64(d.N))})
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
