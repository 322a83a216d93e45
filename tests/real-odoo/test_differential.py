# SPDX-License-Identifier: MIT
"""The emulator against the real server: the same requests, the same answers.

An emulator of the same version (tests/emulator/odoo_emulator.py --version V) is
started on a free port. The same list of requests (REQUESTS below) goes to it and to
the real Odoo under test: logins right and wrong, call_kw read / search_read /
search_count / fields_get, the errors (unknown model, unknown method, access error as
the `limited` user, missing record, validation error), /jsonrpc common / object / db
calls, and JSON-2 on 19. For each answer the test compares:

- the status code;
- Content-Type, and WWW-Authenticate / Location when either side sends one;
- the cookies set: their names, how many of each, and their attribute names
  (Expires, Max-Age, HttpOnly, Path, ...) with the Max-Age and Path values;
- the SHAPE of the JSON body: keys and JSON types, recursively (a list by the shape
  of its items; Odoo's `false` for an empty value matches any type), and exactly the
  parts that are protocol rather than data: the JSON-RPC error code and message, the
  error class (`data.name`), JSON-2's error `name`.

The database differences of the emulator (write_date precision, one write_date per
transaction, datetime domains per version, the fields of the models the tools use)
are checked here too, against the real server's answers.

Every difference still allowed is listed in ALLOWED, with the reason; the same
table is in tests/emulator/README.md ("Differences from the real servers").
"""
import datetime as dt
import fnmatch
import http.client
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(os.path.dirname(HERE), "emulator", "odoo_emulator.py")
EMU_KEY = "differential-admin-key-0123456789"
EMU_LIMITED_KEY = "differential-limited-key-0123456789"

# ---------------------------------------------------------------------------------
# The differences still allowed: (request label glob, path regex, versions, reason).
# A path is "status", "header:<name>", "cookie:<name>..." or "body<json path>".
# ---------------------------------------------------------------------------------
ALL = (16, 17, 18, 19)
ALLOWED = [
    # (request label glob, path regex, versions, difference regex, reason)
    ("login_ok", r"body\.result\.(currencies|user_companies\.allowed_companies)\.\d+", ALL,
     r"only in the (emulator|real server)",
     "session_info: these objects are keyed by record ids (active currencies, companies): data"),
    ("get_session_info", r"body\.result\.(currencies|user_companies\.allowed_companies)\.\d+", ALL,
     r"only in the (emulator|real server)", "as login_ok"),
    ("jsonrpc_db_list", r".*", ALL, r".*",
     "db.list depends on the real server's list_db setting; the emulator always lists"),
    ("jsonrpc_about", r".*", ALL, r".*",
     "common.about: a text on both sides, not read by the library"),
]
# fields of the emulator's models that the real servers describe differently
FIELD_ALLOWED = [
    # (model, field, attribute, versions, reason)
    ("res.partner", "lang", "type", ALL, "a char in the emulator, a selection of installed languages in Odoo"),
    ("res.partner", "tz", "type", ALL, "a char in the emulator, a selection of time zones in Odoo"),
    ("res.users", "lang", "type", ALL, "as res.partner.lang"),
    ("res.users", "tz", "type", ALL, "as res.partner.tz"),
]

# the models the tools use, and the emulator's others
MODELS = ["sale.order", "sale.order.line", "stock.picking", "stock.move", "product.product",
          "product.template", "res.partner", "res.users", "res.company", "res.currency",
          "uom.uom", "account.tax", "product.category", "stock.picking.type"]


# =================================================================================
# the two servers
# =================================================================================

