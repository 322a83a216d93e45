#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A replay server for the decode-only figures: a caching proxy in front of the
emulator. The first request of a kind (path + body without its JSON-RPC "id") goes
to the emulator; every later one is answered from memory with the recorded status,
headers and body (its "id" set to the request's), so the server costs almost
nothing and the client's own time shows.

    replay_server.py UPSTREAM_URL      prints "LISTENING <port>" (127.0.0.1 only)
"""
import http.client
import http.server
import json
import re
import sys
import threading
from urllib.parse import urlparse

UP = urlparse(sys.argv[1])
CACHE = {}
LOCK = threading.Lock()
ID_RE = re.compile(rb'"id": *(null|"[^"]*"|-?[0-9]+)')


def key_of(path, body):
    try:
        doc = json.loads(body)
        rid = doc.pop("id", None)
        return path + json.dumps(doc, sort_keys=True), rid
    except ValueError:
        return path + body.decode("latin-1"), None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key, rid = key_of(self.path, body)
        with LOCK:
            hit = CACHE.get(key)
        if hit is None:
            conn = http.client.HTTPConnection(UP.hostname, UP.port, timeout=600)
            hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
            conn.request("POST", self.path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            hit = (r.status, [(k, v) for k, v in r.getheaders()
                              if k.lower() not in ("content-length", "connection",
                                                   "transfer-encoding", "date")], data)
            conn.close()
            with LOCK:
                CACHE[key] = hit
        status, headers, data = hit
        if rid is not None:
            data = ID_RE.sub(b'"id": ' + json.dumps(rid).encode(), data, count=1)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("LISTENING %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
