#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Hardening: odoo-sync-orders end to end under injected faults, and crash-resume.

A full `odoo-sync-orders --all --state-file` of 20,000 orders into DynamoDB Local, rerun
until it exits 0 (as a scheduler would, at most MAX_RUNS runs), under one fault kind per
scenario:

  session_expiry   the emulator expires the session every 3rd call, and all sessions once
  http_502_503     nginx 502 then 503 HTML pages, more in a row than the client sends
                   within --retry-deadline 1
  close_mid_body   connections closed mid-body (once within the retries, once beyond)
  truncated_json   JSON answers cut in half (never retried: the run fails each time)
  slow_timeout     answers slower than --timeout 1 (within and beyond the retries)
  emulator_restart the emulator SIGKILLed and restarted on the same port mid-run (sessions
                   lost): twice quickly (the sync waits for it, --retry-deadline, and logs
                   in again), then down until the run has given up (the run fails)
  dynamodb         throttling, partial UnprocessedItems and 500s from the fault proxy
  combined         everything above but the restart, at once

While a run is in progress (and only while its cursor is still far from the newest
orders, see Modifier) some orders are changed in the emulator through call_kw `write`,
so "current values" is tested. After the last run a Scan must find every order exactly
once with the emulator's current values, and each fault must have fired.

crash_resume: the sync is SIGKILLed at 20 seeded random points (a number of pages, then a
delay) and rerun each time with the same --state-file; orders are changed between kills
(2,500 at once when the sync has nearly caught up, so that every kill lands mid-run).
After each kill the saved cursor must not have moved backwards, and every order at or
before it (by (write_date, id)) must be in the table with its current write_date. Then a
run to completion, and the same final check.

Run as (tests/CMakeLists.txt does):
    run_with_aws.py --proxy --shim SHIM -- /usr/bin/python3 test_fault_sync.py \
        path/to/odoo-sync-orders [--part faults|crash|all] [--only a,b] [--report FILE]

