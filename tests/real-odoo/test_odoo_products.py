# SPDX-License-Identifier: MIT
"""odoo-products against a real Odoo: import (upsert), export, on every
transport the version offers, values checked with an independent JSON-RPC
client.

Every test makes its own products, with default codes LOP-<hex>-<n> unique to
the run: nothing other tests rely on is changed, and a rerun on the same
database makes new records. Issue 14, section 3, bug 4:
- an archived product with the code was not found (the search had
  active_test on) and a second one was created;
- every existing product was written even when nothing changed ("updated: 20"
  for a one-price change), moving write_date on all of them, which made every
  downstream incremental sync resend them. Only the products whose values
  differ are written now; the others are reported as "unchanged".
"""
import json
import os
import uuid

TOOL = "odoo-products"


def mapping(odoo, tmp_path):
    """Fields of several types: char, html, float with digits, boolean,
    many2one (a lookup), many2many (a lookup)."""
    cat = odoo.execute("product.category", "search", [["parent_id", "=", False]], limit=1)[0]
    m = {
        "model": "product.product",
        "key": "default_code",
        "fields": [
            {"source": "sku", "target": "default_code", "type": "direct", "required": True},
            {"source": "title", "target": "name", "type": "direct", "required": True},
            {"source": "notes", "target": "description", "type": "direct"},
            {"source": "sales_text", "target": "description_sale", "type": "direct"},
            {"source": "price", "target": "list_price", "type": "transform", "transform": "number"},
            {"source": "weight", "target": "weight", "type": "transform", "transform": "number"},
            {"source": "sellable", "target": "sale_ok", "type": "transform",
             "transform": "boolean"},
            {"source": "category", "target": "categ_id", "type": "lookup", "table": "categories"},
            {"source": "tax", "target": "taxes_id", "type": "lookup", "table": "taxes"},
        ],
        "lookups": {"categories": {"Root": cat}, "taxes": {"none": []}},
    }
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(m))
    return str(path)


def rows(tag, n=4):
    return [{"sku": "LOP-%s-%d" % (tag, i), "title": "Libodoo product %s %d" % (tag, i),
             "notes": "Fragile" if i % 2 else "", "sales_text": "Two lines:\nok" if i % 2 else "",
             "price": "%d.%02d" % (10 + i, 15 * i % 100), "weight": "%d.25" % i,
             "sellable": "yes" if i % 2 else "no", "category": "Root", "tax": "none"}
            for i in range(1, n + 1)]


def write_input(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return str(p)


def run(odoo, transport, tmp_path, *args, check=0):
    env = {"HOME": str(tmp_path), "ODOO_PRODUCTS_HISTORY": str(tmp_path / "history.jsonl")}
    cp = odoo.run_tool(TOOL, list(args), transport=transport, env=env, check=check)
    return cp


def state(odoo, codes):
    """code -> (id, write_date, list_price, active), archived products included."""
    got = odoo.execute("product.product", "search_read", [["default_code", "in", codes]],
                       fields=["default_code", "write_date", "list_price", "active"],
                       context={"active_test": False})
    return {r["default_code"]: (r["id"], r["write_date"], r["list_price"], r["active"])
            for r in got}


def test_import_unchanged_then_one_change_then_export(odoo, transport, tmp_path):
    tag = uuid.uuid4().hex[:8]
    m = mapping(odoo, tmp_path)
    data = rows(tag)
    codes = [r["sku"] for r in data]
    cp = run(odoo, transport, tmp_path, "import", write_input(tmp_path, "a.json", data), "-m", m)
    out = json.loads(cp.stdout)
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [4, 0, 0, 0]
    before = state(odoo, codes)
    assert len(before) == 4
    got = odoo.execute("product.product", "search_read", [["default_code", "in", codes]],
                       fields=["default_code", "name", "list_price", "weight", "sale_ok",
                               "description", "description_sale", "taxes_id"],
                       order="default_code")
    # 16 and 17 read 13.45 back as 13.450000000000001: compared at the field's digits
    assert [(g["default_code"], round(g["list_price"], 2), round(g["weight"], 2), g["sale_ok"],
             g["taxes_id"]) for g in got] == [(r["sku"], float(r["price"]), float(r["weight"]),
                               r["sellable"] == "yes", []) for r in data]
    # Odoo stores the html "Fragile" as "<p>Fragile</p>": still "unchanged" below
    assert "Fragile" in got[0]["description"]

    # the same input again: nothing written, write_date unchanged on every product
    cp = run(odoo, transport, tmp_path, "import", write_input(tmp_path, "b.json", data), "-m", m)
    out = json.loads(cp.stdout)
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [0, 0, 4, 0]
    assert state(odoo, codes) == before

    # one price changes: one product written, the write_date of the others stays
    data[2]["price"] = "123.45"
    cp = run(odoo, transport, tmp_path, "import", write_input(tmp_path, "c.json", data), "-m", m)
    out = json.loads(cp.stdout)
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [0, 1, 3, 0]
    after = state(odoo, codes)
    assert round(after[codes[2]][2], 2) == 123.45
    assert {c: after[c] for c in codes if c != codes[2]} == \
        {c: before[c] for c in codes if c != codes[2]}

    # export: the mapping reversed, values as imported
    exp = tmp_path / "export.json"
    domain = json.dumps([["default_code", "in", codes]])
    cp = run(odoo, transport, tmp_path, "export", "-m", m, "-o", str(exp), "--domain", domain)
    assert json.loads(cp.stdout)["exported"] == 4
    back = sorted(json.loads(exp.read_text()), key=lambda r: r["sku"])
    assert [(r["sku"], r["title"], round(r["price"], 2), r["category"], r["tax"]) for r in back] == \
        [(r["sku"], r["title"], float(r["price"]), "Root", "none") for r in data]
    # the export imported again changes nothing
    cp = run(odoo, transport, tmp_path, "import", str(exp), "-m", m)
    out = json.loads(cp.stdout)
    assert [out[k] for k in ("created", "updated", "unchanged")] == [0, 0, 4]
    assert state(odoo, codes) == after
    # the history counts them
    hist = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text().splitlines()]
    assert [h["counts"]["unchanged"] for h in hist if h["run"] == "import"] == [0, 4, 3, 4]


