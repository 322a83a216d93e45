# SPDX-License-Identifier: MIT
"""The DynamoDB sink and client against DynamoDB Local (run under
tests/sinks/run_with_aws.py --dynamodb: AWS_REGION, keys and
AWS_ENDPOINT_URL_DYNAMODB are exported)."""

import pytest

import libodoo
from libodoo import aws


@pytest.fixture
def db():
    return aws.DynamoDB()


def test_sink_writes_records_as_items(db):
    db.create_table("orders", "id")
    assert db.describe_table("orders")["TableStatus"] == "ACTIVE"
    records = [{"id": i, "name": "S%05d" % i, "amount_total": i * 1.5,
                "partner_id": [7, "Zoë Café"], "note": None, "confirmed": i % 2 == 0}
               for i in range(1, 121)]
    with aws.dynamodb_sink("orders") as sink:
        assert sink.type == "dynamodb"
        assert sink.put_all(records) == 120
    stats = sink.stats()
    assert stats["written"] == 120 and stats["failed"] == 0 and stats["requests"] >= 5
    items = sorted(db.scan("orders"), key=lambda item: item["id"])
    assert items == records
    raw = db.call("GetItem", {"TableName": "orders", "Key": {"id": {"N": "2"}}})
    assert raw["Item"]["amount_total"] == {"N": "3"}
    assert raw["Item"]["note"] == {"NULL": True}


def test_conditional_sink_keeps_the_newest(db):
    db.create_table("partners", "id")
    with aws.dynamodb_sink("partners", mode="conditional",
                               attributes=["id", "name", "write_date=version"],
                               version_attribute="version") as sink:
        sink.put({"id": 1, "name": "new", "write_date": "2026-01-02 00:00:00", "x": 1})
        sink.put({"id": 1, "name": "old", "write_date": "2026-01-01 00:00:00", "x": 2})
    assert sink.stats()["skipped"] == 1
    assert db.scan("partners") == [{"id": 1, "name": "new", "version": "2026-01-02 00:00:00"}]


def test_errors(db, tmp_path):
    with pytest.raises(libodoo.NotFoundError) as info:
        aws.dynamodb_sink("no_such_table")
    assert info.value.odoo_class == "ResourceNotFoundException"
    db.create_table("tbl", "id")
    with pytest.raises(libodoo.ServerError) as info:
        db.create_table("tbl", "id")
    assert info.value.odoo_class == "ResourceInUseException"
    dead = tmp_path / "dead.jsonl"
    with aws.dynamodb_sink("tbl", dead_letter_path=str(dead)) as sink:
        sink.put({"name": "no key"})
    assert sink.stats()["dead_lettered"] == 1 and dead.read_text().strip()
