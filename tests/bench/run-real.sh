#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sale-order sync against real Odoo (issue 16; docs/performance.md, "The sync
# against real Odoo"):
#
#   bash tests/bench/run-real.sh [--version 18] [--orders 5000] [--reps 3] [--workers 2]
#
# Installs missing Debian packages (tests/setup-debian.sh), builds what it needs in
# build-bench/ (Release), boots a real Odoo with tests/real-odoo/realodoo.py (server
# name `bench`, Odoo's own password hashing) and DynamoDB Local on 127.0.0.1, stops
# them, prints the table and writes its section of tests/bench/results/latest.md
# (the other sections stay). Exit 77 when no Odoo source is there. 5-10 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${ODOO_BENCH_BUILD_DIR:-$ROOT/build-bench}"
bash "$ROOT/tests/setup-debian.sh"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DODOO_BUILD_TESTS=ON \
      -DODOO_BUILD_APPS=ON > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target odoo_test_loopback_bind odoo-sync-orders > /dev/null
exec /usr/bin/python3 "$ROOT/tests/bench/bench_sync_real.py" --build "$BUILD" "$@"
