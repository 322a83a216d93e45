#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the real-Odoo suite against one version:

    run_suite.py VERSION [--build DIR] [--keep] [--report FILE] [-- PYTEST_ARGS...]

Boots Odoo VERSION.0 with realodoo.py (a fresh copy of the template
database), runs pytest over tests/real-odoo with its environment, prints
the results by tool and transport, appends them to --report (Markdown) and
stops the server (unless --keep). Exit 77 (skipped) without an Odoo source,
else pytest's status.
"""
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
REALODOO = os.path.join(HERE, "realodoo.py")
PY = "/usr/bin/python3"


def server_env(v):
    out = subprocess.run([PY, REALODOO, "env", v], check=True, capture_output=True,
                         text=True).stdout
    env = {}
    for line in out.splitlines():
        k, _, val = line[len("export "):].partition("=")
        env[k] = val.strip("'")
    return env


def server_info(v):
    import json
    p = os.path.join(os.environ.get("LIBODOO_REAL_ODOO_DIR", "/var/tmp/libodoo-real-odoo"), v,
                     "server.json")
    try:
        with open(p) as f:
            return json.load(f)
    except OSError:
        return {}


def summarize(junit, v, setup_s, report, tpl=None):
    """Pass/fail counts by (file: tool, transport) from pytest's junit XML."""
    counts = defaultdict(lambda: [0, 0, 0])
    root = ET.parse(junit).getroot()
    for case in root.iter("testcase"):
        name = case.get("name", "")
        mod = case.get("classname", "").split(".")[-1].replace("test_", "")
        transport = "-"
        if "[" in name:
            params = name[name.index("[") + 1:-1].split("-")
            for t in ("session", "jsonrpc-password", "jsonrpc-apikey", "json2"):
                if name.endswith("[" + t + "]") or ("[" + t + "-") in name \
                        or ("-" + t + "]") in name or ("-" + t + "-") in name:
                    transport = t
            del params
        key = (mod, transport)
        if case.find("failure") is not None or case.find("error") is not None:
            counts[key][1] += 1
        elif case.find("skipped") is not None:
            counts[key][2] += 1
        else:
            counts[key][0] += 1
    how = ""
    if tpl:
        how = "; its template database took %s s to install and %s s to seed, once" % (
            tpl.get("install_s", "?"), tpl.get("seed_s", "?"))
    lines = ["", "### Odoo %s.0 (setup %.1f s%s)" % (v, setup_s, how), "",
             "| area | transport | passed | failed | skipped |", "|---|---|---|---|---|"]
    for (mod, t), (p, f, s) in sorted(counts.items()):
        lines.append("| %s | %s | %d | %d | %d |" % (mod, t, p, f, s))
    tot = [sum(c[i] for c in counts.values()) for i in range(3)]
    lines.append("| **all** | | **%d** | **%d** | **%d** |" % tuple(tot))
    text = "\n".join(lines) + "\n"
    print(text)
    if report:
        with open(report, "a") as f:
            f.write(text)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    v = argv[1]
    rest = argv[2:]
    pytest_args = []
    if "--" in rest:
        i = rest.index("--")
        pytest_args = rest[i + 1:]
        rest = rest[:i]
    build = os.path.join(PROJECT, "build")
    keep = False
    report = None
    while rest:
        a = rest.pop(0)
        if a == "--build":
            build = os.path.abspath(rest.pop(0))
        elif a == "--keep":
            keep = True
        elif a == "--report":
            report = rest.pop(0)
        else:
            print("run_suite: unknown argument %s" % a, file=sys.stderr)
            return 2
    t0 = time.time()
    up = subprocess.run([PY, REALODOO, "up", v])
    if up.returncode == 77:
        return 77
    if up.returncode != 0:
        return up.returncode
    setup_s = time.time() - t0
    tpl = server_info(v).get("template_timing")
    try:
        env = dict(os.environ, **server_env(v))
        env["LIBODOO_BUILD_DIR"] = build
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        junit = os.path.join(build, "real-odoo-%s.xml" % v)
        cmd = [PY, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE",
               "--junitxml", junit, HERE] + pytest_args
        rc = subprocess.run(cmd, env=env, cwd=HERE).returncode
        if os.path.exists(junit):
            summarize(junit, v, setup_s, report, tpl)
        return rc
    finally:
        if not keep:
            subprocess.run([PY, REALODOO, "down", v])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
