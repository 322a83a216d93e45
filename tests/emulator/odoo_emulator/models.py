# SPDX-License-Identifier: MIT
"""The emulated Odoo models (res.*, product.*, uom.uom, account.tax, sale.order[.line], stock.*)
with their fields per version and their business methods.  Defining a model registers it
(orm.MODEL_CLASSES), in the order of this file."""

import collections
import math

from .exceptions import UserError, ValidationError
from .fields import (Boolean, Char, Date, Datetime, Float, Html, Integer, Many2many, Many2one, Monetary,
                     One2many, Selection, Text)
from .orm import BaseModel, api_model, api_multi


def line_uom_field(model):
    """sale.order.line's unit: product_uom up to 18, product_uom_id on 19."""
    return 'product_uom_id' if 'product_uom_id' in model._fields else 'product_uom'


def _default_now(model):
    return model.env.now_s


def _default_uid(model):
    return model.env.uid


class ResCurrency(BaseModel):
    _name = 'res.currency'
    _description = 'Currency'
    _order = 'active desc, name'

    name = Char('Currency', required=True)
    symbol = Char('Symbol', required=True)
    rounding = Float('Rounding Factor', default=0.01)
    position = Selection([('after', 'After Amount'), ('before', 'Before Amount')],
                         'Symbol Position', default='after')
    active = Boolean('Active', default=True)


class ResCompany(BaseModel):
    _name = 'res.company'
    _description = 'Companies'
    _order = 'sequence, name'

    name = Char('Company Name', required=True)
    partner_id = Many2one('res.partner', 'Partner', ondelete='restrict')
    currency_id = Many2one('res.currency', 'Currency', default=1)
    sequence = Integer('Sequence', default=10)
    email = Char('Email')
    phone = Char('Phone')


class UomUom(BaseModel):
    _name = 'uom.uom'
    _description = 'Product Unit of Measure'

    name = Char('Unit of Measure', required=True)
    rounding = Float('Rounding Precision', default=0.01)
    active = Boolean('Active', default=True)


class ProductCategory(BaseModel):
    _name = 'product.category'
    _description = 'Product Category'
    _order = 'display_name'
    _parent_name = 'parent_id'

    name = Char('Name', required=True)
    parent_id = Many2one('product.category', 'Parent Category', ondelete='cascade')

    def _compute_display_name(self):
        table = self._table
        name_col, parent_col, index = table.cols['name'], table.cols['parent_id'], table.index

        def compute(r):
            parts, seen = [], set()
            while r is not None and r not in seen:
                seen.add(r)
                parts.append(name_col[r] or '')
                parent = parent_col[r]
                r = index.get(parent) if parent is not None else None
            return ' / '.join(reversed(parts))
        return compute


class AccountTax(BaseModel):
    _name = 'account.tax'
    _description = 'Tax'
    _order = 'sequence, id'

    name = Char('Tax Name', required=True)
    amount = Float('Amount')
    type_tax_use = Selection([('sale', 'Sales'), ('purchase', 'Purchases'), ('none', 'None')],
                             'Tax Type', default='sale')
    sequence = Integer('Sequence', default=1)
    active = Boolean('Active', default=True)


