#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What a broken or hostile server can make odoo-call do (issue 18).

- An answer that never ends (a JSON array streamed forever) is stopped at
  max_response_bytes: odoo-call stops reading within a chunk of the cap and
  exits, with ODOO_ETOOBIG naming the cap and the bytes received, after one
  request (never retried), and its peak RSS stays under the cap plus 64 MB.
  How long after the cap it exits is measured and printed, not asserted (a
  busy machine would make it fail).
  Run with the default cap (256 MiB) and with --max-response-bytes 8M; the
  figures are printed.
- A compressed answer is capped on its decoded size (a gzip bomb).
- A redirect (301/302/303/307/308) to another host:port, or to https on the
  same host, is not followed: no request at all reaches the target (so no
  cookie, password or bearer key), and the error names the target. For the
  session (password), /jsonrpc (API key) and JSON-2 (bearer) transports.

Every server is this test's own, on 127.0.0.1 / 127.0.0.2, on free ports.

    test_bounds.py path/to/odoo-call
"""
import resource
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest
import zlib

ODOO_CALL = None
MB = 1024 * 1024


def read_request(conn):
    """Read one HTTP request (headers and Content-Length body); its head or None."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    want = int(m.group(1)) if m else 0
    while len(body) < want:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class Server:
    """A TCP listener on host:0 answering every connection with handler(server,
    conn, request) in its own thread; counts connections and requests."""

    def __init__(self, handler, host="127.0.0.1"):
        self.handler = handler
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = []
        self.sent = 0
        self.cap_reached_at = None
        self.stopping = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            conn.settimeout(30)
            req = read_request(conn)
            if req is not None:
                with self.lock:
                    self.requests.append(req)
                self.handler(self, conn, req)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()


