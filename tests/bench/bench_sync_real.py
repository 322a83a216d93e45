#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The sale-order sync against real Odoo (issue 16, section 5): a measurement,
never a test. Run it with tests/bench/run-real.sh (or tests/bench/run.sh --real);
docs/performance.md, "The sync against real Odoo", explains the figures.

    bench_sync_real.py --build BUILD [--version 18] [--orders 5000] [--reps 3]

In one run, against one real Odoo (tests/real-odoo/realodoo.py, server name
`bench`, Odoo's own password hashing: LIBODOO_REAL_ODOO_FULL_HASHING=1) and
DynamoDB Local (tests/sinks/run_with_aws.py, which this script re-runs itself
under when DynamoDB Local is not there yet):

  a. the wall time of a full sync (`odoo-sync-orders --all`, and the first run
     of `--state file:` / `--state dynamodb:`) against its floor: one login
     (curl) + max(the same search_read requests, sent by curl with the session
     cookie, one after the other; the same items written by curl as
     BatchWriteItem of 25, 16 in flight);
  b. Odoo's server CPU (utime+stime of the server's process tree, from /proc)
     per run: full sync, no-change run (second run of --state file:, kept
     session), the Python reference (tests/bench/sync_orders_reference.py) and
     OdooRPC doing the same full read and a no-change check, one login, one
     search_read of every order;
  c. 1, 2 and 4 shards (`--shard K/N --state dynamodb:...`, processes side by
     side) against Odoo started with `--workers 2`, each shard logging in, and
     with kept sessions (--session-file).

The requests of the floor are recorded by a forwarding proxy (Recorder) in a
run that is not timed. Each round measures every item once, so a shared
machine's drift falls on all of them alike. The secrets go to curl in 0600
files, never in argv.

Writes the section "## Real Odoo: the sale-order sync (issue 16)" of
tests/bench/results/latest.md (the other sections stay) and prints it.
Contacts nothing but 127.0.0.1. Stops the servers it started.
"""
import argparse
import http.client
import http.server
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REAL = os.path.join(ROOT, "tests", "real-odoo")
REALODOO = os.path.join(REAL, "realodoo.py")
RUN_WITH_AWS = os.path.join(ROOT, "tests", "sinks", "run_with_aws.py")
SYS_PY = "/usr/bin/python3"           # Debian's: OdooRPC, the harness
SECTION = "## Real Odoo: the sale-order sync (issue 16)"
DDB_CONCURRENCY = 16                  # the DynamoDB sink's default concurrency
SERVER_NAME = "bench"                 # LIBODOO_REAL_ODOO_NAME: own folder and database
# what the Python reference reads (sync_orders_reference.FIELDS)
REF_FIELDS = ["id", "name", "partner_id", "amount_total", "state", "date_order", "write_date"]
PAGE = 500
TICK = os.sysconf("SC_CLK_TCK")


def log(msg):
    sys.stderr.write("bench-real: %s\n" % msg)
    sys.stderr.flush()


# ---- the clients compared (run as their own processes: --client MODE) -----------------
def client_main(mode):
    """OdooRPC (Debian's Python) or the Python reference's session (the image's
    Python, with boto3): a full read, or a no-change check (login + one
    search_read of the orders changed after BENCH_CURSOR). Prints one JSON line."""
    url, db = os.environ["ODOO_URL"], os.environ["ODOO_DB"]
    user, pw = os.environ["ODOO_USER"], os.environ["ODOO_PASSWORD"]
    cursor = os.environ.get("BENCH_CURSOR", "")
    n = 0
    if mode.startswith("odoorpc"):
        from urllib.parse import urlparse
        import odoorpc
        u = urlparse(url)
        odoo = odoorpc.ODOO(u.hostname, protocol="jsonrpc", port=u.port, timeout=600)
        odoo.login(db, user, pw)
        if mode == "odoorpc-full":
            offset = 0
            while True:
                rows = odoo.execute_kw("sale.order", "search_read", [[]],
                                       {"fields": REF_FIELDS, "limit": PAGE, "offset": offset,
                                        "order": "id asc"})
                n += len(rows)
                offset += len(rows)
                if len(rows) < PAGE:
                    break
        else:
            n = len(odoo.execute_kw("sale.order", "search_read", [[["write_date", ">", cursor]]],
                                    {"fields": REF_FIELDS, "limit": PAGE, "order": "id asc"}))
    elif mode == "reference-nochange":
        sys.path.insert(0, HERE)
        from sync_orders_reference import Session
        s = Session(url)
        s.post("/web/session/authenticate", {"db": db, "login": user, "password": pw})
        _, rows = s.post("/web/dataset/call_kw", {
            "model": "sale.order", "method": "search_read",
            "args": [[["write_date", ">", cursor]]],
            "kwargs": {"fields": REF_FIELDS, "limit": PAGE, "order": "id asc"}})
        n = len(rows)
    else:
        sys.exit("unknown client mode %s" % mode)
    print(json.dumps({"read": n}))
    return 0


# ---- CPU meters ---------------------------------------------------------------------------
def _proc_table():
    """pid -> (ppid, utime+stime+cutime+cstime in ticks) for every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rindex(")") + 2:].split()
        # fields 3.. of proc(5): rest[1] ppid, rest[11..14] utime stime cutime cstime
        out[int(d)] = (int(rest[1]), sum(int(x) for x in rest[11:15]))
    return out


def tree_ticks(table, root):
    """CPU ticks of root and its live descendants, each with its reaped children."""
    if not root or root not in table:
        return 0
    kids = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += table[p][1]
        todo += kids.get(p, [])
    return total


def sys_busy():
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    total = sum(v[:8])
    return total - idle, total


def find_pid(pred):
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if pred(cmd):
                return int(d)
    return None


class Meters:
    """Samples the CPU of Odoo's server tree, PostgreSQL's cluster, DynamoDB
    Local, the measured client processes and the machine."""

    def __init__(self):
        self.odoo = self.pg = self.ddb = None

    def sample(self):
        t = _proc_table()
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"t": time.monotonic(), "odoo": tree_ticks(t, self.odoo),
                "pg": tree_ticks(t, self.pg), "ddb": tree_ticks(t, self.ddb),
                "sys": sys_busy(), "client": ch.ru_utime + ch.ru_stime}

    @staticmethod
    def delta(a, b):
        busy = b["sys"][0] - a["sys"][0]
        tot = b["sys"][1] - a["sys"][1]
        d = {"wall": b["t"] - a["t"], "odoo": (b["odoo"] - a["odoo"]) / TICK,
             "pg": (b["pg"] - a["pg"]) / TICK, "ddb": (b["ddb"] - a["ddb"]) / TICK,
             "client": b["client"] - a["client"], "util": busy / tot if tot else 0.0}
        # the machine's busy CPU that none of the meters accounts for: other work
        d["other"] = max(0.0, busy / TICK - d["odoo"] - d["pg"] - d["ddb"] - d["client"])
        return d


