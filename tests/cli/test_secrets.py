#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Secrets never leak: with a distinctive Odoo password, API key and AWS secret
key, the tools' stdout, stderr, output files and error messages never contain
them, and no client process carries them in its arguments (/proc/PID/cmdline).

Run under run_with_aws.py --dynamodb and run_with_emulator.py --api-key KEY,
with ODOO_EMULATOR_ADMIN_PASSWORD set (tests/CMakeLists.txt does):
    test_secrets.py path/to/odoo-sync-orders path/to/odoo-call
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SYNC = CALL = None   # the programs (apps/sync-orders, tools/ of the build)


def control(body):
    req = urllib.request.Request(os.environ["ODOO_EMULATOR_URL"] + "/__emulator/faults",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=20).read()


class SecretsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.secrets = [os.environ["ODOO_PASSWORD"], os.environ["ODOO_API_KEY"],
                       os.environ["AWS_SECRET_ACCESS_KEY"]]
        assert os.environ["ODOO_PASSWORD"] != "admin", "run with ODOO_EMULATOR_ADMIN_PASSWORD"
        cls.tmp = tempfile.mkdtemp(prefix="libodoo-secrets-")
        cls.seen = []          # every text the tools produced

    def env(self, **kw):
        e = dict(os.environ, ODOO_EMAIL=os.environ["ODOO_USER"])
        e.update(kw)
        return e

    def run_tool(self, *args, **envkw):
        p = subprocess.run(list(args), capture_output=True, text=True, env=self.env(**envkw),
                           timeout=120, cwd=self.tmp)
        self.seen += [p.stdout, p.stderr]
        return p

    def assertClean(self, text, what):
        for s in self.secrets:
            self.assertNotIn(s, text, "a secret leaked into " + what)

    def test_outputs_and_errors(self):
        sync, call = SYNC, CALL
        out = os.path.join(self.tmp, "orders.json")
        self.assertEqual(self.run_tool(sync, "--all", "--page-size", "50", "--sink", "json:" + out,
                                       "--sink", "jsonl:" + out + "l", "--create-table",
                                       "--sink", "dynamodb:SecretsOrders").returncode, 0)
        self.assertEqual(self.run_tool(call, "--transport", "jsonrpc", "res.partner",
                                       "search_count", "[[]]").returncode, 0)
        self.assertEqual(self.run_tool(call, "--transport", "session", "sale.order",
                                       "search_read", "[[]]", '{"limit": 2}').returncode, 0)
        # failures: wrong password (the right one stays secret too), wrong key, AWS refusal
        wrong = "Wr0ng-" + os.environ["ODOO_PASSWORD"][::-1]
        self.secrets.append(wrong)
        p = self.run_tool(call, "res.partner", "search_count", "[[]]", ODOO_PASSWORD=wrong,
                          ODOO_API_KEY="")
        self.assertEqual(p.returncode, 3)
        p = self.run_tool(call, "--transport", "jsonrpc", "res.partner", "search_count", "[[]]",
                          ODOO_API_KEY=wrong, ODOO_PASSWORD="")
        self.assertEqual(p.returncode, 3)
        p = self.run_tool(sync, "--sink", "dynamodb:NoSuchTableHere")
        self.assertEqual(p.returncode, 5)
        control({"status": 502, "status_count": 10})
        # more 502s than the sync sends within --retry-deadline 1 (at most 5)
        p = self.run_tool(sync, "--retry-deadline", "1", "--sink", "json:" + out + ".2")
        self.assertEqual(p.returncode, 4)
        control({"reset": True})
        for text in self.seen:
            self.assertClean(text, "stdout/stderr")
        for path in glob.glob(os.path.join(self.tmp, "*")):
            if os.path.isfile(path):
                with open(path, errors="replace") as f:
                    self.assertClean(f.read(), path)

    def test_no_secret_in_process_arguments(self):
        control({"delay_ms": 300, "delay_count": 20})
        proc = subprocess.Popen([SYNC, "--all", "--page-size",
                                 "10", "--max-pages", "5", "--sink",
                                 "jsonl:" + os.path.join(self.tmp, "slow.jsonl")],
                                env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(0.5)
            with open("/proc/%d/cmdline" % proc.pid, "rb") as f:
                argv = f.read().decode(errors="replace")
            with open("/proc/%d/environ" % proc.pid, "rb") as f:
                environ = f.read().decode(errors="replace")
        finally:
            proc.wait(60)
            control({"reset": True})
        self.assertIn("odoo-sync-orders", argv)
        self.assertIn("ODOO_PASSWORD=", environ)  # the proof we looked at the right process
        self.assertClean(argv, "the command line")


if __name__ == "__main__":
    SYNC, CALL = os.path.abspath(sys.argv.pop(1)), os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
