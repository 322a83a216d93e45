# SPDX-License-Identifier: MIT
"""Sessions: options, login, native JSON values, context manager, garbage collection."""

import gc
import math
import os
import subprocess
import sys
import weakref

import pytest

import libodoo


def test_version_and_constants():
    assert libodoo.version() == libodoo.VERSION == libodoo.__version__
    assert libodoo.version_num() >= 0x000200
    assert libodoo.EACCESS == -3 and libodoo.EINDOUBT == -16
    assert libodoo.error_name(libodoo.ESESSION) == "ODOO_ESESSION"
    assert libodoo.error_kind(libodoo.ESESSION) == "SessionExpired"
    assert libodoo.transport_name(libodoo.TRANSPORT_JSON2) == "json2"
    assert "access" in libodoo.strerror(libodoo.EACCESS)


# Run in a fresh interpreter with every warning an error: no other test has
# imported libodoo.aws there, and no deprecated alias may be reached.
_CORE_ONLY = """
import json, os, sys, warnings
warnings.simplefilter("error")
import libodoo
assert "libodoo.aws" not in sys.modules
assert not any(name in vars(libodoo) or name in libodoo.__all__
               for name in ("aws", "DynamoDB", "dynamodb_sink"))
with libodoo.connect(env=True) as odoo:
    count = odoo.search_count("sale.order")
    with libodoo.json_sink(sys.argv[1]) as sink:
        sink.put_all(odoo.iterate("sale.order", None, ["name"], 100))
assert sink.stats()["written"] == count > 0
assert "libodoo.aws" not in sys.modules and "aws" not in vars(libodoo)
print("core only", count)
"""


