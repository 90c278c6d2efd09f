package data

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The interoperability test uses DuckDB (npm @duckdb/node-api, pinned in
// testdata/interop/package.json) as an independent Parquet implementation. Set up with
//
//	npm install --prefix testdata/interop --no-audit --no-fund
//
// DuckDB reads Arrow IPC only through an extension downloaded from outside the package
// registries, so Parquet is checked here and Arrow IPC against apache-arrow, the
// reference JavaScript implementation, in interop_arrow_test.go.

type duckResult struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	Rows    [][]any  `json:"rows"`
}

func duckdb(t *testing.T, exec_ []string, query map[string]string) map[string]duckResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("interop test skipped: node is not installed (install Node.js, then npm install --prefix testdata/interop --no-audit --no-fund)")
	}
	dir, _ := filepath.Abs("../testdata/interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil {
		t.Skip("interop test skipped: run npm install --prefix testdata/interop --no-audit --no-fund")
	}
	job, _ := json.Marshal(map[string]any{"exec": exec_, "query": query})
	cmd := exec.Command(node, filepath.Join(dir, "duck.mjs"))
	cmd.Stdin = bytes.NewReader(job)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("duckdb: %v\n%s", err, errb.String())
	}
	res := map[string]duckResult{}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("duckdb output: %v", err)
	}
	return res
}

func duckFloat(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatalf("duckdb value %q", x)
		}
		return f
	case nil:
		return math.NaN()
	}
	t.Fatalf("duckdb value %v of type %T", v, v)
	return 0
}

func sq(path string) string { return "'" + strings.ReplaceAll(path, "'", "''") + "'" }

