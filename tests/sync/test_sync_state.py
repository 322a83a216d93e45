#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""odoo-sync-orders state, lease, shards and kept session (issue 16), end to end:
the Odoo emulator and DynamoDB Local.

Run as (tests/CMakeLists.txt does):
    run_with_aws.py --dynamodb --need-boto3 -- run_with_emulator.py --orders 1200 -- \
        python3 test_sync_state.py path/to/odoo-sync-orders

Runs are made to meet where they must with the emulator's per-method faults, not with
sleeps: {"hold_call": {"method": "sale.order.search_read", "after": K}} holds the answer
of every sale.order search_read after the first K until {"release": true}, and the
statistics say how many answers are held ("faults_pending": {"held": N}).
"""
import datetime
import http.server
import json
import os
import queue
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_sync_orders  # noqa: E402  (its emulator client)

SYNC = None
SEARCH_READ = "sale.order.search_read"
WAIT = 90          # seconds: the deadline of every wait for an event


# ---- Odoo (the emulator) ----------------------------------------------------------------

class Odoo(test_sync_orders.Odoo):
    """The emulator client of test_sync_orders.py, logging in again after the sessions
    these tests drop on purpose."""

    def call(self, model, method, args, kwargs=None):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        try:
            return self.rpc("/web/dataset/call_kw", params)
        except RuntimeError as e:
            if "Session expired" not in str(e):    # the tests drop sessions on purpose
                raise
            self.login()
            return self.rpc("/web/dataset/call_kw", params)

    def ids(self, domain=()):
        return self.call("sale.order", "search", [list(domain)], {"order": "id asc"})

    def count(self, domain=()):
        return self.call("sale.order", "search_count", [list(domain)])

    def since(self, write_date, domain=()):
        """How many orders a run resuming from a cursor at write_date reads (the default
        overlap: the cursor's own second is read again)."""
        return self.count([["write_date", ">=", write_date]] + list(domain))

    def in_second(self, write_date):
        """The ids of the orders whose write_date shows as write_date (Odoo keeps
        microseconds underneath: "=" would match none)."""
        return set(self.ids(same_second(write_date)))

    def upto(self, write_date, oid):
        """The ids at or before the cursor (write_date, id)."""
        rows = self.call("sale.order", "search_read",
                         [[["write_date", "<", next_second(write_date)]]],
                         {"fields": ["write_date"], "order": "id asc"})
        return [r["id"] for r in rows if (r["write_date"], r["id"]) <= (write_date, oid)]


def next_second(write_date):
    t = datetime.datetime.strptime(write_date, "%Y-%m-%d %H:%M:%S")
    return (t + datetime.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")


def same_second(write_date):
    return [["write_date", ">=", write_date], ["write_date", "<", next_second(write_date)]]


def read_json(path):
    with open(path) as f:
        return json.load(f)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def emulator(path, body=None):
    url = os.environ["ODOO_EMULATOR_URL"] + "/__emulator/" + path
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as resp:
        return json.loads(resp.read())


def faults(body):
    r = emulator("faults", body)
    assert r.get("ok"), r


def stats():
    return emulator("stats")


def held():
    return stats()["faults_pending"]["held"]


def wait_for(cond, what, timeout=WAIT):
    """Poll cond() until it is true (returns its value); fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(0.02)


# ---- DynamoDB Local (boto3, in the image's Python, kept running) -------------------------

AGENT = r"""
import boto3, json, os, sys
db = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
for line in sys.stdin:
    req = json.loads(line)
    op = req.pop("op")
    try:
        if op == "scan":
            items = []
            while True:
                r = db.scan(**req)
                items += r["Items"]
                if "LastEvaluatedKey" not in r:
                    break
                req["ExclusiveStartKey"] = r["LastEvaluatedKey"]
            out = {"Items": items}
        else:
            out = getattr(db, op)(**req)
            out.pop("ResponseMetadata", None)
        res = {"ok": out}
    except Exception as e:
        res = {"error": type(e).__name__, "message": str(e)}
    print(json.dumps(res, default=str), flush=True)
"""


class Dynamo:
    def __init__(self):
        env = dict(os.environ, AWS_DEFAULT_REGION=os.environ.get("AWS_REGION", "eu-west-1"))
        self.proc = subprocess.Popen([os.environ["ODOO_TEST_AWS_PYTHON"], "-c", AGENT], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lock = threading.Lock()

    def __call__(self, op, **kw):
        with self.lock:
            self.proc.stdin.write(json.dumps(dict(kw, op=op)) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the boto3 helper died")
        r = json.loads(line)
        if "error" in r:
            raise RuntimeError("%s %s: %s: %s" % (op, kw, r["error"], r["message"]))
        return r["ok"]

    def scan(self, table):
        return self("scan", TableName=table)["Items"]

    def order_ids(self, table):
        ids = [int(i["order_id"]["S"]) for i in self.scan(table)]
        return sorted(ids)

    def keys(self, table):
        return {(i["order_name"]["S"], i["order_id"]["S"]) for i in self.scan(table)}

    def state(self, table, key):
        """The state item as {attribute: python value}, or None."""
        try:
            item = self("get_item", TableName=table, Key={"key": {"S": key}},
                        ConsistentRead=True).get("Item")
        except RuntimeError as e:
            if "ResourceNotFound" in str(e):
                return None
            raise
        if item is None:
            return None
        out = {}
        for name, v in item.items():
            (t, x), = v.items()
            out[name] = int(x) if t == "N" and "." not in x else \
                [int(b["N"]) for b in x] if t == "L" else x
        return out

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# ---- runs of odoo-sync-orders ---------------------------------------------------------------

def sync_env(extra=None):
    e = dict(os.environ)
    e["ODOO_EMAIL"] = e.pop("ODOO_USER", "admin")
    e.pop("AWS_LAMBDA_RUNTIME_API", None)
    e.update(extra or {})
    return e


class Run:
    """odoo-sync-orders in the background; its stdout and stderr read as they come."""

    def __init__(self, *args, env=None, name=""):
        self.args, self.name = args, name
        self.proc = subprocess.Popen([SYNC, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=sync_env(env))
        self.out, self.err = [], []
        self.threads = [threading.Thread(target=self._pump, args=(s, l), daemon=True)
                        for s, l in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.threads:
            t.start()

    @staticmethod
    def _pump(stream, lines):
        for line in stream:
            lines.append(line)

    def poll(self):
        return self.proc.poll()

    def wait(self, timeout=WAIT):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s did not end within %d s; stderr:\n%s"
                                 % (self, timeout, self.stderr))
        self._close()
        return self.proc.returncode

    def _close(self):
        for t in self.threads:
            t.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if not self.proc.stdout.closed:
            self._close()

    @property
    def stderr(self):
        return "".join(self.err)

    @property
    def summary(self):
        for line in reversed(self.out):
            if line.startswith("{"):
                return json.loads(line)
        raise AssertionError("%s printed no summary; stdout %r, stderr:\n%s"
                             % (self, "".join(self.out), self.stderr))

    def __repr__(self):
        return "odoo-sync-orders %s%s (pid %d)" % (
            " ".join(self.args), " [%s]" % self.name if self.name else "", self.proc.pid)


def run(*args, env=None):
    """odoo-sync-orders to its end: (exit code, summary or None, stderr)."""
    p = subprocess.run([SYNC, *args], capture_output=True, text=True, env=sync_env(env),
                       timeout=300)
    summary = None
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            break
    return p.returncode, summary, p.stderr


def wait_first_exit(runs, what, also=None):
    """The first of runs to end (also(): a condition that fails the wait when true)."""
    def ended():
        if also:
            bad = also()
            if bad:
                raise AssertionError(bad)
        return next((r for r in runs if r.poll() is not None), None)
    return wait_for(ended, what)


def jsonl_ids(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [int(json.loads(line)["order_id"]) for line in f]


class SyncStateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.odoo = Odoo()
        cls.ddb = Dynamo()
        cls.tmp = tempfile.mkdtemp(prefix="sync-state-", dir=os.environ.get("ODOO_TEST_TMPDIR"))

    @classmethod
    def tearDownClass(cls):
        cls.ddb.close()

    def setUp(self):
        faults({"reset": True})
        emulator("reset_stats", {})
        self.runs = []
        self.total = self.odoo.count()

    def tearDown(self):
        faults({"reset": True})        # releases held answers
        for r in self.runs:
            r.kill()

    def start(self, *args, **kw):
        r = Run(*args, **kw)
        self.runs.append(r)
        return r

    def path(self, name):
        return os.path.join(self.tmp, name)

    def last_cursor(self):
        """(write_date, id) of the order a complete incremental run ends on: the cursor
        orders by the second Odoo shows, then id (Odoo keeps microseconds underneath:
        "write_date desc" alone may pick another order of that second)."""
        o = self.odoo.call("sale.order", "search_read", [[]],
                           {"fields": ["write_date"], "order": "write_date desc, id desc",
                            "limit": 1})[0]
        return o["write_date"], max(self.odoo.in_second(o["write_date"]))

    # ---- 1. two runs at once: one lease ---------------------------------------------------
    def test_1_two_runs_one_lease(self):
        """Two runs started together on one DynamoDB state: one syncs, the other exits 7
        naming the holder; every order stored once, the written counts add up to it."""
        args = ["--state", "dynamodb:SyncState/orders", "--sink", "dynamodb:Orders",
                "--create-table", "--page-size", "100"]
        # the holder's first page is held until the other run has ended
        faults({"hold_call": {"method": SEARCH_READ, "after": 0}})
        a, b = self.start(*args, name="a"), self.start(*args, name="b")
        loser = wait_first_exit(
            [a, b], "one of two runs on the same state to end",
            also=lambda: held() > 1 and "both runs read Odoo at once: the lease does not keep "
                                        "them apart (is it taken before the first page?)")
        holder = b if loser is a else a
        self.assertEqual(loser.wait(), 7, loser.stderr)
        self.assertIsNone(holder.poll(), "the holder ended too: " + holder.stderr)
        item = self.ddb.state("SyncState", "orders")
        self.assertIsNotNone(item, "no state item while the lease is held")
        self.assertIn("lease_owner", item)
        self.assertGreater(item["lease_expires"], time.time() * 1000)
        self.assertIn(item["lease_owner"], loser.stderr, "exit 7 must name the holder")
        s = loser.summary
        self.assertEqual((s["lease"], s["state"], s["written"], s["read"]),
                         ("held-by-other", "dynamodb:SyncState/orders", 0, 0))
        # --lease-wait shorter than the holder's run: exit 7 once it is over
        late = self.start(*args, "--lease-wait", "1", name="late")
        self.assertEqual(late.wait(), 7, late.stderr)
        self.assertEqual(late.summary["lease"], "held-by-other")
        self.assertIsNone(holder.poll(), "the holder ended before the late run gave up")
        faults({"release": True})
        self.assertEqual(holder.wait(), 0, holder.stderr)
        h = holder.summary
        self.assertEqual((h["lease"], h["read"], h["written"], h["shard"]),
                         ("taken", self.total, self.total, None))
        self.assertEqual(h["written"] + s["written"], self.total)
        self.assertEqual(self.ddb.order_ids("Orders"), self.odoo.ids())
        # the cursor is the last order; the lease is released at the end
        item = self.ddb.state("SyncState", "orders")
        self.assertEqual((item["write_date"], item["id"]), self.last_cursor())
        self.assertNotIn("lease_owner", item)
        self.assertRegex(item["updated_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

    def test_1_two_runs_lease_wait(self):
        """Both with --lease-wait: the second waits for the first, then resumes from its
        cursor: it writes only the orders of the cursor's second (the overlap)."""
        def args(n):
            return ["--state", "dynamodb:SyncState/orders-wait", "--sink", "dynamodb:OrdersWait",
                    "--sink", "jsonl:" + self.path("wait-%s.jsonl" % n), "--create-table",
                    "--page-size", "100", "--lease-wait", "60"]
        faults({"hold_call": {"method": SEARCH_READ, "after": 0}})
        a, b = self.start(*args("a"), name="a"), self.start(*args("b"), name="b")
        wait_for(lambda: held() >= 1, "the lease holder to ask for its first page")
        # the other one says it waits (stderr) before the holder may go on
        waiter = wait_for(lambda: next((r for r in (a, b) if "wait" in r.stderr.lower()), None),
                          "the second run to say it waits for the lease")
        holder = b if waiter is a else a
        self.assertEqual(held(), 1)
        self.assertIsNone(waiter.poll(), waiter.stderr)
        faults({"release": True})
        self.assertEqual(holder.wait(), 0, holder.stderr)
        self.assertEqual(waiter.wait(), 0, waiter.stderr)
        h, w = holder.summary, waiter.summary
        self.assertEqual((h["lease"], h["read"]), ("taken", self.total))
        self.assertEqual(w["lease"], "waited")
        first = jsonl_ids(self.path("wait-%s.jsonl" % holder.name))
        second = jsonl_ids(self.path("wait-%s.jsonl" % waiter.name))
        self.assertEqual(sorted(first), self.odoo.ids())
        wd, _ = self.last_cursor()
        last_second = self.odoo.in_second(wd)
        self.assertEqual(set(second), last_second,
                         "the second run must resume from the first one's cursor")
        self.assertEqual(len(second), len(set(second)))
        self.assertEqual(w["read"], len(last_second))
        self.assertEqual(self.ddb.order_ids("OrdersWait"), self.odoo.ids())

    # ---- 2. a killed holder: the lease expires, the next run resumes ------------------------
    def test_2_killed_holder_expires(self):
        """SIGKILL while holding the lease after the first stored page: the next run
        (--lease-wait) takes over once the lease expired and resumes from the cursor."""
        args = ["--state", "dynamodb:SyncState/killed", "--sink", "dynamodb:OrdersKilled",
                "--create-table", "--page-size", "100", "--lease-seconds", "3"]
        # the first page goes through; the answer to the second is held
        faults({"hold_call": {"method": SEARCH_READ, "after": 1}})
        a = self.start(*args, name="killed")
        def stored():
            item = self.ddb.state("SyncState", "killed")
            return item if item and "id" in item else None
        saved = wait_for(stored, "the first page's cursor in the state item")
        wait_for(lambda: held() == 1 or a.poll() is not None, "the run to ask for page 2")
        self.assertIsNone(a.poll(), a.stderr)
        a.kill()
        faults({"reset": True})
        killed_at = time.time() * 1000
        self.assertEqual(saved["lease_owner"], self.ddb.state("SyncState", "killed")["lease_owner"])
        # one page stored (at most 100 orders: a page keeps whole seconds), and its
        # cursor moved only once the sink had it
        stored_ids = self.odoo.upto(saved["write_date"], saved["id"])
        self.assertLessEqual(len(stored_ids), 100)
        self.assertEqual(self.ddb.order_ids("OrdersKilled"), stored_ids)
        rc, s, err = run(*args, "--lease-wait", "60")
        self.assertEqual(rc, 0, err)
        # the killed run's lease had not expired when this run started: it waited
        if killed_at + 1000 < saved["lease_expires"]:
            self.assertEqual(s["lease"], "waited", err)
        self.assertEqual(s["read"], self.odoo.since(saved["write_date"]))
        self.assertLess(s["read"], self.total, "the run read everything again")
        self.assertEqual(self.ddb.order_ids("OrdersKilled"), self.odoo.ids())
        item = self.ddb.state("SyncState", "killed")
        self.assertEqual((item["write_date"], item["id"]), self.last_cursor())
        self.assertNotIn("lease_owner", item)

    # ---- 2b. a run that loses its lease stops without moving the cursor --------------------
    def test_2_lost_lease(self):
        args = ["--state", "dynamodb:SyncState/lost", "--sink", "dynamodb:OrdersLost",
                "--create-table", "--page-size", "100"]
        faults({"hold_call": {"method": SEARCH_READ, "after": 0}})
        a = self.start(*args)
        wait_for(lambda: held() == 1, "the run to ask for its first page")
        item = self.ddb.state("SyncState", "lost")
        self.assertNotIn("id", item)
        # another owner takes the item over (as a run would once this one's lease expired)
        self.ddb("update_item", TableName="SyncState", Key={"key": {"S": "lost"}},
                 UpdateExpression="SET lease_owner = :o, lease_expires = :e",
                 ExpressionAttributeValues={":o": {"S": "thief:1:0"},
                                            ":e": {"N": str(int(time.time() * 1000) + 600000)}})
        faults({"release": True})
        self.assertEqual(a.wait(), 7, a.stderr)
        self.assertEqual(a.summary["lease"], "lost")
        item = self.ddb.state("SyncState", "lost")
        self.assertNotIn("id", item, "a run that lost its lease moved the cursor")
        self.assertEqual(item["lease_owner"], "thief:1:0", "the new owner's lease was touched")

    # ---- 2c. a failed run releases its lease and keeps what it stored ----------------------
    def test_2_failed_run_releases(self):
        args = ["--state", "dynamodb:SyncState/failed", "--sink", "dynamodb:OrdersFailed",
                "--create-table", "--page-size", "100"]
        # Odoo answers 404 pages from the 7th request on: the run fails (exit 4) mid-way
        faults({"skip": 6, "html404_count": 1000})
        rc, s, err = run(*args, "--retry-deadline", "0")
        faults({"reset": True})
        self.assertEqual(rc, 4, err)
        self.assertGreater(s["read"], 0, "the run failed before a page")
        self.assertLess(s["read"], self.total)
        item = self.ddb.state("SyncState", "failed")
        self.assertNotIn("lease_owner", item, "a failed run kept its lease")
        self.assertIn("id", item)
        stored = self.odoo.upto(item["write_date"], item["id"])
        self.assertTrue(set(stored) <= set(self.ddb.order_ids("OrdersFailed")))
        # the next run needs no wait, and resumes
        rc, s, err = run(*args)
        self.assertEqual((rc, s["lease"]), (0, "taken"), err)
        self.assertEqual(s["read"], self.odoo.since(item["write_date"]))
        self.assertEqual(self.ddb.order_ids("OrdersFailed"), self.odoo.ids())

    # ---- 3. Lambda: the state in DynamoDB across invocations ------------------------------
    def test_3_lambda_resumes(self):
        out = self.path("lambda.jsonl")
        session = self.path("lambda.session")
        events = queue.Queue()
        posted = {}
        posted_cv = threading.Condition()

        class Stub(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                req_id, event = events.get(timeout=WAIT)
                body = json.dumps(event).encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", req_id)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(n))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with posted_cv:
                    posted[self.path] = body
                    posted_cv.notify_all()

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
        threading.Thread(target=srv.serve_forever, daemon=True).start()

        def response(req_id):
            base = "/2018-06-01/runtime/invocation/%s/" % req_id
            with posted_cv:
                ok = posted_cv.wait_for(lambda: base + "response" in posted
                                        or base + "error" in posted, timeout=WAIT)
                self.assertTrue(ok, "no answer to invocation %s" % req_id)
                self.assertIn(base + "response", posted, "the invocation failed: %s" % posted)
                return posted[base + "response"]

        try:
            env = {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % srv.server_address[1],
                   "SYNC_STATE": "dynamodb:SyncState/lambda",
                   "SYNC_SINKS": "dynamodb:LambdaOrders,jsonl:" + out,
                   "ODOO_SYNC_LAMBDA_MAX_INVOCATIONS": "3"}
            p = self.start("--lambda", "--create-table", "--session-file", session, env=env)
            events.put(("req-1", {}))
            r1 = response("req-1")
            self.assertEqual((r1["exit_code"], r1["read"], r1["lease"], r1["state"]),
                             (0, self.total, "taken", "dynamodb:SyncState/lambda"), r1)
            self.assertEqual(sorted(jsonl_ids(out)), self.odoo.ids())
            cursor = self.ddb.state("SyncState", "lambda")
            self.assertEqual((cursor["write_date"], cursor["id"]), self.last_cursor())
            # between the invocations, some orders change
            changed = [7, 250, 600, 999, 1111]
            self.odoo.call("sale.order", "write", [changed, {"client_order_ref": "LAMBDA-2"}])
            expected = self.odoo.since(cursor["write_date"])
            overlap = self.odoo.in_second(cursor["write_date"])
            events.put(("req-2", {}))
            r2 = response("req-2")
            # the event's "state" and "shard" override SYNC_STATE
            events.put(("req-3", {"state": "dynamodb:SyncState/lambda-event", "shard": "1/2",
                                  "sinks": ["dynamodb:LambdaOrders"]}))
            r3 = response("req-3")
            self.assertEqual(p.wait(), 0, p.stderr)
        finally:
            srv.shutdown()
            srv.server_close()
        self.assertEqual(r2["exit_code"], 0, r2)
        self.assertEqual(r2["read"], expected, "the second invocation must resume, not restart")
        again = jsonl_ids(out)[self.total:]
        self.assertTrue(set(changed) <= set(again) <= set(changed) | overlap, again)
        self.assertEqual(r2["logins"], 0, "the second invocation logged in again")
        self.assertEqual(stat.S_IMODE(os.stat(session).st_mode), 0o600)
        item = self.ddb.state("SyncState", "lambda")
        self.assertEqual((item["write_date"], item["id"]), self.last_cursor())
        self.assertNotIn("lease_owner", item)
        self.assertEqual((r3["exit_code"], r3["state"], r3["shard"], r3["lease"]),
                         (0, "dynamodb:SyncState/lambda-event", "1/2", "taken"), r3)
        bounds = self.ddb.state("SyncState", "lambda-event#layout/2")["bounds"]
        self.assertEqual(r3["read"], self.odoo.count([["id", ">=", bounds[1]]]))
        self.assertIn("id", self.ddb.state("SyncState", "lambda-event#1/2"))
        self.assertIsNone(self.ddb.state("SyncState", "lambda-event#0/2"))

    # ---- 4. shards -------------------------------------------------------------------------
    def test_4_shards(self):
        def shard_args(k, extra=()):
            return ["--shard", "%d/4" % k, "--state", "dynamodb:SyncState/sharded",
                    "--sink", "dynamodb:Sharded", "--create-table", "--page-size", "100", *extra]
        runs = [self.start(*shard_args(k), name="%d/4" % k) for k in range(4)]
        for r in runs:
            self.assertEqual(r.wait(), 0, r.stderr)
        sums = [r.summary for r in runs]
        self.assertEqual([s["shard"] for s in sums], ["0/4", "1/4", "2/4", "3/4"])
        self.assertEqual([s["lease"] for s in sums], ["taken"] * 4)
        self.assertEqual(sum(s["read"] for s in sums), self.total)
        layout = self.ddb.state("SyncState", "sharded#layout/4")
        self.assertIsNotNone(layout, "no layout item sharded#layout/4")
        bounds = layout["bounds"]
        self.assertEqual(len(bounds), 4)
        self.assertEqual(bounds[0], 0)
        self.assertEqual(bounds, sorted(set(bounds)), "the bounds must grow")

        def in_shard(k):
            return [["id", ">=", bounds[k]]] + ([["id", "<", bounds[k + 1]]] if k < 3 else [])
        for k, s in enumerate(sums):
            self.assertEqual(s["read"], self.odoo.count(in_shard(k)), "shard %d/4" % k)
            self.assertGreater(s["read"], 0, "shard %d/4 is empty: bounds %s" % (k, bounds))
        rc, whole, err = run("--all", "--sink", "dynamodb:Whole", "--create-table",
                             "--page-size", "100")
        self.assertEqual(rc, 0, err)
        self.assertEqual((whole["read"], whole["shard"], whole["lease"]), (self.total, None, None))
        sharded = self.ddb.keys("Sharded")
        self.assertEqual(sharded, self.ddb.keys("Whole"))
        self.assertEqual(len(sharded), self.total)

        # a new order: only the last shard reads it (the layout stays as it was)
        cursors = [self.ddb.state("SyncState", "sharded#%d/4" % k) for k in range(4)]
        partner = self.odoo.call("sale.order", "read", [[1], ["partner_id"]])[0]["partner_id"][0]
        new = self.odoo.call("sale.order", "create", [{"partner_id": partner}])
        new = new[0] if isinstance(new, list) else new
        outs = [self.path("shard-%d.jsonl" % k) for k in range(4)]
        runs = [self.start(*shard_args(k, ["--sink", "jsonl:" + outs[k]]), name="%d/4 again" % k)
                for k in range(4)]
        for r in runs:
            self.assertEqual(r.wait(), 0, r.stderr)
        got = [jsonl_ids(o) for o in outs]
        self.assertIn(new, got[3])
        for k in range(3):
            self.assertNotIn(new, got[k], "shard %d/4 read the new order %d" % (k, new))
        for k, r in enumerate(runs):
            self.assertEqual(r.summary["read"],
                             self.odoo.since(cursors[k]["write_date"], in_shard(k)),
                             "shard %d/4 again" % k)
            ids = got[k]
            self.assertTrue(all(i >= bounds[k] and (k == 3 or i < bounds[k + 1]) for i in ids),
                            "shard %d/4 read %s outside [%s)" % (k, ids, bounds[k:k + 2]))
        self.assertEqual(self.ddb.state("SyncState", "sharded#layout/4")["bounds"], bounds)
        self.assertIn(("%s" % self.odoo.call("sale.order", "read", [[new], ["name"]])[0]["name"],
                       str(new)), self.ddb.keys("Sharded"))

    def test_4_shards_file_state_and_one_off(self):
        """Shards with a state file (cursor and layout files beside it), and one-off
        shards without state (bounds from the highest id now): disjoint, every order."""
        d = tempfile.mkdtemp(prefix="shards-", dir=self.tmp)
        state = os.path.join(d, "s.json")
        outs = [os.path.join(d, "%d.jsonl" % k) for k in range(3)]
        runs = [self.start("--shard", "%d/3" % k, "--state", "file:" + state, "--sink",
                           "jsonl:" + outs[k], "--page-size", "200", "--no-session-file")
                for k in range(3)]
        for r in runs:
            self.assertEqual(r.wait(), 0, r.stderr)
        self.assertEqual([r.summary["shard"] for r in runs], ["0/3", "1/3", "2/3"])
        got = [jsonl_ids(o) for o in outs]
        every = [i for ids in got for i in ids]
        self.assertEqual(sorted(every), self.odoo.ids(), "shards overlap or miss orders")
        for k in range(3):
            self.assertTrue(os.path.exists("%s.shard-%d-of-3" % (state, k)), os.listdir(d))
            self.assertGreater(len(got[k]), 0)
        self.assertTrue(os.path.exists(state + ".layout-3"), os.listdir(d))
        self.assertTrue(max(got[0]) < min(got[1]) and max(got[1]) < min(got[2]))
        # one-off: no state, --all
        outs = [os.path.join(d, "once-%d.jsonl" % k) for k in range(2)]
        for k in range(2):
            rc, s, err = run("--all", "--shard", "%d/2" % k, "--sink", "jsonl:" + outs[k])
            self.assertEqual((rc, s["shard"], s["state"], s["lease"]), (0, "%d/2" % k, None, None),
                             err)
        a, b = (jsonl_ids(o) for o in outs)
        self.assertTrue(a and b and max(a) < min(b), (len(a), len(b)))
        self.assertEqual(sorted(a + b), self.odoo.ids())

    # ---- 5. kept session ---------------------------------------------------------------------
    def test_5_kept_session(self):
        d = tempfile.mkdtemp(prefix="session-", dir=self.tmp)
        state = os.path.join(d, "state.json")
        args = ["--state", "file:" + state, "--sink", "jsonl:" + os.path.join(d, "o.jsonl"),
                "--page-size", "500"]
        rc, s, err = run(*args)
        self.assertEqual(rc, 0, err)
        self.assertEqual((s["read"], s["logins"], s["lease"], s["state"]),
                         (self.total, 1, "taken", "file:" + state))
        self.assertEqual(stats()["logins"], 1)
        cookie = state + ".session"
        self.assertTrue(os.path.exists(cookie), "no session file next to the state")
        self.assertEqual(stat.S_IMODE(os.stat(cookie).st_mode), 0o600)
        # nothing changed: no login, one search_read at most
        emulator("reset_stats", {})
        rc, s, err = run(*args)
        self.assertEqual(rc, 0, err)
        st = stats()
        self.assertEqual(st["logins"], 0, st)
        self.assertLessEqual(st["calls"].get(SEARCH_READ, 0), 1, st)
        self.assertEqual(s["logins"], 0)
        self.assertEqual(s["read"], self.odoo.since(read_json(state)["write_date"]))
        self.assertEqual(stat.S_IMODE(os.stat(cookie).st_mode), 0o600)
        # the server dropped the session: the run logs in again and succeeds
        faults({"expire_all": True})
        emulator("reset_stats", {})
        rc, s, err = run(*args)
        self.assertEqual(rc, 0, err)
        self.assertEqual((s["logins"], stats()["logins"]), (1, 1))
        # and keeps the new one
        emulator("reset_stats", {})
        rc, s, err = run(*args)
        self.assertEqual((rc, s["logins"], stats()["logins"]), (0, 0, 0), err)
        # a session file that makes no sense: a login, and a good one kept
        with open(cookie, "w") as f:
            f.write("garbage\n")
        emulator("reset_stats", {})
        rc, s, err = run(*args)
        self.assertEqual((rc, s["logins"], stats()["logins"]), (0, 1, 1), err)
        rc, s, err = run(*args)
        self.assertEqual((rc, s["logins"]), (0, 0), err)
        # --no-session-file: a login each time, the file left alone
        before = read_bytes(cookie)
        emulator("reset_stats", {})
        rc, s, err = run(*args, "--no-session-file")
        self.assertEqual((rc, s["logins"], stats()["logins"]), (0, 1, 1), err)
        self.assertEqual(read_bytes(cookie), before)
        # --session-file elsewhere
        other = os.path.join(d, "other.cookie")
        rc, s, err = run(*args, "--session-file", other)
        self.assertEqual((rc, s["logins"]), (0, 1), err)
        self.assertEqual(stat.S_IMODE(os.stat(other).st_mode), 0o600)
        rc, s, err = run(*args, "--session-file", other)
        self.assertEqual((rc, s["logins"]), (0, 0), err)

    # ---- 6. the file state's lease ---------------------------------------------------------
    def test_6_file_lease(self):
        d = tempfile.mkdtemp(prefix="flock-", dir=self.tmp)
        state = os.path.join(d, "s.json")

        def args(n, *extra):
            return ["--state", "file:" + state, "--sink", "jsonl:" + os.path.join(d, n + ".jsonl"),
                    "--page-size", "100", "--no-session-file", *extra]
        faults({"hold_call": {"method": SEARCH_READ, "after": 0}})
        a, b = self.start(*args("a"), name="a"), self.start(*args("b"), name="b")
        loser = wait_first_exit(
            [a, b], "one of two runs on the same state file to end",
            also=lambda: held() > 1 and "both runs read Odoo at once: the flock does not keep "
                                        "them apart")
        holder = b if loser is a else a
        self.assertEqual(loser.wait(), 7, loser.stderr)
        self.assertIn("lock", loser.stderr)
        self.assertTrue(os.path.exists(state + ".lock"))
        self.assertEqual((loser.summary["lease"], loser.summary["read"]), ("held-by-other", 0))
        self.assertEqual(jsonl_ids(os.path.join(d, loser.name + ".jsonl")), [])
        faults({"release": True})
        self.assertEqual(holder.wait(), 0, holder.stderr)
        self.assertEqual((holder.summary["lease"], holder.summary["read"]), ("taken", self.total))

        # --lease-wait: the second waits for the flock, then resumes from the cursor
        cursor0 = read_json(state)
        self.odoo.call("sale.order", "write", [[3, 4], {"client_order_ref": "FLOCK"}])
        expected = set(self.odoo.ids([["write_date", ">=", cursor0["write_date"]]]))
        faults({"hold_call": {"method": SEARCH_READ, "after": 0}})
        a = self.start(*args("c"), name="c")
        wait_for(lambda: held() == 1, "the first run to ask for its first page")
        b = self.start(*args("d", "--lease-wait", "60"), name="d")
        wait_for(lambda: "wait" in b.stderr.lower() or b.poll() is not None,
                 "the second run to say it waits for the lock")
        self.assertIsNone(b.poll(), b.stderr)
        faults({"release": True})
        self.assertEqual(a.wait(), 0, a.stderr)
        self.assertEqual(b.wait(), 0, b.stderr)
        self.assertEqual((a.summary["lease"], b.summary["lease"]), ("taken", "waited"))
        self.assertEqual(set(jsonl_ids(os.path.join(d, "c.jsonl"))), expected)
        cursor = read_json(state)
        self.assertEqual((cursor["write_date"], cursor["id"]), self.last_cursor())
        self.assertEqual(set(jsonl_ids(os.path.join(d, "d.jsonl"))),
                         self.odoo.in_second(cursor["write_date"]))

    # ---- 7. usage errors -----------------------------------------------------------------------
    def test_7_usage_errors(self):
        out = "jsonl:" + self.path("usage.jsonl")
        cases = [(["--shard", "4/4"], "--shard"), (["--shard", "x"], "--shard"),
                 (["--shard", "0/0"], "--shard"), (["--shard", "0/65"], "--shard"),
                 (["--shard", "-1/4"], "--shard"), (["--shard", "1/2/3"], "--shard"),
                 (["--state", "foo:bar"], "--state"), (["--state", "dynamodb:"], "--state"),
                 (["--state", "file:"], "--state"), (["--lease-wait", "x"], "--lease-wait"),
                 (["--lease-seconds", "x"], "--lease-seconds")]
        for args, word in cases:
            with self.subTest(args=args):
                emulator("reset_stats", {})
                rc, _, err = run(*args, "--sink", out)
                self.assertEqual(rc, 2, err)
                self.assertIn(word, err)
                self.assertEqual(stats()["requests"], 0, "a usage error reached Odoo")
        self.assertFalse(os.path.exists(self.path("usage.jsonl")))
        # the new options are documented, and so is exit code 7
        p = subprocess.run([SYNC, "--help"], capture_output=True, text=True)
        for opt in ("--state", "--shard", "--lease-seconds", "--lease-wait", "--session-file",
                    "--no-session-file", "7"):
            self.assertIn(opt, p.stdout)


if __name__ == "__main__":
    SYNC = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
