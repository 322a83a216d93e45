#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# package.lambda: apps/sync-orders/deploy/package-lambda.sh on the build under
# test, then its checks on synthetic packages that must fail.
#   check_lambda_package.sh SOURCE_DIR BUILD_DIR WORK_DIR C_COMPILER
# 1. the real package (from BUILD_DIR, not rebuilt): it is built, the report
#    line "highest glibc symbol version: GLIBC_x.y" is printed, and the script's
#    verdict against provided.al2023's glibc (2.34) is asserted: it passes
#    (if it ever fails, the test fails and prints the symbols that need more);
# 2. the same package with LAMBDA_GLIBC_MAX=2.2.5 fails, naming the binary;
# 3. a tiny library calling arc4random (GLIBC_2.36, when this glibc has it)
#    fails the default limit 2.34, naming the library and the symbol;
# 4. a binary needing a library that is neither bundled nor on the AL2023 list
#    fails, naming it; with that library bundled in lib/ the same package passes.
set -euo pipefail
src=$1
build=$2
work=$3
cc=$4
script=$src/apps/sync-orders/deploy/package-lambda.sh
rm -rf "$work"
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# run the script, keep its status, stdout+stderr in $work/$1.log
run() {
  local name=$1; shift
  set +e
  "$@" > "$work/$name.log" 2>&1
  status=$?
  set -e
  sed 's/^/    /' "$work/$name.log" | grep -v '^      ' || true
}

echo "== 1. the real package from $build"
run real "$script" --no-build "$build" "$work/pkg"
line=$(grep '^highest glibc symbol version: GLIBC_[0-9.]* (limit 2.34)' "$work/real.log" || true)
if [ -n "$line" ]; then ok "report line printed: $line"; else fail "no report line (highest glibc symbol version)"; fi
if [ "$status" -eq 0 ] && grep -q ': ok for provided.al2023$' "$work/real.log"; then
  ok "the package passes the provided.al2023 checks (glibc <= 2.34, libraries bundled or on AL2023)"
else
  fail "package-lambda.sh exited $status on the real package (see above: a glibc symbol above 2.34 or a missing library)"
fi
for lib in libodoo.so.1 libjansson.so.4 libcurl.so.4; do
  if [ -f "$work/pkg/lib/$lib" ]; then ok "lib/$lib bundled"; else fail "lib/$lib not bundled"; fi
done
if [ -f "$build/src/libodoo-aws.so.1" ] || readelf -d "$work/pkg/bin/odoo-sync-orders" | grep -q 'libodoo-aws'; then
  if [ -f "$work/pkg/lib/libodoo-aws.so.1" ]; then ok "lib/libodoo-aws.so.1 bundled"; else fail "lib/libodoo-aws.so.1 not bundled"; fi
fi
for lib in libc.so.6 libm.so.6 ld-linux-x86-64.so.2; do
  [ ! -e "$work/pkg/lib/$lib" ] || fail "lib/$lib bundled: glibc must come from the runtime"
done
if [ ! -x "$work/pkg/bootstrap" ] || [ ! -x "$work/pkg/bin/odoo-sync-orders" ]; then
  fail "bootstrap or bin/odoo-sync-orders missing"
fi

echo "== 2. the same package against LAMBDA_GLIBC_MAX=2.2.5"
run low env LAMBDA_GLIBC_MAX=2.2.5 "$script" --check "$work/pkg"
if [ "$status" -eq 1 ] && grep -q 'bin/odoo-sync-orders needs GLIBC_[0-9.]*, above .*LAMBDA_GLIBC_MAX=2.2.5' "$work/low.log"; then
  ok "fails with LAMBDA_GLIBC_MAX=2.2.5, naming bin/odoo-sync-orders"
else
  fail "LAMBDA_GLIBC_MAX=2.2.5: expected exit 1 and a message naming bin/odoo-sync-orders, got $status"
fi

# a synthetic package: bootstrap + bin/prog
synthetic() {
  rm -rf "$1" && mkdir -p "$1/bin" "$1/lib"
  # shellcheck disable=SC2016 # the bootstrap's own $0, not ours
  printf '#!/bin/sh\nexec "$(dirname "$0")/bin/prog"\n' > "$1/bootstrap"
  chmod 755 "$1/bootstrap"
}

echo "== 3. a library using a glibc symbol above 2.34 (arc4random, GLIBC_2.36)"
cat > "$work/new.c" << 'EOF'
#include <stdlib.h>
unsigned int h18_random(void) { return arc4random(); }
EOF
if "$cc" -shared -fPIC -o "$work/libnewglibc.so.1" -Wl,-soname,libnewglibc.so.1 "$work/new.c" 2> "$work/new-cc.log" \
   && objdump -T "$work/libnewglibc.so.1" | grep -q 'GLIBC_2\.36.*arc4random'; then
  printf 'int main(void) { return 0; }\n' > "$work/main.c"
  synthetic "$work/newpkg"
  "$cc" -o "$work/newpkg/bin/prog" "$work/main.c" -Wl,--no-as-needed -L"$work" -l:libnewglibc.so.1
  cp "$work/libnewglibc.so.1" "$work/newpkg/lib/"
  run new "$script" --check "$work/newpkg"
  if [ "$status" -eq 1 ] && grep -q 'lib/libnewglibc.so.1 needs GLIBC_2.36, above .*arc4random@GLIBC_2.36' "$work/new.log" \
     && grep -q '^highest glibc symbol version: GLIBC_2.36 (limit 2.34) in lib/libnewglibc.so.1' "$work/new.log"; then
    ok "a library needing GLIBC_2.36 fails at the default 2.34, naming it and arc4random"
  else
    fail "a library needing GLIBC_2.36: expected exit 1 naming lib/libnewglibc.so.1 and arc4random, got $status"
  fi
else
  echo "skipped: this glibc has no arc4random@GLIBC_2.36 (older than 2.36)"
fi

echo "== 4. a binary needing a library neither bundled nor on the AL2023 list"
cat > "$work/extra.c" << 'EOF'
int h18_extra(void) { return 7; }
EOF
cat > "$work/prog.c" << 'EOF'
int h18_extra(void);
int main(void) { return h18_extra() == 7 ? 0 : 1; }
EOF
"$cc" -shared -fPIC -o "$work/libh18extra.so.1" -Wl,-soname,libh18extra.so.1 "$work/extra.c"
synthetic "$work/misspkg"
"$cc" -o "$work/misspkg/bin/prog" "$work/prog.c" -L"$work" -l:libh18extra.so.1
run miss "$script" --check "$work/misspkg"
if [ "$status" -eq 1 ] && grep -q 'bin/prog needs libh18extra.so.1, which is neither bundled in lib/ nor on Amazon Linux 2023' "$work/miss.log"; then
  ok "a missing library fails, naming libh18extra.so.1"
else
  fail "a missing library: expected exit 1 and a message naming libh18extra.so.1, got $status"
fi
cp "$work/libh18extra.so.1" "$work/misspkg/lib/"
run bundled "$script" --check "$work/misspkg"
if [ "$status" -eq 0 ] && grep -q ': ok for provided.al2023$' "$work/bundled.log"; then
  ok "the same package with libh18extra.so.1 in lib/ passes"
else
  fail "with libh18extra.so.1 bundled: expected exit 0, got $status"
fi

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
