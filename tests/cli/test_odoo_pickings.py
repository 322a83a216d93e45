#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""odoo-pickings end to end, against the emulator.

Run under tests/emulator/run_with_emulator.py (which exports ODOO_URL, ODOO_DB,
ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY and ODOO_EMULATOR_URL):

    run_with_emulator.py --orders 250 --api-key KEY -- python3 test_odoo_pickings.py path/to/odoo-pickings

Every test makes its own pickings (through /jsonrpc, not through the tool), so the
tests do not depend on each other or on their order.
"""
import itertools
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest
import urllib.request

TOOL = None
EMULATOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "emulator", "odoo_emulator.py")
SECRET = "S3cret-Pa55word-for-grep"
PICKING_KEYS = ["id", "name", "origin", "state", "partner_id", "picking_type_id", "scheduled_date",
                "date_done", "sale_id", "company_id", "move_ids"]
MOVE_KEYS = ["id", "name", "product_id", "product_uom_qty", "quantity", "product_uom", "state",
             "origin", "date"]
STATUS_KEYS = ["id", "name", "origin", "state", "scheduled_date", "date_done"]
_serial = itertools.count(1)


def emulator(path, body=None):
    req = urllib.request.Request(os.environ["ODOO_EMULATOR_URL"] + "/__emulator/" + path,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.loads(r.read())


def rpc(model, method, args=(), kwargs=None, url=None, db=None):
    """The test's own view of the data: /jsonrpc execute_kw as admin."""
    body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
        "service": "object", "method": "execute_kw",
        "args": [db or os.environ["ODOO_DB"], 2, "admin", model, method, list(args),
                 kwargs or {}]}}
    req = urllib.request.Request((url or os.environ["ODOO_URL"]) + "/jsonrpc",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        reply = json.loads(r.read())
    if "error" in reply:
        raise AssertionError(reply["error"])
    return reply["result"]


def new_picking(moves=2, state="assigned", origin=None, **where):
    """A fresh delivery with its moves, taken to `state`; answers its record.
    `where`: url= and db= of another emulator."""
    origin = origin or "TEST-%04d" % next(_serial)
    pid = rpc("stock.picking", "create", [{
        "origin": origin, "partner_id": 10,
        "move_ids": [[0, 0, {"product_id": n + 1, "product_uom_qty": n + 2}] for n in range(moves)]}],
        **where)
    if state in ("confirmed", "assigned"):
        rpc("stock.picking", "action_confirm", [[pid]], **where)
    if state == "assigned":
        rpc("stock.picking", "action_assign", [[pid]], **where)
    return rpc("stock.picking", "read", [[pid], ["name", "origin", "state", "move_ids"]],
               **where)[0]


def state_of(pid):
    return rpc("stock.picking", "read", [[pid], ["state"]])[0]["state"]


def write_calls():
    return emulator("stats")["calls"].get("stock.picking.write", 0)


def base_env():
    env = dict(os.environ)
    env.pop("ODOO_API_KEY", None)        # the web session unless a test asks otherwise
    return env


def run(*args, env=None, **envover):
    e = base_env() if env is None else env
    e.update(envover)
    return subprocess.run([TOOL, *args], capture_output=True, text=True, env=e, timeout=60)


def ordered(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=lambda pairs: pairs)


class PickingsTest(unittest.TestCase):
    def setUp(self):
        emulator("faults", {"reset": True})
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        emulator("faults", {"reset": True})
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write_json(self, name, value):
        with open(self.path(name), "w", encoding="utf-8") as f:
            json.dump(value, f)
        return self.path(name)

    def assertOneLine(self, p, *words):
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("odoo-pickings: "), p.stderr)
        for w in words:
            self.assertIn(w, lines[0])

    # --- export ----------------------------------------------------------------------

    def test_export_to_file_whitelisted_and_ordered(self):
        pk = new_picking(moves=3)
        old_umask = os.umask(0o022)
        try:
            out = self.path("picking.json")
            with open(out, "w") as f:
                f.write("old content")
            p = run("export", pk["name"], "-o", out)
        finally:
            os.umask(old_umask)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual(json.loads(p.stdout), {"id": pk["id"], "name": pk["name"], "moves": 3,
                                                "file": out})
        doc = ordered(out)
        self.assertEqual([k for k, _ in doc], ["version", "model", "picking", "moves"])
        self.assertEqual(dict(doc)["version"], 1)
        picking = dict(dict(doc)["picking"])
        self.assertEqual([k for k, _ in dict(doc)["picking"]], PICKING_KEYS)
        self.assertEqual((picking["origin"], picking["state"], picking["partner_id"][0]),
                         (pk["origin"], "assigned", 10))
        moves = dict(doc)["moves"]
        self.assertEqual([dict(m)["id"] for m in moves], pk["move_ids"])
        for m in moves:
            self.assertEqual([k for k, _ in m], MOVE_KEYS)
        self.assertEqual([dict(m)["product_uom_qty"] for m in moves], [2.0, 3.0, 4.0])
        # replaced atomically: no temporary file left, the usual mode
        self.assertEqual(os.listdir(self.dir), ["picking.json"])
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o644)

    def test_export_by_origin_to_stdout(self):
        pk = new_picking(moves=1)
        p = run("export", pk["origin"], "--pretty")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("\n  ", p.stdout)
        doc = json.loads(p.stdout)
        self.assertEqual((doc["picking"]["name"], len(doc["moves"])), (pk["name"], 1))

    def test_export_unknown_ref_exits_5_and_writes_nothing(self):
        p = run("export", "WH/OUT/99999", "-o", self.path("x.json"))
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertOneLine(p, "no picking has the name or origin 'WH/OUT/99999'")
        self.assertEqual(p.stdout, "")
        self.assertEqual(os.listdir(self.dir), [])

    def test_export_ambiguous_origin_exits_5(self):
        a = new_picking(moves=1)
        b = new_picking(moves=1)
        rpc("stock.picking", "write", [[b["id"]], {"origin": a["origin"]}])
        p = run("export", a["origin"])
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertOneLine(p, "is the origin of 2 pickings", a["name"], b["name"])

    def test_export_to_an_unwritable_place_exits_4(self):
        pk = new_picking(moves=1)
        p = run("export", pk["name"], "-o", self.path("no/such/dir/x.json"))
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneLine(p, "cannot create a temporary file")

    # --- status ----------------------------------------------------------------------

    def test_status_by_name_and_origin(self):
        a, b = new_picking(), new_picking(state="confirmed")
        p = run("status", a["name"], b["origin"], a["origin"])
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = json.loads(p.stdout, object_pairs_hook=lambda pairs: pairs)
        self.assertEqual(len(rows), 2)            # a is listed once
        self.assertEqual([k for k, _ in rows[0]], STATUS_KEYS)
        rows = [dict(r) for r in rows]
        self.assertEqual([(r["name"], r["state"]) for r in rows],
                         [(a["name"], "assigned"), (b["name"], "confirmed")])

    def test_status_with_an_unknown_ref_prints_the_others_and_exits_5(self):
        a = new_picking()
        p = run("status", a["name"], "NO-SUCH-REF")
        self.assertEqual(p.returncode, 5)
        self.assertEqual([r["name"] for r in json.loads(p.stdout)], [a["name"]])
        self.assertOneLine(p, "'NO-SUCH-REF'")

    def test_status_by_order_name_when_the_origin_has_a_customer_reference(self):
        # Odoo 18 writes "<order> - <client_order_ref>" (issue 14, bug 7)
        n = next(_serial)
        a = new_picking(origin="SO%05d - PERF-%05d" % (n, n))
        b = new_picking(origin="SO%05d" % (n + 1))
        emulator("reset_stats", {})
        p = run("status", "SO%05d" % n, b["origin"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["name"] for r in json.loads(p.stdout)], [a["name"], b["name"]])
        # a second search only for the refs the first did not find
        self.assertEqual(emulator("stats")["calls"]["stock.picking.search_read"], 2)
        emulator("reset_stats", {})
        p = run("status", b["origin"], a["origin"])    # the whole origin: one search
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(emulator("stats")["calls"]["stock.picking.search_read"], 1)
        p = run("export", "SO%05d" % n)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["picking"]["id"], a["id"])
        # a ref that only starts an origin ("SO0001" of "SO00012 - X") is not it
        p = run("status", "SO%04d" % (n // 10))
        self.assertEqual(p.returncode, 5, p.stderr)

    def test_status_wildcards_of_a_ref_are_literal(self):
        n = next(_serial)
        a = new_picking(origin="W%%%d_1 - R" % n)
        new_picking(origin="Wx%dx1 - R" % n)
        p = run("status", "W%%%d_1" % n)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["name"] for r in json.loads(p.stdout)], [a["name"]])
        p = run("status", "W_%d_1" % n, "W%")
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertEqual(json.loads(p.stdout), [])

    # --- set-status, --save, --replay ----------------------------------------------------

    def test_set_status_writes_reads_back_and_saves(self):
        pk = new_picking()
        emulator("reset_stats", {})
        saved = self.path("update.json")
        p = run("set-status", pk["origin"], "done", "--save", saved)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"id": pk["id"], "name": pk["name"],
                                                "before": "assigned", "state": "done"})
        calls = emulator("stats")["calls"]
        self.assertEqual((calls["stock.picking.write"], calls["stock.picking.read"]), (1, 1))
        self.assertEqual(state_of(pk["id"]), "done")
        doc = ordered(saved)
        self.assertEqual([k for k, _ in doc], ["version", "model", "updates"])
        with open(saved) as f:
            saved_doc = json.load(f)
        self.assertEqual(saved_doc, {
            "version": 1, "model": "stock.picking",
            "updates": [{"ref": pk["name"], "id": pk["id"], "values": {"state": "done"}}]})

    def test_set_status_invalid_state_is_refused_by_odoo(self):
        pk = new_picking()
        p = run("set-status", pk["name"], "shipped")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertOneLine(p, "ODOO_ESERVER", "[builtins.ValueError]",
                           "Wrong value for stock.picking.state: 'shipped'")
        self.assertEqual(state_of(pk["id"]), "assigned")

    def test_set_status_that_does_not_take_exits_6_then_replay(self):
        pk = new_picking()
        saved = self.path("update.json")
        # Odoo answers true but the value stays (a custom write() override, an automation)
        emulator("faults", {"drop_writes": ["stock.picking.state"]})
        p = run("set-status", pk["name"], "done", "--save", saved)
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertOneLine(p, "stock.picking %d (%s): state is \"assigned\" after writing \"done\""
                           % (pk["id"], pk["name"]), "did not take")
        self.assertEqual(json.loads(p.stdout)["state"], "assigned")
        self.assertEqual(state_of(pk["id"]), "assigned")
        # the same saved update, replayed while the fault lasts: still detected
        p = run("--replay", saved)
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertEqual(json.loads(p.stdout)["mismatches"],
                         [{"id": pk["id"], "field": "state", "sent": "done", "read": "assigned"}])
        # and once Odoo behaves again, it goes through
        emulator("faults", {"reset": True})
        emulator("reset_stats", {})
        p = run("--replay", saved)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"model": "stock.picking", "records": 1, "write_calls": 1,
                                                "ids": [pk["id"]], "mismatches": []})
        self.assertEqual(state_of(pk["id"]), "done")
        self.assertEqual(write_calls(), 1)

    def test_replay_refuses_what_is_not_a_saved_update(self):
        pk = new_picking()
        emulator("reset_stats", {})
        plain = self.write_json("plain.json", [{"id": pk["id"], "values": {"state": "done"}}])
        p = run("--replay", plain)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "not a saved update")
        v2 = self.write_json("v2.json", {"version": 2, "model": "stock.picking", "updates": []})
        p = run("--replay", v2)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, '"version" must be 1')
        p = run("--replay", self.path("missing.json"))
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "missing.json")
        self.assertEqual(emulator("stats")["requests"], 0)     # checked before connecting

    def test_replay_onto_another_picking_is_refused(self):
        a, b = new_picking(), new_picking()
        bad = self.write_json("bad.json", {"version": 1, "model": "stock.picking", "updates": [
            {"ref": a["name"], "id": b["id"], "values": {"state": "done"}}]})
        emulator("reset_stats", {})
        p = run("--replay", bad)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertOneLine(p, "'%s' is picking %d, not %d" % (a["name"], a["id"], b["id"]))
        self.assertEqual(write_calls(), 0)

    # --- bulk-update ---------------------------------------------------------------------

    def test_bulk_update_groups_identical_values(self):
        pks = [new_picking(moves=1) for _ in range(6)]
        updates = [{"ref": pk["name"] if i % 2 else pk["origin"], "values": {"origin": "BATCH-A"}}
                   for i, pk in enumerate(pks[:4])]
        updates += [{"id": pk["id"], "values": {"state": "done", "origin": "BATCH-B"}} for pk in pks[4:]]
        path = self.write_json("updates.json", updates)
        emulator("reset_stats", {})
        p = run("bulk-update", path, "--verify")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"model": "stock.picking", "records": 6, "write_calls": 2,
                                                "ids": [pk["id"] for pk in pks], "mismatches": []})
        calls = emulator("stats")["calls"]
        self.assertEqual(calls["stock.picking.write"], 2)
        self.assertEqual(calls["stock.picking.search_read"], 1)      # every ref in one search
        rows = rpc("stock.picking", "read", [[pk["id"] for pk in pks], ["origin", "state"]])
        self.assertEqual([(r["origin"], r["state"]) for r in rows],
                         [("BATCH-A", "assigned")] * 4 + [("BATCH-B", "done")] * 2)
        # at most N ids per call
        path = self.write_json("updates2.json", [{"id": pk["id"], "values": {"origin": "BATCH-C"}}
                                                 for pk in pks])
        emulator("reset_stats", {})
        p = run("bulk-update", path, "--chunk", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["write_calls"], 3)
        self.assertNotIn("mismatches", json.loads(p.stdout))

    def test_bulk_update_checks_everything_before_writing(self):
        pk = new_picking()
        cases = [
            ([{"ref": "NO-SUCH-REF", "values": {"origin": "x"}}], 5, "update 1: no picking"),
            ([{"id": pk["id"], "values": {"origin": "x"}}, {"ref": pk["name"], "values": {"origin": "y"}}],
             2, "update 2: record %d is already updated by update 1" % pk["id"]),
            ([{"id": pk["id"], "values": {"no_such_field": 1}}], 2, "stock.picking has no field 'no_such_field'"),
            ([{"id": pk["id"], "values": {}}], 2, "update 1: \"values\" must be a non-empty object"),
            ([{"id": -3, "values": {"origin": "x"}}], 2, "update 1: \"id\" must be a positive integer"),
            ([{"values": {"origin": "x"}}], 2, "update 1: \"ref\" or \"id\" is required"),
            ([{"id": pk["id"], "values": {"origin": "x"}, "extra": 1}], 2, "only \"ref\", \"id\" and \"values\""),
            ([["not", "an", "object"]], 2, "update 1: not an object"),
            ([], 2, "expected a non-empty list of updates"),
            ({"version": 1, "model": "stock.move", "updates": [{"ref": pk["name"], "values": {"quantity": 1}}]},
             2, "\"ref\" is for pickings only"),
            ({"version": 1, "model": "res.partner", "updates": []}, 2, "\"model\" must be"),
        ]
        emulator("reset_stats", {})
        for body, code, words in cases:
            with self.subTest(body=body):
                p = run("bulk-update", self.write_json("u.json", body))
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertOneLine(p, words)
        self.assertEqual(write_calls(), 0)
        self.assertEqual(rpc("stock.picking", "read", [[pk["id"]], ["origin"]])[0]["origin"], pk["origin"])
        with open(self.path("broken.json"), "w") as f:
            f.write('[{"id": 1,\n "values": }]')
        p = run("bulk-update", self.path("broken.json"))
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "broken.json:2:")

    def test_bulk_update_verify_reports_what_did_not_take(self):
        a, b = new_picking(), new_picking()
        path = self.write_json("u.json", [{"id": a["id"], "values": {"state": "cancel", "origin": "V-1"}},
                                          {"id": b["id"], "values": {"origin": "V-2"}}])
        emulator("faults", {"drop_writes": ["stock.picking.state"]})
        p = run("bulk-update", path, "--verify")
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertEqual(json.loads(p.stdout)["mismatches"],
                         [{"id": a["id"], "field": "state", "sent": "cancel", "read": "assigned"}])
        self.assertOneLine(p, "stock.picking %d: state is \"assigned\" after writing \"cancel\"" % a["id"])
        # without --verify nothing is read back: the write "succeeded"
        p = run("bulk-update", path)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_bulk_update_of_stock_moves(self):
        pk = new_picking(moves=3)
        m1, m2, m3 = pk["move_ids"]
        path = self.write_json("moves.json", {"version": 1, "model": "stock.move", "updates": [
            {"id": m1, "values": {"product_uom_qty": 9}}, {"id": m2, "values": {"product_uom_qty": 9}},
            {"id": m3, "values": {"product_uom_qty": 1.5}}]})
        p = run("bulk-update", path, "--verify")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["write_calls"], 2)
        rows = rpc("stock.move", "read", [[m1, m2, m3], ["product_uom_qty"]])
        self.assertEqual([r["product_uom_qty"] for r in rows], [9.0, 9.0, 1.5])

    def test_bulk_update_refused_by_odoo(self):
        pk = new_picking()
        path = self.write_json("u.json", [{"id": pk["id"], "values": {"origin": "ok"}},
                                          {"id": 999999, "values": {"origin": "gone"}}])
        p = run("bulk-update", path)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("ODOO_EMISSING [odoo.exceptions.MissingError]", p.stderr)
        # the first group was written before the second failed: said so
        self.assertIn("1 write call(s) had succeeded before this one", p.stderr)

    # --- call ---------------------------------------------------------------------------

    def test_call_custom_api_model_method(self):
        expected = rpc("stock.picking", "get_pickings_summary", [], {"states": ["done", "assigned"]})
        p = run("call", "stock.picking", "get_pickings_summary", "[]", '{"states": ["done", "assigned"]}')
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), expected)
        p = run("call", "stock.picking", "get_pickings_summary", '[["done"]]', "-o", self.path("s.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        with open(self.path("s.json")) as f:
            self.assertEqual(json.load(f)["by_state"], {"done": expected["by_state"]["done"]})
        p = run("call", "stock.picking", "get_pickings_summary")
        self.assertEqual(json.loads(p.stdout)["total"], rpc("stock.picking", "search_count", [[]]))

    def test_call_errors(self):
        p = run("call", "stock.picking", "get_pickings_summary", '[["lost"]]')
        self.assertEqual(p.returncode, 1)
        self.assertOneLine(p, "[builtins.ValueError]", "Wrong value for stock.picking.state: 'lost'")
        p = run("call", "stock.picking", "no_such_method")
        self.assertEqual(p.returncode, 1)
        self.assertOneLine(p, "ODOO_ENOTFOUND", "[builtins.AttributeError]")
        p = run("call", "stock.picking", "get_pickings_summary", "{}")
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "ARGS_JSON must be a JSON array")
        p = run("call", "stock.picking", "get_pickings_summary", "[]", "[1]")
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "KWARGS_JSON must be a JSON object")

    # --- transports, credentials, errors --------------------------------------------------------

    def test_api_key_over_jsonrpc(self):
        pk = new_picking()
        env = base_env()
        env["ODOO_API_KEY"] = os.environ["ODOO_API_KEY"]
        env.pop("ODOO_PASSWORD")
        p = run("--transport", "jsonrpc", "status", pk["name"], env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)[0]["state"], "assigned")
        p = run("set-status", pk["name"], "done", env=env)          # auto: an API key -> /jsonrpc
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(state_of(pk["id"]), "done")

    def test_credentials_file(self):
        pk = new_picking()
        path = self.path("odoo.env")
        with open(path, "w") as f:
            f.write("# odoo\nODOO_URL=%s\nODOO_DB=%s\nODOO_USER=admin\nODOO_PASSWORD='admin'\n"
                    % (os.environ["ODOO_URL"], os.environ["ODOO_DB"]))
        env = {k: v for k, v in base_env().items() if not k.startswith("ODOO_")}
        for mode in (0o640, 0o604):
            os.chmod(path, mode)
            p = run("--credentials", path, "status", pk["name"], env=dict(env))
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertOneLine(p, "accessible by group or others (mode 0%o)" % mode, "chmod 600")
        os.chmod(path, 0o600)
        p = run("--credentials", path, "status", pk["name"], env=dict(env))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)[0]["name"], pk["name"])

    def test_wrong_password_exits_3_without_the_secret(self):
        p = run("status", "WH/OUT/00001", ODOO_PASSWORD=SECRET)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneLine(p, "ODOO_EAUTH", "[odoo.exceptions.AccessDenied]")
        self.assertNotIn(SECRET, p.stderr + p.stdout)

    def test_network_and_http_errors_exit_4(self):
        p = run("--retry-deadline", "1", "status", "WH/OUT/00001", ODOO_URL="http://127.0.0.1:1")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneLine(p, "ODOO_ENETWORK")
        emulator("faults", {"status": 502, "status_count": 10})
        # reads retry a 502 until a deadline (60 s by default): none here
        p = run("--retry-deadline", "0", "status", "WH/OUT/00001")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneLine(p, "ODOO_EHTTP")

    def test_in_doubt_write_exits_4_and_the_saved_update_replays(self):
        pk = new_picking()
        saved = self.path("u.json")
        # what comes before the write (login, fields_get, search_read) passes, as many
        # requests as a status costs; then the write's answer is lost half-way
        emulator("reset_stats", {})
        self.assertEqual(run("status", pk["name"]).returncode, 0)
        before_write = emulator("stats")["requests"]
        emulator("faults", {"skip": before_write, "close_mid_body_count": 1})
        p = run("set-status", pk["name"], "done", "--save", saved)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneLine(p, "ODOO_EINDOUBT")
        p = run("--replay", saved)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(state_of(pk["id"]), "done")

    def test_usage_errors_exit_2(self):
        for args in ([], ["frobnicate"], ["export"], ["export", "a", "b"], ["status"],
                     ["set-status", "WH/OUT/00001"], ["bulk-update"], ["call", "stock.picking"],
                     ["status", "X", "--save", "f.json"], ["export", "X", "--verify"],
                     ["bulk-update", "f.json", "--chunk", "0"], ["--bogus"], ["export", "X", "-o"],
                     ["--transport", "xmlrpc", "status", "X"], ["--timeout", "-1", "status", "X"],
                     ["--replay", "f.json", "status"]):
            with self.subTest(args=args):
                self.assertEqual(run(*args).returncode, 2)
        env = base_env()
        env.pop("ODOO_PASSWORD")
        p = run("status", "X", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertOneLine(p, "ODOO_PASSWORD")

    def test_help_and_version(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for word in ("export REF", "status REF", "set-status REF STATE", "bulk-update FILE",
                     "call MODEL METHOD", "--replay FILE", "--save FILE", "--credentials FILE",
                     "ODOO_URL", "ODOO_API_KEY", "Exit status", "  5  ", "  6  "):
            self.assertIn(word, p.stdout)
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertIn("libodoo", p.stdout)


class VersionsTest(unittest.TestCase):
    """The field lists follow the server's version (issue 14, bug 2): an emulator of
    16 (stock.move has quantity_done, not quantity) and one of 19 (no name)."""

    @classmethod
    def setUpClass(cls):
        cls.servers = {}
        for version in (16, 19):
            proc = subprocess.Popen(
                [sys.executable, EMULATOR, "--port", "0", "--version", str(version),
                 "--orders", "5", "--quiet"], stdout=subprocess.PIPE, text=True)
            line = proc.stdout.readline()
            if not line.startswith("LISTENING "):
                proc.kill()
                raise AssertionError("the emulator %d did not start: %r" % (version, line))
            cls.servers[version] = (proc, "http://127.0.0.1:%d" % int(line.split()[1]),
                                    "acme19" if version == 19 else "acme")

    @classmethod
    def tearDownClass(cls):
        for proc, _url, _db in cls.servers.values():
            proc.terminate()
            proc.wait(10)

    def at(self, version):
        _proc, url, db = self.servers[version]
        return {"url": url, "db": db}

    def run_at(self, version, *args):
        where = self.at(version)
        return run(*args, ODOO_URL=where["url"], ODOO_DB=where["db"])

    def test_export_keys_and_values_per_version(self):
        for version, keys, qty in ((16, [k for k in MOVE_KEYS], "quantity_done"),
                                   (19, [k for k in MOVE_KEYS if k != "name"], "quantity")):
            with self.subTest(version=version):
                pk = new_picking(moves=2, **self.at(version))
                p = self.run_at(version, "export", pk["name"])
                self.assertEqual(p.returncode, 0, p.stderr)
                doc = json.loads(p.stdout, object_pairs_hook=lambda pairs: pairs)
                moves = [m for k, v in doc if k == "moves" for m in v]
                self.assertEqual([[k for k, _ in m] for m in moves], [keys, keys])
                self.assertEqual([k for k, v in doc if k == "picking" for k, _ in v],
                                 PICKING_KEYS)
                theirs = rpc("stock.move", "read", [pk["move_ids"], [qty]], **self.at(version))
                self.assertEqual([dict(m)["quantity"] for m in moves], [t[qty] for t in theirs])

    def test_moves_updated_under_the_export_key(self):
        # "quantity" goes to quantity_done on 16, and is verified there
        pk = new_picking(moves=1, **self.at(16))
        mv = pk["move_ids"][0]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.json")
            with open(path, "w") as f:
                json.dump({"version": 1, "model": "stock.move", "updates": [
                    {"id": mv, "values": {"quantity": 1.5, "product_uom_qty": 4}}]}, f)
            p = self.run_at(16, "bulk-update", path, "--verify")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["mismatches"], [])
        got = rpc("stock.move", "read", [[mv], ["quantity_done", "product_uom_qty"]],
                  **self.at(16))[0]
        self.assertEqual((got["quantity_done"], got["product_uom_qty"]), (1.5, 4.0))

    def test_status_on_every_version(self):
        for version in (16, 19):
            with self.subTest(version=version):
                pk = new_picking(moves=1, **self.at(version))
                p = self.run_at(version, "status", pk["origin"])
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual([r["id"] for r in json.loads(p.stdout)], [pk["id"]])


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
