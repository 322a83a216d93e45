# SPDX-License-Identifier: MIT
"""The public C API (tests/real-odoo/real_api.c) on every transport: one
pytest case per cmocka case and transport."""
import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "real_api.c")) as f:
    CASES = re.findall(r"cmocka_unit_test\((\w+)\)", f.read())


@pytest.mark.parametrize("case", CASES)
def test_c_api(odoo, transport, case):
    exe = os.path.join(odoo.build, "tests", "real_api")
    env = dict(os.environ, REAL_TRANSPORT=transport)
    cp = subprocess.run([exe, case], env=env, capture_output=True, text=True, timeout=900)
    out = cp.stdout + cp.stderr
    if "[  SKIPPED ]" in out and cp.returncode == 0:
        pytest.skip("not on this transport")
    assert cp.returncode == 0, out[-4000:]
    assert "[  PASSED  ] 1 test(s)." in out, out[-4000:]
