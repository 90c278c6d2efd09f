// Package data reads and writes what ldfit works on: recordings of neural activity
// (wide or long layout, Parquet or Arrow IPC), spike tables binned into recordings,
// labelled data sets for classification, and result tables. It imports no other
// package of ldfit.
//
// # Files
//
// Readers accept Parquet and Arrow IPC files and streams, whatever their extension (the
// format is recognised from the first bytes), with any compression, dictionary-encoded
// strings, nullable columns and any number of row groups, as written by pandas/pyarrow,
// polars, DuckDB and ldfit. Writers choose the format from the extension: .parquet
// (zstd by default; floats in plain encoding without dictionary, strings with one),
// .arrow or .feather (Arrow IPC file) and .arrows (Arrow IPC stream). Every write goes
// to a temporary file in the target's folder that is renamed into place, so a failure
// never leaves half a file and never harms an existing one, and a write over one of
// WriteOptions.Inputs is refused.
//
// The layout of a table is told by its column names: unit + t (or time) + value is a
// long recording, unit + time without value a spike table, anything else a wide
// recording (one numeric column per unit, optional t and trial columns).
//
// # Metadata
//
// ldfit writes these key-value metadata keys and reads them back: "dt" (sampling step),
// "start" (time of the first sample), "time_unit" ("s"), "units" (JSON array of unit
// names, in order), "populations" (JSON object unit → population label), "ldfit.layout"
// and "ldfit.version". A wide file without a t column takes its step from "dt".
// Population labels of a wide file live in the "populations" metadata (or the key named
// by ReadOptions.Population); a long file carries them in a "population" column.
package data

// Recording is activity of several units sampled on a uniform time grid, possibly in
// several trials (repeated recordings of the same units).
//
// Values are stored unit-major: within a trial, the samples of one unit are contiguous.
// Every consumer in ldfit works on whole time series of a unit (periodograms, residuals,
// autocorrelations), and the wide file layout stores one column per unit, so this order
// is the one that is read and used without copying. Trial.Unit(i) gives a unit's series;
// mat.NewDense(N, Len, Data) views a trial as a units×time matrix.
type Recording struct {
	Units       []string          // unit names, unique
	Populations []string          // population label per unit, or nil when unlabelled
	Step        float64           // sampling step, in the file's time unit
	TimeUnit    string            // unit of Step and of the times ("s" unless the file says otherwise)
	Trials      []Trial           // at least one
	Meta        map[string]string // key-value metadata of the source file
}

// Trial is one contiguous stretch of a recording.
type Trial struct {
	Name  string    // trial label; "" when the file has no trial column
	Start float64   // time of the first sample
	Len   int       // number of samples
	Data  []float64 // unit-major: unit i is Data[i*Len : (i+1)*Len]
}

// N returns the number of units.
func (r *Recording) N() int { return len(r.Units) }

// Samples returns the number of samples summed over trials.
func (r *Recording) Samples() int {
	n := 0
	for _, t := range r.Trials {
		n += t.Len
	}
	return n
}

// Unit returns the samples of unit i in this trial. The slice aliases the trial's data.
func (t *Trial) Unit(i int) []float64 { return t.Data[i*t.Len : (i+1)*t.Len : (i+1)*t.Len] }

// At returns the sample of unit i at time index k.
func (t *Trial) At(k, i int) float64 { return t.Data[i*t.Len+k] }