class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Side:
    """One server: URL, database, credentials; raw HTTP with a cookie of our own."""

    def __init__(self, name, url, db, login, password, api_key, limited_password="limited"):
        self.name, self.url, self.db = name, url.rstrip("/"), db
        self.login, self.password, self.api_key = login, password, api_key
        self.limited_password = limited_password
        m = re.match(r"https?://([^:/]+):(\d+)", self.url)
        self.host, self.port = m.group(1), int(m.group(2))
        self.uid = None

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            data = json.dumps(body).encode() if body is not None else None
            h = {"Content-Type": "application/json"} if data is not None else {}
            h.update(headers or {})
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            return Reply(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def jsonrpc(self, path, params, cookie=None):
        headers = {"Cookie": "session_id=" + cookie} if cookie else {}
        return self.request("POST", path, {"jsonrpc": "2.0", "method": "call", "id": 7,
                                           "params": params}, headers)

    def session(self, login=None, password=None):
        """Log in on /web/session/authenticate; (reply, session id)."""
        r = self.jsonrpc("/web/session/authenticate", {
            "db": self.db, "login": login or self.login, "password": password or self.password})
        sid = None
        for c in r.all("Set-Cookie"):
            m = re.match(r"session_id=([^;]+)", c)
            if m:
                sid = m.group(1)
        return r, sid

    def call_kw(self, sid, model, method, args, kwargs=None):
        return self.jsonrpc("/web/dataset/call_kw/%s/%s" % (model, method), {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {}}, sid)

    def rpc(self, service, method, *args):
        return self.jsonrpc("/jsonrpc", {"service": service, "method": method, "args": list(args)})

    def uid_of(self):
        if self.uid is None:
            self.uid = self.rpc("common", "login", self.db, self.login, self.password).json()["result"]
        return self.uid

    def execute(self, model, method, *args, **kw):
        r = self.rpc("object", "execute_kw", self.db, self.uid_of(), self.password, model, method,
                     list(args), kw)
        ans = r.json()
        assert "error" not in ans, (self.name, model, method, json.dumps(ans)[:1500])
        return ans["result"]

    def json2(self, model, method, params, key=None, db=None):
        headers = {"Authorization": "bearer " + (key if key is not None else self.api_key)}
        if db is not False:
            headers["X-Odoo-Database"] = db or self.db
        return self.request("POST", "/json/2/%s/%s" % (model, method), params, headers)


@pytest.fixture(scope="module")
def emulator(odoo):
    env = {k: v for k, v in os.environ.items() if k != "ODOO_EMULATOR_ADMIN_PASSWORD"}
    proc = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", "--quiet", "--version",
                             str(odoo.version), "--orders", "600", "--seed-batch", "250",
                             "--api-key", EMU_KEY, "--limited-api-key", EMU_LIMITED_KEY],
                            stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if not line.startswith("LISTENING "):
        proc.kill()
        pytest.fail("the emulator did not start: %r" % line)
    port = int(line.split()[1])
    yield Side("emulator", "http://127.0.0.1:%d" % port, "acme19" if odoo.version >= 19 else "acme",
               "admin", "admin", EMU_KEY)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()


@pytest.fixture(scope="module")
def real(odoo):
    return Side("real", odoo.url, odoo.db, odoo.user, odoo.password, odoo.api_key)


# =================================================================================
# the requests
# =================================================================================

def _admin(side):
    if not hasattr(side, "_admin_sid"):
        side._admin_sid = side.session()[1]
    return side._admin_sid


def _limited(side):
    if not hasattr(side, "_limited_sid"):
        side._limited_sid = side.session("limited", side.limited_password)[1]
    return side._limited_sid


ORDER_FIELDS = ["name", "partner_id", "amount_total", "state", "date_order", "write_date",
                "client_order_ref", "order_line", "user_id", "company_id", "currency_id"]

