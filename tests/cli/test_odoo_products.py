#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""odoo-products end to end, against the emulator.

Run under tests/emulator/run_with_emulator.py (which exports ODOO_URL, ODOO_DB,
ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY and ODOO_EMULATOR_URL):

    run_with_emulator.py --orders 50 --api-key KEY -- python3 test_odoo_products.py path/to/odoo-products

The JSON-2 tests start an Odoo 19 emulator of their own. Fixtures are in data/.
Tests that create products use codes of their own, so that their order does not matter.
"""
import json
import os
import random
import stat
import subprocess
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
EMULATOR = os.path.join(HERE, "..", "emulator", "odoo_emulator.py")
MAPPING = os.path.join(DATA, "products_mapping.json")
TOOL = None
SECRET = "S3cret-Pa55word-for-grep"
SECRET_ID = "S3cretLooksLikeAKey_42"
FIELDS = ["default_code", "name", "barcode", "description_sale", "list_price", "weight", "sale_ok",
          "categ_id", "taxes_id", "type"]


def emulator(path, body=None, url=None):
    req = urllib.request.Request((url or os.environ["ODOO_EMULATOR_URL"]) + "/__emulator/" + path,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.loads(r.read())


def calls():
    return emulator("stats")["calls"]


def rpc(model, method, args=(), kwargs=None):
    """The test's own view of the data: /jsonrpc execute_kw as admin."""
    body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
        "service": "object", "method": "execute_kw",
        "args": [os.environ["ODOO_DB"], 2, "admin", model, method, list(args), kwargs or {}]}}
    req = urllib.request.Request(os.environ["ODOO_URL"] + "/jsonrpc", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        reply = json.loads(r.read())
    if "error" in reply:
        raise AssertionError(reply["error"])
    return reply["result"]


def products(codes, model="product.product"):
    rows = rpc(model, "search_read", [[["default_code", "in", codes]]], {"fields": FIELDS, "order": "default_code"})
    return {r.pop("default_code"): r for r in rows}


class ProductsBase(unittest.TestCase):
    def setUp(self):
        emulator("faults", {"reset": True})
        emulator("reset_stats", {})
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.history = self.path("history.jsonl")

    def tearDown(self):
        emulator("faults", {"reset": True})
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def env(self):
        env = dict(os.environ, HOME=self.dir)            # never the real ~/.odoo-products-history.jsonl
        env.pop("ODOO_API_KEY", None)                     # the web session unless a test asks
        env.pop("ODOO_PRODUCTS_HISTORY", None)
        return env

    def run_tool(self, *args, env=None, history=True, **envover):
        e = self.env() if env is None else env
        e.update(envover)
        argv = [TOOL, *args] + (["--history", self.history] if history else [])
        return subprocess.run(argv, capture_output=True, text=True, env=e, timeout=60)

    def write(self, name, text, mode=None):
        with open(self.path(name), "w", encoding="utf-8", newline="") as f:
            f.write(text if isinstance(text, str) else json.dumps(text))
        if mode is not None:
            os.chmod(self.path(name), mode)
        return self.path(name)

    def mapping(self, **changes):
        """The fixture mapping with top-level keys replaced."""
        with open(MAPPING, encoding="utf-8") as f:
            m = json.load(f)
        m.update(changes)
        return self.write("mapping-%d.json" % id(changes), m)

    def history_entries(self):
        with open(self.history, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def assertOneLine(self, p, *words):
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("odoo-products: "), p.stderr)
        for w in words:
            self.assertIn(w, lines[0])


class ImportTest(ProductsBase):
    def test_import_csv_upserts_then_updates(self):
        p = self.run_tool("import", os.path.join(DATA, "products.csv"), "--mapping", MAPPING)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual(json.loads(p.stdout), {"model": "product.product", "file": os.path.join(DATA, "products.csv"),
                                                "read": 4, "rejected": 0, "created": 3, "updated": 1,
                                                "unchanged": 0, "archived": 0})
        # one search for the codes, one create for the new ones, one write per distinct values
        c = calls()
        self.assertEqual((c["product.product.search_read"], c["product.product.create"],
                          c["product.product.write"]), (1, 1, 1))
        got = products(["IMP-001", "IMP-002", "IMP-003", "P-0003"])
        self.assertEqual(got["IMP-001"], {
            "id": got["IMP-001"]["id"], "name": "Standing Desk", "barcode": "4006381333931",
            "description_sale": "Electric, height-adjustable", "list_price": 499.9, "weight": 32.5,
            "sale_ok": True, "categ_id": [3, "All / Saleable / Office Furniture"], "taxes_id": [2],
            "type": "consu"})
        self.assertEqual((got["IMP-002"]["name"], got["IMP-002"]["description_sale"], got["IMP-002"]["sale_ok"],
                          got["IMP-002"]["barcode"], got["IMP-002"]["weight"], got["IMP-002"]["taxes_id"]),
                         ('Monitor Arm "Pro"', "Two lines:\r\nclamp and grommet", False, False, 0.0, [1]))
        self.assertEqual((got["IMP-003"]["name"], got["IMP-003"]["categ_id"][0], got["IMP-003"]["taxes_id"]),
                         ("Cable Tray", 2, []))
        self.assertEqual((got["P-0003"]["name"], got["P-0003"]["list_price"]), ("Large Desk (renamed)", 1850.0))
        # again: nothing new, nothing changed: nothing written (issue 14, bug 4: every
        # product was rewritten, moving write_date and resending it downstream)
        emulator("reset_stats", {})
        p = self.run_tool("import", os.path.join(DATA, "products.csv"), "--mapping", MAPPING)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual((out["created"], out["updated"], out["unchanged"]), (0, 0, 4))
        self.assertNotIn("product.product.create", calls())
        self.assertNotIn("product.product.write", calls())
        self.assertEqual([e["status"] for e in self.history_entries()], ["success", "success"])

    def test_import_json_into_templates(self):
        mapping = self.mapping(model="product.template")
        p = self.run_tool("import", os.path.join(DATA, "products.json"), "-m", mapping)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["created"], 2)
        got = products(["JSON-001", "JSON-002"], model="product.template")
        self.assertEqual((got["JSON-001"]["name"], got["JSON-001"]["list_price"], got["JSON-001"]["taxes_id"]),
                         ("Café Table Ø60", 299.0, [1]))
        self.assertEqual((got["JSON-002"]["list_price"], got["JSON-002"]["weight"], got["JSON-002"]["barcode"]),
                         (45.5, 4.0, "4006381333948"))
        self.assertEqual(calls()["product.template.create"], 1)
        self.assertEqual(products(["JSON-001"]), {})          # not a variant import

    def test_dry_run_sends_nothing(self):
        p = self.run_tool("import", os.path.join(DATA, "products.json"), "-m", MAPPING, "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual([r["default_code"] for r in out["records"]], ["JSON-001", "JSON-002"])
        self.assertEqual(out["records"][1], {"default_code": "JSON-002", "name": "Bar Stool", "barcode": "4006381333948",
                                             "list_price": 45.5, "weight": 4, "sale_ok": True, "categ_id": 3,
                                             "taxes_id": [2], "type": "consu"})
        self.assertEqual(set(calls()), {"product.product.fields_get"})
        self.assertTrue(self.history_entries()[0]["dry_run"])

    def test_rejected_rows_stop_everything_unless_skip_invalid(self):
        bad = os.path.join(DATA, "products_bad_rows.csv")
        p = self.run_tool("import", bad, "-m", MAPPING)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.splitlines(), [
            "odoo-products: %s, line 3: field 'price': 'ten' is not a number" % bad,
            "odoo-products: %s, line 4: field 'category': 'Garden' is not in lookups.categories" % bad,
            "odoo-products: %s, line 5: field 'sku' is required" % bad,
            "odoo-products: %s, line 6: default_code 'BAD-001' is already on line 2" % bad,
            "odoo-products: 4 of 5 records rejected: nothing sent (--skip-invalid sends the others)"])
        self.assertEqual(set(calls()), {"product.product.fields_get"})
        self.assertEqual(products(["BAD-001"]), {})
        p = self.run_tool("import", bad, "-m", MAPPING, "--skip-invalid")
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertEqual(json.loads(p.stdout)["created"], 1)
        self.assertEqual(products(["BAD-001"])["BAD-001"]["name"], "Good Row")
        entries = self.history_entries()
        self.assertEqual([(e["status"], e["exit"], e["counts"]["rejected"], e["counts"]["created"]) for e in entries],
                         [("failed", 5, 4, 0), ("partial", 5, 4, 1)])
        self.assertEqual(entries[0]["errors_total"], 5)
        self.assertIn("'ten' is not a number", entries[0]["errors"][0])

    def test_transform_errors_name_the_record_and_field(self):
        data = self.write("t.json", [
            {"sku": "TR-1", "title": "ok", "price": "1e3", "sellable": "off"},
            {"sku": "TR-2", "title": "x", "price": "12,50"},
            {"sku": "TR-3", "title": "x", "sellable": "maybe"},
            {"sku": 42, "title": "x"},
            {"sku": "TR-5", "title": ["not", "text"]},
            {"sku": "TR-6", "title": "x", "category": 3},
            {"sku": "TR-7", "title": "x", "price": "0x10"},
            {"sku": "TR-8", "title": "x\u0007" + "y" * 100, "price": "NaN"}])
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run")
        self.assertEqual(p.returncode, 5)
        self.assertEqual([line.split(": ", 2)[2] for line in p.stderr.splitlines()[:-1]], [
            "field 'price': '12,50' is not a number",
            "field 'sellable': 'maybe' is not a boolean (true/false, yes/no, 1/0, on/off)",
            "field 'sku': 42 cannot be trimmed: not a text",
            "field 'title': [\"not\",\"text\"] cannot be trimmed: not a text",
            "field 'category': 3 cannot be trimmed: not a text",
            "field 'price': '0x10' is not a number",
            "field 'price': 'NaN' is not a number"])
        self.assertIn("t.json, record 2: field 'price'", p.stderr)
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run", "--skip-invalid")
        first = json.loads(p.stdout)["records"][0]
        self.assertEqual((first["list_price"], first["sale_ok"]), (1000.0, False))

    def test_unknown_field_in_mapping_is_refused_before_data_moves(self):
        with open(MAPPING, encoding="utf-8") as f:
            m = json.load(f)
        m["fields"].append({"source": "brand_name", "target": "x_brand", "type": "direct"})
        p = self.run_tool("import", os.path.join(DATA, "products.csv"), "-m", self.write("m.json", m))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneLine(p, "ODOO_EINVAL", "product.product has no field 'x_brand'")
        self.assertEqual(set(calls()), {"product.product.fields_get"})
        entry = self.history_entries()[0]
        self.assertEqual((entry["status"], entry["exit"]), ("failed", 2))
        self.assertIn("x_brand", entry["errors"][0])

    def test_odoo_refusal_exits_1(self):
        # no name: Odoo's NOT NULL constraint refuses the create
        m = {"fields": [{"source": "sku", "target": "default_code", "type": "direct"},
                        {"source": "title", "target": "name", "type": "direct"}]}
        data = self.write("p.json", [{"sku": "NONAME-1"}])
        p = self.run_tool("import", data, "-m", self.write("m.json", m))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertOneLine(p, "ODOO_EVALIDATION [odoo.exceptions.ValidationError]", "Field: Name (name)")
        self.assertEqual(self.history_entries()[0]["status"], "failed")

    def test_in_doubt_create_then_rerun_is_safe(self):
        data = self.write("p.json", [{"sku": "DOUBT-1", "title": "Maybe"}])
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run")
        emulator("reset_stats", {})
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run")
        # + the upsert's fields_get (types and digits, to compare) and search_read
        before_create = emulator("stats")["requests"] + 2
        emulator("faults", {"skip": before_create, "close_mid_body_count": 1})
        p = self.run_tool("import", data, "-m", MAPPING)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("ODOO_EINDOUBT", p.stderr)
        # the create did happen; running again finds it by its code: no duplicate
        p = self.run_tool("import", data, "-m", MAPPING)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([json.loads(p.stdout)[k] for k in ("created", "updated", "unchanged")], [0, 0, 1])
        self.assertEqual(rpc("product.product", "search_count", [[["default_code", "=", "DOUBT-1"]]]), 1)

    def test_archived_match_is_updated_not_duplicated(self):
        # issue 14, bug 4: the search ignored archived products and created a second one
        pid = rpc("product.product", "create", [{"name": "Old", "default_code": "ARCH-1", "list_price": 1.0}])
        rpc("product.product", "write", [[pid], {"active": False}])
        data = self.write("p.json", [{"sku": "ARCH-1", "title": "Old", "price": "2.5"}])
        p = self.run_tool("import", data, "-m", MAPPING)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual([out[k] for k in ("created", "updated", "unchanged", "archived")], [0, 1, 0, 1])
        rows = rpc("product.product", "search_read", [[["default_code", "=", "ARCH-1"]]],
                   {"fields": ["list_price", "active"], "context": {"active_test": False}})
        self.assertEqual([(r["id"], r["list_price"], r["active"]) for r in rows], [(pid, 2.5, False)])

    def test_one_changed_price_writes_one_product(self):
        rows = [{"sku": "ONE-%d" % i, "title": "One %d" % i, "price": "%d.1" % i, "category": "Office",
                 "tax": "21%", "description": "line" if i % 2 else ""} for i in range(1, 6)]
        p = self.run_tool("import", self.write("p.json", rows), "-m", MAPPING)
        self.assertEqual(json.loads(p.stdout)["created"], 5, p.stderr)
        rows[2]["price"] = "99.99"
        emulator("reset_stats", {})
        p = self.run_tool("import", self.write("p2.json", rows), "-m", MAPPING)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual([out[k] for k in ("created", "updated", "unchanged", "archived")], [0, 1, 4, 0])
        self.assertEqual(calls().get("product.product.write"), 1)
        self.assertEqual(products(["ONE-3"])["ONE-3"]["list_price"], 99.99)
        self.assertEqual(self.history_entries()[-1]["counts"]["unchanged"], 4)


