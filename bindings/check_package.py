#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bindings.python.wheel and bindings.lua.rockspec: the bindings packaged the way
Python and Lua users install them, built against the C library installed in a
temporary prefix (found with pkg-config), then the binding's tests run from
what was installed, with nothing from the build tree on any path:

  wheel  cmake --install BUILD --prefix WORK/prefix
         python3 -m build --wheel --no-isolation   (bindings/python, PKG_CONFIG_PATH=prefix)
         python3 -m venv WORK/venv                  (a plain venv)
         WORK/venv/bin/python -m pip install --no-index WORK/dist/libodoo-*.whl
         each suite: run_with_emulator.py OPTS -- WORK/venv/bin/python -m pytest tests/SUITE
  rock   cmake --install BUILD --prefix WORK/prefix
         luarocks --lua-version 5.4 make --tree WORK/tree libodoo-*.rockspec   (bindings/lua)
         each suite: run_with_emulator.py OPTS -- lua5.4 tests/run.lua tests/SUITE
                     (LUA_CPATH=WORK/tree/lib/lua/5.4/?.so, LUA_PATH=tests/?.lua)

The extension and the Lua module find libodoo.so.N in the prefix through the
RPATH setup.py and rock.mk give them (the prefix's lib directory is not a system
one): no LD_LIBRARY_PATH is set, and a check reads /proc/self/maps.

The venv has no pytest (pip cannot fetch one offline): the venv's python imports
Debian's pytest through PYTHONPATH=WORK/pytest-only, a directory of links to
pytest and its dependencies only, so that no other system package (a
python3-libodoo, say) can shadow the installed wheel.

The sources are copied to WORK/src first (the builds write into their source
directory). WORK is removed when everything passed. Exit 77 (ctest: skipped)
when a tool is missing: python3-build, python3-venv, luarocks
(tests/setup-debian.sh installs them).

  check_package.py wheel|rock --cmake CMAKE --build-dir BUILD --source REPO --work WORK
                   --emulator run_with_emulator.py [--python PY] [--lua LUA]
                   --suite 'test_x.py|EMULATOR OPTIONS' ..."""

import argparse
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

SKIP = 77


def shown(cmd):
    """The command as printed: an API key given to the emulator is not, and an
    inline script (python -c, lua -e) only by its first line."""
    out, hide = [], False
    for arg in cmd:
        if "\n" in arg.strip():
            arg = arg.strip().split("\n", 1)[0] + " ..."
        out.append("***" if hide else arg)
        hide = arg == "--api-key"
    return " ".join(shlex.quote(a) for a in out)


def step(title):
    print("\n=== %s" % title, flush=True)


def run(cmd, env, cwd=None, capture=False):
    print("+ " + shown(cmd), flush=True)
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    sys.stdout.write(done.stdout)
    print("  (exit %d, %.1f s)" % (done.returncode, time.monotonic() - start), flush=True)
    if done.returncode != 0:
        sys.exit("check_package: failed: " + shown(cmd))
    return done.stdout if capture else None


def skip(reason):
    print("check_package: SKIPPED: %s (tests/setup-debian.sh installs it)" % reason, flush=True)
    sys.exit(SKIP)


def base_env(work, **extra):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.path.join(work, "home"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(extra)
    return env


def install_prefix(a, work):
    step("install the C library into a temporary prefix")
    prefix = os.path.join(work, "prefix")
    run([a.cmake, "--install", a.build_dir, "--prefix", prefix], base_env(work))
    pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "libodoo.pc"), recursive=True)
    if len(pcs) != 1:
        sys.exit("check_package: libodoo.pc not found once under %s: %s" % (prefix, pcs))
    pcdir = os.path.dirname(pcs[0])
    print("pkg-config directory: %s" % pcdir)
    return prefix, pcdir


def copy_sources(a, work, language):
    """bindings/{libodoo.i,common,<language>} into WORK/src/bindings (the layout the
    builds expect: the interface and the glue one level above the language)."""
    src = os.path.join(work, "src", "bindings")
    os.makedirs(src)
    bindings = os.path.join(a.source, "bindings")
    ignore = shutil.ignore_patterns("__pycache__", "build", "dist", "*.egg-info", "build-rock",
                                    "core.py", "_core*.so")
    shutil.copy2(os.path.join(bindings, "libodoo.i"), src)
    shutil.copytree(os.path.join(bindings, "common"), os.path.join(src, "common"), ignore=ignore)
    shutil.copytree(os.path.join(bindings, language), os.path.join(src, language), ignore=ignore)
    return os.path.join(src, language)


def suites(a):
    out = []
    for spec in a.suite:
        name, _, opts = spec.partition("|")
        out.append((name, shlex.split(opts)))
    if not out:
        sys.exit("check_package: no --suite given")
    return out


PYTEST_LINKS = r"""
import importlib.metadata as md, importlib.util, os, re, sys
todo, seen, tops = ["pytest"], set(), set()
while todo:
    name = todo.pop()
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        continue
    seen.add(key)
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        continue
    top = dist.read_text("top_level.txt")
    if top:
        tops.update(top.split())
    for f in dist.files or []:
        first = f.parts[0]
        if first not in ("..",) and not first.endswith((".dist-info", ".egg-info")) \
                and first != "__pycache__":
            tops.add(first[:-3] if first.endswith(".py") else first)
    for req in dist.requires or []:
        if "extra ==" not in req:
            todo.append(re.match(r"[A-Za-z0-9_.-]+", req).group(0))