class ResPartner(BaseModel):
    _name = 'res.partner'
    _description = 'Contact'
    _order = 'display_name, id desc'      # Odoo: complete_name ASC, id DESC
    _parent_name = 'parent_id'

    name = Char('Name')
    email = Char('Email')
    phone = Char('Phone')
    is_company = Boolean('Is a Company', default=False)
    parent_id = Many2one('res.partner', 'Related Company')
    child_ids = One2many('res.partner', 'parent_id', 'Contact')
    type = Selection([('contact', 'Contact'), ('invoice', 'Invoice Address'),
                      ('delivery', 'Delivery Address'), ('other', 'Other Address')],
                     'Address Type', default='contact')
    ref = Char('Reference')
    vat = Char('Tax ID')
    street = Char('Street')
    city = Char('City')
    zip = Char('Zip')
    lang = Char('Language', default='en_US')
    tz = Char('Timezone')
    comment = Html('Notes')
    customer_rank = Integer('Customer Rank')
    supplier_rank = Integer('Supplier Rank')
    company_id = Many2one('res.company', 'Company')
    user_id = Many2one('res.users', 'Salesperson')
    active = Boolean('Active', default=True)
    sale_order_ids = One2many('sale.order', 'partner_id', 'Sales Order')

    def _compute_display_name(self):
        table = self._table
        name_col, parent_col, company_col, index = (
            table.cols['name'], table.cols['parent_id'], table.cols['is_company'], table.index)

        def compute(r):
            name = name_col[r] or ''
            parent = parent_col[r]
            if parent is not None and not company_col[r] and parent in index:
                parent_name = name_col[index[parent]] or ''
                return f'{parent_name}, {name}' if name else parent_name
            return name
        return compute

    def _post_create(self):
        self._check_name()

    def _post_write(self, vals):
        self._check_name()

    def _check_name(self):
        table = self._table
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['type'][row] == 'contact' and table.cols['name'][row] is None:
                raise ValidationError('Contacts require a name')

    def _pre_write(self, vals):
        parent = vals.get('parent_id')
        if isinstance(parent, int) and not isinstance(parent, bool):
            ancestors = self._ancestors([parent])
            if any(rid in ancestors for rid in self.ids):
                raise ValidationError('You cannot create recursive Partner hierarchies.')


class ResUsers(BaseModel):
    _name = 'res.users'
    _description = 'User'
    _order = 'name, login'

    name = Char('Name', required=True)
    login = Char('Login', required=True)
    email = Char('Email')
    partner_id = Many2one('res.partner', 'Related Partner', ondelete='restrict')
    company_id = Many2one('res.company', 'Company', default=1)
    company_ids = Many2many('res.company', 'Companies')
    share = Boolean('Share User', default=False)
    lang = Char('Language', default='en_US')
    tz = Char('Timezone', default='Europe/Brussels')
    active = Boolean('Active', default=True)

    @api_model
    def context_get(self):
        """The current user's context: {lang, tz, uid}."""
        row = self._table.index.get(self.env.uid)
        lang = self._table.cols['lang'][row] if row is not None else None
        tz = self._table.cols['tz'][row] if row is not None else None
        return {'lang': lang or 'en_US', 'tz': tz or False, 'uid': self.env.uid}


PRODUCT_TYPES = [('consu', 'Goods'), ('service', 'Service'), ('combo', 'Combo')]
# fields a variant shares with its template (Odoo's _inherits, here copied once on create)
PRODUCT_SHARED_FIELDS = ('name', 'default_code', 'barcode', 'type', 'list_price', 'standard_price',
                         'categ_id', 'uom_id', 'sale_ok', 'description_sale', 'weight', 'taxes_id',
                         'active')


class ProductTemplate(BaseModel):
    _name = 'product.template'
    _description = 'Product'
    _order = 'name, id'

    name = Char('Name', required=True)
    default_code = Char('Internal Reference')
    barcode = Char('Barcode')
    type = Selection(PRODUCT_TYPES, 'Product Type', default='consu')
    list_price = Float('Sales Price', default=1.0)
    standard_price = Float('Cost')
    categ_id = Many2one('product.category', 'Product Category', default=1)
    uom_id = Many2one('uom.uom', 'Unit', default=1)
    sale_ok = Boolean('Can be Sold', default=True)
    description_sale = Text('Sales Description')
    weight = Float('Weight')
    taxes_id = Many2many('account.tax', 'Sales Taxes')
    active = Boolean('Active', default=True)
    product_variant_ids = One2many('product.product', 'product_tmpl_id', 'Products')