def test_archived_match_is_updated_not_duplicated(odoo, transport, tmp_path):
    tag = uuid.uuid4().hex[:8]
    m = mapping(odoo, tmp_path)
    data = rows(tag, 2)
    codes = [r["sku"] for r in data]
    pid = odoo.execute("product.product", "create", {"name": "Archived " + tag,
                                                     "default_code": codes[0],
                                                     "list_price": 1.0})
    pid = pid[0] if isinstance(pid, list) else pid
    odoo.execute("product.product", "write", [pid], {"active": False})
    cp = run(odoo, transport, tmp_path, "import", write_input(tmp_path, "a.json", data), "-m", m)
    out = json.loads(cp.stdout)
    # the archived product is updated (and stays archived), the other one created
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [1, 1, 0, 1]
    st = state(odoo, codes)
    assert len(odoo.execute("product.product", "search", [["default_code", "=", codes[0]]],
                            context={"active_test": False})) == 1
    assert st[codes[0]][0] == pid and st[codes[0]][3] is False
    assert round(st[codes[0]][2], 2) == float(data[0]["price"])
    # again: unchanged, still reported as archived
    cp = run(odoo, transport, tmp_path, "import", write_input(tmp_path, "b.json", data), "-m", m)
    out = json.loads(cp.stdout)
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [0, 0, 2, 1]
    assert state(odoo, codes) == st
    # reactivating is the input's choice: a mapping that sets active
    mm = json.loads(open(m).read())
    mm["fields"].append({"target": "active", "type": "constant", "value": True})
    m2 = tmp_path / "mapping-active.json"
    m2.write_text(json.dumps(mm))
    cp = run(odoo, transport, tmp_path, "import", write_input(tmp_path, "c.json", data), "-m",
             str(m2))
    out = json.loads(cp.stdout)
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [0, 1, 1, 1]
    assert state(odoo, codes)[codes[0]][3] is True


def test_seeded_archived_products_are_found(odoo, tmp_path):
    """The seed's archived products (LIBODOO-P033..040) are found by their
    codes. Read only: imported with the values they have, none is written."""
    seeded = odoo.execute("product.product", "search_read",
                          [["default_code", "=like", "LIBODOO-P0%"], ["active", "=", False]],
                          fields=["default_code", "name"], context={"active_test": False})
    if not seeded:
        return
    m = tmp_path / "m.json"
    m.write_text(json.dumps({"model": "product.product", "key": "default_code", "fields": [
        {"source": "sku", "target": "default_code", "type": "direct"},
        {"source": "title", "target": "name", "type": "direct"}]}))
    data = [{"sku": s["default_code"], "title": s["name"]} for s in seeded]
    before = state(odoo, [s["default_code"] for s in seeded])
    cp = run(odoo, "session", tmp_path, "import", write_input(tmp_path, "s.json", data), "-m",
             str(m))
    out = json.loads(cp.stdout)
    n = len(seeded)
    assert [out[k] for k in ("created", "updated", "unchanged", "archived")] == [0, 0, n, n]
    assert state(odoo, [s["default_code"] for s in seeded]) == before
