#!/bin/sh
# The shared library exports only odoo_* functions and carries its SONAME.
set -eu
lib=$1
soversion=$2
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^odoo_' || true)
if [ -n "$bad" ]; then
    echo "exported symbols without the odoo_ prefix:" >&2
    echo "$bad" >&2
    exit 1
fi
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^odoo__' || true)
if [ -n "$internal" ]; then
    echo "internal odoo__ symbols are exported:" >&2
    echo "$internal" >&2
    exit 1
fi
count=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -c '^odoo_')
[ "$count" -ge 20 ] || { echo "only $count odoo_ symbols exported" >&2; exit 1; }
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$soname" = "libodoo.so.$soversion" ] || { echo "SONAME is '$soname'" >&2; exit 1; }
echo "ok: $count odoo_ symbols, SONAME $soname"