REQUESTS = [
    ("version_info", ALL, lambda s: s.jsonrpc("/web/webclient/version_info", {})),
    ("login_ok", ALL, lambda s: s.session()[0]),
    ("login_wrong_password", ALL, lambda s: s.session(password="wrong-password")[0]),
    ("login_wrong_db", ALL, lambda s: s.jsonrpc("/web/session/authenticate", {
        "db": "no_such_db_differential", "login": s.login, "password": s.password})),
    ("get_session_info", ALL, lambda s: s.jsonrpc("/web/session/get_session_info", {}, _admin(s))),
    ("call_kw_read", ALL, lambda s: s.call_kw(_admin(s), "res.partner", "read",
                                              [[3], ["name", "email", "parent_id", "is_company",
                                                     "write_date", "child_ids"]])),
    ("call_kw_search_read", ALL, lambda s: s.call_kw(_admin(s), "sale.order", "search_read", [[]],
                                                     {"fields": ORDER_FIELDS, "limit": 3,
                                                      "order": "id"})),
    ("call_kw_search_count", ALL, lambda s: s.call_kw(_admin(s), "sale.order", "search_count",
                                                      [[["state", "in", ["sale", "draft"]]]])),
    ("call_kw_fields_get", ALL, lambda s: s.call_kw(_admin(s), "sale.order", "fields_get", [],
                                                    {"allfields": ["name", "partner_id", "state",
                                                                   "amount_total", "write_date"],
                                                     "attributes": ["type", "string", "required"]})),
    ("call_kw_no_session", ALL, lambda s: s.call_kw(None, "res.partner", "search_count", [[]])),
    ("call_kw_unknown_model", ALL, lambda s: s.call_kw(_admin(s), "no.such.model", "search_count",
                                                       [[]])),
    ("call_kw_unknown_method", ALL, lambda s: s.call_kw(_admin(s), "res.partner", "no_such_method",
                                                        [[]])),
    ("call_kw_private_method", ALL, lambda s: s.call_kw(_admin(s), "res.partner", "_private_x", [[]])),
    ("call_kw_bad_field_domain", ALL, lambda s: s.call_kw(_admin(s), "sale.order", "search_count",
                                                          [[["no_such_field", "=", 1]]])),
    ("call_kw_access_error_limited", ALL, lambda s: s.call_kw(_limited(s), "sale.order",
                                                              "search_read", [[]],
                                                              {"fields": ["name"], "limit": 1})),
    ("call_kw_missing_record", ALL, lambda s: s.call_kw(_admin(s), "res.partner", "write",
                                                        [[999999999], {"comment": "x"}])),
    ("call_kw_read_missing_id", ALL, lambda s: s.call_kw(_admin(s), "res.partner", "read",
                                                         [[999999999], ["name"]])),
    ("call_kw_bad_selection", ALL, lambda s: s.call_kw(_admin(s), "res.partner", "create",
                                                       [{"name": "differential bad",
                                                         "type": "no-such-type"}])),
    ("call_kw_validation_error", ALL, lambda s: s.call_kw(_admin(s), "sale.order", "create",
                                                          [{"partner_id": False}])),
    ("jsonrpc_version", ALL, lambda s: s.rpc("common", "version")),
    ("jsonrpc_login_ok", ALL, lambda s: s.rpc("common", "login", s.db, s.login, s.password)),
    ("jsonrpc_login_wrong", ALL, lambda s: s.rpc("common", "login", s.db, s.login, "wrong")),
    ("jsonrpc_authenticate_ok", ALL, lambda s: s.rpc("common", "authenticate", s.db, s.login,
                                                     s.password, {})),
    ("jsonrpc_about", ALL, lambda s: s.rpc("common", "about")),
    ("jsonrpc_server_version", ALL, lambda s: s.rpc("db", "server_version")),
    ("jsonrpc_db_list", ALL, lambda s: s.rpc("db", "list")),
    ("jsonrpc_unknown_service", ALL, lambda s: s.rpc("nosuchservice", "x")),
    ("jsonrpc_unknown_method", ALL, lambda s: s.rpc("common", "nosuchmethod")),
    ("jsonrpc_execute_kw_count", ALL, lambda s: s.rpc("object", "execute_kw", s.db, s.uid_of(),
                                                      s.password, "sale.order", "search_count",
                                                      [[]])),
    ("jsonrpc_execute_kw_apikey", ALL, lambda s: s.rpc("object", "execute_kw", s.db, s.uid_of(),
                                                       s.api_key, "res.partner", "search_read",
                                                       [[["id", "=", 3]]], {"fields": ["name"]})),
    ("jsonrpc_execute_kw_wrong_password", ALL, lambda s: s.rpc("object", "execute_kw", s.db,
                                                               s.uid_of(), "wrong", "res.partner",
                                                               "search_count", [[]])),
    ("jsonrpc_unknown_model", ALL, lambda s: s.rpc("object", "execute_kw", s.db, s.uid_of(),
                                                   s.password, "no.such.model", "search_count",
                                                   [[]])),
    ("jsonrpc_missing_record", ALL, lambda s: s.rpc("object", "execute_kw", s.db, s.uid_of(),
                                                    s.password, "res.partner", "write",
                                                    [[999999999], {"comment": "x"}])),
    ("jsonrpc_access_error_limited", ALL, lambda s: s.rpc(
        "object", "execute_kw", s.db,
        s.rpc("common", "login", s.db, "limited", s.limited_password).json()["result"],
        s.limited_password, "sale.order", "search_count", [[]])),
    ("json2_search_read", (19,), lambda s: s.json2("res.partner", "search_read", {
        "domain": [["id", "=", 3]], "fields": ["name", "parent_id", "write_date"]})),
    ("json2_no_database_header", (19,), lambda s: s.json2("res.partner", "search_count",
                                                          {"domain": []}, db=False)),
    ("json2_wrong_key", (19,), lambda s: s.json2("res.partner", "search_count", {"domain": []},
                                                 key="wrong-key")),
    ("json2_unknown_model", (19,), lambda s: s.json2("no.such.model", "search_count",
                                                     {"domain": []})),
    ("json2_unknown_method", (19,), lambda s: s.json2("res.partner", "no_such_method", {})),
    ("json2_missing_record", (19,), lambda s: s.json2("res.partner", "write", {
        "ids": [999999999], "vals": {"comment": "x"}})),
    ("json2_bad_argument", (19,), lambda s: s.json2("res.partner", "search_count",
                                                    {"no_such_argument": 1})),
]

