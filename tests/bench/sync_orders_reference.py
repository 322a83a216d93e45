# SPDX-License-Identifier: MIT
"""The reference for odoo-sync-orders --all: a sale-order sync written the way the
original Lambda is (a requests-style session with a cookie jar against
/web/session/authenticate and /web/dataset/call_kw, then boto3 put_item per record).
Standard library + boto3 only; run with the machine image's Python (boto3).

    sync_orders_reference.py TABLE [PAGE]

Odoo from ODOO_URL, ODOO_DB, ODOO_EMAIL, ODOO_PASSWORD; DynamoDB from the standard
AWS environment (AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local). The items are the
ones odoo-sync-orders writes (docs/odoo-sync-orders.md). Prints one JSON summary.
"""
import http.cookiejar
import json
import os
import sys
import time
import urllib.request
from datetime import datetime, timezone
from decimal import Decimal

import boto3

FIELDS = ["id", "name", "partner_id", "amount_total", "state", "date_order", "write_date"]


class Session:
    """What the Lambda's requests.Session did: cookies kept, JSON posted."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.seq = 0

    def post(self, path, params):
        self.seq += 1
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": self.seq,
                           "params": params}).encode()
        req = urllib.request.Request(self.url + path, data=body,
                                     headers={"Content-Type": "application/json"})
        with self.opener.open(req, timeout=120) as resp:
            status = resp.status
            data = json.loads(resp.read(), parse_float=Decimal)
        if data.get("error"):
            raise RuntimeError(data["error"]["data"]["message"])
        return status, data["result"]


def main():
    table_name = sys.argv[1]
    page = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    t0 = time.monotonic()
    s = Session(os.environ["ODOO_URL"])
    s.post("/web/session/authenticate", {"db": os.environ["ODOO_DB"],
                                         "login": os.environ["ODOO_EMAIL"],
                                         "password": os.environ["ODOO_PASSWORD"]})
    table = boto3.resource("dynamodb").Table(table_name)
    read = written = 0
    offset = 0
    while True:
        status, rows = s.post("/web/dataset/call_kw", {
            "model": "sale.order", "method": "search_read", "args": [[]],
            "kwargs": {"fields": FIELDS, "limit": page, "offset": offset, "order": "id asc"}})
        for o in rows:
            partner = o.get("partner_id")
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            table.put_item(Item={
                "order_name": o["name"],
                "order_id": str(o["id"]),
                "customer_id": partner[0] if partner else None,
                "customer_name": partner[1] if partner else None,
                "amount_total": o["amount_total"],
                "state": o["state"],
                "date_order": o["date_order"],
                "response_status": status,
                "last_updated_at": now,
                "odoo_write_date": o.get("write_date") or None,
            })
            written += 1
        read += len(rows)
        offset += len(rows)
        if len(rows) < page:
            break
    print(json.dumps({"read": read, "written": written, "seconds": time.monotonic() - t0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
