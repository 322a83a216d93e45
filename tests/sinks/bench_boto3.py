# SPDX-License-Identifier: MIT
"""The reference for bench_dynamodb: the same items written with boto3's
Table.batch_writer() (BatchWriteItem of 25, UnprocessedItems re-sent) to the
endpoint of the environment. Run with the machine image's Python (boto3).

    bench_boto3.py [ITEMS]
"""
import os
import sys
import time
from decimal import Decimal

import boto3


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    ddb = boto3.resource("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
                         region_name=os.environ.get("AWS_REGION", "eu-west-1"))
    name = "bench-boto3-%d" % os.getpid()
    table = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    table.wait_until_exists()
    t0 = time.monotonic()
    with table.batch_writer() as w:
        for i in range(1, n + 1):
            w.put_item(Item={
                "id": i, "name": "SO%06d" % i, "amount_total": Decimal(repr(i * 1.25)),
                "active": i % 2 == 0, "state": "sale", "partner_id": [i % 50, "Deco Addict"],
                "write_date": "2024-05-06 12:00:00"})
    t1 = time.monotonic()
    count, start = 0, None
    while True:
        kw = {"Select": "COUNT"}
        if start:
            kw["ExclusiveStartKey"] = start
        page = table.scan(**kw)
        count += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    print("boto3 batch_writer:     %d items in %.2f s = %.0f items/s (scan count %d)"
          % (n, t1 - t0, n / (t1 - t0), count))
    return 0 if count == n else 1


if __name__ == "__main__":
    sys.exit(main())
