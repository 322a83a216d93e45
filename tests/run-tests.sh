#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install dependencies, build libodoo and run every test.
#
#   bash tests/run-tests.sh              normal build (warnings are errors), all tests
#   bash tests/run-tests.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build,
#                                        plus the allocation-failure torture (tests/torture)
#   bash tests/run-tests.sh --valgrind   the C tests under valgrind (0 errors, 0 leaks)
#
# Each mode uses its own build directory (build, build-asan, build-valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-normal}
jobs=$(nproc 2>/dev/null || echo 2)
bash tests/setup-debian.sh

common=(-DODOO_WERROR=ON -DPython3_EXECUTABLE=/usr/bin/python3)
case "$mode" in
  normal)
    dir=build
    cmake -S . -B "$dir" "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    labels=()
    ;;
  --sanitize)
    dir=build-asan
    cmake -S . -B "$dir" "${common[@]}" -DCMAKE_BUILD_TYPE=Debug \
          -DODOO_SANITIZE=address,undefined -DODOO_ALLOC_HOOKS=ON
    # the end-to-end fault scenarios (label hardening) run in the normal mode only:
    # they drive the example program for minutes, not the library's code paths anew
    labels=(-L 'unit|integration|cli|sinks|sync|torture' -LE hardening)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
  --valgrind)
    dir=build-valgrind
    cmake -S . -B "$dir" "${common[@]}" -DCMAKE_BUILD_TYPE=Debug \
          "-DODOO_TEST_LAUNCHER=valgrind;--quiet;--error-exitcode=99;--leak-check=full;--show-leak-kinds=definite,indirect,possible;--errors-for-leak-kinds=definite,indirect,possible;--suppressions=$PWD/tests/valgrind.supp"
    # the 100,000-record test runs in the other two modes
    labels=(-L 'unit|integration|sinks' -LE 'big|bench')
    ;;
  *)
    echo "usage: $0 [--sanitize|--valgrind]" >&2
    exit 2
    ;;
esac

cmake --build "$dir" -j "$jobs"
touch "$dir/.secrets-stamp"
if [ "$mode" = normal ]; then
  # the real-Odoo suite (ctest real_odoo.16 .. real_odoo.19) appends its results here;
  # a server a killed test left running is stopped at the end
  rm -f "$dir/real-odoo-results.md"
  stop_real_odoo() {
    for v in 16 17 18 19; do /usr/bin/python3 tests/real-odoo/realodoo.py down "$v" > /dev/null 2>&1 || true; done
  }
  trap stop_real_odoo EXIT
fi
status=0
ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${labels[@]}" || status=$?
if [ "$mode" = normal ]; then
  echo "=== real Odoo: results by version, area and transport"
  cat "$dir/real-odoo-results.md" 2>/dev/null || echo "(no real-Odoo results: the suite was skipped)"
fi
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "$mode" = normal ]; then
  # nothing the whole suite printed or left behind holds one of its secrets
  bash tests/secrets_sweep.sh "$dir" "$dir/.secrets-stamp"
fi
