#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The same search_read through odoo-call gives identical JSON over the three
transports: session and jsonrpc against an Odoo 18 emulator, json2 against an
Odoo 19 emulator seeded with the same data.

    test_transports.py path/to/odoo-call
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "..", "emulator", "odoo_emulator.py")
KEY = "cli-transport-key-7f3a9c"
ODOO_CALL = None
QUERY = ["sale.order", "search_read", "[[]]",
         '{"fields":["name","partner_id","amount_total","state","date_order"],'
         '"limit":25,"order":"id desc"}']


def start(version, db):
    p = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", "--orders", "250",
                          "--version", str(version), "--api-key", KEY, "--db", db],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("LISTENING "):
        p.kill()
        raise RuntimeError("emulator did not start: %r" % line)
    return p, "http://127.0.0.1:%s" % line.split()[1]


class TransportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.e18, cls.url18 = start(18, "acme")
        cls.e19, cls.url19 = start(19, "acme19")

    @classmethod
    def tearDownClass(cls):
        for p in (cls.e18, cls.e19):
            p.terminate()
            p.wait(10)

    def call(self, transport, url, db, **env):
        e = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
        e.update(ODOO_URL=url, ODOO_DB=db, ODOO_USER="admin", **env)
        p = subprocess.run([ODOO_CALL, "--transport", transport, *QUERY], env=e,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, "%s: %s" % (transport, p.stderr))
        return p.stdout

    def test_identical_json(self):
        session = self.call("session", self.url18, "acme", ODOO_PASSWORD="admin")
        jsonrpc = self.call("jsonrpc", self.url18, "acme", ODOO_API_KEY=KEY)
        json2 = self.call("json2", self.url19, "acme19", ODOO_API_KEY=KEY)
        rows = json.loads(session)
        self.assertEqual(len(rows), 25)
        self.assertEqual(rows[0]["id"], 250)
        self.assertEqual(session, jsonrpc)
        self.assertEqual(session, json2)

    def test_auto_choice(self):
        # an API key: jsonrpc on 18, json2 on 19; the results agree as well
        a = self.call("auto", self.url18, "acme", ODOO_API_KEY=KEY)
        b = self.call("auto", self.url19, "acme19", ODOO_API_KEY=KEY)
        c = self.call("auto", self.url19, "acme19", ODOO_PASSWORD="admin")
        self.assertEqual(a, b)
        self.assertEqual(a, c)

    def test_bad_transport_name(self):
        p = subprocess.run([ODOO_CALL, "--transport", "xmlrpc", *QUERY], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    ODOO_CALL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
