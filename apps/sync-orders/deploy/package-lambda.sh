#!/usr/bin/env bash
# Build the Lambda package: bootstrap, bin/odoo-sync-orders, lib/ (libodoo, libodoo-aws)
# and the shared libraries it needs that Amazon Linux does not ship
# (jansson). Output: build/lambda-package/ and build/lambda-package.zip.
# Build on a system whose glibc is not newer than the Lambda runtime's.
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DODOO_BUILD_TESTS=OFF > /dev/null
cmake --build build -j "$(nproc)" --target odoo-sync-orders > /dev/null
pkg=build/lambda-package
bin=build/apps/sync-orders/odoo-sync-orders
rm -rf "$pkg" && mkdir -p "$pkg/bin" "$pkg/lib"
cp apps/sync-orders/bootstrap "$pkg/"
cp "$bin" "$pkg/bin/"
# the libraries the program loads from the build tree (libodoo, libodoo-aws) and jansson
for lib in $(ldd "$bin" | awk '/libodoo|jansson/ {print $3}'); do
  cp -L "$lib" "$pkg/lib/"
done
(cd "$pkg" && rm -f ../lambda-package.zip && zip -qr ../lambda-package.zip .) 2>/dev/null \
  || echo "zip not installed: the package is in $pkg"
echo "$pkg"
