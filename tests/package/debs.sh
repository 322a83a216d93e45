#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages end to end (CI: .ci/run, stage "Debian packages"):
#
#   1. a fresh Release build for /usr (build-deb/), `cpack -G DEB`: libodoo1,
#      libodoo-aws1, libodoo-dev, odoo-tools, python3-libodoo, lua-libodoo
#      (cmake/packaging.cmake); their contents and dependencies are printed;
#   2. `dpkg -i` of all of them (`apt-get -f install -y` when a dependency is missing);
#   3. use them as a user would, with nothing from the source tree on any path:
#      a C consumer built with pkg-config and one with find_package
#      (tests/package/consumer), `odoo-call --version`, odoo-call and
#      odoo-sync-orders against the Odoo emulator, `import libodoo` with
#      /usr/bin/python3, `require "libodoo"` with lua5.4, `man -w odoo-sync-orders`;
#   4. `dpkg --purge` them, and check that dpkg lists none of them and their files are gone.
#
#   bash tests/package/debs.sh [BUILD_DIR]     (default: build-deb; needs root or sudo)
#
# The packages are removed on failure too. It changes /usr on this machine
# for about half a minute: run it where nothing else uses libodoo from /usr.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
dir=${1:-build-deb}
case $dir in /*) ;; *) dir=$src/$dir ;; esac
jobs=$(nproc 2> /dev/null || echo 2)
start=$(date +%s)
PKGS=(libodoo1 libodoo-aws1 libodoo-dev odoo-tools python3-libodoo lua-libodoo)

step() { echo "-- debs: $*"; }
fail() { echo "debs: FAILED: $*" >&2; exit 1; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
installed() {  # the packages of PKGS that dpkg knows in any state
  local p
  for p in "${PKGS[@]}"; do
    if dpkg-query -W -f='${db:Status-Abbrev}\n' "$p" 2> /dev/null | grep -q '^[a-z][A-Za-z]'; then
      echo "$p"
    fi
  done
}
purge() {
  local left
  left=$(installed)
  if [ -n "$left" ]; then
    # shellcheck disable=SC2086
    $SUDO dpkg --purge $left
  fi
}

work=$(mktemp -d /tmp/libodoo-debs.XXXXXX)
cleanup() {
  rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$(installed)" ]; then
    echo "debs: removing the packages after the failure" >&2
    purge > /dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# ---- 0. what the script needs --------------------------------------------------------
need=()
for pair in dpkg-shlibdeps:dpkg-dev file:file readelf:binutils pkg-config:pkg-config \
            lua5.4:lua5.4 man:man-db cc:build-essential; do
  command -v "${pair%%:*}" > /dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi
left=$(installed)
if [ -n "$left" ]; then
  step "removing packages left by an earlier run: $(echo "$left" | tr '\n' ' ')"
  purge > /dev/null
fi

# ---- 1. build the .debs ----------------------------------------------------------------
step "cmake: fresh Release build for /usr in $dir"
rm -rf "$dir"
cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DODOO_WERROR=ON -DODOO_BUILD_TESTS=OFF -DODOO_BUILD_EXAMPLES=OFF \
      -DPython3_EXECUTABLE=/usr/bin/python3 > "$work/configure.log" \
  || { cat "$work/configure.log"; fail "cmake configure"; }
grep 'libodoo' "$work/configure.log" || true
cmake --build "$dir" -j "$jobs" > "$work/build.log" 2>&1 || { tail -50 "$work/build.log"; fail "build"; }

# every install() rule names its COMPONENT (else its files are in no package)
cmake --install "$dir" --component Unspecified --prefix "$work/unspecified" > /dev/null
if [ -d "$work/unspecified" ] && [ -n "$(find "$work/unspecified" -type f)" ]; then
  find "$work/unspecified" -type f >&2
  fail "install() rules without COMPONENT: these files would be in no package"
fi

step "cpack -G DEB"
(cd "$dir" && cpack -G DEB > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
if grep -i 'warning' "$work/cpack.log"; then
  fail "cpack printed warnings"
fi
debs=("$dir"/packages/*.deb)
built=()
for d in "${debs[@]}"; do
  built+=("$(dpkg-deb -f "$d" Package)")
done
if [ "$(printf '%s\n' "${built[@]}" | sort)" != "$(printf '%s\n' "${PKGS[@]}" | sort)" ]; then
  fail "built ${built[*]}, expected ${PKGS[*]}"
fi
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2> /dev/null || gcc -print-multiarch)
for d in "${debs[@]}"; do
  pkg=$(dpkg-deb -f "$d" Package)
  echo "$(basename "$d") ($(du -k "$d" | cut -f1) KiB)"
  dpkg-deb -f "$d" Depends Recommends | sed 's/^/    /'
  mkdir -p "$work/x/$pkg"
  dpkg-deb -x "$d" "$work/x/$pkg"
  (cd "$work/x/$pkg" && find . -type f -o -type l | sed 's|^\.||' | sort) > "$work/$pkg.files"
  sed 's/^/    /' "$work/$pkg.files" | grep -v '/usr/share/doc/libodoo/' || true
  n=$(grep -c '/usr/share/doc/libodoo/' "$work/$pkg.files" || true)
  [ "$n" -eq 0 ] || echo "    (and $n files under /usr/share/doc/libodoo/)"
  # installed for /usr: no RUNPATH, the dynamic linker's cache finds the libraries
  while read -r f; do
    if file -b "$work/x/$pkg$f" | grep -q '^ELF' && readelf -d "$work/x/$pkg$f" | grep -E 'R(UN)?PATH'; then
      fail "$pkg: $f has an RPATH/RUNPATH"
    fi
  done < <(grep -E '/(bin|lib)/' "$work/$pkg.files")
done
# the runtime packages hold their SONAME's files only (and the copyright)
only() {
  local pkg=$1 re=$2 extra
  extra=$(grep -Ev "$re|^/usr/share/doc/$pkg/copyright\$" "$work/$pkg.files" || true)
  [ -z "$extra" ] || fail "$pkg holds more than its library: $extra"
}
only libodoo1 "^/usr/lib/$multiarch/libodoo\\.so\\.1(\\.[0-9.]+)?\$"
only libodoo-aws1 "^/usr/lib/$multiarch/libodoo-aws\\.so\\.1(\\.[0-9.]+)?\$"
grep -qx "/usr/lib/$multiarch/libodoo.so" "$work/libodoo-dev.files" || fail "libodoo-dev: no libodoo.so symlink"
grep -qx "/usr/lib/$multiarch/pkgconfig/libodoo.pc" "$work/libodoo-dev.files" || fail "libodoo-dev: no libodoo.pc"
grep -qx "/usr/lib/$multiarch/cmake/libodoo/libodooConfig.cmake" "$work/libodoo-dev.files" \
  || fail "libodoo-dev: no CMake package"
for p in odoo-call odoo-pickings odoo-products odoo-sync-orders; do
  grep -qx "/usr/bin/$p" "$work/odoo-tools.files" || fail "odoo-tools: no /usr/bin/$p"
done
mans=()
if [ -d "$src/docs/man" ]; then
  for m in "$src"/docs/man/*.1; do
    [ -e "$m" ] || continue
    mans+=("$(basename "$m" .1)")
    grep -qE "^/usr/share/man/man1/$(basename "$m")(\\.gz)?\$" "$work/odoo-tools.files" \
      || fail "odoo-tools: no man page $(basename "$m")"
  done
fi

# ---- 2. install ------------------------------------------------------------------------
step "dpkg -i ${built[*]}"
if ! $SUDO dpkg -i --path-include='/usr/share/man/man1/odoo-*' "${debs[@]}" > "$work/dpkg.log" 2>&1; then
  cat "$work/dpkg.log"
  step "apt-get -f install -y (missing dependencies)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -f install -y -qq > /dev/null
fi
dpkg -l "${PKGS[@]}" | grep '^ii' || fail "not installed"
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" | grep -q '^ii' || fail "$p is not installed"
done

# ---- 3. use them -------------------------------------------------------------------------
# nothing from the source or build tree on any search path
clean=(env -u LD_LIBRARY_PATH -u PKG_CONFIG_PATH -u CMAKE_PREFIX_PATH -u PYTHONPATH
       -u LUA_CPATH -u LUA_CPATH_5_4 -u LUA_PATH -u LUA_PATH_5_4 -u CPATH -u LIBRARY_PATH
       PATH=/usr/sbin:/usr/bin:/sbin:/bin)
cd "$work"

step "odoo-call --version"
"${clean[@]}" odoo-call --version
[ "$("${clean[@]}" sh -c 'command -v odoo-call')" = /usr/bin/odoo-call ] || fail "odoo-call is not /usr/bin/odoo-call"

step "C consumer with pkg-config (libodoo $("${clean[@]}" pkg-config --modversion libodoo))"
cp -r "$src/tests/package/consumer" "$work/consumer"
# shellcheck disable=SC2046  # pkg-config's flags are words
cc -std=c11 -Wall -Wextra -Werror $("${clean[@]}" pkg-config --cflags libodoo) \
   consumer/consumer.c -o consumer-pc $("${clean[@]}" pkg-config --libs libodoo)
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror $("${clean[@]}" pkg-config --cflags libodoo-aws) \
   consumer/consumer_aws.c -o consumer-aws-pc $("${clean[@]}" pkg-config --libs libodoo-aws)
"${clean[@]}" ./consumer-pc
"${clean[@]}" ./consumer-aws-pc
ldd consumer-aws-pc | grep -E 'libodoo(-aws)?\.so\.1 => (/usr)?/lib/' || fail "pkg-config consumer: libodoo not from /usr/lib"

step "C consumer with find_package(libodoo CONFIG COMPONENTS aws)"
"${clean[@]}" cmake -S consumer -B consumer-build -DCMAKE_BUILD_TYPE=Release > cmake-consumer.log \
  || { cat cmake-consumer.log; fail "find_package consumer: configure"; }
"${clean[@]}" cmake --build consumer-build -j "$jobs" > cmake-consumer-build.log \
  || { cat cmake-consumer-build.log; fail "find_package consumer: build"; }
grep -h 'libodoo_DIR' consumer-build/CMakeCache.txt
for exe in consumer consumer-aws consumer-static consumer-aws-static; do
  "${clean[@]}" "consumer-build/$exe"
done

step "odoo-call and odoo-sync-orders against the Odoo emulator; Python and Lua calls"
cat > "$work/job.sh" <<'JOB'
set -euo pipefail
echo "emulator at $ODOO_URL"
echo "+ odoo-call sale.order search_count '[[]]'"
n=$(odoo-call sale.order search_count '[[]]')
echo "$n"
[ "$n" = 120 ]
echo "+ odoo-sync-orders --limit 5 --sink json:orders.json"
ODOO_EMAIL=$ODOO_USER odoo-sync-orders --limit 5 --sink json:orders.json --quiet --no-session-file
/usr/bin/python3 -c 'import json; o = json.load(open("orders.json")); assert len(o) == 5, len(o); print("orders.json: 5 orders, newest", o[0]["order_name"])'
echo "+ /usr/bin/python3: import libodoo, libodoo.aws"
/usr/bin/python3 - <<'PY'
import os
import libodoo, libodoo.aws
assert libodoo.__file__.startswith("/usr/lib/python3/dist-packages/libodoo/"), libodoo.__file__
with libodoo.connect(os.environ["ODOO_URL"], os.environ["ODOO_DB"],
                     os.environ["ODOO_USER"], os.environ["ODOO_PASSWORD"]) as odoo:
    n = odoo.search_count("sale.order")
print("python3: libodoo %s from %s: %d orders" % (libodoo.__version__, os.path.dirname(libodoo.__file__), n))
assert n == 120
PY
echo "+ lua5.4: require 'libodoo', 'libodoo.aws'"
lua5.4 - <<'LUA'
local libodoo = require "libodoo"
require "libodoo.aws"
local where = package.searchpath("libodoo", package.cpath)
assert(where:match("^/usr/lib/"), where)
local odoo <close> = libodoo.connect{url = os.getenv("ODOO_URL"), database = os.getenv("ODOO_DB"),
                                     login = os.getenv("ODOO_USER"), password = os.getenv("ODOO_PASSWORD")}
local n = odoo:search_count("sale.order", {})
print(("lua5.4: libodoo %s from %s: %d orders"):format(libodoo.version(), where, n))
assert(n == 120)
LUA
JOB
"${clean[@]}" /usr/bin/python3 "$src/tests/emulator/run_with_emulator.py" --orders 120 -- \
  bash "$work/job.sh"

if [ ${#mans[@]} -gt 0 ]; then
  step "man -w ${mans[*]}"
  for m in "${mans[@]}"; do
    "${clean[@]}" man -w "$m"
  done
  if [ -e "$src/docs/man/odoo-sync-orders.1" ]; then
    "${clean[@]}" MANPAGER=cat MANWIDTH=80 man odoo-sync-orders > man.txt 2> /dev/null || true
    sed -n '1,4p' man.txt
    [ "$(wc -l < man.txt)" -gt 10 ] || fail "man odoo-sync-orders shows nothing"
  fi
else
  step "man pages: skipped (no docs/man/*.1 in this tree)"
fi

# ---- 4. remove -------------------------------------------------------------------------
step "dpkg --purge ${PKGS[*]}"
$SUDO dpkg --purge "${PKGS[@]}" > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
left=$(installed)
[ -z "$left" ] || fail "dpkg still lists: $left"
if dpkg -l 2> /dev/null | awk '{print $2}' | grep -xE 'libodoo1|libodoo-aws1|libodoo-dev|odoo-tools|python3-libodoo|lua-libodoo'; then
  fail "dpkg -l still shows them"
fi
for pkg in "${PKGS[@]}"; do
  while read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then
      fail "$f ($pkg) is still there"
    fi
  done < "$work/$pkg.files"
done
echo "dpkg -l shows none of ${PKGS[*]}; none of their files is left"
echo "-- debs: ok in $(( $(date +%s) - start )) s"
