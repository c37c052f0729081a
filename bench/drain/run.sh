#!/usr/bin/env bash
# run.sh — drain an outage's backlog from real bbolt outboxes through the
# real uplink into a real control plane (embedded NATS, SQLite), with the
# baselines that say where the time goes, all in one process. Flags go to
# the Go program, e.g. ./bench/drain/run.sh -runs 5 -agents 1.
# The binary is kept in bin/ so a -cpuprofile can be read with
# go tool pprof bin/bench-drain FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o bin/bench-drain ./bench/drain
exec bin/bench-drain "$@"
