package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/internal/logging"
)

// serverStart runs the control plane until ctx ends. Flags override the
// PYNOMALY_* environment, which overrides the defaults.
func serverStart(ctx context.Context, args []string, env getenv, stderr io.Writer) error {
	fs := flag.NewFlagSet("server start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defPort, err := envInt(env, 8080, "PYNOMALY_PORT", "PORT")
	if err != nil {
		return err
	}
	defNATSPort, err := envInt(env, 4222, "PYNOMALY_NATS_PORT")
	if err != nil {
		return err
	}
	host := fs.String("host", envOr(env, "127.0.0.1", "PYNOMALY_HOST"), "API listen address (env PYNOMALY_HOST)")
	port := fs.Int("port", defPort, "API port (env PYNOMALY_PORT)")
	dataDir := fs.String("data-dir", envOr(env, "data", "PYNOMALY_DATA_DIR"), "directory for the database, JetStream and generated secrets (env PYNOMALY_DATA_DIR)")
	dbURL := fs.String("database-url", env("PYNOMALY_DATABASE_URL"), "PostgreSQL URL, e.g. postgres://pynomaly:…@postgres:5432/pynomaly?sslmode=require; default: SQLite in --data-dir (env PYNOMALY_DATABASE_URL)")
	natsHost := fs.String("nats-host", envOr(env, "", "PYNOMALY_NATS_HOST"), "agents' NATS listen address (env PYNOMALY_NATS_HOST; default: --host)")
	natsPort := fs.Int("nats-port", defNATSPort, "agents' NATS port (env PYNOMALY_NATS_PORT)")
	natsAdvertise := fs.String("nats-advertise", envOr(env, "", "PYNOMALY_NATS_ADVERTISE"), "NATS URLs enrolling agents are given, comma-separated (env PYNOMALY_NATS_ADVERTISE; default: this server's NATS address as the agent reached the API)")
	natsURL := fs.String("nats-url", envOr(env, "", "PYNOMALY_NATS_URL"), "external NATS with JetStream, e.g. nats://nats:4222 (a cluster: comma-separated), instead of the embedded one; needs PYNOMALY_NATS_TOKEN (env PYNOMALY_NATS_URL)")
	rateReqs, err := envInt(env, api.DefaultRateLimitRequests, "PYNOMALY_RATE_LIMIT_REQUESTS")
	if err != nil {
		return err
	}
	rateWindow, err := envSeconds(env, api.DefaultRateLimitWindow, "PYNOMALY_RATE_LIMIT_WINDOW")
	if err != nil {
		return err
	}
	fs.IntVar(&rateReqs, "rate-limit", rateReqs, "requests each client may make per --rate-limit-window; 0: no limit (env PYNOMALY_RATE_LIMIT_REQUESTS)")
	fs.DurationVar(&rateWindow, "rate-limit-window", rateWindow, "the rate limit's window (env PYNOMALY_RATE_LIMIT_WINDOW, in seconds or as 1m)")
	requireEnroll, err := envBool(env, "PYNOMALY_REQUIRE_ENROLLMENT")
	if err != nil {
		return err
	}
	fs.BoolVar(&requireEnroll, "require-enrollment", requireEnroll, "refuse agents that connect with the shared NATS token: every agent must enroll (env PYNOMALY_REQUIRE_ENROLLMENT)")
	corsOrigins := fs.String("cors-origins", env("PYNOMALY_CORS_ORIGINS"), "comma-separated origins browsers may call the API from, e.g. https://ops.example.com (env PYNOMALY_CORS_ORIGINS)")
	proxies := fs.String("trusted-proxies", env("PYNOMALY_TRUSTED_PROXIES"), "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client (env PYNOMALY_TRUSTED_PROXIES)")
	logLevel := fs.String("log-level", strings.ToLower(envOr(env, "info", "PYNOMALY_LOG_LEVEL", "LOG_LEVEL")), "debug, info, warn or error (env PYNOMALY_LOG_LEVEL)")
	logFormat := fs.String("log-format", envOr(env, "auto", "PYNOMALY_LOG_FORMAT"), "auto, text or json (env PYNOMALY_LOG_FORMAT)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger, err := logging.New(stderr, *logLevel, *logFormat)
	if err != nil {
		return usageError{err}
	}
	if *natsURL != "" {
		if err := server.ValidateNATSURL(*natsURL); err != nil {
			return usageError{fmt.Errorf("--nats-url or PYNOMALY_NATS_URL: %w", err)}
		}
	}
	if rateReqs < 0 || (rateReqs > 0 && rateWindow <= 0) {
		return usageError{fmt.Errorf("rate limit %d per %s: want a count of 0 (off) or more, per a positive window", rateReqs, rateWindow)}
	}
	production, err := envMode(env)
	if err != nil {
		return err
	}
	if *dbURL != "" {
		if err := server.ValidateDatabaseURL(*dbURL); err != nil {
			return usageError{fmt.Errorf("--database-url or PYNOMALY_DATABASE_URL: %w", err)}
		}
	}
	origins := splitList(*corsOrigins)
	if err := api.ValidateOrigins(origins); err != nil {
		return usageError{fmt.Errorf("--cors-origins or PYNOMALY_CORS_ORIGINS: %w", err)}
	}
	if *natsHost == "" {
		*natsHost = *host
	}
	srv, err := server.Start(ctx, server.Options{
		Host: *host, Port: *port, DataDir: *dataDir,
		DatabaseURL: *dbURL, Production: production,
		JWTSecret: envOr(env, "", "JWT_SECRET_KEY", "PYNOMALY_JWT_SECRET_KEY"), SecretKey: envOr(env, "", "SECRET_KEY", "PYNOMALY_SECRET_KEY"),
		AdminUsername: env("PYNOMALY_ADMIN_USERNAME"), AdminPassword: env("PYNOMALY_ADMIN_PASSWORD"),
		NATSHost: *natsHost, NATSPort: *natsPort, NATSURL: *natsURL, NATSToken: env("PYNOMALY_NATS_TOKEN"),
		NATSCalloutKey: env("PYNOMALY_NATS_CALLOUT_KEY"), NATSSystemPassword: env("PYNOMALY_NATS_SYSTEM_PASSWORD"),
		NATSAdvertise: splitList(*natsAdvertise), RequireEnrollment: requireEnroll,
		RateLimit: api.RateLimit{Requests: rateReqs, Window: rateWindow}, CORSOrigins: origins, TrustedProxies: splitList(*proxies),
		Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	return srv.Wait()
}

// envInt returns the first set variable of names as an integer, or def. A
// value that is not a number is a usage error naming the variable, rather
// than being silently replaced by the default.
func envInt(env getenv, def int, names ...string) (int, error) {
	for _, n := range names {
		if v := env(n); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil {
				return 0, usageError{fmt.Errorf("%s=%q: want a number", n, v)}
			}
			return i, nil
		}
	}
	return def, nil
}

// envSeconds reads a duration from the first set variable of names: a
// number of seconds, as the production guide writes RATE_LIMIT_WINDOW
// (60), or a Go duration (1m).
func envSeconds(env getenv, def time.Duration, names ...string) (time.Duration, error) {
	for _, n := range names {
		v := env(n)
		if v == "" {
			continue
		}
		if secs, err := strconv.Atoi(v); err == nil {
			return time.Duration(secs) * time.Second, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, usageError{fmt.Errorf("%s=%q: want seconds (60) or a duration (1m)", n, v)}
		}
		return d, nil
	}
	return def, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// envBool reads a variable strconv.ParseBool understands (true, false, 1,
// 0, …); unset is false, and anything else is a usage error naming it.
func envBool(env getenv, name string) (bool, error) {
	v := env(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, usageError{fmt.Errorf("%s=%q: want true or false", name, v)}
	}
	return b, nil
}

// envMode reads PYNOMALY_ENV: production, or development (the default).
func envMode(env getenv) (production bool, err error) {
	switch v := strings.ToLower(envOr(env, "development", "PYNOMALY_ENV")); v {
	case "production", "prod":
		return true, nil
	case "development", "dev":
		return false, nil
	default:
		return false, usageError{fmt.Errorf("PYNOMALY_ENV=%q: want production or development", v)}
	}
}
