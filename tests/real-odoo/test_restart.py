# SPDX-License-Identifier: MIT
"""A real Odoo restarted, or its sessions deleted, under a running tool (issue 14,
bug 9 and section 2).

- Odoo stopped, down for 5 s and started again (`realodoo.py restart V --pause 5`)
  in the middle of an `odoo-sync-orders` iteration, and while `odoo-call` runs a long
  read: neither fails; every order comes out exactly once; the client retried
  (reads are retried while Odoo is unavailable, until --retry-deadline, 60 s by
  default).
- The session files deleted on the server (data_dir/sessions) in the middle of an
  iteration on the web session: the sync logs in again and goes on.
- With a deadline shorter than the outage the run fails cleanly (exit 4).

These tests stop and start a server, so they never touch the shared one under test:
they use a named server of their own (realodoo.py with LIBODOO_REAL_ODOO_NAME, by
default "restart"; an already running one of that name is reused and left running),
of the version under test (ODOO_REAL_VERSION).

Deterministic: the outage is placed on events, never on a timer. After the first page
event on the sync's stderr the sync is stopped (SIGSTOP), Odoo is stopped (or its
sessions deleted) and the sync continued (SIGCONT) only once Odoo refuses connections,
so its next request always meets the outage.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

import pytest

from conftest import Odoo

HERE = os.path.dirname(os.path.abspath(__file__))
REALODOO = os.path.join(HERE, "realodoo.py")
PY = "/usr/bin/python3"
NAME = os.environ.get("LIBODOO_REAL_ODOO_RESTART_NAME") or \
    os.environ.get("LIBODOO_REAL_ODOO_NAME") or "restart"
PAUSE = 5


def realodoo(*args, check=True, **kw):
    env = dict(os.environ, LIBODOO_REAL_ODOO_NAME=NAME)
    return subprocess.run([PY, REALODOO] + list(args), env=env, check=check, text=True,
                          capture_output=True, **kw)


def realodoo_bg(*args):
    env = dict(os.environ, LIBODOO_REAL_ODOO_NAME=NAME)
    return subprocess.Popen([PY, REALODOO] + list(args), env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


class OwnOdoo(Odoo):
    """conftest.Odoo for the named server: its URL, database and data_dir."""

    def __init__(self, env, build):
        self.url = env["ODOO_URL"]
        self.db = env["ODOO_DB"]
        self.user = env.get("ODOO_USER", "admin")
        self.password = env["ODOO_PASSWORD"]
        with open(env["ODOO_API_KEY_FILE"]) as f:
            self.api_key = f.read().strip()
        self.version = int(env["ODOO_REAL_VERSION"])
        self.data_dir = env["ODOO_REAL_DATA_DIR"]
        self.build = build
        self.uid = None

    def tool_env(self, transport, **extra):
        env, args = super().tool_env(transport, **extra)
        # the harness's environment names the shared server: never let it leak in
        env.update(ODOO_URL=self.url, ODOO_DB=self.db)
        return env, args


def server_env(version):
    cp = realodoo("env", version, check=False)
    if cp.returncode != 0:
        return None
    env = {}
    for line in cp.stdout.splitlines():
        k, _, val = line[len("export "):].partition("=")
        env[k] = val.strip("'")
    return env


@pytest.fixture(scope="module")
def own(odoo):
    """The named server of the version under test (booted here unless running)."""
    v = str(odoo.version)
    env = server_env(v)
    booted = False
    if env is None or not listening(env["ODOO_URL"]):
        cp = realodoo("up", v, check=False, timeout=900)
        if cp.returncode == 77:
            pytest.skip("no Odoo %s.0 source" % v)
        assert cp.returncode == 0, cp.stdout + cp.stderr
        booted = True
        env = server_env(v)
    yield OwnOdoo(env, odoo.build)
    if booted:
        realodoo("down", v, check=False)


def listening(url):
    u = urlparse(url)
    try:
        with socket.create_connection((u.hostname, u.port), timeout=5):
            return True
    except OSError:
        return False


def wait_until(pred, what, limit=120):
    """Poll for an event (Odoo down, Odoo up); `limit` only bounds a hang."""
    t0 = time.time()
    while not pred():
        assert time.time() - t0 < limit, "%s did not happen within %d s" % (what, limit)
        time.sleep(0.05)


def snapshot(odoo):
    rows = odoo.execute("sale.order", "search_read", [], fields=["write_date"], order="id asc")
    return {r["id"]: r["write_date"] for r in rows}


class SyncRun:
    """odoo-sync-orders with its stderr read line by line; on_page(n) runs after
    the n-th page event, in this thread, while the tool goes on."""

    def __init__(self, odoo, transport, args, extra_env=None):
        env, targs = odoo.tool_env(transport, **(extra_env or {}))
        self.proc = subprocess.Popen([odoo.tool("odoo-sync-orders")] + targs + list(args),
                                     env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stderr = []

    def run(self, on_page):
        fired = False
        for line in self.proc.stderr:
            self.stderr.append(line)
            if not fired and line.startswith("{"):
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("event") == "page":
                    fired = True
                    on_page(ev["page"])
        out = self.proc.stdout.read()
        rc = self.proc.wait(timeout=600)
        summary = None
        for line in out.splitlines():
            if line.startswith("{"):
                summary = json.loads(line)
        return rc, summary, fired

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)


def items_of(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def check_all_once(own, items, before):
    ids = [int(i["order_id"]) for i in items]
    assert len(ids) == len(set(ids)), "orders written twice: %d of %d" % (
        len(ids) - len(set(ids)), len(ids))
    after = snapshot(own)
    # nobody else writes to this server: exactly the orders that existed
    assert set(before) <= set(ids) <= set(after), (len(before), len(ids), len(after))


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="libodoo-restart-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


# one transport: the waiting is the library's one HTTP layer (odoo-call below rides
# one out over /jsonrpc with an API key); a restart costs ~15 s of the suite
@pytest.mark.parametrize("via", ["session"])
def test_sync_rides_out_a_restart(own, via, tmp):
    """Odoo stopped after the first page, down 5 s, started: the run goes on, exit 0,
    every order once."""
    transport = via
    out = os.path.join(tmp, "o.jsonl")
    before = snapshot(own)
    restart = []

    def on_page(_n):
        run.pause()
        restart.append(realodoo_bg("restart", str(own.version), "--pause", str(PAUSE)))
        wait_until(lambda: not listening(own.url), "Odoo stopping")
        run.resume()

    run = SyncRun(own, transport, ["--all", "--page-size", "100", "--sink", "jsonl:" + out])
    try:
        rc, summary, fired = run.run(on_page)
    finally:
        for p in restart:
            p.wait(timeout=600)
    assert fired, "no page event: %s" % "".join(run.stderr[-20:])
    assert restart and restart[0].returncode == 0, restart[0].stdout.read()
    assert rc == 0, "exit %d: %s" % (rc, "".join(run.stderr[-20:]))
    assert summary["odoo_retries"] > 3, summary   # it met the outage, beyond 3 retries
    check_all_once(own, items_of(out), before)


def test_sync_fails_cleanly_when_the_outage_outlasts_the_deadline(own, tmp):
    """--retry-deadline 2 and Odoo down until the run has ended: exit 4 (Odoo
    unreachable), no hang. Odoo is started again on the run's exit, not on a timer."""
    out = os.path.join(tmp, "o.jsonl")
    v = str(own.version)
    restart = []

    def on_page(_n):
        run.pause()
        # stopped, then down "for ever": this process is ended once the run is over
        restart.append(realodoo_bg("restart", v, "--pause", "3600"))
        wait_until(lambda: not listening(own.url), "Odoo stopping")
        run.resume()

    run = SyncRun(own, "session", ["--all", "--page-size", "100", "--retry-deadline", "2",
                                   "--sink", "jsonl:" + out])
    try:
        rc, summary, fired = run.run(on_page)
    finally:
        for p in restart:       # the harness sleeping out its pause: ours, ended by pid
            p.kill()
            p.wait()
        cp = realodoo("restart", v, "--pause", "0", check=False, timeout=900)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert fired
    assert rc == 4, "exit %d: %s" % (rc, "".join(run.stderr[-20:]))
    assert "ODOO_ENETWORK" in (summary or {}).get("error", "") + "".join(run.stderr), \
        summary