def endless(cap):
    """A handler: a JSON-RPC answer whose result array never ends; notes when
    `cap` bytes of body were sent."""
    record = b'{"id":1,"name":"an endless answer","amount":12.5},'
    chunk = record * (MB // len(record))

    def handler(srv, conn, _req):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\n\r\n")
        body = b'{"jsonrpc":"2.0","id":1,"result":['
        conn.sendall(body)
        sent = len(body)
        while not srv.stopping:
            # noted before the chunk that reaches the cap goes out: the client
            # may stop reading inside it and close, and then this sendall fails
            if srv.cap_reached_at is None and sent + len(chunk) >= cap:
                srv.cap_reached_at = time.monotonic()
            conn.sendall(chunk)
            sent += len(chunk)
            srv.sent = sent
    return handler


def redirect(status, location):
    def handler(_srv, conn, _req):
        conn.sendall(("HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Type: text/html\r\n"
                      "Content-Length: 0\r\nConnection: close\r\n\r\n" % (status, location))
                     .encode())
    return handler


def instrumented():
    """A sanitizer or valgrind build: its RSS is no measure of libodoo's."""
    if os.environ.get("ODOO_TEST_INSTRUMENTED"):
        return True
    with open(ODOO_CALL, "rb") as f:
        exe = f.read()
    return any(s in exe for s in (b"__asan_init", b"__tsan_init", b"__msan_init"))


def env_for(url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
    env.update(ODOO_URL=url, ODOO_DB="acme", ODOO_USER="admin", **extra)
    return env


def run_measured(argv, env, timeout=120):
    """Run argv; (returncode, stderr, seconds, peak RSS in bytes from
    getrusage via wait4, peak VmHWM seen in /proc while it ran, exit time)."""
    start = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm = 0
    deadline = start + timeout
    status = None
    while status is None:
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            status = st
            break
        try:
            with open("/proc/%d/status" % p.pid) as f:
                m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
                if m:
                    hwm = max(hwm, int(m.group(1)) * 1024)
        except OSError:
            pass
        if time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            raise AssertionError("%s did not exit within %d s" % (argv, timeout))
        time.sleep(0.005)
    end = time.monotonic()
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    return p.returncode, err, end - start, ru.ru_maxrss * 1024, hwm, end


class AnswerCapTest(unittest.TestCase):
    def endless_run(self, cap, flag):
        srv = Server(endless(cap))
        try:
            argv = [ODOO_CALL] + (["--max-response-bytes", flag] if flag else []) + \
                   ["sale.order", "search_read", "[[]]"]
            rc, err, secs, rss, hwm, end = run_measured(
                argv, env_for("http://127.0.0.1:%d" % srv.port, ODOO_PASSWORD="admin"))
            self.assertEqual(rc, 4, err)
            m = re.search(r"ODOO_ETOOBIG: answer larger than max_response_bytes \((\d+) bytes\): "
                          r"stopped after (\d+) bytes", err)
            self.assertTrue(m, err)
            self.assertEqual(int(m.group(1)), cap)
            received = int(m.group(2))
            self.assertGreater(received, cap)
            self.assertLessEqual(received, cap + MB)  # it stopped at the cap
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIsNotNone(srv.cap_reached_at)
            after_cap = end - srv.cap_reached_at
            peak = max(rss, hwm)
            print("endless answer, cap %d bytes (%s): stopped after %d bytes; exit %.2f s "
                  "after the server sent the cap (%.2f s in all); peak RSS %.1f MiB "
                  "(getrusage %.1f MiB, an upper bound: it includes the test process's own "
                  "%.1f MiB at spawn; VmHWM sampled %.1f MiB), limit %.1f MiB; requests %d"
                  % (cap, flag or "default", received, after_cap, secs, peak / MB, rss / MB,
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, hwm / MB,
                     (cap + 64 * MB) / MB, len(srv.requests)))
            if instrumented():
                print("(an instrumented build: its memory figures mean nothing, not checked)")
            else:
                self.assertLess(peak, cap + 64 * MB)
            self.assertEqual(len(srv.requests), 1)  # not retried
        finally:
            srv.stop()

    def test_small_cap(self):
        self.endless_run(8 * MB, "8M")

    def test_default_cap(self):
        self.endless_run(256 * MB, None)

    def test_compressed_answer_capped_on_its_decoded_size(self):
        # compressed piecewise: the test process stays small (its peak RSS is
        # folded into the RSS figure getrusage gives for a child it spawns)
        z = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: the gzip format
        parts = [z.compress(b'{"jsonrpc":"2.0","id":1,"result":[')]
        piece = b"0," * (MB // 2)
        for _ in range(12):
            parts.append(z.compress(piece))
        parts.append(z.compress(b"0]}") + z.flush())
        body = b"".join(parts)
        self.assertLess(len(body), 256 * 1024)
        d, n = zlib.decompressobj(31), 0
        for i in range(0, len(body), 4096):
            n += len(d.decompress(body[i:i + 4096], MB))
            while d.unconsumed_tail:
                n += len(d.decompress(d.unconsumed_tail, MB))
        self.assertEqual(n, 12 * MB + 37)  # what it unpacks to

        def handler(_srv, conn, _req):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Encoding: gzip\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % len(body) + body)
        srv = Server(handler)
        try:
            rc, err, _, _, _, _ = run_measured(
                [ODOO_CALL, "--max-response-bytes", "8M", "sale.order", "search_read", "[[]]"],
                env_for("http://127.0.0.1:%d" % srv.port, ODOO_PASSWORD="admin"))
            self.assertEqual(rc, 4, err)
            m = re.search(r"ODOO_ETOOBIG: answer larger than max_response_bytes \(8388608 bytes\)"
                          r": stopped after (\d+) bytes", err)
            self.assertTrue(m, err)
            print("gzip answer: %d bytes on the wire, stopped after %s decoded bytes (cap 8 MiB)"
                  % (len(body), m.group(1)))
            self.assertEqual(len(srv.requests), 1)
        finally:
            srv.stop()

    def test_bad_flag_values(self):
        for bad in ("", "-1", "12x", "1T", "99999999999999999999", "8 M"):
            p = subprocess.run([ODOO_CALL, "--max-response-bytes", bad, "res.partner", "search",
                                "[[]]"], env=env_for("http://127.0.0.1:1"), capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
            self.assertIn("--max-response-bytes wants a number of bytes", p.stderr)


class RedirectTest(unittest.TestCase):
    """No redirect is followed: the target sees no connection at all."""

    TRANSPORTS = [
        ("session", {"ODOO_PASSWORD": "s3cret-password"}),
        ("jsonrpc", {"ODOO_API_KEY": "s3cret-api-key"}),
        ("json2", {"ODOO_API_KEY": "s3cret-api-key"}),
    ]

    def check(self, target_host, scheme):
        target = Server(lambda *a: None, host=target_host)
        try:
            for status in (301, 302, 303, 307, 308):
                loc = "%s://%s:%d/odoo/web/session/authenticate?token=t0ken" % (
                    scheme, target_host, target.port)
                front = Server(redirect(status, loc))
                try:
                    for transport, creds in self.TRANSPORTS:
                        p = subprocess.run(
                            [ODOO_CALL, "--transport", transport, "res.partner", "search_count",
                             "[[]]"],
                            env=env_for("http://127.0.0.1:%d" % front.port, **creds),
                            capture_output=True, text=True, timeout=60)
                        self.assertEqual(p.returncode, 4, p.stderr)
                        want = ("ODOO_EHTTP: HTTP %d redirect to %s://%s:%d/odoo/web/session/"
                                "authenticate?...: not followed; set url to the target"
                                % (status, scheme, target_host, target.port))
                        self.assertIn(want, p.stderr)
                        self.assertNotIn("t0ken", p.stderr)
                        self.assertNotIn("s3cret", p.stderr)
                    self.assertEqual(len(front.requests), len(self.TRANSPORTS))  # no retry
                finally:
                    front.stop()
            self.assertEqual(target.connections, 0)
            self.assertEqual(target.requests, [])
        finally:
            target.stop()

    def test_redirect_to_another_host(self):
        self.check("127.0.0.2", "http")

    def test_redirect_to_https_on_the_same_host(self):
        self.check("127.0.0.1", "https")

    def test_relative_redirect(self):
        front = Server(redirect(303, "/odoo"))
        try:
            p = subprocess.run([ODOO_CALL, "res.partner", "search_count", "[[]]"],
                               env=env_for("http://127.0.0.1:%d" % front.port,
                                           ODOO_PASSWORD="pw"),
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("HTTP 303 redirect to http://127.0.0.1:%d/odoo: not followed"
                          % front.port, p.stderr)
            # each path the client tries is asked once: the version probe, then the login
            self.assertLessEqual(len(front.requests), 2)
        finally:
            front.stop()


if __name__ == "__main__":
    ODOO_CALL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
