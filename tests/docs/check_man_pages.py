#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check the tools' man pages against their --help (ctest: docs.man_pages, label docs).

Usage: check_man_pages.py MAN_DIR [TOOL=PROGRAM ...]

For every TOOL=PROGRAM (odoo-call=BUILD/tools/odoo-call, ...), MAN_DIR/TOOL.1:
  - exists and has the sections NAME, SYNOPSIS, DESCRIPTION, OPTIONS, ENVIRONMENT,
    EXIT STATUS, EXAMPLES and SEE ALSO, and its NAME line starts with the tool's name;
  - names every option PROGRAM --help names (--pretty, -o, ...), and no option --help
    does not name;
  - lists in EXIT STATUS exactly the exit codes of --help's "Exit status" text;
  - renders without a warning: groff -man -Tutf8 -ww -z, and man --warnings=w -l (man-db) when
    installed.
Every TOOL.1 in MAN_DIR must have a TOOL=PROGRAM (a page for a tool that is not built
is reported). Prints one line per problem and a summary; exits 1 on any problem.
Standard library only.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "EXIT STATUS",
            "EXAMPLES", "SEE ALSO"]
# an option: --long-name or -x, not inside a word (e-mail, 502/503) nor a number (-1)
OPTION_RE = re.compile(r"(?<![\w/.-])(--[a-z][a-z0-9]*(?:-[a-z0-9]+)*|-[a-zA-Z])(?![\w-])")

PROBLEMS = []


def problem(where, msg):
    PROBLEMS.append("%s: %s" % (where, msg))


def help_text(program):
    proc = subprocess.run([program, "--help"], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LC_ALL="C"))
    if proc.returncode != 0:
        problem(program, "--help exited with status %d" % proc.returncode)
    return proc.stdout + proc.stderr


def help_options(text):
    return set(OPTION_RE.findall(text))


def help_exit_codes(text):
    """The codes of the "Exit status" paragraph: "  0  success" lines, or "0 all; 1 some"."""
    m = re.search(r"^Exit status:(.*?)(?:\n\s*\n|\Z)", text, re.S | re.M | re.I)
    if not m:
        return None
    return set(re.findall(r"(?:^|:|;)\s*(\d+)\s+[A-Za-z(]", m.group(1), re.M))


def roff_plain(src):
    """The man page's source without comments, escapes turned into plain characters."""
    lines = [l for l in src.splitlines() if not l.startswith('.\\"')]
    text = "\n".join(lines)
    text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\(aq", "'")
    text = re.sub(r"\\f[BIRP]", "", text)
    text = re.sub(r"\\\(\w\w", "", text)
    text = text.replace("\\&", "")
    return text


def sections(plain):
    """{section name: its text} of the .SH sections."""
    out, cur = {}, None
    for line in plain.splitlines():
        m = re.match(r'^\.SH\s+"?([^"]+?)"?\s*$', line)
        if m:
            cur = m.group(1).strip().upper()
            out[cur] = ""
        elif cur:
            out[cur] += line + "\n"
    return out


def render_warnings(path):
    """Warnings of groff -ww and of man -l (man-db), if installed."""
    found = []
    ran = []
    if shutil.which("groff"):
        proc = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path],
                              capture_output=True, text=True, timeout=60)
        ran.append("groff")
        found += ["groff: " + l for l in proc.stderr.splitlines() if l.strip()]
        if proc.returncode != 0:
            found.append("groff exited with status %d" % proc.returncode)
    if shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="", LC_ALL="C.UTF-8")
        proc = subprocess.run(["man", "--warnings=w", "-l", path], capture_output=True,
                              text=True, timeout=60, env=env)
        ran.append("man -l")
        found += ["man: " + l for l in proc.stderr.splitlines() if l.strip()]
        if proc.returncode != 0:
            found.append("man -l exited with status %d" % proc.returncode)
        elif len(proc.stdout.splitlines()) < 20:
            found.append("man -l rendered only %d lines" % len(proc.stdout.splitlines()))
    if not ran:
        found.append("neither groff nor man is installed (tests/setup-debian.sh installs them)")
    return found, ran


def check_tool(man_dir, tool, program):
    path = os.path.join(man_dir, tool + ".1")
    rel = os.path.join(os.path.basename(man_dir), tool + ".1")
    if not os.path.exists(path):
        problem(rel, "missing (the man page of %s)" % tool)
        return 0
    with open(path, encoding="utf-8") as f:
        src = f.read()
    plain = roff_plain(src)
    secs = sections(plain)
    for s in SECTIONS:
        if s not in secs:
            problem(rel, "no .SH %s section" % s)
    if not re.match(r"^\.TH\s+%s\s+1\s" % re.escape(tool.upper()), plain, re.M):
        problem(rel, "no .TH %s 1 line" % tool.upper())
    name = secs.get("NAME", "").strip()
    if not name.startswith(tool + " - "):
        problem(rel, "the NAME section must read \"%s \\- what it does\"" % tool)

    text = help_text(program)
    want = help_options(text)
    if not want:
        problem(program, "--help names no option at all")
    have = help_options(plain)
    for o in sorted(want - have):
        problem(rel, "does not document %s (named by %s --help)" % (o, tool))
    for o in sorted(have - want):
        problem(rel, "documents %s, which %s --help does not name" % (o, tool))

    codes = help_exit_codes(text)
    man_codes = set(re.findall(r"^\.B\s+(\d+)\s*$", secs.get("EXIT STATUS", ""), re.M))
    if codes is None:
        problem(program, "--help has no \"Exit status:\" paragraph")
    else:
        for c in sorted(codes - man_codes, key=int):
            problem(rel, "EXIT STATUS does not list %s (named by %s --help)" % (c, tool))
        for c in sorted(man_codes - codes, key=int):
            problem(rel, "EXIT STATUS lists %s, which %s --help does not name" % (c, tool))

    warnings, ran = render_warnings(path)
    for w in warnings:
        problem(rel, "renders with a warning: " + w)
    print("%s: %d options and %d exit codes as in --help; rendered by %s"
          % (rel, len(want & have), len((codes or set()) & man_codes), " and ".join(ran) or "nothing"))
    return 1


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    man_dir = os.path.abspath(sys.argv[1])
    tools = {}
    for arg in sys.argv[2:]:
        tool, sep, program = arg.partition("=")
        if not sep or not program:
            print("bad argument %r: want TOOL=PROGRAM" % arg, file=sys.stderr)
            return 2
        tools[tool] = program
    pages = sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(man_dir, "*.1")))
    for page in pages:
        if page not in tools:
            problem(os.path.join(os.path.basename(man_dir), page + ".1"),
                    "no program given for it (is %s built?)" % page)
    checked = sum(check_tool(man_dir, t, p) for t, p in sorted(tools.items()))
    for p in PROBLEMS:
        print(p)
    print("docs.man_pages: %d man pages checked, %d problems" % (checked, len(PROBLEMS)))
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
