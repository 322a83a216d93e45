# SPDX-License-Identifier: MIT
"""The ORM core: environments, the registry (tables, transactions, sequences, access rules)
and BaseModel, the recordset with Odoo's public methods."""

import bisect
import collections
import contextlib
import heapq
import threading

from .dates import utc_now_us
from .domain import Domain, _always
from .exceptions import AccessError, MissingError, ValidationError
from .fields import MAGIC_FIELDS, X2MANY, Char, Date, Datetime, Field, Id, Many2one, Selection
from .read_group import ReadGroup
from .storage import Table


MODEL_CLASSES = {}


def api_model(fn):
    """@api.model: called on the empty recordset, args are the method's own."""
    fn._api = 'model'
    return fn


def api_model_create(fn):
    """@api.model_create_multi: create(dict) answers an id, create([dict]) a list."""
    fn._api = 'model_create'
    return fn


def api_multi(fn):
    """A recordset method: over call_kw args[0] holds the ids."""
    fn._api = 'multi'
    return fn


class Env:
    """uid + context + registry, like odoo.api.Environment."""

    def __init__(self, registry, uid, context=None, now=None):
        self.registry = registry
        self.flavor = registry.flavor
        self.uid = uid
        self.context = dict(context or {})
        # one timestamp per transaction (Odoo's cr.now()), with microseconds: it goes
        # to create_date / write_date.  Business values (defaults, date_order on
        # confirmation) get Datetime.now(), whole seconds: now_s.
        self.now = now or utc_now_us()

    @property
    def now_s(self):
        return self.now[:19]

    def __getitem__(self, model_name):
        return self.registry.models[model_name](self, ())

    def with_context(self, context):
        return Env(self.registry, self.uid, {**self.context, **context}, self.now)

    def check_companies(self):
        allowed = self.context.get('allowed_company_ids')
        if allowed is None:
            return
        users = self.registry.tables['res.users']
        row = users.index.get(self.uid)
        user_companies = set(users.cols['company_ids'][row]) if row is not None else set()
        if not isinstance(allowed, (list, tuple)) or \
                any(not isinstance(c, int) or c not in user_companies for c in allowed):
            raise AccessError('Access to unauthorized or invalid companies.')


ACCESS_VERBS = {'read': 'access', 'write': 'modify', 'create': 'create', 'unlink': 'delete'}


def access_error_message(model_cls, operation, groups):
    listed = ''.join(f'\t- {group}\n' for group in groups)
    return (f"You are not allowed to {ACCESS_VERBS[operation]} '{model_cls._description}' "
            f"({model_cls._name}) records.\n\n"
            f"This operation is allowed for the following groups:\n{listed}\n"
            "Contact your administrator to request access if necessary.")


class Registry:
    """All tables of the database plus the transaction journal (one global lock)."""

    def __init__(self, flavor, db):
        self.flavor = flavor
        self.db = db
        self.lock = threading.RLock()
        self.models = dict(MODEL_CLASSES)
        for cls in self.models.values():
            cls._setup_version(flavor.major)
        self.tables = {name: Table(cls, self) for name, cls in self.models.items()}
        self.sequences = collections.defaultdict(lambda: 1)
        self.references = collections.defaultdict(list)     # comodel -> [(model, field, ondelete)]
        for name, cls in self.models.items():
            for field in cls._fields.values():
                if field.type == 'many2one' and field.column:
                    self.references[field.comodel].append((name, field.name, field.ondelete))
        self.denied = {}          # uid -> {model: {operation: [groups]}}
        self.on_call = None       # callback(model.method) for the statistics
        self.dropped_writes = frozenset   # () -> {"model.field"} whose writes are ignored
        self._journal = None

    def journal(self, entry):
        if self._journal is not None:
            self._journal.append(entry)

    @contextlib.contextmanager
    def transaction(self):
        """Everything done inside is undone if an exception escapes (like a rolled back
        PostgreSQL transaction; sequences are not rolled back, as in PostgreSQL)."""
        with self.lock:
            if self._journal is not None:
                yield
                return
            self._journal = []
            try:
                yield
            except BaseException:
                for entry in reversed(self._journal):
                    entry[1].undo(entry)
                raise
            finally:
                self._journal = None

    def next_sequence(self, code):
        number = self.sequences[code]
        self.sequences[code] = number + 1
        return number

    def notify_call(self, model_name, method_name):
        if self.on_call:
            self.on_call(f'{model_name}.{method_name}')

    def access_error(self, uid, model_cls, operation):
        groups = self.denied.get(uid, {}).get(model_cls._name, {}).get(operation)
        if groups is None:
            return None
        return access_error_message(model_cls, operation, groups)


