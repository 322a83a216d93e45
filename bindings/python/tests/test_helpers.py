# SPDX-License-Identifier: MIT
"""The whitelisted helpers, batches and the (write_date, id) cursor."""

import pytest

import libodoo


def test_search_read_with_a_whitelist(session):
    rows = session.search_read("sale.order", [("state", "=", "sale")],
                               ["name", "amount_total", "partner_id"], order="id desc", limit=5)
    assert len(rows) == 5
    for row in rows:
        assert set(row) == {"id", "name", "amount_total", "partner_id"}
        assert isinstance(row["name"], str) and isinstance(row["amount_total"], float)
        assert isinstance(row["partner_id"], list) and isinstance(row["partner_id"][1], str)
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids, reverse=True)
    page2 = session.search_read("sale.order", [("state", "=", "sale")], ["name"],
                                order="id desc", limit=5, offset=5)
    assert page2[0]["id"] < ids[-1]


def test_unknown_field_is_refused_before_any_data_moves(session, emulator):
    session.fields_check("sale.order", ["name"])
    emulator.reset_stats()
    with pytest.raises(libodoo.InvalidArgument, match="no field 'nope'") as info:
        session.search_read("sale.order", None, ["name", "nope"])
    assert isinstance(info.value, ValueError)
    with pytest.raises(libodoo.InvalidArgument, match="no field"):
        session.search_read("sale.order", [("nope", "=", 1)], ["name"])
    with pytest.raises(libodoo.InvalidArgument):
        session.search_read("sale.order", None, [])
    with pytest.raises(libodoo.InvalidArgument, match="required"):
        session.search_read("sale.order")
    with pytest.raises(libodoo.InvalidArgument, match="fields"):
        session.search_read("sale.order", None, ["name", 3])
    assert "sale.order.search_read" not in emulator.stats()["calls"]


def test_search_read_count_and_read(session):
    ids = session.search("res.partner", [("is_company", "=", True)], order="id", limit=3)
    assert len(ids) == 3 and all(isinstance(i, int) for i in ids)
    rows = session.read("res.partner", ids, ["name", "is_company"])
    assert [r["id"] for r in rows] == ids and all(r["is_company"] for r in rows)
    assert session.read("res.partner", ids[0], ["name"])[0]["id"] == ids[0]
    assert session.read("res.partner", [999999], ["name"]) == []
    n = session.search_count("res.partner", [("is_company", "=", True)])
    assert n >= 3 and n == len(session.search("res.partner", [("is_company", "=", True)]))


def test_write_and_read_back(session):
    pid = session.create("res.partner", {"name": "Before"})[0]
    session.write("res.partner", [pid], {"name": "After", "comment": "written by Python",
                                         "is_company": True})
    row = session.read("res.partner", [pid], ["name", "comment", "is_company"])[0]
    assert row == {"id": pid, "name": "After", "comment": "written by Python",
                   "is_company": True}
    session.write("res.partner", pid, {"comment": False})
    assert session.read("res.partner", pid, ["comment"])[0]["comment"] is False


def test_create_many_and_unlink(session):
    ids = session.create("res.partner", [{"name": "A"}, {"name": "B"}, {"name": "C"}])
    assert len(ids) == 3 and len(set(ids)) == 3
    session.unlink("res.partner", ids)
    assert session.read("res.partner", ids, ["name"]) == []


def test_fields_get(session):
    fields = session.fields_get("res.partner", ["type", "string"])
    assert fields["name"]["type"] == "char"
    assert set(fields["name"]) <= {"type", "string"}
    assert "id" in session.fields_get("sale.order")


def test_call_kw_with_context(session):
    partners = session.call_kw("res.partner", "search_read", [[("id", "=", 2)]],
                               {"fields": ["name", "active"]}, {"active_test": False})
    assert partners and partners[0]["active"] is False


def test_create_batch(session, emulator):
    emulator.reset_stats()
    records = [{"name": "Batch %d" % i, "ref": "B-%04d" % i} for i in range(1200)]
    ids = session.create_batch("res.partner", records, chunk=500)
    assert len(ids) == 1200 and len(set(ids)) == 1200
    assert emulator.stats()["calls"]["res.partner.create"] == 3
    assert session.search_count("res.partner", [("ref", "=like", "B-%")]) == 1200


def test_create_batch_failure_tells_what_was_created(session):
    records = [{"name": "Good %d" % i} for i in range(5)] + [{"comment": "no name"}]
    with pytest.raises(libodoo.ValidationError) as info:
        session.create_batch("res.partner", records, chunk=5)
    created = info.value.created_ids
    assert isinstance(created, list) and len(created) == 5
    assert len(session.read("res.partner", created, ["name"])) == 5


