#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# README's first command, the main job: install what is needed, build
# libodoo, start the bundled Odoo emulator (3,000 sale orders) and Amazon
# DynamoDB Local on free loopback ports, run the sale-order sync
#   odoo-sync-orders --all --sink json:out/orders.json --sink dynamodb:Orders
# print its summary and where the output is, and stop the servers.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/setup-debian.sh
cmake -S . -B build -DPython3_EXECUTABLE=/usr/bin/python3 -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" \
      --target odoo-sync-orders odoo-call odoo_test_loopback_bind > /dev/null
echo "built: build/src/libodoo.so.1, build/src/libodoo-aws.so.1, build/apps/sync-orders/odoo-sync-orders, build/tools/odoo-call"

mkdir -p out
rm -f out/orders.json out/dynamodb-orders.json
cat > out/.job.sh <<'JOB'
set -euo pipefail
echo "Odoo emulator at $ODOO_URL (database $ODOO_DB), DynamoDB Local at $AWS_ENDPOINT_URL_DYNAMODB"
echo "== odoo-sync-orders --all --sink json:out/orders.json --sink dynamodb:Orders --create-table"
ODOO_EMAIL=$ODOO_USER build/apps/sync-orders/odoo-sync-orders --all --create-table \
    --sink json:out/orders.json --sink dynamodb:Orders --dead-letter-dir out > out/summary.json
echo "== summary:"
cat out/summary.json
echo "== the DynamoDB table, as a Scan sees it (first item):"
# A signed Scan with curl --aws-sigv4 (no boto3 needed); the key pair goes to
# curl on stdin, never on its command line.
/usr/bin/python3 - <<'PY'
import json, os, subprocess

def scan(start):
    body = {"TableName": "Orders"}
    if start:
        body["ExclusiveStartKey"] = start
    q = lambda v: v.replace("\\", "\\\\").replace('"', '\\"')
    cfg = 'user = "%s:%s"\n' % (q(os.environ["AWS_ACCESS_KEY_ID"]), q(os.environ["AWS_SECRET_ACCESS_KEY"]))
    r = subprocess.run(["curl", "-sS", "--fail-with-body", "-K", "-",
                        "--aws-sigv4", "aws:amz:%s:dynamodb" % os.environ["AWS_REGION"],
                        "-H", "Content-Type: application/x-amz-json-1.0",
                        "-H", "X-Amz-Target: DynamoDB_20120810.Scan",
                        "--data-binary", json.dumps(body), os.environ["AWS_ENDPOINT_URL_DYNAMODB"]],
                       input=cfg, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(r.stdout)

items, start = [], None
while True:
    r = scan(start)
    items += r["Items"]
    start = r.get("LastEvaluatedKey")
    if not start:
        break
print("%d items in table Orders" % len(items))
print(json.dumps(sorted(items, key=lambda i: int(i["order_id"]["S"]))[0], indent=1, sort_keys=True))
json.dump(items, open("out/dynamodb-orders.json", "w"))
PY
echo "== output: out/orders.json ($(/usr/bin/python3 -c 'import json; print(len(json.load(open("out/orders.json"))))') orders), out/dynamodb-orders.json (the table's items), out/summary.json"
JOB
/usr/bin/python3 tests/sinks/run_with_aws.py --dynamodb \
    --shim "$PWD/build/tests/sinks/libodoo_test_loopback_bind.so" -- \
  /usr/bin/python3 tests/emulator/run_with_emulator.py --orders 3000 -- \
  bash out/.job.sh
rm -f out/.job.sh
