#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""odoo-call's command-line contract, against the emulator.

Run under tests/emulator/run_with_emulator.py (which exports ODOO_URL, ODOO_DB,
ODOO_USER, ODOO_PASSWORD and ODOO_EMULATOR_URL):

    run_with_emulator.py --orders 250 -- python3 test_odoo_call.py path/to/odoo-call
"""
import json
import os
import subprocess
import sys
import unittest
import urllib.request

ODOO_CALL = None
SECRET = "S3cret-Pa55word-for-grep"


def control(body):
    req = urllib.request.Request(
        os.environ["ODOO_EMULATOR_URL"] + "/__emulator/faults",
        data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        assert r.status == 200


def run(*args, env=None, **envover):
    e = dict(os.environ if env is None else env)
    e.update(envover)
    return subprocess.run([ODOO_CALL, *args], capture_output=True, text=True, env=e, timeout=60)


class OdooCallTest(unittest.TestCase):
    def tearDown(self):
        control({"reset": True})

    def test_search_read_three_newest(self):
        p = run("sale.order", "search_read", "[[]]",
                '{"fields":["name","partner_id"],"limit":3,"order":"id desc"}')
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = json.loads(p.stdout)
        self.assertEqual(len(rows), 3)
        for r in rows:
            self.assertEqual(set(r), {"id", "name", "partner_id"})
        self.assertEqual([r["id"] for r in rows], [250, 249, 248])
        self.assertEqual(p.stderr, "")

    def test_scalar_result_and_pretty(self):
        p = run("sale.order", "search_count", "[[]]")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "250"))
        p = run("--pretty", "sale.order", "read", "[[1]]", '{"fields":["name"]}')
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("\n  ", p.stdout)
        self.assertEqual(json.loads(p.stdout), [{"id": 1, "name": "S00001"}])

    def test_wrong_password_exits_3(self):
        p = run("sale.order", "search_count", "[[]]", ODOO_PASSWORD=SECRET)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("ODOO_EAUTH", p.stderr)
        self.assertIn("odoo.exceptions.AccessDenied", p.stderr)
        self.assertNotIn(SECRET, p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_email_variable_accepted(self):
        env = dict(os.environ)
        env.pop("ODOO_USER", None)
        env["ODOO_EMAIL"] = "admin"
        p = run("res.partner", "search_count", "[[]]", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_unknown_model_exits_1_with_class(self):
        p = run("no.such.model", "search_read", "[[]]")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("werkzeug.exceptions.NotFound", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_access_error_exits_1_on_one_line(self):
        p = run("sale.order", "search_read", "[[]]", ODOO_USER="limited", ODOO_PASSWORD="limited")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("odoo.exceptions.AccessError", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_validation_and_missing_exit_1(self):
        p = run("sale.order", "write", '[[999999], {"client_order_ref": "x"}]')
        self.assertEqual(p.returncode, 1)
        self.assertIn("MissingError", p.stderr)

    def test_expiring_sessions_twenty_calls(self):
        control({"expire_sessions_every": 2})
        for i in range(20):
            p = run("sale.order", "search_read", "[[]]", '{"fields":["name"],"limit":1}')
            self.assertEqual(p.returncode, 0, "call %d: %s" % (i, p.stderr))
            self.assertEqual(len(json.loads(p.stdout)), 1)

    def test_network_errors_exit_4(self):
        # reads wait for an unavailable Odoo until --retry-deadline (60 s by default)
        p = run("--retry-deadline", "1", "sale.order", "search_count", "[[]]",
                ODOO_URL="http://127.0.0.1:1")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("ODOO_ENETWORK", p.stderr)
        # more failures in a row than odoo-call sends within 1 s (at most 5)
        control({"status": 502, "status_count": 10})
        p = run("--retry-deadline", "1", "sale.order", "search_count", "[[]]")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("ODOO_EHTTP", p.stderr)
        control({"reset": True})
        control({"delay_ms": 4000, "delay_count": 10})
        p = run("--timeout", "0.5", "sale.order", "search_count", "[[]]")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("ODOO_ETIMEOUT", p.stderr)
        control({"reset": True})
        control({"truncate_count": 1})
        p = run("sale.order", "search_count", "[[]]")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("ODOO_EPROTOCOL", p.stderr)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("sale.order").returncode, 2)
        self.assertEqual(run("sale.order", "read", "{not json").returncode, 2)
        self.assertEqual(run("sale.order", "read", "{}").returncode, 2)
        self.assertEqual(run("sale.order", "read", "[]", "[]").returncode, 2)
        self.assertEqual(run("sale.order", "read", "[]", "{}", "extra").returncode, 2)
        self.assertEqual(run("--bogus", "sale.order", "read").returncode, 2)
        self.assertEqual(run("sale/order", "read").returncode, 2)
        env = dict(os.environ)
        env.pop("ODOO_PASSWORD")
        p = run("sale.order", "search_count", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("ODOO_PASSWORD", p.stderr)

    def test_help_documents_everything(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for word in ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_EMAIL", "ODOO_PASSWORD",
                     "Exit status", "ARGS_JSON", "KWARGS_JSON"):
            self.assertIn(word, p.stdout)
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertIn("libodoo", p.stdout)


if __name__ == "__main__":
    ODOO_CALL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
