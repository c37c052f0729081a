package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/pynomaly/pynomaly/agent"
	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/internal/logging"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// usageError marks bad flags or configuration: exit status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

const usage = `pynomaly-agent — Pynomaly edge agent

Usage:
  pynomaly-agent run --config agent.yaml     run the agent
  pynomaly-agent detect --input FILE [...]   score a CSV offline (see detect --help)
  pynomaly-agent enroll --url URL --token T  enroll with the control plane (see enroll --help)
  pynomaly-agent check-config --config FILE  validate a configuration and exit
  pynomaly-agent model build --input FILE --columns C --detector D --out FILE
                                             learn a model for an input to start from
  pynomaly-agent bench nab --data DIR --out DIR [--detector NAME] [--config FILE]
                                             score a detector on the NAB corpus
  pynomaly-agent version                     print the version
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // --help: the flag set has printed the usage
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("no command given")}
	}
	switch args[0] {
	case "run":
		return runAgent(ctx, args[1:], stderr)
	case "enroll":
		return runEnroll(ctx, args[1:], stdout, stderr)
	case "detect":
		return runDetect(args[1:], stdout, stderr)
	case "check-config":
		return checkConfig(args[1:], stdout, stderr)
	case "model":
		if len(args) > 1 && args[1] == "build" {
			return runModelBuild(args[2:], stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return usageError{errors.New(`model: the command is "model build"`)}
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "pynomaly-agent", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func loadConfig(name string, args []string, stderr io.Writer) (*config.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "/etc/pynomaly-agent/agent.yaml", "configuration file")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	cfg, err := config.Load(*path, os.Environ())
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

func runAgent(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := loadConfig("run", args, stderr)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return usageError{err}
	}
	setMemoryLimit(cfg.Agent.MemoryLimit, os.Getenv("GOMEMLIMIT"), logger)
	a, err := agent.New(cfg, version, logger)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// setMemoryLimit applies agent.memory_limit as the runtime's soft memory
// limit, unless GOMEMLIMIT (env) is set: as for any Go program, the
// environment has the last word.
func setMemoryLimit(limit config.ByteSize, env string, logger *slog.Logger) {
	switch {
	case limit == 0:
	case env != "":
		logger.Info("agent.memory_limit not applied: GOMEMLIMIT is set", "memory_limit", limit, "GOMEMLIMIT", env)
	default:
		debug.SetMemoryLimit(int64(limit))
	}
}

func checkConfig(args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("check-config", args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "configuration OK: agent %s, %d input(s), detector %s, control plane %s\n",
		cfg.Agent.ID, len(cfg.Inputs), cfg.Detector.Type, cfg.ControlPlane.URL)
	// Not errors: on an edge box files often appear after the agent is
	// installed, and `run` waits for them. Still worth saying.
	if _, err := cfg.ControlPlane.ReadToken(); err != nil {
		fmt.Fprintf(stdout, "warning: %v (run will fail until it exists)\n", err)
	}
	for _, in := range cfg.Inputs {
		switch {
		case in.File == nil: // MQTT: the broker is tried by run
		case in.File.IsGlob():
			if m, _ := filepath.Glob(in.File.Path); len(m) == 0 {
				fmt.Fprintf(stdout, "warning: input %s: no file matches %s yet (run will wait for one)\n", in.Name, in.File.Path)
			}
		default:
			if _, err := os.Stat(in.File.Path); err != nil {
				fmt.Fprintf(stdout, "warning: input %s: %v (run will wait for it)\n", in.Name, err)
			}
		}
	}
	for _, p := range cfg.Plugins {
		switch fi, err := os.Stat(p.Path); {
		case err != nil:
			fmt.Fprintf(stdout, "warning: plugin %s: %v (inputs using it will wait for it)\n", p.Name, err)
		case fi.IsDir() || fi.Mode()&0o111 == 0:
			fmt.Fprintf(stdout, "warning: plugin %s: %s is not an executable file (chmod +x)\n", p.Name, p.Path)
		}
	}
	return nil
}
