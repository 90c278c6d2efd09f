package data

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func TestReadLabelledShipped(t *testing.T) {
	for _, c := range []struct {
		file    string
		p, d    int
		classes []string
	}{
		{"digits", 1797, 64, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
		{"iris", 150, 4, []string{"setosa", "versicolor", "virginica"}},
		{"wine", 178, 13, []string{"class_0", "class_1", "class_2"}},
		{"breast_cancer", 569, 30, []string{"benign", "malignant"}},
	} {
		l, err := ReadLabelled("../testdata/"+c.file+".parquet", LabelledOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if l.P() != c.p || l.D() != c.d || !reflect.DeepEqual(l.Classes, c.classes) {
			t.Errorf("%s: P %d D %d classes %v", c.file, l.P(), l.D(), l.Classes)
		}
	}
	l, err := ReadLabelled("../testdata/digits.parquet", LabelledOptions{MaxFeatures: 3})
	if err != nil || l.D() != 3 || l.Features[2] != "f02" {
		t.Errorf("MaxFeatures: %v, %v", l.Features, err)
	}
	l, err = ReadLabelled("../testdata/iris.parquet", LabelledOptions{Features: []string{l2(t)}})
	if err != nil || l.D() != 1 {
		t.Errorf("Features: %v", err)
	}
}

func l2(t *testing.T) string {
	l, err := ReadLabelled("../testdata/iris.parquet", LabelledOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Features[1]
}

func listColumn(rows [][]float64) arrow.Array {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	defer b.Release()
	vb := b.ValueBuilder().(*array.Float64Builder)
	for _, r := range rows {
		b.Append(true)
		vb.AppendValues(r, nil)
	}
	return b.NewArray()
}

// TestLabelledListAndSplit reads a list<float64> column x with integer labels and checks
// the stratified split (proportions per class, determinism, disjointness) and SplitBy.
func TestLabelledListAndSplit(t *testing.T) {
	var rows [][]float64
	var labels []int64
	var groups []string
	for i := 0; i < 100; i++ {
		rows = append(rows, []float64{float64(i), -float64(i)})
		labels = append(labels, []int64{10, 2, 2, 2}[i%4])
		groups = append(groups, []string{"a", "b"}[i%2])
	}
	path := filepath.Join(t.TempDir(), "x.parquet")
	writeRaw(t, path, nil, 30, col{"x", listColumn(rows)}, col{"label", ints(labels...)}, col{"fold", strs(groups...)})
	l, err := ReadLabelled(path, LabelledOptions{Group: "fold"})
	if err != nil {
		t.Fatal(err)
	}
	if l.P() != 100 || l.D() != 2 || !reflect.DeepEqual(l.Classes, []string{"2", "10"}) || l.Row(7)[1] != -7 || l.Y[0] != 1 {
		t.Fatalf("P %d D %d classes %v row7 %v", l.P(), l.D(), l.Classes, l.Row(7))
	}
	train, test, err := l.Split(0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	count := func(s *Labelled, c int) (n int) {
		for _, y := range s.Y {
			if y == c {
				n++
			}
		}
		return n
	}
	if count(test, 0) != 15 || count(test, 1) != 5 || train.P() != 80 {
		t.Errorf("split: test has %d of class 2 and %d of class 10 (want 15, 5); train %d", count(test, 0), count(test, 1), train.P())
	}
	seen := map[float64]bool{}
	for _, s := range []*Labelled{train, test} {
		for i := 0; i < s.P(); i++ {
			seen[s.Row(i)[0]] = true
		}
	}
	if len(seen) != 100 {
		t.Errorf("train and test cover %d distinct examples, want 100", len(seen))
	}
	_, test2, _ := l.Split(0.2, 42)
	_, test3, _ := l.Split(0.2, 43)
	if !reflect.DeepEqual(test.X, test2.X) || reflect.DeepEqual(test.X, test3.X) {
		t.Error("split not determined by the seed")
	}
	tr, te, err := l.SplitBy(l.Groups, "b")
	if err != nil || tr.P() != 50 || te.P() != 50 || te.Row(0)[0] != 1 {
		t.Errorf("SplitBy: %v", err)
	}
	_, _, err = l.SplitBy(l.Groups, "zz")
	wantErr(t, err, `"zz"`)
	_, _, err = l.Split(1.5, 1)
	wantErr(t, err, "1.5")
}

func TestBadLabelled(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		cols []col
		opt  LabelledOptions
		want []string
	}{
		{[]col{{"a", floats(1, 2)}, {"label", strs("x", "x")}}, LabelledOptions{}, []string{`label column "label"`, `single class "x"`}},
		{[]col{{"a", floats(1, 2)}, {"y", strs("x", "z")}}, LabelledOptions{}, []string{`no label column "label"`, "--label"}},
		{[]col{{"a", floats(1, 2)}, {"label", floats(1, 2)}}, LabelledOptions{}, []string{`label column "label"`, "strings or integers"}},
		{[]col{{"a", floats(1, 2)}, {"label", strs("x", "z")}}, LabelledOptions{MaxFeatures: 5}, []string{"5 features requested", "has 1"}},
		{[]col{{"a", floats(1, 2)}, {"label", strs("x", "z")}}, LabelledOptions{Features: []string{"a", "b"}}, []string{`no feature column "b"`}},
		{[]col{{"a", floats(1, math.Inf(-1))}, {"label", strs("x", "z")}}, LabelledOptions{}, []string{`column "a"`, "-Inf", "row 1"}},
		{[]col{{"a", nullableFloats(nan, 1)}, {"label", strs("x", "z")}}, LabelledOptions{}, []string{`column "a"`, "row 0"}},
		{[]col{{"a", floats(1, 2)}, {"s", strs("p", "q")}, {"label", strs("x", "z")}}, LabelledOptions{Features: []string{"s"}}, []string{`feature column "s"`, "not numeric"}},
		{[]col{{"a", floats()}, {"label", strs()}}, LabelledOptions{}, []string{"empty"}},
	} {
		path := filepath.Join(t.TempDir(), "l.parquet")
		writeRaw(t, path, nil, 0, c.cols...)
		_, err := ReadLabelled(path, c.opt)
		wantErr(t, err, append([]string{path}, c.want...)...)
	}
}
