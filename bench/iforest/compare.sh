#!/usr/bin/env bash
# compare.sh — pynomaly's iforest against scikit-learn's IsolationForest, in
# one run on the same generated data (100 trees, sample size 256, one thread
# each): batch throughput, single-point latency, ROC-AUC, and the ratios
# against the targets (batch ≥ 20x, single point ≥ 1000x, AUC within 0.01).
# Extra arguments go to the Go program, e.g. ./compare.sh -rows 50000.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The system Python, not a pyenv shim: python3-sklearn installs for it.
PY=/usr/bin/python3
if ! "$PY" -c 'import sklearn' 2>/dev/null; then
  if ! command -v apt-get >/dev/null; then
    echo "compare.sh: scikit-learn is missing for $PY and apt-get is unavailable;" \
         "install python3-sklearn (or scikit-learn for $PY) and run again" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  echo "compare.sh: installing python3-sklearn with apt-get" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-sklearn >&2
fi

exec go run ./bench/iforest -python "$PY" -script bench/iforest/sklearn_iforest.py "$@"
