#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the first ```<lang> block of a docs page, as a user would run it.

    run_doc_example.py DOC.md LANG EXPECTED_FILE -- INTERPRETER [ARGS...]

The block is written to a fresh directory, which is also the working directory;
the run must exit 0, print something, and leave EXPECTED_FILE there, a JSON
file holding a non-empty array. Runs under run_with_emulator.py (ODOO_* set)."""

import json
import os
import re
import subprocess
import sys
import tempfile


def main(argv):
    if "--" not in argv or len(argv) < 5:
        sys.exit(__doc__)
    split = argv.index("--")
    doc, lang, expected = argv[1:split]
    command = argv[split + 1:]
    text = open(doc, encoding="utf-8").read()
    m = re.search(r"^```%s\n(.*?)^```" % re.escape(lang), text, re.S | re.M)
    if not m:
        sys.exit("%s: no ```%s block" % (doc, lang))
    code = m.group(1)
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "example." + {"python": "py"}.get(lang, lang))
        with open(script, "w", encoding="utf-8") as f:
            f.write(code)
        print("--- %s (%d lines)\n%s---" % (script, code.count("\n"), code), flush=True)
        done = subprocess.run(command + [script], cwd=tmp, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(done.stdout)
        if done.returncode != 0:
            sys.exit("the example failed with status %d" % done.returncode)
        if not done.stdout.strip():
            sys.exit("the example printed nothing")
        with open(os.path.join(tmp, expected), encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, list) or not data:
            sys.exit("%s: not a non-empty array" % expected)
        print("%s: %d records" % (expected, len(data)))


if __name__ == "__main__":
    main(sys.argv)
