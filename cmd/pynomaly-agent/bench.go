package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/agent/nab/harness"
)

// runBench dispatches the bench commands; nab is the only one.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "nab" {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New(`bench: the command is "bench nab"`)}
	}
	return runBenchNAB(ctx, args[1:], stdout, stderr)
}

// runBenchNAB runs the Numenta Anomaly Benchmark through the agent's
// detection code and prints its scores.
func runBenchNAB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench nab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "NAB folder holding data/ and labels/combined_windows.json (required)")
	out := fs.String("out", "", "folder for the per-file results, in NAB's results layout (required)")
	cfgPath := fs.String("config", "", "YAML with the agent's detector and decision sections (default: the agent's defaults)")
	det := fs.String("detector", "", "built-in detector (default "+harness.DefaultDetector+", or the config's): "+strings.Join(detectors.Names(), ", "))
	params := paramFlag{}
	fs.Var(params, "param", "with --detector: a detector parameter key=value (repeatable)")
	workers := fs.Int("workers", 0, "files scored at once (default GOMAXPROCS)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := benchOptions(*data, *out, *cfgPath, *det, params)
	if err != nil {
		return usageError{err}
	}
	opts.Workers = *workers
	rep, err := harness.Run(ctx, opts)
	if err != nil {
		return err
	}
	return rep.WriteText(stdout)
}

func benchOptions(data, out, cfgPath, det string, params paramFlag) (harness.Options, error) {
	if data == "" || out == "" {
		return harness.Options{}, errors.New("bench nab: --data and --out are required")
	}
	if det == "" && len(params) > 0 {
		return harness.Options{}, errors.New("--param needs --detector (or give params in --config)")
	}
	if cfgPath == "" {
		p, err := harness.PipelineFor(cmp.Or(det, harness.DefaultDetector), params)
		return harness.Options{Data: data, Out: out, Pipeline: p}, err
	}
	p, err := harness.ReadPipeline(cfgPath)
	if err != nil || det == "" {
		return harness.Options{Data: data, Out: out, Pipeline: p}, err
	}
	// --detector replaces the config's detector; its decision stays.
	p.Detector = config.Detector{Type: det, Params: params}
	if _, err := detectors.BuildSpec(p.Detector.Spec()); err != nil {
		return harness.Options{}, err
	}
	return harness.Options{Data: data, Out: out, Pipeline: p}, nil
}
