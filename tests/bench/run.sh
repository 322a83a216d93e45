#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The libodoo benchmarks in one command (issue 8; docs/performance.md):
#
#   bash tests/bench/run.sh [--real] [bench.py options, e.g. --reps 3 --big 200000]
#
# Installs missing Debian packages (tests/setup-debian.sh: OdooRPC, valgrind,
# Java/npm for DynamoDB Local), builds what it needs in build-bench/ (Release),
# starts its own servers on free 127.0.0.1 ports, prints the table and writes
# tests/bench/results/latest.md. Contacts nothing but 127.0.0.1 (and the Debian
# mirror / npm registry when something is missing). 3-6 minutes on 2 cores.
# --real: then the sync against real Odoo too (tests/bench/run-real.sh, default
# options); without it, that section of latest.md is kept as it was.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${ODOO_BENCH_BUILD_DIR:-$ROOT/build-bench}"
REAL=0
ARGS=()
for a in "$@"; do
  if [ "$a" = "--real" ]; then REAL=1; else ARGS+=("$a"); fi
done
bash "$ROOT/tests/setup-debian.sh"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DODOO_BUILD_TESTS=ON \
      -DODOO_BUILD_APPS=ON > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target bench_libodoo bench_dynamodb \
      odoo_test_loopback_bind odoo-sync-orders > /dev/null
RESULTS="$ROOT/tests/bench/results/latest.md"
SAVED="$(mktemp)"
trap 'rm -f "$SAVED"' EXIT
/usr/bin/python3 "$ROOT/tests/bench/bench_sync_real.py" --save-section "$RESULTS" > "$SAVED"
/usr/bin/python3 "$ROOT/tests/bench/bench.py" \
  --bin-dir "$BUILD/tests/bench" \
  --bench-dynamodb "$BUILD/tests/sinks/bench_dynamodb" \
  --shim "$BUILD/tests/sinks/libodoo_test_loopback_bind.so" \
  --sync-orders "$BUILD/apps/sync-orders/odoo-sync-orders" "${ARGS[@]}"
if [ "$REAL" = 1 ]; then
  /usr/bin/python3 "$ROOT/tests/bench/bench_sync_real.py" --build "$BUILD"
else
  /usr/bin/python3 "$ROOT/tests/bench/bench_sync_real.py" --restore-section "$RESULTS" "$SAVED"
fi
