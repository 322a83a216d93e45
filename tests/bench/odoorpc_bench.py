#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""OdooRPC's side of the benchmarks (Debian python3-odoorpc; run with /usr/bin/python3).

    odoorpc_bench.py fetch N REPS     one search_read of N sale.order records, 7 fields
    odoorpc_bench.py page N PAGE REPS the same records by offset pages of PAGE

Connection from ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD. One JSON line per rep:
wall and CPU (time.process_time: user+sys of this process) of the measured part only.
"""
import json
import os
import sys
import time
from urllib.parse import urlparse

import odoorpc

FIELDS = ["name", "partner_id", "amount_total", "state", "date_order", "write_date", "user_id"]


def connect():
    u = urlparse(os.environ["ODOO_URL"])
    odoo = odoorpc.ODOO(u.hostname, protocol="jsonrpc", port=u.port, timeout=600)
    odoo.login(os.environ["ODOO_DB"], os.environ["ODOO_USER"], os.environ["ODOO_PASSWORD"])
    return odoo


def main():
    mode = sys.argv[1]
    odoo = connect()
    odoo.execute_kw("sale.order", "search_read", [[]], {"fields": FIELDS, "limit": 1})  # warm-up
    if mode == "fetch":
        n, reps = int(sys.argv[2]), int(sys.argv[3])
        for _ in range(reps):
            t0, c0 = time.monotonic(), time.process_time()
            rows = odoo.execute_kw("sale.order", "search_read", [[]],
                                   {"fields": FIELDS, "limit": n, "order": "id asc"})
            print(json.dumps({"wall": time.monotonic() - t0, "cpu": time.process_time() - c0,
                              "n": len(rows)}), flush=True)
    elif mode == "page":
        n, page, reps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        for _ in range(reps):
            t0, c0 = time.monotonic(), time.process_time()
            count, offset = 0, 0
            while True:
                rows = odoo.execute_kw("sale.order", "search_read", [[]],
                                       {"fields": FIELDS, "limit": page, "offset": offset,
                                        "order": "id asc"})
                count += len(rows)
                offset += len(rows)
                if len(rows) < page:
                    break
            print(json.dumps({"wall": time.monotonic() - t0, "cpu": time.process_time() - c0,
                              "n": count, "expected": n}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
