#!/usr/bin/env bash
# run.sh — the agent's MQTT input end to end through mosquitto, against
# mosquitto_sub alone in the same run, at QoS 0 and 1; and the agent's
# memory with 1, 1,000 and 10,000 series. Flags go to the Go program, e.g.
# ./bench/mqtt/run.sh -messages 500000.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v mosquitto_sub >/dev/null || { ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; }; then
  if ! command -v apt-get >/dev/null; then
    echo "run.sh: mosquitto and mosquitto_sub are missing and apt-get is unavailable" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mosquitto mosquitto-clients >&2
fi
# The release build's tags (see the Makefile's TAGS): memory is measured here.
go build -trimpath -tags grpcnotrace -o bin/pynomaly-agent ./cmd/pynomaly-agent
exec go run ./bench/mqtt -agent bin/pynomaly-agent "$@"
