# SPDX-License-Identifier: MIT
"""ORM fields: types, conversions between API and stored values, fields_get descriptions."""

import time

from .dates import DATE_FORMAT, DATETIME_FORMAT


MAGIC_FIELDS = ('create_uid', 'create_date', 'write_uid', 'write_date')


class Field:
    """A typed model field.  Internal values: None for SQL NULL, str for char-like,
    date and datetime values (Odoo's string formats compare correctly), int ids for
    many2one, tuples of ids for many2many.  One2many values are never stored."""

    type = None
    column = True          # has a storage column in the table
    relational = False
    empty = None           # value of a fresh column cell
    aggregator = None

    def __init__(self, string=None, *, required=False, readonly=False, help=None,
                 default=None, compute=None, depends=(), computed_stored=False, versions=None):
        self.string = string
        self.versions = frozenset(versions) if versions else None   # None: every version
        self.required = required
        self.readonly = readonly or bool(compute) or computed_stored
        self.help = help
        self.default = default
        self.compute = compute            # name of a model method: rows -> getter
        self.computed_stored = computed_stored
        self.depends = list(depends)
        self.name = None
        self.model_name = None
        if compute:
            self.column = False

    def setup(self, name, model_cls):
        self.name = name
        self.model_name = model_cls._name
        if self.string is None:
            self.string = name.replace('_', ' ').title()

    @property
    def store(self):
        return self.column and not self.compute

    @property
    def writable(self):
        """Values given for this field in create/write are applied (others ignored)."""
        return not self.compute and not self.computed_stored and \
            self.name not in MAGIC_FIELDS and self.name != 'id'

    # --- conversions --------------------------------------------------------------

    def convert(self, value, model):
        """API value (from create/write) -> internal value; raises like Odoo."""
        if value is None or value is False:
            return None
        return value

    def to_json(self, value):
        """Internal value -> value sent to the client (read / search_read)."""
        return False if value is None else value

    # --- fields_get ------------------------------------------------------------------

    def describe(self):
        desc = {
            'change_default': False, 'company_dependent': False,
            'default_export_compatible': False, 'depends': list(self.depends),
            'exportable': True, 'groupable': self.store, 'manual': False, 'name': self.name,
            'readonly': self.readonly, 'required': self.required, 'searchable': True,
            'sortable': self.store, 'store': self.store or self.computed_stored,
            'string': self.string, 'type': self.type,
        }
        if self.help:
            desc['help'] = self.help
        if self.aggregator:
            desc['aggregator'] = self.aggregator
        self._describe_extra(desc)
        return dict(sorted(desc.items()))

    def _describe_extra(self, desc):
        pass


class Id(Field):
    type = 'integer'

    def __init__(self):
        super().__init__('ID', readonly=True)


class Integer(Field):
    type = 'integer'
    empty = 0
    aggregator = 'sum'

    def convert(self, value, model):
        return int(value or 0)

    def to_json(self, value):
        return value or 0


class Float(Field):
    type = 'float'
    empty = 0.0
    aggregator = 'sum'

    def convert(self, value, model):
        return float(value or 0.0)

    def to_json(self, value):
        return float(value or 0.0)


class Monetary(Float):
    type = 'monetary'

    def _describe_extra(self, desc):
        desc['currency_field'] = 'currency_id'


class Boolean(Field):
    type = 'boolean'
    empty = False

    def convert(self, value, model):
        return bool(value)

    def to_json(self, value):
        return bool(value)


class Char(Field):
    type = 'char'

    def convert(self, value, model):
        # Odoo stores empty strings as NULL, so '' reads back as false
        if value is None or value is False or value == '':
            return None
        return value if isinstance(value, str) else str(value)


class Text(Char):
    type = 'text'


class Html(Char):
    type = 'html'


class Selection(Field):
    type = 'selection'

    def __init__(self, selection, string=None, **kw):
        super().__init__(string, **kw)
        self.selection = list(selection)
        self.keys = {key for key, _label in self.selection}

    def convert(self, value, model):
        if value is None or value is False:
            return None
        if not isinstance(value, str) or value not in self.keys:
            raise ValueError(f'Wrong value for {self.model_name}.{self.name}: {value!r}')
        return value

    def _describe_extra(self, desc):
        desc['selection'] = [list(pair) for pair in self.selection]


class Date(Field):
    type = 'date'

    def convert(self, value, model):
        if value is None or value is False or value == '':
            return None
        value = value[:10]
        time.strptime(value, DATE_FORMAT)            # ValueError like Odoo's strptime
        return value


class Datetime(Field):
    type = 'datetime'

    def to_json(self, value):
        return False if value is None else value[:19]

    def convert(self, value, model):
        if value is None or value is False or value == '':
            return None
        value = value[:19]
        if len(value) == 10:
            value += ' 00:00:00'
        time.strptime(value, DATETIME_FORMAT)
        return value


class Many2one(Field):
    type = 'many2one'
    relational = True

    def __init__(self, comodel, string=None, *, ondelete='set null', **kw):
        super().__init__(string, **kw)
        self.comodel = comodel
        self.ondelete = ondelete

    def convert(self, value, model):
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (list, tuple)) and value:          # [id, name] pairs
            value = value[0]
        elif isinstance(value, dict):                            # {"id": .., ...}
            value = value.get('id')
        # anything that is not an id ends up NULL, like capture 35 shows (the NOT NULL
        # check of a required field then reports it)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _describe_extra(self, desc):
        desc.update(relation=self.comodel, context={}, domain=[])


class One2many(Field):
    type = 'one2many'
    relational = True
    column = False

    def __init__(self, comodel, inverse, string=None, **kw):
        super().__init__(string, **kw)
        self.comodel = comodel
        self.inverse = inverse

    def _describe_extra(self, desc):
        desc.update(relation=self.comodel, relation_field=self.inverse, context={}, domain=[])


class Many2many(Field):
    type = 'many2many'
    relational = True
    empty = ()

    def __init__(self, comodel, string=None, **kw):
        super().__init__(string, **kw)
        self.comodel = comodel

    def _describe_extra(self, desc):
        desc.update(relation=self.comodel, context={}, domain=[])


X2MANY = ('one2many', 'many2many')