# protocol values compared exactly (not data): the JSON-RPC error and JSON-2 error class
EXACT = [r"body\.error\.code", r"body\.error\.message", r"body\.error\.data\.name",
         r"body\.name", r"body\.jsonrpc"]


# =================================================================================
# comparison
# =================================================================================

def cookie_shape(values):
    """{name: [sorted attribute names + Max-Age/Path values], ...} of Set-Cookie lines."""
    out = {}
    for v in values:
        parts = [p.strip() for p in v.split(";")]
        name = parts[0].split("=", 1)[0]
        attrs = []
        for p in parts[1:]:
            k, _, val = p.partition("=")
            k = k.strip().lower()
            attrs.append("%s=%s" % (k, val) if k in ("max-age", "path") else k)
        out.setdefault(name, []).append(sorted(attrs))
    return out


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    return "object"


def shape_diff(a, b, path, out):
    """Differences of shape between the emulator's value a and the real one b."""
    if path == "body.error.data.debug":       # the traceback: text on both sides
        return
    if any(re.fullmatch(p, path) for p in EXACT):
        if a != b:
            out.append((path, "emulator %s, real %s" % (json.dumps(a)[:200], json.dumps(b)[:200])))
        return
    ta, tb = jtype(a), jtype(b)
    if ta != tb:
        if a is False or b is False:          # Odoo's false: an empty value of any type
            return
        out.append((path, "type: emulator %s, real %s" % (ta, tb)))
        return
    if ta == "object":
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append((path + "." + k, "only in the emulator"))
            elif k not in a:
                out.append((path + "." + k, "only in the real server"))
            else:
                shape_diff(a[k], b[k], path + "." + k, out)
    elif ta == "list":
        if bool(a) != bool(b):
            return                            # an empty list has no item shape
        for x in a[:1]:
            for y in b[:1]:
                shape_diff(x, y, path + "[]", out)


