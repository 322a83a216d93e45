# SPDX-License-Identifier: MIT
"""Prepare a fresh moto_server for the tests (run with the image's Python,
which has boto3): an IAM user with an access key and an allow-all policy
(the first three requests, which moto lets through unauthenticated because
of INITIAL_NO_AUTH_ACTION_COUNT=3), then, signed with that key, the secrets
listed in moto_secrets.json. Prints {"AccessKeyId", "SecretAccessKey"}.

    moto_setup.py ENDPOINT REGION SECRETS_JSON
"""
import json
import sys

import boto3


def main():
    endpoint, region, secrets_file = sys.argv[1:4]
    anon = dict(endpoint_url=endpoint, region_name=region,
                aws_access_key_id="AKIASETUPONLY0000000", aws_secret_access_key="setup")
    iam = boto3.client("iam", **anon)
    iam.create_user(UserName="libodoo-test")
    key = iam.create_access_key(UserName="libodoo-test")["AccessKey"]
    iam.put_user_policy(UserName="libodoo-test", PolicyName="allow-all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    signed = dict(endpoint_url=endpoint, region_name=region,
                  aws_access_key_id=key["AccessKeyId"],
                  aws_secret_access_key=key["SecretAccessKey"])
    sm = boto3.client("secretsmanager", **signed)
    with open(secrets_file) as f:
        secrets = json.load(f)
    for name, value in secrets.items():
        if isinstance(value, dict) and "binary" in value:
            sm.create_secret(Name=name, SecretBinary=value["binary"].encode())
        else:
            sm.create_secret(Name=name, SecretString=value if isinstance(value, str)
                             else json.dumps(value))
    json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]},
              sys.stdout)


if __name__ == "__main__":
    main()
