#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""libodoo benchmarks (issue 8): every figure measured in one run, on this machine,
against servers this script starts on free 127.0.0.1 ports (the Odoo emulator
with a fixed dataset, a replay server, DynamoDB Local). A measurement, never a
test: it prints a table and writes tests/bench/results/latest.md; it asserts
nothing about speed. Run it with tests/bench/run.sh (docs/performance.md).

Each figure is the median of several runs, with min and max.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(ROOT, "tests", "emulator", "odoo_emulator.py")
SYS_PY = "/usr/bin/python3"          # Debian's: the emulator and OdooRPC
# the DynamoDB sink's default concurrency (ODOO_DYNAMODB_DEFAULT_CONCURRENCY)
DDB_CONCURRENCY = 16
FIELDS = ["name", "partner_id", "amount_total", "state", "date_order", "write_date", "user_id"]


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# ---- servers --------------------------------------------------------------------------
class Server:
    def __init__(self, argv, name, timeout=300):
        self.name = name
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        t0 = time.monotonic()
        line = self.proc.stdout.readline().decode()
        if not line.startswith("LISTENING "):
            self.stop()
            raise RuntimeError("%s did not start" % name)
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port
        self.start_s = time.monotonic() - t0

    def rss_mb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return 0.0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def emulator(orders):
    s = Server([SYS_PY, EMULATOR, "--port", "0", "--orders", str(orders), "--quiet"],
               "emulator --orders %d" % orders)
    log("emulator with %d orders on %s (seeded in %.1f s)" % (orders, s.url, s.start_s))
    return s


def odoo_env(url):
    env = dict(os.environ)
    env.update(ODOO_URL=url, ODOO_DB="acme", ODOO_USER="admin", ODOO_EMAIL="admin",
               ODOO_PASSWORD="admin")
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    env["no_proxy"] = "127.0.0.1"
    return env


# ---- running measured programs -----------------------------------------------------------
def run_json(argv, env, timeout=900):
    """Run a program that prints one JSON object per line; return them."""
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (argv[:3], p.returncode,
                                                   p.stderr.decode(errors="replace")[-2000:]))
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l.startswith("{")]


