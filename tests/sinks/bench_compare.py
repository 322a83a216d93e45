#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run both measurements against the same DynamoDB Local (under
run_with_aws.py --dynamodb --need-boto3) and print both lines.

    bench_compare.py BENCH_BINARY [ITEMS]
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    binary = sys.argv[1]
    n = sys.argv[2] if len(sys.argv) > 2 else "10000"
    # warm DynamoDB Local's JIT up first, so that neither run pays for it
    print("warm-up:", flush=True)
    subprocess.call([binary, "3000"])
    print("measured:", flush=True)
    rc = subprocess.call([binary, n])
    rc2 = subprocess.call([os.environ["ODOO_TEST_AWS_PYTHON"],
                           os.path.join(HERE, "bench_boto3.py"), n])
    return rc or rc2


if __name__ == "__main__":
    sys.exit(main())
