#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis of the libraries' sources (src/util, src/core, src/sink,
# src/aws): GCC's -fanalyzer (use after free, leaks on error paths, NULL
# dereferences, double fclose, ...) with warnings as errors. Part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
mapfile -t files < <(find src -name '*.c' | sort)
[ ${#files[@]} -gt 0 ] || { echo "analyze: no sources under src/" >&2; exit 1; }
for f in "${files[@]}"; do
  if ! gcc -std=c11 -D_POSIX_C_SOURCE=200809L -DODOO_BUILDING_LIBRARY $(pkg-config --cflags jansson) \
       -fanalyzer -Wall -Wextra -Werror -I include -I src/util -I src/core -I src/sink -I src/aws \
       -c "$f" -o /dev/null; then
    status=1
  fi
done
[ $status -eq 0 ] && echo "analyze: ${#files[@]} files, no findings"
exit $status