The script starts (and restarts) its own emulators; DynamoDB Local and the fault proxy come
from run_with_aws.py. Standard library only. Exit status 0 when every scenario passed.
"""
import argparse
import collections
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "..", "emulator", "odoo_emulator.py")
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

ORDERS = 20000
PAGE_SIZE = 500
MAX_RUNS = 30           # a scheduler's reruns: a scenario that needs more fails
RUN_TIMEOUT = 90        # seconds; a run still going after that is a hang (a failure)
SEED = 20261123         # modifications and the crash-resume kill points
SEEDED_MAX_WD = "2026-02-01 00:00:00"   # the emulator seeds write_date 2026-01-01 + id s


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


class TestFailure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


# ---- the Odoo emulator, started (and restarted) by this script -----------------------------

class Emulator:
    def __init__(self, orders, logdir):
        self.orders = orders
        self.proc = None
        self.port = 0
        self.restarts = 0
        self.logf = open(os.path.join(logdir, "emulator.log"), "a")
        self.totals = collections.Counter()   # stats summed over restarts

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, port=0):
        self.proc = subprocess.Popen(
            [PY, EMULATOR, "--port", str(port), "--orders", str(self.orders), "--quiet"],
            stdout=subprocess.PIPE, stderr=self.logf, stdin=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("LISTENING "):
            raise RuntimeError("the emulator did not start: %r" % line)
        self.port = int(line.split()[1])

    def stop(self, sig=signal.SIGTERM):
        if not self.proc:
            return
        try:
            self.add_stats()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def close(self):
        self.stop()
        self.logf.close()

    def restart(self, down_seconds):
        """Killed (SIGKILL: in-memory sessions and changes are lost), then started again
        on the same port after down_seconds."""
        self.stop(signal.SIGKILL)
        time.sleep(down_seconds)
        self.start_again()

    def start_again(self):
        """Started again on the port it had (after stop())."""
        port = self.port
        deadline = time.time() + 10
        while True:
            try:
                self.start(port)
                break
            except RuntimeError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.restarts += 1

    def _req(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read())

    def faults(self, body):
        r = self._req("/__emulator/faults", body)
        check(r.get("ok"), "emulator refused the faults %r: %r" % (body, r))

    def stats(self):
        return self._req("/__emulator/stats")

    def add_stats(self):
        st = self.stats()
        for k in ("requests", "logins", "sessions_expired"):
            self.totals[k] += st.get(k, 0)
        self._req("/__emulator/reset_stats", {})
        return st


class FaultLedger:
    """How many of the counted faults armed in the emulator were consumed: arming a kind
    replaces its pending count, so the consumed part is taken first."""

    KEYS = {"status": "status_count", "delay": "delay_count", "truncate": "truncate_count",
            "close_mid_body": "close_mid_body_count"}

    def __init__(self, emu):
        self.emu = emu
        self.outstanding = {}          # kind -> (label, count armed and not yet seen consumed)
        self.fired = collections.Counter()

    def settle(self):
        pending = self.emu.stats()["faults_pending"]
        for kind, (label, n) in list(self.outstanding.items()):
            left = pending.get(self.KEYS[kind], 0) or 0
            self.fired[label] += max(0, n - left)
            self.outstanding[kind] = (label, left)

    def arm(self, body, labels):
        """body: the control API object; labels: kind -> label for the report."""
        self.settle()
        self.emu.faults(body)
        for kind, label in labels.items():
            self.outstanding[kind] = (label, body[self.KEYS[kind]])

    def lost(self):
        """The emulator is about to be killed: what was consumed counts, the rest is gone."""
        try:
            self.settle()
        except OSError:
            pass
        self.outstanding = {}


# ---- a JSON-RPC client of the emulator that rides out the faults -----------------------------

class Odoo:
    def __init__(self, emu):
        self.emu = emu
        self.cookie = None
        self.errors = collections.Counter()   # faults this client met (not the sync's)

    def _rpc(self, path, params, timeout=30):
        req = urllib.request.Request(self.emu.url + path, data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}).encode(),
            headers={"Content-Type": "application/json"})
        if self.cookie:
            req.add_header("Cookie", self.cookie)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            c = resp.headers.get("Set-Cookie")
            if c and c.startswith("session_id="):
                self.cookie = c.split(";")[0]
            return json.loads(resp.read())

    def login(self):
        self.cookie = None
        body = self._rpc("/web/session/authenticate",
                         {"db": "acme", "login": "admin", "password": "admin"})
        if "error" in body:
            raise RuntimeError("login: %s" % body["error"]["data"]["message"])
        check(body["result"]["uid"] == 2, "login as admin failed")

    def call(self, model, method, args, kwargs=None):
        """call_kw, logging in again on session expiry and sending again after a fault
        (the writes of this test are idempotent in their values)."""
        last = None
        for attempt in range(40):
            try:
                if not self.cookie:
                    self.login()
                body = self._rpc("/web/dataset/call_kw", {"model": model, "method": method,
                                                          "args": args, "kwargs": kwargs or {}})
            except (urllib.error.URLError, http.client.HTTPException, OSError,
                    ValueError) as e:       # HTTP 5xx pages, closed, truncated, refused, slow
                self.errors[type(e).__name__] += 1
                last = e
                time.sleep(min(0.05 * (attempt + 1), 0.5))
                continue
            if "error" in body:
                if body["error"].get("code") == 100:      # session expired
                    self.errors["session_expired"] += 1
                    self.cookie = None
                    continue
                raise RuntimeError("%s.%s: %s" % (model, method, body["error"]["data"]["message"]))
            return body["result"]
        raise RuntimeError("%s.%s kept failing: %r" % (model, method, last))

    FIELDS = ["name", "partner_id", "amount_total", "state", "date_order", "write_date"]

    def orders(self, fields=None):
        return self.call("sale.order", "search_read", [[]],
                         {"fields": fields or self.FIELDS, "order": "id asc"})


def item_of(order):
    """The item odoo-sync-orders must have written for this order (docs/odoo-sync-orders.md)."""
    p = order["partner_id"]
    return {"order_name": order["name"], "order_id": str(order["id"]),
            "customer_id": p[0] if p else None, "customer_name": p[1] if p else None,
            "amount_total": order["amount_total"], "state": order["state"],
            "date_order": order["date_order"], "odoo_write_date": order["write_date"]}


# ---- DynamoDB Local, read directly (not through the fault proxy), SigV4 by hand --------------

class Dynamo:
    def __init__(self):
        self.url = os.environ["ODOO_TEST_DYNAMODB_URL"]
        self.region = os.environ.get("AWS_REGION", "eu-west-1")
        self.key = os.environ["AWS_ACCESS_KEY_ID"]
        self.secret = os.environ["AWS_SECRET_ACCESS_KEY"]

    def call(self, target, body):
        u = urllib.parse.urlsplit(self.url)
        payload = json.dumps(body).encode()
        now = datetime.datetime.now(datetime.timezone.utc)
        amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        headers = {"content-type": "application/x-amz-json-1.0", "host": u.netloc,
                   "x-amz-date": amz, "x-amz-target": "DynamoDB_20120810." + target}
        names = sorted(headers)
        canonical = "\n".join(["POST", "/", "", "".join("%s:%s\n" % (k, headers[k]) for k in names),
                               ";".join(names), hashlib.sha256(payload).hexdigest()])
        scope = "%s/%s/dynamodb/aws4_request" % (day, self.region)
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        k = ("AWS4" + self.secret).encode()
        for part in (day, self.region, "dynamodb", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                    "Signature=%s" % (self.key, scope, ";".join(names), sig))
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        try:
            conn.request("POST", "/", body=payload, headers=headers)
            resp = conn.getresponse()
            data = json.loads(resp.read() or b"{}")
        finally:
            conn.close()
        if resp.status != 200:
            raise RuntimeError("DynamoDB %s: %s %s" % (target, resp.status, data))
        return data

    def scan(self, table, attributes=None):
        items, kw = [], {"TableName": table}
        if attributes:
            kw["ProjectionExpression"] = ", ".join("#a%d" % i for i in range(len(attributes)))
            kw["ExpressionAttributeNames"] = {"#a%d" % i: a for i, a in enumerate(attributes)}
        while True:
            r = self.call("Scan", kw)
            items += r["Items"]
            if "LastEvaluatedKey" not in r:
                return items
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def delete_table(self, table):
        try:
            self.call("DeleteTable", {"TableName": table})
        except RuntimeError:
            pass


def plain(av):
    """A DynamoDB attribute value as the JSON value the sync was given."""
    (t, v), = av.items()
    if t == "S":
        return v
    if t == "N":
        return float(v) if any(c in v for c in ".eE") else int(v)
    if t == "NULL":
        return None
    if t == "BOOL":
        return v
    raise ValueError("unexpected attribute type %s" % t)


# ---- the fault proxy in front of DynamoDB Local ----------------------------------------------

class Proxy:
    def __init__(self):
        self.url = os.environ.get("ODOO_TEST_PROXY_URL")

    def _req(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        with urllib.request.urlopen(urllib.request.Request(self.url + path, data=data),
                                    timeout=20) as r:
            return json.loads(r.read())

    def faults(self, cfg):
        self._req("/__proxy/faults", cfg)     # also resets the proxy's stats

    def stats(self):
        return self._req("/__proxy/stats")


# ---- one run of odoo-sync-orders -------------------------------------------------------------

class SyncRun:
    """odoo-sync-orders in the background; on_page(n) is called (in the reader thread)
    after each progress line, i.e. after page n was stored and the cursor saved."""

    def __init__(self, sync, args, env, on_page=None):
        self.proc = subprocess.Popen([sync, *args], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.pages = 0
        self.stderr_tail = collections.deque(maxlen=30)
        self.hook_error = None
        self.on_page = on_page
        self.stdout = ""
        self.t_out = threading.Thread(target=self._read_stdout, daemon=True)
        self.t_err = threading.Thread(target=self._read_stderr, daemon=True)
        self.t_out.start()
        self.t_err.start()

    def _read_stdout(self):
        self.stdout = self.proc.stdout.read()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_tail.append(line.rstrip())
            if line.startswith("{"):
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("event") == "page":
                    self.pages = ev["page"]
                    if self.on_page and not self.hook_error:
                        try:
                            self.on_page(self.pages)
                        except Exception as e:  # noqa: BLE001 - reported by wait()
                            self.hook_error = e
                            traceback.print_exc()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)

    def wait(self, timeout=RUN_TIMEOUT):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait()
            self.t_out.join(5)
            self.t_err.join(5)
            raise TestFailure("odoo-sync-orders hung: still running after %d s; stderr tail:\n%s"
                              % (timeout, "\n".join(self.stderr_tail)))
        self.t_out.join(30)
        self.t_err.join(30)
        if self.hook_error:
            raise self.hook_error
        summary = None
        for line in self.stdout.splitlines():
            if line.startswith("{"):
                try:
                    summary = json.loads(line)
                except ValueError:
                    pass
        return rc, summary


# ---- order changes in the emulator -----------------------------------------------------------

class Modifier:
    """Changes random orders, one write call per batch (atomic in the emulator).

    The (write_date, id) cursor cannot see a record written in the same second as the
    cursor's write_date but with a smaller id, after the sync read that second (a known
    limitation, docs/testing.md "Hardening"). So batches get distinct seconds, and a batch
    is written while a run is in progress only when the run's saved cursor is still among
    the seeded orders (written 2026-01-01) and at least 3 pages before their end: the run
    is then nowhere near the changed orders, which all sort after every seeded one."""

    def __init__(self, odoo, rng, n_orders):
        self.odoo = odoo
        self.rng = rng
        self.n_orders = n_orders
        self.last_second = 0
        self.batches = 0
        self.orders = 0

    @staticmethod
    def cursor(state_file):
        try:
            with open(state_file) as f:
                st = json.load(f)
            return st["write_date"], st["id"]
        except (OSError, ValueError):
            return None

    def safe_during_run(self, state_file):
        c = self.cursor(state_file)
        return c is None or (c[0] < SEEDED_MAX_WD and c[1] <= self.n_orders - 3 * PAGE_SIZE)

    def change(self, n=15):
        while int(time.time()) <= self.last_second:
            time.sleep(0.05)
        ids = sorted(self.rng.sample(range(1, self.n_orders + 1), n))
        vals = {}
        for kind in self.rng.sample(["state", "partner", "date", "line"], 2):
            if kind == "state":
                vals["state"] = self.rng.choice(["draft", "sent", "sale", "cancel"])
            elif kind == "partner":
                vals["partner_id"] = self.rng.choice([10, 11, 12, 16])
            elif kind == "date":
                vals["date_order"] = "2026-%02d-%02d %02d:%02d:00" % (
                    self.rng.randint(1, 10), self.rng.randint(1, 28), self.rng.randint(0, 23),
                    self.rng.randint(0, 59))
            else:
                vals["order_line"] = [[0, 0, {"product_id": self.rng.randint(1, 19),
                                              "product_uom_qty": self.rng.randint(1, 5),
                                              "price_unit": round(self.rng.uniform(1, 900), 2)}]]
        self.odoo.call("sale.order", "write", [ids, vals])
        self.last_second = int(time.time())
        self.batches += 1
        self.orders += n
        return ids


# ---- checks ----------------------------------------------------------------------------------

def verify_table(dynamo, odoo, table):
    """Every order exactly once, with the emulator's current values."""
    items = dynamo.scan(table)
    orders = odoo.orders()
    expected = {str(o["id"]): item_of(o) for o in orders}
    count = collections.Counter(plain(it["order_id"]) for it in items)
    dups = sorted((k for k, c in count.items() if c > 1), key=int)
    missing = sorted(set(expected) - set(count), key=int)
    extra = sorted(set(count) - set(expected), key=int)
    stale = []
    for it in items:
        got = {k: plain(v) for k, v in it.items()}
        want = expected.get(got["order_id"])
        if want is None:
            continue
        if {k: got.get(k) for k in want} != want or got.get("response_status") != 200:
            stale.append(got["order_id"])
    problems = []
    if missing:
        problems.append("%d missing (e.g. %s)" % (len(missing), missing[:5]))
    if dups:
        problems.append("%d duplicated (e.g. %s)" % (len(dups), dups[:5]))
    if extra:
        problems.append("%d unknown (e.g. %s)" % (len(extra), extra[:5]))
    if stale:
        sample = stale[0]
        it = next(i for i in items if plain(i["order_id"]) == sample)
        problems.append("%d not current (e.g. order %s: table %s, Odoo %s)" % (
            len(stale), sample, {k: plain(v) for k, v in it.items()}, expected[sample]))
    return len(expected), len(items), problems


