# SPDX-License-Identifier: MIT
"""Fixtures of the real-Odoo suite (tests/real-odoo/test_*.py).

The suite runs against one running real Odoo at a time, described by the
environment that `realodoo.py env V` prints (run_suite.py sets it):
ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY_FILE,
ODOO_REAL_VERSION, ODOO_REAL_DATA_DIR; LIBODOO_BUILD_DIR names the build tree
(default: build/ of the project). Without ODOO_URL every test is skipped.

Tests that take the `transport` fixture run once per transport the version
offers: `session` (web session, password), `jsonrpc-password`,
`jsonrpc-apikey` (/jsonrpc with the API key) and `json2` (19.0 only).
"""
import json
import os
import subprocess
import sys
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))


class Odoo:
    """The server under test and helpers to reach it."""

    def __init__(self):
        self.url = os.environ["ODOO_URL"]
        self.db = os.environ["ODOO_DB"]
        self.user = os.environ.get("ODOO_USER", "admin")
        self.password = os.environ["ODOO_PASSWORD"]
        with open(os.environ["ODOO_API_KEY_FILE"]) as f:
            self.api_key = f.read().strip()
        self.version = int(os.environ["ODOO_REAL_VERSION"])
        self.data_dir = os.environ.get("ODOO_REAL_DATA_DIR", "")
        self.build = os.environ.get("LIBODOO_BUILD_DIR", os.path.join(PROJECT, "build"))
        self.uid = None

    # ---- the transports a version offers ------------------------------------------
    def transports(self):
        t = ["session", "jsonrpc-password", "jsonrpc-apikey"]
        if self.version >= 19:
            t.append("json2")
        return t

    def tool_env(self, transport, **extra):
        """Environment and --transport arguments for a tool over @transport."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("ODOO_PASSWORD", "ODOO_API_KEY")}
        env.update(ODOO_URL=self.url, ODOO_DB=self.db, ODOO_USER=self.user)
        if transport == "session":
            env["ODOO_PASSWORD"] = self.password
            args = ["--transport", "session"]
        elif transport == "jsonrpc-password":
            env["ODOO_PASSWORD"] = self.password
            args = ["--transport", "jsonrpc"]
        elif transport == "jsonrpc-apikey":
            env["ODOO_API_KEY"] = self.api_key
            args = ["--transport", "jsonrpc"]
        elif transport == "json2":
            env["ODOO_API_KEY"] = self.api_key
            args = ["--transport", "json2"]
        else:
            raise ValueError(transport)
        env.update(extra)
        return env, args

    def tool(self, name):
        for sub in ("tools", os.path.join("apps", "sync-orders")):   # tools/, apps/ of the build
            p = os.path.join(self.build, sub, name)
            if os.path.exists(p):
                return p
        raise FileNotFoundError("%s not built under %s" % (name, self.build))

    def run_tool(self, name, args, transport="session", env=None, input=None, timeout=600,
                 check=None):
        """Run a built tool; returns CompletedProcess (text). check=N asserts exit N."""
        e, targs = self.tool_env(transport, **(env or {}))
        cmd = [self.tool(name)]
        # odoo-call and the others take --transport before their other arguments
        cmd += targs + list(args)
        cp = subprocess.run(cmd, env=e, input=input, capture_output=True, text=True,
                            timeout=timeout)
        if check is not None:
            assert cp.returncode == check, "%s %s -> %d\nstdout: %s\nstderr: %s" % (
                name, " ".join(args), cp.returncode, cp.stdout[-2000:], cp.stderr[-2000:])
        return cp

    # ---- an independent client: plain JSON-RPC over urllib --------------------------
    def rpc(self, service, method, *args):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                           "params": {"service": service, "method": method,
                                      "args": list(args)}}).encode()
        req = urllib.request.Request(self.url + "/jsonrpc", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as r:
            ans = json.loads(r.read())
        if "error" in ans:
            raise RuntimeError(json.dumps(ans["error"])[:2000])
        return ans["result"]

    def execute(self, model, method, *args, **kwargs):
        if self.uid is None:
            self.uid = self.rpc("common", "login", self.db, self.user, self.password)
        return self.rpc("object", "execute_kw", self.db, self.uid, self.password, model,
                        method, list(args), kwargs)

    def odoorpc(self):
        """Debian's python3-odoorpc, logged in (the independent client of the issue)."""
        import odoorpc  # noqa: WPS433
        from urllib.parse import urlparse
        u = urlparse(self.url)
        o = odoorpc.ODOO(u.hostname, port=u.port, timeout=300)
        o.login(self.db, self.user, self.password)
        return o


@pytest.fixture(scope="session")
def odoo():
    if not os.environ.get("ODOO_URL") or not os.environ.get("ODOO_REAL_VERSION"):
        pytest.skip("no real Odoo (run through tests/real-odoo/run_suite.py)")
    return Odoo()


def pytest_generate_tests(metafunc):
    if "transport" in metafunc.fixturenames:
        v = int(os.environ.get("ODOO_REAL_VERSION", "0") or 0)
        t = ["session", "jsonrpc-password", "jsonrpc-apikey"] + (["json2"] if v >= 19 else [])
        metafunc.parametrize("transport", t)


def pytest_report_header(config):
    return "real Odoo %s at %s, database %s" % (os.environ.get("ODOO_REAL_VERSION"),
                                                os.environ.get("ODOO_URL"),
                                                os.environ.get("ODOO_DB"))


sys.path.insert(0, HERE)
