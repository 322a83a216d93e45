#!/usr/bin/env bash
# Static analysis of the library's sources: GCC's -fanalyzer (use after free,
# leaks on error paths, NULL dereferences, double fclose, ...) with warnings
# as errors. Part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for f in src/*.c src/sink/*.c; do
  if ! gcc -std=c11 -D_POSIX_C_SOURCE=200809L -DODOO_BUILDING_LIBRARY $(pkg-config --cflags jansson) \
       -fanalyzer -Wall -Wextra -Werror -I include -I src -c "$f" -o /dev/null; then
    status=1
  fi
done
[ $status -eq 0 ] && echo "analyze: $(ls src/*.c src/sink/*.c | wc -l) files, no findings"
exit $status
