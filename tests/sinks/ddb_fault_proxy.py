#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A fault-injecting HTTP proxy in front of DynamoDB Local (standard library
only). It binds 127.0.0.1 on a free port and prints "PORT <n>" first.

    ddb_fault_proxy.py --upstream http://127.0.0.1:PORT

Requests are forwarded as they are (DynamoDB Local does not check
signatures, so a forwarded body may be changed). Faults, for the operations
listed in "targets" (default: BatchWriteItem), drawn from a seeded random
generator:

  throttle   answer HTTP 400 ProvisionedThroughputExceededException
  partial    forward only a subset of a BatchWriteItem's items and return the
             others in UnprocessedItems
  error500   answer HTTP 500 InternalServerError
  reset      close the connection without an answer (after reading the request)

Control API (JSON):
  POST /__proxy/faults  {"throttle": 0.2, "partial": 0.2, "error500": 0,
                         "reset": 0, "seed": 1, "targets": ["BatchWriteItem"],
                         "force": [{"status": 400, "type": "AccessDeniedException",
                                    "message": "...", "count": 3,
                                    "target": "BatchWriteItem"}]}
                        replaces the fault settings and resets the stats
  GET  /__proxy/stats   {"requests", "forwarded", "throttled", "partial",
                         "partial_items", "error500", "reset", "forced", "by_target"}
"""
import argparse
import http.client
import json
import random
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {}
LOCAL = threading.local()


def reset_state(cfg):
    STATE.clear()
    STATE.update({
        "throttle": float(cfg.get("throttle", 0)),
        "partial": float(cfg.get("partial", 0)),
        "error500": float(cfg.get("error500", 0)),
        "reset": float(cfg.get("reset", 0)),
        "targets": list(cfg.get("targets", ["BatchWriteItem"])),
        "force": [dict(f) for f in cfg.get("force", [])],
        "rng": random.Random(cfg.get("seed", 1)),
        "stats": {"requests": 0, "forwarded": 0, "throttled": 0, "partial": 0,
                  "partial_items": 0, "error500": 0, "reset": 0, "forced": 0,
                  "by_target": {}},
    })


reset_state({})


def aws_error(type_name, message):
    return json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#" + type_name,
                       "message": message}).encode()


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, status, body, ctype="application/x-amz-json-1.0"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "proxy")
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        if self.path == "/__proxy/stats":
            with LOCK:
                body = json.dumps(STATE["stats"]).encode()
            self.reply(200, body, "application/json")
            return
        self.forward("GET", b"")

    def upstream_call(self, method, body, headers):
        for attempt in (0, 1):
            conn = getattr(LOCAL, "conn", None)
            if conn is None:
                u = urllib.parse.urlsplit(self.upstream)
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
                LOCAL.conn = conn
            try:
                conn.request(method, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp.getheader("Content-Type") or "", data
            except (OSError, http.client.HTTPException):
                conn.close()
                LOCAL.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def forward(self, method, body):
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("content-length", "connection", "expect")}
        headers["Content-Length"] = str(len(body))
        status, ctype, data = self.upstream_call(method, body, headers)
        with LOCK:
            STATE["stats"]["forwarded"] += 1
        return status, ctype, data

    def do_POST(self):
        body = self.read_body()
        if self.path == "/__proxy/faults":
            cfg = json.loads(body or b"{}")
            with LOCK:
                reset_state(cfg)
            self.reply(200, b"{}", "application/json")
            return
        target = (self.headers.get("X-Amz-Target") or "").split(".")[-1]
        action, force = "forward", None
        with LOCK:
            st = STATE["stats"]
            st["requests"] += 1
            st["by_target"][target] = st["by_target"].get(target, 0) + 1
            for f in STATE["force"]:
                if f.get("count", 0) > 0 and f.get("target", target) == target:
                    f["count"] -= 1
                    force = f
                    st["forced"] += 1
                    break
            if force is None and target in STATE["targets"]:
                r = STATE["rng"].random()
                edges = [("throttle", STATE["throttle"]), ("partial", STATE["partial"]),
                         ("error500", STATE["error500"]), ("reset", STATE["reset"])]
                acc = 0.0
                for name, p in edges:
                    acc += p
                    if r < acc:
                        action = name
                        break
            keep_fraction = STATE["rng"].random()
        if force is not None:
            self.reply(int(force.get("status", 400)),
                       aws_error(force.get("type", "ValidationException"),
                                 force.get("message", "injected by the test proxy")))
            return
        if action == "throttle":
            with LOCK:
                STATE["stats"]["throttled"] += 1
            self.reply(400, aws_error("ProvisionedThroughputExceededException",
                                      "The level of configured provisioned throughput for the "
                                      "table was exceeded (injected)"))
            return
        if action == "error500":
            with LOCK:
                STATE["stats"]["error500"] += 1
            self.reply(500, json.dumps({"__type": "com.amazon.coral.service#InternalServerError",
                                        "message": "injected"}).encode())
            return
        if action == "reset":
            with LOCK:
                STATE["stats"]["reset"] += 1
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        if action == "partial":
            req = json.loads(body)
            items = req.get("RequestItems", {})
            if len(items) == 1:
                table, reqs = next(iter(items.items()))
                if len(reqs) > 1:
                    k = max(1, min(len(reqs) - 1, int(len(reqs) * keep_fraction)))
                    kept, left = reqs[:k], reqs[k:]
                    req["RequestItems"][table] = kept
                    status, ctype, data = self.forward(
                        "POST", json.dumps(req).encode())
                    if status == 200:
                        ans = json.loads(data)
                        un = ans.setdefault("UnprocessedItems", {})
                        un.setdefault(table, []).extend(left)
                        data = json.dumps(ans).encode()
                        with LOCK:
                            STATE["stats"]["partial"] += 1
                            STATE["stats"]["partial_items"] += len(left)
                    self.reply(status, data, ctype or "application/x-amz-json-1.0")
                    return
        status, ctype, data = self.forward("POST", body)
        self.reply(status, data, ctype or "application/x-amz-json-1.0")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    args = ap.parse_args()
    Proxy.upstream = args.upstream
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
