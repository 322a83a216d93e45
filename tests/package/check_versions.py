#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every version string of the project says the same release (ctest: package.versions).

Usage: check_versions.py [--source DIR] [--build DIR] [--project-version X.Y.Z]

The reference is include/odoo/common.h (ODOO_VERSION_MAJOR/MINOR/PATCH, which
must agree with its ODOO_VERSION string). Compared with it:
  - the project() version CMake computed (--project-version, from the build);
  - the pkg-config files the build generated: BUILD/libodoo.pc, BUILD/libodoo-aws.pc
    (Version:, and libodoo-aws's "Requires: libodoo = X.Y.Z");
  - the CMake package version file BUILD/libodooConfigVersion.cmake (PACKAGE_VERSION);
  - the shared libraries' file names in BUILD/src (libodoo.so.SOVERSION.MINOR.PATCH,
    docs/versioning.md), when they were built;
  - bindings/python/pyproject.toml ([project] version);
  - bindings/lua/libodoo-X.Y.Z-R.rockspec (its file name, version = "X.Y.Z-R", and the
    release tarball it names) -- exactly one rockspec;
  - the man pages docs/man/*.1 (.TH ... "libodoo X.Y.Z");
  - CHANGELOG.md: the newest released section "## [X.Y.Z] - YYYY-MM-DD" (an
    "## [Unreleased]" section may come first, nothing else may).
Prints one line per source compared, then the disagreements; exits 1 on any.
Standard library only.
"""

import argparse
import datetime
import glob
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

FOUND = []      # (where, version) compared
PROBLEMS = []


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def rel(path, base):
    return os.path.relpath(path, base)


def header_version(src):
    path = os.path.join(src, "include", "odoo", "common.h")
    text = read(path)
    parts = {}
    for k in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define ODOO_VERSION_%s (\d+)\s*$" % k, text, re.M)
        if not m:
            PROBLEMS.append("include/odoo/common.h: no #define ODOO_VERSION_%s" % k)
            return None
        parts[k] = int(m.group(1))
    version = "%d.%d.%d" % (parts["MAJOR"], parts["MINOR"], parts["PATCH"])
    m = re.search(r'^#define ODOO_VERSION "([^"]*)"', text, re.M)
    if not m:
        PROBLEMS.append("include/odoo/common.h: no #define ODOO_VERSION \"X.Y.Z\"")
    elif m.group(1) != version:
        PROBLEMS.append("include/odoo/common.h: ODOO_VERSION is \"%s\" but ODOO_VERSION_MAJOR/MINOR/"
                        "PATCH say %s" % (m.group(1), version))
    FOUND.append(("include/odoo/common.h (ODOO_VERSION_MAJOR/MINOR/PATCH)", version))
    return version


def compare(where, found, want):
    FOUND.append((where, found))
    if found != want:
        PROBLEMS.append("%s: says %s, the headers say %s" % (where, found, want))


def check_cmake_project(src, want, project_version):
    text = read(os.path.join(src, "CMakeLists.txt"))
    m = re.search(r"\bproject\s*\(\s*libodoo\b[^)]*?\bVERSION\s+([^\s)]+)", text, re.S)
    if not m:
        PROBLEMS.append("CMakeLists.txt: no project(libodoo VERSION ...)")
    elif re.match(r"^\d+\.\d+\.\d+$", m.group(1)):
        compare("CMakeLists.txt project(VERSION)", m.group(1), want)
    if project_version:
        compare("CMake PROJECT_VERSION (configured)", project_version, want)


def check_build(build, want):
    for name in ("libodoo.pc", "libodoo-aws.pc"):
        path = os.path.join(build, name)
        if not os.path.exists(path):
            PROBLEMS.append("%s: missing (the build generates it from pkgconfig/%s.in)" % (path, name))
            continue
        text = read(path)
        m = re.search(r"^Version:\s*(\S+)", text, re.M)
        if not m:
            PROBLEMS.append("%s: no Version: line" % path)
        else:
            compare("BUILD/%s Version:" % name, m.group(1), want)
        m = re.search(r"^Requires:.*\blibodoo\s*=\s*(\S+)", text, re.M)
        if m:
            compare("BUILD/%s Requires: libodoo =" % name, m.group(1), want)
    path = os.path.join(build, "libodooConfigVersion.cmake")
    if not os.path.exists(path):
        PROBLEMS.append("%s: missing (write_basic_package_version_file)" % path)
    else:
        m = re.search(r'set\(PACKAGE_VERSION "([^"]+)"\)', read(path))
        if not m:
            PROBLEMS.append("%s: no set(PACKAGE_VERSION ...)" % path)
        else:
            compare("BUILD/libodooConfigVersion.cmake PACKAGE_VERSION", m.group(1), want)
    # libodoo.so.SOVERSION.MINOR.PATCH: the file name carries the release's minor and patch
    minor_patch = ".".join(want.split(".")[1:])
    for lib in ("libodoo", "libodoo-aws"):
        files = [f for f in glob.glob(os.path.join(build, "src", lib + ".so.*.*.*"))
                 if not os.path.islink(f)]
        for f in files:
            m = re.match(re.escape(lib) + r"\.so\.(\d+)\.(\d+\.\d+)$", os.path.basename(f))
            if m:
                FOUND.append(("BUILD/src/%s" % os.path.basename(f), "*.%s" % m.group(2)))
                if m.group(2) != minor_patch:
                    PROBLEMS.append("BUILD/src/%s: the file version's minor.patch is %s, the "
                                    "headers say %s" % (os.path.basename(f), m.group(2), want))


def check_python(src, want):
    path = os.path.join(src, "bindings", "python", "pyproject.toml")
    if not os.path.exists(path):
        PROBLEMS.append("bindings/python/pyproject.toml: missing")
        return
    text = read(path)
    version = None
    try:
        import tomllib
        with open(path, "rb") as f:
            version = tomllib.load(f).get("project", {}).get("version")
    except ImportError:  # Python < 3.11: the [project] table's version line
        m = re.search(r'^\[project\]\s*$(.*?)(?=^\[|\Z)', text, re.M | re.S)
        if m:
            v = re.search(r'^version\s*=\s*"([^"]+)"', m.group(1), re.M)
            version = v.group(1) if v else None
    if not version:
        PROBLEMS.append("bindings/python/pyproject.toml: no [project] version = \"X.Y.Z\"")
    else:
        compare("bindings/python/pyproject.toml [project] version", version, want)


def check_rockspec(src, want):
    specs = sorted(glob.glob(os.path.join(src, "bindings", "lua", "*.rockspec")))
    if len(specs) != 1:
        PROBLEMS.append("bindings/lua: %d rockspecs (%s); want exactly one, libodoo-%s-1.rockspec"
                        % (len(specs), ", ".join(os.path.basename(s) for s in specs) or "none", want))
        if not specs:
            return
    for path in specs:
        name = os.path.basename(path)
        m = re.match(r"^libodoo-(\d+\.\d+\.\d+)-(\d+)\.rockspec$", name)
        if not m:
            PROBLEMS.append("bindings/lua/%s: the name is not libodoo-X.Y.Z-R.rockspec" % name)
            continue
        compare("bindings/lua/%s (file name)" % name, m.group(1), want)
        text = read(path)
        v = re.search(r'^\s*version\s*=\s*"(\d+\.\d+\.\d+)-(\d+)"', text, re.M)
        if not v:
            PROBLEMS.append("bindings/lua/%s: no version = \"X.Y.Z-R\"" % name)
            continue
        compare("bindings/lua/%s version" % name, v.group(1), want)
        if v.group(2) != m.group(2):
            PROBLEMS.append("bindings/lua/%s: version's revision -%s differs from the file name's -%s"
                            % (name, v.group(2), m.group(2)))
        for t in sorted(set(re.findall(r"libodoo-(\d+\.\d+\.\d+)(?=[/.])", text))):
            compare("bindings/lua/%s source (libodoo-%s)" % (name, t), t, want)


def check_man_pages(src, want):
    for path in sorted(glob.glob(os.path.join(src, "docs", "man", "*.1"))):
        m = re.search(r'^\.TH\s.*"libodoo (\d+\.\d+\.\d+)"', read(path), re.M)
        where = "docs/man/%s .TH" % os.path.basename(path)
        if not m:
            PROBLEMS.append("%s: no \"libodoo X.Y.Z\" in the .TH line" % where)
        else:
            compare(where, m.group(1), want)


def check_changelog(src, want):
    path = os.path.join(src, "CHANGELOG.md")
    text = read(path)
    heads = [(m.group(0), m.start()) for m in re.finditer(r"^## .*$", text, re.M)]
    if not heads:
        PROBLEMS.append("CHANGELOG.md: no \"## [X.Y.Z] - YYYY-MM-DD\" section")
        return
    i = 0
    if re.match(r"^## \[Unreleased\]\s*$", heads[0][0]):
        i = 1
    if i >= len(heads):
        PROBLEMS.append("CHANGELOG.md: no released section \"## [%s] - YYYY-MM-DD\" below "
                        "[Unreleased] (the release is not in the changelog yet)" % want)
        return
    head = heads[i][0]
    m = re.match(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\s*$", head)
    line = text.count("\n", 0, heads[i][1]) + 1
    if not m:
        PROBLEMS.append("CHANGELOG.md:%d: the newest section after [Unreleased] must read "
                        "\"## [%s] - YYYY-MM-DD\", not %r" % (line, want, head))
        return
    try:
        datetime.date.fromisoformat(m.group(2))
    except ValueError:
        PROBLEMS.append("CHANGELOG.md:%d: %s is not a date" % (line, m.group(2)))
    compare("CHANGELOG.md:%d newest release [%s] - %s" % (line, m.group(1), m.group(2)),
            m.group(1), want)


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--source", default=ROOT)
    ap.add_argument("--build", help="the CMake build directory (generated .pc and version files)")
    ap.add_argument("--project-version", help="${PROJECT_VERSION} as CMake computed it")
    a = ap.parse_args()
    src = os.path.abspath(a.source)
    want = header_version(src)
    if want:
        check_cmake_project(src, want, a.project_version)
        if a.build:
            check_build(os.path.abspath(a.build), want)
        check_python(src, want)
        check_rockspec(src, want)
        check_man_pages(src, want)
        check_changelog(src, want)
    for where, v in FOUND:
        print("%-62s %s" % (where, v))
    for p in PROBLEMS:
        print("FAIL: " + p)
    print("package.versions: %d version strings compared with %s, %d disagree"
          % (len(FOUND), want, len(PROBLEMS)))
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
