package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/internal/logging"
)

// serverStart runs the control plane until ctx ends. Flags override the
// PYNOMALY_* environment, which overrides the defaults.
func serverStart(ctx context.Context, args []string, env getenv, stderr io.Writer) error {
	fs := flag.NewFlagSet("server start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", envOr(env, "127.0.0.1", "PYNOMALY_HOST"), "API listen address (env PYNOMALY_HOST)")
	port := fs.Int("port", atoiOr(envOr(env, "", "PYNOMALY_PORT", "PORT"), 8080), "API port (env PYNOMALY_PORT)")
	dataDir := fs.String("data-dir", envOr(env, "data", "PYNOMALY_DATA_DIR"), "directory for the database, JetStream and generated secrets (env PYNOMALY_DATA_DIR)")
	natsHost := fs.String("nats-host", envOr(env, "", "PYNOMALY_NATS_HOST"), "agents' NATS listen address (env PYNOMALY_NATS_HOST; default: --host)")
	natsPort := fs.Int("nats-port", atoiOr(env("PYNOMALY_NATS_PORT"), 4222), "agents' NATS port (env PYNOMALY_NATS_PORT)")
	logLevel := fs.String("log-level", strings.ToLower(envOr(env, "info", "PYNOMALY_LOG_LEVEL", "LOG_LEVEL")), "debug, info, warn or error (env PYNOMALY_LOG_LEVEL)")
	logFormat := fs.String("log-format", envOr(env, "auto", "PYNOMALY_LOG_FORMAT"), "auto, text or json (env PYNOMALY_LOG_FORMAT)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger, err := logging.New(stderr, *logLevel, *logFormat)
	if err != nil {
		return usageError{err}
	}
	if *natsHost == "" {
		*natsHost = *host
	}
	srv, err := server.Start(ctx, server.Options{
		Host: *host, Port: *port, DataDir: *dataDir,
		NATSHost: *natsHost, NATSPort: *natsPort, NATSToken: env("PYNOMALY_NATS_TOKEN"),
		Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	return srv.Wait()
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
