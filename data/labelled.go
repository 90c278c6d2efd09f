package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// Labelled is a labelled data set for classification: P examples of d features.
type Labelled struct {
	Features []string
	X        []float64 // row-major P×d
	Y        []int     // class index of each example, into Classes
	// Classes are the class names, sorted: numerically for integer labels ("2" before
	// "10"), lexicographically for string labels. Sorting makes the class index of a
	// label independent of row order, so a train and a test file agree.
	Classes []string
	// Groups holds, per example, the value of the column LabelledOptions.Group (for
	// SplitBy); nil when no group column was read.
	Groups []string
}

// P returns the number of examples.
func (l *Labelled) P() int { return len(l.Y) }

// D returns the number of features.
func (l *Labelled) D() int { return len(l.Features) }

// Row returns the features of example i; the slice aliases X.
func (l *Labelled) Row(i int) []float64 { d := l.D(); return l.X[i*d : (i+1)*d : (i+1)*d] }

// LabelledOptions controls ReadLabelled.
type LabelledOptions struct {
	// Features are the feature columns, in this order. Empty: every numeric column
	// except the label and group columns, in file order, or the elements of a
	// list<float64> column x.
	Features []string
	Label    string // label column; default "label"
	// MaxFeatures, when positive, keeps only the first MaxFeatures features; asking for
	// more than the file has is an error.
	MaxFeatures int
	Group       string // optional column (string or integer) read into Labelled.Groups
}

// ReadLabelled reads a labelled data set: one row per example, numeric feature columns
// (any integer or floating type) or one list<float64> column x, and a label column
// (string or integer). Features must be finite; at least two classes are required.
func ReadLabelled(path string, opt LabelledOptions) (*Labelled, error) {
	s, err := openSource(path, nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	label := opt.Label
	if label == "" {
		label = "label"
	}
	lcol := s.field(label)
	if lcol < 0 {
		return nil, fmt.Errorf("%s: no label column %q (columns: %s); name it with --label", path, label, listNames(s.schema, nil))
	}
	lt := s.schema.Field(lcol).Type
	if !isText(lt) {
		return nil, fmt.Errorf("%s: label column %q has type %s; labels must be strings or integers", path, label, lt)
	}
	gcol := -1
	if opt.Group != "" {
		if gcol = s.field(opt.Group); gcol < 0 {
			return nil, fmt.Errorf("%s: no group column %q (columns: %s)", path, opt.Group, listNames(s.schema, nil))
		}
		if !isText(s.schema.Field(gcol).Type) {
			return nil, fmt.Errorf("%s: group column %q has type %s; it must hold strings or integers", path, opt.Group, s.schema.Field(gcol).Type)
		}
	}
	fcols, listcol, err := featureColumns(s, opt, lcol, gcol)
	if err != nil {
		return nil, err
	}
	l := &Labelled{}
	cols := append([]int{lcol}, fcols...)
	if listcol >= 0 {
		cols = []int{lcol, listcol}
	}
	if gcol >= 0 {
		cols = append(cols, gcol)
	}
	var labels []string
	var feats [][]float64
	if listcol < 0 {
		feats = make([][]float64, len(fcols))
		for _, c := range fcols {
			l.Features = append(l.Features, s.schema.Field(c).Name)
		}
	}
	var listRows [][]float64
	for {
		p, err := s.readNext(cols)
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		if labels, err = columnStrings(labels, p.cols[0]); err != nil {
			p.Release()
			return nil, fmt.Errorf("%s: label column %q: %v", path, label, err)
		}
		if listcol >= 0 {
			listRows, err = appendListRows(listRows, p.cols[1])
			if err != nil {
				p.Release()
				return nil, fmt.Errorf("%s: column %q: %v", path, "x", err)
			}
		} else {
			for j := range fcols {
				if feats[j], err = columnFloats(feats[j], p.cols[1+j]); err != nil {
					p.Release()
					return nil, fmt.Errorf("%s: column %q: %v", path, l.Features[j], err)
				}
			}
		}
		if gcol >= 0 {
			if l.Groups, err = columnStrings(l.Groups, p.cols[len(cols)-1]); err != nil {
				p.Release()
				return nil, fmt.Errorf("%s: group column %q: %v", path, opt.Group, err)
			}
		}
		p.Release()
	}
	P := len(labels)
	if P == 0 {
		return nil, fmt.Errorf("%s: empty: no examples", path)
	}
	if listcol >= 0 {
		d := len(listRows[0])
		for i, r := range listRows {
			if len(r) != d {
				return nil, fmt.Errorf("%s: column \"x\": row %d has %d features, row 0 has %d", path, i, len(r), d)
			}
		}
		for j := 0; j < d; j++ {
			l.Features = append(l.Features, "x"+strconv.Itoa(j))
		}
		feats = make([][]float64, d)
		for j := range feats {
			feats[j] = make([]float64, P)
			for i, r := range listRows {
				feats[j][i] = r[j]
			}
		}
	}
	if opt.MaxFeatures > 0 {
		if opt.MaxFeatures > len(l.Features) {
			return nil, fmt.Errorf("%s: %d features requested (MaxFeatures) but the file has %d", path, opt.MaxFeatures, len(l.Features))
		}
		l.Features, feats = l.Features[:opt.MaxFeatures], feats[:opt.MaxFeatures]
	}
	d := len(l.Features)
	if d == 0 {
		return nil, fmt.Errorf("%s: no feature columns", path)
	}
	l.X = make([]float64, P*d)
	for j, f := range feats {
		for i, v := range f {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: column %q: non-finite or missing feature %v in row %d; remove or impute it", path, l.Features[j], v, i)
			}
			l.X[i*d+j] = v
		}
	}
	l.Classes = classOrder(labels, isInteger(lt))
	if len(l.Classes) < 2 {
		return nil, fmt.Errorf("%s: label column %q has a single class %q; classification needs at least two", path, label, l.Classes[0])
	}
	idx := map[string]int{}
	for i, c := range l.Classes {
		idx[c] = i
	}
	l.Y = make([]int, P)
	for i, lab := range labels {
		l.Y[i] = idx[lab]
	}
	return l, nil
}