def run_rusage(argv, env=None, stdin=None, timeout=900):
    """Run a whole process: (wall s, user+sys s of the process, stdout)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=timeout)
    wall = time.monotonic() - t0
    # the child's rusage: os.wait4 is consumed by communicate(), so use the
    # RUSAGE_CHILDREN delta around the run (one child at a time here)
    return wall, out, err, p.returncode


def run_timed(argv, env=None, timeout=900):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, out, err, rc = run_rusage(argv, env=env, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc != 0:
        raise RuntimeError("%s failed (%d): %s" % (argv[:3], rc, err.decode(errors="replace")[-2000:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "out": out}


def stats(values):
    values = list(values)
    return {"med": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


# ---- curl floor ----------------------------------------------------------------------------
def jsonrpc_body(kwargs, rid=1):
    return json.dumps({"jsonrpc": "2.0", "method": "call", "id": rid, "params": {
        "service": "object", "method": "execute_kw",
        "args": ["acme", 2, "admin", "sale.order", "search_read", [kwargs.pop("domain", [])],
                 kwargs]}})


def curl_requests(url, bodies, tmp, tag):
    """One curl process sending every body in turn on one keep-alive connection
    (the client of the floor: moves bytes, decodes nothing)."""
    argv = ["curl", "-s", "--noproxy", "*", "--fail"]
    for i, b in enumerate(bodies):
        path = os.path.join(tmp, "%s-%d.json" % (tag, i))
        with open(path, "w") as f:
            f.write(b)
        if i:
            argv.append("--next")
        argv += ["-o", "/dev/null", "-H", "Content-Type: application/json",
                 "--data-binary", "@" + path, url + "/jsonrpc"]
    return argv


def keyset_bodies(n, page, lo=0):
    """The keyset pages the iterator sends (ids are 1..n in the emulator)."""
    out = []
    last = lo
    while last < n:
        out.append(jsonrpc_body({"domain": [["id", ">", last]] + ([["id", "<=", n]] if lo else []),
                                 "fields": ["id"] + FIELDS, "limit": page, "order": "id asc"}))
        last += page
    return out


# ---- the cases ------------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.a = args
        self.rows = []          # (case, what, figures...)
        self.notes = []
        self.tmp = tempfile.mkdtemp(prefix="libodoo-bench-")
        self.lib = os.path.join(args.bin_dir, "bench_libodoo")

    def libodoo(self, url, *argv, transport="jsonrpc", timeout=900):
        env = odoo_env(url)
        env["BENCH_TRANSPORT"] = transport
        return run_json([self.lib] + [str(a) for a in argv], env, timeout=timeout)

    def odoorpc(self, url, *argv):
        return run_json([SYS_PY, os.path.join(HERE, "odoorpc_bench.py")] + [str(a) for a in argv],
                        odoo_env(url))

    def curl_floor(self, url, bodies, reps, tag):
        argv = curl_requests(url, bodies, self.tmp, tag)
        run_timed(argv)                                    # warm
        return [run_timed(argv) for _ in range(reps)]

    def add(self, case, what, wall=None, cpu=None, per=None, extra=""):
        self.rows.append({"case": case, "what": what, "wall": wall, "cpu": cpu, "per": per,
                          "extra": extra})

    # 1 + 2 + 6 -----------------------------------------------------------------------------
    def fetch_cases(self):
        a = self.a
        emu = emulator(a.orders)
        try:
            targets = [("emulator", emu.url)]
            replay = Server([SYS_PY, os.path.join(HERE, "replay_server.py"), emu.url], "replay")
            try:
                targets.append(("replay", replay.url))
                self.case_fetch(targets)
            finally:
                replay.stop()
            self.case_paging(emu.url)
            self.case_concurrency(emu.url)
        finally:
            emu.stop()

    def case_fetch(self, targets):
        a, n = self.a, self.a.fetch
        body = jsonrpc_body({"fields": FIELDS, "limit": n, "order": "id asc"})
        for name, url in targets:
            case = "1. fetch %d x 7 fields, one search_read (%s)" % (n, name)
            log(case)
            lib = self.libodoo(url, "fetch", n, a.reps)
            assert all(r["n"] == n for r in lib), lib
            rpc = self.odoorpc(url, "fetch", n, a.reps)
            assert all(r["n"] == n for r in rpc), rpc
            cur = self.curl_floor(url, [body], a.reps, "fetch-" + name)
            k = n / 1000.0
            lw, lc = stats(r["wall"] for r in lib), stats(r["cpu"] for r in lib)
            rw, rc = stats(r["wall"] for r in rpc), stats(r["cpu"] for r in rpc)
            cw, cc = stats(r["wall"] for r in cur), stats(r["cpu"] for r in cur)
            self.add(case, "raw curl (floor; whole process)", cw, cc, k)
            self.add(case, "libodoo (jsonrpc transport)", lw, lc, k,
                     "wall %.2fx curl, %.2fx OdooRPC; CPU %.2fx curl, %.2fx OdooRPC"
                     % (lw["med"] / cw["med"], lw["med"] / rw["med"], lc["med"] / cc["med"],
                        lc["med"] / rc["med"]))
            self.add(case, "OdooRPC %s (/usr/bin/python3)" % self.odoorpc_version(), rw, rc, k,
                     "wall %.2fx curl" % (rw["med"] / cw["med"]))
            if name == "emulator":
                self.fetch_cpu = (lc, rc)
            else:
                self.replay_url = url
                self.callgrind(url)

    def odoorpc_version(self):
        p = subprocess.run([SYS_PY, "-c", "import odoorpc; print(odoorpc.__version__)"],
                           stdout=subprocess.PIPE)
        return p.stdout.decode().strip()

    def callgrind(self, url):
        if not shutil.which("valgrind"):
            self.notes.append("valgrind missing: no instruction counts")
            return
        out = os.path.join(self.tmp, "callgrind.out")
        env = odoo_env(url)
        env["BENCH_TRANSPORT"] = "jsonrpc"
        log("callgrind of the client side of one %d-record search_read" % self.a.fetch)
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                            "--toggle-collect=bench_measured_search_read", self.lib, "fetch",
                            str(self.a.fetch), "1"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        if p.returncode != 0:
            self.notes.append("callgrind failed: %s" % p.stderr.decode()[-300:])
            return
        total = None
        with open(out) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    total = int(line.split()[1])
        ann = subprocess.run(["callgrind_annotate", "--inclusive=no", out],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
        top = [l.strip() for l in ann.splitlines() if "Ir" not in l and "(" in l
               and l.strip()[:1].isdigit()][:8]
        self.callgrind_total = total
        self.callgrind_top = top
        full = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", out],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
        by_obj = {}
        for l in full.splitlines():
            l = l.strip()
            if l[:1].isdigit() and "[" in l and "PROGRAM TOTALS" not in l:
                n = int(l.split()[0].replace(",", ""))
                obj = os.path.basename(l.rsplit("[", 1)[1].rstrip("]"))
                if obj.startswith("bench_libodoo"):
                    obj = "libodoo (static, in bench_libodoo)"
                by_obj[obj] = by_obj.get(obj, 0) + n
        self.callgrind_objs = sorted(by_obj.items(), key=lambda kv: -kv[1])[:6]
        # the pure decode of the same answer: jansson's json_loadb alone
        body = os.path.join(self.tmp, "answer.json")
        subprocess.run(["curl", "-s", "--noproxy", "*", "-o", body, "-H",
                        "Content-Type: application/json", "--data-binary",
                        jsonrpc_body({"fields": ["id"] + FIELDS, "limit": self.a.fetch,
                                      "order": "id asc"}), url + "/jsonrpc"], check=True)
        self.answer_bytes = os.path.getsize(body)
        # the decode alone: libodoo's answer parser, and jansson's json_loadb
        # (the decoder libodoo used before 0.3) as the reference
        self.callgrind_decode = {}
        for how, fn in (("libodoo", "odoo__rpc_parse_response"), ("jansson", "json_loadb")):
            out2 = os.path.join(self.tmp, "callgrind-decode-%s.out" % how)
            p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out2,
                                "--toggle-collect=" + fn, self.lib, "decode", body, "1", how],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
            if p.returncode == 0:
                with open(out2) as f:
                    for line in f:
                        if line.startswith("totals:") or line.startswith("summary:"):
                            self.callgrind_decode[how] = int(line.split()[1])
        log("callgrind: %s instructions" % total)

    def case_paging(self, url):
        a, n, page = self.a, self.a.orders, self.a.page
        case = "2. %d records paged by %d" % (n, page)
        log(case)
        lib = self.libodoo(url, "iter", n, page)
        lib += sum((self.libodoo(url, "iter", n, page) for _ in range(a.reps - 1)), [])
        assert all(r["n"] == n for r in lib), lib
        rpc = self.odoorpc(url, "page", n, page, a.reps)
        assert all(r["n"] == n for r in rpc), rpc
        cur = self.curl_floor(url, keyset_bodies(n, page), a.reps, "keyset")
        offs = [jsonrpc_body({"fields": FIELDS, "limit": page, "offset": o, "order": "id asc"})
                for o in range(0, n + 1, page)]
        curo = self.curl_floor(url, offs, a.reps, "offset")
        k = n / 1000.0
        lw, lc = stats(r["wall"] for r in lib), stats(r["cpu"] for r in lib)
        rw, rc = stats(r["wall"] for r in rpc), stats(r["cpu"] for r in rpc)
        cw, cc = stats(r["wall"] for r in cur), stats(r["cpu"] for r in cur)
        ow, oc = stats(r["wall"] for r in curo), stats(r["cpu"] for r in curo)
        self.add(case, "raw curl, keyset pages (floor)", cw, cc, k)
        self.add(case, "raw curl, offset pages (floor)", ow, oc, k)
        self.add(case, "libodoo keyset iterator", lw, lc, k,
                 "wall %.2fx curl keyset, %.2fx OdooRPC; CPU %.2fx OdooRPC"
                 % (lw["med"] / cw["med"], lw["med"] / rw["med"], lc["med"] / rc["med"]))
        self.add(case, "OdooRPC offset paging", rw, rc, k,
                 "wall %.2fx curl offset" % (rw["med"] / ow["med"]))

    def case_concurrency(self, url):
        a, n = self.a, self.a.orders
        for t in (1, 2, 4, 8):
            case = "6. %d records, N sessions on disjoint id ranges" % n
            log("%s: %d" % (case, t))
            res = sum((self.libodoo(url, "conc", t, n, a.page) for _ in range(a.reps)), [])
            assert all(r["n"] == n for r in res), res
            per = n // t
            floors = []
            for _ in range(a.reps):
                procs, t0 = [], time.monotonic()
                for i in range(t):
                    lo, hi = i * per, n if i == t - 1 else (i + 1) * per
                    bodies = [jsonrpc_body({"domain": [["id", ">", x], ["id", "<=", hi]],
                                            "fields": ["id"] + FIELDS, "limit": a.page,
                                            "order": "id asc"}) for x in range(lo, hi, a.page)]
                    argv = curl_requests(url, bodies, self.tmp, "conc%d-%d" % (t, i))
                    procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL))
                for p in procs:
                    p.wait()
                floors.append(time.monotonic() - t0)
            w, f = stats(r["wall"] for r in res), stats(floors)
            rate = stats(n / r["wall"] for r in res)
            frate = stats(n / x for x in floors)
            self.add(case, "libodoo, %d session%s" % (t, "s" if t > 1 else ""), w, None, None,
                     "%.0f records/s (min %.0f, max %.0f); curl floor %.0f records/s"
                     % (rate["med"], rate["min"], rate["max"], frate["med"]))

    # 3 ---------------------------------------------------------------------------------------
    def case_rss(self):
        a = self.a
        emu = emulator(a.big)
        try:
            case = "3. memory over %d records" % a.big
            log(case)
            emu_rss = emu.rss_mb()
            it = [self.libodoo(emu.url, "iter", a.big, a.big_page, timeout=1800)[0]
                  for _ in range(a.big_reps)]
            assert all(r["n"] == a.big for r in it), it
            cur = self.curl_floor(emu.url, keyset_bodies(a.big, a.big_page), 1, "big")
            la = self.libodoo(emu.url, "loadall", a.big, timeout=1800)[0]
            assert la["n"] == a.big, la
            growth = stats((r["rss_max_kb"] - r["rss_base_kb"]) / 1024.0 for r in it)
            w, c = stats(r["wall"] for r in it), stats(r["cpu"] for r in it)
            k = a.big / 1000.0
            cw = stats(r["wall"] for r in cur)
            self.add(case, "raw curl, keyset pages of %d (floor)" % a.big_page, cw,
                     stats(r["cpu"] for r in cur), k)
            self.add(case, "libodoo keyset iterator, pages of %d" % a.big_page, w, c, k,
                     "RSS growth %.1f MB (min %.1f, max %.1f; base %.1f MB, peak %.1f MB)"
                     % (growth["med"], growth["min"], growth["max"], it[0]["rss_base_kb"] / 1024.0,
                        max(r["peak_rss_kb"] for r in it) / 1024.0))
            self.add(case, "libodoo one search_read of everything", stats([la["wall"]]),
                     stats([la["cpu"]]), k,
                     "RSS growth %.1f MB (peak %.1f MB)"
                     % ((la["rss_loaded_kb"] - la["rss_base_kb"]) / 1024.0,
                        la["peak_rss_kb"] / 1024.0))
            self.notes.append("The emulator held %d orders in %.0f MB and seeded them in %.0f s."
                              % (a.big, emu_rss, emu.start_s))
            self.rss_growth = growth
        finally:
            emu.stop()

    # 4 + 5 (under run_with_aws.py) ------------------------------------------------------------
    def aws_cases(self):
        a = self.a
        argv = [SYS_PY, os.path.join(ROOT, "tests", "sinks", "run_with_aws.py"), "--dynamodb",
                "--need-boto3", "--shim", a.shim, "--", SYS_PY, os.path.abspath(__file__),
                "--aws-part", "--bench-dynamodb", a.bench_dynamodb, "--sync-orders",
                a.sync_orders, "--items", str(a.items), "--sync", str(a.sync),
                "--reps", str(a.reps), "--out", os.path.join(self.tmp, "aws.json"),
                "--bin-dir", a.bin_dir]
        log("DynamoDB Local cases (run_with_aws.py)")
        p = subprocess.run(argv, timeout=1800)
        if p.returncode != 0:
            self.notes.append("the DynamoDB cases failed (exit %d)" % p.returncode)
            return
        with open(os.path.join(self.tmp, "aws.json")) as f:
            part = json.load(f)
        self.rows += part["rows"]
        self.notes += part["notes"]

    def report(self):
        lines = []
        lines.append("# libodoo benchmarks: latest run\n")
        lines.append("Generated by `bash tests/bench/run.sh` on %s UTC; %s, %d CPUs, %s; "
                     "Release build. How to read it: docs/performance.md.\n"
                     % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), platform.machine(),
                        os.cpu_count(), platform.platform()))
        lines.append("Figures are the median of %d runs [min - max] unless the case says "
                     "otherwise. wall and CPU (user+sys of the client process) are seconds; "
                     "`/1k` columns are per 1,000 records (ms).\n" % self.a.reps)
        lines.append("| case | client | wall s [min-max] | CPU s [min-max] | wall ms /1k | "
                     "CPU ms /1k | notes |")
        lines.append("|---|---|---|---|---|---|---|")

        def fmt(s):
            if not s:
                return ""
            if s["runs"] == 1:
                return "%.3f" % s["med"]
            return "%.3f [%.3f-%.3f]" % (s["med"], s["min"], s["max"])

        def per(s, k):
            return "%.2f" % (1000 * s["med"] / k) if s and k else ""

        for r in self.rows:
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                r["case"], r["what"], fmt(r["wall"]), fmt(r["cpu"]), per(r["wall"], r["per"]),
                per(r["cpu"], r["per"]), r["extra"]))
        if getattr(self, "callgrind_total", None):
            lines.append("\n## Instruction count (callgrind, noise-free)\n")
            lines.append("Client side of one %d-record search_read against the replay server "
                         "(everything inside the measured call: request building, libcurl, "
                         "JSON decode, result checks): **%s instructions** (%.0f per record).\n"
                         % (self.a.fetch, format(self.callgrind_total, ","),
                            self.callgrind_total / self.a.fetch))
            dec = getattr(self, "callgrind_decode", None) or {}
            for how, what in (("libodoo", "libodoo's answer parser `odoo__rpc_parse_response`: "
                                          "JSON decode into jansson values + taking `result` out"),
                              ("jansson", "for reference, jansson's `json_loadb` of the same bytes, "
                                          "the decoder libodoo used before")):
                if dec.get(how):
                    lines.append("The decode alone, %s (%s-byte answer, no network): **%s "
                                 "instructions** (%.0f per record, %.0f per byte).\n"
                                 % (what, format(self.answer_bytes, ","), format(dec[how], ","),
                                    dec[how] / self.a.fetch, dec[how] / self.answer_bytes))
            if dec.get("libodoo") and dec.get("jansson"):
                lines.append("libodoo's decoder needs %.2fx fewer instructions than json_loadb.\n"
                             % (dec["jansson"] / dec["libodoo"]))
            lines.append("By object (self instructions):\n")
            lines.append("| object | instructions | share |")
            lines.append("|---|---|---|")
            for obj, n in self.callgrind_objs:
                lines.append("| %s | %s | %.1f%% |" % (obj, format(n, ","),
                                                       100.0 * n / self.callgrind_total))
            lines.append("\nTop functions (self; libjansson is stripped, hence the addresses):"
                         "\n\n```")
            lines += self.callgrind_top
            lines.append("```")
        if self.notes:
            lines.append("\n## Notes\n")
            lines += ["- " + n for n in self.notes]
        text = "\n".join(lines) + "\n"
        os.makedirs(os.path.dirname(self.a.results), exist_ok=True)
        with open(self.a.results, "w") as f:
            f.write(text)
        print(text)


def aws_part(a):
    """Runs under run_with_aws.py: the DynamoDB sink vs boto3 and the sync end to end."""
    rows, notes = [], []
    py = os.environ["ODOO_TEST_AWS_PYTHON"]
    env = dict(os.environ)
    # warm DynamoDB Local's JIT first, so that neither side pays for it
    subprocess.run([a.bench_dynamodb, "3000"], stdout=subprocess.DEVNULL, check=True)
    subprocess.run([py, os.path.join(ROOT, "tests", "sinks", "bench_boto3.py"), "3000"],
                   stdout=subprocess.DEVNULL, check=True)
    case = "4. DynamoDB sink, %d items into DynamoDB Local" % a.items
    log(case)
    lib, bo, libc, boc = [], [], [], []
    for _ in range(a.reps):
        r = run_timed([a.bench_dynamodb, str(a.items)], env=env)
        lib.append(float(r["out"].decode().split(" = ")[1].split()[0]))
        libc.append(r["cpu"])
        r = run_timed([py, os.path.join(ROOT, "tests", "sinks", "bench_boto3.py"), str(a.items)],
                      env=env)
        bo.append(float(r["out"].decode().split(" = ")[1].split()[0]))
        boc.append(r["cpu"])
    fl = []
    for _ in range(a.reps):
        fl.append(ddb_curl_floor(py, a.items, env))
    ls, bs, fs = stats(lib), stats(bo), stats(fl)
    rows.append({"case": case, "what": "raw curl BatchWriteItem of 25, %d in parallel (floor: "
                 "pre-built bodies, --aws-sigv4)" % DDB_CONCURRENCY, "wall": None, "cpu": None, "per": None,
                 "extra": "%.0f items/s [%.0f-%.0f]" % (fs["med"], fs["min"], fs["max"])})
    k = a.items / 1000.0
    rows.append({"case": case, "what": "boto3 batch_writer (image Python; CPU: whole process, "
                 "with table creation and a count scan)", "wall": None,
                 "cpu": stats(boc), "per": k,
                 "extra": "%.0f items/s [%.0f-%.0f]" % (bs["med"], bs["min"], bs["max"])})
    rows.append({"case": case, "what": "libodoo DynamoDB sink (BatchWriteItem, default "
                 "concurrency %d; CPU: whole process, with table creation)" % DDB_CONCURRENCY,
                 "wall": None, "cpu": stats(libc), "per": k,
                 "extra": "%.0f items/s [%.0f-%.0f] = %.2fx boto3, %.2fx the curl floor"
                 % (ls["med"], ls["min"], ls["max"], ls["med"] / bs["med"],
                    ls["med"] / fs["med"])})

    # 5: end to end
    case = "5. sync %d orders end to end into DynamoDB Local" % a.sync
    log(case)
    emu = emulator(a.sync)
    try:
        oenv = odoo_env(emu.url)
        oenv.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
        oenv.setdefault("AWS_DEFAULT_REGION", oenv.get("AWS_REGION", "eu-west-1"))
    except Exception:
        emu.stop()
        raise
    try:
        cw, rw, cc, rc = [], [], [], []
        for i in range(a.reps):
            t = "bench-sync-c-%d" % i
            r = run_timed([a.sync_orders, "--all", "--create-table", "--sink", "dynamodb:" + t],
                          env=oenv)
            summ = json.loads(r["out"].decode().strip().splitlines()[-1])
            assert summ["read"] == a.sync and summ["written"] == a.sync, summ
            cw.append(r["wall"])
            cc.append(r["cpu"])
            tp = "bench-sync-py-%d" % i
            create_table(py, tp, oenv)
            r = run_timed([py, os.path.join(HERE, "sync_orders_reference.py"), tp], env=oenv)
            summ = json.loads(r["out"].decode().strip().splitlines()[-1])
            assert summ["written"] == a.sync, summ
            rw.append(r["wall"])
            rc.append(r["cpu"])
        same = compare_tables(py, "bench-sync-c-0", "bench-sync-py-0", oenv)
        notes.append("Sync check: %s" % same)
        k = a.sync / 1000.0
        w, c, pw, pc = stats(cw), stats(cc), stats(rw), stats(rc)
        rows.append({"case": case, "what": "Python reference (urllib session + boto3 put_item "
                     "per record, image Python)", "wall": pw, "cpu": pc, "per": k, "extra": ""})
        rows.append({"case": case, "what": "odoo-sync-orders --all (whole process)", "wall": w,
                     "cpu": c, "per": k, "extra": "%.2fx faster than the reference (wall); "
                     "CPU %.3fx the reference" % (pw["med"] / w["med"], c["med"] / pc["med"])})
    finally:
        emu.stop()
    with open(a.out, "w") as f:
        json.dump({"rows": rows, "notes": notes}, f)
    return 0


def ddb_curl_floor(py, n, env):
    """The server's own limit: curl sends the same n items as BatchWriteItem
    bodies of 25, prepared in advance, as many requests in flight as the sink's
    default concurrency, SigV4 signed by curl itself. Returns items/s."""
    name = "bench-curl-%d-%d" % (os.getpid(), int(time.time() * 1000) % 100000)
    code = ("import boto3,sys; d=boto3.client('dynamodb'); d.create_table(TableName=sys.argv[1],"
            "BillingMode='PAY_PER_REQUEST',AttributeDefinitions=[{'AttributeName':'id',"
            "'AttributeType':'N'}],KeySchema=[{'AttributeName':'id','KeyType':'HASH'}]);"
            "d.get_waiter('table_exists').wait(TableName=sys.argv[1])")
    env = dict(env)
    env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION", "eu-west-1"))
    subprocess.run([py, "-c", code, name], env=env, check=True)
    tmp = tempfile.mkdtemp(prefix="ddb-floor-")
    url = env["AWS_ENDPOINT_URL_DYNAMODB"]
    region = env.get("AWS_REGION", "eu-west-1")
    cfg = []
    for b in range(0, n, 25):
        reqs = []
        for i in range(b + 1, min(b + 25, n) + 1):
            reqs.append({"PutRequest": {"Item": {
                "id": {"N": str(i)}, "name": {"S": "SO%06d" % i},
                "amount_total": {"N": repr(i * 1.25)}, "active": {"BOOL": i % 2 == 0},
                "state": {"S": "sale"}, "partner_id": {"L": [{"N": str(i % 50)},
                                                             {"S": "Deco Addict"}]},
                "write_date": {"S": "2024-05-06 12:00:00"}}}})
        path = os.path.join(tmp, "b%d.json" % b)
        with open(path, "w") as f:
            json.dump({"RequestItems": {name: reqs}}, f)
        if cfg:
            cfg.append("next")
        cfg += ['url = "%s/"' % url, 'output = "/dev/null"', 'data-binary = "@%s"' % path,
                'header = "Content-Type: application/x-amz-json-1.0"',
                'header = "X-Amz-Target: DynamoDB_20120810.BatchWriteItem"',
                'aws-sigv4 = "aws:amz:%s:dynamodb"' % region,
                'user = "%s:%s"' % (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]),
                "fail", "silent", 'noproxy = "*"']
    with open(os.path.join(tmp, "curl.cfg"), "w") as f:
        f.write("\n".join(cfg) + "\n")
    t0 = time.monotonic()
    subprocess.run(["curl", "--parallel", "--parallel-max", str(DDB_CONCURRENCY), "-K",
                    os.path.join(tmp, "curl.cfg")], check=True)
    dt = time.monotonic() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    return n / dt


def create_table(py, name, env):
    code = ("import boto3,sys; d=boto3.client('dynamodb'); d.create_table(TableName=sys.argv[1],"
            "BillingMode='PAY_PER_REQUEST',AttributeDefinitions=[{'AttributeName':'order_name',"
            "'AttributeType':'S'},{'AttributeName':'order_id','AttributeType':'S'}],KeySchema=["
            "{'AttributeName':'order_name','KeyType':'HASH'},{'AttributeName':'order_id',"
            "'KeyType':'RANGE'}]); d.get_waiter('table_exists').wait(TableName=sys.argv[1])")
    subprocess.run([py, "-c", code, name], env=env, check=True)


def compare_tables(py, a, b, env):
    """Both tables hold the same items (last_updated_at aside: a time of write)."""
    code = r'''
import boto3, json, sys
d = boto3.client("dynamodb")
def scan(t):
    items, kw = {}, {"TableName": t}
    while True:
        p = d.scan(**kw)
        for it in p["Items"]:
            it.pop("last_updated_at", None)
            items[(it["order_name"]["S"], it["order_id"]["S"])] = it
        if "LastEvaluatedKey" not in p:
            return items
        kw["ExclusiveStartKey"] = p["LastEvaluatedKey"]
x, y = scan(sys.argv[1]), scan(sys.argv[2])
diff = [k for k in set(x) | set(y) if x.get(k) != y.get(k)]
print(json.dumps({"c": len(x), "py": len(y), "diff": len(diff),
                  "example": [x.get(diff[0]), y.get(diff[0])] if diff else None}))
'''
    p = subprocess.run([py, "-c", code, a, b], env=env, stdout=subprocess.PIPE, check=True)
    r = json.loads(p.stdout)
    if r["diff"] == 0 and r["c"] == r["py"]:
        return ("both tables hold the same %d items (every attribute but last_updated_at "
                "compared)" % r["c"])
    return "TABLES DIFFER: %s" % json.dumps(r)[:600]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--bench-dynamodb", required=True)
    ap.add_argument("--shim", default="")
    ap.add_argument("--sync-orders", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--fetch", type=int, default=5000)
    ap.add_argument("--orders", type=int, default=50000)
    ap.add_argument("--page", type=int, default=500)
    ap.add_argument("--big", type=int, default=1000000)
    ap.add_argument("--big-page", type=int, default=1000)
    ap.add_argument("--big-reps", type=int, default=2)
    ap.add_argument("--items", type=int, default=20000)
    ap.add_argument("--sync", type=int, default=5000)
    ap.add_argument("--results", default=os.path.join(HERE, "results", "latest.md"))
    ap.add_argument("--aws-part", action="store_true")
    ap.add_argument("--aws-only", action="store_true", help="only cases 4 and 5")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.aws_part:
        return aws_part(a)
    b = Bench(a)
    t0 = time.monotonic()
    load0 = os.getloadavg()
    try:
        if not a.aws_only:
            b.fetch_cases()
            b.case_rss()
        b.aws_cases()
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)
    load1 = os.getloadavg()
    b.notes.append("Whole run: %.0f s. Load average (1 min) at start %.1f, at end %.1f on %d CPUs%s"
                   % (time.monotonic() - t0, load0[0], load1[0], os.cpu_count(),
                      ": other work shared the machine, so wall times (and the ratios made of them) "
                      "are noisy; CPU times and instruction counts much less so."
                      if max(load0[0], load1[0]) > os.cpu_count() else "."))
    b.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