class ProductProduct(BaseModel):
    _name = 'product.product'
    _description = 'Product Variant'
    _order = 'default_code, name, id'

    name = Char('Name', required=True)
    default_code = Char('Internal Reference')
    barcode = Char('Barcode')
    type = Selection(PRODUCT_TYPES, 'Product Type', default='consu')
    list_price = Float('Sales Price', default=1.0)
    standard_price = Float('Cost')
    categ_id = Many2one('product.category', 'Product Category', default=1)
    uom_id = Many2one('uom.uom', 'Unit', default=1)
    sale_ok = Boolean('Can be Sold', default=True)
    description_sale = Text('Sales Description')
    active = Boolean('Active', default=True)
    product_tmpl_id = Many2one('product.template', 'Product Template', ondelete='cascade')
    weight = Float('Weight')
    taxes_id = Many2many('account.tax', 'Sales Taxes')

    def _post_create(self):
        """A variant created without a template gets one with its values, like Odoo's
        _inherits creates the parent record."""
        table = self._table
        templates = self.env['product.template']
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['product_tmpl_id'][row] is None:
                vals = {}
                for fname in PRODUCT_SHARED_FIELDS:
                    value = table.cols[fname][row]
                    vals[fname] = list(value) if isinstance(value, tuple) else \
                        (False if value is None else value)
                table.set(row, 'product_tmpl_id', templates.create([vals]).ids[0])

    def _compute_display_name(self):
        table = self._table
        name_col, code_col = table.cols['name'], table.cols['default_code']

        def compute(r):
            code = code_col[r]
            return f'[{code}] {name_col[r] or ""}' if code else (name_col[r] or '')
        return compute


SALE_STATES = [('draft', 'Quotation'), ('sent', 'Quotation Sent'), ('sale', 'Sales Order'),
               ('cancel', 'Cancelled')]


class SaleOrder(BaseModel):
    _name = 'sale.order'
    _description = 'Sales Order'
    _order = 'date_order desc, id desc'

    name = Char('Order Reference', required=True, default='New')
    partner_id = Many2one('res.partner', 'Customer', required=True, ondelete='restrict')
    state = Selection(SALE_STATES, 'Status', readonly=True, default='draft')
    date_order = Datetime('Order Date', required=True, default=_default_now,
                          help='Creation date of draft/sent orders,\nConfirmation date of confirmed orders.')
    note = Html('Terms and conditions')
    order_line = One2many('sale.order.line', 'order_id', 'Order Lines')
    amount_untaxed = Monetary('Untaxed Amount', computed_stored=True, depends=['order_line.price_subtotal'])
    amount_tax = Monetary('Taxes', computed_stored=True, depends=['order_line.price_total'])
    amount_total = Monetary('Total', computed_stored=True, depends=['order_line.price_total'])
    client_order_ref = Char('Customer Reference')
    origin = Char('Source Document')
    user_id = Many2one('res.users', 'Salesperson', default=_default_uid)
    company_id = Many2one('res.company', 'Company', required=True, default=1)
    currency_id = Many2one('res.currency', 'Currency', default=1)
    validity_date = Date('Expiration')
    commitment_date = Datetime('Delivery Date')
    invoice_status = Selection([('upselling', 'Upselling Opportunity'), ('invoiced', 'Fully Invoiced'),
                                ('to invoice', 'To Invoice'), ('no', 'Nothing to Invoice')],
                               'Invoice Status', computed_stored=True, default='no')
    picking_ids = One2many('stock.picking', 'sale_id', 'Transfers')

    def _post_create(self):
        table = self._table
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['name'][row] in (None, 'New', '/'):
                number = self.env.registry.next_sequence('sale.order')
                table.set(row, 'name', f'S{number:05d}')
        self._recompute_amounts()

    def _pre_unlink(self):
        states = self._table.cols['state']
        index = self._table.index
        if any(states[index[rid]] not in ('draft', 'cancel') for rid in self.ids):
            raise UserError('You can not delete a sent quotation or a confirmed sales order. '
                            'You must first cancel it.')

    def _recompute_amounts(self):
        table = self._table
        lines = self.env['sale.order.line']._table
        rev, subtotal, total = lines.rev('order_id'), lines.cols['price_subtotal'], lines.cols['price_total']
        for rid in self.ids:
            row = table.index.get(rid)
            if row is None:
                continue
            kids = [lines.index[i] for i in rev.get(rid, ())]
            untaxed = round(math.fsum(subtotal[k] for k in kids), 2)
            amount_total = round(math.fsum(total[k] for k in kids), 2)
            table.set(row, 'amount_untaxed', untaxed)
            table.set(row, 'amount_tax', round(amount_total - untaxed, 2))
            table.set(row, 'amount_total', amount_total)

    def _names(self):
        return ', '.join(self._value(rid, 'name') or '' for rid in self.ids)

    @api_multi
    def action_confirm(self):
        self._check_access('write')
        self._ensure_exist()
        bad = self.browse([rid for rid in self.ids if self._value(rid, 'state') not in ('draft', 'sent')])
        if bad:
            raise UserError('The following orders are not in a state requiring confirmation: '
                            f'{bad._names()}')
        self.write({'state': 'sale', 'date_order': self.env.now_s})
        table = self._table
        for rid in self.ids:
            table.set(table.index[rid], 'invoice_status', 'to invoice')
        self._create_pickings()
        return True

    def _create_pickings(self):
        lines = self.env['sale.order.line']
        products = self.env['product.product']
        pickings = self.env['stock.picking']
        for order in self:
            rid = order.ids[0]
            line_ids = sorted(lines._table.rev('order_id').get(rid, ()))
            moves = []
            for line_id in line_ids:
                product = lines._value(line_id, 'product_id')
                if product is None or products._value(product, 'type') != 'consu':
                    continue
                moves.append((0, 0, {'product_id': product,
                                     'product_uom_qty': lines._value(line_id, 'product_uom_qty'),
                                     'product_uom': lines._value(line_id, line_uom_field(lines)),
                                     'origin': order._value(rid, 'name')}))
            if moves:
                picking = pickings.create({
                    'origin': order._value(rid, 'name'), 'partner_id': order._value(rid, 'partner_id'),
                    'sale_id': rid, 'picking_type_id': 2, 'move_ids': moves})
                picking.action_confirm()
                picking.action_assign()

    @api_multi
    def action_cancel(self):
        self._check_access('write')
        self._ensure_exist()
        self.write({'state': 'cancel'})
        pickings = self.env['stock.picking']
        for rid in self.ids:
            open_pickings = [p for p in pickings._table.rev('sale_id').get(rid, ())
                             if pickings._value(p, 'state') not in ('done', 'cancel')]
            if open_pickings:
                pickings.browse(sorted(open_pickings)).action_cancel()
        return True

    @api_multi
    def action_draft(self):
        self._check_access('write')
        self._ensure_exist()
        self.browse([rid for rid in self.ids if self._value(rid, 'state') in ('cancel', 'sent')]) \
            .write({'state': 'draft'})
        return True

    @api_multi
    def action_quotation_sent(self):
        self._check_access('write')
        self._ensure_exist()
        if any(self._value(rid, 'state') != 'draft' for rid in self.ids):
            raise UserError('Only draft orders can be marked as sent directly.')
        self.write({'state': 'sent'})
        return True

    @api_multi
    def action_view_invoice(self):
        self._check_access('read')
        self._ensure_exist()
        rid = self.ids[0]
        partner = self._value(rid, 'partner_id')
        return {'type': 'ir.actions.act_window_close',
                'context': {'default_move_type': 'out_invoice', 'default_partner_id': partner,
                            'default_partner_shipping_id': partner,
                            'default_invoice_payment_term_id': False,
                            'default_invoice_origin': self._value(rid, 'name')}}

    def _compute_amounts(self):
        """Private: exists so that calling it gives the 'Private methods' error."""
        self._recompute_amounts()


