# SPDX-License-Identifier: MIT
"""The keyset iterator over 10,000 sale orders (run with --orders 10000)."""

import gc

import pytest

import libodoo

TOTAL = 10000


def test_iterate_10000_records(session, emulator):
    emulator.reset_stats()
    it = session.iterate("sale.order", None, ["name", "state"], 1000)
    last = 0
    count = 0
    for record in it:
        assert set(record) == {"id", "name", "state"}
        assert record["id"] > last
        last = record["id"]
        count += 1
    assert count == TOTAL and it.count == TOTAL and it.pages in (10, 11)
    assert next(it, None) is None  # stays at the end
    assert emulator.stats()["calls"]["sale.order.search_read"] == it.pages


def test_iterate_with_a_domain_by_pages(session):
    expected = session.search_count("sale.order", [("state", "=", "sale")])
    it = session.iterate("sale.order", [("state", "=", "sale")], ["name"], 500)
    sizes = [len(page) for page in it.iter_pages()]
    assert sum(sizes) == expected and max(sizes) == 500
    assert it.next_page() is None


def test_session_expiry_mid_iteration_is_transparent(session, emulator):
    session.login()
    emulator.faults(expire_sessions_every=3)
    ids = [r["id"] for r in session.iterate("sale.order", None, ["name"], 500)]
    assert len(ids) == TOTAL and len(set(ids)) == TOTAL
    assert session.reauth_count >= 5
    assert emulator.stats()["sessions_expired"] >= 5


def test_session_expiry_mid_iteration_without_reauth(env, emulator):
    with libodoo.Session(auto_reauth=False, **env) as s:
        s.login()
        it = s.iterate("sale.order", None, ["name"], 1000)
        ids = [next(it)["id"] for _ in range(2500)]
        emulator.faults(expire_all=True)
        with pytest.raises(libodoo.SessionExpired) as info:
            for record in it:
                ids.append(record["id"])
        assert info.value.retryable and info.value.rpc_code == 100
        assert info.value.odoo_class == "odoo.http.SessionExpiredException"
        assert len(ids) == 3000  # the page already fetched was handed out
        # the iterator resumes after the last record it handed out; the client logs in again
        ids.extend(r["id"] for r in it)
        assert len(ids) == TOTAL and len(set(ids)) == TOTAL
        assert s.login_count == 2 and s.reauth_count == 0


def test_iterator_keeps_its_session_alive():
    it = libodoo.Session(env=True).iterate("sale.order", [("id", "<=", 1500)], ["name"], 400)
    gc.collect()
    assert sum(1 for _ in it) == 1500


def test_iterator_of_a_closed_session(session):
    it = session.iterate("sale.order", None, ["name"], 100)
    next(it)
    session.close()
    with pytest.raises(libodoo.InvalidArgument, match="closed"):
        for _ in it:
            pass
    assert next(it, None) is None
