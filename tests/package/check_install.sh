#!/bin/sh
# Install the build into a fresh prefix, then build and run a small consumer
# program against the installed tree: once through pkg-config (shared and
# static) and once through CMake's find_package(libodoo CONFIG).
set -eu
src=$1
build=$2
work=$3
cmake=$4
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log"
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n1 | xargs dirname)
export PKG_CONFIG_PATH="$libdir/pkgconfig"

echo "== pkg-config"
pkg-config --modversion libodoo
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libodoo) \
    "$src/tests/package/consumer/consumer.c" -o "$work/consumer-pc" $(pkg-config --libs libodoo)
LD_LIBRARY_PATH="$libdir" "$work/consumer-pc"
# the binary links the SONAME, not the development symlink
readelf -d "$work/consumer-pc" | grep -q 'NEEDED.*\[libodoo.so.0\]'

echo "== static libodoo.a (its dependencies shared)"
# pkg-config --static would also ask for libcurl's own static dependencies,
# which Debian's libcurl4-openssl-dev does not provide.
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libodoo) \
    "$src/tests/package/consumer/consumer.c" -o "$work/consumer-static" \
    "$libdir/libodoo.a" $(pkg-config --libs libcurl jansson) -lpthread
"$work/consumer-static"
if readelf -d "$work/consumer-static" | grep -q 'libodoo.so'; then
    echo "static consumer links libodoo.so" >&2
    exit 1
fi

echo "== find_package"
"$cmake" -S "$src/tests/package/consumer" -B "$work/cmake-build" \
    -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake-configure.log"
"$cmake" --build "$work/cmake-build" > "$work/cmake-build.log"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer-static"

echo "== installed files"
test -f "$prefix/include/odoo.h"
test -f "$prefix/include/odoo/client.h"
test -x "$prefix/bin/odoo-call"
"$prefix/bin/odoo-call" --help > /dev/null 2>&1 || LD_LIBRARY_PATH="$libdir" "$prefix/bin/odoo-call" --help > /dev/null
echo "ok"