class SaleOrderLine(BaseModel):
    _name = 'sale.order.line'
    _description = 'Sales Order Line'
    _order = 'order_id, sequence, id'

    order_id = Many2one('sale.order', 'Order Reference', required=True, ondelete='cascade')
    sequence = Integer('Sequence', default=10)
    product_id = Many2one('product.product', 'Product', ondelete='restrict')
    name = Text('Description', required=True)
    product_uom_qty = Float('Quantity', default=1.0)
    product_uom = Many2one('uom.uom', 'Unit of Measure', versions=(16, 17, 18))
    product_uom_id = Many2one('uom.uom', 'Unit', versions=(19,))          # 19's name
    price_unit = Float('Unit Price')
    discount = Float('Discount (%)')
    tax_id = Many2many('account.tax', 'Taxes', versions=(16, 17, 18))
    tax_ids = Many2many('account.tax', 'Taxes', versions=(19,))           # 19's name
    price_subtotal = Monetary('Subtotal', computed_stored=True)
    price_tax = Float('Total Tax', computed_stored=True)
    price_total = Monetary('Total', computed_stored=True)
    state = Selection(SALE_STATES, 'Order Status', compute='_compute_order_related_state')
    currency_id = Many2one('res.currency', 'Currency', compute='_compute_order_related_currency')
    company_id = Many2one('res.company', 'Company', compute='_compute_order_related_company')

    def _related(self, fname):
        orders = self.env['sale.order']._table
        order_col, index, target = self._table.cols['order_id'], orders.index, orders.cols[fname]
        return lambda r: target[index[o]] if (o := order_col[r]) in index else None

    def _compute_order_related_state(self):
        return self._related('state')

    def _compute_order_related_currency(self):
        return self._related('currency_id')

    def _compute_order_related_company(self):
        return self._related('company_id')

    def _default_values(self, vals):
        defaults = super()._default_values(vals)
        product = vals.get('product_id')
        products = self.env['product.product']
        if isinstance(product, int) and product in products._table.index:
            if 'name' not in vals:
                defaults['name'] = products._name_getter()(product)
            if 'price_unit' not in vals:
                defaults['price_unit'] = products._value(product, 'list_price')
            uom = line_uom_field(self)
            if uom not in vals:
                defaults[uom] = products._value(product, 'uom_id')
        return defaults

    def _order_ids(self):
        table = self._table
        return sorted({table.cols['order_id'][table.index[rid]] for rid in self.ids
                       if rid in table.index} - {None})

    def _recompute_lines(self):
        table = self._table
        cols = table.cols
        for rid in self.ids:
            row = table.index[rid]
            subtotal = round(cols['product_uom_qty'][row] * cols['price_unit'][row]
                             * (1 - (cols['discount'][row] or 0.0) / 100.0), 2)
            table.set(row, 'price_subtotal', subtotal)
            table.set(row, 'price_tax', 0.0)
            table.set(row, 'price_total', subtotal)

    def _post_create(self):
        self._recompute_lines()
        self.env['sale.order'].browse(self._order_ids())._recompute_amounts()

    def _pre_write(self, vals):
        self._previous_orders = self._order_ids()

    def _post_write(self, vals):
        self._recompute_lines()
        orders = set(self._order_ids()) | set(getattr(self, '_previous_orders', ()))
        self.env['sale.order'].browse(sorted(orders))._recompute_amounts()

    @api_multi
    def unlink(self):
        orders = self._order_ids()
        result = super().unlink()
        self.env['sale.order'].browse(orders)._recompute_amounts()
        return result