# ---- the scenarios ---------------------------------------------------------------------------

class Scenario:
    """One fault kind: a plan of what to do at which page of which run."""

    name = ""
    proxy_faults = None        # fault proxy settings for the whole scenario (None: no proxy)
    timeout = None             # --timeout for the sync
    extra_args = ()            # more options for the sync (e.g. --retry-deadline)
    expire_every = 0
    must_fire = ()             # keys of `fired` that must be > 0
    must_fail_once = True      # at least one run must exit non-zero
    dead_letters_ok = False    # items may go to the dead-letter file (and come back later)

    def __init__(self, ctx):
        self.ctx = ctx
        self.emu = ctx.emu
        self.ledger = FaultLedger(ctx.emu)
        self.mod = ctx.modifier
        self.skipped_mods = 0

    # hooks
    def plan(self, run, page):
        """Called after page `page` of run `run` (1-based) was stored."""

    def before_run(self, run):
        pass

    def modify_now(self):
        if self.mod.safe_during_run(self.ctx.state_file):
            self.mod.change()
        else:
            self.skipped_mods += 1

    def arm(self, body, labels):
        self.ledger.arm(body, labels)

    def disarm(self, kind):
        """Drop what is left of a counted fault (after the run it failed): the next
        run starts clean, whatever number of attempts the last one made."""
        self.ledger.settle()
        self.emu.faults({FaultLedger.KEYS[kind]: 0})
        if kind in self.ledger.outstanding:
            self.ledger.outstanding[kind] = (self.ledger.outstanding[kind][0], 0)

    def extra_fired(self):
        return {}


