#!/usr/bin/env bash
# Starts the PostgreSQL the Debian package installed (cluster "main") if it is
# down, creates a role and a database for the tests if missing, and prints
# the URL to export as PYNOMALY_TEST_DATABASE_URL. Idempotent; needs root
# (it acts as the postgres user). Used by .ci/run; developers can run it too:
#   export PYNOMALY_TEST_DATABASE_URL=$(sudo scripts/test-postgres.sh)
set -euo pipefail
ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
if [ -z "$ver" ]; then
  echo "test-postgres: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk '$2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$ver" main start >&2
fi
port=$(pg_lsclusters -h | awk '$2 == "main" {print $3}')
psql_pg() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAc "$1"; }
for i in $(seq 1 50); do psql_pg "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
if [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = 'pynomaly_test'")" != "1" ]; then
  psql_pg "CREATE ROLE pynomaly_test LOGIN PASSWORD 'pynomaly_test'" >&2
fi
if [ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname = 'pynomaly_test'")" != "1" ]; then
  psql_pg "CREATE DATABASE pynomaly_test OWNER pynomaly_test" >&2
fi
echo "postgres://pynomaly_test:pynomaly_test@127.0.0.1:${port}/pynomaly_test?sslmode=disable"