// TestInteropDuckDBReadsLdfit: DuckDB reads every kind of Parquet file ldfit writes
// (wide and long recordings, zstd/snappy/none, result tables) with identical values and
// sees ldfit's key-value metadata.
func TestInteropDuckDBReadsLdfit(t *testing.T) {
	dir := t.TempDir()
	rec := testRecording(4, []int{200, 50}, 7)
	files := map[string]WriteOptions{
		"wide.parquet":   {},
		"long.parquet":   {Long: true},
		"snappy.parquet": {Compression: "snappy"},
		"plain.parquet":  {Compression: "none", Long: true},
	}
	query := map[string]string{}
	for name, opt := range files {
		p := filepath.Join(dir, name)
		if err := WriteRecording(p, rec, opt); err != nil {
			t.Fatal(err)
		}
		query[name] = "SELECT * FROM read_parquet(" + sq(p) + ")"
		query[name+"/kv"] = "SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(" + sq(p) + ")"
	}
	tab := &Table{Columns: []Column{
		{Name: "param", String: []string{"g", "D"}},
		{Name: "estimate", Float: []float64{1.5, 1.0 / 3}},
		{Name: "n", Int: []int64{-7, 1 << 62}},
	}}
	tp := filepath.Join(dir, "table.parquet")
	if err := WriteTable(tp, tab, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	query["table"] = "SELECT * FROM read_parquet(" + sq(tp) + ")"
	res := duckdb(t, nil, query)

	for name, opt := range files {
		r := res[name]
		if len(r.Rows) != rec.Samples()*map[bool]int{false: 1, true: rec.N()}[opt.Long] {
			t.Fatalf("%s: DuckDB sees %d rows", name, len(r.Rows))
		}
		col := map[string]int{}
		for i, c := range r.Columns {
			col[c] = i
		}
		row := 0
		for _, tr := range rec.Trials {
			if opt.Long {
				for u, unit := range rec.Units {
					for k := 0; k < tr.Len; k++ {
						x := r.Rows[row]
						if x[col["trial"]] != tr.Name || x[col["unit"]] != unit || duckFloat(t, x[col["t"]]) != tr.Start+float64(k)*rec.Step ||
							math.Float64bits(duckFloat(t, x[col["value"]])) != math.Float64bits(tr.Unit(u)[k]) {
							t.Fatalf("%s: row %d is %v, want %s %s %v %v", name, row, x, tr.Name, unit, tr.Start+float64(k)*rec.Step, tr.Unit(u)[k])
						}
						row++
					}
				}
				continue
			}
			for k := 0; k < tr.Len; k++ {
				x := r.Rows[row]
				for u, unit := range rec.Units {
					if math.Float64bits(duckFloat(t, x[col[unit]])) != math.Float64bits(tr.Unit(u)[k]) {
						t.Fatalf("%s: row %d unit %s: DuckDB reads %v, ldfit wrote %v", name, row, unit, x[col[unit]], tr.Unit(u)[k])
					}
				}
				if x[col["trial"]] != tr.Name {
					t.Fatalf("%s: row %d trial %v", name, row, x[col["trial"]])
				}
				row++
			}
		}
		kv := map[string]string{}
		for _, x := range res[name+"/kv"].Rows {
			kv[x[0].(string)] = x[1].(string)
		}
		if kv["dt"] != "0.001" || kv[metaVersion] == "" || kv["units"] != `["ua","ub","uc","ud"]` || kv["populations"] == "" {
			t.Errorf("%s: key-value metadata as DuckDB sees it: %v", name, kv)
		}
	}
	tr := res["table"]
	if len(tr.Rows) != 2 || tr.Rows[1][0] != "D" || duckFloat(t, tr.Rows[1][1]) != 1.0/3 || tr.Rows[1][2] != strconv.FormatInt(1<<62, 10) || tr.Types[2] != "BIGINT" {
		t.Errorf("table as DuckDB reads it: %+v", tr)
	}
}

// TestInteropLdfitReadsDuckDB: DuckDB writes recordings, a spike table and a labelled
// set with several row groups, zstd and snappy, dictionary-encoded strings and nullable
// columns; ldfit reads them and agrees with the values DuckDB queries from the same files.
func TestInteropLdfitReadsDuckDB(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	const n = 30000 // rows of the long table: several row groups of 5000
	long := "SELECT 'unit' || (i % 6)::VARCHAR AS unit, (i // 6) * 0.01 AS t, sin(i * 0.37) AS value FROM range(" + strconv.Itoa(n) + ") r(i)"
	wide := "SELECT i * 0.002 AS t, cos(i)::DOUBLE AS a, CASE WHEN i % 97 = 50 THEN NULL ELSE i::DOUBLE END AS b, (i % 5)::INTEGER AS c FROM range(12000) r(i)"
	spikes := "SELECT CASE WHEN i % 3 = 0 THEN 'left' ELSE 'right' END AS unit, i * 0.0137 AS time, (i % 2)::BIGINT AS trial FROM range(9000) r(i)"
	labels := "SELECT i::DOUBLE AS f1, (i * i % 11)::SMALLINT AS f2, CASE WHEN i % 3 = 0 THEN 'cat' ELSE 'dog' END AS label FROM range(7000) r(i)"
	execs := []string{
		"COPY (" + long + ") TO " + sq(p("long_zstd.parquet")) + " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 5000)",
		"COPY (" + long + ") TO " + sq(p("long_snappy.parquet")) + " (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 5000)",
		"COPY (" + wide + ") TO " + sq(p("wide.parquet")) + " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 4096)",
		"COPY (" + spikes + ") TO " + sq(p("spikes.parquet")) + " (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 2048)",
		"COPY (" + labels + ") TO " + sq(p("labels.parquet")) + " (FORMAT parquet, ROW_GROUP_SIZE 2048)",
	}
	res := duckdb(t, execs, map[string]string{
		"long":   "SELECT unit, t, value FROM read_parquet(" + sq(p("long_zstd.parquet")) + ") ORDER BY unit, t",
		"rg":     "SELECT count(DISTINCT row_group_id) FROM parquet_metadata(" + sq(p("long_snappy.parquet")) + ")",
		"enc":    "SELECT DISTINCT encodings FROM parquet_metadata(" + sq(p("long_zstd.parquet")) + ") WHERE path_in_schema = 'unit'",
		"wide":   "SELECT t, a, b FROM read_parquet(" + sq(p("wide.parquet")) + ")",
		"counts": "SELECT unit, trial, floor(time / 0.5)::BIGINT AS k, count(*) FROM read_parquet(" + sq(p("spikes.parquet")) + ") GROUP BY ALL",
	})
	if rg := res["rg"].Rows[0][0]; rg == "1" {
		t.Fatalf("DuckDB wrote a single row group")
	}
	if enc := res["enc"].Rows; len(enc) == 0 || !strings.Contains(enc[0][0].(string), "DICTIONARY") {
		t.Errorf("unit column encodings %v, want dictionary", enc)
	}
	for _, f := range []string{"long_zstd.parquet", "long_snappy.parquet"} {
		r, err := ReadRecording(p(f), ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.N() != 6 || r.Trials[0].Len != n/6 || math.Abs(r.Step-0.01) > 1e-12 {
			t.Fatalf("%s: %d units × %d samples, step %v", f, r.N(), r.Trials[0].Len, r.Step)
		}
		for i, row := range res["long"].Rows {
			u, k := i/(n/6), i%(n/6)
			if row[0] != r.Units[u] || duckFloat(t, row[2]) != r.Trials[0].Unit(u)[k] {
				t.Fatalf("%s: DuckDB row %d is %v; ldfit has unit %s value %v", f, i, row, r.Units[u], r.Trials[0].Unit(u)[k])
			}
		}
	}
	// The nullable column b: nulls are missing values; the default rejects them, drop removes them.
	_, err := ReadRecording(p("wide.parquet"), ReadOptions{})
	wantErr(t, err, `column "b"`, "t=0.1")
	r, err := ReadRecording(p("wide.parquet"), ReadOptions{NaN: NaNDrop})
	if err != nil {
		t.Fatal(err)
	}
	got := map[float64][2]float64{}
	for _, tr := range r.Trials {
		for k := 0; k < tr.Len; k++ {
			got[math.Round((tr.Start+float64(k)*r.Step)/0.002)] = [2]float64{tr.Unit(0)[k], tr.Unit(1)[k]}
		}
	}
	kept := 0
	for _, row := range res["wide"].Rows {
		i := math.Round(duckFloat(t, row[0]) / 0.002)
		v, ok := got[i]
		if row[2] == nil {
			if ok {
				t.Fatalf("row with null b at t=%v kept", row[0])
			}
			continue
		}
		kept++
		if !ok || v[0] != duckFloat(t, row[1]) || v[1] != duckFloat(t, row[2]) {
			t.Fatalf("t=%v: ldfit %v, DuckDB %v", row[0], v, row[1:])
		}
	}
	if kept != r.Samples() || r.N() != 3 {
		t.Errorf("ldfit kept %d samples of %d units, DuckDB has %d rows with b", r.Samples(), r.N(), kept)
	}
	sp, err := ReadSpikes(p("spikes.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	binned, _, err := sp.Bin(BinOptions{Bin: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res["counts"].Rows) < 100 {
		t.Fatalf("%d count rows", len(res["counts"].Rows))
	}
	for _, row := range res["counts"].Rows {
		k, _ := strconv.Atoi(row[2].(string))
		u := map[any]int{"left": 0, "right": 1}[row[0]]
		tr := map[any]int{"0": 0, "1": 1}[row[1]]
		if c := binned.Trials[tr].Unit(u)[k]; c != duckFloat(t, row[3]) {
			t.Fatalf("unit %v trial %v bin %d: ldfit %v spikes, DuckDB %v", row[0], row[1], k, c, row[3])
		}
	}
	l, err := ReadLabelled(p("labels.parquet"), LabelledOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.P() != 7000 || l.D() != 2 || l.Classes[0] != "cat" || l.Row(4)[1] != 16%11 || l.Y[3] != 0 || l.Y[4] != 1 {
		t.Errorf("labelled: P %d D %d classes %v row 4 %v", l.P(), l.D(), l.Classes, l.Row(4))
	}
}
