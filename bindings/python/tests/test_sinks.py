# SPDX-License-Identifier: MIT
"""The JSON file sink (and the DynamoDB sink's option checks, libodoo.aws and the
deprecated AWS names of libodoo)."""

import gc
import json

import pytest

import libodoo
from libodoo import aws


def test_json_array_sink_from_an_iterator(session, tmp_path):
    path = tmp_path / "orders.json"
    expected = session.search_read("sale.order", None, ["name", "amount_total"], order="id")
    with libodoo.json_sink(str(path), format="array") as sink:
        n = sink.put_all(session.iterate("sale.order", None, ["name", "amount_total"], 100))
        assert n == len(expected) == 250
        assert not path.exists()  # whole-file output appears at close
    assert sink.closed and sink.type == "json"
    assert json.loads(path.read_text()) == expected


def test_json_lines_sink_and_stats(session, tmp_path):
    path = tmp_path / "partners.jsonl"
    rows = session.search_read("res.partner", None, ["name", "is_company"], order="id")
    sink = libodoo.json_sink(str(path), append=True, flush_records=0)
    sink.put(rows[0])
    assert sink.put_all(rows[1:]) == len(rows) - 1
    stats = sink.stats()
    assert stats["records"] == len(rows) and stats["written"] == 0
    sink.flush()
    assert sink.stats()["written"] == len(rows)
    sink.close()
    lines = path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == rows
    assert sink.stats()["flushes"] >= 1
    with pytest.raises(libodoo.InvalidArgument):
        sink.put({"after": "close"})


def test_sink_is_aborted_when_the_block_raises(tmp_path):
    path = tmp_path / "never.json"
    with pytest.raises(RuntimeError):
        with libodoo.json_sink(str(path), format="array") as sink:
            sink.put({"id": 1})
            raise RuntimeError("boom")
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_unclosed_sink_is_aborted_on_garbage_collection(tmp_path):
    path = tmp_path / "dropped.json"
    sink = libodoo.json_sink(str(path))
    sink.put({"id": 1})
    del sink
    gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_sink_arguments_are_checked(tmp_path):
    with libodoo.json_sink(str(tmp_path / "x.jsonl")) as sink:
        with pytest.raises(libodoo.InvalidArgument, match="dict"):
            sink.put([1, 2])
        with pytest.raises(libodoo.InvalidArgument):
            sink.put_all([{"id": 1}, 2])
        with pytest.raises(TypeError):
            sink.put({"id": object()})
    with pytest.raises(libodoo.InvalidArgument, match="bogus"):
        libodoo.json_sink(str(tmp_path / "y.json"), bogus=True)
    with pytest.raises(libodoo.InvalidArgument, match="format"):
        libodoo.json_sink(str(tmp_path / "y.json"), format="xml")
    with pytest.raises(libodoo.Error) as info:
        libodoo.json_sink(str(tmp_path / "no" / "such" / "dir.json"))
    assert info.value.message


def test_sink_aborted_explicitly(tmp_path):
    path = tmp_path / "aborted.json"
    sink = libodoo.json_sink(str(path), format="array")
    sink.put({"id": 1})
    sink.abort()
    assert sink.closed and not path.exists()
    with pytest.raises(libodoo.InvalidArgument):
        sink.put({"id": 2})


def test_dynamodb_sink_options_are_checked():
    with pytest.raises(libodoo.InvalidArgument, match="mode"):
        aws.dynamodb_sink("orders", mode="sometimes", region="eu-west-1")
    with pytest.raises(libodoo.InvalidArgument, match="bogus"):
        aws.dynamodb_sink("orders", bogus=1, region="eu-west-1")
    with pytest.raises(libodoo.InvalidArgument):
        aws.dynamodb_sink("orders", access_key_id="AKID", region="eu-west-1")


def test_aws_module_has_the_aws_names():
    import libodoo.aws
    assert libodoo.aws is aws
    assert sorted(aws.__all__) == ["DynamoDB", "dynamodb_sink"]
    assert aws.DYNAMODB_BATCH != aws.DYNAMODB_CONDITIONAL
    assert aws.AWS_DEFAULT_MAX_RETRIES == 3
    assert "DynamoDB" not in vars(libodoo) and "dynamodb_sink" not in vars(libodoo)
    assert "DynamoDB" not in libodoo.__all__ and "dynamodb_sink" not in libodoo.__all__


def test_old_aws_names_still_work_and_warn():
    """libodoo.DynamoDB and libodoo.dynamodb_sink: deprecated aliases for one release."""
    for name in ("DynamoDB", "dynamodb_sink"):
        with pytest.warns(DeprecationWarning, match="libodoo.aws.%s" % name):
            assert getattr(libodoo, name) is getattr(aws, name)
    with pytest.warns(DeprecationWarning):
        with pytest.raises(libodoo.InvalidArgument, match="mode"):
            libodoo.dynamodb_sink("orders", mode="sometimes", region="eu-west-1")
    with pytest.raises(AttributeError):
        libodoo.no_such_name  # noqa: B018
