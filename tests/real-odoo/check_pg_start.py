#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The harness starts PostgreSQL once when several versions come up together.

ctest runs real_odoo.16..19 side by side; after a reboot the cluster is down
and every one of them finds it so. This stops the cluster, then runs four
`realodoo.py pg` at once (each: start it if down, wait until it takes
connections) and requires all four to succeed and a query to work right after.
Exit 77 (skipped) without a PostgreSQL 15 'main' cluster.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable


def main():
    st = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
    if st.returncode != 0 or not any(l.split()[:2] == ["15", "main"] for l in st.stdout.splitlines()):
        print("check_pg_start: no PostgreSQL 15 'main' cluster: skipped")
        return 77
    subprocess.run(["pg_ctlcluster", "15", "main", "stop"], check=False)
    procs = [subprocess.Popen([PY, os.path.join(HERE, "realodoo.py"), "pg"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(4)]
    failed = 0
    for i, p in enumerate(procs):
        out, _ = p.communicate()
        print("--- realodoo.py pg #%d: exit %d\n%s" % (i, p.returncode, out.strip()))
        failed += p.returncode != 0
    q = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-tA", "-d", "postgres",
                        "-c", "SELECT 42"], capture_output=True, text=True)
    print("--- psql right after: exit %d %r" % (q.returncode, q.stdout.strip()))
    if failed or q.returncode != 0 or q.stdout.strip() != "42":
        print("check_pg_start: FAILED (%d of 4 starts failed)" % failed)
        return 1
    print("check_pg_start: 4 concurrent starts, one cluster, queries work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
