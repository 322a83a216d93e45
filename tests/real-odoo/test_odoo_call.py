# SPDX-License-Identifier: MIT
"""odoo-call against a real Odoo, on every transport the version offers,
compared value by value with an independent JSON-RPC client."""
import json
import re


def call(odoo, transport, model, method, args="[]", kwargs="{}", check=0, env=None):
    cp = odoo.run_tool("odoo-call", [model, method, args, kwargs], transport=transport,
                       env=env, check=check)
    return cp


def test_search_count_matches(odoo, transport):
    cp = call(odoo, transport, "sale.order", "search_count", "[[]]")
    assert json.loads(cp.stdout) == odoo.execute("sale.order", "search_count", [])
    assert json.loads(cp.stdout) >= 2000


def test_search_read_value_by_value(odoo, transport):
    fields = ["name", "partner_id", "amount_total", "state", "date_order", "write_date",
              "client_order_ref", "order_line"]
    kw = {"fields": fields, "limit": 60, "order": "id desc"}
    cp = call(odoo, transport, "sale.order", "search_read", "[[]]", json.dumps(kw))
    ours = json.loads(cp.stdout)
    theirs = odoo.execute("sale.order", "search_read", [], **kw)
    assert ours == theirs
    assert len(ours) == 60


def test_floats_print_shortest(odoo, transport):
    """615.84 prints as 615.84, not 615.84000000000003 (shortest round trip)."""
    kw = {"fields": ["amount_total", "amount_untaxed", "amount_tax"], "limit": 300}
    cp = call(odoo, transport, "sale.order", "search_read", "[[]]", json.dumps(kw))
    floats = re.findall(r"-?\d+\.\d+(?:[eE][-+]?\d+)?", cp.stdout)
    assert floats
    for tok in floats:
        assert repr(float(tok)) == tok or float(repr(float(tok))) == float(tok) and \
            len(tok) <= len(repr(float(tok))), "not the shortest text: %s" % tok


def test_non_ascii_round_trip(odoo, transport):
    name = "Café ünïcødé 東京 %s" % transport
    cp = call(odoo, transport, "res.partner", "create", json.dumps([{"name": name}]))
    pid = json.loads(cp.stdout)
    pid = pid[0] if isinstance(pid, list) else pid
    cp = call(odoo, transport, "res.partner", "read", json.dumps([[pid], ["name"]]))
    assert json.loads(cp.stdout)[0]["name"] == name


def test_missing_record(odoo, transport):
    cp = call(odoo, transport, "sale.order", "write", json.dumps([[999999999], {"note": "x"}]),
              check=1)
    assert "MISSING" in cp.stderr or "does not exist" in cp.stderr.lower()


def test_unknown_model(odoo, transport):
    cp = call(odoo, transport, "no.such.model", "search_count", "[[]]", check=1)
    assert "no.such.model" in cp.stderr


def test_unknown_method(odoo, transport):
    cp = call(odoo, transport, "res.partner", "no_such_method", "[[]]", check=1)
    assert "no_such_method" in cp.stderr


def test_validation_error(odoo, transport):
    # a selection value that does not exist
    cp = call(odoo, transport, "res.partner", "create",
              json.dumps([{"name": "bad", "type": "no-such-type"}]), check=1)
    assert cp.stderr.startswith("odoo-call: ODOO_E")


def test_access_error_limited_user(odoo, transport):
    if transport in ("jsonrpc-apikey", "json2"):
        # the limited user has no API key: its password over the same transports
        transport = "session" if transport == "json2" else "jsonrpc-password"
    env = {"ODOO_USER": "limited", "ODOO_PASSWORD": "limited"}
    cp = call(odoo, transport, "sale.order", "search_count", "[[]]", check=1, env=env)
    assert "ODOO_EACCESS" in cp.stderr


def test_wrong_password(odoo, transport):
    if transport in ("jsonrpc-apikey", "json2"):
        cp = call(odoo, transport, "res.partner", "search_count", "[[]]", check=3,
                  env={"ODOO_API_KEY": "0" * 40})
    else:
        cp = call(odoo, transport, "res.partner", "search_count", "[[]]", check=3,
                  env={"ODOO_PASSWORD": "wrong-password"})
    assert "ODOO_EAUTH" in cp.stderr
    assert "wrong-password" not in cp.stderr


def test_wrong_database(odoo, transport):
    cp = call(odoo, transport, "res.partner", "search_count", "[[]]",
              env={"ODOO_DB": "no_such_db"}, check=None)
    assert cp.returncode in (3, 4), cp.stderr
    assert "no_such_db" in cp.stderr or "database" in cp.stderr.lower(), cp.stderr
    assert "<html" not in cp.stderr.lower()


def test_values_match_odoorpc(odoo, transport):
    """The same search_read through Debian's python3-odoorpc, an independent client
    of its own (JSON-RPC, the web session), value by value."""
    fields = ["name", "partner_id", "amount_total", "state", "date_order", "write_date"]
    domain = [["client_order_ref", "like", "PERF-"]]
    kw = {"fields": fields, "order": "id asc", "limit": 200}
    cp = call(odoo, transport, "sale.order", "search_read", json.dumps([domain]), json.dumps(kw))
    theirs = odoo.odoorpc().execute_kw("sale.order", "search_read", [domain], kw)
    assert json.loads(cp.stdout) == theirs
    assert len(theirs) > 100
