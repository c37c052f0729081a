// Package e2e holds the end-to-end tests: a real control plane (in
// process: embedded NATS, SQLite, API) and real pynomaly-agent processes,
// built once per run, talking over loopback.
package e2e
