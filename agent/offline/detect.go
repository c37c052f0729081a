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
)

// Options says what to read and how to score it.
type Options struct {
	Path           string
	Format         input.Format
	TimestampField string
	Fields         []string
	Separator      rune
	Factory        sdk.Factory
	// Threshold marks a row anomalous when its score reaches it.
	Threshold float64
}

// Summary counts what Detect did.
type Summary struct {
	Rows      int64
	Anomalies int64
	// Bad lists the skipped lines, in file order.
	Bad []input.BadRecord
}

// Detect scores every record of the file and writes CSV to w:
// timestamp,<fields...>,score,anomaly. Each field is scored by its own
// detector instance; a row's score is the highest of its fields'.
func Detect(opts Options, w io.Writer) (Summary, error) {
	rd, err := input.OpenFile(opts.Path, input.FileOptions{
		Format: opts.Format, TimestampField: opts.TimestampField, Fields: opts.Fields, Separator: opts.Separator,
	})
	if err != nil {
		return Summary{}, err
	}
	defer func() { _ = rd.Close() }()
	dets := make([]sdk.Detector, len(rd.Fields()))
	for i := range dets {
		if dets[i], err = opts.Factory.New(1); err != nil {
			return Summary{}, err
		}
	}
	bw := bufio.NewWriter(w)
	writeHeader(bw, rd.Fields())
	var sum Summary
	for {
		b, err := rd.Next(1024)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sum, err
		}
		sum.Bad = append(sum.Bad, b.Bad...)
		for _, rec := range b.Records {
			if err := scoreRow(bw, rec, dets, opts.Threshold, &sum); err != nil {
				return sum, err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("write output: %w", err)
	}
	return sum, nil
}

func scoreRow(w *bufio.Writer, rec input.Record, dets []sdk.Detector, threshold float64, sum *Summary) error {
	score := 0.0
	for i, d := range dets {
		s, err := d.Score(rec.Values[i : i+1])
		if err != nil {
			return fmt.Errorf("line %d: %w", rec.Line, err)
		}
		score = max(score, s)
	}
	anomaly := score >= threshold
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
