# SPDX-License-Identifier: MIT
"""odoo-sync-orders against a real Odoo, on every transport the version offers.

Every mode of the tool into json: and jsonl: sinks (DynamoDB is covered by
tests/sync on the emulator with DynamoDB Local), checked against an
independent JSON-RPC client (odoo.execute):

- the incremental cursor (--state-file) over orders created 250 per
  transaction: every order exactly once with pages of 7, 100 and 1000; after
  one change a strict run (--no-overlap) writes exactly the changed orders, a
  run after no change writes nothing, the default overlap re-sends only orders
  of the cursor's second;
- --all, the newest --limit, --domain, --with-lines, --with-partners, value by
  value;
- the field lists exist on the server's version (fields_get);
- bug 6: a failed run (wrong password, database or API key, bad domain,
  unreachable Odoo) leaves earlier json:/jsonl: output byte for byte as it was;
- bug 8: with --state-file a jsonl: target is appended to, so a run killed
  with SIGKILL mid-run or a failed run between two runs loses nothing; json:
  with --state-file is refused.

The database is shared: other tests may create or change orders while these
run. So a run's output is checked against snapshots taken before and after it
(what existed or changed before the run must be there; nothing outside what
existed after it may be), never against one count. The tests create their own
partner and orders (names LIBODOO-SYNC-*) and change only those.
"""
import json
import os
import signal
import subprocess
from datetime import datetime, timedelta

import pytest

TOOL = "odoo-sync-orders"
ITEM_KEYS = {"order_name", "order_id", "customer_id", "customer_name", "amount_total", "state",
             "date_order", "response_status", "last_updated_at", "odoo_write_date"}


# ---- helpers ----------------------------------------------------------------------------

def sync(odoo, transport, args, check=0, env=None, timeout=900):
    cp = odoo.run_tool(TOOL, ["--quiet"] + list(args), transport=transport, env=env,
                       check=check, timeout=timeout)
    summary = json.loads(cp.stdout.splitlines()[-1]) if cp.stdout.strip() else None
    return cp, summary


