# SPDX-License-Identifier: MIT
"""Every libodoo error is raised as its own class, under libodoo.Error."""

import builtins

import pytest

import libodoo

CLASSES = {
    libodoo.ERROR: libodoo.Error,
    libodoo.EAUTH: libodoo.AuthError,
    libodoo.EACCESS: libodoo.AccessError,
    libodoo.EVALIDATION: libodoo.ValidationError,
    libodoo.EMISSING: libodoo.MissingError,
    libodoo.EUSER: libodoo.UserError,
    libodoo.ENOTFOUND: libodoo.NotFoundError,
    libodoo.ESESSION: libodoo.SessionExpired,
    libodoo.ESERVER: libodoo.ServerError,
    libodoo.EHTTP: libodoo.HTTPError,
    libodoo.ETIMEOUT: libodoo.TimeoutError,
    libodoo.ENETWORK: libodoo.NetworkError,
    libodoo.EPROTOCOL: libodoo.ProtocolError,
    libodoo.EINVAL: libodoo.InvalidArgument,
    libodoo.ENOMEM: libodoo.OutOfMemory,
    libodoo.EINDOUBT: libodoo.InDoubt,
    libodoo.ETOOBIG: libodoo.TooBig,
}


def test_the_hierarchy_mirrors_the_error_codes():
    for code, cls in CLASSES.items():
        assert issubclass(cls, libodoo.Error) and cls.code == code
        assert cls.__module__ == "libodoo" and cls.__name__ == libodoo.error_kind(code)
        with pytest.raises(cls) as info:
            libodoo.core._raise_error(code, "raised for code %d" % code)
        assert type(info.value) is cls
        e = info.value
        assert e.code == code and e.name == libodoo.error_name(code)
        assert str(e) == e.message == "raised for code %d" % code
        assert e.odoo_class == "" and e.http_status == 0 and e.rpc_code == -1
        assert e.retryable is False and e.debug == "" and e.created_ids is None
    assert issubclass(libodoo.TimeoutError, builtins.TimeoutError)
    assert issubclass(libodoo.NetworkError, ConnectionError)
    assert issubclass(libodoo.InvalidArgument, ValueError)
    assert issubclass(libodoo.OutOfMemory, MemoryError)
    assert libodoo.TimeoutError is not builtins.TimeoutError


def test_auth_error(env):
    env["password"] = "wrong"
    with libodoo.Session(**env) as s, pytest.raises(libodoo.AuthError) as info:
        s.login()
    assert info.value.odoo_class == "odoo.exceptions.AccessDenied"
    assert info.value.http_status == 200 and not info.value.retryable


def test_access_error(env):
    env.update(login="limited", password="limited")
    with libodoo.Session(**env) as s, pytest.raises(libodoo.AccessError) as info:
        s.search_read("sale.order", None, ["name"])
    assert info.value.odoo_class == "odoo.exceptions.AccessError"
    assert "sale.order" in info.value.message or "Sales" in info.value.message
    assert info.value.rpc_code == 200 and info.value.debug


def test_validation_error(session):
    with pytest.raises(libodoo.ValidationError) as info:
        session.create("res.partner", {"comment": "a partner needs a name"})
    assert info.value.odoo_class == "odoo.exceptions.ValidationError"


def test_missing_error(session):
    with pytest.raises(libodoo.MissingError) as info:
        session.write("res.partner", [999999], {"name": "ghost"})
    assert info.value.odoo_class == "odoo.exceptions.MissingError"


def test_user_error(session):
    order = session.search("sale.order", [("state", "=", "sale")], limit=1)
    with pytest.raises(libodoo.UserError) as info:
        session.unlink("sale.order", order)
    assert info.value.odoo_class == "odoo.exceptions.UserError"


def test_not_found_error(session):
    with pytest.raises(libodoo.NotFoundError):
        session.call_kw("no.such.model", "search", [[]])
    with pytest.raises(libodoo.NotFoundError):
        session.call_kw("res.partner", "no_such_method", [[]])


def test_session_expired(env, emulator):
    with libodoo.Session(auto_reauth=False, **env) as s:
        s.login()
        emulator.faults(expire_all=True)
        with pytest.raises(libodoo.SessionExpired) as info:
            s.search_count("res.partner")
        assert info.value.retryable and info.value.rpc_code == 100


def test_server_error(session):
    with pytest.raises(libodoo.ServerError) as info:
        session.call_kw("res.partner", "search", [[("no_such_field", "=", 1)]])
    assert info.value.odoo_class == "builtins.ValueError"


def test_http_error(session, emulator):
    session.login()
    emulator.faults(html404_count=1)
    with pytest.raises(libodoo.HTTPError) as info:
        session.search_count("res.partner")
    assert info.value.http_status == 404


def test_timeout_error(env, emulator):
    with libodoo.Session(timeout_ms=300, max_retries=0, **env) as s:
        s.login()
        emulator.faults(delay_ms=2000, delay_count=1)
        with pytest.raises(libodoo.TimeoutError) as info:
            s.search_count("res.partner")
        assert isinstance(info.value, builtins.TimeoutError) and info.value.retryable


def test_network_error():
    with libodoo.Session("http://127.0.0.1:1", "db", "u", "p", max_retries=0) as s:
        with pytest.raises(libodoo.NetworkError) as info:
            s.login()
        assert isinstance(info.value, ConnectionError) and info.value.http_status == 0


def test_protocol_error(env, emulator):
    with libodoo.Session(max_retries=0, **env) as s:
        s.login()
        emulator.faults(garbage_count=1)
        with pytest.raises(libodoo.ProtocolError):
            s.search_count("res.partner")


def test_invalid_argument(session):
    with pytest.raises(libodoo.InvalidArgument) as info:
        session.call_kw("bad model!", "search")
    assert isinstance(info.value, ValueError)


def test_in_doubt(session, emulator):
    pid = session.create("res.partner", {"name": "Doubtful"})[0]
    emulator.faults(status=502, status_count=1)
    with pytest.raises(libodoo.InDoubt) as info:
        session.write("res.partner", pid, {"name": "Maybe"})
    assert info.value.http_status == 502


def test_errors_are_catchable_as_libodoo_error(session):
    caught = []
    for call in (lambda: session.call_kw("no.such.model", "search", [[]]),
                 lambda: session.write("res.partner", [999999], {"name": "x"}),
                 lambda: session.search_read("res.partner", None, ["nope"])):
        try:
            call()
        except libodoo.Error as e:
            caught.append(type(e).__name__)
    assert caught == ["NotFoundError", "MissingError", "InvalidArgument"]
