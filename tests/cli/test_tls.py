#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""TLS: verification is on by default and refuses an unknown CA; with the CA
file given it connects; a certificate for another host name is refused; the
refusal is not retried. The emulator serves HTTPS with a certificate this test
makes with openssl (a CA and a server certificate for "localhost").

    test_tls.py path/to/odoo-call
"""
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "..", "emulator", "odoo_emulator.py")
ODOO_CALL = None


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="libodoo-tls-")
        t = cls.tmp
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem", "-days", "2", "-subj", "/CN=libodoo test CA", cwd=t)
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
                "-subj", "/CN=localhost", cwd=t)
        with open(os.path.join(t, "ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext", cwd=t)
        cls.emu = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", "--orders", "20",
                                    "--quiet", "--tls-cert", os.path.join(t, "srv.pem"),
                                    "--tls-key", os.path.join(t, "srv.key")],
                                   stdout=subprocess.PIPE, text=True)
        line = cls.emu.stdout.readline()
        assert line.startswith("LISTENING "), line
        cls.port = int(line.split()[1])

    @classmethod
    def tearDownClass(cls):
        cls.emu.terminate()
        cls.emu.wait(10)

    def call(self, host, ca=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
        env.update(ODOO_URL="https://%s:%d" % (host, self.port), ODOO_DB="acme",
                   ODOO_USER="admin", ODOO_PASSWORD="admin")
        if ca:
            env["ODOO_CA_FILE"] = os.path.join(self.tmp, ca)
        start = time.monotonic()
        p = subprocess.run([ODOO_CALL, "sale.order", "search_count", "[[]]"], env=env,
                           capture_output=True, text=True, timeout=60)
        return p, time.monotonic() - start

    def test_unknown_ca_refused_by_default(self):
        p, secs = self.call("localhost")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("TLS certificate not accepted", p.stderr)
        self.assertLess(secs, 2.0)  # not retried: back-off would take longer

    def test_ca_file_connects(self):
        p, _ = self.call("localhost", ca="ca.pem")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "20")

    def test_wrong_host_name_refused(self):
        p, _ = self.call("127.0.0.1", ca="ca.pem")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("TLS certificate not accepted", p.stderr)


if __name__ == "__main__":
    ODOO_CALL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