for top in sorted(tops):
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.origin and not spec.submodule_search_locations:
        continue
    if spec.submodule_search_locations:
        path = list(spec.submodule_search_locations)[0]
    else:
        path = spec.origin
    link = os.path.join(sys.argv[1], os.path.basename(path))
    if not os.path.lexists(link):
        os.symlink(path, link)
        print(top, "->", path)
"""


def check_wheel(a, work):
    py = a.python
    env = base_env(work)
    for module, why in (("build", "python3-build (python3 -m build)"),
                        ("venv", "python3-venv"), ("ensurepip", "python3-venv (ensurepip)"),
                        ("pytest", "python3-pytest")):
        if subprocess.run([py, "-c", "import " + module], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False).returncode != 0:
            skip("%s cannot import %s: %s is missing" % (py, module, why))

    prefix, pcdir = install_prefix(a, work)
    srcdir = copy_sources(a, work, "python")

    step("build the wheel against the installed libodoo (pkg-config, SWIG, offline)")
    dist = os.path.join(work, "dist")
    run([py, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, srcdir],
        base_env(work, PKG_CONFIG_PATH=pcdir))
    wheels = glob.glob(os.path.join(dist, "libodoo-*.whl"))
    if len(wheels) != 1:
        sys.exit("check_package: expected one wheel in %s: %s" % (dist, wheels))
    wheel = wheels[0]
    names = run([py, "-m", "zipfile", "-l", wheel], env, capture=True)
    for needed in ("libodoo/__init__.py", "libodoo/aws.py", "libodoo/core.py", "libodoo/_core.",
                   "libodoo/__init__.pyi", "libodoo/aws.pyi", "libodoo/py.typed"):
        if needed not in names:
            sys.exit("check_package: %s is not in %s" % (needed, wheel))
    print("wheel: %s (%d bytes)" % (os.path.basename(wheel), os.path.getsize(wheel)))

    step("a fresh venv, the wheel installed into it with pip (no index)")
    venv = os.path.join(work, "venv")
    run([py, "-m", "venv", venv], env)
    vpy = os.path.join(venv, "bin", "python")
    run([vpy, "-m", "pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check",
         "--no-cache-dir", wheel], env)

    step("pytest for the venv's python: links to Debian's pytest and its dependencies only")
    shim = os.path.join(work, "pytest-only")
    os.makedirs(shim)
    run([py, "-c", PYTEST_LINKS, shim], env)
    tenv = base_env(work, PATH=os.path.join(venv, "bin") + ":/usr/bin:/bin", PYTHONPATH=shim)
    run([vpy, "-c",
         "import libodoo, os, pytest, sys\n"
         "venv, prefix = sys.argv[1:]\n"
         "assert libodoo.__file__.startswith(venv + '/'), libodoo.__file__\n"
         "maps = {l.split()[-1] for l in open('/proc/self/maps')}\n"
         "libs = sorted(p for p in maps if os.path.basename(p).startswith('libodoo'))\n"
         "assert libs and all(x.startswith(prefix + '/') for x in libs), libs\n"
         "from libodoo import aws\n"
         "print('libodoo', libodoo.version(), 'from', libodoo.__file__)\n"
         "print('libraries', libs)\n"
         "print('pytest', pytest.__version__, 'from', pytest.__file__)\n",
         venv, prefix], tenv)

    tests = os.path.join(a.source, "bindings", "python", "tests")
    for name, opts in suites(a):
        step("tests/%s from the venv, against the emulator" % name)
        run([a.python, a.emulator, *opts, "--", vpy, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             os.path.join(tests, name)], tenv)
    return "wheel %s installed into a venv; %d suites passed" % (os.path.basename(wheel),
                                                               len(a.suite))


def check_rock(a, work):
    luarocks = shutil.which("luarocks", path="/usr/bin:/bin:/usr/local/bin")
    if not luarocks:
        skip("luarocks not found")
    prefix, pcdir = install_prefix(a, work)
    srcdir = copy_sources(a, work, "lua")
    specs = glob.glob(os.path.join(srcdir, "libodoo-*.rockspec"))
    if len(specs) != 1:
        sys.exit("check_package: expected one rockspec in %s: %s" % (srcdir, specs))

    step("luarocks make into a local tree, against the installed libodoo (pkg-config, SWIG)")
    tree = os.path.join(work, "tree")
    run([luarocks, "--lua-version", "5.4", "make", "--tree", tree, os.path.basename(specs[0])],
        base_env(work, PKG_CONFIG_PATH=pcdir), cwd=srcdir)
    run([luarocks, "--lua-version", "5.4", "list", "--tree", tree, "--porcelain"], base_env(work))
    cpath = os.path.join(tree, "lib", "lua", "5.4")
    if not os.path.isfile(os.path.join(cpath, "libodoo.so")):
        sys.exit("check_package: %s/libodoo.so missing" % cpath)

    tests = os.path.join(a.source, "bindings", "lua", "tests")
    tenv = base_env(work, LUA_CPATH=os.path.join(cpath, "?.so"),
                    LUA_PATH=os.path.join(tests, "?.lua"))
    run([a.lua, "-e",
         "local tree, prefix = %s, %s\n" % (json.dumps(tree), json.dumps(prefix)) +
         "local l = require 'libodoo'\n"
         "local aws = require 'libodoo.aws'\n"
         "local where = package.searchpath('libodoo', package.cpath)\n"
         "assert(where:sub(1, #tree + 1) == tree .. '/', where)\n"
         "assert(aws.DynamoDB and type(aws.dynamodb_sink) == 'function')\n"
         "for line in io.lines('/proc/self/maps') do\n"
         "  local path = line:match('(/%S*libodoo%S*)$')\n"
         "  if path and path ~= where then\n"
         "    assert(path:sub(1, #prefix + 1) == prefix .. '/', path)\n"
         "  end\n"
         "end\n"
         "print('libodoo', l.version(), 'from', where)\n"], tenv)

    for name, opts in suites(a):
        step("tests/%s with the rock's module, against the emulator" % name)
        run([a.python, a.emulator, *opts, "--", a.lua, os.path.join(tests, "run.lua"),
             os.path.join(tests, name)], tenv)
    return "rock installed into %s; %d suites passed" % (tree, len(a.suite))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=("wheel", "rock"))
    p.add_argument("--cmake", required=True)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--emulator", required=True)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--lua", default="lua5.4")
    p.add_argument("--suite", action="append", default=[])
    a = p.parse_args()
    a.source = os.path.abspath(a.source)
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "home"), exist_ok=True)
    # every command runs there: a `python -c` or `python -m` puts its current
    # directory first on sys.path, and ctest's (the build tree) holds a libodoo/
    os.chdir(work)
    start = time.monotonic()
    summary = (check_wheel if a.kind == "wheel" else check_rock)(a, work)
    os.chdir("/")
    shutil.rmtree(work, ignore_errors=True)
    print("\ncheck_package: %s (%.1f s)" % (summary, time.monotonic() - start), flush=True)


if __name__ == "__main__":
    main()
