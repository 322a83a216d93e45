#!/bin/sh
# SPDX-License-Identifier: MIT
# Every public header compiles on its own as strict C11 and as C++.
set -eu
inc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=$(pkg-config --cflags jansson)
for h in odoo.h odoo/common.h odoo/errors.h odoo/client.h odoo/model.h odoo/sink.h odoo/aws.h \
         odoo/aws/credentials.h odoo/aws/dynamodb.h odoo/aws/secrets.h; do
    printf '#include <%s>\nint main(void) { return 0; }\n' "$h" > "$tmp/t.c"
    cc -std=c11 -Wall -Wextra -pedantic -Werror -I"$inc" $cflags -c "$tmp/t.c" -o "$tmp/t.o"
    if command -v c++ >/dev/null 2>&1; then
        cp "$tmp/t.c" "$tmp/t.cpp"
        c++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$inc" $cflags -c "$tmp/t.cpp" -o "$tmp/t.o"
    fi
    echo "ok: $h"
done
