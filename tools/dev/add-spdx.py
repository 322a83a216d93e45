#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Add "SPDX-License-Identifier: MIT" to every source file of the project's own.

Usage:
  add-spdx.py [ROOT]           add the line where it is missing (idempotent)
  add-spdx.py --check [ROOT]   only list the files without it; exit 1 if any
                               (ctest: package.spdx)
  add-spdx.py --list [ROOT]    list every file the rule covers, with its comment

ROOT defaults to the repository this script is in. The files are git's (tracked,
and untracked but not ignored) when ROOT is a git work tree, else every file under
ROOT outside the build trees (build*/, out/, node_modules/, __pycache__/).

Covered, with the comment syntax of each:
  C, headers, SWIG interfaces (.c .h .i)       // SPDX-License-Identifier: MIT
  Python (and .pyi stubs), shell, CMake (CMakeLists.txt, .cmake), make (.mk,
  Makefile), YAML, Terraform, TOML, symbol lists (.sym), valgrind suppressions
  (.supp), templates (.in: by the file they make: .pc.in, .cmake.in,
  Doxyfile.in, MANIFEST.in, ...)             # SPDX-License-Identifier: MIT
  Lua and rockspecs                           -- SPDX-License-Identifier: MIT
  man pages (.1 ... .8)                        .\\" SPDX-License-Identifier: MIT
  files without an extension that start with a #! line of sh, bash, python or
  lua (bootstrap, .ci/run)
The line goes first, after a #! line (and after a Python coding line). C files
get a // comment rather than /* */ so that a header's opening comment stays its
first block comment (tests/docs/check_docs.py reads it).

Not covered: Markdown, JSON (wire captures, fixtures), CSV, plain-text lists
(*.txt other than CMakeLists.txt), empty markers (py.typed) and other data, the
captures and corpora (tests/wire/, tests/fuzz/corpus/), LICENSE, and anything
that is not the project's own: a file whose real path is outside ROOT (such as
a link into ../shared, where Odoo's sources used by the tests live) is skipped.