def downgrade(value):
    """Recordsets travel as lists of ids."""
    if isinstance(value, BaseModel):
        return value.ids
    return value


class BaseModel:
    """A recordset (model class + env + ids), like Odoo's.  Public methods marked with
    @api_model / @api_multi / @api_model_create are callable over RPC, with the same
    Python signatures as Odoo's so that named arguments and errors match."""

    _name = None
    _description = None
    _order = 'id'
    _rec_name = 'name'
    _parent_name = None
    _fields = {}

    display_name = Char('Display Name', compute='_compute_display_name')
    create_uid = Many2one('res.users', 'Created by', readonly=True)
    create_date = Datetime('Created on', readonly=True)
    write_uid = Many2one('res.users', 'Last Updated by', readonly=True)
    write_date = Datetime('Last Updated on', readonly=True)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls._name:
            return
        found = {'id': Id()}       # (the name 'id' itself is the recordset property)
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Field):
                    found[name] = value
        trailing = ['display_name', *MAGIC_FIELDS]
        names = ['id'] + [n for n in found if n != 'id' and n not in trailing] + trailing
        fields = {}
        for name in names:
            field = object.__new__(type(found[name]))
            field.__dict__.update(found[name].__dict__)
            field.setup(name, cls)
            fields[name] = field
        cls._fields = cls._all_fields = fields
        MODEL_CLASSES[cls._name] = cls

    @classmethod
    def _setup_version(cls, major):
        """Keep the fields that exist in Odoo `major` (Field.versions).  The process
        serves one version, so the class itself is narrowed."""
        cls._fields = {name: field for name, field in cls._all_fields.items()
                       if field.versions is None or major in field.versions}

    def __init__(self, env, ids=()):
        self.env = env
        self.ids = list(ids)

    def __repr__(self):
        return f'{self._name}{tuple(self.ids)!r}'

    def __iter__(self):
        for rid in self.ids:
            yield type(self)(self.env, [rid])

    def __len__(self):
        return len(self.ids)

    def __bool__(self):
        return bool(self.ids)

    @property
    def id(self):
        return self.ids[0] if self.ids else False

    @property
    def _table(self):
        return self.env.registry.tables[self._name]

    def browse(self, ids=()):
        if ids is None or ids is False:
            ids = []
        elif isinstance(ids, int) and not isinstance(ids, bool):
            ids = [ids]
        elif not isinstance(ids, (list, tuple)):
            raise ValueError(f'Invalid ids {ids!r} for model {self._name!r}')
        return type(self)(self.env, ids)

    def with_context(self, context=None, **kw):
        return type(self)(self.env.with_context({**(context or {}), **kw}), self.ids)

    def _check_access(self, operation):
        message = self.env.registry.access_error(self.env.uid, type(self), operation)
        if message:
            raise AccessError(message)

    def _value(self, rid, fname):
        """Internal value of a stored field of one record."""
        return self._table.cols[fname][self._table.index[rid]]

    # --- getters used by reads, domains and ordering -------------------------------

    def _getter(self, fname):
        field = self._fields[fname]
        if field.column:
            return self._table.cols[fname].__getitem__
        if field.compute:
            return getattr(self, field.compute)()
        return self._x2many_getter(fname)

    def _x2many_getter(self, fname):
        field = self._fields[fname]
        if field.type == 'many2many':
            col = self._table.cols[fname]
            return lambda r: col[r] or ()
        rev = self.env[field.comodel]._table.rev(field.inverse)
        ids_col = self._table.cols['id']
        return lambda r: rev.get(ids_col[r], ())

    def _compute_display_name(self):
        col = self._table.cols.get(self._rec_name)
        if col is None:
            ids_col, name = self._table.cols['id'], self._name
            return lambda r: f'{name},{ids_col[r]}'
        return lambda r: col[r] or ''

    def _name_getter(self):
        """id -> display_name, memoized for the duration of one read."""
        compute = self._compute_display_name()
        index = self._table.index
        cache = {}

        def name_of(rid):
            name = cache.get(rid)
            if name is None:
                row = index.get(rid)
                name = cache[rid] = compute(row) if row is not None else ''
            return name
        return name_of

    def _o2m_sorted(self, fname):
        field = self._fields[fname]
        comodel = self.env[field.comodel]
        ctable = comodel._table
        rev = ctable.rev(field.inverse)
        ids_col, cindex, cids = self._table.cols['id'], ctable.index, ctable.cols['id']
        spec = [s for s in comodel._order_spec(None) if s[0] != field.inverse]

        def children(r):
            kids = rev.get(ids_col[r])
            if not kids:
                return []
            if len(kids) == 1:
                return list(kids)
            return [cids[x] for x in comodel._sort_rows([cindex[i] for i in kids], spec)]
        return children

    def _json_reader(self, fname, load='_classic_read'):
        """row -> the value read()/search_read() send for the field."""
        field = self._fields[fname]
        if field.type == 'many2one':
            get = self._getter(fname)
            if load != '_classic_read':
                return lambda r: False if (v := get(r)) is None else v
            name_of = self.env[field.comodel]._name_getter()
            return lambda r: False if (v := get(r)) is None else [v, name_of(v)]
        if field.type == 'one2many':
            return self._o2m_sorted(fname)
        if field.type == 'many2many':
            get = self._getter(fname)
            return lambda r: list(get(r))
        get = self._getter(fname)
        if isinstance(field, Datetime):     # stored microseconds are not shown
            return lambda r: False if (v := get(r)) is None else v[:19]
        if isinstance(field, (Char, Selection, Date)):
            return lambda r: False if (v := get(r)) is None else v
        to_json = field.to_json
        return lambda r: to_json(get(r))

    def _read_rows(self, rows, fnames, load='_classic_read'):
        readers = [(fname, self._json_reader(fname, load)) for fname in fnames]
        ids_col = self._table.cols['id']
        result = []
        for r in rows:
            record = {'id': ids_col[r]}
            for fname, reader in readers:
                record[fname] = reader(r)
            result.append(record)
        return result

    def _check_field_names(self, fields):
        if not fields:
            return [name for name in self._fields if name != 'id']
        if isinstance(fields, str):
            fields = [fields]
        names = []
        for fname in fields:
            if fname not in self._fields:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')
            if fname != 'id' and fname not in names:
                names.append(fname)
        return names

    # --- searching ----------------------------------------------------------------------

    def _order_spec(self, order):
        """'name desc, id' -> [(fname, descending, nulls)]."""
        order = order or self._order
        if not isinstance(order, str):
            raise ValueError(f'Invalid "order" specified ({order!r}). A valid "order" specification '
                             'is a comma-separated list of valid field names (optionally followed '
                             'by asc/desc for the direction)')
        spec = []
        for part in order.split(','):
            words = part.split()
            if not words:
                continue
            fname, rest = words[0], [w.lower() for w in words[1:]]
            direction, nulls = 'asc', None
            if rest and rest[0] in ('asc', 'desc'):
                direction = rest.pop(0)
            if len(rest) == 2 and rest[0] == 'nulls' and rest[1] in ('first', 'last'):
                nulls, rest = rest[1], []
            if rest:
                raise ValueError(f'Invalid "order" specified ({order}). A valid "order" specification '
                                 'is a comma-separated list of valid field names (optionally followed '
                                 'by asc/desc for the direction)')
            field = self._fields.get(fname)
            if field is None or field.type in X2MANY:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')
            spec.append((fname, direction == 'desc', nulls))
        return spec

    def _sort_key(self, fname, rows, none_high):
        field = self._fields[fname]
        if field.type == 'many2one':
            get = self._getter(fname)
            rank = self.env[field.comodel]._rank({get(r) for r in rows} - {None})
            base = lambda r: rank.get(get(r))     # noqa: E731
        else:
            base = self._getter(fname)
        if fname == 'id' or field.type in ('integer', 'float', 'monetary', 'boolean'):
            return base
        if none_high:
            return lambda r: ((v := base(r)) is None, v)
        return lambda r: ((v := base(r)) is not None, v)

    def _sort_rows(self, rows, spec, top=None):
        """Sort rows like ORDER BY (NULLS LAST ascending, FIRST descending by default).
        With `top`, only the first `top` rows of that order are needed."""
        rows = list(rows)
        if len(rows) < 2 or not spec:
            return rows
        groups = []             # consecutive keys sharing a direction become one tuple key
        for fname, desc, nulls in spec:
            none_high = nulls != 'last' if desc else nulls != 'first'
            key = self._sort_key(fname, rows, none_high)
            if groups and groups[-1][1] == desc:
                groups[-1][0].append(key)
            else:
                groups.append(([key], desc))
        keyed = []
        for keys, desc in groups:
            if len(keys) == 1:
                keyed.append((keys[0], desc))
            else:
                keyed.append((lambda r, keys=keys: tuple(k(r) for k in keys), desc))
        if top is not None and len(keyed) == 1 and top * 4 < len(rows):
            # partial sort; equivalent to sorted(...)[:top], ties included
            key, desc = keyed[0]
            return (heapq.nlargest if desc else heapq.nsmallest)(top, rows, key=key)
        for key, desc in reversed(keyed):        # stable sorts, least significant first
            rows.sort(key=key, reverse=desc)
        return rows

    def _rank(self, ids):
        """Position of the given ids in this model's default order (ORDER BY many2one)."""
        index = self._table.index
        rows = self._sort_rows([index[i] for i in ids if i in index], self._order_spec(None))
        ids_col = self._table.cols['id']
        return {ids_col[r]: n for n, r in enumerate(rows)}

    def _candidate_rows(self, domain):
        """Rows (id order) that may match: narrowed by id ranges / id lists and by
        many2one equalities of the top-level conjunction."""
        table = self._table
        lo, hi = 0, len(table.ids)
        id_set = None
        for fname, operator, value in domain.conjuncts():
            if isinstance(value, bool):
                continue
            if fname == 'id':
                if operator in ('>', '>=', '<', '<=') and isinstance(value, (int, float)):
                    if operator == '>':
                        lo = max(lo, bisect.bisect_right(table.ids, value))
                    elif operator == '>=':
                        lo = max(lo, bisect.bisect_left(table.ids, value))
                    elif operator == '<':
                        hi = min(hi, bisect.bisect_left(table.ids, value))
                    else:
                        hi = min(hi, bisect.bisect_right(table.ids, value))
                    continue
                wanted = self._int_values(operator, value)
                if wanted is None:
                    continue
                found = set(wanted)
            else:
                field = self._fields[fname]
                wanted = self._int_values(operator, value)
                if field.type != 'many2one' or not field.column or wanted is None:
                    continue
                rev = table.rev(fname)
                found = set()
                for target in wanted:
                    found.update(rev.get(target, ()))
            id_set = found if id_set is None else id_set & found
        if id_set is None:
            return table.rows[lo:hi]
        if lo >= hi:
            return []
        low_id, high_id = table.ids[lo], table.ids[hi - 1]
        index = table.index
        return [index[i] for i in sorted(id_set) if low_id <= i <= high_id and i in index]

    @staticmethod
    def _int_values(operator, value):
        if operator == '=' and isinstance(value, int):
            return [value]
        if operator == 'in' and isinstance(value, (list, tuple)) and \
                all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return list(value)
        return None

    def _search_rows(self, domain, offset=0, limit=None, order=None, count=False):
        dom = Domain(self, domain)
        predicate = dom.predicate
        candidates = self._candidate_rows(dom)
        limit = int(limit) if limit else None
        if count:
            if predicate is _always:
                found = len(candidates)
            else:
                found = sum(1 for r in candidates if predicate(r))
            return min(found, limit) if limit else found
        offset = int(offset or 0)
        spec = self._order_spec(order)
        if len(spec) == 1 and spec[0][0] == 'id':
            # id order: walk the (already sorted) candidates and stop early
            sequence = reversed(candidates) if spec[0][1] else candidates
            if limit is None:
                return [r for r in sequence if predicate(r)][offset:]
            wanted, found = offset + limit, []
            for r in sequence:
                if predicate(r):
                    found.append(r)
                    if len(found) >= wanted:
                        break
            return found[offset:]
        matched = list(candidates) if predicate is _always else [r for r in candidates if predicate(r)]
        matched = self._sort_rows(matched, spec, top=offset + limit if limit else None)
        return matched[offset:offset + limit] if limit else matched[offset:]

    def _search_id_set(self, domain):
        ids_col = self._table.cols['id']
        return {ids_col[r] for r in self._search_rows(domain, order='id')}

    def _descendants(self, roots):
        rev, index = self._table.rev(self._parent_name), self._table.index
        found, todo = set(), [r for r in roots if r in index]
        while todo:
            rid = todo.pop()
            if rid not in found:
                found.add(rid)
                todo.extend(rev.get(rid, ()))
        return found

    def _ancestors(self, roots):
        index, parent_col = self._table.index, self._table.cols[self._parent_name]
        found = set()
        for rid in roots:
            while rid is not None and rid in index and rid not in found:
                found.add(rid)
                rid = parent_col[index[rid]]
        return found

    # --- writing -------------------------------------------------------------------------

    def _check_vals(self, vals):
        if not isinstance(vals, dict):
            raise ValueError(f'Invalid values {vals!r} for model {self._name!r}')
        for fname in vals:
            if fname not in self._fields:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')

    def _not_null_error(self, field):
        if self.env.flavor.v19:
            return ValidationError(
                f"The operation cannot be completed: Missing required value for the field "
                f"'{field.string}' ({field.name}).\nModel: '{self._description}' ({self._name})\n"
                "- create/update: a mandatory field is not set\n"
                "- delete: another model requires the record being deleted, you can archive it instead\n")
        return ValidationError(
            "The operation cannot be completed:\n"
            "- Create/update: a mandatory field is not set.\n"
            "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
            f"Model: {self._description} ({self._name})\nField: {field.string} ({field.name})\n")

    @staticmethod
    def _foreign_key_error(model_cls, fname):
        return ValidationError(
            "The operation cannot be completed: another model requires the record being deleted. "
            "If possible, archive it instead.\n\n"
            f"Model: {model_cls._description} ({model_cls._name})\n"
            f"Constraint: {model_cls._name.replace('.', '_')}_{fname}_fkey\n")

    def _convert_vals(self, vals):
        """Split API values into converted stored values and x2many commands."""
        stored, x2many = {}, []
        for fname, value in vals.items():
            field = self._fields[fname]
            if not field.writable:
                continue
            if field.type in X2MANY:
                x2many.append((field, value))
            else:
                stored[fname] = field.convert(value, self)
        return stored, x2many

    def _check_stored(self, stored, creating):
        fields = self._fields
        for fname, field in fields.items():
            if field.required and field.column and (creating or fname in stored) \
                    and stored.get(fname) is None:
                raise self._not_null_error(field)
        for fname, value in stored.items():
            field = fields[fname]
            if field.type == 'many2one' and value is not None and \
                    value not in self.env.registry.tables[field.comodel].index:
                raise self._foreign_key_error(type(self), fname)

    def _default_values(self, vals):
        """Defaults for the fields missing from vals (API values)."""
        defaults = {}
        for fname, field in self._fields.items():
            if fname not in vals and field.default is not None:
                defaults[fname] = field.default(self) if callable(field.default) else field.default
        return defaults

    def _create_one(self, vals):
        self._check_vals(vals)
        stored, x2many = self._convert_vals({**self._default_values(vals), **vals})
        uid, now = self.env.uid, self.env.now
        stored.update(create_uid=uid, create_date=now, write_uid=uid, write_date=now)
        self._check_stored(stored, creating=True)
        rid = self._table.insert(stored)
        record = self.browse([rid])
        for field, commands in x2many:
            record._apply_x2many(field, commands)
        return rid

    def _apply_x2many(self, field, commands):
        """Odoo's x2many commands (0 create, 1 update, 2 delete, 3 unlink, 4 link,
        5 clear, 6 set) applied to the single record self; a list of ids means 6."""
        if not isinstance(commands, (list, tuple)):
            raise ValueError(f'Wrong value for {self._name}.{field.name}: {commands!r}')
        if commands and all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
            commands = [(6, 0, list(commands))]
        comodel = self.env[field.comodel]
        rid = self.ids[0]
        if field.type == 'one2many':
            inverse = field.inverse
            current = lambda: sorted(comodel._table.rev(inverse).get(rid, ()))    # noqa: E731
        else:
            row = self._table.index[rid]
            col = self._table.cols[field.name]
            linked = list(col[row] or ())
        for command in commands:
            if not isinstance(command, (list, tuple)) or not command or command[0] not in range(7):
                raise ValueError(f'Wrong value for {self._name}.{field.name}: {command!r}')
            code = command[0]
            arg = command[1] if len(command) > 1 else None
            vals = command[2] if len(command) > 2 else None
            if field.type == 'one2many':
                if code == 0:
                    comodel.create([{**(vals or {}), inverse: rid}])
                elif code == 1:
                    comodel.browse([arg]).write(vals or {})
                elif code == 2:
                    comodel.browse([arg]).unlink()
                elif code == 3:
                    self._o2m_detach(field, comodel, [arg])
                elif code == 4:
                    comodel.browse([arg]).write({inverse: rid})
                elif code == 5:
                    self._o2m_detach(field, comodel, current())
                else:
                    keep = list(vals or [])
                    self._o2m_detach(field, comodel, [i for i in current() if i not in keep])
                    if keep:
                        comodel.browse(keep).write({inverse: rid})
            else:
                if code == 0:
                    linked.append(comodel.create([vals or {}]).ids[0])
                elif code == 1:
                    comodel.browse([arg]).write(vals or {})
                elif code == 2:
                    comodel.browse([arg]).unlink()
                    linked = [i for i in linked if i != arg]
                elif code == 3:
                    linked = [i for i in linked if i != arg]
                elif code == 4:
                    if arg not in linked:
                        linked.append(arg)
                elif code == 5:
                    linked = []
                else:
                    linked = list(dict.fromkeys(vals or []))
        if field.type == 'many2many':
            comodel_index = comodel._table.index
            for target in linked:
                if not isinstance(target, int) or target not in comodel_index:
                    raise self._foreign_key_error(type(self), field.name)
            self._table.set(row, field.name, tuple(linked))

    def _o2m_detach(self, field, comodel, ids):
        if not ids:
            return
        inverse = comodel._fields[field.inverse]
        if inverse.ondelete == 'cascade':
            comodel.browse(ids).unlink()
        else:
            comodel.browse(ids).write({field.inverse: False})

    def _missing_error(self, missing):
        return MissingError('Record does not exist or has been deleted.\n'
                            f'(Record: {self._name}{tuple(missing)!r}, User: {self.env.uid})')

    def _ensure_exist(self):
        index = self._table.index
        missing = [rid for rid in self.ids if rid not in index]
        if missing:
            raise self._missing_error(missing)

    def _unlink_rows(self):
        """Delete the records and apply ON DELETE of every many2one pointing at them."""
        ids = list(dict.fromkeys(self.ids))
        registry = self.env.registry
        for model_name, fname, ondelete in registry.references[self._name]:
            comodel = self.env[model_name]
            rev = comodel._table.rev(fname)
            referencing = set()
            for rid in ids:
                referencing.update(rev.get(rid, ()))
            if model_name == self._name:
                referencing.difference_update(ids)
            if not referencing:
                continue
            if ondelete == 'cascade':
                comodel.browse(sorted(referencing))._unlink_rows()
            elif ondelete == 'restrict' or comodel._fields[fname].required:
                raise self._foreign_key_error(type(comodel), fname)
            else:
                ctable = comodel._table
                for rid in referencing:
                    ctable.set(ctable.index[rid], fname, None)
        table = self._table
        for rid in ids:
            if rid in table.index:
                table.delete(rid)

    # --- business hooks (overridden by models) ----------------------------------------

    def _post_create(self):
        pass

    def _pre_write(self, vals):
        pass

    def _post_write(self, vals):
        pass

    def _pre_unlink(self):
        pass

    # --- public ORM API ----------------------------------------------------------------

    @api_model
    def search(self, domain, offset=0, limit=None, order=None):
        self._check_access('read')
        ids_col = self._table.cols['id']
        return self.browse([ids_col[r] for r in self._search_rows(domain, offset, limit, order)])

    @api_model
    def search_count(self, domain, limit=None):
        self._check_access('read')
        return self._search_rows(domain, limit=limit, count=True)

    @api_model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        self._check_access('read')
        fnames = self._check_field_names(fields)
        rows = self._search_rows(domain or [], offset, limit, order)
        return self._read_rows(rows, fnames, **read_kwargs)

    @api_multi
    def read(self, fields=None, load='_classic_read'):
        self._check_access('read')
        fnames = self._check_field_names(fields)
        index = self._table.index
        rows = [index[rid] for rid in self.ids if isinstance(rid, int) and rid in index]
        return self._read_rows(rows, fnames, load)

    @api_model_create
    def create(self, vals_list):
        if isinstance(vals_list, dict):
            vals_list = [vals_list]
        self._check_access('create')
        records = self.browse([self._create_one(vals) for vals in vals_list])
        records._post_create()
        return records

    @api_multi
    def write(self, vals):
        self._check_access('write')
        self._ensure_exist()
        self._check_vals(vals)
        dropped = self.env.registry.dropped_writes()
        if dropped:        # control API: accepted, then silently not applied
            vals = {f: v for f, v in vals.items() if f'{self._name}.{f}' not in dropped}
        if not vals or not self.ids:
            return True
        self._pre_write(vals)
        stored, x2many = self._convert_vals(vals)
        self._check_stored(stored, creating=False)
        stored.update(write_uid=self.env.uid, write_date=self.env.now)
        table = self._table
        for rid in self.ids:
            row = table.index[rid]
            for fname, value in stored.items():
                table.set(row, fname, value)
        for field, commands in x2many:
            for record in self:
                record._apply_x2many(field, commands)
        self._post_write(vals)
        return True

    @api_multi
    def unlink(self):
        if not self.ids:
            return True
        self._check_access('unlink')
        self._ensure_exist()
        self._pre_unlink()
        self._unlink_rows()
        return True

    @api_multi
    def exists(self):
        index = self._table.index
        return self.browse([rid for rid in self.ids if rid in index])

    @api_model
    def fields_get(self, allfields=None, attributes=None):
        result = {}
        for fname, field in self._fields.items():
            if allfields and fname not in allfields:
                continue
            description = field.describe()
            if attributes:
                description = {k: v for k, v in description.items() if k in attributes}
            result[fname] = description
        return result

    @api_model
    def name_search(self, name='', domain=None, operator='ilike', limit=100, args=None):
        self._check_access('read')
        domain = list(domain or args or [])
        if name:
            domain = domain + [('display_name', operator, name)]
        rows = self._search_rows(domain, limit=limit)
        name_of = self._name_getter()
        ids_col = self._table.cols['id']
        return [[ids_col[r], name_of(ids_col[r])] for r in rows]

    @api_model
    def name_create(self, name):
        record = self.create({self._rec_name: name})
        return [record.id, record._name_getter()(record.id)]

    @api_model
    def default_get(self, fields_list):
        defaults = self._default_values({})
        return {f: v for f, v in defaults.items() if f in fields_list}

    @api_model
    def check_access_rights(self, operation, raise_exception=True):
        message = self.env.registry.access_error(self.env.uid, type(self), operation)
        if message and raise_exception:
            raise AccessError(message)
        return not message

    @api_multi
    def web_read(self, specification):
        self._check_access('read')
        index = self._table.index
        rows = [index[rid] for rid in self.ids if rid in index]
        return self._web_read_rows(rows, specification)

    def _web_read_rows(self, rows, specification):
        readers = []
        for fname, sub in specification.items():
            field = self._fields.get(fname)
            if field is None:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')
            sub_fields = (sub or {}).get('fields')
            if field.type == 'many2one':
                get = self._getter(fname)
                if sub_fields:
                    comodel = self.env[field.comodel]
                    cindex = comodel._table.index

                    def reader(r, get=get, comodel=comodel, cindex=cindex, sub_fields=sub_fields):
                        target = get(r)
                        if target is None:
                            return False
                        return comodel._web_read_rows([cindex[target]], sub_fields)[0]
                else:
                    def reader(r, get=get):
                        target = get(r)
                        return False if target is None else target
            elif field.type in X2MANY and sub_fields:
                ids_reader = self._json_reader(fname)
                comodel = self.env[field.comodel]

                def reader(r, ids_reader=ids_reader, comodel=comodel, sub_fields=sub_fields):
                    cindex = comodel._table.index
                    return comodel._web_read_rows([cindex[i] for i in ids_reader(r)], sub_fields)
            else:
                reader = self._json_reader(fname)
            readers.append((fname, reader))
        ids_col = self._table.cols['id']
        result = []
        for r in rows:
            record = {'id': ids_col[r]}
            for fname, reader in readers:
                record[fname] = reader(r)
            result.append(record)
        return result

    @api_model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        self._check_access('read')
        rows = self._search_rows(domain, offset, limit, order)
        records = self._web_read_rows(rows, specification)
        if limit and len(records) == limit:
            length = self._search_rows(domain, limit=count_limit, count=True)
        else:
            length = len(records) + int(offset or 0)
        return {'length': length, 'records': records}

    @api_model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        self._check_access('read')
        return ReadGroup(self, domain, fields, groupby, offset, limit, orderby, lazy).run()