class MappingFileTest(ProductsBase):
    CASES = [
        ('{"fields": [', ":1:", "expected"),
        ("[]", "", "the mapping must be a JSON object"),
        ({"fields": [], "extra": 1}, "", "unknown key 'extra'"),
        ({"fields": []}, "", '"fields" must be a non-empty list'),
        ({"model": "sale.order", "fields": [{}]}, "", '"model" must be "product.product" or "product.template"'),
        ({"key": "Bad Key", "fields": [{}]}, "", '"key" must be an Odoo field name'),
        ({"fields": ["x"]}, "fields[0]", "not an object"),
        ({"fields": [{"source": "a", "type": "direct"}]}, "fields[0]", '"target" must be an Odoo field name'),
        ({"fields": [{"source": "a", "target": "Name", "type": "direct"}]}, "fields[0]", '"target" must be'),
        ({"fields": [{"source": "a", "target": "name", "type": "copy"}]}, "fields[0] (target 'name')",
         '"type" must be direct, transform, constant or lookup'),
        ({"fields": [{"source": "a", "target": "name", "type": "direct", "colour": 1}]}, "(target 'name')",
         "unknown key 'colour'"),
        ({"fields": [{"target": "name", "type": "direct"}]}, "(target 'name')", '"source" must name an input column'),
        ({"fields": [{"source": "a", "target": "name", "type": "transform"}]}, "(target 'name')",
         '"transform" is missing'),
        ({"fields": [{"source": "a", "target": "name", "type": "transform", "transform": "reverse"}]},
         "(target 'name')", "unknown transform 'reverse'"),
        ({"fields": [{"source": "a", "target": "name", "type": "transform", "transform": []}]},
         "(target 'name')", '"transform" must be a name or a list of 1 to 8 names'),
        ({"fields": [{"source": "a", "target": "name", "type": "direct", "transform": "trim"}]},
         "(target 'name')", 'a direct mapping has no "transform"'),
        ({"fields": [{"target": "type", "type": "constant"}]}, "(target 'type')", 'a constant needs a "value"'),
        ({"fields": [{"source": "a", "target": "type", "type": "constant", "value": "consu"}]}, "(target 'type')",
         'a constant has only "target", "type" and "value"'),
        ({"fields": [{"source": "a", "target": "name", "type": "direct", "value": 1}]}, "(target 'name')",
         '"value" is for constants only'),
        ({"fields": [{"source": "a", "target": "name", "type": "direct", "required": "yes"}]}, "(target 'name')",
         '"required" must be true or false'),
        ({"fields": [{"source": "a", "target": "name", "type": "direct", "default": [1]}]}, "(target 'name')",
         '"default" must be a text, a number or a boolean'),
        ({"fields": [{"source": "a", "target": "categ_id", "type": "lookup"}]}, "(target 'categ_id')",
         'a lookup needs a "table"'),
        ({"fields": [{"source": "a", "target": "categ_id", "type": "lookup", "table": "cats"}]},
         "(target 'categ_id')", "no table 'cats' in \"lookups\""),
        ({"fields": [{"source": "a", "target": "name", "type": "direct", "table": "cats"}]}, "(target 'name')",
         '"table" is for lookups only'),
        ({"fields": [{"source": "a", "target": "name", "type": "direct"},
                     {"source": "b", "target": "name", "type": "direct"}]}, "fields[1] (target 'name')",
         "fields[0] has the same target"),
        ({"fields": [{"source": "a", "target": "id", "type": "direct"}]}, "(target 'id')", "the id cannot be mapped"),
        ({"fields": [{"source": "a", "target": "name", "type": "direct"}]}, "",
         "the key 'default_code' must be the target of a non-constant entry"),
        ({"fields": [{"target": "default_code", "type": "constant", "value": "X"}]}, "",
         "the key 'default_code' must be the target of a non-constant entry"),
        ({"lookups": [], "fields": [{}]}, "", '"lookups" must be an object of tables'),
        ({"lookups": {"t": [1]}, "fields": [{}]}, "", "lookups.t must be an object"),
        ({"lookups": {"t": {"a": None}}, "fields": [{}]}, "", "lookups.t.a: a value must be an id"),
    ]

    def test_bad_mappings_are_refused_with_where_and_why(self):
        for i, (body, where, why) in enumerate(self.CASES):
            with self.subTest(case=i, why=why):
                path = self.write("m%d.json" % i, body)
                p = self.run_tool("import", os.path.join(DATA, "products.json"), "-m", path)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertOneLine(p, path + (where if where.startswith(":") else ": "), where, why)
        # checked before connecting: not one request
        self.assertEqual(emulator("stats")["requests"], 0)
        self.assertEqual(len(self.history_entries()), len(self.CASES))

    def test_duplicate_keys_in_the_mapping_json(self):
        path = self.write("dup.json", '{"fields": [], "fields": []}')
        p = self.run_tool("import", os.path.join(DATA, "products.json"), "-m", path)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "duplicate object key")

    def test_no_crash_on_mangled_mappings_and_inputs(self):
        rnd = random.Random(20260101)
        with open(MAPPING, "rb") as f:
            mapping = f.read()
        with open(os.path.join(DATA, "products.csv"), "rb") as f:
            csv = f.read()

        def mangle(data):
            data = bytearray(data)
            for _ in range(rnd.randint(1, 6)):
                op, pos = rnd.randrange(3), rnd.randrange(len(data) + 1)
                if op == 0 and data:
                    del data[pos:pos + rnd.randint(1, 20)]
                elif op == 1:
                    data[pos:pos] = bytes(rnd.choice([0, 10, 13, 34, 44, 44, 92, 123, 125, 255, 0xC3, 0x80])
                                          for _ in range(rnd.randint(1, 4)))
                elif data:
                    data[pos % len(data)] = rnd.randrange(256)
            return bytes(data)

        for i in range(60):
            with self.subTest(i=i):
                mpath, cpath = self.path("m.json"), self.path("in.csv")
                with open(mpath, "wb") as f:
                    f.write(mangle(mapping) if i % 2 else mapping)
                with open(cpath, "wb") as f:
                    f.write(csv if i % 2 else mangle(csv))
                p = subprocess.run([TOOL, "import", cpath, "-m", mpath, "--dry-run", "--no-history"],
                                   capture_output=True, env=self.env(), timeout=60)
                self.assertIn(p.returncode, (0, 2, 5), p.stderr)
                for line in p.stderr.decode("utf-8", "replace").splitlines():
                    self.assertTrue(line.startswith("odoo-products: "), line)


