#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Lambda package: bootstrap, bin/odoo-sync-orders, lib/ (libodoo,
# libodoo-aws, jansson, libcurl and every shared library they need that is not
# certain to be on Amazon Linux 2023), then check that it runs where Lambda
# runs (provided.al2023):
#   - no binary or bundled library needs a glibc symbol version above
#     LAMBDA_GLIBC_MAX (default 2.34, the glibc of provided.al2023); the highest
#     one found is printed ("highest glibc symbol version: GLIBC_x.y ...");
#   - every library a binary or a bundled library needs (NEEDED) is bundled in
#     lib/ or listed in al2023-libs.txt (beside this script).
#
# Usage:
#   package-lambda.sh                        configure build/ (Release), build, package
#                                            into build/lambda-package(.zip), check
#   package-lambda.sh [--no-build] BUILD_DIR [OUT_DIR]
#                                            package from an existing build directory
#                                            (built first unless --no-build; it is never
#                                            reconfigured); OUT_DIR default BUILD_DIR/lambda-package
#   package-lambda.sh --check PKG_DIR        check an existing package only
# Environment: LAMBDA_GLIBC_MAX (2.34), LAMBDA_BASE_LIBS (the list, default
# al2023-libs.txt beside this script).
# Exit status: 0 package built and checked, 1 a check failed, 2 usage or build error.
# Build on a system whose glibc is not newer than the Lambda runtime's if the
# check fails (e.g. in an amazonlinux:2023 container).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${LAMBDA_GLIBC_MAX:=2.34}"
: "${LAMBDA_BASE_LIBS:=$here/al2023-libs.txt}"
me=package-lambda.sh

die() { echo "$me: $*" >&2; exit 2; }
for tool in readelf objdump ldd; do
  command -v "$tool" > /dev/null || die "$tool not found (binutils, libc-bin)"
done
[ -r "$LAMBDA_BASE_LIBS" ] || die "cannot read the Amazon Linux 2023 library list $LAMBDA_BASE_LIBS"
# the sonames of the list (comments and blank lines skipped)
base_libs=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LAMBDA_BASE_LIBS" | grep -v '^$' || true)

on_al2023() { grep -Fxq -- "$1" <<< "$base_libs"; }
is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
# a <= b for dotted versions
version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

# objdump -T lines -> "symbol@GLIBC_v" for the undefined symbols versioned above lim
# shellcheck disable=SC2016 # an awk program
above_awk='
  function above(v, l,   a, b, n, m, i) {
    n = split(v, a, "."); m = split(l, b, ".")
    for (i = 1; i <= (n > m ? n : m); i++) {
      if ((a[i] + 0) > (b[i] + 0)) return 1
      if ((a[i] + 0) < (b[i] + 0)) return 0
    }
    return 0
  }
  /\*UND\*/ {
    for (i = 1; i <= NF; i++)
      if ($i ~ /^\(?GLIBC_[0-9.]+\)?$/) {
        v = $i; gsub(/[()]/, "", v); sub(/^GLIBC_/, "", v)
        if (above(v, lim)) print $NF "@GLIBC_" v
      }
  }'

