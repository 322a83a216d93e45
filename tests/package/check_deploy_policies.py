#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The deployments grant exactly what odoo-sync-orders does on its state table.

apps/sync-orders/state.c is the only code that touches the state table: the
DynamoDB operations it calls there (odoo_dynamodb_call(st->db, ..., "Op", ...))
must be exactly the actions the SAM template and the Terraform module grant on
that table, no more, no less; both must hand the function its SYNC_STATE.

    check_deploy_policies.py PROJECT_ROOT
"""
import os
import re
import sys

import yaml


class CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"!" + suffix: value}


CfnLoader.add_multi_constructor("!", _tag)


def fail(msg):
    print("check_deploy_policies: " + msg)
    sys.exit(1)


def main(root):
    app = os.path.join(root, "apps", "sync-orders")
    state_c = open(os.path.join(app, "state.c")).read()
    ops = set(re.findall(r'odoo_dynamodb_call\(st->db,\s*[^,]+,\s*"([A-Za-z]+)"', state_c))
    # CreateTable runs only with --create-table, which a deployment does not pass
    ops.discard("CreateTable")
    if not ops:
        fail("found no DynamoDB call in state.c (has the code moved?)")
    want = {"dynamodb:" + op for op in ops}

    tpl = yaml.load(open(os.path.join(app, "deploy", "template.yaml")), Loader=CfnLoader)
    res = tpl["Resources"]
    if "StateTable" not in res:
        fail("template.yaml has no StateTable")
    fn = res["SyncFunction"]["Properties"]
    if "SYNC_STATE" not in fn["Environment"]["Variables"]:
        fail("template.yaml: the function gets no SYNC_STATE")
    granted = set()
    for policy in fn["Policies"]:
        for st in policy.get("Statement", []):
            if st.get("Resource") == {"!GetAtt": "StateTable.Arn"}:
                acts = st["Action"]
                granted |= set([acts] if isinstance(acts, str) else acts)
    if granted != want:
        fail("template.yaml grants %s on StateTable; state.c calls %s"
             % (sorted(granted), sorted(want)))

    tf = open(os.path.join(app, "deploy", "terraform", "main.tf")).read()
    if "SYNC_STATE" not in tf:
        fail("main.tf: the function gets no SYNC_STATE")
    m = re.search(r'actions\s*=\s*\[([^\]]*)\]\s*\n\s*resources\s*=\s*\[aws_dynamodb_table\.state\.arn\]',
                  tf)
    if not m:
        fail("main.tf: no statement on aws_dynamodb_table.state")
    tf_granted = set(re.findall(r'"([^"]+)"', m.group(1)))
    if tf_granted != want:
        fail("main.tf grants %s on the state table; state.c calls %s"
             % (sorted(tf_granted), sorted(want)))
    print("check_deploy_policies: SAM and Terraform grant exactly %s on the state table"
          % ", ".join(sorted(want)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
