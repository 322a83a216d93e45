#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A container credentials endpoint for the tests (standard library only),
like the one ECS, EKS Pod Identity and Lambda give a container. Binds
127.0.0.1 on a free port and prints "PORT <n>" first.

    container_creds_server.py --token TOKEN

GET /creds[?expires_in=SECONDS]   with "Authorization: TOKEN": fresh
    credentials {"AccessKeyId": "ASIATESTCONTAINER<n>", "SecretAccessKey",
    "Token", "Expiration"} (n counts the answers; default expiry 1 hour);
    a missing or wrong token gets 401
GET /creds-bad-json               200 with a body that is not JSON
GET /creds-missing                200 with JSON lacking SecretAccessKey
GET /creds-500                    500
GET /__stats                      {"hits": n, "served": n, "unauthorized": n}
"""
import argparse
import datetime
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"hits": 0, "served": 0, "unauthorized": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/__stats":
            with LOCK:
                self.reply(200, json.dumps(STATS))
            return
        with LOCK:
            STATS["hits"] += 1
        if self.headers.get("Authorization") != self.token:
            with LOCK:
                STATS["unauthorized"] += 1
            self.reply(401, '{"message": "unauthorized"}')
            return
        if u.path == "/creds":
            expires_in = int(q.get("expires_in", ["3600"])[0])
            with LOCK:
                STATS["served"] += 1
                n = STATS["served"]
            exp = (datetime.datetime.now(datetime.timezone.utc)
                   + datetime.timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.reply(200, json.dumps({
                "AccessKeyId": "ASIATESTCONTAINER%d" % n,
                "SecretAccessKey": "container-secret-%d" % n,
                "Token": "container-session-token-%d" % n,
                "Expiration": exp,
                "RoleArn": "arn:aws:iam::123456789012:role/test",
            }))
        elif u.path == "/creds-bad-json":
            self.reply(200, "AccessKeyId=ASIA; SecretAccessKey=container-secret-leak")
        elif u.path == "/creds-missing":
            self.reply(200, json.dumps({"AccessKeyId": "ASIATESTMISSING"}))
        elif u.path == "/creds-500":
            self.reply(500, '{"message": "boom"}')
        else:
            self.reply(404, '{"message": "not found"}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    args = ap.parse_args()
    Handler.token = args.token
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
