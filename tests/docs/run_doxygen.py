#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Build the HTML reference of the public headers and fail on any doxygen warning
(ctest: docs.doxygen, label docs).

Usage: run_doxygen.py DOXYGEN DOXYFILE

DOXYFILE is the configured docs/Doxyfile.in (BUILD/docs/Doxyfile): EXTRACT_ALL = NO,
WARN_IF_UNDOCUMENTED, WARN_NO_PARAMDOC and WARN_AS_ERROR = FAIL_ON_WARNINGS, so an
undocumented function, parameter or return value is a warning. The output goes to a
temporary directory (the `doc` target's own output is left alone). Prints every
warning, then "doxygen: N warnings"; exits 1 when N > 0 or doxygen fails, 77 (ctest:
skipped) when DOXYGEN is not a program (tests/setup-debian.sh installs it).
Standard library only.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

START_RE = re.compile(r":\d+: (warning|error): |^(warning|error): ", re.I)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    doxygen, doxyfile = sys.argv[1], sys.argv[2]
    if not doxygen or doxygen.endswith("NOTFOUND") or not shutil.which(doxygen):
        print("doxygen: not installed, skipped (tests/setup-debian.sh installs it)")
        return 77
    version = subprocess.run([doxygen, "--version"], capture_output=True, text=True).stdout.strip()
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    with tempfile.TemporaryDirectory(prefix="odoo-doxygen-") as out:
        # a later assignment wins: the same configuration, another output directory
        config += "\nOUTPUT_DIRECTORY = %s\nWARN_LOGFILE =\n" % out
        proc = subprocess.run([doxygen, "-"], input=config, capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(doxyfile)))
        index = os.path.join(out, "html", "index.html")
        built = os.path.exists(index)
        pages = len([n for n in os.listdir(os.path.join(out, "html")) if n.endswith(".html")]) \
            if built else 0
    # one warning: "file:line: warning: text" (with WARN_AS_ERROR doxygen says
    # "error:"), continued on indented lines ("  parameter 'x'")
    warnings, other = [], []
    for line in (proc.stdout + proc.stderr).splitlines():
        if START_RE.search(line):
            warnings.append(line)
        elif warnings and line[:1].isspace() and line.strip():
            warnings[-1] += "\n" + line
        elif line.strip():
            other.append(line)
    for w in warnings:
        print(w)
    for line in other:
        print("doxygen: " + line)
    print("doxygen %s: %d HTML pages, exit status %d" % (version, pages, proc.returncode))
    print("doxygen: %d warnings" % len(warnings))
    if warnings or proc.returncode != 0 or not built:
        if not warnings and proc.returncode != 0:
            print("FAIL: doxygen exited with status %d" % proc.returncode)
        elif not built:
            print("FAIL: no html/index.html was written")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
