#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bindings.install: `cmake --install` the build into a fresh prefix, then load the
installed modules the way a user would, with nothing from the build tree around:

    PYTHONPATH=<prefix>/<python dir> python3 -c "import libodoo; import libodoo.aws"
    LUA_CPATH="<prefix>/<lua dir>/?.so" lua5.4 -e 'require "libodoo"; require "libodoo.aws"'

Both must find libodoo.so.N in <prefix> through their RPATH ($ORIGIN), not
through the build tree."""

import argparse
import json
import os
import shutil
import subprocess
import sys


def run(cmd, env=None):
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        sys.exit("check_install: failed (%d): %s" % (done.returncode, " ".join(cmd)))
    return done.stdout


def clean_env(**extra):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cmake", required=True)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--python")
    p.add_argument("--python-dir")
    p.add_argument("--lua")
    p.add_argument("--lua-dir")
    a = p.parse_args()

    shutil.rmtree(a.prefix, ignore_errors=True)
    run([a.cmake, "--install", a.build_dir, "--prefix", a.prefix])
    checked = 0
    if a.python:
        pydir = os.path.join(a.prefix, a.python_dir)
        for name in ("__init__.py", "aws.py", "core.py"):
            assert os.path.isfile(os.path.join(pydir, "libodoo", name)), (pydir, name)
        out = run([a.python, "-c",
                   "import libodoo, sys\n"
                   "assert libodoo.__file__.startswith(sys.argv[1]), libodoo.__file__\n"
                   "print('python', libodoo.version(), libodoo.AccessError.__mro__[1].__name__)\n"
                   "import ctypes, os\n"
                   "maps = open('/proc/self/maps').read()\n"
                   "lib = [l.split()[-1] for l in maps.splitlines() if 'libodoo.so' in l]\n"
                   "assert lib and all(x.startswith(sys.argv[1]) for x in lib), lib\n"
                   "print('python uses', sorted(set(lib)))\n"
                   "assert 'libodoo.aws' not in sys.modules\n"
                   "from libodoo import aws\n"
                   "assert aws.__file__.startswith(sys.argv[1]), aws.__file__\n"
                   "print('python aws', aws.DynamoDB.__name__, aws.dynamodb_sink.__name__)\n",
                   a.prefix],
                  env=clean_env(PYTHONPATH=pydir))
        assert "python " in out and "python aws DynamoDB dynamodb_sink" in out
        checked += 1
    if a.lua:
        luadir = os.path.join(a.prefix, a.lua_dir)
        assert os.path.isfile(os.path.join(luadir, "libodoo.so")), luadir
        out = run([a.lua, "-e",
                   "local prefix = %s\n" % json.dumps(a.prefix) +
                   "local l = require 'libodoo'\n"
                   "print('lua', l.version(), package.searchpath('libodoo', package.cpath))\n"
                   "local aws = require 'libodoo.aws'\n"
                   "assert(type(aws.dynamodb_sink) == 'function' and aws.DynamoDB)\n"
                   "print('lua aws', aws.AWS_DEFAULT_MAX_RETRIES)\n"
                   "for line in io.lines('/proc/self/maps') do\n"
                   "  local path = line:match('(%S*libodoo%.so%S*)$')\n"
                   "  if path then assert(path:sub(1, #prefix) == prefix, path) end\n"
                   "end\n"],
                  env=clean_env(LUA_CPATH=os.path.join(luadir, "?.so")))
        assert "lua\t" in out and "lua aws\t" in out
        checked += 1
    if not checked:
        sys.exit("check_install: no binding to check")
    print("check_install: %d binding(s) load from %s" % (checked, a.prefix))


if __name__ == "__main__":
    main()
