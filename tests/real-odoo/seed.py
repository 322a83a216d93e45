# SPDX-License-Identifier: MIT
# The production-like dataset of every real-Odoo test database, run by
# realodoo.py inside `odoo-bin shell` (where `env` is the superuser's
# environment); the shell rolls back at exit, so every step commits.
#
#   - an admin API key (written to the file named by LIBODOO_SEED_KEYFILE)
#     and the admin password of LIBODOO_SEED_ADMIN_PASSWORD;
#   - a `limited` internal user without Sales rights (password `limited`);
#   - 40 products LIBODOO-P001..040 with a default_code, the last 8 archived;
#   - LIBODOO_SEED_ORDERS sale orders (default 2,000) created 250 per
#     transaction, so hundreds of records share one write_date as after any
#     import; every 7th with a customer reference PERF-<n>; a third of them
#     confirmed, 250 per transaction, which gives real stock.picking records.
import os
import datetime

version = int(odoo.release.version_info[0])  # noqa: F821 (the shell's globals)
n_orders = int(os.environ.get("LIBODOO_SEED_ORDERS", "2000"))
batch = 250

admin = env.ref("base.user_admin")  # noqa: F821
admin_password = os.environ["LIBODOO_SEED_ADMIN_PASSWORD"]
admin.password = admin_password
env.cr.commit()  # noqa: F821

# ---- the admin API key (as the admin user, not as __system__) ------------------
keys = env(user=admin.id)["res.users.apikeys"]  # noqa: F821
if version >= 18:
    key = keys._generate(None, "libodoo tests", None)
else:
    key = keys._generate(None, "libodoo tests")
with open(os.environ["LIBODOO_SEED_KEYFILE"], "w") as f:
    f.write(key + "\n")
env.cr.commit()  # noqa: F821

# ---- a limited internal user: no Sales, no Inventory ---------------------------
groups_field = "group_ids" if version >= 19 else "groups_id"
env["res.users"].with_context(no_reset_password=True).create({  # noqa: F821
    "name": "Limited User",
    "login": "limited",
    "password": "limited",
    groups_field: [(6, 0, [env.ref("base.group_user").id])],  # noqa: F821
})
env.cr.commit()  # noqa: F821

# ---- products with a default_code, some archived ---------------------------------
ptype = {"type": "consu"}
if version <= 17:
    ptype = {"detailed_type": "product"}
elif "is_storable" in env["product.template"]._fields:  # noqa: F821
    ptype = {"type": "consu", "is_storable": True}
products = env["product.product"].create([  # noqa: F821
    dict(ptype, name="libodoo product %03d" % i, default_code="LIBODOO-P%03d" % i,
         list_price=round(3.5 + i * 1.25, 2), sale_ok=True)
    for i in range(1, 41)
])
env.cr.commit()  # noqa: F821
products[-8:].write({"active": False})
env.cr.commit()  # noqa: F821
live = products[:-8]

# ---- sale orders, 250 per transaction --------------------------------------------
partners = env["res.partner"].search([("customer_rank", ">", 0)], limit=20) or \
    env["res.partner"].search([("is_company", "=", True)], limit=20)  # noqa: F821
assert partners, "no partners in the demo data"
ids = []
for start in range(0, n_orders, batch):
    vals = []
    for i in range(start, min(start + batch, n_orders)):
        p = live[i % len(live)]
        v = {
            "partner_id": partners[i % len(partners)].id,
            "order_line": [(0, 0, {"product_id": p.id, "product_uom_qty": 1 + i % 5,
                                   "price_unit": p.list_price})],
        }
        if i % 7 == 0:
            v["client_order_ref"] = "PERF-%05d" % i
        vals.append(v)
    ids += env["sale.order"].create(vals).ids  # noqa: F821
    env.cr.commit()  # noqa: F821

# a third confirmed, 250 per transaction (action_confirm creates the pickings)
to_confirm = ids[::3]
for start in range(0, len(to_confirm), batch):
    env["sale.order"].browse(to_confirm[start:start + batch]).action_confirm()  # noqa: F821
    env.cr.commit()  # noqa: F821

print("LIBODOO-SEED-DONE orders=%d confirmed=%d pickings=%d at %s" % (
    len(ids), len(to_confirm), env["stock.picking"].search_count([]),  # noqa: F821
    datetime.datetime.utcnow().isoformat()))
