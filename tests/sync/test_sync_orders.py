#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""odoo-sync-orders end to end: the Odoo emulator, DynamoDB Local and moto.

Run as (tests/CMakeLists.txt does):
    run_with_aws.py --dynamodb --moto -- run_with_emulator.py --orders 2000 -- \
        python3 test_sync_orders.py path/to/odoo-sync-orders
"""
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

SYNC = None
ATTRS = {"order_name", "order_id", "customer_id", "customer_name", "amount_total", "state",
         "date_order", "response_status", "last_updated_at", "odoo_write_date"}


class Odoo:
    """A minimal JSON-RPC client of the emulator, to check what the sync wrote."""

    def __init__(self):
        self.url = os.environ["ODOO_URL"]
        self.login()

    def login(self):
        self.cookie = None
        r = self.rpc("/web/session/authenticate", {"db": os.environ["ODOO_DB"],
                                                    "login": "admin", "password": "admin"})
        assert r["uid"] == 2

    def rpc(self, path, params):
        req = urllib.request.Request(self.url + path, data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}).encode(),
            headers={"Content-Type": "application/json"})
        if self.cookie:
            req.add_header("Cookie", self.cookie)
        with urllib.request.urlopen(req, timeout=30) as resp:
            c = resp.headers.get("Set-Cookie")
            if c and c.startswith("session_id="):
                self.cookie = c.split(";")[0]
            body = json.loads(resp.read())
        if "error" in body:
            raise RuntimeError(body["error"]["data"]["message"])
        return body.get("result")

    def call(self, model, method, args, kwargs=None):
        return self.rpc("/web/dataset/call_kw", {"model": model, "method": method, "args": args,
                                                 "kwargs": kwargs or {}})

    def orders(self, **kw):
        return self.call("sale.order", "search_read", [[]], dict(
            fields=["name", "partner_id", "amount_total", "state", "date_order", "write_date"],
            order="id asc", **kw))


def control(body):
    req = urllib.request.Request(os.environ["ODOO_EMULATOR_URL"] + "/__emulator/faults",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=20).read()


def moto_keys():
    """moto checks signatures: its IAM user's key (DynamoDB Local takes any key,
    but keeps the tables of each key apart)."""
    return {"AWS_ACCESS_KEY_ID": os.environ["ODOO_TEST_MOTO_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["ODOO_TEST_MOTO_SECRET_ACCESS_KEY"]}


def aws_python(code, *args, keys=None):
    """Run boto3 code with the image's Python (it has boto3); returns its JSON output."""
    env = dict(os.environ, AWS_DEFAULT_REGION=os.environ.get("AWS_REGION", "eu-west-1"))
    env.update(keys or {})
    out = subprocess.run([os.environ["ODOO_TEST_AWS_PYTHON"], "-c", code, *args],
                         capture_output=True, text=True, timeout=120, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout) if out.stdout.strip() else None


SCAN = """
import boto3, json, os, sys
from decimal import Decimal
db = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
items, kw = [], {"TableName": sys.argv[1]}
while True:
    r = db.scan(**kw)
    items += r["Items"]
    if "LastEvaluatedKey" not in r:
        break
    kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
print(json.dumps(items))
"""

PUT_SECRET = """
import boto3, json, os, sys
sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"])
sm.create_secret(Name=sys.argv[1], SecretString=sys.argv[2])
"""


def run(*args, env=None, **kw):
    e = dict(os.environ)
    e["ODOO_EMAIL"] = e.pop("ODOO_USER", "admin")
    e.update(env or {})
    return subprocess.run([SYNC, *args], capture_output=True, text=True, env=e, timeout=300, **kw)


def item_of(order):
    p = order["partner_id"]
    return {"order_name": order["name"], "order_id": str(order["id"]),
            "customer_id": p[0] if p else None, "customer_name": p[1] if p else None,
            "amount_total": order["amount_total"], "state": order["state"],
            "date_order": order["date_order"], "odoo_write_date": order["write_date"]}


class SyncOrdersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.odoo = Odoo()
        cls.tmp = tempfile.mkdtemp(prefix="sync-test-")

    def setUp(self):
        control({"reset": True})

    def path(self, name):
        return os.path.join(self.tmp, name)

    def test_all_to_json_exact_items(self):
        out = self.path("all.json")
        p = run("--all", "--sink", "json:" + out)
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = json.loads(p.stdout)
        self.assertEqual(summary["read"], 2000)
        self.assertEqual(summary["pages"], 4)
        items = json.load(open(out))
        self.assertEqual(len(items), 2000)
        expected = {str(o["id"]): item_of(o) for o in self.odoo.orders()}
        for it in items:
            self.assertEqual(set(it), ATTRS)
            self.assertEqual(it["response_status"], 200)
            self.assertRegex(it["last_updated_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            got = {k: v for k, v in it.items() if k not in ("response_status", "last_updated_at")}
            self.assertEqual(got, expected[it["order_id"]])
        self.assertEqual(sorted(int(i["order_id"]) for i in items), list(range(1, 2001)))
        # progress: one JSON line per page on a non-terminal stderr
        lines = [json.loads(l) for l in p.stderr.splitlines() if l.startswith("{")]
        self.assertEqual([l["page"] for l in lines], [1, 2, 3, 4])

    def test_default_newest_100(self):
        out = self.path("newest.json")
        p = run("--sink", "json:" + out)
        self.assertEqual(p.returncode, 0, p.stderr)
        items = json.load(open(out))
        newest = self.odoo.call("sale.order", "search", [[]], {"order": "id desc", "limit": 100})
        self.assertEqual([int(i["order_id"]) for i in items], newest)

    def test_lines_and_partners(self):
        lines, partners = self.path("lines.jsonl"), self.path("partners.jsonl")
        p = run("--limit", "10", "--sink", "jsonl:" + self.path("o.jsonl"), "--with-lines",
                "jsonl:" + lines, "--with-partners", "jsonl:" + partners)
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = json.loads(p.stdout)
        got = [json.loads(l) for l in open(lines)]
        ids = [int(json.loads(l)["order_id"]) for l in open(self.path("o.jsonl"))]
        self.assertEqual(len(ids), 10)
        expected = self.odoo.call("sale.order.line", "search_count",
                                  [[["order_id", "in", ids]]])
        self.assertEqual(len(got), expected)
        self.assertEqual(summary["lines"], expected)
        self.assertEqual(set(got[0]), {"order_id", "line_id", "product_id", "product_name",
                                       "description", "quantity", "price_unit", "subtotal"})
        custs = [json.loads(l) for l in open(partners)]
        self.assertEqual(len(custs), len({c["customer_id"] for c in custs}))
        self.assertTrue(all("email" in c for c in custs))

    def test_state_file_kill_resume_into_dynamodb(self):
        table, state = "OrdersKill", self.path("kill.state")
        # slow Odoo down so the run can be killed between pages
        control({"delay_ms": 150, "delay_count": 1000})
        proc = subprocess.Popen([SYNC, "--state-file", state, "--page-size", "100",
                                 "--create-table", "--sink", "dynamodb:" + table],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=dict(os.environ, ODOO_EMAIL="admin"))
        deadline = time.time() + 120
        while not os.path.exists(state) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        saved = json.load(open(state))
        control({"reset": True})
        p = run("--state-file", state, "--page-size", "100", "--sink", "dynamodb:" + table)
        self.assertEqual(p.returncode, 0, p.stderr)
        first = json.loads(p.stdout)
        self.assertLess(first["read"], 2000, "the killed run had stored nothing")
        items = aws_python(SCAN, table)
        ids = sorted(int(i["order_id"]["S"]) for i in items)
        self.assertEqual(ids, self.odoo.call("sale.order", "search", [[]], {"order": "id asc"}))
        self.assertEqual(len(ids), len(set(ids)))  # every order exactly once
        it = next(i for i in items if i["order_id"]["S"] == "7")
        self.assertIn("N", it["amount_total"])
        self.assertIn("S", it["order_name"])
        self.assertTrue("N" in it["customer_id"] or "NULL" in it["customer_id"])
        # change 10 orders: the next run writes those, and (--overlap 0, the
        # default) the orders of the saved cursor's second once more
        def since(cursor):
            return self.odoo.call("sale.order", "search_count",
                                  [[["write_date", ">=", cursor["write_date"]]]])
        changed = list(range(101, 1101, 100))
        before = json.load(open(state))
        self.odoo.call("sale.order", "write", [changed, {"client_order_ref": "CHANGED"}])
        p = run("--state-file", state, "--sink", "dynamodb:" + table)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        expected = since(before)
        self.assertGreaterEqual(expected, 10)
        self.assertEqual((s["read"], s["written"]), (expected, expected))
        self.assertNotEqual(json.load(open(state)), saved)
        # a run with nothing new reads the cursor's second again, nothing else
        after = json.load(open(state))
        p = run("--state-file", state, "--sink", "dynamodb:" + table)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["read"], since(after))
        self.assertEqual(json.load(open(state)), after)  # the cursor never goes back
        # the strict cursor reads nothing
        p = run("--state-file", state, "--no-overlap", "--sink", "dynamodb:" + table)
        self.assertEqual(json.loads(p.stdout)["read"], 0)
        # an order written behind the cursor (its second, a smaller id) is read
        # with the overlap; the strict cursor would miss it
        self.odoo.call("sale.order", "write", [[1500], {"client_order_ref": "LATE-1"}])
        p = run("--state-file", state, "--sink", "dynamodb:" + table)
        cur = json.load(open(state))
        self.odoo.call("sale.order", "write", [[3], {"client_order_ref": "LATE-2"}])
        wd3 = self.odoo.call("sale.order", "read", [[3], ["write_date"]])[0]["write_date"]
        if wd3 == cur["write_date"]:  # same second (else nothing to show)
            p = run("--state-file", state, "--no-overlap", "--sink",
                    "jsonl:" + self.path("strict.jsonl"))
            self.assertEqual(p.returncode, 0, p.stderr)
            strict = {str(json.loads(l)["order_id"]) for l in open(self.path("strict.jsonl"))}
            self.assertNotIn("3", strict)  # the loss the overlap prevents
        state2 = self.path("kill2.state")
        with open(state2, "w") as f:
            json.dump(cur, f)
        p = run("--state-file", state2, "--sink", "jsonl:" + self.path("overlap.jsonl"))
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {str(json.loads(l)["order_id"]) for l in open(self.path("overlap.jsonl"))}
        self.assertIn("3", got)

    # ---- bug 6: a failed run leaves earlier output as it was -----------------------
    def test_failed_run_keeps_earlier_output(self):
        """A wrong password, a bad domain, an unreachable Odoo or a failure in the
        middle of the run (a 404 answer after some pages) leave an existing json:
        or jsonl: output byte for byte as it was, with no temporary file left."""
        d = tempfile.mkdtemp(prefix="keep-", dir=self.tmp)
        outs = {"json": os.path.join(d, "o.json"), "jsonl": os.path.join(d, "o.jsonl")}
        old = {"json": '[\n{"order_id":"old"}\n]\n', "jsonl": '{"order_id":"old"}\n'}
        for kind, path in outs.items():
            with open(path, "w") as f:
                f.write(old[kind])
        sinks = ["--sink", "json:" + outs["json"], "--sink", "jsonl:" + outs["jsonl"]]
        cases = [
            ("wrong password", [], {"ODOO_PASSWORD": "Wr0ng-pw-k33p"}, None, 3),
            ("wrong database", [], {"ODOO_DB": "no_such_db"}, None, None),
            ("bad domain", ["--domain", '[["nofield", "=", 1]]'], {}, None, 2),
            ("unreachable", ["--retry-deadline", "1"], {"ODOO_URL": "http://127.0.0.1:1"}, None, 4),
            ("fails mid-run", ["--all", "--page-size", "100"], {},
             {"skip": 6, "html404_count": 1000}, 4),
        ]
        for name, args, env, faults, code in cases:
            with self.subTest(name):
                control({"reset": True})
                if faults:
                    control(faults)
                p = run(*args, *sinks, env=env)
                control({"reset": True})
                self.assertNotEqual(p.returncode, 0, p.stdout)
                if code is not None:
                    self.assertEqual(p.returncode, code, p.stderr)
                if faults:
                    self.assertGreater(json.loads(p.stdout)["read"], 0, "failed before a page")
                for kind, path in outs.items():
                    self.assertEqual(open(path).read(), old[kind], kind)
                self.assertEqual(sorted(os.listdir(d)), ["o.json", "o.jsonl"])

    # ---- bug 8: incremental runs into a file keep every record --------------------
    def test_state_file_jsonl_appends_across_runs_and_failures(self):
        """With --state-file a jsonl: target is appended to: a partial run, a run
        that fails at the start, a run that fails in the middle and a complete
        run leave every order in the file exactly once (--no-overlap)."""
        d = tempfile.mkdtemp(prefix="append-", dir=self.tmp)
        out, state = os.path.join(d, "o.jsonl"), os.path.join(d, "s.state")
        base = ["--state-file", state, "--page-size", "100", "--no-overlap",
                "--sink", "jsonl:" + out]
        p = run(*base, "--max-pages", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        first = json.loads(p.stdout)["read"]
        self.assertGreater(first, 0)
        self.assertEqual(len(open(out).readlines()), first)
        # the session kept beside the state file would still work (as a browser
        # stays logged in): a run without it checks the password
        p = run(*base, "--no-session-file", env={"ODOO_PASSWORD": "Wr0ng-pw-k33p"})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(len(open(out).readlines()), first)
        control({"skip": 8, "html404_count": 1000})
        p = run(*base)
        control({"reset": True})
        self.assertEqual(p.returncode, 4, p.stderr)
        failed = json.loads(p.stdout)
        self.assertGreater(failed["read"], 0, "the run failed before a page")
        self.assertEqual(len(open(out).readlines()), first + failed["read"])
        p = run(*base)
        self.assertEqual(p.returncode, 0, p.stderr)
        ids = [int(json.loads(l)["order_id"]) for l in open(out)]
        self.assertEqual(sorted(ids), self.odoo.call("sale.order", "search", [[]],
                                                     {"order": "id asc"}))
        # nothing changed: a strict run appends nothing
        p = run(*base)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["read"], 0)
        self.assertEqual(len(open(out).readlines()), len(ids))

    def test_state_file_jsonl_sigkill_then_resume(self):
        """A run killed with SIGKILL in the middle: the rerun appends the rest;
        every order is in the file, every line whole; an order is there twice
        only when it is at or after the cursor the killed run had saved."""
        d = tempfile.mkdtemp(prefix="kill-", dir=self.tmp)
        out, state = os.path.join(d, "o.jsonl"), os.path.join(d, "s.state")
        args = ["--state-file", state, "--page-size", "50", "--sink", "jsonl:" + out]
        control({"delay_ms": 100, "delay_count": 1000})
        proc = subprocess.Popen([SYNC, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=dict(os.environ, ODOO_EMAIL="admin"))
        pages = stored = 0
        for line in proc.stderr:  # one JSON line per stored page
            if line.startswith("{") and json.loads(line).get("event") == "page":
                pages += 1
                stored = json.loads(line)["read"]
                if pages == 4:
                    break
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        control({"reset": True})
        saved = json.load(open(state))
        before = [json.loads(l) for l in open(out)]
        self.assertGreater(stored, 0)
        self.assertGreaterEqual(len(before), stored)
        p = run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = open(out).read()
        self.assertTrue(text.endswith("\n"))
        items = [json.loads(l) for l in text.splitlines()]
        self.assertEqual(items[:len(before)], before)  # the killed run's lines stay
        ids = [int(i["order_id"]) for i in items]
        self.assertEqual(sorted(set(ids)), self.odoo.call("sale.order", "search", [[]],
                                                          {"order": "id asc"}))
        for i in items:
            if ids.count(int(i["order_id"])) > 1:
                self.assertGreaterEqual(i["odoo_write_date"], saved["write_date"], i)

    def test_state_file_refuses_json_array(self):
        """A single JSON document cannot grow across runs: json: with --state-file
        is refused before anything is touched."""
        d = tempfile.mkdtemp(prefix="refuse-", dir=self.tmp)
        out, state = os.path.join(d, "o.json"), os.path.join(d, "s.state")
        with open(out, "w") as f:
            f.write("[]\n")
        for flag in ("--sink", "--with-lines", "--with-partners"):
            with self.subTest(flag):
                extra = [] if flag == "--sink" else ["--sink", "jsonl:" + out + "l"]
                p = run("--state-file", state, *extra, flag, "json:" + out)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("jsonl:", p.stderr)
                self.assertEqual(open(out).read(), "[]\n")
                self.assertFalse(os.path.exists(state))

    def test_conditional_replay(self):
        table = "OrdersConditional"
        p = run("--limit", "20", "--create-table", "--conditional", "--sink", "dynamodb:" + table)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("--limit", "20", "--conditional", "--sink", "dynamodb:" + table)
        s = json.loads(p.stdout)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(s["read"], 20)

    def test_create_order(self):
        spec = {"customer": {"name": "New Customer", "email": "new-cust@example.com"},
                "lines": [{"product_code": "P-0001", "quantity": 2},
                          {"product_code": "P-0002", "quantity": 1, "price_unit": 9.5}],
                "client_order_ref": "CLI-1"}
        p = run("--create-order", json.dumps(spec))
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        order = self.odoo.call("sale.order", "read", [[r["order_id"]], ["partner_id", "order_line",
                                                                         "client_order_ref"]])[0]
        self.assertEqual(order["partner_id"][0], r["customer_id"])
        self.assertEqual(len(order["order_line"]), 2)
        # the second time the customer is found, not created again
        p = run("--create-order", json.dumps(spec))
        self.assertEqual(json.loads(p.stdout)["customer_id"], r["customer_id"])
        self.assertEqual(self.odoo.call("res.partner", "search_count",
                                        [[["email", "=", "new-cust@example.com"]]]), 1)
        p = run("--create-order", json.dumps(dict(spec, lines=[{"product_code": "NOPE",
                                                                 "quantity": 1}])))
        self.assertEqual(p.returncode, 6, p.stderr)

    def test_exit_codes(self):
        out = "json:" + self.path("x.json")
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("--sink", "ftp:x").returncode, 2)
        self.assertEqual(run("--sink", out, "--domain", "{").returncode, 2)
        p = run("--sink", out, env={"ODOO_PASSWORD": "S3cret-wrong-pw"})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertNotIn("S3cret-wrong-pw", p.stderr + p.stdout)
        p = run("--sink", out, "--retry-deadline", "1", env={"ODOO_URL": "http://127.0.0.1:1"})
        self.assertEqual(p.returncode, 4, p.stderr)
        p = run("--sink", "dynamodb:NoSuchTable")
        self.assertEqual(p.returncode, 5, p.stderr)
        p = run("--sink", out, "--domain", '[["nofield", "=", 1]]')
        self.assertEqual(p.returncode, 2, p.stderr)

    def test_secret_and_lambda(self):
        """The Lambda runtime: credentials from Secrets Manager (moto), an event
        from a Runtime API stub, items in DynamoDB Local, the summary as the
        function's response."""
        secret = json.dumps({"ODOO_URL": os.environ["ODOO_URL"], "ODOO_DB": os.environ["ODOO_DB"],
                             "ODOO_EMAIL": "admin", "ODOO_PASSWORD": "admin"})
        aws_python(PUT_SECRET, "odoo/lambda-test", secret, keys=moto_keys())
        got = {}

        class Stub(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                body = json.dumps({"all": True}).encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", "req-1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers["Content-Length"])
                got[self.path] = json.loads(self.rfile.read(n))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
        env.update(AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % srv.server_address[1],
                   ODOO_SECRET_ID="odoo/lambda-test", DYNAMODB_TABLE="LambdaOrders",
                   ODOO_SYNC_LAMBDA_MAX_INVOCATIONS="1", **moto_keys())
        p = subprocess.run([SYNC, "--lambda", "--create-table"], env=env, capture_output=True,
                           text=True, timeout=300)
        srv.shutdown()
        self.assertEqual(p.returncode, 0, p.stderr)
        resp = got.get("/2018-06-01/runtime/invocation/req-1/response")
        self.assertIsNotNone(resp, got)
        total = self.odoo.call("sale.order", "search_count", [[]])
        self.assertEqual(resp["read"], total)
        self.assertEqual(resp["exit_code"], 0)
        self.assertEqual(len(aws_python(SCAN, "LambdaOrders", keys=moto_keys())), total)


if __name__ == "__main__":
    SYNC = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
