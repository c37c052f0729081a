package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/offline"
)

// paramFlag collects repeated --param key=value flags.
type paramFlag map[string]string

func (p paramFlag) String() string { return fmt.Sprint(map[string]string(p)) }

func (p paramFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want key=value", s)
	}
	p[k] = v
	return nil
}

func runDetect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("input", "", "CSV or JSON-lines file to score (required)")
	out := fs.String("output", "", "write results here instead of stdout")
	format := fs.String("format", "csv", "input format: csv or jsonl")
	columns := fs.String("columns", "", "comma-separated value columns (default: every column but the timestamp)")
	sep := fs.String("separator", ",", "CSV separator, one character")
	tsCol := fs.String("timestamp-column", "timestamp", `timestamp column; "" to number rows instead`)
	det := fs.String("detector", detectors.Default, "detector: "+strings.Join(detectors.Names(), ", "))
	threshold := fs.Float64("threshold", 0.999, "score at or above which a row is an anomaly, in (0, 1]")
	params := paramFlag{}
	fs.Var(params, "param", "detector parameter key=value (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := detectOptions(*in, *format, *columns, *sep, *tsCol, *det, *threshold, params)
	if err != nil {
		return usageError{err}
	}
	return detectTo(opts, *out, stdout, stderr)
}

func detectOptions(in, format, columns, sep, tsCol, det string, threshold float64, params map[string]string) (offline.Options, error) {
	if in == "" {
		return offline.Options{}, errors.New("detect: --input is required")
	}
	f, err := input.ParseFormat(format)
	if err != nil {
		return offline.Options{}, err
	}
	if len([]rune(sep)) != 1 || strings.ContainsAny(sep, "\"\r\n") {
		return offline.Options{}, fmt.Errorf("--separator %q: want one character, not a quote or newline", sep)
	}
	if !(threshold > 0 && threshold <= 1) {
		return offline.Options{}, fmt.Errorf("--threshold %v: want a value in (0, 1]", threshold)
	}
	factory, err := detectors.Build(det, params)
	if err != nil {
		return offline.Options{}, err
	}
	var fields []string
	if columns != "" {
		fields = strings.Split(columns, ",")
	}
	return offline.Options{Path: in, Format: f, TimestampField: tsCol, Fields: fields,
		Separator: []rune(sep)[0], Factory: factory, Threshold: threshold}, nil
}

func detectTo(opts offline.Options, out string, stdout, stderr io.Writer) (err error) {
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}()
		w = f
	}
	sum, err := offline.Detect(opts, w)
	for i, b := range sum.Bad {
		if i == 20 {
			fmt.Fprintf(stderr, "… and %d more bad lines\n", len(sum.Bad)-i)
			break
		}
		fmt.Fprintf(stderr, "skipped: %v\n", b.Err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "scored %d rows: %d anomalies, %d lines skipped\n", sum.Rows, sum.Anomalies, len(sum.Bad))
	if sum.Rows == 0 {
		return errors.New("no valid rows to score")
	}
	return nil
}
