# SPDX-License-Identifier: MIT
"""Fixtures of the Python binding's tests: they run under
tests/emulator/run_with_emulator.py, which exports ODOO_URL, ODOO_DB, ODOO_USER,
ODOO_PASSWORD (and ODOO_API_KEY) and ODOO_EMULATOR_URL."""

import json
import os
import urllib.request

import pytest

import libodoo


class Emulator:
    """The emulator's control API (POST /__emulator/faults, GET /__emulator/stats)."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def _request(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as answer:
            return json.loads(answer.read())

    def faults(self, **spec):
        assert self._request("/__emulator/faults", spec)["ok"]

    def stats(self):
        return self._request("/__emulator/stats")

    def reset_stats(self):
        self._request("/__emulator/reset_stats", {})


@pytest.fixture
def emulator():
    return Emulator(os.environ["ODOO_EMULATOR_URL"])


@pytest.fixture(autouse=True)
def _no_faults_left():
    """Tests that share one emulator (a whole file in one run) start without faults."""
    if os.environ.get("ODOO_EMULATOR_URL"):
        Emulator(os.environ["ODOO_EMULATOR_URL"]).faults(reset=True)


@pytest.fixture
def session():
    with libodoo.Session(env=True) as s:
        yield s


@pytest.fixture
def env():
    return {"url": os.environ["ODOO_URL"], "database": os.environ["ODOO_DB"],
            "login": os.environ["ODOO_USER"], "password": os.environ["ODOO_PASSWORD"]}