func classOrder(labels []string, numeric bool) []string {
	seen := map[string]bool{}
	var cl []string
	for _, s := range labels {
		if !seen[s] {
			seen[s] = true
			cl = append(cl, s)
		}
	}
	if numeric {
		sort.Slice(cl, func(i, j int) bool {
			a, _ := strconv.ParseInt(cl[i], 10, 64)
			b, _ := strconv.ParseInt(cl[j], 10, 64)
			return a < b
		})
	} else {
		sort.Strings(cl)
	}
	return cl
}

// featureColumns chooses the feature columns, or the list column x.
func featureColumns(s *source, opt LabelledOptions, lcol, gcol int) (cols []int, listcol int, err error) {
	sc := s.schema
	if len(opt.Features) > 0 {
		for _, name := range opt.Features {
			c := s.field(name)
			if c < 0 {
				return nil, -1, fmt.Errorf("%s: no feature column %q (the file has %d columns: %s)", s.path, name, len(sc.Fields()), listNames(sc, nil))
			}
			if !isNumeric(sc.Field(c).Type) {
				return nil, -1, fmt.Errorf("%s: feature column %q has type %s, not numeric", s.path, name, sc.Field(c).Type)
			}
			cols = append(cols, c)
		}
		return cols, -1, nil
	}
	if x := s.field("x"); x >= 0 {
		if lt, ok := sc.Field(x).Type.(arrow.ListLikeType); ok && isNumeric(lt.Elem()) {
			return nil, x, nil
		}
	}
	for i, f := range sc.Fields() {
		if i == lcol || i == gcol {
			continue
		}
		if isNumeric(f.Type) {
			cols = append(cols, i)
		}
	}
	return cols, -1, nil
}

// appendListRows appends the rows of a list<number> column.
func appendListRows(dst [][]float64, chunks []arrow.Array) ([][]float64, error) {
	for _, c := range chunks {
		l, ok := c.(array.ListLike)
		if !ok {
			return dst, fmt.Errorf("type %s is not a list", c.DataType())
		}
		vals, err := appendFloats(nil, l.ListValues())
		if err != nil {
			return dst, err
		}
		for i := 0; i < l.Len(); i++ {
			if l.IsNull(i) {
				return dst, fmt.Errorf("missing (null) row %d", len(dst))
			}
			a, b := l.ValueOffsets(i)
			if a < 0 || b < a || int(b) > len(vals) {
				return dst, fmt.Errorf("corrupt list offsets in row %d", len(dst))
			}
			dst = append(dst, vals[a:b])
		}
	}
	return dst, nil
}

// Split divides the examples into a training and a test set, stratified: from each
// class, round(testFrac·count) examples drawn at random (seeded) go to the test set, at
// least one from every class with two or more examples. Examples keep their file order
// within each set.
func (l *Labelled) Split(testFrac float64, seed uint64) (train, test *Labelled, err error) {
	if !(testFrac > 0 && testFrac < 1) {
		return nil, nil, fmt.Errorf("test fraction %v must lie strictly between 0 and 1", testFrac)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c64666974)) // "ldfit"
	byClass := make([][]int, len(l.Classes))
	for i, y := range l.Y {
		byClass[y] = append(byClass[y], i)
	}
	isTest := make([]bool, l.P())
	for _, idx := range byClass {
		m := int(math.Round(testFrac * float64(len(idx))))
		if m == 0 && len(idx) >= 2 {
			m = 1
		}
		if m == len(idx) && m > 0 {
			m--
		}
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:m] {
			isTest[i] = true
		}
	}
	train, test = l.subset(isTest, false), l.subset(isTest, true)
	if test.P() == 0 || train.P() == 0 {
		return nil, nil, fmt.Errorf("a test fraction of %v of %d examples leaves an empty set", testFrac, l.P())
	}
	return train, test, nil
}

// SplitBy divides the examples by a per-example column (such as Groups): examples whose
// value is testValue form the test set, the others the training set.
func (l *Labelled) SplitBy(col []string, testValue string) (train, test *Labelled, err error) {
	if len(col) != l.P() {
		return nil, nil, fmt.Errorf("split column has %d values for %d examples (read it with LabelledOptions.Group)", len(col), l.P())
	}
	isTest := make([]bool, l.P())
	var vals []string
	for i, v := range col {
		isTest[i] = v == testValue
		if !slices.Contains(vals, v) && len(vals) < 10 {
			vals = append(vals, v)
		}
	}
	train, test = l.subset(isTest, false), l.subset(isTest, true)
	if test.P() == 0 {
		return nil, nil, fmt.Errorf("no example has the split value %q (values include %q)", testValue, vals)
	}
	if train.P() == 0 {
		return nil, nil, fmt.Errorf("every example has the split value %q: the training set would be empty", testValue)
	}
	return train, test, nil
}

func (l *Labelled) subset(mask []bool, want bool) *Labelled {
	out := &Labelled{Features: l.Features, Classes: l.Classes}
	for i, m := range mask {
		if m != want {
			continue
		}
		out.X = append(out.X, l.Row(i)...)
		out.Y = append(out.Y, l.Y[i])
		if l.Groups != nil {
			out.Groups = append(out.Groups, l.Groups[i])
		}
	}
	return out
}