class CsvInputTest(ProductsBase):
    CASES = [
        ('sku,title\nA,"open\n', 2, "a quoted field is not closed"),
        ('sku,title\nA,B"C\n', 2, "a quote inside an unquoted field"),
        ('sku,title\nA,"B"C\n', 2, "text after a closing quote"),
        ("sku,title\nA,B,C\n", 2, "3 fields, the header has 2"),
        ("sku,title\n\nA\n", 3, "1 fields, the header has 2"),
        ("sku,title\nA,\xff\n", 2, "not valid UTF-8"),
        ("sku,title\nA,B\x00\n", 2, "a NUL byte"),
        ("sku,sku\nA,B\n", 1, "a column name appears twice"),
        ("sku,,title\nA,B,C\n", 1, "a column of the header has no name"),
        ("sku,title\nA,B\rC\n", 2, "a carriage return that does not end a line"),
        ("", 1, "no header row"),
        ("\n\n", 3, "no header row"),
    ]

    def test_bad_csv_files_name_the_line(self):
        for i, (text, line, why) in enumerate(self.CASES):
            with self.subTest(case=i, why=why):
                path = self.path("in%d.csv" % i)
                with open(path, "wb") as f:
                    f.write(text.encode("latin-1"))
                p = self.run_tool("import", path, "-m", MAPPING)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertOneLine(p, "%s:%d: " % (path, line), why)
        self.assertEqual(set(calls()), {"product.product.fields_get"})

    def test_format_option_and_unknown_extension(self):
        path = self.write("products.txt", "sku,title\nFMT-1,Plain text\n")
        p = self.run_tool("import", path, "-m", MAPPING, "--dry-run")
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "use --format csv or json")
        p = self.run_tool("import", path, "-m", MAPPING, "--dry-run", "--format", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["records"][0]["default_code"], "FMT-1")
        p = self.run_tool("import", self.write("x.json", '{"not": "a list"}'), "-m", MAPPING)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "expected a JSON list of product objects")
        p = self.run_tool("import", self.write("y.json", '[{"sku": "A"}, 3]'), "-m", MAPPING)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "record 2 is not an object")
        p = self.run_tool("import", self.path("missing.csv"), "-m", MAPPING)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "missing.csv: No such file or directory")