# The waiting is the library's one HTTP layer, the same for every transport: a restart
# costs ~15 s, so one transport here (the sync above rides one out on another).
@pytest.mark.parametrize("via", ["jsonrpc-apikey"])
def test_odoo_call_waits_for_a_restarting_odoo(own, via):
    """odoo-call started while Odoo is down for a restart (stopped, 5 s, started): its
    long read waits, then matches the independent client value by value."""
    transport = via
    kw = {"fields": ["name", "amount_total", "state"], "order": "id asc"}
    theirs = own.execute("sale.order", "search_read", [], **kw)
    p = realodoo_bg("restart", str(own.version), "--pause", str(PAUSE))
    try:
        wait_until(lambda: not listening(own.url), "Odoo stopping")
        cp = own.run_tool("odoo-call", ["sale.order", "search_read", "[[]]", json.dumps(kw)],
                          transport=transport, timeout=300)
    finally:
        p.wait(timeout=600)
    assert p.returncode == 0, p.stdout.read()
    assert cp.returncode == 0, cp.stderr
    own.uid = None
    assert json.loads(cp.stdout) == theirs
    assert len(theirs) >= 2000


def test_sessions_deleted_mid_iteration(own, tmp):
    """The session files deleted on the server after the first page: the web-session
    sync logs in again (reauths >= 1) and writes every order once."""
    sessions = os.path.join(own.data_dir, "sessions")
    out = os.path.join(tmp, "o.jsonl")
    before = snapshot(own)
    deleted = []

    def on_page(_n):
        run.pause()
        for root, _dirs, files in os.walk(sessions):
            for f in files:
                os.unlink(os.path.join(root, f))
                deleted.append(f)
        run.resume()

    run = SyncRun(own, "session", ["--all", "--page-size", "100", "--sink", "jsonl:" + out])
    rc, summary, fired = run.run(on_page)
    assert fired
    assert deleted, "no session file under %s" % sessions
    assert rc == 0, "exit %d: %s" % (rc, "".join(run.stderr[-20:]))
    assert summary["reauths"] >= 1, summary
    check_all_once(own, items_of(out), before)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
