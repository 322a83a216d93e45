# SPDX-License-Identifier: MIT
"""The three transports (run against an Odoo 19 emulator with an API key)."""

import os

import pytest

import libodoo


@pytest.fixture
def key_env():
    return {"url": os.environ["ODOO_URL"], "database": os.environ["ODOO_DB"],
            "login": os.environ["ODOO_USER"], "api_key": os.environ["ODOO_API_KEY"]}


def test_auto_picks_json2_for_an_api_key_on_19(key_env):
    with libodoo.Session(**key_env) as s:
        rows = s.search_read("sale.order", None, ["name"], order="id", limit=3)
        assert [r["id"] for r in rows] == [1, 2, 3]
        assert s.transport == "json2" and s.server_major == 19


def test_jsonrpc_with_an_api_key(key_env):
    with libodoo.Session(transport="jsonrpc", **key_env) as s:
        s.login()
        assert s.uid == 2 and s.transport == "jsonrpc"
        assert s.search_count("res.partner") > 0


def test_session_with_a_password(env):
    with libodoo.Session(transport="session", **env) as s:
        s.login()
        assert s.transport == "session" and s.server_major == 19


def test_forced_json2(key_env):
    with libodoo.Session(transport=libodoo.TRANSPORT_JSON2, **key_env) as s:
        ids = s.create("res.partner", [{"name": "via JSON-2"}])
        assert s.read("res.partner", ids, ["name"])[0]["name"] == "via JSON-2"
        with pytest.raises(libodoo.NotFoundError):
            s.call_kw("no.such.model", "search", [[]])
        with pytest.raises(libodoo.MissingError):
            s.write("res.partner", [999999], {"name": "x"})


def test_wrong_api_key(key_env):
    key_env["api_key"] = "not-the-key"
    for transport in ("json2", "jsonrpc"):
        with libodoo.Session(transport=transport, **key_env) as s:
            with pytest.raises(libodoo.AuthError):
                s.search_count("res.partner")
