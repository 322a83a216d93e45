#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the build into a fresh prefix, then build and run small consumer
# programs against the installed tree: an Odoo-only one with
# `pkg-config --libs libodoo` alone (no libcrypto anywhere), an AWS one with
# `pkg-config --libs libodoo-aws`, both shared and static, and both again
# through CMake's find_package(libodoo CONFIG COMPONENTS aws).
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
readelf -d "$work/consumer-pc" | grep -q 'NEEDED.*\[libodoo.so.1\]'
# the Odoo client alone: neither the program nor libodoo.so needs libcrypto or
# libodoo-aws (ldd still lists libcrypto when libcurl itself is the OpenSSL
# flavour: it comes from libcurl, not from libodoo)
if readelf -d "$work/consumer-pc" "$libdir/libodoo.so.1" | grep -E 'NEEDED.*(libcrypto|libodoo-aws)'; then
    echo "an Odoo-only program or libodoo.so needs libcrypto or libodoo-aws" >&2
    exit 1
fi
if pkg-config --print-requires --print-requires-private libodoo | grep -q crypto; then
    echo "pkg-config libodoo asks for libcrypto" >&2
    exit 1
fi

echo "== pkg-config libodoo-aws"
pkg-config --modversion libodoo-aws
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libodoo-aws) \
    "$src/tests/package/consumer/consumer_aws.c" -o "$work/consumer-aws-pc" \
    $(pkg-config --libs libodoo-aws)
LD_LIBRARY_PATH="$libdir" "$work/consumer-aws-pc"
readelf -d "$work/consumer-aws-pc" | grep -q 'NEEDED.*\[libodoo-aws.so.1\]'

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
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libodoo-aws) \
    "$src/tests/package/consumer/consumer_aws.c" -o "$work/consumer-aws-static" \
    "$libdir/libodoo-aws.a" "$libdir/libodoo.a" $(pkg-config --libs libcurl jansson libcrypto) -lpthread
"$work/consumer-aws-static"

echo "== find_package"
"$cmake" -S "$src/tests/package/consumer" -B "$work/cmake-build" \
    -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake-configure.log"
"$cmake" --build "$work/cmake-build" > "$work/cmake-build.log"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer-static"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer-aws"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer-aws-static"

echo "== installed files"
test -f "$prefix/include/odoo.h"
test -f "$prefix/include/odoo/client.h"
test -f "$prefix/include/odoo/aws.h"
test -f "$prefix/include/odoo/aws/dynamodb.h"
test -x "$prefix/bin/odoo-call"
"$prefix/bin/odoo-call" --help > /dev/null 2>&1 || LD_LIBRARY_PATH="$libdir" "$prefix/bin/odoo-call" --help > /dev/null
echo "ok"
