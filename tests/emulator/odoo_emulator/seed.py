# SPDX-License-Identifier: MIT
"""The deterministic demo database: everything comes from random.Random(seed)."""

import calendar
import collections
import gc
import random
import re
import time

from .dates import DATE_FORMAT, stamp_us
from .models import line_uom_field
from .orm import Registry
from .versions import Flavor


DEMO_COMPANIES = [      # ids 7.. (Deco Addict 10, Gemini Furniture 11, Ready Mat 12 and
    # Lumber Inc 16 have the ids of the Odoo 18 demo data seen in the captures)
    'Acme Corporation', 'Azure Interior', 'Wood Corner', 'Deco Addict', 'Gemini Furniture', 'Ready Mat',
    'LightsUp', 'Müller GmbH', 'Zoë Café', 'Lumber Inc', 'Ñandú Logística S.A.', '日本商事株式会社',
    'Brasserie Élise', 'Nordic Fjørd AS']
DEMO_CONTACTS = [
    ('Addison Olson', 'Deco Addict'), ('Douglas Fletcher', 'Deco Addict'),
    ('Floyd Steward', 'Deco Addict'), ('Brandon Freeman', 'Azure Interior'),
    ('Lorraine Douglas', 'Lumber Inc'), ('Ron Gibson', 'Wood Corner'), ('Jesse Brown', 'Ready Mat'),
    ('Søren Kierkegaard', 'Nordic Fjørd AS'), ('Amélie Poulain', 'Brasserie Élise'),
    ('Jürgen Weiß', 'Müller GmbH')]
CUSTOMER_COUNT = 50
PRODUCTS = [  # name, type, list price
    ('Office Chair', 'consu', 70.0), ('Desk Lamp', 'consu', 35.5), ('Large Desk', 'consu', 1799.0),
    ('Drawer Black', 'consu', 25.0), ('Cable Management Box', 'consu', 100.0),
    ('Virtual Interior Design', 'service', 30.75), ('Virtual Home Staging', 'service', 38.25),
    ('Customizable Desk', 'consu', 750.0), ('Corner Desk Right Sit', 'consu', 147.0),
    ('Acoustic Bloc Screens', 'consu', 295.0), ('Pedal Bin', 'consu', 47.0),
    ('Three-Seat Sofa', 'consu', 1500.0), ('Storage Box', 'consu', 15.8), ('Large Cabinet', 'consu', 320.0),
    ('Flipover', 'consu', 1950.0), ('Whiteboard Pen', 'consu', 1.2), ('Magnetic Board', 'consu', 1.98),
    ('Monitor Stand', 'consu', 3.19), ('Café Table Ø80', 'consu', 412.5), ('Conference Chair', 'consu', 33.0)]
SEED_EPOCH = calendar.timegm((2026, 1, 1, 0, 0, 0))       # create/write dates of seeded rows
ORDER_EPOCH = calendar.timegm((2025, 1, 1, 0, 0, 0))      # date_order spread over 2025-2026