class SessionExpiry(Scenario):
    name = "session_expiry"
    expire_every = 3
    must_fire = ("sessions_expired", "sync_reauths")
    must_fail_once = False

    def plan(self, run, page):
        if run == 1 and page == 2:
            self.modify_now()
        if run == 1 and page == 12:
            self.emu.faults({"expire_all": True})
            self.modify_now()


class Http5xx(Scenario):
    """502/503 are retried (reads) until --retry-deadline. With 1 s and the default
    back-off (250 ms doubling, at least half of each delay) a read is sent at most 5
    times within it, whatever the load: a burst of 8 always fails the run, however
    slow the machine (slowness only means fewer attempts)."""
    name = "http_502_503"
    extra_args = ("--retry-deadline", "1")
    must_fire = ("http502", "http503", "sync_retries", "sync_err_502", "sync_err_503")

    def plan(self, run, page):
        if run == 1 and page == 2:
            self.modify_now()
            self.arm({"status": 502, "status_count": 8}, {"status": "http502"})
        if run == 2 and page == 2:
            self.modify_now()
            self.arm({"status": 503, "status_count": 8}, {"status": "http503"})
        if run == 3 and page == 3:       # a short burst: usually within the deadline
            self.arm({"status": 502, "status_count": 2}, {"status": "http502"})

    def before_run(self, run):
        # the failed run sent fewer than 8 (how many depends on the machine's speed): the
        # rest would fail the next run's login, and that run would never arm its fault
        if run > 1:
            self.disarm("status")


class CloseMidBody(Scenario):
    name = "close_mid_body"
    must_fire = ("close_mid_body", "sync_retries")

    def plan(self, run, page):
        if run == 1 and page == 2:
            self.modify_now()
            self.arm({"close_mid_body_count": 2}, {"close_mid_body": "close_mid_body"})
        if run == 1 and page == 8:
            self.arm({"close_mid_body_count": 5}, {"close_mid_body": "close_mid_body"})
        if run == 2 and page == 2:
            self.modify_now()


class Truncated(Scenario):
    name = "truncated_json"
    must_fire = ("truncate",)

    def before_run(self, run):
        if run == 2:       # the first JSON answer of the run: the login's
            self.arm({"truncate_count": 1}, {"truncate": "truncate"})

    def plan(self, run, page):
        if run == 1 and page == 2:
            self.modify_now()
            self.arm({"truncate_count": 1}, {"truncate": "truncate"})
        if run == 3 and page == 4:
            self.modify_now()
            self.arm({"truncate_count": 1}, {"truncate": "truncate"})


