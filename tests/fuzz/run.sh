#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and run
# each one for SECONDS (default 60) on its corpus (build-fuzz/corpus/<target>,
# seeded from tests/wire and tests/fuzz/corpus). Exits non-zero when any
# target crashes, leaks, trips a sanitizer or a check; the crashing input is
# left in build-fuzz/artifacts/.
#
#   bash tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Prints per target the executions and libFuzzer's final cov:/ft: figures.
set -uo pipefail
cd "$(dirname "$0")/../.."

secs=${1:-60}
shift || true
dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)
CC=${CC:-clang}
case "$CC" in *clang*) ;; *) CC=clang ;; esac

if ! command -v "$CC" >/dev/null; then
  echo "run.sh: $CC not found (bash tests/setup-debian.sh installs clang and libclang-rt-14-dev)" >&2
  exit 2
fi
CC=$CC cmake -S tests/fuzz -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
cmake --build "$dir" -j "$jobs" >/dev/null || { cmake --build "$dir" -j 1; exit 2; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(rpc_response json2_response json_parse html_summary redact dynamodb secret sigv4 mapping
           answer_cap redirect)
fi
mkdir -p "$dir/artifacts" "$dir/logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# the targets run side by side (FUZZ_JOBS at a time, default: the CPU count)
par=${FUZZ_JOBS:-$jobs}
run_one() {
  local t=$1 extra=()
  # odoo-products prints its mapping errors to stderr: libFuzzer keeps its
  # own (and the sanitizers') reports on a duplicate of stderr
  [ "$t" = mapping ] && extra=(-close_fd_mask=2)
  # FUZZ_SEED: a fixed libFuzzer seed (CI sets one, so a run is repeatable);
  # unset or 0 = a random seed each run
  "$dir/fuzz_$t" "$dir/corpus/$t" -seed="${FUZZ_SEED:-0}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
      "${extra[@]}" >"$dir/logs/$t.log" 2>&1
  echo $? >"$dir/logs/$t.rc"
}
n=0
for t in "${targets[@]}"; do
  rm -f "$dir/logs/$t.rc"
  run_one "$t" &
  n=$((n + 1))
  if [ $n -ge "$par" ]; then wait -n; n=$((n - 1)); fi
done
wait

status=0
printf '%-16s %10s %8s %8s %12s  %s\n' target execs cov ft corpus result
for t in "${targets[@]}"; do
  log="$dir/logs/$t.log"
  rc=$(cat "$dir/logs/$t.rc" 2>/dev/null || echo 99)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  if [ "$rc" -eq 0 ]; then res=ok; else res="FAILED (rc $rc, see $log)"; status=1; fi
  printf '%-16s %10s %8s %8s %12s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$res"
  if [ "$rc" -ne 0 ]; then
    grep -E 'ERROR: |SUMMARY: |check failed|Test unit written' "$log" | head -5 | sed 's/^/    /'
  fi
done
exit $status
