#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run one example program against the Odoo emulator and check its output.

    run_with_emulator.py --orders 120 -- check_examples.py EXAMPLE PATH/TO/PROGRAM

EXAMPLE is login_read, cursor, write_errors, custom_sink or dynamodb (the last
one also under tests/sinks/run_with_aws.py --dynamodb --need-boto3). The
expected values come from the emulator itself, asked over /jsonrpc, so the
check does not depend on the emulator's data set. Exit 0 when every check holds.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

ENV = os.environ


def rpc(service, method, *args):
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                       "params": {"service": service, "method": method, "args": list(args)}})
    req = urllib.request.Request(ENV["ODOO_URL"] + "/jsonrpc", body.encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.load(r)
    if "error" in answer:
        raise RuntimeError("emulator: %s" % answer["error"])
    return answer["result"]


def odoo(model, method, args, kwargs=None):
    uid = rpc("common", "login", ENV["ODOO_DB"], ENV["ODOO_USER"], ENV["ODOO_PASSWORD"])
    return rpc("object", "execute_kw", ENV["ODOO_DB"], uid, ENV["ODOO_PASSWORD"], model,
               method, args, kwargs or {})


def run(prog, *args, cwd=None):
    p = subprocess.run([prog, *args], capture_output=True, text=True, timeout=120, cwd=cwd)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    check(p.returncode == 0, "%s exited %d" % (os.path.basename(prog), p.returncode))
    return p.stdout


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_line(out, pattern):
    m = re.search(pattern, out, re.M)
    check(m is not None, "no line matching %r in:\n%s" % (pattern, out))
    return m


def login_read(prog):
    out = run(prog)
    expect_line(out, r"^logged in as uid \d+ on Odoo \S+ \(transport session\)$")
    count = odoo("sale.order", "search_count", [[]])
    expect_line(out, r"^sale\.order: %d records$" % count)
    newest = odoo("sale.order", "search_read", [[["state", "!=", "cancel"]]],
                  {"fields": ["name"], "order": "id desc", "limit": 3})
    names = [line.split()[0] for line in out.splitlines()[2:]]
    check(names == [r["name"] for r in newest], "newest orders %s != %s" % (names, newest))


def cursor(prog):
    count = odoo("sale.order", "search_count", [[]])
    with tempfile.TemporaryDirectory() as d:
        state = os.path.join(d, "cursor.state")
        out = run(prog, state)
        expect_line(out, r"^starting from the beginning$")
        expect_line(out, r"^read %d changed records in \d+ pages$" % count)
        cur = expect_line(out, r"^cursor now (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\d+)$")
        with open(state) as f:
            check(f.read() == "%s %s\n" % cur.groups(), "state file differs from the cursor")
        out = run(prog, state)                                   # nothing changed since
        expect_line(out, r"^starting from %s$" % cur.group(1))
        expect_line(out, r"^read 0 changed records in \d+ pages$")
        oid = odoo("sale.order", "search", [[]], {"limit": 1, "order": "id"})[0]
        odoo("sale.order", "write", [[oid], {"client_order_ref": "example-cursor"}])
        out = run(prog, state)                                   # one order changed
        expect_line(out, r"^read 1 changed records in \d+ pages$")
        expect_line(out, r"^cursor now \S+ \S+ %d$" % oid)


def emulator(endpoint, body):
    req = urllib.request.Request(ENV["ODOO_EMULATOR_URL"] + "/__emulator/" + endpoint,
                                 json.dumps(body).encode(), {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


def write_errors(prog):
    out = run(prog)
    check_partner(out, "EXAMPLE-0001")
    # The in-doubt path: the emulator creates the partner, then closes the connection in the
    # middle of its answer. Reads so cut are retried by the library (invisible here); the
    # create is not: the example must see ODOO_EINDOUBT, find the partner by its ref and not
    # create it again. The k-th request of a run is cut, for k = 1, 2, ... until it is the create.
    for k in range(12):
        ref = "EXAMPLE-DOUBT-%d" % k
        emulator("faults", {"reset": True, "skip": k, "close_mid_body_count": 1})
        out = run(prog, ref)
        emulator("faults", {"reset": True})
        check_partner(out, ref)
        if re.search(r"^create in doubt: ODOO_EINDOUBT ", out, re.M):
            return
    check(False, "no run had its create in doubt")


def check_partner(out, ref):
    pid = int(expect_line(out, r"^created res\.partner (\d+)$").group(1))
    expect_line(out, r"^wrote city on res\.partner %d$" % pid)
    expect_line(out, r"^empty name: ODOO_EVALIDATION \(odoo\.exceptions\.ValidationError\) \S")
    expect_line(out, r"^missing record: ODOO_EMISSING \(odoo\.exceptions\.MissingError\) \S")
    expect_line(out, r"^unknown field: ODOO_EINVAL \(not from Odoo\) .*citty")
    rec = odoo("res.partner", "search_read", [[["ref", "=", ref]]], {"fields": ["name", "city"]})
    check(rec == [{"id": pid, "name": "Example Partner", "city": "Brussels"}],
          "the partners with ref %s in Odoo: %s (one, %d, expected)" % (ref, rec, pid))


def custom_sink(prog):
    rows = odoo("sale.order", "search_read", [[]], {"fields": ["name", "amount_total"],
                                                     "order": "id"})
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "orders.csv")
        out = run(prog, path)
        with open(path) as f:
            text = f.read()
    want = "".join("%d,%s,%.2f\n" % (r["id"], r["name"], r["amount_total"]) for r in rows)
    check(text == want, "CSV differs from the orders:\n%s" % text[:500])
    expect_line(out, r"^sink csv: %d records, %d written, %d bytes, 1 flushes$"
                % (len(rows), len(rows), len(text.encode())))


def boto3(code, *args):
    """Run boto3 code with the Python that has it (run_with_aws.py --need-boto3)."""
    p = subprocess.run([ENV["ODOO_TEST_AWS_PYTHON"], "-c", "import boto3, json, os, sys\n"
                        "db = boto3.client('dynamodb', region_name=os.environ['AWS_REGION'],"
                        " endpoint_url=os.environ['AWS_ENDPOINT_URL_DYNAMODB'])\n" + code,
                        *args],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "boto3: %s" % p.stderr)
    return json.loads(p.stdout or "null")


def dynamodb(prog):
    boto3("db.create_table(TableName='Orders', BillingMode='PAY_PER_REQUEST',"
          " KeySchema=[{'AttributeName': 'order_id', 'KeyType': 'HASH'}],"
          " AttributeDefinitions=[{'AttributeName': 'order_id', 'AttributeType': 'N'}])")
    rows = odoo("sale.order", "search_read", [[]], {"fields": ["name", "write_date"]})
    out = run(prog, "Orders")
    n = len(rows)
    expect_line(out, r"^dynamodb Orders: %d records, %d written, 0 dead-lettered, \d+ requests$"
                % (n, n))
    items = boto3("items, kw = [], {'TableName': 'Orders'}\n"
                  "while True:\n"
                  "    r = db.scan(**kw); items += r['Items']\n"
                  "    if 'LastEvaluatedKey' not in r: break\n"
                  "    kw['ExclusiveStartKey'] = r['LastEvaluatedKey']\n"
                  "print(json.dumps(items))")
    got = {int(i["order_id"]["N"]): (i["name"]["S"], i["write_date"]["S"]) for i in items}
    check(got == {r["id"]: (r["name"], r["write_date"]) for r in rows},
          "table Orders holds %d items, not the %d orders" % (len(got), n))
    check(set(items[0]) == {"order_id", "name", "amount_total", "write_date"},
          "attributes of an item: %s" % sorted(items[0]))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("login_read", "cursor", "write_errors",
                                                 "custom_sink", "dynamodb"):
        sys.exit(__doc__)
    try:
        globals()[sys.argv[1]](os.path.abspath(sys.argv[2]))
    except AssertionError as e:
        sys.exit("FAIL %s: %s" % (sys.argv[1], e))
    print("ok %s" % sys.argv[1])
