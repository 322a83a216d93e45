#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Self-test of check_docs.py (ctest: docs.check_selftest, label docs).

Every rule must be able to fail: each case below breaks one fact in a shadow
copy of the repository (docs/, include/, README.md, CHANGELOG.md and
CMakeLists.txt copied, everything else symlinked), runs check_docs.py on it
and expects exit status 1 with the expected complaint. The unbroken copy must
pass. Mutations are regular expressions or appended lines, so that ordinary
edits of the docs do not break this test; a mutation that no longer finds its
target fails with a message saying so.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".."))
CHECK = os.path.join(HERE, "check_docs.py")
COPIED = ("docs", "include", "README.md", "CHANGELOG.md", "CMakeLists.txt")


def sub(rel, pattern, repl, count=1):
    def apply(root):
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
        if n == 0:
            raise LookupError("mutation target gone: /%s/ in %s (update %s)"
                              % (pattern, rel, os.path.basename(__file__)))
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return apply


def append(rel, line):
    def apply(root):
        with open(os.path.join(root, rel), "a", encoding="utf-8") as f:
            f.write("\n" + line + "\n")
    return apply


def comment_span(text, name):
    """(start, end) of the doc comment right before ODOO_EXTERN(...) name(."""
    m = re.search(r"ODOO_EXTERN\([^)]*\)\s*%s\s*\(" % name, text)
    if not m:
        return None
    end = text.rfind("*/", 0, m.start())
    start = text.rfind("/*", 0, end)
    if end < 0 or start < 0 or text[end + 2:m.start()].strip():
        return None
    return start, end + 2


def in_comment(name, change):
    """Apply change(comment) -> comment to the doc comment of public function name."""
    def apply(root):
        inc = os.path.join(root, "include")
        for dirpath, _, files in os.walk(inc):
            for f in files:
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                span = comment_span(text, name)
                if span:
                    new = text[:span[0]] + change(text[span[0]:span[1]]) + text[span[1]:]
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write(new)
                    return
        raise LookupError("mutation target gone: no doc comment of %s() in include/" % name)
    return apply


OWNER_WORDS = re.compile(r"borrowed|static|owned|new reference|free(d| it| with)?|valid until|"
                         r"json_decref|odoo_\w*free\w*|caller|cop(y|ied|ies)", re.I)


def strip_ownership(comment):
    return OWNER_WORDS.sub("x", comment)


def a_known_gap():
    """A (function, kind) of check_docs.KNOWN_HEADER_GAPS, or None when it is empty."""
    sys.path.insert(0, HERE)
    import check_docs  # noqa: E402 (this directory)
    gaps = sorted(check_docs.KNOWN_HEADER_GAPS)
    return gaps[0] if gaps else None


GAP = a_known_gap()

