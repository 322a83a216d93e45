# SPDX-License-Identifier: MIT
"""Build the extension libodoo._core (and its proxy libodoo/core.py) with SWIG,
against the libodoo that is INSTALLED, found with pkg-config. The metadata is in
pyproject.toml; the package's Python files are in libodoo/.

    PKG_CONFIG_PATH=<prefix>/lib/pkgconfig python3 -m build --wheel --no-isolation .

The SWIG interface (../libodoo.i) and the glue shared with the Lua binding
(../common/) are taken from the checkout, or from shared/ in an sdist (the sdist
command below copies them there).

Environment:
  PKG_CONFIG     the pkg-config program (default "pkg-config"); PKG_CONFIG_PATH as usual
  SWIG           the SWIG 4 program (default: swig4.0, then swig)
  LIBODOO_RPATH  "auto" (default): the extension gets an RPATH to libodoo's libdir
                 when that is not a system directory (a prefix such as /opt/libodoo or
                 $HOME/.local), so `import libodoo` finds libodoo.so.N without
                 LD_LIBRARY_PATH; "always"; "never" (then ldconfig or LD_LIBRARY_PATH).
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
PC_PACKAGES = ("libodoo", "libodoo-aws")
SHARED_FILES = ("libodoo.i", os.path.join("common", "lo_glue.c"), os.path.join("common", "lo_glue.h"))


def fail(message):
    raise SystemExit("libodoo setup.py: error: " + message)


def project_version():
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        found = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
    if not found:
        fail("no version in pyproject.toml")
    return found.group(1)


def shared_dir():
    """Where libodoo.i and common/ are: shared/ in an sdist, ../ in a checkout."""
    for d in (os.path.join(HERE, "shared"), os.path.dirname(HERE)):
        if all(os.path.isfile(os.path.join(d, f)) for f in SHARED_FILES):
            return d
    fail("libodoo.i and common/lo_glue.c not found next to bindings/python (build from "
         "the libodoo checkout, or from an sdist made by this setup.py)")
    return None


def pkg_config(*args):
    cmd = [os.environ.get("PKG_CONFIG", "pkg-config"), *args]
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              check=False)
    except FileNotFoundError:
        fail("%s not found (apt-get install pkg-config)" % cmd[0])
    if done.returncode != 0:
        fail("%s failed: %s\nlibodoo (the C library and its development files: headers, "
             "libodoo.pc, libodoo-aws.pc) must be installed first; for a prefix of your own, "
             "set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig"
             % (" ".join(cmd), done.stderr.strip() or "exit %d" % done.returncode))
    return done.stdout.split()


def system_lib_dirs():
    dirs = {"/lib", "/usr/lib", "/lib64", "/usr/lib64"}
    multiarch = sysconfig.get_config_var("MULTIARCH")
    if multiarch:
        dirs |= {"/lib/" + multiarch, "/usr/lib/" + multiarch}
    return dirs


def libodoo_flags():
    """Compile and link flags of the installed libodoo and libodoo-aws."""
    version = project_version()
    pkg_config("--print-errors", "libodoo >= %s" % version, "libodoo-aws >= %s" % version)
    includedir = os.path.normpath(pkg_config("--variable=includedir", "libodoo")[0])
    libdir = os.path.normpath(pkg_config("--variable=libdir", "libodoo")[0])
    include_dirs = [os.path.normpath(f[2:]) for f in pkg_config("--cflags-only-I", *PC_PACKAGES)]
    if includedir not in include_dirs:
        # pkg-config leaves out /usr/include; SWIG needs it for odoo/*.h
        include_dirs.append(includedir)
    mode = os.environ.get("LIBODOO_RPATH", "auto")
    if mode not in ("auto", "always", "never"):
        fail("LIBODOO_RPATH must be auto, always or never, not %r" % mode)
    rpath = []
    if mode == "always" or (mode == "auto" and libdir not in system_lib_dirs()):
        rpath = ["-Wl,-rpath," + libdir]
    return {
        "includedir": includedir,
        "include_dirs": include_dirs,
        "cflags": pkg_config("--cflags-only-other", *PC_PACKAGES),
        "library_dirs": [os.path.normpath(f[2:]) for f in pkg_config("--libs-only-L", *PC_PACKAGES)],
        "libraries": [f[2:] for f in pkg_config("--libs-only-l", *PC_PACKAGES)],
        "ldflags": pkg_config("--libs-only-other", *PC_PACKAGES) + rpath,
    }


def find_swig():
    candidates = [os.environ["SWIG"]] if os.environ.get("SWIG") else ["swig4.0", "swig"]
    for name in candidates:
        path = shutil.which(name)
        if path:
            out = subprocess.run([path, "-version"], stdout=subprocess.PIPE, text=True,
                                 check=False).stdout
            found = re.search(r"SWIG Version (\d+)", out)
            if found and int(found.group(1)) >= 4:
                return path
    fail("SWIG 4 not found (apt-get install swig, or set SWIG=/path/to/swig)")
    return None


class BuildExt(build_ext):
    """Runs SWIG on libodoo.i before compiling libodoo._core, and puts the
    generated proxy module core.py next to the extension."""

    def build_extension(self, ext):
        if ext.name == "libodoo._core":
            self.swig_core(ext)
        super().build_extension(ext)

    def swig_core(self, ext):
        shared = shared_dir()
        flags = libodoo_flags()
        gen = os.path.join(os.path.abspath(self.build_temp), "swig")
        os.makedirs(gen, exist_ok=True)
        wrapper = os.path.join(gen, "libodoo_wrap.c")
        # -threads: calls release the GIL (the glue serialises a session's calls)
        cmd = [find_swig(), "-python", "-threads", "-module", "core", "-interface", "_core"]
        cmd += ["-I" + d for d in flags["include_dirs"]]
        cmd += ["-outdir", gen, "-o", wrapper, os.path.join(shared, "libodoo.i")]
        print("libodoo: " + " ".join(cmd), flush=True)
        if subprocess.run(cmd, check=False).returncode != 0:
            fail("SWIG failed on %s" % os.path.join(shared, "libodoo.i"))

        ext.sources = [wrapper, os.path.join(HERE, "lo_python.c"),
                       os.path.join(shared, "common", "lo_glue.c")]
        ext.depends = [os.path.join(shared, f) for f in SHARED_FILES] + \
            [os.path.join(HERE, "lo_python.h")]
        ext.include_dirs = [os.path.join(shared, "common"), HERE] + flags["include_dirs"]
        ext.define_macros = [("LO_LANGUAGE_python", None), ("_POSIX_C_SOURCE", "200809L")]
        ext.extra_compile_args = ["-std=c11", "-fvisibility=hidden"] + flags["cflags"]
        ext.library_dirs = flags["library_dirs"]
        ext.libraries = flags["libraries"] + ["pthread"]
        ext.extra_link_args = flags["ldflags"]
        print("libodoo: headers from %s, libraries %s, link flags %s"
              % (flags["includedir"], " ".join(ext.libraries), " ".join(ext.extra_link_args)),
              flush=True)

        # libodoo/core.py beside libodoo/_core*.so: in build/lib*/ (a wheel), or in
        # the source package with --inplace (an editable install).
        dest = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))
        os.makedirs(dest, exist_ok=True)
        shutil.copyfile(os.path.join(gen, "core.py"), os.path.join(dest, "core.py"))


class Sdist(sdist):
    """An sdist builds on its own: it carries libodoo.i and common/ in shared/."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        shared = shared_dir()
        for rel in SHARED_FILES:
            target = os.path.join(base_dir, "shared", rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(os.path.join(shared, rel), target)


if sys.platform != "linux":
    print("libodoo setup.py: warning: only Linux is tested", file=sys.stderr)

setup(
    packages=["libodoo"],
    package_data={"libodoo": ["*.pyi", "py.typed"]},
    include_package_data=False,
    # sources are filled in by BuildExt once SWIG has run
    ext_modules=[Extension("libodoo._core", sources=[])],
    cmdclass={"build_ext": BuildExt, "sdist": Sdist},
)