def rx(a, b):
    """a / b, NaN when b is 0 (a figure below the meter's resolution)."""
    return a / b if b else float("nan")


def pbkdf2_ms(rounds):
    """CPU ms of one PBKDF2-SHA512 of `rounds` here (what a login costs Odoo)."""
    import hashlib
    c0 = time.process_time()
    hashlib.pbkdf2_hmac("sha512", b"calibration", b"0123456789abcdef", max(rounds, 1))
    return (time.process_time() - c0) * 1000.0


def stats(values):
    values = list(values)
    return {"med": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


def median_dict(runs):
    """Per key: the median of the runs' values (numbers only)."""
    out = {}
    for k in runs[0]:
        if isinstance(runs[0][k], (int, float)) and not isinstance(runs[0][k], bool):
            out[k] = stats(r[k] for r in runs)
    return out


# ---- a recording proxy: what the sync sends --------------------------------------------------
class Recorder:
    """Forwards every request to Odoo and keeps (method, path, body): the
    requests a run sent, replayed by curl for the floor."""

    def __init__(self, upstream_port):
        self.requests = []
        rec, up = self.requests, upstream_port

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                self.forward()

            def do_POST(self):
                self.forward()

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                rec.append((self.command, self.path, body))
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("host", "connection", "keep-alive", "content-length",
                                             "expect", "transfer-encoding")}
                c = http.client.HTTPConnection("127.0.0.1", up, timeout=600)
                c.request(self.command, self.path, body=body if n else None, headers=hdrs)
                r = c.getresponse()
                data = r.read()
                c.close()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length",
                                         "keep-alive"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def describe(path, body):
    """'model.method' of a recorded request (or its path)."""
    try:
        p = json.loads(body).get("params", {})
    except ValueError:
        return path
    if "model" in p and "method" in p:
        return "%s.%s" % (p["model"], p["method"])
    if p.get("service") == "object" and len(p.get("args", [])) > 4:
        return "%s.%s" % (p["args"][3], p["args"][4])
    return path.split("?")[0]


def inventory(reqs):
    """'1 /web/session/authenticate, 1 sale.order.fields_get, 11 sale.order.search_read'"""
    counts = {}
    for _, path, body in reqs:
        d = describe(path, body)
        counts[d] = counts.get(d, 0) + 1
    return ", ".join("%d %s" % (n, d) for d, n in counts.items())


# ---- Odoo over JSON-RPC (set-up only: never measured) ----------------------------------------
class Odoo:
    def __init__(self, url):
        import http.cookiejar
        import urllib.request
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.seq = 0

    def post(self, path, params):
        import urllib.request
        self.seq += 1
        req = urllib.request.Request(self.url + path, data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": self.seq, "params": params}).encode(),
            headers={"Content-Type": "application/json"})
        with self.opener.open(req, timeout=600) as r:
            data = json.loads(r.read())
        if data.get("error"):
            raise RuntimeError("%s: %s" % (path, data["error"].get("data", {}).get(
                "message", data["error"])))
        return data["result"]

    def login(self, db, user, pw):
        return self.post("/web/session/authenticate", {"db": db, "login": user, "password": pw})

    def call(self, model, method, args, kwargs=None):
        return self.post("/web/dataset/call_kw", {"model": model, "method": method,
                                                  "args": args, "kwargs": kwargs or {}})


