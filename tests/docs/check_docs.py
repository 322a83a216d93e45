#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check that the docs say what the code does (ctest: docs.check, label docs).

Usage: check_docs.py [SOURCE_DIR]   (default: the repository this file is in)

Each rule prints one line per disagreement, naming the file, the line and the
fact on both sides, and the script exits 1 when any rule found one. Standard
library only (Debian's /usr/bin/python3). The rules:

  headers     every public function (ODOO_EXTERN in include/odoo/**/*.h) has a
              doc comment, and the comment states ownership where pointers
              cross the API: a returned pointer is borrowed / static / owned /
              to be freed; an output parameter `T **` says who frees it; a
              json_t * argument is borrowed or copied (a header's opening
              comment may state that once for all its functions). Gaps already
              reported for include/ are listed in KNOWN_HEADER_GAPS: printed
              as warnings; the list may only shrink.
  ownership   every function that creates or frees an object (a `**` output
              of an opaque handle, *_new, *_open, *_free, functions that hand
              out memory to free) is named in docs/ownership.md, and every
              odoo_* function docs/ownership.md names exists.
  versions    the libcurl and jansson minimums the docs state ("libcurl >=
              7.68", "builds with libcurl 7.68 or newer", "requires curl X")
              match find_package(CURL x.y) and pkg_check_modules(... jansson>=)
              in CMakeLists.txt; so does "CMake >= x.y" (cmake_minimum_required).
  changelog   under each "## [version]" of CHANGELOG.md no "### X" appears
              twice and X is one of Keep a Changelog's six headings.
  defaults    the defaults of the options structs (their *_OPTIONS_INIT
              initialisers, macros resolved) match what the headers' field
              comments and the docs say ("`max_retries` | 3", "(default 10 s)").
  retries     no doc says the library does not retry by itself while
              ODOO_DEFAULT_MAX_RETRIES is above 0.
  index       README.md links every docs/*.md page.
  macros      every ODOO_X the docs name (macro, enum constant, CMake option,
              environment variable) is used by the code, the build or the tests.
  names       every odoo_x() the docs name is declared (odoo__x() in src/).
  paths       every relative link in docs/*.md and README.md points to a file
              that exists, and every backticked repository path (include/...,
              src/..., tests/..., tools/..., apps/..., examples/...,
              bindings/..., docs/..., odoo/x.h) exists (globs and {a,b} too), as
              does every plain-text one with an extension (docs/retries.md).
"""

import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

ERRORS = []
CHECKED = {}  # rule -> how many facts were compared (printed at the end)


def checked(rule, n=1):
    CHECKED[rule] = CHECKED.get(rule, 0) + n


def fail(rule, where, msg):
    ERRORS.append("%s: %s: %s" % (rule, where, msg))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def lineno(text, pos):
    return text.count("\n", 0, pos) + 1


def doc_matches(pattern, flags=0):
    """(where "file:line", match) of a regular expression in every doc file."""
    for rel in doc_files():
        text = read(rel)
        for m in re.finditer(pattern, text, flags):
            yield "%s:%d" % (rel, lineno(text, m.start())), m


def doc_files():
    """README.md and docs/*.md, as repository-relative paths."""
    files = ["README.md"] + sorted(
        os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [f for f in files if os.path.exists(os.path.join(ROOT, f))]


# ---- public headers ----------------------------------------------------------------------

def public_headers():
    return sorted(os.path.relpath(p, ROOT)
                  for p in glob.glob(os.path.join(ROOT, "include", "odoo", "**", "*.h"),
                                     recursive=True))


DECL_RE = re.compile(r"ODOO_EXTERN\((?P<ret>[^)]*)\)\s*(?P<name>odoo_\w+)\s*\((?P<params>[^;{]*?)\)"
                     r"\s*(?:ODOO_\w+(?:\([^)]*\))?\s*)*;", re.S)
COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


def parse_functions():
    """[{name, ret, params, comment, file, line, file_comment}] of every ODOO_EXTERN."""
    funcs = []
    for rel in public_headers():
        text = read(rel)
        first = COMMENT_RE.search(text)
        file_comment = first.group(0) if first and first.start() < 200 else ""
        for m in DECL_RE.finditer(text):
            before = text[:m.start()].rstrip()
            comment = ""
            if before.endswith("*/"):
                start = before.rfind("/*")
                comment = before[start:]
            params = [" ".join(p.split()) for p in m.group("params").split(",")]
            funcs.append({
                "name": m.group("name"), "ret": " ".join(m.group("ret").split()),
                "params": [p for p in params if p and p != "void" and p != "..."],
                "comment": comment, "file": rel, "line": lineno(text, m.start()),
                "file_comment": file_comment,
            })
    return funcs


def opaque_types():
    """Handle types declared as `typedef struct x x;` in the public headers."""
    types = set()
    for rel in public_headers():
        types.update(re.findall(r"typedef\s+struct\s+(\w+)\s+\1\s*;", read(rel)))
    return types


def has(text, words):
    """Whether a comment says one of the words (its line breaks and " * " ignored)."""
    t = " ".join(re.sub(r"\n\s*\*+(?!/)", " ", text).split()).lower()
    return any(re.search(w, t) for w in words)


# A returned pointer: who owns it and how long it lives.
RET_WORDS = [r"borrowed", r"\bstatic\b", r"\bowned\b", r"free it", r"free with", r"odoo_free",
             r"new reference", r"valid until", r"never free"]
# A `T **` output: who frees it.
OUT_WORDS = [r"\bfree\b", r"free with", r"new reference", r"\bowned\b", r"json_decref",
             r"odoo_free", r"wipes? it"]
# A json_t * argument: borrowed or copied.
IN_WORDS = [r"borrowed", r"\bcop(y|ied|ies)\b", r"deep-copied", r"stolen"]


# Header comments known to lack their ownership statement, reported to the owner of
# include/ (issue 15) with the exact fix. They are printed, not failed; a fixed one
# must leave this list (the check fails while it is still here), so it only shrinks.
KNOWN_HEADER_GAPS = set()
KNOWN_SEEN = set()
WARNINGS = []


def header_gap(f, kind, where, msg):
    key = (f["name"], kind)
    if key in KNOWN_HEADER_GAPS:
        KNOWN_SEEN.add(key)
        WARNINGS.append("headers (known, to fix in include/): %s: %s" % (where, msg))
    else:
        fail("headers", where, msg)


def check_headers(funcs):
    for f in funcs:
        where = "%s:%d %s()" % (f["file"], f["line"], f["name"])
        checked("headers")
        c = f["comment"]
        if not c:
            fail("headers", where, "no doc comment")
            continue
        if "*" in f["ret"] and not has(c, RET_WORDS):
            header_gap(f, "ret", where, "returns %s but the comment does not say who owns "
                       "it (borrowed/static/owned/new reference/free with/valid until)" % f["ret"])
        outs = [p for p in f["params"] if "**" in p and "const char **" not in p]
        if outs and all(p.startswith("json_t **") for p in outs) and has(
                f["file_comment"], [r"every json result is a new reference"]):
            outs = []
        if outs and not has(c, OUT_WORDS):
            header_gap(f, "out", where, "hands out %s but the comment does not say who frees "
                       "it (free with ...(), new reference, owned)" % "; ".join(outs))
        # const char ** outputs (odoo_iter_cursor) point into the object: borrowed
        couts = [p for p in f["params"] if "const char **" in p]
        if couts and not has(c, [r"borrowed", r"valid until"]):
            header_gap(f, "out", where,
                       "hands out %s without saying it is borrowed" % "; ".join(couts))
        jin = [p for p in f["params"] if re.match(r"(const )?json_t \*\w", p)]
        if jin and not (has(c, IN_WORDS) or has(f["file_comment"], [r"json argument is borrowed"])):
            header_gap(f, "in", where, "takes %s but neither its comment nor the header's "
                       "opening comment says borrowed or copied" % "; ".join(jin))
    for name, kind in sorted(KNOWN_HEADER_GAPS - KNOWN_SEEN):
        fail("headers", "tests/docs/check_docs.py KNOWN_HEADER_GAPS",
             "%s() (%s) is documented now: remove it from the list" % (name, kind))


# ---- docs/ownership.md ---------------------------------------------------------------------

def creates_or_frees(f, handles):
    n = f["name"]
    if re.search(r"_(new|open|free)$", n) or n in ("odoo_free", "odoo_aws_free_secret"):
        return True
    for p in f["params"]:
        m = re.match(r"(?:const )?(\w+) \*\*", p)
        if m and m.group(1) in handles:
            return True
        if p.startswith("char **"):  # a string handed out to be freed
            return True
    return f["ret"] in ("char *",)


def check_ownership(funcs):
    rel = "docs/ownership.md"
    if not os.path.exists(os.path.join(ROOT, rel)):
        fail("ownership", rel, "missing")
        return
    doc = read(rel)
    named = set(re.findall(r"\b(odoo_\w+)\(\)", doc))
    handles = opaque_types()
    for f in funcs:
        checked("ownership", creates_or_frees(f, handles))
        if creates_or_frees(f, handles) and f["name"] + "()" not in doc:
            fail("ownership", rel, "%s() (%s:%d) creates or frees an object but is not listed "
                 "as `%s()`" % (f["name"], f["file"], f["line"], f["name"]))
    public = {f["name"] for f in funcs}
    for n in sorted(named - public):
        if n.startswith("odoo__"):
            continue
        fail("ownership", "%s:%d" % (rel, lineno(doc, doc.find(n + "()"))),
             "names %s(), which no public header declares" % n)


# ---- dependency versions -------------------------------------------------------------------

def check_versions():
    cm = read("CMakeLists.txt")
    want = {}
    m = re.search(r"find_package\(\s*CURL\s+(\d+\.\d+(?:\.\d+)?)", cm)
    if m:
        want["libcurl"] = m.group(1)
    else:
        fail("versions", "CMakeLists.txt", "no find_package(CURL x.y ...)")
    m = re.search(r"pkg_check_modules\([^)]*\bjansson\s*>=\s*(\d+\.\d+(?:\.\d+)?)", cm)
    if m:
        want["jansson"] = m.group(1)
    else:
        fail("versions", "CMakeLists.txt", "no pkg_check_modules(... jansson>=x.y)")
    m = re.search(r"cmake_minimum_required\(\s*VERSION\s+(\d+\.\d+(?:\.\d+)?)", cm)
    if m:
        want["CMake"] = m.group(1)
    v = r"(\d+\.\d+(?:\.\d+)?)"
    for lib, names in (("libcurl", r"(?:lib)?curl"), ("jansson", r"jansson"), ("CMake", r"cmake")):
        if lib not in want:
            continue
        pats = [
            names + r"\s*(?:>=|≥|&gt;=)\s*" + v,                       # libcurl >= 7.68
            names + r"\s+" + v + r"\s*(?:\+\s*)?(?:or|and)\s+(?:newer|later|above)",
            r"(?:requires?|needs?|at least|minimum(?: of)?)\s+" + names + r"\s+" + v,
            names + r"\s+" + v + r"\s+(?:is\s+)?(?:the\s+)?minimum",
        ]
        stated, reported = 0, set()
        for rel in doc_files():
            text = read(rel)
            for pat in pats:
                for m in re.finditer(pat, text, re.I):
                    checked("versions")
                    stated += 1
                    line = lineno(text, m.start())
                    if m.group(1) != want[lib] and (rel, line, m.group(1)) not in reported:
                        reported.add((rel, line, m.group(1)))
                        fail("versions", "%s:%d" % (rel, lineno(text, m.start())),
                             "states %s minimum %s (\"%s\"), CMakeLists.txt requires %s"
                             % (lib, m.group(1), " ".join(m.group(0).split()), want[lib]))
        if not stated:
            fail("versions", "README.md", "no doc states the %s minimum (%s, as CMakeLists.txt "
                 "requires; README.md \"Requirements\" should say \"%s >= %s\")"
                 % (lib, want[lib], lib, want[lib]))


# ---- CHANGELOG.md --------------------------------------------------------------------------

KAC = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


def check_changelog():
    rel = "CHANGELOG.md"
    text = read(rel)
    release, seen = None, {}
    for i, line in enumerate(text.splitlines(), 1):
        m = re.match(r"##\s+(\[[^\]]+\].*)$", line)
        if m and not line.startswith("###"):
            release, seen = m.group(1).strip(), {}
            continue
        m = re.match(r"###\s+(.+?)\s*$", line)
        if not m:
            continue
        h = m.group(1)
        checked("changelog")
        where = "%s:%d" % (rel, i)
        if release is None:
            fail("changelog", where, "### %s before any ## [version]" % h)
            continue
        if h not in KAC:
            fail("changelog", where, "### %s under %s is not a Keep a Changelog heading (%s)"
                 % (h, release, ", ".join(KAC)))
        if h in seen:
            fail("changelog", where, "### %s appears twice under %s (first at line %d)"
                 % (h, release, seen[h]))
        else:
            seen[h] = i


# ---- defaults of the options structs -------------------------------------------------------

def macro_values():
    vals = {}
    for rel in public_headers():
        for m in re.finditer(r"^#define\s+(ODOO_\w+)\s+(.+?)\s*$", read(rel), re.M):
            vals[m.group(1)] = m.group(2)
    return vals


def evaluate(expr, macros, depth=0):
    """The integer value of an initialiser element, or None (strings, NULL, enums)."""
    expr = expr.strip()
    if depth > 5:
        return None
    if expr in macros:
        return evaluate(macros[expr], macros, depth + 1)
    e = re.sub(r"(\d+)[uUlL]+\b", r"\1", expr)
    if re.fullmatch(r"0[0-7]+", e):
        return int(e, 8)  # file modes: 0600
    if re.fullmatch(r"[\d\s()*+\-]+", e):
        try:
            return eval(e, {"__builtins__": {}})  # digits and operators only
        except (SyntaxError, ValueError):
            return None
    return None


def split_init(body):
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


def struct_defaults():
    """{struct: [(field, value or None, field comment, file, line)]} from *_OPTIONS_INIT."""
    macros = macro_values()
    out = {}
    for rel in public_headers():
        text = read(rel)
        for sm in re.finditer(r"typedef struct (\w+) \{(.*?)\n\} \1;", text, re.S):
            name, body = sm.group(1), sm.group(2)
            im = re.search(r"#define\s+" + name.upper() + r"_INIT\s*\\?\s*\{(.*?)\}", text, re.S)
            if not im:
                continue
            values = split_init(im.group(1).replace("\\\n", " "))
            fields = []
            # members are found with the comments blanked out (a comment may hold "x;");
            # a member's own comment is the /**< ... */ that follows it
            code = re.sub(r"/\*.*?\*/", lambda c: re.sub(r"[^\n]", " ", c.group(0)), body,
                          flags=re.S)
            decls = list(re.finditer(r"(\w+)\s*;", code))
            for k, d in enumerate(decls):
                end = decls[k + 1].start() if k + 1 < len(decls) else len(body)
                cm = re.search(r"/\*\*<.*?\*/", body[d.end():end], re.S)
                fields.append((d.group(1), cm.group(0) if cm else "",
                               lineno(text, sm.start(2) + d.start(1))))
            if len(fields) != len(values):
                fail("defaults", rel, "%s_INIT has %d elements for %d members of %s"
                     % (name.upper(), len(values), len(fields), name))
                continue
            out[name] = [(f, evaluate(v, macros), c, rel, ln, v)
                         for (f, c, ln), v in zip(fields, values)]
    return out


def doc_number(num, unit, field):
    """A documented number in the field's own unit (ms for *_ms, s for *_s), or None."""
    n = int(num, 8) if re.fullmatch(r"0[0-7]+", num) else float(num.replace(",", ""))
    if field.endswith("_ms"):
        if unit in ("ms", None):
            return n
        if unit in ("s", "seconds", "second"):
            return n * 1000
        return None
    if field.endswith("_s"):
        if unit in ("s", "seconds", "second", None):
            return n
        if unit == "ms":
            return n / 1000
        return None
    if unit in ("ms", "s", "seconds", "second"):
        return None
    if unit in ("KiB",):
        return n * 1024
    if unit in ("MiB",):
        return n * 1024 * 1024
    return n


NUM = r"(\d[\d,]*(?:\.\d+)?)\s*(ms|s|seconds?|MiB|KiB)?\b"


def compare_default(rel, line, field, item, by_field, raw_init):
    """One documented default (a table cell item or a phrase) against the initialisers."""
    item = item.strip()
    ident = re.fullmatch(r"`?(ODOO_\w+)`?", item)
    if ident:
        raws = [r for _, r in raw_init.get(field, [])]
        checked("defaults")
        if raws and ident.group(1) not in raws and all(r.startswith("ODOO_") for r in raws):
            fail("defaults", "%s:%d" % (rel, line), "says `%s` defaults to %s; the headers "
                 "give %s" % (field, ident.group(1), ", ".join(raws)))
        return
    m = re.fullmatch(NUM + r"(?:\s.*)?", item)
    if not m or field not in by_field:
        return
    got = doc_number(m.group(1), m.group(2), field)
    if got is None:
        return
    checked("defaults")
    if not any(got == v for _, v in by_field[field]):
        fail("defaults", "%s:%d" % (rel, line), "says `%s` defaults to %s; the headers give %s"
             % (field, item, ", ".join("%s (%s)" % (v, s) for s, v in by_field[field])))


def check_defaults():
    structs = struct_defaults()
    by_field, raw_init = {}, {}
    for sname, fields in structs.items():
        for field, value, comment, rel, ln, raw in fields:
            raw_init.setdefault(field, []).append((sname, raw))
            if value is None:
                continue
            by_field.setdefault(field, []).append((sname, value))
            # the header's own comment: "default 10 s", "default 0600", "default ODOO_X"
            mi = re.search(r"default\s+(ODOO_\w+)", comment)
            if mi:
                checked("defaults")
                if mi.group(1) != raw:
                    fail("defaults", "%s:%d %s.%s" % (rel, ln, sname, field),
                         "the comment says default %s, the initialiser gives %s"
                         % (mi.group(1), raw))
            m = re.search(r"default(?:\s+and\s+maximum)?\s+" + NUM, comment)
            if m:
                checked("defaults")
                got = doc_number(m.group(1), m.group(2), field)
                if got is not None and got != value:
                    fail("defaults", "%s:%d %s.%s" % (rel, ln, sname, field),
                         "the comment says default %s%s, the initialiser gives %s"
                         % (m.group(1), " " + m.group(2) if m.group(2) else "", value))
    # the docs, in tables: "| `max_retries` | 3 |", "| `a`, `b` | 50, 5000 |" (the cells
    # of a "default" column, or a cell that says "by default"), paired in order
    for rel in doc_files():
        text = read(rel)
        lines = text.splitlines()
        header = None
        for i, line in enumerate(lines, 1):
            if not line.startswith("|"):
                header = None
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = [c.lower() for c in cells]
                continue
            if set(line) <= set("|-: "):
                continue
            names = re.findall(r"`(\w+)`", cells[0])
            names = [n for n in names if n in raw_init]
            if not names:
                continue
            if "default" in header:
                col = header.index("default")
                if col >= len(cells):
                    continue
                cell = cells[col]
            else:
                dc = [c for c in cells[1:] if re.search(r"\bby default\b", c)]
                if not dc:
                    continue
                cell = re.sub(r"\s*by default.*", "", dc[0])
            items = [x.strip() for x in re.split(r",\s+", cell)]
            if len(items) != len(names):
                continue
            for field, item in zip(names, items):
                compare_default(rel, i, field, item, by_field, raw_init)
        # prose: "`field` (default 300 s)", "`field`, 60 s by default", "`field` ... default N"
        prose = re.compile(r"`(\w+)`\s*(?:\(default\s+|,?\s*default\s+)" + NUM
                           + r"|`(\w+)`,\s*" + NUM + r"\s+by default")
        for m in prose.finditer(text):
            field = m.group(1) or m.group(4)
            if field not in by_field:
                continue
            item = (m.group(2) + " " + (m.group(3) or "")) if m.group(1) else \
                (m.group(5) + " " + (m.group(6) or ""))
            compare_default(rel, lineno(text, m.start()), field, item.strip(), by_field, raw_init)
        # prose about the client's timeouts
        client = dict((f[0], f[1]) for f in structs.get("odoo_client_options", []))
        for pat2, fields in (
                (r"connect timeout \(default " + NUM + r"\)", ["connect_timeout_ms"]),
                (r"whole-exchange timeout \(default " + NUM + r"\)", ["timeout_ms"]),
                (r"connect \(" + NUM + r"\) and whole-exchange \(" + NUM + r"\) timeouts",
                 ["connect_timeout_ms", "timeout_ms"])):
            for m in re.finditer(pat2, text):
                for i, field in enumerate(fields):
                    got = doc_number(m.group(1 + 2 * i), m.group(2 + 2 * i), field)
                    checked("defaults")
                    if field in client and got is not None and got != client[field]:
                        fail("defaults", "%s:%d" % (rel, lineno(text, m.start())),
                             "says the client's %s defaults to %s %s; client.h gives %s ms"
                             % (field, m.group(1 + 2 * i), m.group(2 + 2 * i) or "",
                                client[field]))
        aws = dict((f[0], f[1]) for f in structs.get("odoo_aws_options", []))
        for m in re.finditer(r"\(" + NUM + r" connect, " + NUM + r" per request by default\)",
                             text):
            for i, field in enumerate(["connect_timeout_ms", "timeout_ms"]):
                got = doc_number(m.group(1 + 2 * i), m.group(2 + 2 * i), field)
                checked("defaults")
                if field in aws and got != aws[field]:
                    fail("defaults", "%s:%d" % (rel, lineno(text, m.start())),
                         "says the AWS %s defaults to %s %s; credentials.h gives %s ms"
                         % (field, m.group(1 + 2 * i), m.group(2 + 2 * i) or "", aws[field]))
        # "default concurrency 16" / "`concurrency` went from 4 to 16"
        for m in re.finditer(r"default (\w+) (\d+)\b", text):
            if m.group(1) in by_field and not any(int(m.group(2)) == v
                                                  for _, v in by_field[m.group(1)]):
                fail("defaults", "%s:%d" % (rel, lineno(text, m.start())),
                     "says default %s %s; the headers give %s" % (
                         m.group(1), m.group(2),
                         ", ".join("%s (%s)" % (v, s) for s, v in by_field[m.group(1)])))


# ---- links and paths -----------------------------------------------------------------------

TOP = ("include", "src", "tests", "tools", "apps", "examples", "bindings", "docs", "cmake",
       "pkgconfig")


def expand(path):
    """Brace {a,b} expansion, then glob."""
    m = re.search(r"\{([^{}]*)\}", path)
    if m:
        out = []
        for alt in m.group(1).split(","):
            out += expand(path[:m.start()] + alt + path[m.end():])
        return out
    return [path]


def exists(rel):
    for p in expand(rel):
        full = os.path.join(ROOT, p)
        if any(ch in p for ch in "*?["):
            if not glob.glob(full):
                return False
        elif not os.path.exists(full):
            return False
    return True


def check_paths():
    for rel in doc_files():
        text = read(rel)
        base = os.path.dirname(rel)
        # strip fenced code blocks: shell examples name build outputs and user files
        prose = re.sub(r"^```.*?^```", lambda m: "\n" * m.group(0).count("\n"), text,
                       flags=re.S | re.M)
        for m in re.finditer(r"\]\(([^)\s]+)\)", prose):
            target = m.group(1).split("#")[0]
            if not target or re.match(r"[a-z]+:", target):
                continue
            checked("paths")
            if not os.path.exists(os.path.normpath(os.path.join(ROOT, base, target))):
                fail("paths", "%s:%d" % (rel, lineno(text, m.start())),
                     "link to %s, which does not exist" % m.group(1))
        # plain-text repository paths with an extension, e.g. (docs/retries.md), src/core/http.c
        plain = re.sub(r"`[^`\n]*`|\]\([^)]*\)|https?://\S+", "", prose)
        for m in re.finditer(r"(?<![\w./-])((?:%s)/[\w./-]*\w\.[a-z]{1,4})\b" % "|".join(TOP), plain):
            checked("paths")
            if not exists(m.group(1)):
                fail("paths", "%s:%d" % (rel, lineno(plain, m.start())),
                     "names %s, which does not exist" % m.group(1))
        for m in re.finditer(r"`([^`\s]+)`", prose):
            p = m.group(1).rstrip(".,:;")
            p = re.sub(r":\d+$", "", p)
            if p.startswith("./"):
                p = p[2:]
            first = p.split("/")[0]
            if first in TOP and "/" in p:
                if not re.fullmatch(r"[\w./*{},+\-]+", p) or "..." in p:
                    continue
                checked("paths")
                if not exists(p):
                    fail("paths", "%s:%d" % (rel, lineno(text, m.start())),
                         "names `%s`, which does not exist" % m.group(1))
            elif re.fullmatch(r"odoo(?:/aws)?/[\w{},]+\.h", p):
                checked("paths")
                if not exists("include/" + p):
                    fail("paths", "%s:%d" % (rel, lineno(text, m.start())),
                         "names the header `%s`, which include/ does not have" % p)


SOURCE_DIRS = ("include", "src", "tools", "apps", "examples", "bindings", "tests", "cmake", ".ci")
SOURCE_EXT = (".c", ".h", ".py", ".sh", ".txt", ".cmake", ".lua", ".i", ".in", ".yaml", ".yml",
              ".tf", ".sym", ".json")


def source_words():
    """Every ODOO_* identifier the code, build and tests use."""
    words = set()
    paths = [os.path.join(ROOT, "CMakeLists.txt")]
    for d in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, d)):
            dirnames[:] = [x for x in dirnames if not x.startswith(("build", ".", "node_modules",
                                                                    "__pycache__"))]
            if os.path.relpath(dirpath, ROOT) == os.path.join("tests", "docs"):
                continue  # this check and its self-test name made-up macros
            paths += [os.path.join(dirpath, f) for f in filenames
                      if f.endswith(SOURCE_EXT) or f == "CMakeLists.txt"]
    for p in paths:
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                words.update(re.findall(r"\bODOO_[A-Z0-9_]+", f.read()))
        except OSError:
            pass
    return words


