#!/usr/bin/env bash
# make demo: control plane + one agent on embedded defaults, replaying
# examples/demo/machine.csv, printing alerts as the control plane stores them.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PYNOMALY_PORT:-8080}
NATS_PORT=${PYNOMALY_NATS_PORT:-4222}
DEMO=.demo
rm -rf "$DEMO" && mkdir -p "$DEMO"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo stopped; data left in $DEMO/"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

echo "starting control plane (API :$PORT, NATS :$NATS_PORT, data $DEMO/server)"
bin/pynomaly server start --port "$PORT" --nats-port "$NATS_PORT" --data-dir "$DEMO/server" \
  --log-format text 2>"$DEMO/server.log" &
pids+=($!)

ready() { curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1; }
for _ in $(seq 100); do
  ready && break
  kill -0 "${pids[0]}" 2>/dev/null || break   # the server exited: no point waiting
  sleep 0.1
done
if ! ready; then
  echo "control plane did not start (set PYNOMALY_PORT / PYNOMALY_NATS_PORT if a port is taken):"
  tail -5 "$DEMO/server.log"
  exit 1
fi

echo "starting agent (replaying examples/demo/machine.csv at 200 rows/s; log $DEMO/agent.log)"
PYNOMALY_AGENT_DATA_DIR="$DEMO/agent" PYNOMALY_CONTROL_PLANE_URL="nats://127.0.0.1:$NATS_PORT" \
  bin/pynomaly-agent run --config examples/demo/agent.yaml 2>"$DEMO/agent.log" &
pids+=($!)

# The development server made an admin API key; the CLI reads it from here.
export PYNOMALY_API_KEY
PYNOMALY_API_KEY=$(cat "$DEMO/server/admin-api-key")

cat <<MSG

  API:     http://127.0.0.1:$PORT/api/v1/alerts   http://127.0.0.1:$PORT/api/v1/agents
           (send Authorization: Bearer \$(cat $DEMO/server/admin-api-key))
  Metrics: http://127.0.0.1:$PORT/metrics         agent: http://127.0.0.1:9465/metrics
  Five alerts are expected over about 15 seconds (see examples/demo/README.md).
  Press Ctrl-C to stop.

MSG
bin/pynomaly alerts watch --url "http://127.0.0.1:$PORT" &
pids+=($!)
wait