class ExportTest(ProductsBase):
    def test_export_reverses_the_mapping_and_reimports(self):
        data = self.write("p.json", [
            {"sku": "EXP-001", "title": "Export One", "price": "10.5", "category": "Office", "tax": "21%",
             "sellable": "no", "ean": "123"},
            {"sku": "EXP-002", "title": "Export Two", "price": 3, "category": "Saleable", "tax": "none"}])
        self.assertEqual(self.run_tool("import", data, "-m", MAPPING).returncode, 0)
        rpc("product.product", "create", [{"name": "Foreign", "default_code": "EXP-003", "categ_id": 1,
                                           "taxes_id": [1, 2]}])
        out = self.path("export.json")
        with open(out, "w") as f:
            f.write("previous")
        emulator("reset_stats", {})
        p = self.run_tool("export", "-m", MAPPING, "-o", out, "--domain", '[["default_code", "=like", "EXP-%"]]')
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"model": "product.product", "file": out, "exported": 3})
        self.assertFalse([n for n in os.listdir(self.dir) if ".tmp." in n])
        with open(out, encoding="utf-8") as f:
            rows = json.load(f, object_pairs_hook=lambda pairs: pairs)
        keys = ["sku", "title", "ean", "description", "price", "weight", "sellable", "category", "tax"]
        self.assertEqual([[k for k, _ in r] for r in rows], [keys] * 3)      # the mapping's order
        rows = [dict(r) for r in rows]
        self.assertEqual(rows[0], {"sku": "EXP-001", "title": "Export One", "ean": "123", "description": None,
                                   "price": 10.5, "weight": 0.0, "sellable": False, "category": "Office",
                                   "tax": "21%"})
        self.assertEqual((rows[1]["category"], rows[1]["tax"]), ("Saleable", "none"))
        # not in a lookup table: the Odoo value itself
        self.assertEqual((rows[2]["category"], rows[2]["tax"]), ("All", [1, 2]))
        self.assertEqual(calls().get("product.product.search_read"), 1)
        # the export is an import file for the same mapping
        rows.pop()
        p = self.run_tool("import", self.write("again.json", rows), "-m", MAPPING)
        self.assertEqual(p.returncode, 0, p.stderr)
        # what was exported is unchanged: nothing written
        self.assertEqual([json.loads(p.stdout)[k] for k in ("created", "updated", "unchanged")], [0, 0, 2])
        self.assertEqual([e["run"] for e in self.history_entries()], ["import", "export", "import"])
        self.assertEqual(self.history_entries()[1]["counts"]["exported"], 3)

    def test_export_to_stdout_pages_through_everything(self):
        p = self.run_tool("export", "-m", MAPPING, "--batch", "7", "--pretty")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = json.loads(p.stdout)
        expected = rpc("product.product", "search_count", [[["default_code", "!=", False]]])
        self.assertEqual(len(rows), expected)
        self.assertEqual(calls()["product.product.search_read"], expected // 7 + 1)
        self.assertIn({"sku": "P-0002", "title": "Desk Lamp", "ean": "2000000000002", "description": None,
                       "price": 35.5, "weight": 0.0, "sellable": True, "category": "Office", "tax": "15%"}, rows)

    def test_export_errors(self):
        p = self.run_tool("export", "-m", MAPPING, "--domain", '[["colour", "=", "red"]]')
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneLine(p, "product.product has no field 'colour'")
        p = self.run_tool("export", "-m", MAPPING, "--domain", "{}")
        self.assertEqual(p.returncode, 2)
        p = self.run_tool("export", "-m", MAPPING, "-o", self.path("no/dir/x.json"))
        self.assertEqual(p.returncode, 4)
        self.assertOneLine(p, "cannot create a temporary file")


class ConnectionTest(ProductsBase):
    @classmethod
    def setUpClass(cls):
        cls.key19 = "products-json2-key-5d1e"
        cls.e19 = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", "--orders", "10", "--version", "19",
                                    "--api-key", cls.key19, "--quiet"], stdout=subprocess.PIPE, text=True)
        line = cls.e19.stdout.readline()
        if not line.startswith("LISTENING "):
            cls.e19.kill()
            raise RuntimeError("emulator did not start: %r" % line)
        cls.url19 = "http://127.0.0.1:%s" % line.split()[1]

    @classmethod
    def tearDownClass(cls):
        cls.e19.terminate()
        cls.e19.wait(10)
        cls.e19.stdout.close()

    def test_test_connection_over_each_transport(self):
        p = self.run_tool("test-connection")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"success": True, "server_version": "18.0", "uid": 2,
                                                "database": os.environ["ODOO_DB"], "transport": "session"})
        env = self.env()
        env.pop("ODOO_PASSWORD")
        env["ODOO_API_KEY"] = os.environ["ODOO_API_KEY"]
        p = self.run_tool("test-connection", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["transport"], "jsonrpc")
        env.update(ODOO_URL=self.url19, ODOO_DB="acme19", ODOO_API_KEY=self.key19)
        p = self.run_tool("test-connection", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"success": True, "server_version": "19.0", "uid": 2,
                                                "database": "acme19", "transport": "json2"})

    def test_import_and_export_over_json2(self):
        env = {k: v for k, v in self.env().items() if not k.startswith("ODOO_")}
        env.update(ODOO_URL=self.url19, ODOO_DB="acme19", ODOO_API_KEY=self.key19)
        p = self.run_tool("--transport", "json2", "import", os.path.join(DATA, "products.json"), "-m", MAPPING,
                          env=dict(env))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["created"], 2)
        stats = emulator("stats", url=self.url19)["calls"]
        self.assertEqual((stats["product.product.search_read"], stats["product.product.create"]), (1, 1))
        p = self.run_tool("--transport", "json2", "export", "-m", MAPPING, "--domain",
                          '[["default_code", "in", ["JSON-001", "JSON-002"]]]', env=dict(env))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["title"] for r in json.loads(p.stdout)], ["Café Table Ø60", "Bar Stool"])

    def test_wrong_password_exits_3_without_the_secret(self):
        p = self.run_tool("test-connection", ODOO_PASSWORD=SECRET)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneLine(p, "ODOO_EAUTH [odoo.exceptions.AccessDenied]")
        self.assertNotIn(SECRET, p.stdout + p.stderr)

    def test_network_error_exits_4(self):
        p = self.run_tool("--retry-deadline", "1", "test-connection", ODOO_URL="http://127.0.0.1:1")
        self.assertEqual(p.returncode, 4)
        self.assertOneLine(p, "ODOO_ENETWORK")

    def test_credentials_files(self):
        url, db = os.environ["ODOO_URL"], os.environ["ODOO_DB"]
        bare = {k: v for k, v in self.env().items() if not k.startswith("ODOO_")}
        env_file = self.write("odoo.env", "# Odoo\n\nexport ODOO_URL=%s\nODOO_DB = %s\nODOO_EMAIL=admin\n"
                              "ODOO_PASSWORD=\"admin\"\r\n" % (url, db), mode=0o600)
        json_file = self.write("odoo.json", {"odoo_url": url, "odoo_db": db, "odoo_username": "admin",
                                             "odoo_password": "admin"}, mode=0o600)
        for path in (env_file, json_file):
            p = self.run_tool("--credentials", path, "test-connection", env=dict(bare))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["uid"], 2)
        # only the file counts: the environment's password does not fill in
        partial = self.write("partial.env", "ODOO_URL=%s\nODOO_DB=%s\nODOO_USER=admin\n" % (url, db), mode=0o600)
        p = self.run_tool("--credentials", partial, "test-connection")
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "in the credentials file")
        # group- or world-readable: refused, whatever it holds
        for mode in (0o640, 0o644, 0o604, 0o660):
            os.chmod(env_file, mode)
            p = self.run_tool("--credentials", env_file, "test-connection", env=dict(bare))
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertOneLine(p, "accessible by group or others (mode 0%o): refused" % mode, "chmod 600")
        p = self.run_tool("--credentials", self.dir, "test-connection")
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "not a regular file")
        p = self.run_tool("--credentials", self.path("nope.env"), "test-connection")
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "cannot open the credentials file")

    def test_bad_credentials_files_never_echo_their_content(self):
        cases = [
            (SECRET + "\n", ":1: expected KEY=VALUE"),
            ("ODOO_URL=x\n" + SECRET + "=1\n", ":2: expected KEY=VALUE"),
            ("ODOO_URL=x\nODOO_" + SECRET_ID + "=1\n", ":2: unknown key (expected ODOO_URL, ODOO_DB"),
            ("ODOO_PASSWORD=a\nODOO_PASSWORD=" + SECRET + "\n", ":2: ODOO_PASSWORD is set twice"),
            ('{"odoo_password": "' + SECRET + '", }', ":1:"),
            ('{"odoo_password": ["' + SECRET + '"]}', "ODOO_PASSWORD must be a string"),
            ('{"' + SECRET + '": "x"}', "unknown key"),
            ('["' + SECRET + '"]', "not a JSON object"),
        ]
        for i, (text, words) in enumerate(cases):
            with self.subTest(case=i):
                path = self.write("c%d" % i, text, mode=0o600)
                p = self.run_tool("--credentials", path, "test-connection")
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertOneLine(p, words)
                self.assertNotIn(SECRET, p.stderr + p.stdout)
                self.assertNotIn(SECRET_ID, p.stderr + p.stdout)