class _TimestampFormatter:
    """Fast epoch -> 'YYYY-MM-DD HH:MM:SS' (the day part is cached)."""

    def __init__(self):
        self._days = {}

    def __call__(self, ts):
        day, sec = divmod(int(ts), 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime(DATE_FORMAT, time.gmtime(day * 86400))
        hours, rest = divmod(sec, 3600)
        return f'{prefix} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}'


def seed_database(registry, orders, seed, batch=1):
    """Fill the registry: reference data, ~50 customers, 20 products, `orders` sale
    orders (1-4 lines each) and a delivery for every confirmed order."""
    flavor = registry.flavor
    rng = random.Random(seed)
    fmt = _TimestampFormatter()
    tables = registry.tables
    stamp = stamp_us(fmt(SEED_EPOCH - 86400), 250000)     # stored with microseconds

    def insert(model, rid, **values):
        values.setdefault('create_uid', 1)
        values.setdefault('write_uid', 1)
        values.setdefault('create_date', stamp)
        values.setdefault('write_date', stamp)
        for fname, field in tables[model].fields.items():
            if fname not in values and field.default is not None and not callable(field.default):
                values[fname] = field.default
        tables[model].insert(values, rid)

    insert('res.currency', 1, name='USD', symbol='$', position='before')
    insert('res.currency', 2, name='EUR', symbol='€', position='after', active=False)
    for rid, name in enumerate(['Units', 'Dozens', 'kg', 'Hours'], 1):
        insert('uom.uom', rid, name=name)
    insert('product.category', 1, name='All')
    insert('product.category', 2, name='Saleable', parent_id=1)
    insert('product.category', 3, name='Office Furniture', parent_id=2)
    insert('account.tax', 1, name='15%', amount=15.0)
    insert('account.tax', 2, name='21%', amount=21.0)
    insert('stock.picking.type', 1, name='Receipts', code='incoming', sequence_code='IN')
    insert('stock.picking.type', 2, name='Delivery Orders', code='outgoing', sequence_code='OUT')

    # partners: companies of the database, users, then ~50 customers
    insert('res.partner', 1, name='YourCompany', is_company=True, email='info@yourcompany.com')
    insert('res.partner', 2, name='OdooBot', email='odoobot@example.com', active=False)
    insert('res.partner', 3, name='Mitchell Admin', parent_id=1, email='admin@yourcompany.example.com',
           tz='Europe/Brussels')
    insert('res.partner', 4, name='My Company (Chicago)', is_company=True, email='chicago@yourcompany.com')
    insert('res.partner', 5, name='Limited User', email='limited@yourcompany.example.com',
           tz='Europe/Brussels')
    insert('res.partner', 6, name='My US Company', is_company=True, email='us@yourcompany.com')
    customers, by_name, rid = [], {}, 7
    for name in DEMO_COMPANIES:
        slug = re.sub(r'[^a-z0-9]+', '', name.lower()) or f'company{rid}'
        insert('res.partner', rid, name=name, is_company=True, email=f'info@{slug}.example.com',
               phone=f'+1 555-01{rid:02d}', city='San Francisco', ref=f'C{rid:04d}')
        by_name[name] = rid
        customers.append(rid)
        rid += 1
    for name, company in DEMO_CONTACTS:
        first = name.split()[0].lower()
        insert('res.partner', rid, name=name, parent_id=by_name[company],
               email=f'{first}.{rid}@example.com')
        customers.append(rid)
        rid += 1
    while len(customers) < CUSTOMER_COUNT:
        insert('res.partner', rid, name=f'Customer {rid}', email=f'customer{rid}@example.com',
               is_company=rid % 3 == 0, phone=f'+32 2 555 {rid:04d}')
        customers.append(rid)
        rid += 1

    companies = ([(1, 'My Company (San Francisco)', 1), (2, 'My US Company', 6), (3, 'My Company (Chicago)', 4)]
                 if flavor.v19 else [(1, 'My Company (San Francisco)', 1), (2, 'My Company (Chicago)', 4)])
    for cid, name, partner in companies:
        insert('res.company', cid, name=name, partner_id=partner, sequence=0 if cid == 1 else 10)
    all_companies = tuple(cid for cid, _name, _partner in companies)
    insert('res.users', 1, name='OdooBot', login='__system__', partner_id=2, active=False,
           company_ids=all_companies)
    insert('res.users', 2, name='Mitchell Admin', login='admin', partner_id=3,
           email='admin@yourcompany.example.com', company_ids=all_companies)
    insert('res.users', flavor.limited_uid, name='Limited User', login='limited', partner_id=5,
           email='limited@yourcompany.example.com', company_ids=(1,))

    # products
    product_info = []
    for pid, (name, ptype, price) in enumerate(PRODUCTS, 1):
        uom = 4 if ptype == 'service' else 1
        shared = dict(name=name, default_code=f'P-{pid:04d}', type=ptype, list_price=price,
                      standard_price=round(price * 0.6, 2), uom_id=uom,
                      categ_id=2 if ptype == 'service' else 3,
                      barcode=f'20000000{pid:05d}' if pid % 2 == 0 else None,
                      taxes_id=() if ptype == 'service' else (1,), active=pid != len(PRODUCTS))
        insert('product.template', pid, **shared)
        insert('product.product', pid, product_tmpl_id=pid, **shared)
        product_info.append((pid, f'[P-{pid:04d}] {name}', price, uom, ptype == 'consu'))

    _seed_orders(registry, orders, rng, fmt, customers, product_info, max(1, batch))


def _seed_orders(registry, count, rng, fmt, customers, products, batch=1):
    """Orders are created `batch` per transaction: transaction k (from 1) stamps its
    records with SEED_EPOCH + k seconds and some microseconds, as PostgreSQL stores
    `now()`; the API shows the whole second."""
    random_ = rng.random
    o = collections.defaultdict(list)        # sale.order columns
    ln = collections.defaultdict(list)       # sale.order.line columns
    pk = collections.defaultdict(list)       # stock.picking columns
    mv = collections.defaultdict(list)       # stock.move columns
    order_ids, line_ids, picking_ids, move_ids = [], [], [], []
    ranks = collections.Counter()
    span = 730 * 86400
    line_id = picking_id = move_id = 0
    uom_field = line_uom_field(registry.models['sale.order.line'])
    qty_field = 'quantity_done' if 'quantity_done' in registry.tables['stock.move'].fields else 'quantity'
    ncust, nprod = len(customers), len(products)
    for oid in range(1, count + 1):
        partner = customers[int(random_() * ncust)]
        ranks[partner] += 1
        ordered_ts = ORDER_EPOCH + int(random_() * span)
        date_order = fmt(ordered_ts)
        x = random_()
        state = 'draft' if x < 0.60 else 'sale' if x < 0.85 else 'sent' if x < 0.95 else 'cancel'
        if (oid - 1) % batch == 0:
            tx = (oid - 1) // batch + 1
            stamp = stamp_us(fmt(SEED_EPOCH + tx), tx * 7919 % 999999 + 1)
        name = f'S{oid:05d}'
        total = 0.0
        consu_lines = []
        for seq in range(1 + int(random_() * 4)):
            pid, pname, price, uom, consu = products[int(random_() * nprod)]
            qty = float(1 + int(random_() * 10))
            subtotal = round(qty * price, 2)
            total += subtotal
            line_id += 1
            line_ids.append(line_id)
            ln['order_id'].append(oid)
            ln['sequence'].append(10 + seq)
            ln['product_id'].append(pid)
            ln['name'].append(pname)
            ln['product_uom_qty'].append(qty)
            ln[uom_field].append(uom)
            ln['price_unit'].append(price)
            ln['price_subtotal'].append(subtotal)
            ln['price_total'].append(subtotal)
            ln['stamp'].append(stamp)
            if consu:
                consu_lines.append((pid, pname, qty, uom))
        total = round(total, 2)
        tenth = oid % 10
        order_ids.append(oid)
        o['name'].append(name)
        o['partner_id'].append(partner)
        o['state'].append(state)
        o['date_order'].append(date_order)
        o['amount_untaxed'].append(total)
        o['amount_total'].append(total)
        o['client_order_ref'].append(None if tenth == 0 else f'PO-{oid * 7919 % 10000:04d}'
                                     if tenth == 5 else f'PERF-{oid:05d}')
        o['validity_date'].append(fmt(ordered_ts + 30 * 86400)[:10])
        o['invoice_status'].append('to invoice' if state == 'sale' else 'no')
        o['stamp'].append(stamp)
        if state == 'sale' and consu_lines:
            y = random_()
            pstate = 'assigned' if y < 0.70 else 'done' if y < 0.95 else 'confirmed'
            picking_id += 1
            picking_ids.append(picking_id)
            scheduled = ordered_ts + 86400
            pk['name'].append(f'WH/OUT/{picking_id:05d}')
            pk['origin'].append(name)
            pk['state'].append(pstate)
            pk['partner_id'].append(partner)
            pk['scheduled_date'].append(fmt(scheduled))
            pk['date_done'].append(fmt(scheduled + 86400) if pstate == 'done' else None)
            pk['sale_id'].append(oid)
            pk['stamp'].append(stamp)
            for seq, (pid, pname, qty, uom) in enumerate(consu_lines):
                move_id += 1
                move_ids.append(move_id)
                mv['name'].append(pname)
                mv['sequence'].append(10 + seq)
                mv['picking_id'].append(picking_id)
                mv['product_id'].append(pid)
                mv['product_uom_qty'].append(qty)
                mv[qty_field].append(qty if pstate == 'done' or (pstate == 'assigned' and qty_field == 'quantity')
                                     else 0.0)
                mv['product_uom'].append(uom)
                mv['state'].append(pstate)
                mv['origin'].append(name)
                mv['date'].append(fmt(scheduled))
                mv['stamp'].append(stamp)

    def load(model, ids, cols, **constants):
        stamps = cols.pop('stamp', [])
        n = len(ids)
        cols.update(create_date=stamps, write_date=stamps, create_uid=[2] * n, write_uid=[2] * n)
        for fname, value in constants.items():
            cols[fname] = [value] * n
        registry.tables[model].bulk_load(ids, cols)

    n = len(order_ids)
    load('sale.order', order_ids, o, amount_tax=0.0, user_id=2, company_id=1, currency_id=1)
    load('sale.order.line', line_ids, ln, discount=0.0, price_tax=0.0,
         **{'tax_ids' if 'tax_ids' in registry.tables['sale.order.line'].fields else 'tax_id': ()})
    load('stock.picking', picking_ids, pk, picking_type_id=2, company_id=1)
    load('stock.move', move_ids, mv)
    partners = registry.tables['res.partner']
    for partner, rank in ranks.items():
        partners.cols['customer_rank'][partners.index[partner]] = rank
    registry.sequences['sale.order'] = n + 1
    registry.sequences['stock.picking.OUT'] = picking_id + 1


def build_registry(version, db=None, orders=250, seed=42, seed_batch=1):
    flavor = Flavor(version)
    registry = Registry(flavor, db or flavor.default_db)
    seed_database(registry, orders, seed, seed_batch)
    # Millions of seeded objects would make every full garbage collection (triggered
    # by allocations while serving) take tens of milliseconds: park them.
    gc.collect()
    gc.freeze()
    return registry