class SlowTimeout(Scenario):
    name = "slow_timeout"
    timeout = 1
    must_fire = ("delay", "sync_retries", "sync_err_timeout")

    def plan(self, run, page):
        if run == 1 and page == 2:
            self.modify_now()
            self.arm({"delay_ms": 1600, "delay_count": 2}, {"delay": "delay"})
        if run == 1 and page == 8:
            self.arm({"delay_ms": 1600, "delay_count": 5}, {"delay": "delay"})
        if run == 2 and page == 2:
            self.modify_now()


class Restart(Scenario):
    """The emulator is SIGKILLed (its sessions are lost) and started again on the same
    port: twice quickly, 4 pages apart, which the sync waits for (reads are retried
    while nothing listens, until --retry-deadline) and then logs in again; then killed
    and left down until the run has given up (exit 4), started again before the next
    run. Each of these is certain whatever the machine's load: a restart comes back
    within Emulator.start_again's 10 s, well inside the 20 s deadline, and the last
    outage lasts as long as the run does. (Before 0.4 the quick restarts had to come
    back within the 1.75 s of 3 retries; on a busy machine they did not, every run
    logged in afresh and no session ever expired: bug 10.) Every change is lost with
    a restart (the data are seeded again), so orders are changed only after the last
    one."""
    name = "emulator_restart"
    extra_args = ("--retry-deadline", "20")
    must_fire = ("restarts", "sessions_expired", "sync_reauths")
    QUICK, UNTIL_EXIT = "quick", "until_exit"
    DOWN = [QUICK, QUICK, UNTIL_EXIT]

    def __init__(self, ctx):
        super().__init__(ctx)
        self.queue = list(self.DOWN)
        self.next_page = {}
        self.mods = 0
        self.down = False

    def plan(self, run, page):
        if self.queue:
            if page >= self.next_page.get(run, 3):
                what = self.queue.pop(0)
                if what == self.QUICK:
                    self.emu.restart(0.0)
                else:
                    self.emu.stop(signal.SIGKILL)
                    self.down = True
                self.next_page[run] = page + 4
        elif self.mods < 2 and page >= self.next_page.get(run, 2):
            self.modify_now()
            self.mods += 1

    def before_run(self, run):
        if self.down:
            self.emu.start_again()
            self.down = False
        if not self.queue and self.mods < 2:
            self.mod.change()
            self.mods += 1

    def extra_fired(self):
        return {"restarts": self.emu.restarts}


class DynamoFaults(Scenario):
    name = "dynamodb"
    # dead letters after 10 re-sends of one item: 0.22^11 per item, about 1e-3 per run
    proxy_faults = {"throttle": 0.12, "partial": 0.12, "error500": 0.04, "seed": 9}
    must_fire = ("throttled", "partial", "error500", "sync_sink_retried")
    must_fail_once = False

    def plan(self, run, page):
        if run == 1 and page in (2, 15):
            self.modify_now()


class ThrottleStorm(Scenario):
    """DynamoDB throttles every BatchWriteItem for longer than the sink's retries: the items
    of that page go to the dead-letter file. The run must stop there without saving the
    cursor past them (exit 1), so that the scheduler's rerun stores them: nothing lost."""
    name = "throttle_storm"
    proxy_faults = {"seed": 5}
    must_fire = ("forced", "sync_sink_retried", "sync_dead_lettered")
    dead_letters_ok = True

    def plan(self, run, page):
        if run == 1 and page == 2:
            self.modify_now()
        if run == 1 and page == 3:
            # 20 requests a page, 11 tries an item, each call retried by the client: more refusals than a page can outlast
            self.ctx.proxy.faults({"force": [{
                "status": 400, "type": "ProvisionedThroughputExceededException",
                "message": "Rate of requests exceeds the allowed throughput (storm)",
                "count": 800, "target": "BatchWriteItem"}]})

    forced = 0

    def before_run(self, run):
        if run == 2:
            self.forced = self.ctx.proxy.stats().get("forced", 0)
            self.ctx.proxy.faults({"seed": 5})  # the storm is over (resets the stats)
            self.mod.change()

    def extra_fired(self):
        return {"forced": self.forced}


class Combined(Scenario):
    """Everything but the restart at once: sessions expiring every 4th call and the proxy's
    faults all along, and a queue of Odoo faults, the next one armed 3 pages after the
    previous (in the same run when it rode that one out, else in the next run)."""
    name = "combined"
    extra_args = ("--retry-deadline", "1")   # see Http5xx
    proxy_faults = {"throttle": 0.1, "partial": 0.1, "error500": 0.03, "reset": 0.02,
                    "seed": 11}
    timeout = 1
    expire_every = 4
    must_fire = ("sessions_expired", "http502", "http503", "truncate", "close_mid_body",
                 "delay", "throttled", "partial", "error500", "reset", "sync_reauths",
                 "sync_retries", "sync_sink_retried")
    QUEUE = [
        ({"status": 502, "status_count": 2}, {"status": "http502"}),            # ridden out
        ({"close_mid_body_count": 2}, {"close_mid_body": "close_mid_body"}),    # ridden out
        ({"status": 503, "status_count": 8}, {"status": "http503"}),            # fails the run
        ({"truncate_count": 1}, {"truncate": "truncate"}),                      # fails the run
        ({"delay_ms": 1600, "delay_count": 2}, {"delay": "delay"}),             # ridden out
        ({"close_mid_body_count": 5}, {"close_mid_body": "close_mid_body"}),    # fails the run
        ({"delay_ms": 1600, "delay_count": 5}, {"delay": "delay"}),             # fails the run
    ]

    def __init__(self, ctx):
        super().__init__(ctx)
        self.queue = list(self.QUEUE)
        self.next_page = {}

    def plan(self, run, page):
        if page == 2 and run <= 2:
            self.modify_now()
        if self.queue and page >= self.next_page.get(run, 2):
            body, labels = self.queue.pop(0)
            self.arm(body, labels)
            self.next_page[run] = page + 3