# ---- the bench ---------------------------------------------------------------------------------
class RealBench:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="libodoo-bench-real-")
        os.chmod(self.tmp, 0o700)
        self.sync = os.path.join(a.build, "apps", "sync-orders", "odoo-sync-orders")
        self.py = os.environ["ODOO_TEST_AWS_PYTHON"]
        self.m = Meters()
        self.notes = []
        self.limits = []
        self.rows_a, self.rows_b, self.rows_c = [], [], []
        self.up = False
        self.hcounter = 0
        os.environ["LIBODOO_REAL_ODOO_NAME"] = SERVER_NAME
        os.environ["LIBODOO_REAL_ODOO_FULL_HASHING"] = "1"
        sys.path.insert(0, REAL)
        import realodoo
        self.ro = realodoo

    # -- helpers --
    def path(self, name):
        return os.path.join(self.tmp, name)

    def uniq(self, prefix):
        self.hcounter += 1
        return "%s-%d" % (prefix, self.hcounter)

    def harness(self, *args):
        env = dict(os.environ, LIBODOO_REAL_ODOO_NAME=SERVER_NAME,
                   LIBODOO_REAL_ODOO_FULL_HASHING="1")
        p = subprocess.run([SYS_PY, REALODOO] + list(args), env=env, stdout=subprocess.PIPE,
                           text=True)
        sys.stderr.write(p.stdout)
        return p.returncode

    def server(self):
        info = self.ro.server_json(self.a.version)
        self.m.odoo = info["pid"]
        return info

    def odoo_env(self, url=None, api_key=False):
        env = dict(os.environ)
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                  "ALL_PROXY"):
            env.pop(k, None)
        env.update(ODOO_URL=url or self.url, ODOO_DB=self.db, ODOO_USER="admin",
                   ODOO_EMAIL="admin", ODOO_PASSWORD=self.ro.ADMIN_PASSWORD,
                   no_proxy="127.0.0.1")
        env.pop("ODOO_API_KEY", None)
        if api_key:
            # the admin's API key instead of the password (/jsonrpc on 16-18)
            with open(self.server()["api_key_file"]) as f:
                env["ODOO_API_KEY"] = f.read().strip()
            env.pop("ODOO_PASSWORD", None)
        env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION", "eu-west-1"))
        return env

    def aws(self, code, *args):
        """Run boto3 code with the image's Python; its stdout."""
        p = subprocess.run([self.py, "-c", code] + [str(x) for x in args], env=self.odoo_env(),
                           stdout=subprocess.PIPE, check=True, text=True)
        return p.stdout

    def create_tables(self, sinks=(), states=()):
        code = r'''
import boto3, sys, json
d = boto3.client("dynamodb")
spec = json.loads(sys.argv[1])
for name, kind in spec:
    if kind == "sink":
        d.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "order_name", "AttributeType": "S"},
                                  {"AttributeName": "order_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "order_name", "KeyType": "HASH"},
                       {"AttributeName": "order_id", "KeyType": "RANGE"}])
    else:
        d.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}])
for name, _ in spec:
    d.get_waiter("table_exists").wait(TableName=name)
'''
        spec = [(n, "sink") for n in sinks] + [(n, "state") for n in states]
        if spec:
            self.aws(code, json.dumps(spec))

    def count_items(self, table):
        code = ("import boto3,sys; d=boto3.client('dynamodb'); n=0; kw={'TableName':sys.argv[1],"
                "'Select':'COUNT'}\nwhile True:\n p=d.scan(**kw); n+=p['Count']\n"
                " if 'LastEvaluatedKey' not in p: break\n kw['ExclusiveStartKey']="
                "p['LastEvaluatedKey']\nprint(n)")
        return int(self.aws(code, table))

    def measure(self, fn):
        """(result of fn, the meters' delta around it)."""
        a = self.m.sample()
        r = fn()
        b = self.m.sample()
        return r, Meters.delta(a, b)

    def run(self, argv, env, timeout=1800):
        p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("%s failed (exit %d): %s" % (
                " ".join(os.path.basename(x) for x in argv[:2]), p.returncode,
                p.stderr.decode(errors="replace")[-1500:]))
        return p.stdout.decode()

    def run_sync(self, args, url=None, api_key=False):
        out = self.run([self.sync] + args + ["--quiet"], self.odoo_env(url, api_key))
        return json.loads(out.strip().splitlines()[-1])

    # -- set-up --
    def features(self):
        h = subprocess.run([self.sync, "--help"], stdout=subprocess.PIPE, text=True).stdout
        self.help = h
        self.has_state = re.search(r"--state(?![-\w])", h) is not None
        self.has_shard = "--shard" in h
        self.has_session = "--session-file" in h
        if not self.has_state:
            self.notes.append("This odoo-sync-orders has no `--state` yet: the state runs use "
                              "`--state-file PATH` (no kept session), and `--state dynamodb:` "
                              "is left out.")
        if not self.has_shard:
            self.notes.append("This odoo-sync-orders has no `--shard` yet: part c is left out.")

    def state_arg(self, path):
        return ["--state", "file:" + path] if self.has_state else ["--state-file", path]

    def start_odoo(self):
        v = self.a.version
        log("starting Odoo %s.0 (server `%s`, full password hashing)" % (v, SERVER_NAME))
        rc = self.harness("up", v)
        if rc == 77:
            raise SystemExit(77)
        if rc != 0:
            raise RuntimeError("realodoo.py up %s failed (%d)" % (v, rc))
        self.up = True
        info = self.server()
        self.url, self.db, self.info = info["url"], info["database"], info
        self.pg_pid()

    def pg_pid(self):
        for p in ("/var/lib/postgresql/15/main/postmaster.pid",):
            try:
                with open(p) as f:
                    self.m.pg = int(f.readline())
            except (OSError, ValueError):
                self.notes.append("PostgreSQL's postmaster.pid not readable: no PostgreSQL CPU")

    def ddb_pid(self):
        port = os.environ["ODOO_TEST_DYNAMODB_URL"].rsplit(":", 1)[1]
        self.m.ddb = find_pid(lambda c: "DynamoDBLocal.jar" in c and ("-port %s" % port) in c)

    def full_hashing(self):
        """The template's passwords may be hashed cheaply (the harness's test
        module): set the admin password again through Odoo, which hashes it with
        its own rounds, and check them in res_users."""
        src_users = os.path.join(self.info["src"], "odoo", "addons", "base", "models",
                                 "res_users.py")
        with open(src_users) as f:
            m = re.search(r"^MIN_ROUNDS\s*=\s*([\d_]+)", f.read(), re.M)
        want = int(m.group(1).replace("_", "")) if m else 600000

        def rounds():
            h = self.ro.psql("SELECT password FROM res_users WHERE login = 'admin'", db=self.db)
            mm = re.match(r"\$pbkdf2-sha512\$(\d+)\$", h)
            return int(mm.group(1)) if mm else 0
        before = rounds()
        o = Odoo(self.url)
        uid = o.login(self.db, "admin", self.ro.ADMIN_PASSWORD)["uid"]
        o.call("res.users", "write", [[uid], {"password": self.ro.ADMIN_PASSWORD}])
        after = rounds()
        if after < want:
            raise RuntimeError("the admin password hash has %d rounds after the reset, Odoo's "
                               "floor is %d" % (after, want))
        self.rounds = after
        self.notes.append("Password hashing: the template stored the admin password with %d "
                          "PBKDF2-SHA512 rounds; the bench set it again through Odoo's RPC "
                          "(res.users.write), which stored %d rounds (Odoo's MIN_ROUNDS %d), so "
                          "every login costs the server what it costs in production."
                          % (before, after, want))

    def ensure_orders(self):
        o = Odoo(self.url)
        o.login(self.db, "admin", self.ro.ADMIN_PASSWORD)
        have = o.call("sale.order", "search_count", [[]])
        seeded = have
        want = self.a.orders
        if have < want:
            log("creating %d sale orders through RPC (the database holds %d)" % (want - have, have))
            prods = o.call("product.product", "search_read",
                           [[["default_code", "like", "LIBODOO-P"]]],
                           {"fields": ["id", "list_price"], "order": "id"})
            partners = o.call("res.partner", "search", [[["customer_rank", ">", 0]]],
                              {"limit": 20}) or o.call("res.partner", "search",
                                                       [[["is_company", "=", True]]], {"limit": 20})
            i = have
            # 250 per transaction, as the seed; the last one alone, so that the
            # newest second holds one order (as in a live database)
            while have < want - 1:
                vals = []
                for _ in range(min(250, want - 1 - have)):
                    p = prods[i % len(prods)]
                    vals.append({"partner_id": partners[i % len(partners)],
                                 "order_line": [[0, 0, {"product_id": p["id"],
                                                        "product_uom_qty": 1 + i % 5,
                                                        "price_unit": p["list_price"]}]]})
                    i += 1
                o.call("sale.order", "create", [vals])
                have += len(vals)
            while True:
                o.call("sale.order", "create", [[{"partner_id": partners[0], "order_line": [[
                    0, 0, {"product_id": prods[0]["id"], "product_uom_qty": 1,
                           "price_unit": prods[0]["list_price"]}]]}]])
                have += 1
                top = o.call("sale.order", "search_read", [[]],
                             {"fields": ["write_date"], "order": "write_date desc, id desc",
                              "limit": 2})
                if len(top) < 2 or top[0]["write_date"] != top[1]["write_date"]:
                    break
            have = o.call("sale.order", "search_count", [[]])
        self.n = have
        top = o.call("sale.order", "search_read", [[]],
                     {"fields": ["write_date"], "order": "write_date desc, id desc", "limit": 1})
        self.cursor = top[0]["write_date"]
        self.notes.append("Dataset: %d sale orders (%d from the harness's template: its seed "
                          "and the demo data%s)." % (
                              self.n, seeded, "; %d created through RPC by the bench, 250 per "
                              "call" % (self.n - seeded) if self.n > seeded else ""))
        if self.n != want:
            self.notes.append("The database holds %d orders, not --orders %d: every figure is "
                              "for %d." % (self.n, want, self.n))

    def idle(self):
        _, d = self.measure(lambda: time.sleep(2.0))
        return d["odoo"] / d["wall"] * 1000.0, d["pg"] / d["wall"] * 1000.0

    # -- curl --
    def curl_login(self, jar):
        body = self.path("login.json")
        if not os.path.exists(body):
            fd = os.open(body, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                    "db": self.db, "login": "admin", "password": self.ro.ADMIN_PASSWORD}}, f)
        out = self.path("login.out")
        subprocess.run(["curl", "-s", "--fail", "--noproxy", "*", "-c", jar, "-o", out,
                        "-H", "Content-Type: application/json", "--data-binary", "@" + body,
                        self.url + "/web/session/authenticate"], check=True)
        with open(out) as f:
            r = json.load(f)
        if not (r.get("result") or {}).get("uid"):
            raise RuntimeError("curl login failed: %s" % str(r)[:300])

    def curl_argv(self, reqs, jar, tag):
        argv = ["curl", "-s", "--fail", "--noproxy", "*"]
        for i, (method, path, body) in enumerate(reqs):
            f = self.path("%s-%d.json" % (tag, i))
            with open(f, "wb") as fh:
                fh.write(body)
            if i:
                argv.append("--next")
            argv += ["-b", jar, "-o", "/dev/null", "-H", "Content-Type: application/json",
                     "--data-binary", "@" + f, self.url + path]
        return argv

    def curl_run(self, argv, quiet=False):
        # curl --parallel draws a progress meter even with -s: quiet drops stderr
        subprocess.run(argv, check=True, stderr=subprocess.DEVNULL if quiet else None)

    # -- the DynamoDB floor --
    def scan_items(self, table):
        code = r'''
import boto3, sys, json
d = boto3.client("dynamodb")
items, kw = [], {"TableName": sys.argv[1]}
while True:
    p = d.scan(**kw)
    items += p["Items"]
    if "LastEvaluatedKey" not in p:
        break
    kw["ExclusiveStartKey"] = p["LastEvaluatedKey"]
json.dump(items, open(sys.argv[2], "w"))
'''
        out = self.path("items.json")
        self.aws(code, table, out)
        with open(out) as f:
            return json.load(f)

    def ddb_floor_cfg(self, items, table):
        env = self.odoo_env()
        url = env["AWS_ENDPOINT_URL_DYNAMODB"]
        region = env.get("AWS_REGION", "eu-west-1")
        d = self.path("ddb-" + table)
        os.makedirs(d)
        cfg = []
        for b in range(0, len(items), 25):
            p = os.path.join(d, "b%d.json" % b)
            with open(p, "w") as f:
                json.dump({"RequestItems": {table: [{"PutRequest": {"Item": it}}
                                                    for it in items[b:b + 25]]}}, f)
            if cfg:
                cfg.append("next")
            cfg += ['url = "%s/"' % url, 'output = "/dev/null"', 'data-binary = "@%s"' % p,
                    'header = "Content-Type: application/x-amz-json-1.0"',
                    'header = "X-Amz-Target: DynamoDB_20120810.BatchWriteItem"',
                    'aws-sigv4 = "aws:amz:%s:dynamodb"' % region,
                    'user = "%s:%s"' % (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]),
                    "fail", "silent", 'noproxy = "*"']
        path = os.path.join(d, "curl.cfg")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(cfg) + "\n")
        return ["curl", "-s", "--parallel", "--parallel-max", str(DDB_CONCURRENCY), "-K", path]

    # -- a: the full sync and its floor --------------------------------------------------
    def record(self, args, sink_tag):
        """Run the sync once through the recording proxy: its requests."""
        rec = Recorder(self.info["port"])
        try:
            summ = self.run_sync(args + ["--sink", "jsonl:" + self.path(sink_tag + ".jsonl")],
                                 url=rec.url)
        finally:
            rec.stop()
        return summ, list(rec.requests)

    def part_a(self):
        """The full sync and its floor, and the yardsticks of part b: each round
        measures every item once, so that the machine's drift (a shared host's
        CPU speed moves by tens of percent) falls on all of them alike."""
        reps = self.a.reps
        idle_odoo, idle_pg = self.idle()
        self.notes.append("Idle: Odoo's server used %.1f ms of CPU a second, PostgreSQL %.1f, "
                          "before the runs (the noise under every CPU figure)."
                          % (idle_odoo, idle_pg))
        variants = ["--all", "--state file: (first run)"]
        if self.has_state:
            variants.append("--state dynamodb: (first run)")
        self.variants = variants
        # what each variant sends (through the recording proxy: not measured)
        log("recording the requests of each variant")
        recs = {}
        for name in variants:
            summ, reqs = self.record(self.variant_args(name, self.uniq("rec")), self.uniq("rec"))
            assert summ["read"] == self.n, summ
            recs[name] = reqs
            self.notes.append("Requests of `%s`: %s." % (name.split(" (")[0], inventory(reqs)))
        jar = self.path("jar")
        self.curl_login(jar)
        page_argv = {}
        for name, reqs in recs.items():
            sr = [r for r in reqs if describe(r[1], r[2]).endswith(".search_read")]
            page_argv[name] = (len(sr), self.curl_argv(sr, jar, self.uniq("pages")))
        # one search_read of every order, the same fields (the CPU goal's yardstick)
        first_sr = [r for r in recs["--all"] if describe(r[1], r[2]).endswith(".search_read")][0]
        body = json.loads(first_sr[2])
        kw = body["params"].get("kwargs") or {}
        one = dict(body)
        one["params"] = dict(body["params"], args=[[]],
                             kwargs={"fields": kw.get("fields") or REF_FIELDS, "order": "id asc"})
        one_argv = self.curl_argv([("POST", first_sr[1], json.dumps(one).encode())], jar,
                                  self.uniq("one"))
        # the items the sync writes, for the write floor: a warm-up sync's table
        warm = self.uniq("warm")
        self.create_tables(sinks=[warm])
        self.run_sync(["--all", "--sink", "dynamodb:" + warm])
        items = self.scan_items(warm)
        if len(items) != self.n:
            self.notes.append("CHECK FAILED: table %s holds %d items, not %d" % (warm, len(items),
                                                                                  self.n))
        floor_tables = [self.uniq("floor") for _ in range(reps + 1)]
        sync_tables = {name: [self.uniq("sync") for _ in range(reps)] for name in variants}
        state_tables = [self.uniq("state") for _ in range(reps)]
        self.create_tables(sinks=floor_tables + sum(sync_tables.values(), []),
                           states=state_tables if self.has_state else [])
        ddb_argv = [self.ddb_floor_cfg(items, t) for t in floor_tables]
        # warm every floor once
        for _, argv in page_argv.values():
            self.curl_run(argv)
        self.curl_run(one_argv)
        self.curl_run(ddb_argv[0], quiet=True)

        log("floor and full syncs, %d rounds" % reps)
        self.calib, self.login_runs, self.one_sr_runs, self.write_runs = [], [], [], []
        pages = {name: [] for name in variants}
        results = {name: [] for name in variants}
        for r in range(reps):
            self.calib.append(pbkdf2_ms(self.rounds))
            self.login_runs.append(self.measure(lambda: self.curl_login(jar))[1])
            for name in variants:
                pages[name].append(self.measure(lambda: self.curl_run(page_argv[name][1]))[1])
            self.one_sr_runs.append(self.measure(lambda: self.curl_run(one_argv))[1])
            self.write_runs.append(self.measure(
                lambda: self.curl_run(ddb_argv[r + 1], quiet=True))[1])
            for name in variants:
                args = self.variant_args(name, state_tables[r] if "dynamodb" in name else None)
                if r == 0 and "file" in name:
                    self.nochange_state = args[-1].split(":", 1)[-1]
                summ, d = self.measure(lambda: self.run_sync(
                    args + ["--sink", "dynamodb:" + sync_tables[name][r]]))
                assert summ["read"] == self.n and summ["written"] == self.n, summ
                d["logins"] = summ.get("logins")
                results[name].append(d)
        self.login = median_dict(self.login_runs)
        self.one_sr = median_dict(self.one_sr_runs)
        self.write_floor = median_dict(self.write_runs)
        self.pages = {name: (page_argv[name][0], median_dict(pages[name]), pages[name])
                      for name in variants}
        self.results = results
        lw = self.login["wall"]["med"]
        ww = self.write_floor["wall"]["med"]
        for name in variants:
            npages, pf, _ = self.pages[name]
            rw = pf["wall"]["med"]
            floor = lw + max(rw, ww)
            md = median_dict(results[name])
            lim = "reading (%d pages by curl: %.2f s)" % (npages, rw) if rw >= ww else \
                "writing (BatchWriteItem by curl: %.2f s)" % ww
            self.rows_a.append({
                "run": "odoo-sync-orders %s" % name, "wall": md["wall"], "floor": floor,
                "ratio": md["wall"]["med"] / floor,
                "notes": "floor = login %.2f + max(read %.2f, write %.2f): %s; client CPU %.3f s"
                         % (lw, rw, ww, lim, md["client"]["med"])})
        self.rows_a_parts = [
            ("login: curl POST /web/session/authenticate", self.login),
            ("read: curl, the %d search_read requests of `--all`, session cookie, one after the "
             "other" % self.pages["--all"][0], self.pages["--all"][1]),
            ("write: curl BatchWriteItem of 25, %d in flight, the same %d items"
             % (DDB_CONCURRENCY, len(items)), self.write_floor),
            ("one search_read of all %d orders (curl, session cookie)" % self.n, self.one_sr),
        ]

    def variant_args(self, name, tag):
        if name == "--all":
            return ["--all"]
        if "file" in name:
            return self.state_arg(self.path(self.uniq("state") + ".state"))
        if tag is None or tag.startswith("rec"):
            tag = self.uniq("rec-state")
            self.create_tables(states=[tag])
        return ["--state", "dynamodb:%s/orders" % tag]

    # -- b: Odoo's CPU per run --------------------------------------------------------------
    def part_b(self):
        reps, k = self.a.reps, self.a.batch
        env = self.odoo_env()
        env["BENCH_CURSOR"] = self.cursor
        sp = self.nochange_state
        # /jsonrpc with the API key (Odoo 16-18's only transport for a key): its uid kept
        # beside the state file, and without it (a login each run, as in 0.4.0)
        jr = ["--transport", "jsonrpc", "--session-file", sp + ".jsonrpc-session"]
        nc_variants = [("default overlap", []), ("--no-overlap", ["--no-overlap"])]
        if int(self.a.version) < 19 and "--session-file" in self.help:
            nc_variants += [("/jsonrpc + API key, login kept", jr),
                            ("/jsonrpc + API key, --no-session-file",
                             ["--transport", "jsonrpc", "--no-session-file"])]

        def nochange(extra):
            return self.run_sync(self.state_arg(sp) + extra + ["--sink", "dynamodb:" +
                                                               self.any_table()],
                                 api_key="jsonrpc" in extra)
        # what a no-change run sends, and what each request costs the server
        summ, reqs = self.record(self.state_arg(sp) + ["--sink", "dynamodb:" + self.any_table()],
                                 self.uniq("rec"))
        self.nochange_inventory = inventory(reqs)
        jar = self.path("jar")
        self.curl_login(jar)
        req_argv = [(describe(path, body), self.curl_argv([("POST", path, body)] * k, jar,
                                                          self.uniq("req")))
                    for _, path, body in reqs if not path.startswith("/web/session/authenticate")]
        # warm-ups: each once, not counted; OdooRPC's first run is kept (see below)
        for _, extra in nc_variants:
            nochange(extra)
        for _, argv in req_argv:
            self.curl_run(argv)
        first_rpc = self.measure(lambda: self.run([SYS_PY, os.path.abspath(__file__), "--client",
                                                   "odoorpc-nochange"], env))[1]
        self.notes.append("OdooRPC's first run after the server started cost Odoo %.0f ms of CPU "
                          "(a no-change check; the median below: the runs after it). OdooRPC "
                          "calls /jsonrpc with the password, which Odoo checks with the full "
                          "PBKDF2 rounds the first time and then caches per process "
                          "(res.users.check is an ormcache of uid and password): every worker "
                          "process pays it once, and again after any registry cache reset."
                          % (first_rpc["odoo"] * 1000))

        log("no-change runs (batches of %d), the reference and OdooRPC, %d rounds" % (k, reps))
        batches = {v: [] for v, _ in nc_variants}
        summaries = {}
        per_req = {d: [] for d, _ in req_argv}
        ref = []
        clients = {m: [] for m in ("reference-nochange", "odoorpc-full", "odoorpc-nochange")}
        ref_tables = [self.uniq("ref") for _ in range(reps)]
        self.create_tables(sinks=ref_tables)
        for r in range(reps):
            for vname, extra in nc_variants:
                outs = []

                def batch():
                    for _ in range(k):
                        outs.append(nochange(extra))
                _, d = self.measure(batch)
                for key in ("wall", "odoo", "pg", "ddb", "client"):
                    d[key] /= k
                batches[vname].append(d)
                summaries[vname] = outs[-1]
            for dsc, argv in req_argv:
                per_req[dsc].append(self.measure(lambda: self.curl_run(argv))[1]["odoo"] / k)
            out, d = self.measure(lambda: self.run(
                [self.py, os.path.join(HERE, "sync_orders_reference.py"), ref_tables[r]], env))
            assert json.loads(out.strip().splitlines()[-1])["written"] == self.n, out
            ref.append(d)
            for mode in clients:
                py = self.py if mode.startswith("reference") else SYS_PY
                out, d = self.measure(lambda: self.run([py, os.path.abspath(__file__), "--client",
                                                        mode], env))
                d["read"] = json.loads(out.strip().splitlines()[-1])["read"]
                clients[mode].append(d)
        self.per_req = [(dsc, stats(v)) for dsc, v in per_req.items()]

        # the rows
        def row(what, runs, extra=""):
            md = median_dict(runs)
            self.rows_b.append({"what": what, "cpu": md, "extra": extra})
            return md
        login_cpu = self.login["odoo"]["med"]
        one_cpu = self.one_sr["odoo"]["med"]
        goal_full = login_cpu + one_cpu
        row("one login (curl, /web/session/authenticate)", self.login_runs,
            extra="yardstick; PBKDF2 of %s rounds computed here: %.0f ms" % (
                format(self.rounds, ","), stats(self.calib)["med"]))
        row("one search_read of all %d orders (curl, session cookie)" % self.n, self.one_sr_runs,
            extra="yardstick: login + this = %.0f ms, the full sync's goal" % (goal_full * 1000))
        pg = row("the %d search_read pages of `--all` (curl, session cookie)"
                 % self.pages["--all"][0], self.pages["--all"][2])
        self.rows_b[-1]["extra"] = "%.2fx one search_read" % rx(pg["odoo"]["med"], one_cpu)
        for name, runs in self.results.items():
            md = median_dict(runs)
            lg = runs[0].get("logins")
            row("odoo-sync-orders %s" % name, runs,
                extra="goal <= login + one search_read = %.0f ms: %.2fx%s" % (
                    goal_full * 1000, rx(md["odoo"]["med"], goal_full),
                    "; logins %s" % lg if lg is not None else ""))
        for vname, runs in batches.items():
            s = summaries[vname]
            md = median_dict(runs)
            row("odoo-sync-orders --state file: no-change run, %s (per run, batches of %d)"
                % (vname, k), runs,
                extra="goal <= 20 ms: %.2fx; reads %d order(s)%s" % (
                    md["odoo"]["med"] / 0.020, s["read"],
                    "; logins %s" % s["logins"] if s.get("logins") is not None
                    else "; logs in every run (no kept session in this build)"))
        refmd = row("Python reference, full sync (login, offset pages of %d, put_item per "
                    "record)" % PAGE, ref)
        libfull = median_dict(self.results["--all"])
        self.rows_b[-1]["extra"] = "odoo-sync-orders --all uses %.2fx its Odoo CPU" % (
            rx(libfull["odoo"]["med"], refmd["odoo"]["med"]))
        nc = median_dict(batches["default overlap"])["odoo"]["med"]
        for mode, what in (("reference-nochange", "Python reference's session, no-change check "
                            "(login + one search_read on write_date)"),
                           ("odoorpc-full", "OdooRPC, full read (login, offset pages of %d)"
                            % PAGE),
                           ("odoorpc-nochange", "OdooRPC, no-change check (login + one "
                            "search_read on write_date)")):
            md = row(what, clients[mode])
            if mode.endswith("nochange"):
                self.rows_b[-1]["extra"] = "the kept-session no-change run uses %.3fx its Odoo " \
                    "CPU (%.1f vs %.1f ms)" % (rx(nc, md["odoo"]["med"]), nc * 1000,
                                               md["odoo"]["med"] * 1000)
            else:
                self.rows_b[-1]["extra"] = "odoo-sync-orders --all uses %.2fx its Odoo CPU" % (
                    rx(libfull["odoo"]["med"], md["odoo"]["med"]))
        self.batches = batches
        self.goal_full = goal_full

    def any_table(self):
        if not hasattr(self, "_scratch"):
            self._scratch = self.uniq("scratch")
            self.create_tables(sinks=[self._scratch])
        return self._scratch

    # -- c: shards ------------------------------------------------------------------------------
    def part_c(self):
        a = self.a
        log("restarting Odoo with --workers %d" % a.workers)
        if self.harness("restart", a.version, "--workers", str(a.workers)) != 0:
            raise RuntimeError("realodoo.py restart --workers failed")
        self.server()
        # every worker loads the registry on its first request: warm them
        for _ in range(2 * a.workers):
            o = Odoo(self.url)
            o.login(self.db, "admin", self.ro.ADMIN_PASSWORD)
            o.call("sale.order", "search_read", [[]], {"fields": ["name"], "limit": 1})
        modes = ["log in"] + (["kept session"] if self.has_session else [])

        def shards_run(n, st, t, mode):
            procs = []
            for kk in range(n):
                argv = [self.sync, "--shard", "%d/%d" % (kk, n), "--state",
                        "dynamodb:%s/orders" % st, "--sink", "dynamodb:" + t, "--quiet"]
                if mode == "kept session":
                    argv += ["--session-file", self.path("shard-%d-%d.session" % (n, kk))]
                elif self.has_session:
                    argv += ["--no-session-file"]
                procs.append(subprocess.Popen(argv, env=self.odoo_env(), stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE))
            outs = []
            for p in procs:
                o, e = p.communicate(timeout=1800)
                if p.returncode != 0:
                    raise RuntimeError("a shard failed (exit %d): %s" % (
                        p.returncode, e.decode(errors="replace")[-1000:]))
                outs.append(json.loads(o.decode().strip().splitlines()[-1]))
            total = sum(s["read"] for s in outs)
            assert total == self.n, outs
            return outs
        plan = [(n, mode) for n in a.shards for mode in modes]
        tables = {(n, mode, r): (self.uniq("shard-sink"), self.uniq("shard-state"))
                  for n, mode in plan for r in range(a.reps + 1)}
        self.create_tables(sinks=[v[0] for v in tables.values()],
                           states=[v[1] for v in tables.values()])
        # round 0, not counted: warms DynamoDB Local and writes the kept sessions
        for n, mode in plan:
            shards_run(n, tables[(n, mode, 0)][1], tables[(n, mode, 0)][0], mode)
        res = {key: [] for key in plan}
        log("shards, %d rounds" % a.reps)
        for r in range(1, a.reps + 1):
            for n, mode in plan:
                t, st = tables[(n, mode, r)]
                outs, d = self.measure(lambda: shards_run(n, st, t, mode))
                d["logins"] = sum(s.get("logins") or 0 for s in outs)
                res[(n, mode)].append(d)
        for mode in modes:
            base = median_dict(res[(a.shards[0], mode)])["wall"]["med"]
            for n in a.shards:
                md = median_dict(res[(n, mode)])
                self.rows_c.append({"shards": n, "mode": mode, "cpu": md,
                                    "speedup": base / md["wall"]["med"]})
        self.workers = a.workers

    # -- the report ------------------------------------------------------------------------------
    def report(self, t0, load0):
        a = self.a

        def f(s, scale=1.0, fmt="%.2f"):
            if not s:
                return ""
            if s["runs"] == 1 or s["min"] == s["max"]:
                return fmt % (s["med"] * scale)
            return (fmt + " [" + fmt + "-" + fmt + "]") % (s["med"] * scale, s["min"] * scale,
                                                         s["max"] * scale)
        L = [SECTION, ""]
        load1 = os.getloadavg()
        L.append("Generated by `bash tests/bench/run-real.sh` on %s UTC; real Odoo %s.0 "
                 "(tests/real-odoo/realodoo.py, server `%s`), %d sale orders, Odoo's own password "
                 "hashing (%s PBKDF2 rounds), DynamoDB Local; %s, %d CPUs; Release build. "
                 "Figures: median of %d [min-max]. How to read it: docs/performance.md, "
                 "\"The sync against real Odoo\"." % (
                     time.strftime("%Y-%m-%d %H:%M", time.gmtime()), a.version, SERVER_NAME,
                     self.n, format(getattr(self, "rounds", 0), ","), platform.machine(),
                     os.cpu_count(), a.reps))
        L.append("")
        L.append("### a. Wall time of a full sync against its floor (Odoo workers = 0)")
        L.append("")
        L.append("| run | wall s | floor s | ratio (goal <= 1.2) | what limits it |")
        L.append("|---|---|---|---|---|")
        for r in self.rows_a:
            L.append("| %s | %s | %.2f | %.2fx | %s |" % (r["run"], f(r["wall"]), r["floor"],
                                                        r["ratio"], r["notes"]))
        for what, md in self.rows_a_parts:
            L.append("| floor part: %s | %s | | | %s |" % (
                what, f(md["wall"]), "DynamoDB Local CPU %.0f ms" % (md["ddb"]["med"] * 1000)
                if what.startswith("write") else "Odoo CPU %.0f ms" % (md["odoo"]["med"] * 1000)))
        L.append("")
        L.append("### b. Odoo's server CPU per run (workers = 0)")
        L.append("")
        L.append("Odoo CPU: utime+stime of the server's process tree (/proc, %d ticks a second); "
                 "PostgreSQL: the whole cluster; client: the measured process(es)." % TICK)
        L.append("")
        L.append("| run | Odoo CPU ms | PostgreSQL CPU ms | client CPU ms | wall s | ratio |")
        L.append("|---|---|---|---|---|---|")
        for r in self.rows_b:
            c = r["cpu"]
            L.append("| %s | %s | %s | %s | %s | %s |" % (
                r["what"], f(c["odoo"], 1000, "%.1f"), f(c["pg"], 1000, "%.1f"),
                f(c["client"], 1000, "%.1f"), f(c["wall"], 1, "%.3f"), r["extra"]))
        if getattr(self, "per_req", None):
            L.append("")
            L.append("A no-change run sends: %s. Each request alone, sent %d times by curl with "
                     "a session cookie, costs Odoo: %s ms of CPU." % (
                         self.nochange_inventory, a.batch,
                         ", ".join("%s %.1f" % (d, s["med"] * 1000) for d, s in self.per_req)))
        if self.rows_c:
            L.append("")
            L.append("### c. Shards side by side (`--shard K/N --state dynamodb:`, Odoo workers "
                     "= %d)" % self.workers)
            L.append("")
            L.append("| shards | session | wall s | speed-up | orders/s | Odoo CPU s | "
                     "DynamoDB Local CPU s | clients CPU s | machine busy | logins |")
            L.append("|---|---|---|---|---|---|---|---|---|---|")
            for r in self.rows_c:
                c = r["cpu"]
                L.append("| %d | %s | %s | %.2fx | %.0f | %s | %s | %s | %.0f%% | %d |" % (
                    r["shards"], r["mode"], f(c["wall"]), r["speedup"],
                    self.n / c["wall"]["med"],
                    f(c["odoo"]), f(c["ddb"]), f(c["client"]), c["util"]["med"] * 100,
                    c["logins"]["med"]))
        L.append("")
        L.append("### What limits each figure")
        L.append("")
        L += ["- " + x for x in self.limit_lines()]
        L.append("")
        L.append("### Notes")
        L.append("")
        L += ["- " + n for n in self.notes]
        runs = sum((v for v in getattr(self, "results", {}).values()), [])
        other = None
        if runs:
            o = stats(r["other"] / (r["wall"] * (os.cpu_count() or 1)) for r in runs)
            other = o["med"]
            L.append("- Other work during the full syncs (the machine's busy CPU that is neither "
                     "Odoo, PostgreSQL, DynamoDB Local nor the measured clients): %.0f%% of "
                     "its %d CPUs [%.0f-%.0f%%]%s" % (
                         o["med"] * 100, os.cpu_count(), o["min"] * 100, o["max"] * 100,
                         ": other work shared the machine, wall times are noisy."
                         if o["med"] > 0.10 else "."))
        L.append("- Whole run: %.0f s. Load average (1 min) at start %.1f, at end %.1f on %d CPUs "
                 "(the bench's own processes included)%s"
                 % (time.monotonic() - t0, load0[0], load1[0], os.cpu_count(),
                    ": other work shared the machine, wall times are noisy."
                    if other is None and load0[0] > os.cpu_count() else "."))
        return "\n".join(L) + "\n"

    def limit_lines(self):
        out = []
        lg = self.login
        lcpu = lg["odoo"]["med"] * 1000
        cal = stats(self.calib)["med"] if getattr(self, "calib", None) else 0.0
        out.append("Login: %.0f ms of Odoo CPU, %.2f s wall. PBKDF2-SHA512 of %s rounds, the "
                   "same computation in this process, takes %.0f ms of CPU (%.0f%% of the "
                   "login): the password hash is %s. Nothing the client does makes a login "
                   "cheaper, only logging in less often (the kept session). This machine's CPU "
                   "speed moves: the same hash took %.0f-%.0f ms over the run."
                   % (lcpu, lg["wall"]["med"], format(getattr(self, "rounds", 0), ","), cal,
                      rx(cal, lcpu) * 100,
                      "all of it, within the noise" if cal >= 0.9 * lcpu else
                      "most of it; the rest is Odoo creating the session and its session_info",
                      min(self.calib or [0]), max(self.calib or [0])))
        if self.rows_a:
            r = self.rows_a[0]
            np_, pf, _ = self.pages["--all"]
            rw, ww = pf["wall"]["med"], self.write_floor["wall"]["med"]
            if rw >= ww:
                what = ("reading is the limit: Odoo's server time per page (search, ORM read, "
                        "JSON encoding in Python; %.0f ms of Odoo CPU for the %d pages)"
                        % (pf["odoo"]["med"] * 1000, np_))
            else:
                what = ("writing is the limit: DynamoDB Local (Java: %.2f s of its CPU for "
                        "the curl floor's %d items) on the same %d CPUs"
                        % (self.write_floor["ddb"]["med"], self.n, os.cpu_count()))
            out.append("Full sync wall (`--all`): %.2f s, %.2fx its floor (%.2f s = login "
                       "%.2f + max(read %.2f, write %.2f)); %s. The sync reads the next page "
                       "while the last one is written, so its floor is the login plus the "
                       "slower of the two."
                       % (r["wall"]["med"], r["ratio"], r["floor"], lg["wall"]["med"], rw, ww,
                          what))
        byname = {r["run"]: r for r in self.rows_a}
        sf = byname.get("odoo-sync-orders --state file: (first run)")
        sd = byname.get("odoo-sync-orders --state dynamodb: (first run)")
        if sf:
            n_all, n_st = self.pages["--all"][0], self.pages[self.variants[1]][0]
            if n_st > n_all:
                why = ("its (write_date, id) cursor reads a second at a time, and a page that "
                       "ends inside a second is followed by a query for the rest of that second "
                       "(the dataset's orders were created 250 per transaction, so 250 share a "
                       "write_date)")
            else:
                why = ("a page of its (write_date, id) cursor that ends inside a second (the "
                       "dataset's orders were created 250 per transaction, so 250 share a "
                       "write_date) holds what it read of that second, and the next page's "
                       "query asks for the rest of it with the later seconds")
            out.append("The first `--state` run sends %d search_read requests where `--all` sends "
                       "%d: %s. Its read floor is %.2f s against %.2f s."
                       % (n_st, n_all, why, self.pages[self.variants[1]][1]["wall"]["med"],
                          self.pages["--all"][1]["wall"]["med"]))
        if sf and sd:
            diff = sd["wall"]["med"] - sf["wall"]["med"]
            spread = max(sd["wall"]["max"] - sd["wall"]["min"],
                         sf["wall"]["max"] - sf["wall"]["min"])
            out.append("`--state dynamodb:` against `--state file:`: %.2f s against %.2f s "
                       "(%+.2f s; %s). The DynamoDB cursor costs one conditional UpdateItem per "
                       "page (%d pages), sent after the page is confirmed."
                       % (sd["wall"]["med"], sf["wall"]["med"], diff,
                          "within the runs' spread of %.2f s" % spread if abs(diff) <= spread
                          else "more than the runs' spread of %.2f s" % spread,
                          self.pages[self.variants[1]][0]))
        if self.rows_b:
            full = median_dict(self.results["--all"])["odoo"]["med"] * 1000
            pages = self.pages["--all"][1]["odoo"]["med"] * 1000
            req = dict((d, s["med"] * 1000) for d, s in self.per_req)
            fg = sum(v for d, v in req.items() if d.endswith("fields_get"))
            out.append("Full sync Odoo CPU: %.0f ms against login + one search_read = %.0f ms "
                       "(%.2fx). Its parts, measured alone: login %.0f + the %d pages %.0f + "
                       "fields_get %.0f = %.0f ms. The pages cost the server %.2fx one "
                       "search_read of everything (a search, a read and a request per page)."
                       % (full, self.goal_full * 1000, rx(full, self.goal_full * 1000), lcpu,
                          self.pages["--all"][0], pages, fg, lcpu + pages + fg,
                          rx(pages, self.one_sr["odoo"]["med"] * 1000)))
            nc = median_dict(self.batches["default overlap"])["odoo"]["med"] * 1000
            parts = sorted(req.items(), key=lambda kv: -kv[1])
            out.append("No-change run: %.1f ms of Odoo CPU (goal 20 ms, %.2fx). What it sends, "
                       "each alone: %s = %.1f ms; the largest is %s. A login instead of the "
                       "kept session would add %.0f ms." % (
                           nc, nc / 20.0, " + ".join("%s %.1f" % kv for kv in parts),
                           sum(req.values()), parts[0][0] if parts else "?", lcpu))
            out.append("The Python reference and OdooRPC log in on every run: their no-change "
                       "checks cost Odoo about one login each; their full reads, the login plus "
                       "the pages (OdooRPC through /jsonrpc, whose per-call password check is "
                       "cached per process after the first).")
        for mode in ("log in", "kept session"):
            rows = [r for r in self.rows_c if r["mode"] == mode]
            if not rows:
                continue
            last = rows[-1]
            out.append("Shards (%s): %d shards run at %.2fx the speed of 1 (%s), the machine "
                       "%.0f%% busy: %d CPUs shared by Odoo's %d workers, PostgreSQL, DynamoDB "
                       "Local (%.2f s of CPU) and the clients%s." % (
                           mode, last["shards"], last["speedup"],
                           ", ".join("%d: %.2f s" % (r["shards"], r["cpu"]["wall"]["med"])
                                     for r in rows),
                           last["cpu"]["util"]["med"] * 100, os.cpu_count(), self.workers,
                           last["cpu"]["ddb"]["med"],
                           "; every shard logs in (%.0f ms of Odoo CPU each, %d logins)"
                           % (lcpu, last["cpu"]["logins"]["med"]) if mode == "log in" else
                           "; no shard logs in"))
        return out

    def stop(self):
        if self.up and not self.a.keep_up:
            self.harness("down", self.a.version)
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_section(path, text):
    """Replace (or append) the section in the results file; the others stay."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    lines = old.split("\n") if old else []
    out, skip, done = [], False, False
    for ln in lines:
        if ln.strip() == SECTION:
            skip, done = True, True
            out += text.rstrip("\n").split("\n") + [""]
            continue
        if skip and ln.startswith("## "):
            skip = False
        if not skip:
            out.append(ln)
    if not done:
        if out and out[-1].strip():
            out.append("")
        out += text.rstrip("\n").split("\n") + [""]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out).rstrip("\n") + "\n")


def read_section(path):
    """The section's text in the results file, or ''."""
    if not os.path.exists(path):
        return ""
    out, inside = [], False
    with open(path) as f:
        for ln in f.read().split("\n"):
            if ln.strip() == SECTION:
                inside = True
            elif inside and ln.startswith("## "):
                break
            if inside:
                out.append(ln)
    return "\n".join(out).strip("\n") + "\n" if out else ""


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--client":
        return client_main(sys.argv[2])
    # run.sh keeps this section across bench.py, which rewrites the file
    if len(sys.argv) == 3 and sys.argv[1] == "--save-section":
        sys.stdout.write(read_section(sys.argv[2]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "--restore-section":
        with open(sys.argv[3]) as f:
            text = f.read()
        if text.strip():
            write_section(sys.argv[2], text)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--version", default="18")
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=10,
                    help="no-change runs per CPU sample (the /proc tick is 10 ms)")
    ap.add_argument("--workers", type=int, default=2, help="Odoo workers for the shards")
    ap.add_argument("--shards", default="1,2,4")
    ap.add_argument("--skip-shards", action="store_true")
    ap.add_argument("--keep-up", action="store_true", help="leave the bench server running")
    ap.add_argument("--results", default=os.path.join(HERE, "results", "latest.md"))
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    a.shards = [int(x) for x in a.shards.split(",")]
    if not os.environ.get("ODOO_TEST_DYNAMODB_URL"):
        shim = os.path.join(a.build, "tests", "sinks", "libodoo_test_loopback_bind.so")
        return subprocess.call([SYS_PY, RUN_WITH_AWS, "--dynamodb", "--need-boto3", "--shim",
                                shim, "--", SYS_PY, os.path.abspath(__file__)] + sys.argv[1:])
    t0, load0 = time.monotonic(), os.getloadavg()
    b = RealBench(a)
    try:
        b.features()
        b.ddb_pid()
        b.start_odoo()
        b.full_hashing()
        b.ensure_orders()
        b.part_a()
        b.part_b()
        if b.has_shard and not a.skip_shards:
            b.part_c()
    finally:
        b.stop()
    text = b.report(t0, load0)
    write_section(a.results, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
