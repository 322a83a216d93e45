#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The source tree keeps its layers (docs/architecture.md).

- src/ has core/, util/, sink/ and aws/;
- dependencies point one way, aws -> core -> util: no file under src/util
  includes a header of core, sink or aws; no file under src/core or src/sink
  includes an AWS header (aws_internal.h, odoo/aws.h, odoo/aws/...);
- exactly one libcurl write callback exists in src/ (CURLOPT_WRITEFUNCTION).
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def files(sub):
    for root, _, names in os.walk(os.path.join(SRC, sub)):
        for n in names:
            if n.endswith((".c", ".h")):
                yield os.path.join(root, n)


def main():
    bad = []
    for d in ("core", "util", "sink", "aws"):
        if not os.path.isdir(os.path.join(SRC, d)):
            bad.append("src/%s/ is missing" % d)
    aws_header = re.compile(r"(^|/)aws_internal\.h$|^odoo/aws(\.h|/)")
    upper = re.compile(r"(^|/)(internal|sink_internal|aws_internal)\.h$|^transports/|^odoo/aws")
    for layer, rule, what in (("core", aws_header, "an AWS header"),
                              ("sink", aws_header, "an AWS header"),
                              ("util", upper, "a header of core, sink or aws")):
        for f in files(layer):
            for inc in INCLUDE.findall(open(f).read()):
                if rule.search(inc):
                    bad.append("%s includes %s (%s)" % (os.path.relpath(f, SRC), inc, what))
    writers = []
    for f in files(""):
        for i, line in enumerate(open(f), 1):
            if "CURLOPT_WRITEFUNCTION" in line and not line.lstrip().startswith(("/*", "*")):
                writers.append("%s:%d" % (os.path.relpath(f, SRC), i))
    if len(writers) != 1:
        bad.append("%d libcurl write callbacks in src/ (one wanted): %s"
                   % (len(writers), ", ".join(writers)))
    if bad:
        print("layers:\n  " + "\n  ".join(bad))
        return 1
    print("ok: src/{core,util,sink,aws}; aws -> core -> util; one write callback (%s)"
          % writers[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