SCENARIOS = [SessionExpiry, Http5xx, CloseMidBody, Truncated, SlowTimeout, Restart,
             DynamoFaults, ThrottleStorm, Combined]


class Context:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.sync = args.sync
        self.dynamo = Dynamo()
        self.proxy = Proxy()
        self.emu = None
        self.odoo = None
        self.modifier = None
        self.state_file = None
        self.rng = random.Random(SEED)

    def fresh_emulator(self):
        """A new emulator: the seeded data again, no faults."""
        if self.emu:
            self.emu.close()
        self.emu = Emulator(self.args.orders, self.tmp)
        self.emu.start()
        self.odoo = Odoo(self.emu)
        self.modifier = Modifier(self.odoo, self.rng, self.args.orders)

    def sync_env(self, via_proxy):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
        env.update(ODOO_URL=self.emu.url, ODOO_DB="acme", ODOO_EMAIL="admin",
                   ODOO_PASSWORD="admin")
        env["AWS_ENDPOINT_URL_DYNAMODB"] = (self.proxy.url if via_proxy
                                            else os.environ["ODOO_TEST_DYNAMODB_URL"])
        return env

    def sync_args(self, table, timeout=None, extra=()):
        a = ["--all", "--state-file", self.state_file, "--page-size", str(PAGE_SIZE),
             "--create-table", "--sink", "dynamodb:" + table, "--dead-letter-dir", self.tmp]
        if timeout:
            a += ["--timeout", str(timeout)]
        return a + list(extra)


def short_error(summary):
    e = (summary or {}).get("error") or ""
    return e[:160]


def run_scenario(ctx, cls):
    t0 = time.time()
    table = "Hardening_" + cls.name
    ctx.state_file = os.path.join(ctx.tmp, cls.name + ".state")
    ctx.fresh_emulator()
    sc = cls(ctx)
    if sc.expire_every:
        ctx.emu.faults({"expire_sessions_every": sc.expire_every})
    via_proxy = sc.proxy_faults is not None
    if via_proxy:
        ctx.proxy.faults(sc.proxy_faults)
    codes, errors, totals = [], [], collections.Counter()
    row = {"scenario": cls.name, "runs": 0, "codes": codes, "fired": {}, "expected": "-",
           "found": "-", "ok": False, "problems": []}
    try:
        for run in range(1, MAX_RUNS + 1):
            sc.before_run(run)
            r = SyncRun(ctx.sync, ctx.sync_args(table, sc.timeout, sc.extra_args),
                        ctx.sync_env(via_proxy),
                        on_page=lambda page, run=run: sc.plan(run, page))
            rc, summary = r.wait()
            codes.append(rc)
            row["runs"] = run
            if summary:
                totals["reauths"] += summary.get("reauths", 0)
                totals["odoo_retries"] += summary.get("odoo_retries", 0)
                totals["sink_retried"] += summary.get("retried", 0)
                totals["dead_lettered"] += summary.get("dead_lettered", 0)
                totals["read"] += summary.get("read", 0)
            if rc != 0:
                errors.append(short_error(summary) or "\n".join(list(r.stderr_tail)[-3:]))
            # a crash or a sanitizer report exits without the summary, or with another status
            check(rc in (0, 1, 3, 4, 5, 6) and summary and summary.get("exit_code") == rc,
                  "run %d: exit status %d, summary %s (a crash?); stderr tail:\n%s"
                  % (run, rc, summary, "\n".join(r.stderr_tail)))
            if rc == 0:
                break
        sc.ledger.lost()
        fired = dict(sc.ledger.fired)
        fired.update(sc.extra_fired())
        ctx.emu.add_stats()
        fired["sessions_expired"] = ctx.emu.totals["sessions_expired"]
        fired["sync_reauths"] = totals["reauths"]
        fired["sync_retries"] = totals["odoo_retries"]
        fired["sync_sink_retried"] = totals["sink_retried"]
        fired["sync_dead_lettered"] = totals["dead_lettered"]
        fired["sync_err_502"] = sum("502" in e for e in errors)
        fired["sync_err_503"] = sum("503" in e for e in errors)
        fired["sync_err_timeout"] = sum("TIMEOUT" in e.upper() for e in errors)
        if via_proxy:
            ps = ctx.proxy.stats()
            for k in ("throttled", "partial", "partial_items", "error500", "reset", "forced"):
                fired[k] = fired.get(k, 0) + ps.get(k, 0)
        row["fired"] = fired
        row["errors"] = errors
        row["changed"] = "%d batches, %d orders (%d skipped)" % (
            ctx.modifier.batches, ctx.modifier.orders, sc.skipped_mods)
        check(codes and codes[-1] == 0, "no run exited 0 in %d runs: %s" % (MAX_RUNS, codes))
        if sc.must_fail_once:
            check(any(c != 0 for c in codes), "the faults never made a run fail: %s" % codes)
        for key in sc.must_fire:
            check(fired.get(key, 0) > 0, "fault %s never fired (%s)" % (key, fired))
        check(ctx.modifier.batches > 0, "no order was changed during the scenario")
        if not sc.dead_letters_ok:
            check(totals["dead_lettered"] == 0, "%d items dead-lettered" % totals["dead_lettered"])
        expected, found, problems = verify_table(ctx.dynamo, ctx.odoo, table)
        row.update(expected=expected, found=found)
        check(not problems, "; ".join(problems))
        row["ok"] = True
    except Exception as e:  # noqa: BLE001 - one scenario's failure is reported, the others run
        row["problems"].append("%s: %s" % (type(e).__name__, e))
        if not isinstance(e, TestFailure):
            traceback.print_exc()
    finally:
        row["seconds"] = time.time() - t0
        ctx.dynamo.delete_table(table)
    return row