def compare(label, emu, real):
    out = []
    if emu.status != real.status:
        out.append(("status", "emulator %d, real %d" % (emu.status, real.status)))
    for h in ("Content-Type", "WWW-Authenticate"):
        if emu.all(h) != real.all(h):
            out.append(("header:" + h, "emulator %s, real %s" % (emu.all(h), real.all(h))))
    if bool(emu.all("Location")) != bool(real.all("Location")):
        out.append(("header:Location", "emulator %s, real %s" % (emu.all("Location"),
                                                                 real.all("Location"))))
    ce, cr = cookie_shape(emu.all("Set-Cookie")), cookie_shape(real.all("Set-Cookie"))
    for name in sorted(set(ce) | set(cr)):
        if ce.get(name) != cr.get(name):
            out.append(("cookie:" + name, "emulator %s, real %s" % (ce.get(name), cr.get(name))))
    je, jr = emu.json(), real.json()
    if (je is None) != (jr is None):
        out.append(("body", "JSON on one side only: emulator %r, real %r" % (emu.body[:120],
                                                                             real.body[:120])))
    elif je is not None:
        shape_diff(je, jr, "body", out)
    return out


def allowed(label, path, diff, version):
    for pat, rx, versions, drx, _why in ALLOWED:
        if version in versions and fnmatch.fnmatchcase(label, pat) and re.fullmatch(rx, path) \
                and re.fullmatch(drx, diff):
            return True
    return False


@pytest.mark.parametrize("label", [r[0] for r in REQUESTS])
def test_same_answer(odoo, emulator, real, label):
    versions, make = next((v, f) for n, v, f in REQUESTS if n == label)
    if odoo.version not in versions:
        pytest.skip("not offered by Odoo %d" % odoo.version)
    emu_reply, real_reply = make(emulator), make(real)
    diffs = [(p, d) for p, d in compare(label, emu_reply, real_reply)
             if not allowed(label, p, d, odoo.version)]
    assert not diffs, "%s on Odoo %d:\n%s" % (label, odoo.version,
                                               "\n".join("  %s: %s" % d for d in diffs))


# ---- the database underneath -------------------------------------------------------

def _next_second(s):
    return (dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S") + dt.timedelta(seconds=1)).strftime(
        "%Y-%m-%d %H:%M:%S")


def datetime_counts(side, model, shown):
    nxt = _next_second(shown)
    domains = {
        "eq": [["write_date", "=", shown]],
        "in": [["write_date", "in", [shown]]],
        "ne_in_second": [["write_date", "!=", shown], ["write_date", ">=", shown],
                         ["write_date", "<", nxt]],
        "gt_in_second": [["write_date", ">", shown], ["write_date", "<", nxt]],
        "le_from_second": [["write_date", "<=", shown], ["write_date", ">=", shown]],
        "second": [["write_date", ">=", shown], ["write_date", "<", nxt]],
    }
    return {k: side.execute(model, "search_count", d) for k, d in domains.items()}


def _relative(counts):
    """The counts as fractions of the second's records: 0, 'all' or other."""
    n = counts["second"]
    return {k: ("all" if v == n else 0 if v == 0 else "some") for k, v in counts.items()}


def test_seeded_write_date_domains(emulator, real):
    """Records written by one transaction (the seed's batches of 250) on both sides:
    the same domains find the same share of them."""
    def shown_of(side):            # the second shared by the most orders
        rows = side.execute("sale.order", "search_read", [], fields=["write_date"], order="id")
        counts = {}
        for r in rows:
            counts[r["write_date"]] = counts.get(r["write_date"], 0) + 1
        return max(sorted(counts), key=counts.get)
    got_emu = datetime_counts(emulator, "sale.order", shown_of(emulator))
    got_real = datetime_counts(real, "sale.order", shown_of(real))
    assert got_real["second"] > 1 and got_emu["second"] > 1
    assert _relative(got_emu) == _relative(got_real), (got_emu, got_real)


def test_one_write_date_per_transaction(odoo, emulator, real):
    """A create of many records and a write of many: one stored write_date each, the
    same domain semantics on both sides."""
    results = {}
    for side in (emulator, real):
        ids = side.execute("res.partner", "create",
                           [{"name": "DIFF-TX %s %d" % (side.name, i)} for i in range(60)])
        rows = side.execute("res.partner", "read", ids, ["write_date", "create_date"])
        assert len({r["write_date"] for r in rows}) == 1, side.name
        assert rows[0]["create_date"] == rows[0]["write_date"], side.name
        created = _relative(datetime_counts(side, "res.partner", rows[0]["write_date"]))
        side.execute("res.partner", "write", ids[:30], {"comment": "differential"})
        rows = side.execute("res.partner", "read", ids[:30], ["write_date"])
        assert len({r["write_date"] for r in rows}) == 1, side.name
        side.execute("res.partner", "unlink", ids)
        results[side.name] = created
    assert results["emulator"] == results["real"], results


