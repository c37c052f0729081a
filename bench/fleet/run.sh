#!/usr/bin/env bash
# run.sh — the fleet API at scale: enroll 10,000 agents, then drive
# GET /api/v1/agents?label=site=… (a page of 100) with wrk paced to
# 1,000 requests/s, beside GET /health as the baseline, on SQLite and,
# when the Debian PostgreSQL is installed, on PostgreSQL (a fresh database
# each run; needs root, like scripts/test-postgres.sh). Needs wrk (Debian
# package). Flags go to the Go program, e.g. ./bench/fleet/run.sh -agents 2000.
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o bin/bench-fleet ./bench/fleet
bin/bench-fleet "$@"
if url=$(./scripts/test-postgres.sh 2>/dev/null); then
  port=$(pg_lsclusters -h | awk '$2 == "main" {print $3}')
  psql_pg() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAc "$1"; }
  psql_pg "DROP DATABASE IF EXISTS pynomaly_bench" >/dev/null
  psql_pg "CREATE DATABASE pynomaly_bench OWNER pynomaly_test" >/dev/null
  bin/bench-fleet -database-url "${url%/pynomaly_test?*}/pynomaly_bench?sslmode=disable" "$@"
else
  echo "PostgreSQL: not installed; skipped (apt-get install -y postgresql)"
fi