# ---- crash-resume ----------------------------------------------------------------------------

def run_crash_resume(ctx, kills=20):
    t0 = time.time()
    name = "crash_resume"
    table = "Hardening_crash_resume"
    ctx.state_file = os.path.join(ctx.tmp, name + ".state")
    ctx.fresh_emulator()
    rng = random.Random(SEED + 1)
    codes, points = [], []
    row = {"scenario": name, "runs": 0, "codes": codes, "fired": {}, "expected": "-",
           "found": "-", "ok": False, "problems": []}
    cursors, progress = [], []
    try:
        done_kills, attempts = 0, 0
        while done_kills < kills:
            attempts += 1
            check(attempts <= kills * 2, "could not place %d kills in %d runs" % (kills, attempts))
            pages = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
            delay = round(rng.uniform(0.0, 0.2), 3)
            fire = threading.Event()

            def on_page(page, pages=pages):
                if page >= pages:
                    fire.set()

            r = SyncRun(ctx.sync, ctx.sync_args(table), ctx.sync_env(False), on_page=on_page)
            if pages == 0:
                fire.set()
            killed = False
            while r.proc.poll() is None:
                if fire.wait(0.02):
                    time.sleep(delay)
                    if r.proc.poll() is None:
                        r.kill()
                        killed = True
                    break
            rc, summary = r.wait()
            codes.append("K" if killed else rc)
            row["runs"] += 1
            if killed:
                done_kills += 1
                points.append("%d+%dms" % (pages, delay * 1000))
            else:
                check(rc == 0 and summary and summary.get("exit_code") == 0,
                      "run %d exited %d; stderr tail:\n%s"
                      % (row["runs"], rc, "\n".join(r.stderr_tail)))
            # the cursor never moves backwards, and everything at or before it is stored
            cur = Modifier.cursor(ctx.state_file)
            if cur is not None:
                check(not cursors or tuple(cur) >= tuple(cursors[-1]),
                      "the cursor moved backwards: %s -> %s" % (cursors[-1:], cur))
                cursors.append(cur)
                items = ctx.dynamo.scan(table, ["order_id", "odoo_write_date"])
                stored = collections.defaultdict(list)
                for it in items:
                    stored[plain(it["order_id"])].append(plain(it["odoo_write_date"]))
                dups = [k for k, v in stored.items() if len(v) > 1]
                check(not dups, "orders stored twice: %s" % dups[:5])
                behind = ahead = 0
                for o in ctx.odoo.orders(["write_date"]):
                    key, got = (o["write_date"], o["id"]), stored.get(str(o["id"]))
                    if got:
                        check(got[0] <= o["write_date"], "order %d: the table has write_date "
                              "%s, newer than Odoo's %s" % (o["id"], got[0], o["write_date"]))
                    if key <= tuple(cur):
                        behind += 1
                        check(got and got[0] == o["write_date"],
                              "after kill %d: order %d (write_date %s) is at or before the "
                              "saved cursor %s but the table has %s" % (
                                  done_kills, o["id"], o["write_date"], cur, got))
                    elif got and got[0] == o["write_date"]:
                        ahead += 1      # stored by a killed run past its saved cursor
                progress.append("%d/%d" % (behind, ahead))
                pending = ctx.args.orders - behind
            else:
                progress.append("-")
                pending = ctx.args.orders
            # changes between the kills; when the sync has (nearly) caught up, a bulk
            # change, so that the next kill lands in a run with pages to go again
            ctx.modifier.change(10 if pending >= 3 * PAGE_SIZE else 2500)
        # then to completion
        for _ in range(3):
            r = SyncRun(ctx.sync, ctx.sync_args(table), ctx.sync_env(False))
            rc, summary = r.wait()
            check(summary and summary.get("exit_code") == rc, "run %d: exit status %d, summary "
                  "%s (a crash?)" % (row["runs"] + 1, rc, summary))
            codes.append(rc)
            row["runs"] += 1
            if rc == 0:
                break
        check(codes[-1] == 0, "the run after the kills exited %s" % codes[-1])
        cur = Modifier.cursor(ctx.state_file)
        check(cur and tuple(cur) >= tuple(cursors[-1] if cursors else ("", 0)),
              "the final cursor moved backwards")
        expected, found, problems = verify_table(ctx.dynamo, ctx.odoo, table)
        row.update(expected=expected, found=found)
        check(not problems, "; ".join(problems))
        row["ok"] = True
    except Exception as e:  # noqa: BLE001
        row["problems"].append("%s: %s" % (type(e).__name__, e))
        if not isinstance(e, TestFailure):
            traceback.print_exc()
    finally:
        row["fired"] = {"sigkill": sum(1 for c in codes if c == "K")}
        row["kill_points"] = points
        row["progress"] = progress
        row["changed"] = "%d batches, %d orders" % (ctx.modifier.batches, ctx.modifier.orders)
        row["seconds"] = time.time() - t0
        ctx.dynamo.delete_table(table)
    return row