def test_write_grouped(session, emulator):
    ids = session.create("res.partner", [{"name": "G%d" % i} for i in range(10)])
    updates = [{"id": pid, "values": {"comment": "even" if n % 2 == 0 else "odd"}}
               for n, pid in enumerate(ids)]
    emulator.reset_stats()
    calls = session.write_grouped("res.partner", updates)
    assert calls == 2 == emulator.stats()["calls"]["res.partner.write"]
    rows = session.read("res.partner", ids, ["comment"])
    assert [r["comment"] for r in rows] == ["even", "odd"] * 5


def test_upsert(session):
    result = session.upsert("product.product", "default_code", [
        {"default_code": "P-0001", "name": "Renamed by upsert"},
        {"default_code": "NEW-0001", "name": "Made by upsert"},
    ])
    assert len(result["created"]) == 1 and len(result["updated"]) == 1
    rows = session.search_read("product.product", [("default_code", "in", ["P-0001", "NEW-0001"])],
                               ["default_code", "name"], order="default_code")
    assert [r["name"] for r in rows] == ["Made by upsert", "Renamed by upsert"]


def test_upsert_skip_unchanged_and_archived(session):
    rows = [{"default_code": "SKIP-0001", "name": "Same", "list_price": 12.5}]
    assert len(session.upsert("product.product", "default_code", rows)["created"]) == 1
    r = session.upsert("product.product", "default_code", rows, skip_unchanged=True)
    assert (r["created"], r["updated"], len(r["unchanged"]), r["archived"]) == ([], [], 1, [])
    pid = r["unchanged"][0]
    rows[0]["list_price"] = 13.0
    session.write("product.product", pid, {"active": False})
    r = session.upsert("product.product", "default_code", rows, skip_unchanged=True)
    # archived: matched (not created again), written, left archived
    assert (r["created"], r["updated"], r["unchanged"], r["archived"]) == ([], [pid], [], [pid])


def test_empty_field_list_is_said_in_python(session):
    # issue 14: the message spoke of the C library's "NULL-terminated list"
    for call in (lambda: session.search_read("res.partner", [], []),
                 lambda: session.read("res.partner", [1], []),
                 lambda: session.iterate("res.partner", None, [])):
        with pytest.raises(libodoo.InvalidArgument) as e:
            call()
        assert "NULL" not in str(e.value) and "a list" in str(e.value)
    with pytest.raises(libodoo.InvalidArgument) as e:
        session.search_read("res.partner", {"a": 1}, ["name"])
    assert str(e.value) == "domain must be a list, not a dict"
    session.fields_check("res.partner", [])      # nothing to check: fine


def test_changed_since_cursor_resumes(session):
    total = session.search_count("sale.order")
    it = session.changed_since("sale.order", None, ["name", "write_date"], 100)
    assert it.cursor() == (None, 0)
    first = [next(it) for _ in range(150)]
    write_date, last_id = it.cursor()
    assert last_id == first[-1]["id"] and write_date == first[-1]["write_date"]
    it.close()
    rest = list(session.changed_since("sale.order", None, ["name"], 100, write_date, last_id))
    seen = [r["id"] for r in first] + [r["id"] for r in rest]
    assert len(seen) == total and len(set(seen)) == total
    # a record written now comes again, after the others
    session.write("sale.order", first[0]["id"], {"client_order_ref": "touched"})
    again = list(session.changed_since("sale.order", None, ["name"], 100, write_date, last_id))
    assert again[-1]["id"] == first[0]["id"]


def test_changed_since_overlap_reads_the_cursor_second_again(session):
    # the whole table, to the end: the cursor is the newest (write_date, id)
    it = session.changed_since("sale.order", None, ["name", "write_date"], 100)
    rows = list(it)
    write_date, last_id = it.cursor()
    assert write_date == rows[-1]["write_date"]
    # the strict cursor: nothing after it
    assert list(session.changed_since("sale.order", None, ["name"], 100, write_date, last_id)) == []
    # overlap=0: the records of the cursor's own second again (those Odoo may stamp behind it)
    again = list(session.changed_since("sale.order", None, ["name", "write_date"], 100,
                                       write_date, last_id, 0))
    same_second = [r["id"] for r in rows if r["write_date"] == write_date]
    assert sorted(r["id"] for r in again) == sorted(same_second) and last_id in same_second
    it = session.changed_since("sale.order", None, ["name"], 100, write_date, last_id, 0)
    list(it)
    assert it.cursor() == (write_date, last_id)  # never backwards
    with pytest.raises(libodoo.InvalidArgument):
        session.changed_since("sale.order", None, ["name"], 100, "not a date", 3, 0)
