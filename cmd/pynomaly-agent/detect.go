package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/offline"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/threshold"
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

// memberFlag collects repeated --member TYPE[:key=value,...] flags, an
// ensemble's members.
type memberFlag []detectors.Spec

func (m *memberFlag) String() string { return fmt.Sprint(*m) }

func (m *memberFlag) Set(s string) error {
	typ, rest, _ := strings.Cut(s, ":")
	if typ == "" {
		return fmt.Errorf("%q: want TYPE or TYPE:key=value,...", s)
	}
	spec := detectors.Spec{Type: typ, Params: map[string]string{}}
	if rest != "" {
		for kv := range strings.SplitSeq(rest, ",") {
			if err := paramFlag(spec.Params).Set(kv); err != nil {
				return fmt.Errorf("%q: %w", s, err)
			}
		}
	}
	*m = append(*m, spec)
	return nil
}

// detectFlags are detect's command-line flags.
type detectFlags struct {
	in, out, format, columns, sep, tsCol, det, plugin, policy string
	threshold                                                 float64
	fitRows                                                   int
	params, policyParams                                      paramFlag
	members                                                   memberFlag
}

func runDetect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := detectFlags{params: paramFlag{}, policyParams: paramFlag{}}
	fs.StringVar(&f.in, "input", "", "CSV or JSON-lines file to score (required)")
	fs.StringVar(&f.out, "output", "", "write results here instead of stdout")
	fs.StringVar(&f.format, "format", "csv", "input format: csv or jsonl")
	fs.StringVar(&f.columns, "columns", "", "comma-separated value columns (default: every column but the timestamp)")
	fs.StringVar(&f.sep, "separator", ",", "CSV separator, one character")
	fs.StringVar(&f.tsCol, "timestamp-column", "timestamp", `timestamp column; "" to number rows instead`)
	fs.StringVar(&f.det, "detector", detectors.Default, "built-in detector: "+strings.Join(detectors.Names(), ", "))
	fs.StringVar(&f.plugin, "plugin", "", "run this detector plugin binary instead of a built-in detector")
	fs.Float64Var(&f.threshold, "threshold", 0.999, "policy fixed: score at or above which a row is an anomaly, in (0, 1]")
	fs.StringVar(&f.policy, "policy", "fixed", "threshold policy: fixed, or one that learns the threshold: quantile, spot, dspot")
	fs.Var(f.policyParams, "policy-param", "threshold policy parameter key=value, e.g. risk=1e-4 (repeatable)")
	fs.IntVar(&f.fitRows, "fit-rows", 0, "batch detectors: fit on the first N valid rows, then score every row")
	fs.Var(f.params, "param", "detector parameter key=value (repeatable)")
	fs.Var(&f.members, "member", "--detector ensemble: a member detector, TYPE or TYPE:key=value,... (repeatable, at least 2)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := f.options()
	if err != nil {
		return usageError{err}
	}
	if f.plugin != "" {
		p, err := launchPlugin(f.plugin, f.params, stderr)
		if err != nil {
			return err
		}
		defer p.Kill()
		opts.Factory = p.Factory()
	}
	return detectTo(opts, f.out, stdout, stderr)
}

// thresholdPolicy returns the --policy to judge scores with; nil for fixed,
// which --threshold sets.
func (f detectFlags) thresholdPolicy() (threshold.Policy, error) {
	if f.policy == "fixed" {
		if len(f.policyParams) > 0 {
			return nil, errors.New("--policy-param: policy fixed takes none; set --threshold")
		}
		return nil, nil
	}
	return threshold.Parse(f.policy, f.policyParams)
}

func (f detectFlags) options() (offline.Options, error) {
	if f.in == "" {
		return offline.Options{}, errors.New("detect: --input is required")
	}
	format, err := input.ParseFormat(f.format)
	if err != nil {
		return offline.Options{}, err
	}
	if len([]rune(f.sep)) != 1 || strings.ContainsAny(f.sep, "\"\r\n") {
		return offline.Options{}, fmt.Errorf("--separator %q: want one character, not a quote or newline", f.sep)
	}
	if !(f.threshold > 0 && f.threshold <= 1) {
		return offline.Options{}, fmt.Errorf("--threshold %v: want a value in (0, 1]", f.threshold)
	}
	opts := offline.Options{Path: f.in, Format: format, TimestampField: f.tsCol,
		Separator: []rune(f.sep)[0], Threshold: f.threshold, FitRows: f.fitRows}
	if opts.Policy, err = f.thresholdPolicy(); err != nil {
		return opts, err
	}
	if f.columns != "" {
		opts.Fields = strings.Split(f.columns, ",")
	}
	if f.plugin != "" {
		return opts, nil
	}
	if _, set := f.params[detectors.FitRowsParam]; set {
		return opts, fmt.Errorf("give the number of rows to fit on with --fit-rows, not --param %s", detectors.FitRowsParam)
	}
	if f.det == detectors.Ensemble || len(f.members) > 0 {
		// An ensemble streams: its batch members fit on their own fit_rows.
		opts.Factory, err = detectors.BuildSpec(detectors.Spec{Type: f.det, Params: f.params, Members: f.members})
		if err != nil {
			return opts, err
		}
	} else if opts.Factory, _, err = detectors.Lookup(f.det, f.params); err != nil {
		return opts, err
	}
	return opts, offline.CheckFitRows(opts.Factory.Info(), f.fitRows)
}

// launchPlugin starts a detector plugin for one detect run, handing it
// the --param flags as its params.
func launchPlugin(path string, params map[string]string, stderr io.Writer) (*sdk.Plugin, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := sdk.Launch(path, sdk.LaunchOptions{Logger: logger, Params: params})
	if errors.Is(err, sdk.ErrBadParams) {
		return nil, usageError{err}
	}
	return p, err
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
