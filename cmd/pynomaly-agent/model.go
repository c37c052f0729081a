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

// runModelBuild learns a model from a file with a built-in detector, for
// `pynomaly models upload` and an input's desired state to start from.
func runModelBuild(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("model build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("input", "", "CSV or JSON-lines file to learn from (required)")
	out := fs.String("out", "", "model file to write (required)")
	format := fs.String("format", "csv", "input format: csv or jsonl")
	columns := fs.String("columns", "", "value column, or comma-separated columns with --multivariate (required)")
	multivariate := fs.Bool("multivariate", false, "one model of several columns together, for an input with multivariate: true")
	sep := fs.String("separator", ",", "CSV separator, one character")
	tsCol := fs.String("timestamp-column", "timestamp", `timestamp column; "" to number rows instead`)
	det := fs.String("detector", detectors.Default, "built-in detector, as in the input's detector section: "+strings.Join(detectors.Names(), ", "))
	params := paramFlag{}
	fs.Var(params, "param", "detector parameter key=value, as in the input's detector section (repeatable)")
	var members memberFlag
	fs.Var(&members, "member", "--detector ensemble: a member, TYPE or TYPE:key=value,... (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" || *columns == "" {
		return usageError{errors.New("model build: --input, --columns and --out are required")}
	}
	f, err := input.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	if len([]rune(*sep)) != 1 {
		return usageError{fmt.Errorf("--separator %q: want one character", *sep)}
	}
	// Built as the agent builds an input's detector, so the state fits it.
	factory, err := detectors.BuildSpec(detectors.Spec{Type: *det, Params: params, Members: members})
	if err != nil {
		return usageError{err}
	}
	model, sum, err := offline.BuildModel(offline.ModelOptions{Path: *in, Format: f, TimestampField: *tsCol,
		Fields: strings.Split(*columns, ","), Multivariate: *multivariate, Separator: []rune(*sep)[0], Factory: factory})
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model of %s written to %s: %d bytes, learned from %d rows (%d lines skipped)\n",
		*det, *out, len(model), sum.Rows, len(sum.Bad))
	return nil
}