def lines_of(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        text = f.read()
    assert text == "" or text.endswith("\n"), "a torn last line in %s" % path
    return [json.loads(line) for line in text.splitlines()]


def order_ids(items):
    return [int(i["order_id"]) for i in items]


# The orders of the seed every 7th of which has client_order_ref PERF-<n>, and
# the orders of these tests: a few hundred, for the transports after the first.
SOME = ["|", ["client_order_ref", "=like", "PERF-%"], ["client_order_ref", "=like", "LIBODOO-SYNC-%"]]


def snapshot(odoo, domain=None):
    """{id: write_date} of every order (of @domain), read through the independent client."""
    rows = odoo.execute("sale.order", "search_read", domain or [], fields=["write_date"],
                        order="id asc")
    return {r["id"]: r["write_date"] for r in rows}


def state(path):
    with open(path) as f:
        return json.load(f)


def after(snap, cursor):
    """The orders of a snapshot past a cursor: (write_date second, id) > (its second, its id)."""
    key = (cursor["write_date"], cursor["id"])
    return {i for i, wd in snap.items() if (wd, i) > key}


def second_before(wd, seconds):
    t = datetime.strptime(wd, "%Y-%m-%d %H:%M:%S") - timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def assert_exactly_once(items, before, after_snap):
    ids = order_ids(items)
    dup = sorted({i for i in ids if ids.count(i) > 1}) if len(ids) != len(set(ids)) else []
    assert not dup, "orders written more than once: %s" % dup[:20]
    missing = set(before) - set(ids)
    assert not missing, "%d orders missing, e.g. %s" % (len(missing), sorted(missing)[:20])
    extra = set(ids) - set(after_snap)
    assert not extra, "orders that do not exist: %s" % sorted(extra)[:20]


def item_of(order):
    p = order["partner_id"]
    return {"order_name": order["name"], "order_id": str(order["id"]),
            "customer_id": p[0] if p else None, "customer_name": p[1] if p else None,
            "amount_total": order["amount_total"], "state": order["state"],
            "date_order": order["date_order"], "odoo_write_date": order["write_date"]}


def assert_values(odoo, items):
    """Each item equals the order as the independent client reads it now (orders
    changed since the item was written are skipped: their write_date differs)."""
    ids = order_ids(items)
    rows = odoo.execute("sale.order", "read", ids,
                        ["name", "partner_id", "amount_total", "state", "date_order",
                         "write_date"])
    now = {r["id"]: item_of(r) for r in rows}
    compared = 0
    for it in items:
        assert set(it) == ITEM_KEYS, sorted(it)
        assert it["response_status"] == 200
        exp = now[int(it["order_id"])]
        if exp["odoo_write_date"] != it["odoo_write_date"]:
            continue  # changed meanwhile by another test
        got = {k: v for k, v in it.items() if k not in ("response_status", "last_updated_at")}
        assert got == exp
        compared += 1
    assert compared >= len(items) // 2, "too few orders unchanged to compare"


@pytest.fixture(scope="module")
def own(odoo):
    """A partner of these tests and a function making an order of it."""
    name = "LIBODOO-SYNC-PARTNER"
    found = odoo.execute("res.partner", "search", [["name", "=", name]], limit=1)
    pid = found[0] if found else odoo.execute("res.partner", "create", {"name": name})

    def new_order(ref):
        return odoo.execute("sale.order", "create",
                            {"partner_id": pid, "client_order_ref": "LIBODOO-SYNC-" + ref})
    return {"partner": pid, "new_order": new_order}


def touch(odoo, order_id, text, past=None):
    """Change an order; with @past (a cursor), write again until its write_date
    shows a later second than the cursor's (a strict cursor cannot see a change
    stamped in its own second: the overlap's reason). Returns the write_date."""
    for n in range(1000):
        odoo.execute("sale.order", "write", [order_id],
                     {"client_order_ref": "LIBODOO-SYNC-%s-%d" % (text, n)})
        wd = odoo.execute("sale.order", "read", [order_id], ["write_date"])[0]["write_date"]
        if past is None or wd > past["write_date"]:
            return wd
    raise AssertionError("the server's clock does not move")


# ---- the tool --------------------------------------------------------------------------

def test_help_names_every_mode(odoo):
    cp = subprocess.run([odoo.tool(TOOL), "--help"], capture_output=True, text=True,
                        timeout=60)
    assert cp.returncode == 0
    for opt in ("--limit", "--all", "--page-size", "--state-file", "--overlap", "--no-overlap",
                "--domain", "--sink", "--with-lines", "--with-partners", "--transport",
                "json:PATH", "jsonl:PATH", "dynamodb:TABLE", "--create-order"):
        assert opt in cp.stdout, opt


def test_field_lists_follow_the_server(odoo):
    """Every field the sync reads exists on this version (fields_get): no item
    attribute is null because a field is missing (the tool drops missing ones)."""
    want = {"sale.order": ["name", "partner_id", "amount_total", "state", "date_order",
                           "write_date"],
            "sale.order.line": ["order_id", "product_id", "name", "product_uom_qty",
                                "price_unit", "price_subtotal"],
            "res.partner": ["name", "email", "phone", "is_company", "write_date"]}
    for model, fields in want.items():
        have = odoo.execute(model, "fields_get", attributes=["type"])
        assert [f for f in fields if f not in have] == [], model


# ---- the incremental cursor: the must-shows -------------------------------------

def test_state_file_every_order_once_then_only_changes(odoo, transport, own, tmp_path):
    """odoo-sync-orders --state-file s --page-size 100 --sink jsonl:o.jsonl ends
    with every order exactly once; after one order changes, a strict second run
    writes exactly the changed orders (that one in a quiet database); with
    --no-overlap a run after no change writes nothing; with the default overlap
    the changed order is there and every re-sent order is of the cursor's second.
    Every order on the web session; the other transports, whose wire is the only
    difference, sync the orders of SOME (a few hundred) the same way."""
    out, st = str(tmp_path / "o.jsonl"), str(tmp_path / "s")
    domain = None if transport == "session" else SOME
    dom = [] if domain is None else ["--domain", json.dumps(domain)]

    def snap():
        return snapshot(odoo, domain)
    mine = own["new_order"]("once-" + transport)
    before = snap()
    cp, s = sync(odoo, transport, dom + ["--state-file", st, "--page-size", "100",
                                         "--sink", "jsonl:" + out])
    items = lines_of(out)
    assert_exactly_once(items, before, snap())
    assert s["read"] == len(items) == s["written"]
    assert mine in order_ids(items)
    assert_values(odoo, items)

    # one order changes: a strict run writes exactly what changed after the cursor
    cur = state(st)
    touch(odoo, mine, "changed-" + transport, past=cur)
    snap0 = snap()
    cp, s = sync(odoo, transport, dom + ["--state-file", st, "--page-size", "100",
                                         "--no-overlap", "--sink", "jsonl:" + out])
    new = lines_of(out)[len(items):]
    got = order_ids(new)
    assert len(got) == len(set(got)) == s["read"]
    assert mine in got
    assert after(snap0, cur) <= set(got) <= after(snap(), cur)
    assert len(lines_of(out)) == len(items) + len(new)  # appended, nothing replaced

    # no change: a strict run writes nothing (other than what others changed meanwhile)
    cur = state(st)
    snap0 = snap()
    cp, s = sync(odoo, transport, dom + ["--state-file", st, "--no-overlap", "--sink",
                                         "jsonl:" + out])
    got = order_ids(lines_of(out)[len(items) + len(new):])
    assert after(snap0, cur) <= set(got) <= after(snap(), cur)
    if not after(snap(), cur):
        assert s["read"] == 0 and got == []

    # the default overlap: the changed order, and re-sent orders of the cursor's second only
    cur = state(st)
    touch(odoo, mine, "again-" + transport)
    out2 = str(tmp_path / "overlap.jsonl")
    cp, s = sync(odoo, transport, dom + ["--state-file", st, "--sink", "jsonl:" + out2])
    sent = lines_of(out2)
    assert mine in order_ids(sent)
    changed = after(snap(), cur)
    for it in sent:
        if int(it["order_id"]) not in changed:
            assert it["odoo_write_date"] == cur["write_date"], it  # the overlap window


@pytest.mark.parametrize("page_size", [7, 1000])
def test_state_file_page_sizes(odoo, page_size, tmp_path):
    out, st = str(tmp_path / "o.jsonl"), str(tmp_path / "s")
    before = snapshot(odoo)
    cp, s = sync(odoo, "session", ["--state-file", st, "--page-size", str(page_size),
                                   "--sink", "jsonl:" + out])
    first = lines_of(out)
    assert_exactly_once(first, before, snapshot(odoo))
    if page_size == 1000:
        # one query a page, as a plain read: a page cut inside a second holds
        # what it read of that second and asks only for the rest (it took one
        # more query per cut, which read that second again)
        assert -(-len(before) // 1000) <= s["pages"] <= -(-len(before) // 1000) + 1, s
    cur = state(st)
    snap0 = snapshot(odoo)
    cp, s = sync(odoo, "session", ["--state-file", st, "--page-size", str(page_size),
                                   "--no-overlap", "--sink", "jsonl:" + out])
    got = order_ids(lines_of(out)[len(first):])
    assert after(snap0, cur) <= set(got) <= after(snapshot(odoo), cur)


def test_overlap_seconds_window(odoo, own, tmp_path):
    """--overlap N re-reads the orders of the N seconds before the cursor and its
    own second, nothing older."""
    out2, st = str(tmp_path / "w.jsonl"), str(tmp_path / "s")
    own["new_order"]("overlap")
    snap = snapshot(odoo)
    newest = max(snap.values())
    cur = {"write_date": newest, "id": max(i for i, wd in snap.items() if wd == newest)}
    with open(st, "w") as f:
        json.dump(cur, f)
    sync(odoo, "session", ["--state-file", st, "--overlap", "600", "--sink", "jsonl:" + out2])
    low = second_before(cur["write_date"], 600)
    snap = snapshot(odoo)
    sent = lines_of(out2)
    expected = {i for i, wd in snap.items() if wd >= low}
    assert expected - after(snap, cur) <= set(order_ids(sent))
    for it in sent:
        assert it["odoo_write_date"] >= low, it


# ---- the other modes ---------------------------------------------------------------------

def test_all_into_json_value_by_value(odoo, transport, tmp_path):
    """--all: keyset pages by id into one JSON array, value by value (every order
    on the web session, the orders of SOME on the other transports)."""
    out = str(tmp_path / "all.json")
    domain = None if transport == "session" else SOME
    dom = [] if domain is None else ["--domain", json.dumps(domain)]
    before = snapshot(odoo, domain)
    cp, s = sync(odoo, transport, dom + ["--all", "--page-size", "500" if domain is None else "70",
                                         "--sink", "json:" + out])
    with open(out) as f:
        items = json.load(f)
    assert_exactly_once(items, before, snapshot(odoo, domain))
    assert order_ids(items) == sorted(order_ids(items))  # keyset pages by id
    assert_values(odoo, items)


def test_newest_limit(odoo, transport, tmp_path):
    out = str(tmp_path / "newest.jsonl")
    first = odoo.execute("sale.order", "search", [], order="id desc", limit=25)
    cp, s = sync(odoo, transport, ["--limit", "25", "--sink", "jsonl:" + out])
    last = odoo.execute("sale.order", "search", [], order="id desc", limit=25)
    assert order_ids(lines_of(out)) in (first, last)
    assert s["read"] == 25


def test_domain(odoo, tmp_path):
    out = str(tmp_path / "perf.jsonl")
    domain = [["client_order_ref", "=like", "PERF-%"], ["state", "=", "sale"]]
    expected = odoo.execute("sale.order", "search", domain, order="id asc")
    cp, s = sync(odoo, "session", ["--all", "--page-size", "50", "--domain", json.dumps(domain),
                                   "--sink", "jsonl:" + out])
    assert order_ids(lines_of(out)) == expected
    assert expected


def test_lines_and_partners_value_by_value(odoo, transport, tmp_path):
    o, ln, pa = (str(tmp_path / n) for n in ("o.jsonl", "l.jsonl", "p.jsonl"))
    cp, s = sync(odoo, transport, ["--limit", "8", "--domain", '[["order_line", "!=", false]]',
                                   "--sink", "jsonl:" + o, "--with-lines", "jsonl:" + ln,
                                   "--with-partners", "jsonl:" + pa])
    ids = order_ids(lines_of(o))
    assert len(ids) == 8
    rows = odoo.execute("sale.order.line", "search_read", [["order_id", "in", ids]],
                        fields=["order_id", "product_id", "name", "product_uom_qty",
                                "price_unit", "price_subtotal"], order="id asc")
    expected = [{"order_id": str(r["order_id"][0]), "line_id": str(r["id"]),
                 "product_id": r["product_id"][0] if r["product_id"] else None,
                 "product_name": r["product_id"][1] if r["product_id"] else None,
                 "description": r["name"], "quantity": r["product_uom_qty"],
                 "price_unit": r["price_unit"], "subtotal": r["price_subtotal"]} for r in rows]
    assert lines_of(ln) == expected
    assert s["lines"] == len(rows) > 0
    pids = sorted({i["customer_id"] for i in lines_of(o) if i["customer_id"]})
    prow = odoo.execute("res.partner", "read", pids,
                        ["name", "email", "phone", "is_company", "write_date"])
    exp_p = sorted(({"customer_id": r["id"], "name": r["name"], "email": r["email"],
                     "phone": r["phone"], "is_company": r["is_company"],
                     "odoo_write_date": r["write_date"]} for r in prow),
                   key=lambda r: r["customer_id"])
    assert sorted(lines_of(pa), key=lambda r: r["customer_id"]) == exp_p


# ---- bug 6: a failed run leaves earlier output as it was --------------------------------

OLD = {"json": '[\n{"order_id":"old"}\n]\n', "jsonl": '{"order_id":"old"}\n'}


def failures(odoo, transport, every=True):
    """(name, extra args, env, expected exit or None) of runs that must fail: the
    credentials and the database on each transport, the others (the same on
    every transport) when @every."""
    wrong = ({"ODOO_API_KEY": "0123456789abcdef0123456789abcdef01234567"}
             if transport in ("jsonrpc-apikey", "json2")
             else {"ODOO_PASSWORD": "Wr0ng-pass-6"})
    cases = [("wrong credentials", [], wrong, 3),
             ("wrong database", [], {"ODOO_DB": "libodoo_no_such_db"}, None)]
    if every:
        cases += [("bad domain", ["--domain", '[["no_such_field", "=", 1]]'], {}, 2),
                  ("unreachable", ["--retry-deadline", "1"], {"ODOO_URL": "http://127.0.0.1:9"},
                   4)]
    return cases


def test_failed_run_keeps_earlier_output(odoo, transport, tmp_path):
    for name, args, env, code in failures(odoo, transport, every=transport == "session"):
        d = tmp_path / name.replace(" ", "-")
        d.mkdir()
        paths = {k: str(d / ("o." + k)) for k in OLD}
        for k, p in paths.items():
            with open(p, "w") as f:
                f.write(OLD[k])
        for mode in ([], ["--all"]):
            cp, s = sync(odoo, transport, mode + args + ["--sink", "json:" + paths["json"],
                                                         "--sink", "jsonl:" + paths["jsonl"]],
                         env=env, check=None)
            assert cp.returncode != 0, name
            if code is not None:
                assert cp.returncode == code, (name, cp.stderr)
            assert "Wr0ng-pass-6" not in cp.stdout + cp.stderr
            for k, p in paths.items():
                with open(p) as f:
                    assert f.read() == OLD[k], (name, k)
            assert sorted(os.listdir(d)) == ["o.json", "o.jsonl"], name
        # with a cursor the jsonl: target is appended to: a failure adds nothing,
        # creates nothing, and leaves the cursor alone
        st = str(d / "s")
        cp, s = sync(odoo, transport, args + ["--state-file", st, "--sink",
                                              "jsonl:" + paths["jsonl"], "--sink",
                                              "jsonl:" + str(d / "new.jsonl")], env=env,
                     check=None)
        assert cp.returncode != 0
        with open(paths["jsonl"]) as f:
            assert f.read() == OLD["jsonl"]
        # no cursor, no output: only the lease's lock file and, when the login worked
        # (a bad domain), the session kept for the next run
        assert sorted(set(os.listdir(d)) - {"s.lock", "s.session", "s.session.info"}) \
            == ["o.json", "o.jsonl"], name
        assert not os.path.exists(st)


# ---- bug 8: incremental runs into a file keep every record ------------------------------

def test_state_file_refuses_json_array(odoo, tmp_path):
    out, st = str(tmp_path / "o.json"), str(tmp_path / "s")
    with open(out, "w") as f:
        f.write("[]\n")
    cp, s = sync(odoo, "session", ["--state-file", st, "--sink", "json:" + out], check=2)
    assert "jsonl:" in cp.stderr and "--state-file" in cp.stderr
    with open(out) as f:
        assert f.read() == "[]\n"
    assert not os.path.exists(st)


def test_failures_between_runs_lose_nothing(odoo, own, tmp_path):
    """A partial run, then failing runs (wrong password, unreachable, a bad
    domain), then a complete one: the file holds every order exactly once
    (--no-overlap; an order is there twice only when it changed in between)."""
    out, st = str(tmp_path / "o.jsonl"), str(tmp_path / "s")
    base = ["--state-file", st, "--page-size", "100", "--no-overlap", "--sink", "jsonl:" + out]
    before = snapshot(odoo)
    cp, s = sync(odoo, "session", base + ["--max-pages", "4"])
    first = lines_of(out)
    assert s["read"] == len(first) > 0
    for name, args, env, code in failures(odoo, "session"):
        # without the session kept beside the state file (it would still work, as a
        # browser stays logged in): the wrong credentials must be checked
        cp, s = sync(odoo, "session", base + args + ["--no-session-file"], env=env, check=None)
        assert cp.returncode != 0, name
        assert lines_of(out) == first, name
    mine = own["new_order"]("between")
    cp, s = sync(odoo, "session", base)
    items = lines_of(out)
    assert items[:len(first)] == first
    ids = order_ids(items)
    assert set(before) | {mine} <= set(ids)
    seen = {}
    for it in items:  # a second copy is a newer version of the order
        i = int(it["order_id"])
        if i in seen:
            assert it["odoo_write_date"] > seen[i], it
        seen[i] = it["odoo_write_date"]


def test_sigkill_mid_run_then_resume(odoo, tmp_path):
    """A run killed with SIGKILL between pages: the lines it stored stay, the
    rerun appends the rest; every order is in the file, no line is torn, and an
    order is there twice only at or after the cursor the killed run saved (the
    page stored but not yet recorded, and the overlap's second)."""
    out, st = str(tmp_path / "o.jsonl"), str(tmp_path / "s")
    args = ["--state-file", st, "--page-size", "50", "--sink", "jsonl:" + out]
    env, targs = odoo.tool_env("session")
    before = snapshot(odoo)
    proc = subprocess.Popen([odoo.tool(TOOL)] + targs + args, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    stored = 0
    for line in proc.stderr:  # one JSON line after each stored page
        if line.startswith("{") and json.loads(line).get("event") == "page":
            stored = json.loads(line)["read"]
            if json.loads(line)["page"] == 6:
                break
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    killed = lines_of(out)
    assert len(killed) >= stored > 0
    saved = state(st)
    cp, s = sync(odoo, "session", args)
    items = lines_of(out)
    assert items[:len(killed)] == killed
    ids = order_ids(items)
    assert set(before) <= set(ids) <= set(snapshot(odoo))
    for it in items:
        if ids.count(int(it["order_id"])) > 1:
            assert it["odoo_write_date"] >= saved["write_date"], it


# ---- issue 16: cursor and lease in DynamoDB, shards, the kept session ---------------------
# run_suite.py runs under tests/sinks/run_with_aws.py --dynamodb (DynamoDB Local on loopback)

needs_dynamodb = pytest.mark.skipif(not os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
                                    reason="no DynamoDB Local (tests/sinks/run_with_aws.py)")


def start_sync(odoo, args, transport="session"):
    env, targs = odoo.tool_env(transport)
    return subprocess.Popen([odoo.tool(TOOL)] + targs + list(args), env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_first_page(proc):
    """Read the run's progress (stderr, one JSON line per page) up to its first stored page."""
    for line in proc.stderr:
        if line.startswith('{"event": "page"'):
            return json.loads(line)
    raise AssertionError("the run ended before a page: %s" % proc.communicate())


def unique(name, odoo):
    return "%s%d%s" % (name, odoo.version, os.urandom(3).hex())


@needs_dynamodb
def test_state_dynamodb_two_runs_one_lease(odoo, tmp_path):
    """Two runs on one cursor in DynamoDB: while the first holds the lease (it is
    stopped after its first page), the second exits 7 naming the holder and asks Odoo
    nothing; the first then stores every order exactly once; a third run reads only
    the cursor's own second again."""
    table, state_table = unique("Orders", odoo), unique("SyncState", odoo)
    spec = "dynamodb:%s/orders" % state_table
    out_a, out_b = str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")
    before = snapshot(odoo)
    a = start_sync(odoo, ["--state", spec, "--page-size", "200", "--create-table",
                          "--sink", "dynamodb:" + table, "--sink", "jsonl:" + out_a])
    try:
        wait_first_page(a)
        a.send_signal(signal.SIGSTOP)          # frozen while it holds the lease
        cp, s = sync(odoo, "session", ["--state", spec, "--sink", "dynamodb:" + table,
                                       "--sink", "jsonl:" + out_b], check=7)
        assert "held by" in cp.stderr and s["lease"] == "held-by-other", cp.stderr
        assert s["read"] == 0 and s["logins"] == 0
        assert lines_of(out_b) == []
    finally:
        a.send_signal(signal.SIGCONT)
    rest_out, rest_err = a.communicate(timeout=900)
    assert a.returncode == 0, rest_err
    summary = json.loads(rest_out.splitlines()[-1])
    assert summary["lease"] == "taken"
    items = lines_of(out_a)
    assert_exactly_once(items, before, snapshot(odoo))
    # the lease was released: the next run takes it at once and resends only the
    # orders of the cursor's second (the default overlap)
    cp, s = sync(odoo, "session", ["--state", spec, "--sink", "dynamodb:" + table,
                                   "--sink", "jsonl:" + out_b])
    assert s["lease"] == "taken" and s["logins"] <= 1
    last = max(i["odoo_write_date"] for i in items)
    assert all(i["odoo_write_date"] >= last for i in lines_of(out_b)), "read more than the overlap"


@needs_dynamodb
def test_shards_together_store_one_whole_run(odoo, tmp_path):
    """--shard 0/4 .. 3/4 side by side (their cursors and the layout in DynamoDB):
    disjoint, and together exactly the orders one unsharded run stores."""
    state_table, table = unique("SyncState", odoo), unique("Sharded", odoo)
    spec = "dynamodb:%s/orders" % state_table
    outs = [str(tmp_path / ("s%d.jsonl" % k)) for k in range(4)]
    before = snapshot(odoo)
    procs = [start_sync(odoo, ["--quiet", "--state", spec, "--shard", "%d/4" % k, "--create-table",
                               "--sink", "dynamodb:" + table, "--sink", "jsonl:" + outs[k]])
             for k in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        assert json.loads(out.splitlines()[-1])["shard"]
    shard_ids = [set(order_ids(lines_of(o))) for o in outs]
    for i in range(4):
        for j in range(i + 1, 4):
            assert not shard_ids[i] & shard_ids[j], "shards %d and %d overlap" % (i, j)
    union = [i for o in outs for i in lines_of(o)]
    assert_exactly_once(union, before, snapshot(odoo))
    whole = str(tmp_path / "whole.jsonl")
    sync(odoo, "session", ["--all", "--sink", "jsonl:" + whole])
    assert set().union(*shard_ids) <= set(order_ids(lines_of(whole)))


def test_kept_session_no_change_run(odoo, transport, tmp_path):
    """A second run with nothing new reads one page at most, and does not log in:
    the web session is kept beside the state file (mode 0600); /jsonrpc keeps its
    uid in s.session.info (no cookie file), so the run sends no
    common.authenticate; JSON-2 has no login to keep."""
    st, out = str(tmp_path / "s"), str(tmp_path / "o.jsonl")
    sync(odoo, transport, ["--state-file", st, "--sink", "jsonl:" + out, "--domain", json.dumps(SOME)])
    cp, s = sync(odoo, transport, ["--state-file", st, "--sink", "jsonl:" + out,
                                   "--domain", json.dumps(SOME)])
    assert s["pages"] <= 1, s
    if transport == "session":
        assert s["logins"] == 0, s
        assert os.stat(st + ".session").st_mode & 0o077 == 0
    elif transport.startswith("jsonrpc"):
        assert s["logins"] == 0, s
        assert not os.path.exists(st + ".session")
        assert os.stat(st + ".session.info").st_mode & 0o077 == 0
        with open(st + ".session.info") as f:
            kept = json.load(f)
        assert kept["uid"] > 0 and kept["db"] == odoo.db, kept
        assert odoo.password not in json.dumps(kept) and odoo.api_key not in json.dumps(kept)
    else:
        assert not os.path.exists(st + ".session")
        assert not os.path.exists(st + ".session.info")