def test_order_by_write_date_uses_the_stored_value(emulator, real):
    """Ordering by write_date, id over a shared second: ids ascending within it."""
    for side in (emulator, real):
        rows = side.execute("sale.order", "search_read", [], fields=["write_date"],
                            order="write_date asc, id asc", limit=300)
        keys = [(r["write_date"], r["id"]) for r in rows]
        assert keys == sorted(keys), side.name


def test_fields_of_the_emulated_models(odoo, emulator, real):
    """Every field the emulator has exists on the real server with the same type and
    relation (FIELD_ALLOWED lists the exceptions); the real server's other fields are
    not emulated."""
    diffs = []
    for model in MODELS:
        fe = emulator.execute(model, "fields_get", attributes=["type", "relation"])
        fr = real.execute(model, "fields_get", attributes=["type", "relation"])
        for fname, desc in sorted(fe.items()):
            if fname not in fr:
                diffs.append("%s.%s: not on Odoo %d" % (model, fname, odoo.version))
                continue
            for attr in ("type", "relation"):
                if desc.get(attr) != fr[fname].get(attr) and not any(
                        m == model and f == fname and a == attr and odoo.version in v
                        for m, f, a, v, _w in FIELD_ALLOWED):
                    diffs.append("%s.%s %s: emulator %s, real %s" % (
                        model, fname, attr, desc.get(attr), fr[fname].get(attr)))
    assert not diffs, "\n".join(diffs)


# the fields the tools and the sync read or write (tools/, apps/), by model: each one the real server of
# a version has, the emulator of that version has, and the other way round
TOOL_FIELDS = {
    "sale.order": ["name", "partner_id", "amount_total", "amount_untaxed", "state", "date_order",
                   "write_date", "client_order_ref", "order_line", "picking_ids", "currency_id"],
    "sale.order.line": ["order_id", "product_id", "name", "product_uom_qty", "price_unit",
                        "price_subtotal", "discount", "product_uom", "product_uom_id", "tax_id",
                        "tax_ids"],
    "stock.picking": ["name", "origin", "state", "partner_id", "picking_type_id", "scheduled_date",
                      "date_done", "sale_id", "company_id", "move_ids"],
    "stock.move": ["name", "product_id", "product_uom_qty", "quantity", "quantity_done",
                   "product_uom", "state", "origin", "date", "picking_id"],
    "product.product": ["name", "default_code", "barcode", "list_price", "standard_price", "active",
                        "type", "categ_id", "uom_id", "sale_ok", "description_sale", "weight",
                        "taxes_id", "product_tmpl_id"],
    "product.template": ["name", "default_code", "barcode", "list_price", "standard_price", "active",
                         "type", "categ_id", "uom_id", "sale_ok", "taxes_id"],
    "res.partner": ["name", "email", "phone", "is_company", "write_date", "parent_id", "ref"],
    "res.users": ["name", "login", "partner_id", "company_id", "company_ids"],
}


def test_tool_fields_follow_the_version(odoo, emulator, real):
    diffs = []
    for model, names in TOOL_FIELDS.items():
        fe = emulator.execute(model, "fields_get", names, attributes=["type"])
        fr = real.execute(model, "fields_get", names, attributes=["type"])
        for name in names:
            if (name in fe) != (name in fr):
                diffs.append("%s.%s: %s on Odoo %d" % (
                    model, name, "only in the emulator" if name in fe else "only on the real server",
                    odoo.version))
    assert not diffs, "\n".join(diffs)


def test_version_info(odoo, emulator):
    info = emulator.jsonrpc("/web/webclient/version_info", {}).json()["result"]
    assert info["server_version_info"][:2] == [odoo.version, 0]
