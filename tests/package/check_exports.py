#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A shared library exports exactly its frozen symbol list (jansson-style).

    check_exports.py LIB SONAME LIST HEADER... [--forbid REGEX] [--not-needed NAME]

- the dynamic symbols LIB defines are exactly the names in LIST (the file the
  version script is made from: src/libodoo.sym, src/aws/libodoo-aws.sym);
- LIST names exactly the functions the public HEADERs declare with ODOO_EXTERN
  (a new public function needs its line; a removed one is an ABI break);
- LIB's SONAME is SONAME; no exported name matches --forbid; LIB does not
  need a library whose name contains --not-needed.
"""
import re
import subprocess
import sys


def main(argv):
    args, forbid, not_needed = [], [], []
    it = iter(argv[1:])
    for a in it:
        if a == "--forbid":
            forbid.append(next(it))
        elif a == "--not-needed":
            not_needed.append(next(it))
        else:
            args.append(a)
    lib, soname, listfile, headers = args[0], args[1], args[2], args[3:]
    bad = []
    nm = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                        capture_output=True, text=True).stdout
    exported = {line.split()[-1].split("@")[0] for line in nm.splitlines()
                if len(line.split()) >= 3 and line.split()[1] in "TDBRVWiu"}
    exported.discard("")
    exported = {s for s in exported if not s.startswith("LIBODOO")}
    listed = {l.strip() for l in open(listfile) if l.strip() and not l.startswith("#")}
    declared = set()
    for h in headers:
        declared |= set(re.findall(r"ODOO_EXTERN\([^)]*\)\s*\**\s*(odoo_[a-z0-9_]+)\s*\(",
                                   open(h).read()))
    if exported != listed:
        bad.append("exported but not listed: %s" % sorted(exported - listed))
        bad.append("listed but not exported: %s" % sorted(listed - exported))
    if declared != listed:
        bad.append("declared in the headers but not listed: %s" % sorted(declared - listed))
        bad.append("listed but not declared in the headers: %s" % sorted(listed - declared))
    for rx in forbid:
        hits = sorted(s for s in exported if re.match(rx, s))
        if hits:
            bad.append("exports matching %s: %s" % (rx, hits))
    dyn = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True, text=True).stdout
    got = re.search(r"Library soname: \[(.*)\]", dyn)
    if not got or got.group(1) != soname:
        bad.append("SONAME is %r, not %r" % (got and got.group(1), soname))
    needed = re.findall(r"\(NEEDED\).*\[(.*)\]", dyn)
    for n in not_needed:
        if any(n in x for x in needed):
            bad.append("needs %s: %s" % (n, needed))
    if bad:
        print("%s:\n  " % lib + "\n  ".join(bad))
        return 1
    print("ok: %s exports its %d listed symbols, SONAME %s, needs %s"
          % (lib, len(listed), soname, ", ".join(needed)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
