#!/bin/sh
# SPDX-License-Identifier: MIT
# package.install_runs: `cmake --install` the build into a fresh temporary
# prefix, then run every installed program (--version, --help) with no
# LD_LIBRARY_PATH: each must find libodoo.so.1 (and libodoo-aws.so.1) in
# PREFIX/lib through its RUNPATH $ORIGIN/../lib, not through the build tree.
#
#   check_install_runs.sh BUILD_DIR WORK_DIR CMAKE PROGRAM...
set -eu
build=$1
work=$2
cmake=$3
shift 3
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log"
lib=
for f in "$prefix"/lib*/libodoo.so.1 "$prefix"/lib/*/libodoo.so.1; do
    if [ -e "$f" ]; then lib=$f; break; fi
done
if [ -z "$lib" ]; then
    echo "libodoo.so.1 is not installed under $prefix" >&2
    exit 1
fi
libdir=$(dirname "$lib")
rel=${libdir#"$prefix"/}
want="\$ORIGIN/../$rel"
libdir_real=$(readlink -f "$libdir")
n=0
for p in "$@"; do
    exe="$prefix/bin/$p"
    test -x "$exe" || { echo "$exe is not installed" >&2; exit 1; }
    runpath=$(readelf -d "$exe" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p')
    echo "== $p: RUNPATH [$runpath]"
    if [ "$runpath" != "$want" ]; then
        echo "$p: RUNPATH is [$runpath], expected [$want]" >&2
        exit 1
    fi
    # the libraries resolve into the prefix, never into the build tree
    env -u LD_LIBRARY_PATH ldd "$exe" | grep 'libodoo' > "$work/$p.ldd"
    while read -r soname arrow path rest; do
        real=$(readlink -f "$path" || echo "$path")
        echo "   $soname => $real"
        case $real in
            "$libdir_real"/*) ;;
            *) echo "$p: $soname resolved outside $libdir_real ($arrow $path)" >&2; exit 1 ;;
        esac
    done < "$work/$p.ldd"
    grep -q 'libodoo.so.1 =>' "$work/$p.ldd" || { echo "$p: libodoo.so.1 not found" >&2; exit 1; }
    # the programs themselves, as a user runs them
    env -u LD_LIBRARY_PATH "$exe" --version
    env -u LD_LIBRARY_PATH "$exe" --help > "$work/$p.help"
    test -s "$work/$p.help" || { echo "$p --help printed nothing" >&2; exit 1; }
    n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
    echo "no programs given" >&2
    exit 2
fi
echo "ok: $n installed programs run from $prefix/bin without LD_LIBRARY_PATH"
rm -rf "$work"