A file counts as done when one of its first 10 lines says
"SPDX-License-Identifier: MIT". Standard library only.
"""

import os
import re
import subprocess
import sys

TAG = "SPDX-License-Identifier: MIT"
HEAD_LINES = 10

C = "// " + TAG
HASH = "# " + TAG
LUA = "-- " + TAG
ROFF = '.\\" ' + TAG

BY_EXT = {
    ".c": C, ".h": C, ".i": C,
    ".py": HASH, ".pyi": HASH, ".sh": HASH, ".bash": HASH, ".cmake": HASH, ".yaml": HASH, ".yml": HASH,
    ".tf": HASH, ".toml": HASH, ".sym": HASH, ".supp": HASH, ".pc": HASH, ".mk": HASH,
    ".lua": LUA, ".rockspec": LUA,
}
BY_NAME = {"CMakeLists.txt": HASH, "Doxyfile": HASH, "Makefile": HASH}
MAN_RE = re.compile(r"\.[1-8]$")
# a template (.in) that makes a file of another type, e.g. config.h.in
TEMPLATE_DEFAULT = HASH

SKIP_DIRS = {".git", "node_modules", "__pycache__", "out"}
SKIP_PREFIXES = ("tests/wire/", "tests/fuzz/corpus/")
SHEBANG = {"sh": HASH, "bash": HASH, "dash": HASH, "python": HASH, "python3": HASH,
           "lua": LUA, "lua5.4": LUA}


def comment_for(rel, head):
    """The SPDX comment line for a file, or None when the rule does not cover it."""
    if rel.startswith(SKIP_PREFIXES):
        return None
    name = os.path.basename(rel)
    if name.endswith(".in") and name != ".in":
        inner = name[:-3]
        return comment_for(os.path.join(os.path.dirname(rel), inner), head) or TEMPLATE_DEFAULT
    if name in BY_NAME:
        return BY_NAME[name]
    ext = os.path.splitext(name)[1]
    if ext in BY_EXT:
        return BY_EXT[ext]
    if MAN_RE.search(name):
        return ROFF
    if not ext and head.startswith("#!"):
        words = head.splitlines()[0][2:].split()
        prog = os.path.basename(words[0]) if words else ""
        if prog == "env" and len(words) > 1:
            prog = words[1]
        return SHEBANG.get(prog)
    return None


def project_files(root):
    """Repository-relative paths of the files to consider."""
    if os.path.isdir(os.path.join(root, ".git")):
        try:
            out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                                  "--exclude-standard"], capture_output=True, check=True).stdout
            files = sorted(set(p for p in out.decode("utf-8", "replace").split("\0") if p))
            return [p for p in files if os.path.isfile(os.path.join(root, p))]
        except (OSError, subprocess.CalledProcessError):
            pass
    files = []
    for d, dirs, names in os.walk(root):
        reld = os.path.relpath(d, root)
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS
                         and not (reld == "." and x.startswith("build")))
        for n in names:
            files.append(os.path.normpath(os.path.join(reld, n)))
    return sorted(files)


def head_of(path, n=4096):
    try:
        with open(path, "rb") as f:
            return f.read(n).decode("utf-8", "replace")
    except OSError:
        return ""


def has_tag(text):
    return any(TAG in line for line in text.splitlines()[:HEAD_LINES])


def covered(root):
    """[(rel, comment)] of the files the rule covers."""
    real_root = os.path.realpath(root)
    out = []
    for rel in project_files(root):
        path = os.path.join(root, rel)
        real = os.path.realpath(path)
        if os.path.commonpath([real, real_root]) != real_root:
            continue  # not the project's own (e.g. a link into ../shared)
        comment = comment_for(rel.replace(os.sep, "/"), head_of(path))
        if comment:
            out.append((rel, comment))
    return out


def add(path, comment):
    """Insert the comment line; True when the file changed."""
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    if has_tag(text):
        return False
    nl = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
    lines = text.splitlines(keepends=True)
    at = 0
    if lines and lines[0].startswith("#!"):
        at = 1
        if comment == HASH and len(lines) > 1 and re.match(r"^#.*coding[:=]", lines[1]):
            at = 2
    elif comment == HASH and lines and re.match(r"^#.*coding[:=]", lines[0]):
        at = 1
    if at and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += nl
    lines.insert(at, comment + nl)
    mode = os.stat(path).st_mode
    tmp = path + ".spdx-tmp"
    with open(tmp, "wb") as f:
        f.write("".join(lines).encode("utf-8"))
    os.chmod(tmp, mode & 0o7777)
    os.replace(tmp, path)
    return True


def main(argv):
    mode = "add"
    args = []
    for a in argv:
        if a in ("--check", "--list"):
            mode = a[2:]
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    if len(args) > 1:
        print("usage: add-spdx.py [--check|--list] [ROOT]", file=sys.stderr)
        return 2
    root = os.path.abspath(args[0] if args else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    files = covered(root)
    if mode == "list":
        for rel, comment in files:
            print("%s\t%s" % (rel, comment))
        return 0
    if mode == "check":
        missing = [rel for rel, _ in files
                   if not has_tag(head_of(os.path.join(root, rel), 8192))]
        for rel in missing:
            print("no SPDX line: %s" % rel)
        print("package.spdx: %d of %d source files carry \"%s\"%s"
              % (len(files) - len(missing), len(files), TAG,
                 "; add it with tools/dev/add-spdx.py" if missing else ""))
        return 1 if missing else 0
    changed = 0
    for rel, comment in files:
        try:
            if add(os.path.join(root, rel), comment):
                changed += 1
                print("added: %s" % rel)
        except UnicodeDecodeError:
            print("skipped (not UTF-8 text): %s" % rel, file=sys.stderr)
    print("add-spdx: %d files changed, %d already had the line" % (changed, len(files) - changed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