CASES = [
    # headers: an ownership word removed, a comment removed, a known gap fixed
    ("headers: returned pointer without owner",
     in_comment("odoo_error_message", strip_ownership),
     "odoo_error_message(): returns const char *"),
    ("headers: no doc comment",
     in_comment("odoo_client_uid", lambda c: ""),
     "odoo_client_uid(): no doc comment"),
    ("headers: out parameter without owner",
     in_comment("odoo_client_new", strip_ownership),
     "odoo_client_new(): hands out odoo_client **out"),
    ("headers: json_t argument without owner",
     in_comment("odoo_client_set_context", strip_ownership),
     "odoo_client_set_context(): takes json_t *context"),
] + ([
    ("headers: a known gap that was fixed leaves the list",
     in_comment(GAP[0], lambda c: c[:-2] + "Borrowed; owned by the caller: free with x(). */"),
     "%s() (%s) is documented now" % GAP),
] if GAP else []) + [
    # ownership
    ("ownership: a destructor missing from docs/ownership.md",
     sub("docs/ownership.md", r"odoo_iter_free\(\)", "the iterator's free", count=0),
     "odoo_iter_free() (include/odoo/model.h"),
    ("ownership: docs/ownership.md names a function that does not exist",
     append("docs/ownership.md", "| `odoo_iter_destroy()` | caller | nothing |"),
     "names odoo_iter_destroy(), which no public header declares"),
    # versions
    ("versions: CMake raises the libcurl minimum",
     sub("CMakeLists.txt", r"find_package\(CURL \d+\.\d+", "find_package(CURL 7.99"),
     "states libcurl minimum"),
    ("versions: a doc states another jansson minimum",
     sub("README.md", r"jansson >= \d+\.\d+", "jansson >= 2.99"),
     "states jansson minimum 2.99"),
    ("versions: a doc says curl X is required",
     append("docs/threading.md", "Threads need libcurl 7.11 or newer."),
     "states libcurl minimum 7.11"),
    ("versions: CMake's minimum in README.md",
     sub("README.md", r"CMake >= \d+\.\d+", "CMake >= 3.10"),
     "states CMake minimum 3.10"),
    ("versions: no doc states the jansson minimum",
     sub("README.md", r"jansson >= \d+\.\d+", "jansson"),
     "no doc states the jansson minimum"),
    # changelog
    ("changelog: a heading twice under one version",
     sub("CHANGELOG.md", r"^(### Changed\n)", r"\1- x\n\n### Changed\n"),
     "### Changed appears twice"),
    ("changelog: not a Keep a Changelog heading",
     sub("CHANGELOG.md", r"^### Fixed$", "### Bug fixes"),
     "### Bug fixes under"),
    # defaults
    ("defaults: a docs table disagrees with the macro",
     sub("docs/retries.md", r"^(\| `max_retries` \| )\d+", r"\g<1>5"),
     "says `max_retries` defaults to 5"),
    ("defaults: the macro changes under the docs",
     sub("include/odoo/client.h", r"(#define ODOO_DEFAULT_RETRY_BASE_MS )\d+", r"\g<1>999"),
     "999 (odoo_client_options)"),
    ("defaults: a header field comment disagrees with the initialiser",
     sub("include/odoo/aws/credentials.h", r"default \d+ ms \*/", "default 1 ms */"),
     "the comment says default 1 ms"),
    ("defaults: prose about the client's timeouts",
     append("docs/threading.md", "Timeouts: connect (15 s) and whole-exchange (120 s) timeouts."),
     "connect_timeout_ms defaults to 15 s"),
    ("defaults: a prose default of an option",
     append("docs/aws.md", "The margin is `refresh_margin_s` (default 200 s)."),
     "says `refresh_margin_s` defaults to 200 s"),
    ("defaults: an enum default in a table",
     append("docs/sinks.md", "| option | default |\n|---|---|\n| `mode` | `ODOO_DYNAMODB_CONDITIONAL` |"),
     "says `mode` defaults to ODOO_DYNAMODB_CONDITIONAL"),
    ("retries: a doc says the library does not retry",
     append("docs/error-handling.md", "This version does not retry by itself."),
     "but the client retries by default"),
    # paths
    ("paths: a relative link to a missing doc",
     append("docs/testing.md", "See [the missing page](missing-page.md)."),
     "link to missing-page.md"),
    ("paths: a backticked repository path that does not exist",
     append("docs/testing.md", "The tests live in `tests/no-such-dir/test_x.c`."),
     "names `tests/no-such-dir/test_x.c`"),
    ("paths: a header that does not exist",
     append("README.md", "Include `odoo/nothing.h`."),
     "names the header `odoo/nothing.h`"),
    ("paths: a plain-text path that does not exist",
     append("docs/retries.md", "The loop is in src/core/no_such_file.c now."),
     "names src/core/no_such_file.c"),
    ("names: a doc names a function that does not exist",
     append("docs/model.md", "Call `odoo_iter_rewind()` to start again."),
     "names odoo_iter_rewind()"),
    ("names: a doc names an internal function that does not exist",
     append("docs/retries.md", "See `odoo__no_such_helper()`."),
     "names odoo__no_such_helper()"),
    ("index: a page README.md does not link",
     append("docs/orphan.md", "# An orphan page"),
     "does not link docs/orphan.md"),
    ("macros: a doc names a macro nobody defines",
     append("docs/model.md", "Pages hold `ODOO_" + "NO_SUCH_MACRO` records."),
     "names ODOO_" + "NO_SUCH_MACRO"),
    ("paths: a glob that matches nothing",
     append("docs/testing.md", "Every `tests/unit/zz_*.c` file."),
     "names `tests/unit/zz_*.c`"),
]


def make_shadow(tmp, name):
    root = os.path.join(tmp, name)
    os.mkdir(root)
    for name in os.listdir(ROOT):
        if name.startswith("build") or name in (".git",):
            continue
        src = os.path.join(ROOT, name)
        if name in COPIED:
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(root, name))
        else:
            os.symlink(src, os.path.join(root, name))
    return root


def run(root):
    p = subprocess.run([sys.executable, CHECK, root], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode, p.stdout


def main():
    failures = 0
    with tempfile.TemporaryDirectory(prefix="docs-check-") as tmp:
        root = make_shadow(tmp, "baseline")
        rc, out = run(root)
        if rc != 0:
            print("FAIL baseline: the unbroken copy does not pass:\n" + out)
            return 1
        print("ok   baseline passes")
        for i, (title, mutate, expect) in enumerate(CASES):
            root = make_shadow(tmp, "case%02d" % i)
            try:
                mutate(root)
            except LookupError as e:
                print("FAIL %s: %s" % (title, e))
                failures += 1
                continue
            rc, out = run(root)
            if rc == 1 and expect in out:
                print("ok   %s" % title)
            else:
                print("FAIL %s: expected exit 1 and %r, got %d:\n%s" % (title, expect, rc, out))
                failures += 1
    print("%d of %d cases failed" % (failures, len(CASES)) if failures else
          "all %d cases fail as they should" % len(CASES))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