# check PKG_DIR: print the report, return 1 if a check fails
check_package() {
  local pkg=$1 f rel v max="" max_files="" failed=0 need syms
  [ -d "$pkg/bin" ] || { echo "$me: $pkg/bin: no such directory (not a Lambda package)" >&2; return 1; }
  [ -x "$pkg/bootstrap" ] || { echo "$me: $pkg/bootstrap: missing or not executable" >&2; failed=1; }
  local files=()
  for f in "$pkg"/bin/* "$pkg"/lib/*; do
    is_elf "$f" && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || { echo "$me: $pkg: no ELF file in bin/ or lib/" >&2; return 1; }
  echo "checking $pkg for provided.al2023 (glibc <= $LAMBDA_GLIBC_MAX, base libraries: $LAMBDA_BASE_LIBS)"
  for f in "${files[@]}"; do
    rel=${f#"$pkg"/}
    # the glibc versions the dynamic loader will demand: the file's version needs
    v=$(readelf --version-info --wide "$f" \
          | awk '/^Version needs section/ { on = 1; next } /^Version/ { on = 0 }
                 on && match($0, /Name: GLIBC_[0-9][0-9.]*/) { print substr($0, RSTART + 12, RLENGTH - 12) }' \
          | sort -uV | tail -n 1)
    printf '  %-40s %s\n' "$rel" "$([ -n "$v" ] && echo "GLIBC_$v" || echo "no glibc version")"
    if [ -n "$v" ]; then
      if [ -z "$max" ] || ! version_le "$v" "$max"; then
        max=$v; max_files=$rel
      elif [ "$v" = "$max" ]; then
        max_files="$max_files, $rel"
      fi
      if ! version_le "$v" "$LAMBDA_GLIBC_MAX"; then
        syms=$(objdump -T "$f" | awk -v lim="$LAMBDA_GLIBC_MAX" "$above_awk" | sort -u \
               | awk '{ if (NR <= 10) printf "%s ", $0 } END { if (NR > 10) printf "(+%d more) ", NR - 10 }')
        echo "$me: $rel needs GLIBC_$v, above the runtime's glibc (LAMBDA_GLIBC_MAX=$LAMBDA_GLIBC_MAX; provided.al2023 has 2.34): ${syms:-see readelf --version-info }- build it against an older glibc, e.g. in an amazonlinux:2023 container" >&2
        failed=1
      fi
    fi
    # every NEEDED library is bundled or on Amazon Linux 2023
    for need in $(readelf -d --wide "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      if [ -e "$pkg/lib/$need" ]; then
        continue
      elif ! on_al2023 "$need"; then
        echo "$me: $rel needs $need, which is neither bundled in lib/ nor on Amazon Linux 2023 ($LAMBDA_BASE_LIBS)" >&2
        failed=1
      fi
    done
  done
  if [ -n "$max" ]; then
    # the functions that need the highest version, for the report
    syms=$(for f in "${files[@]}"; do
             objdump -T "$f" | awk -v want="GLIBC_$max" '/\*UND\*/ && ($0 ~ "[( ]" want "[) ]") { print $NF }'
           done | sort -u | awk '{ if (NR <= 12) printf "%s ", $0 } END { if (NR > 12) printf "(+%d more)", NR - 12 }')
    echo "highest glibc symbol version: GLIBC_$max (limit $LAMBDA_GLIBC_MAX) in $max_files; symbols: ${syms% }"
  else
    echo "highest glibc symbol version: none (limit $LAMBDA_GLIBC_MAX)"
  fi
  if [ "$failed" -ne 0 ]; then
    echo "$me: $pkg does not run on provided.al2023" >&2
    return 1
  fi
  echo "$pkg: ok for provided.al2023"
}

# ---- arguments ---------------------------------------------------------------
build=1
if [ "${1:-}" = --check ]; then
  [ $# -eq 2 ] || die "usage: $me --check PKG_DIR"
  check_package "$2" && exit 0
  exit 1
fi
if [ "${1:-}" = --no-build ]; then build=0; shift; fi
[ $# -le 2 ] || die "usage: $me [--no-build] [BUILD_DIR [OUT_DIR]] | --check PKG_DIR"
if [ $# -ge 1 ]; then
  [ -f "$1/CMakeCache.txt" ] || die "$1: not a CMake build directory"
  bdir=$(cd "$1" && pwd)
  pkg=${2:-$bdir/lambda-package}
  if [ "$build" -eq 1 ]; then
    cmake --build "$bdir" -j "$(nproc)" --target odoo-sync-orders > /dev/null || die "build failed in $bdir"
  fi
else
  bdir=$root/build
  pkg=$bdir/lambda-package
  cmake -S "$root" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DODOO_BUILD_TESTS=OFF > /dev/null
  cmake --build "$bdir" -j "$(nproc)" --target odoo-sync-orders > /dev/null
fi
bin=$bdir/apps/sync-orders/odoo-sync-orders
[ -x "$bin" ] || die "$bin: not built"
mkdir -p "$(dirname "$pkg")"
pkg=$(cd "$(dirname "$pkg")" && pwd)/$(basename "$pkg")

# ---- the package ---------------------------------------------------------------
rm -rf "$pkg" && mkdir -p "$pkg/bin" "$pkg/lib"
cp "$root/apps/sync-orders/bootstrap" "$pkg/"
chmod 755 "$pkg/bootstrap"
cp "$bin" "$pkg/bin/"
# every library the program loads (ldd resolves them recursively) that is not on
# Amazon Linux 2023, under the name the program asks for
bundled=()
while read -r name arrow path _; do
  [ "$arrow" = "=>" ] || continue
  if [ "$path" = not ]; then
    echo "$me: $bin needs $name, which is not found on this system" >&2
    exit 1
  fi
  on_al2023 "$name" && continue
  cp -L "$path" "$pkg/lib/$name"
  bundled+=("$name")
done < <(ldd "$bin")
echo "bundled in lib/: ${bundled[*]:-nothing}"

status=0
check_package "$pkg" || status=1
if [ "$status" -eq 0 ]; then
  if command -v zip > /dev/null; then
    (cd "$pkg" && rm -f "$pkg.zip" && zip -qr "$pkg.zip" .)
    echo "$pkg.zip"
  else
    echo "zip not installed: the package is in $pkg"
  fi
fi
echo "$pkg"
exit "$status"
