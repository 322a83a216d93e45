#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""odoo-sync-orders --lambda caps the event it reads from the Runtime API's
/next (LAMBDA_EVENT_CAP, 7 MiB: Lambda's 6 MB synchronous payload limit plus
headroom), checked as the bytes arrive.

A Runtime API stub on 127.0.0.1:
- streams an event that never ends: the runtime stops within seconds of the
  cap, reports the invocation as failed (POST /error, OdooSyncEventTooLarge,
  naming the cap), exits 4 with the message, and its peak RSS stays under the
  cap + 64 MB;
- hands over an event of exactly 6 MiB (the largest Lambda sends): it is read
  whole and handled (no sink configured, so the run fails as usual with "no
  sink", not with the cap).

    test_lambda_cap.py path/to/odoo-sync-orders
"""
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SYNC = None
CAP = 7 * 1024 * 1024            # LAMBDA_EVENT_CAP in apps/sync-orders/lambda.c
LAMBDA_MAX_EVENT = 6 * 1024 * 1024
RSS_MARGIN = 64 * 1024 * 1024    # the bound: peak RSS < cap + 64 MB
DEADLINE = 60                    # generous: the runtime stops within seconds
ENDLESS_LIMIT = 4 * 1024 ** 3    # the stub gives up after 4 GiB (the test has failed by then)


class Stub(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode):
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = mode
        self.lock = threading.Lock()
        self.posts = []            # (path, headers, body)
        self.next_calls = 0
        self.sent = 0              # event bytes written
        self.cap_reached_at = None  # when the stub had written CAP bytes
        self.stream_ended = None


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server
        if not self.path.endswith("/runtime/invocation/next"):
            self.send_error(404)
            return
        with srv.lock:
            srv.next_calls += 1
            n = srv.next_calls
        if n > 1:
            # a second /next after the endless one means the runtime went on: hold it
            # until the test stops us (it fails on the runtime not exiting)
            time.sleep(DEADLINE)
            return
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "req-%d" % n)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 900000))
        self.send_header("Content-Type", "application/json")
        if srv.mode == "endless":
            # no Content-Length: the body ends when the connection closes, which it never does
            self.end_headers()
            chunk = b"0," * 32768
            try:
                self.wfile.write(b'{"domain": [')
                while srv.sent < ENDLESS_LIMIT:
                    self.wfile.write(chunk)
                    srv.sent += len(chunk)
                    if srv.cap_reached_at is None and srv.sent >= CAP:
                        srv.cap_reached_at = time.monotonic()
            except (BrokenPipeError, ConnectionResetError):
                pass
            srv.stream_ended = time.monotonic()
            self.close_connection = True
        else:
            head = b'{"pad": "'
            tail = b'"}'
            body = head + b"x" * (LAMBDA_MAX_EVENT - len(head) - len(tail)) + tail
            assert len(body) == LAMBDA_MAX_EVENT
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            srv.sent = len(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with self.server.lock:
            self.server.posts.append((self.path, dict(self.headers), body))
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "16")
        self.end_headers()
        self.wfile.write(b'{"status":"OK"}\n')


class LambdaCapTest(unittest.TestCase):
    def run_runtime(self, mode):
        """Start the runtime against a stub; return (stub, exit code, stderr, peak RSS bytes,
        seconds from the stub reaching the cap to the runtime's exit)."""
        stub = Stub(mode)
        threading.Thread(target=stub.serve_forever, daemon=True).start()
        self.addCleanup(stub.server_close)
        self.addCleanup(stub.shutdown)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % stub.server_address[1],
               "ODOO_SYNC_LAMBDA_MAX_INVOCATIONS": "1"}
        for k in ("LD_LIBRARY_PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        err = tempfile.TemporaryFile()
        p = subprocess.Popen([SYNC, "--lambda"], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=err)
        start = time.monotonic()
        status = rusage = None
        while time.monotonic() - start < DEADLINE:
            pid, st, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                status, rusage = st, ru
                break
            time.sleep(0.02)
        if status is None:
            p.kill()
            _, status, rusage = os.wait4(p.pid, 0)
            p.returncode = -signal.SIGKILL
            err.seek(0)
            self.fail("the runtime did not exit within %d s (stub sent %d bytes); stderr: %s"
                      % (DEADLINE, stub.sent, err.read().decode(errors="replace")[-2000:]))
        ended = time.monotonic()
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        err.close()
        peak = rusage.ru_maxrss * 1024  # kB on Linux
        after_cap = ended - stub.cap_reached_at if stub.cap_reached_at else None
        return stub, p.returncode, stderr, peak, after_cap

    def test_endless_event_stops_at_the_cap(self):
        stub, code, stderr, peak, after_cap = self.run_runtime("endless")
        bound = CAP + RSS_MARGIN  # also under AddressSanitizer (39 MB measured)
        print("endless event: exit %d, stub sent %d bytes, the runtime exited %.2f s after "
              "the stub reached the cap, peak RSS %.1f MB (bound %.1f MB)"
              % (code, stub.sent, after_cap if after_cap is not None else -1,
                 peak / 1e6, bound / 1e6))
        print("stderr:", stderr.strip())
        self.assertEqual(code, 4, stderr)
        self.assertIn("the Lambda event is larger than %d bytes (LAMBDA_EVENT_CAP)" % CAP, stderr)
        self.assertRegex(stderr, r"stopped after \d+ bytes")
        self.assertIsNotNone(stub.cap_reached_at, "the stub never wrote the cap's worth")
        self.assertLess(stub.sent, 512 * 1024 * 1024, "the runtime kept reading far past the cap")
        self.assertLess(after_cap, 10.0, "the runtime did not stop soon after the cap")
        self.assertLess(peak, bound, "peak RSS %d above cap + 64 MB" % peak)
        # the invocation was reported failed, naming the cap
        errors = [(path, h, body) for path, h, body in stub.posts if path.endswith("/error")]
        self.assertEqual(len(errors), 1, stub.posts)
        path, headers, body = errors[0]
        self.assertEqual(path, "/2018-06-01/runtime/invocation/req-1/error")
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"),
                         "OdooSyncEventTooLarge")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "OdooSyncEventTooLarge")
        self.assertIn("larger than %d bytes" % CAP, doc["errorMessage"])
        self.assertFalse([p for p, _, _ in stub.posts if p.endswith("/response")])
        self.assertEqual(stub.next_calls, 1, "the runtime asked for another event")

    def test_largest_lambda_event_is_read(self):
        stub, code, stderr, peak, _ = self.run_runtime("max")
        print("6 MiB event: exit %d, peak RSS %.1f MB" % (code, peak / 1e6))
        self.assertEqual(code, 0, stderr)
        self.assertNotIn("LAMBDA_EVENT_CAP", stderr)
        errors = [(path, body) for path, _, body in stub.posts if path.endswith("/error")]
        self.assertEqual(len(errors), 1, stub.posts)
        doc = json.loads(errors[0][1])
        # read whole and handled: the run fails for want of a sink, not for the size
        self.assertEqual(doc["errorType"], "OdooSyncError", doc)
        self.assertIn("no sink", doc["errorMessage"])


if __name__ == "__main__":
    SYNC = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
