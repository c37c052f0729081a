// Package offline scores a whole file with no control plane: the engine of
// `pynomaly-agent detect`, for trying a detector on one's own data before
// rolling it out.
package offline

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/threshold"
)

// Options says what to read and how to score it.
type Options struct {
	Path           string
	Format         input.Format
	TimestampField string
	Fields         []string
	Separator      rune
	// Factory is the detector as it is: a batch detector unfitted.
	Factory sdk.Factory
	// FitRows is how many leading valid rows a batch detector is fitted
	// on; every row, those included, is then scored. Required for batch
	// detectors, refused for streaming ones.
	FitRows int
	// Threshold marks a row anomalous when its score reaches it; used when
	// Policy is nil.
	Threshold float64
	// Policy, when set, judges each row's score instead, learning its
	// threshold as the agent's decision.policy does (fed from the first
	// non-zero score on, so a detector's warm-up is not calibration).
	Policy threshold.Policy
}

// Summary counts what Detect did.
type Summary struct {
	Rows      int64
	Anomalies int64
	// Bad lists the skipped lines, in file order.
	Bad []input.BadRecord
}

// Detect scores every record of the file and writes CSV to w:
// timestamp,<fields...>,score,anomaly. A detector that takes several
// features scores the fields together, one sample per row; a univariate one
// scores each field on its own, and a row's score is the highest.
func Detect(opts Options, w io.Writer) (Summary, error) {
	info := opts.Factory.Info()
	if err := CheckFitRows(info, opts.FitRows); err != nil {
		return Summary{}, err
	}
	rd, err := opts.open()
	if err != nil {
		return Summary{}, err
	}
	defer func() { _ = rd.Close() }()
	sc, err := newScorer(opts.Factory, len(rd.Fields()))
	if err != nil {
		return Summary{}, err
	}
	if info.Kind == sdk.Batch {
		if err := sc.fit(rd, opts.FitRows); err != nil {
			return Summary{}, err
		}
		if err := rd.Resume(0, 0); err != nil { // score every row, the fitted ones too
			return Summary{}, err
		}
	}
	bw := bufio.NewWriter(w)
	writeHeader(bw, rd.Fields())
	if opts.Policy == nil {
		if opts.Policy, err = threshold.NewFixed(opts.Threshold); err != nil {
			return Summary{}, err
		}
	}
	sum, err := sc.scoreAll(rd, bw, opts.Policy)
	if err != nil {
		return sum, err
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("write output: %w", err)
	}
	return sum, nil
}

func (o Options) open() (*input.Reader, error) {
	return input.OpenFile(o.Path, input.FileOptions{
		Format: o.Format, TimestampField: o.TimestampField, Fields: o.Fields, Separator: o.Separator,
	})
}

// CheckFitRows reports whether n fit rows suit a detector described by info.
func CheckFitRows(info sdk.Info, n int) error {
	switch {
	case info.Kind == sdk.Batch && n < 2:
		return fmt.Errorf("%s is a batch detector: give --fit-rows N (at least 2) to fit it on the first N rows", info.Name)
	case info.Kind != sdk.Batch && n != 0:
		return fmt.Errorf("--fit-rows applies to batch detectors; %s learns as it scores", info.Name)
	}
	return nil
}

// scorer holds the detector instances for one file's columns.
type scorer struct {
	dets  []sdk.Detector
	multi bool // one instance over every column
	// polFed: the threshold policy has been fed a score.
	polFed bool
}

func newScorer(f sdk.Factory, cols int) (*scorer, error) {
	sc := &scorer{multi: f.Info().MaxDim != 1 && cols > 1}
	n, dim := cols, 1
	if sc.multi {
		n, dim = 1, cols
	}
	for range n {
		d, err := f.New(dim)
		if err != nil {
			return nil, err
		}
		sc.dets = append(sc.dets, d)
	}
	return sc, nil
}

// sample returns detector i's input from a record's values.
func (sc *scorer) sample(values []float64, i int) []float64 {
	if sc.multi {
		return values
	}
	return values[i : i+1]
}

func (sc *scorer) fit(rd *input.Reader, n int) error {
	var rows [][]float64
	for len(rows) < n {
		b, err := rd.Next(n - len(rows))
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		for _, rec := range b.Records {
			rows = append(rows, rec.Values)
		}
	}
	if len(rows) < n {
		return fmt.Errorf("--fit-rows %d: the file has only %d valid rows", n, len(rows))
	}
	for i, d := range sc.dets {
		col := make([][]float64, len(rows))
		for j, r := range rows {
			col[j] = sc.sample(r, i)
		}
		if err := d.(sdk.Fitter).Fit(col); err != nil {
			return fmt.Errorf("fit on the first %d rows: %w", n, err)
		}
	}
	return nil
}

func (sc *scorer) scoreAll(rd *input.Reader, w *bufio.Writer, pol threshold.Policy) (Summary, error) {
	var sum Summary
	for {
		b, err := rd.Next(1024)
		if errors.Is(err, io.EOF) {
			return sum, nil
		}
		if err != nil {
			return sum, err
		}
		sum.Bad = append(sum.Bad, b.Bad...)
		for _, rec := range b.Records {
			if err := sc.scoreRow(w, rec, pol, &sum); err != nil {
				return sum, err
			}
		}
	}
}

func (sc *scorer) scoreRow(w *bufio.Writer, rec input.Record, pol threshold.Policy, sum *Summary) error {
	score := 0.0
	for i, d := range sc.dets {
		s, err := d.Score(sc.sample(rec.Values, i))
		if err != nil {
			return fmt.Errorf("line %d: %w", rec.Line, err)
		}
		score = max(score, s)
	}
	anomaly, err := sc.judge(pol, score)
	if err != nil {
		return fmt.Errorf("line %d: %w", rec.Line, err)
	}
	sum.Rows++
	if anomaly {
		sum.Anomalies++
	}
	w.WriteString(csvField(rec.TimestampText))
	for _, v := range rec.Values {
		w.WriteByte(',')
		w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
	w.WriteByte(',')
	w.WriteString(strconv.FormatFloat(score, 'g', 6, 64))
	w.WriteByte(',')
	w.WriteString(strconv.FormatBool(anomaly))
	return w.WriteByte('\n')
}

// judge feeds score to pol, from the first non-zero score on.
func (sc *scorer) judge(pol threshold.Policy, score float64) (bool, error) {
	if !sc.polFed {
		if score == 0 {
			return false, nil
		}
		sc.polFed = true
	}
	return pol.Observe(score)
}

func writeHeader(w *bufio.Writer, fields []string) {
	w.WriteString("timestamp")
	for _, f := range fields {
		w.WriteByte(',')
		w.WriteString(csvField(f))
	}
	w.WriteString(",score,anomaly\n")
}

// csvField quotes s when it would otherwise break the row, the CSV way
// (RFC 4180: inner quotes doubled), so CSV readers get s back.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\n\r") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