class StatsAndUsageTest(ProductsBase):
    def test_stats_summarise_the_history(self):
        p = self.run_tool("stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["runs"], 0)
        good = os.path.join(DATA, "products.json")
        self.assertEqual(self.run_tool("import", good, "-m", MAPPING, "--dry-run").returncode, 0)
        self.assertEqual(self.run_tool("import", good, "-m", MAPPING, "--dry-run").returncode, 0)
        self.assertEqual(self.run_tool("export", "-m", MAPPING, "-o", self.path("e.json")).returncode, 0)
        self.assertEqual(self.run_tool("import", os.path.join(DATA, "products_bad_rows.csv"), "-m",
                                       MAPPING).returncode, 5)
        with open(self.history, "a") as f:
            f.write('{"run": "import", "started": "2026-01-01T0\n')          # a line cut short
        p = self.run_tool("stats", "--pretty")
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual((s["runs"], s["successful"], s["partial"], s["failed"], s["success_rate"],
                          s["unreadable_lines"]), (4, 3, 0, 1, 75.0, 1))
        self.assertEqual(s["by_command"], {"import": 3, "export": 1})
        self.assertEqual(s["totals"]["read"], 2 + 2 + 5)
        self.assertEqual(s["totals"]["rejected"], 4)
        self.assertGreater(s["totals"]["exported"], 20)
        self.assertIn("'ten' is not a number", s["last_error"])
        self.assertLessEqual(s["first_run_at"], s["last_run_at"])
        self.assertRegex(s["last_run_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIsInstance(s["avg_duration_ms"], int)
        self.assertEqual(stat.S_IMODE(os.stat(self.history).st_mode), 0o600)

    def test_history_location(self):
        data = os.path.join(DATA, "products.json")
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run", history=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(self.path(".odoo-products-history.jsonl")))       # $HOME
        elsewhere = self.path("elsewhere.jsonl")
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run", history=False,
                          ODOO_PRODUCTS_HISTORY=elsewhere)
        self.assertTrue(os.path.exists(elsewhere))
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run", "--no-history", history=False,
                          ODOO_PRODUCTS_HISTORY=self.path("never.jsonl"))
        self.assertEqual(p.returncode, 0)
        self.assertFalse(os.path.exists(self.path("never.jsonl")))
        p = self.run_tool("import", data, "-m", MAPPING, "--dry-run", history=False,
                          ODOO_PRODUCTS_HISTORY=self.path("no/dir/h.jsonl"))
        self.assertEqual(p.returncode, 0)                  # a warning only
        self.assertIn("warning: cannot append to the history", p.stderr)

    def test_usage_errors_exit_2(self):
        for args in ([], ["frobnicate"], ["import"], ["import", "x.csv"], ["export"],
                     ["import", "x.csv", "-m", MAPPING, "--domain", "[]"], ["export", "-m", MAPPING, "--dry-run"],
                     ["test-connection", "-m", MAPPING], ["stats", "extra"], ["--format", "xml", "stats"],
                     ["--batch", "0", "stats"], ["--bogus"], ["import", "x.csv", "-m"]):
            with self.subTest(args=args):
                p = self.run_tool(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
        env = self.env()
        env.pop("ODOO_PASSWORD")
        p = self.run_tool("test-connection", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "ODOO_PASSWORD")

    def test_help_and_version(self):
        p = self.run_tool("--help", history=False)
        self.assertEqual(p.returncode, 0)
        for word in ("import FILE --mapping MAP", "export --mapping MAP", "test-connection", "stats",
                     "--dry-run", "--skip-invalid", "--history FILE", "--credentials FILE", "--transport",
                     "ODOO_URL", "ODOO_EMAIL", "ODOO_API_KEY", "Exit status", "  5  "):
            self.assertIn(word, p.stdout)
        p = self.run_tool("--version", history=False)
        self.assertEqual(p.returncode, 0)
        self.assertIn("libodoo", p.stdout)


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