def check_macros():
    """Every ODOO_X the docs name (macro, enum constant, CMake option, environment
    variable) is used somewhere in the code, the build or the tests."""
    words = source_words()
    for where, m in doc_matches(r"\bODOO_[A-Z0-9_]*[A-Z0-9]\b"):
        name = m.group(0)
        checked("macros")
        stem = re.sub(r"\d+$", "", name)  # ODOO_SRC_16: the code builds ODOO_SRC_<V>
        if name not in words and not (stem != name and stem in words):
            fail("macros", where,
                 "names %s, which neither include/ nor the code, build or tests use" % name)


def check_retry_claims():
    """The client retries by default (ODOO_DEFAULT_MAX_RETRIES > 0): no doc may say
    that the library does not retry by itself."""
    macros = macro_values()
    n = evaluate("ODOO_DEFAULT_MAX_RETRIES", macros)
    if not n:
        return
    pat = re.compile(r"(?:does not|doesn't|will not|won't|never) retr(?:y|ies)(?: anything)? by itself"
                     r"|(?:library|libodoo|client) (?:never|does not|doesn't) retr(?:y|ies)\b"
                     r"|\bno automatic retr(?:y|ies)\b", re.I)
    for where, m in doc_matches(pat):
        checked("retries")
        fail("retries", where, "says \"%s\", but the client retries by default "
             "(ODOO_DEFAULT_MAX_RETRIES %d, docs/retries.md)" % (m.group(0), n))