# ---- report ----------------------------------------------------------------------------------

def fmt_codes(codes):
    c = collections.Counter(str(x) for x in codes)
    seq = " ".join(str(x) for x in codes)
    if len(seq) <= 40:
        return seq
    return ", ".join("%s x%d" % (k, n) for k, n in sorted(c.items()))


def fmt_fired(fired):
    return ", ".join("%s %s" % (k, v) for k, v in fired.items() if v)


def report(rows, wall, path):
    head = ("| scenario | runs | exit codes | faults fired | items expected | items found | "
            "ok | s |\n|---|---|---|---|---|---|---|---|\n")
    body = "".join("| %s | %s | %s | %s | %s | %s | %s | %.0f |\n" % (
        r["scenario"], r["runs"], fmt_codes(r["codes"]), fmt_fired(r["fired"]), r["expected"],
        r["found"], "yes" if r["ok"] else "**NO**", r["seconds"]) for r in rows)
    notes = []
    for r in rows:
        if r.get("changed"):
            notes.append("- %s: orders changed: %s" % (r["scenario"], r["changed"]))
        if r.get("errors"):
            notes.append("- %s: errors of the failed runs: %s" % (
                r["scenario"], "; ".join(sorted(set(e[:110] for e in r["errors"])))))
        if r.get("kill_points"):
            notes.append("- %s: kill points (pages stored + delay, seed %d): %s" % (
                r["scenario"], SEED + 1, " ".join(r["kill_points"])))
            notes.append("- %s: after each run, orders at or before the saved cursor / current "
                         "in the table beyond it: %s" % (r["scenario"], " ".join(r["progress"])))
        for p in r["problems"]:
            notes.append("- %s: FAILED: %s" % (r["scenario"], p))
    text = ("%s\n%d orders, --page-size %d, at most %d runs per scenario; wall time %.0f s "
            "(%s).\n\n%s" % (head + body, ORDERS, PAGE_SIZE, MAX_RUNS, wall,
                             datetime.datetime.now(datetime.timezone.utc).strftime(
                                 "%Y-%m-%d %H:%M UTC"), "\n".join(notes) + "\n"))
    log("\n" + text)
    if path:
        with open(path, "w") as f:
            f.write("# odoo-sync-orders under faults (tests/hardening/test_fault_sync.py)\n\n")
            f.write(text)


def main():
    global ORDERS
    ap = argparse.ArgumentParser()
    ap.add_argument("sync")
    ap.add_argument("--part", choices=("faults", "crash", "all"), default="all")
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    ap.add_argument("--orders", type=int, default=ORDERS)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--report", default="")
    args = ap.parse_args()
    args.sync = os.path.abspath(args.sync)
    ORDERS = args.orders
    for k in ("ODOO_TEST_DYNAMODB_URL", "AWS_ACCESS_KEY_ID"):
        if k not in os.environ:
            sys.stderr.write("run me under tests/sinks/run_with_aws.py --proxy (no %s)\n" % k)
            return 2
    only = set(filter(None, args.only.split(",")))
    tmp = tempfile.mkdtemp(prefix="libodoo-hardening-")
    ctx = Context(args, tmp)
    rows = []
    t0 = time.time()
    try:
        if args.part in ("faults", "all"):
            for cls in SCENARIOS:
                if only and cls.name not in only:
                    continue
                if cls.proxy_faults is not None and not ctx.proxy.url:
                    sys.stderr.write("%s needs the fault proxy (run_with_aws.py --proxy)\n"
                                     % cls.name)
                    return 2
                log("== %s" % cls.name)
                rows.append(run_scenario(ctx, cls))
                log("   %s in %.1f s: runs %s, exit codes %s" % (
                    "ok" if rows[-1]["ok"] else "FAILED", rows[-1]["seconds"], rows[-1]["runs"],
                    rows[-1]["codes"]))
        if args.part in ("crash", "all") and (not only or "crash_resume" in only):
            log("== crash_resume")
            rows.append(run_crash_resume(ctx, args.kills))
            log("   %s in %.1f s" % ("ok" if rows[-1]["ok"] else "FAILED", rows[-1]["seconds"]))
    finally:
        if ctx.emu:
            ctx.emu.close()
        report(rows, time.time() - t0, args.report)
        failed = [r for r in rows if not r["ok"]]
        if failed:
            log("emulator log tail:")
            try:
                with open(os.path.join(tmp, "emulator.log")) as f:
                    log(f.read()[-3000:])
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
