#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# After a whole test run: none of the distinctive secrets the suite uses (the
# API keys given to the emulators, the Odoo password of cli.secrets, the AWS
# secret keys of the sink tests) appears in anything the tests printed (ctest's
# log of every test's output) or left behind (files written under the build
# tree and the temporary directory during the run).
#
#   bash tests/secrets_sweep.sh BUILD_DIR STAMP_FILE
#
# STAMP_FILE: a file touched before the run; only files newer than it are read.
# The tests' own command lines are not output: ctest's "Command:" lines (the
# emulators get their API key as an argument; they are test servers, not
# libodoo) and the CTest/CMake files that hold those command lines are skipped.
# tests/cli/test_secrets.py checks the tools' outputs, errors and
# /proc/PID/cmdline in detail; this is the sweep over everything else.
set -uo pipefail
build=${1:?usage: secrets_sweep.sh BUILD_DIR STAMP_FILE}
stamp=${2:?usage: secrets_sweep.sh BUILD_DIR STAMP_FILE}
root="$(cd "$(dirname "$0")/.." && pwd)"

# every literal secret the test definitions hand out
mapfile -t secrets < <(
  {
    sed -n 's/.*set(ODOO_TEST_API_KEY "\([^"]*\)").*/\1/p' "$root/tests/CMakeLists.txt"
    grep -ho -- '--api-key [A-Za-z0-9-]\{12,\}' "$root/tests/CMakeLists.txt" | awk '{print $2}'
    grep -ho 'ODOO_EMULATOR_ADMIN_PASSWORD=[A-Za-z0-9-]\{8,\}' "$root/tests/CMakeLists.txt" | cut -d= -f2
    grep -rhoE 'AWS_SECRET_ACCESS_KEY"?[]:=, ]+"?[A-Za-z0-9/+-]{16,}' "$root/tests/sinks" "$root/tests/sync" \
      "$root/tests/hardening" 2>/dev/null | grep -oE '[A-Za-z0-9/+-]{16,}$'
    # the real-Odoo suite: its admin password and the API keys of its databases
    sed -n 's/^ADMIN_PASSWORD = "\([^"]*\)".*/\1/p' "$root/tests/real-odoo/realodoo.py"
    cat "${LIBODOO_REAL_ODOO_DIR:-/var/tmp/libodoo-real-odoo}"/*/api-key 2>/dev/null
  } | grep -v '^\${' | sort -u)
if [ ${#secrets[@]} -eq 0 ]; then
  echo "secrets_sweep: no secrets found in the test definitions" >&2
  exit 2
fi

log="$build/Testing/Temporary/LastTest.log"
[ -f "$log" ] || { echo "secrets_sweep: $log missing" >&2; exit 2; }

status=0
files=0
check() { # name, then the text on stdin
  local name=$1 text
  text=$(cat)
  for s in "${secrets[@]}"; do
    if grep -qF -- "$s" <<<"$text"; then
      echo "secrets_sweep: a secret (${s:0:4}...) appears in $name" >&2
      grep -nF -- "$s" <<<"$text" | head -3 | sed "s/$s/<SECRET>/g" >&2
      status=1
    fi
  done
  files=$((files + 1))
}

grep -v -e '^[0-9]*/[0-9]* Test: ' -e ' Command: ' -e '^Command: ' "$log" | check "ctest's log"
while IFS= read -r -d '' f; do
  case "$f" in
    */CMakeFiles/*|*/CTestTestfile.cmake|*/Testing/*|*/.git/*|*/CMakeLists.txt|*.cmake|*.o|*.a|*.so|*.so.*) continue ;;
    */hsperfdata_*) continue ;; # the JVM's (DynamoDB Local) own counters
  esac
  # binaries are not output
  if [ -x "$f" ] && head -c 4 "$f" | grep -q 'ELF'; then continue; fi
  [ -r "$f" ] || continue # gone since find saw it
  check "$f" < <(tr -d '\0' <"$f" 2>/dev/null)
done < <(find "$build" "${TMPDIR:-/tmp}" -xdev -type f -newer "$stamp" -size -50M -print0 2>/dev/null)

echo "secrets_sweep: ${#secrets[@]} secrets, $files outputs read: $([ $status -eq 0 ] && echo none found || echo FOUND)"
exit $status