class StockPickingType(BaseModel):
    _name = 'stock.picking.type'
    _description = 'Picking Type'
    _order = 'sequence, id'

    name = Char('Operation Type', required=True)
    code = Selection([('incoming', 'Receipt'), ('outgoing', 'Delivery'), ('internal', 'Internal Transfer')],
                     'Type of Operation', required=True, default='outgoing')
    sequence_code = Char('Sequence Prefix')
    sequence = Integer('Sequence', default=1)

    def _compute_display_name(self):
        name_col = self._table.cols['name']
        return lambda r: f'WH: {name_col[r] or ""}'


PICKING_STATES = [('draft', 'Draft'), ('waiting', 'Waiting Another Operation'), ('confirmed', 'Waiting'),
                  ('assigned', 'Ready'), ('done', 'Done'), ('cancel', 'Cancelled')]
MOVE_STATES = [('draft', 'New'), ('waiting', 'Waiting Another Move'), ('confirmed', 'Waiting Availability'),
               ('partially_available', 'Partially Available'), ('assigned', 'Available'),
               ('done', 'Done'), ('cancel', 'Cancelled')]


class StockPicking(BaseModel):
    _name = 'stock.picking'
    _description = 'Transfer'
    _order = 'scheduled_date asc, id desc'

    name = Char('Reference', default='/')
    origin = Char('Source Document')
    state = Selection(PICKING_STATES, 'Status', readonly=True, default='draft')
    partner_id = Many2one('res.partner', 'Contact')
    scheduled_date = Datetime('Scheduled Date', required=True, default=_default_now)
    date_done = Datetime('Date of Transfer')
    picking_type_id = Many2one('stock.picking.type', 'Operation Type', required=True, default=2)
    move_ids = One2many('stock.move', 'picking_id', 'Stock Moves')
    sale_id = Many2one('sale.order', 'Sales Order')
    company_id = Many2one('res.company', 'Company', default=1)

    def _post_create(self):
        table = self._table
        types = self.env['stock.picking.type']
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['name'][row] in (None, '/'):
                code = types._value(table.cols['picking_type_id'][row], 'sequence_code') or 'OUT'
                number = self.env.registry.next_sequence(f'stock.picking.{code}')
                table.set(row, 'name', f'WH/{code}/{number:05d}')

    def _moves(self):
        moves = self.env['stock.move']
        rev = moves._table.rev('picking_id')
        return moves.browse(sorted(i for rid in self.ids for i in rev.get(rid, ())))

    def _set_state(self, state, only_from, move_state=None, **extra):
        pickings = self.browse([rid for rid in self.ids if self._value(rid, 'state') in only_from])
        if pickings:
            pickings.write({'state': state, **extra})
            moves = pickings._moves()
            if moves:
                values = {'state': move_state or state}
                # 17+: `quantity` is reserved on assign; 16: `quantity_done` is set on validate
                qty_field = 'quantity_done' if 'quantity_done' in moves._fields else 'quantity'
                if state == 'done' or (state == 'assigned' and qty_field == 'quantity'):
                    for move in moves:
                        mid = move.ids[0]
                        move.write({**values, qty_field: move._value(mid, 'product_uom_qty')})
                else:
                    moves.write(values)
        return True

    @api_multi
    def action_confirm(self):
        self._check_access('write')
        self._ensure_exist()
        return self._set_state('confirmed', ('draft',))

    @api_multi
    def action_assign(self):
        self._check_access('write')
        self._ensure_exist()
        return self._set_state('assigned', ('confirmed', 'waiting'))

    @api_multi
    def button_validate(self):
        self._check_access('write')
        self._ensure_exist()
        if any(self._value(rid, 'state') in ('draft', 'cancel') for rid in self.ids):
            raise UserError('You cannot validate a transfer if no quantities are reserved nor done.')
        return self._set_state('done', ('waiting', 'confirmed', 'assigned'), date_done=self.env.now_s)

    @api_multi
    def action_cancel(self):
        self._check_access('write')
        self._ensure_exist()
        return self._set_state('cancel', ('draft', 'waiting', 'confirmed', 'assigned'))

    @api_model
    def get_pickings_summary(self, states=None):
        """Not Odoo's: a custom module's @api.model method, like the update_salla(picking_id)
        of the Odoo 18 integration suite, for testing calls of custom methods by name.
        Answers {"total": N, "by_state": {state: count}} over the pickings in `states`
        (every state when None); an unknown state is the ValueError of a selection."""
        self._check_access('read')
        domain = []
        if states is not None:
            if not isinstance(states, list):
                raise ValueError(f'Invalid states {states!r}: a list of states is expected')
            for state in states:
                self._fields['state'].convert(state, self)
            domain = [('state', 'in', states)]
        col = self._table.cols['state']
        counts = collections.Counter(col[row] for row in self._search_rows(domain))
        return {'total': sum(counts.values()),
                'by_state': {key: counts[key] for key, _label in PICKING_STATES if counts[key]}}


class StockMove(BaseModel):
    _name = 'stock.move'
    _description = 'Stock Move'
    _order = 'sequence, id'

    name = Char('Description', required=True, versions=(16, 17, 18))     # gone in 19
    sequence = Integer('Sequence', default=10)
    picking_id = Many2one('stock.picking', 'Transfer', ondelete='cascade')
    product_id = Many2one('product.product', 'Product', required=True, ondelete='restrict')
    product_uom_qty = Float('Demand', default=1.0)
    quantity = Float('Quantity', versions=(17, 18, 19))
    quantity_done = Float('Quantity Done', versions=(16,))     # 16's name of `quantity`
    product_uom = Many2one('uom.uom', 'Unit', default=1)
    state = Selection(MOVE_STATES, 'Status', readonly=True, default='draft')
    origin = Char('Source Document')
    date = Datetime('Date Scheduled', required=True, default=_default_now)

    def _default_values(self, vals):
        defaults = super()._default_values(vals)
        product = vals.get('product_id')
        products = self.env['product.product']
        if 'name' in self._fields and 'name' not in vals and isinstance(product, int) \
                and product in products._table.index:
            defaults['name'] = products._name_getter()(product)
        return defaults