def test_import_libodoo_alone_leaves_aws_alone(tmp_path):
    out = subprocess.run([sys.executable, "-c", _CORE_ONLY, str(tmp_path / "orders.jsonl")],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert out.returncode == 0, out.stdout
    assert out.stdout.startswith("core only ")


def test_login_and_attributes(session):
    assert session.uid == 0 and session.server_version is None
    session.login()
    assert session.uid == 2
    assert session.server_version == "18.0" and session.server_major == 18
    assert session.transport == "session"
    assert session.user_context["uid"] == 2
    assert session.session_info["uid"] == 2
    assert session.login_count == 1 and session.request_count >= 1
    assert session.last_http_status == 200
    assert session.url == os.environ["ODOO_URL"]
    assert "uid=2" in repr(session)


def test_connect_with_positional_arguments(env):
    with libodoo.connect(env["url"], env["database"], env["login"], env["password"]) as s:
        assert s.uid == 2
    with libodoo.connect(env) as s:
        assert s.uid == 2
    with pytest.raises(libodoo.AuthError):
        libodoo.connect(env["url"], env["database"], env["login"], "wrong")


def test_context_manager_closes(env):
    with libodoo.Session(**env) as s:
        assert s.search_count("res.partner") > 0
    assert s.closed and "closed" in repr(s)
    with pytest.raises(libodoo.InvalidArgument, match="closed"):
        s.search_count("res.partner")
    s.close()  # twice is fine


def test_session_freed_on_garbage_collection(tmp_path):
    cookies = tmp_path / "cookies.txt"
    s = libodoo.Session(env=True, cookie_file=str(cookies))
    s.login()
    ref = weakref.ref(s)
    assert not cookies.exists()
    del s
    gc.collect()
    assert ref() is None
    # odoo_client_free() saves the cookie file: the client was freed.
    assert cookies.exists()
    with libodoo.Session(env=True, cookie_file=str(cookies)) as again:
        assert again.search_count("res.partner") > 0
        assert again.login_count == 0  # the saved session was reused


def test_native_values_round_trip(session):
    name = "Zoë Café 日本商事 ✓"
    pid = session.call_kw("res.partner", "create", [{"name": name, "is_company": True,
                                                     "comment": None}])
    assert isinstance(pid, int)
    rows = session.call_kw("res.partner", "read", [[pid]],
                           {"fields": ["name", "is_company", "parent_id", "comment"]})
    assert rows == [{"id": pid, "name": name, "is_company": True, "parent_id": False,
                     "comment": False}]
    # tuples and generators are sequences; a dict subclass is a dict
    ids = session.call_kw("res.partner", "search", ([("id", "in", (10, 11, 12))],),
                          {"order": "id"})
    assert ids == [10, 11, 12]
    ids = session.call_kw("res.partner", "search", [[("id", "in", (i for i in (10, 11)))]])
    assert sorted(ids) == [10, 11]
    orders = session.search_read("sale.order", [], ["amount_total"], limit=3)
    assert all(isinstance(o["amount_total"], float) for o in orders)
    assert session.call_kw("res.partner", "search_count", [[]], None, None) > 0


def test_values_that_are_not_json(session, emulator):
    emulator.reset_stats()
    with pytest.raises(TypeError, match="object"):
        session.call_kw("res.partner", "search", [[("id", "=", object())]])
    with pytest.raises(TypeError, match="bytes"):
        session.call_kw("res.partner", "search", [[("name", "=", b"x")]])
    with pytest.raises(ValueError, match="NaN"):
        session.call_kw("res.partner", "search", [[("x", "=", math.nan)]])
    with pytest.raises(OverflowError):
        session.call_kw("res.partner", "search", [[("id", "=", 2 ** 70)]])
    with pytest.raises(TypeError, match="keys must be str"):
        session.call_kw("res.partner", "search", [[]], {1: 2})
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises((ValueError, RecursionError)):
        session.call_kw("res.partner", "search", [cyclic])
    with pytest.raises(libodoo.InvalidArgument, match="args must be a list"):
        session.call_kw("res.partner", "search", {"a": 1})
    assert emulator.stats()["requests"] == 0


def test_context_attribute(session):
    assert session.context is None
    session.context = {"lang": "fr_FR", "tz": "Europe/Brussels"}
    assert session.context == {"lang": "fr_FR", "tz": "Europe/Brussels"}
    assert session.search_count("res.partner") > 0
    session.context = None
    assert session.context is None
    with pytest.raises(libodoo.InvalidArgument):
        session.context = [1]


def test_session_options_are_checked(env):
    with pytest.raises(libodoo.InvalidArgument, match="unknown session option 'bogus'"):
        libodoo.Session(bogus=1, **env)
    with pytest.raises(libodoo.InvalidArgument, match="transport"):
        libodoo.Session(transport="pigeon", **env)
    with pytest.raises(libodoo.InvalidArgument, match="timeout_ms"):
        libodoo.Session(timeout_ms="soon", **env)
    with pytest.raises(libodoo.InvalidArgument, match="url"):
        libodoo.Session(database="x")
    with pytest.raises(libodoo.InvalidArgument):
        libodoo.Session("ftp://example.com")
    with pytest.raises(libodoo.InvalidArgument, match="max_response_bytes"):
        libodoo.Session(max_response_bytes=-1, **env)
    # issue 18: a password over plain http:// to a host that is not loopback
    with pytest.raises(libodoo.InvalidArgument, match="allow_insecure_http"):
        libodoo.Session("http://192.0.2.1:8069", "acme", "admin", "pw")
    libodoo.Session("http://192.0.2.1:8069", "acme", "admin", "pw",
                    allow_insecure_http=True).close()  # no I/O until the first call
    with pytest.raises(libodoo.TooBig, match=r"max_response_bytes \(100 bytes\)"):
        libodoo.Session(max_response_bytes=100, **env).search_count("res.partner")
    s = libodoo.Session(transport="session", timeout_ms=5000, connect_timeout_ms=1000,
                        verify_peer=True, verify_host=True, auto_reauth=True, max_retries=0,
                        retry_base_ms=10, retry_max_ms=20, user_agent="tests/1",
                        low_speed_limit=1, low_speed_time_s=30, proxy="",
                        max_response_bytes=64 * 1024 * 1024, allow_insecure_http=False,
                        context={"lang": "en_US"}, **env)
    assert s.context == {"lang": "en_US"}
    assert s.search_count("res.partner") > 0
    assert s.transport == "session"
    s.close()


def test_env_option_reads_the_environment():
    with libodoo.Session(env=True) as s:
        assert s.url == os.environ["ODOO_URL"]
        s.login()
        assert s.uid == 2
    with libodoo.Session(env=True, password="wrong") as s:  # explicit wins
        with pytest.raises(libodoo.AuthError):
            s.login()


def test_logout_then_call_logs_in_again(session):
    session.login()
    session.logout()
    assert session.search_count("res.partner") > 0
    assert session.login_count == 2


def test_calls_release_the_gil(env, emulator):
    import threading
    import time
    with libodoo.Session(**env) as s:
        s.login()
        emulator.faults(delay_ms=1500, delay_count=1)
        done = threading.Event()
        result = []
        worker = threading.Thread(target=lambda: (result.append(s.search_count("res.partner")),
                                                  done.set()))
        start = time.monotonic()
        worker.start()
        ticks = 0
        while not done.is_set() and time.monotonic() - start < 10:
            ticks += 1
            time.sleep(0.01)
        worker.join()
        assert result and result[0] > 0
        assert time.monotonic() - start >= 1.4
        assert ticks > 50  # this thread ran while the other one waited for Odoo


def test_one_session_shared_by_threads(session):
    import threading
    expected = session.search_count("res.partner")
    counts, errors = [], []

    def work():
        try:
            for _ in range(20):
                counts.append(session.search_count("res.partner"))
                session.search_read("res.partner", None, ["name"], limit=5)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and counts == [expected] * 80
