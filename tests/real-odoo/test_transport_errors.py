# SPDX-License-Identifier: MIT
"""Transport-level mistakes a new user makes, against a real Odoo (issue 14, bug 7),
on every transport the version offers:

- the address the browser shows (https://host/odoo, /odoo/action-..., /web,
  /web#action=...) given as ODOO_URL: libodoo cuts it to the server root, so the
  call works (it used to give "HTTP 400 Session expired (invalid CSRF token)");
- an unknown model: the error names the model on every transport (16/17 answer the
  web session with a bare KeyError, 18/19 with "404: Not Found");
- a wrong database: said as such, never a raw HTML page (on 19, JSON-2 answers a
  wrong X-Odoo-Database with an HTML 404 page).

Read-only: safe on the shared server.
"""
import json

import pytest


def call(odoo, transport, model, method, args="[]", kwargs="{}", env=None, check=None):
    return odoo.run_tool("odoo-call", ["--retry-deadline", "5", model, method, args, kwargs],
                         transport=transport, env=env, check=check, timeout=300)


@pytest.mark.parametrize("path", ["/odoo", "/odoo/", "/odoo/action-12", "/odoo/sales/5?debug=1",
                                  "/web", "/web#action=12&model=sale.order", "/web/login"])
def test_browser_address_works(odoo, transport, path):
    cp = call(odoo, transport, "res.partner", "search_count", "[[]]",
              env={"ODOO_URL": odoo.url + path}, check=0)
    assert json.loads(cp.stdout) == odoo.execute("res.partner", "search_count", [])


def test_unknown_model_is_named(odoo, transport):
    cp = call(odoo, transport, "no.such.model", "search_count", "[[]]", check=1)
    err = cp.stderr
    assert "ODOO_ENOTFOUND" in err, err
    assert "no.such.model" in err, err
    if transport == "session":
        assert "unknown model no.such.model" in err, err
    assert "<" not in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_unknown_method_is_named(odoo, transport):
    cp = call(odoo, transport, "res.partner", "no_such_method", "[[]]", check=1)
    assert "no_such_method" in cp.stderr, cp.stderr


def test_wrong_database_is_said(odoo, transport):
    cp = call(odoo, transport, "res.partner", "search_count", "[[]]",
              env={"ODOO_DB": "libodoo_no_such_db"})
    err = cp.stderr
    assert cp.returncode == 3, (cp.returncode, err)
    assert "ODOO_EAUTH" in err, err
    assert "<" not in err, err
    if transport == "json2":
        assert 'database "libodoo_no_such_db" not found' in err, err
    else:
        assert "database" in err.lower(), err