def check_index():
    """README.md links every page of docs/ (its "Documentation" list)."""
    readme = read("README.md")
    for p in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        rel = os.path.relpath(p, ROOT)
        checked("index")
        if "](%s)" % rel not in readme and "](%s#" % rel not in readme:
            fail("index", "README.md", "does not link %s (add it to \"Documentation\")" % rel)


def check_names(funcs):
    """Every odoo_x() the docs name is declared: public in include/, odoo__x() in src/."""
    public = {f["name"] for f in funcs}
    internal = ""
    for p in glob.glob(os.path.join(ROOT, "src", "**", "*.[ch]"), recursive=True):
        with open(p, encoding="utf-8", errors="replace") as f:
            internal += f.read()
    for where, m in doc_matches(r"\b(odoo_\w+)\(\)"):
        name = m.group(1)
        checked("names")
        if name in public or (name.startswith("odoo__")
                              and re.search(r"\b%s\s*\(" % name, internal)):
            continue
        fail("names", where, "names %s(), which neither a public header nor src/ declares" % name)


def main():
    funcs = parse_functions()
    if not funcs:
        fail("headers", "include/odoo", "no ODOO_EXTERN function found")
    check_headers(funcs)
    check_ownership(funcs)
    check_versions()
    check_changelog()
    check_defaults()
    check_paths()
    check_names(funcs)
    check_index()
    check_macros()
    check_retry_claims()
    for w in WARNINGS:
        print("warning: " + w)
    if ERRORS:
        print("docs.check: %d disagreement(s) between the docs and the code:" % len(ERRORS))
        for e in ERRORS:
            print("  " + e)
        return 1
    print("docs.check: docs and code agree (%s)" % ", ".join(
        "%s: %d" % kv for kv in sorted(CHECKED.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
