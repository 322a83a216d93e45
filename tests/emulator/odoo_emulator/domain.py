# SPDX-License-Identifier: MIT
"""Odoo domains compiled into predicates over table rows; normalize_domain / and_domains."""

import re

from .dates import normalize_datetime


TERM_OPERATORS = frozenset([
    '=', '!=', '<=', '<', '>', '>=', '=?', '=like', '=ilike', 'like', 'not like',
    'ilike', 'not ilike', 'in', 'not in', 'child_of', 'parent_of', 'any', 'not any'])
NEGATIVE_OPERATORS = frozenset(['!=', 'not like', 'not ilike', 'not in', 'not any'])
LIKE_OPERATORS = frozenset(['=like', '=ilike', 'like', 'not like', 'ilike', 'not ilike'])


def like_regex(pattern, case_insensitive):
    """SQL LIKE pattern -> compiled regex (% and _ wildcards, backslash escapes)."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == '\\' and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append('.*' if char == '%' else '.' if char == '_' else re.escape(char))
        i += 1
    return re.compile(''.join(out) + r'\Z', re.S | (re.I if case_insensitive else 0))


def _always(_row):
    return True


def _never(_row):
    return False


class Domain:
    """An Odoo domain (prefix notation, implicit '&') compiled for one model into a
    predicate over table rows.  Also exposes the top-level conjunction so searches can
    narrow their candidates with id ranges and many2one reverse indexes."""

    def __init__(self, model, domain):
        self.model = model
        self.table = model._table
        if domain is None or domain is False:
            domain = []
        if not isinstance(domain, (list, tuple)):
            raise ValueError(f'Invalid domain: {domain!r}')
        self.tree = self._parse(list(domain))
        if 'active' in model._fields and model.env.context.get('active_test', True) \
                and not self._mentions(domain, 'active'):
            active = self._leaf(['active', '=', True])
            self.tree = ('and', [active, self.tree])
        self.predicate = self._compile(self.tree)

    @staticmethod
    def _mentions(domain, fname):
        return any(isinstance(item, (list, tuple)) and len(item) == 3 and isinstance(item[0], str)
                   and item[0].split('.')[0] == fname for item in domain)

    # --- parsing -----------------------------------------------------------------------

    def _parse(self, items):
        pos = 0

        def parse_one():
            nonlocal pos
            if pos >= len(items):
                raise ValueError(f'Invalid domain: {items!r}')
            item = items[pos]
            pos += 1
            if isinstance(item, str):
                if item in ('&', '|'):
                    left = parse_one()
                    right = parse_one()
                    return ('and' if item == '&' else 'or', [left, right])
                if item == '!':
                    return ('not', parse_one())
            elif isinstance(item, (list, tuple)) and len(item) == 3:
                return self._leaf(item)
            raise ValueError(f'Invalid leaf {item!r}')

        nodes = []
        while pos < len(items):
            nodes.append(parse_one())
        if not nodes:
            return ('const', True)
        return nodes[0] if len(nodes) == 1 else ('and', nodes)

    def _compile(self, node):
        kind = node[0]
        if kind == 'leaf':
            return node[1]
        if kind == 'const':
            return _always if node[1] else _never
        if kind == 'not':
            inner = self._compile(node[1])
            return lambda r: not inner(r)
        preds = [self._compile(child) for child in node[1]]
        if kind == 'and':
            if len(preds) == 2:
                a, b = preds
                return lambda r: a(r) and b(r)
            return lambda r: all(p(r) for p in preds)
        if len(preds) == 2:
            a, b = preds
            return lambda r: a(r) or b(r)
        return lambda r: any(p(r) for p in preds)

    def conjuncts(self):
        """Leaves that must all hold (nested top-level '&'), as (fname, operator, value)."""
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if node[0] == 'and':
                stack.extend(node[1])
            elif node[0] == 'leaf' and node[2] is not None:
                yield node[2]

    # --- leaves --------------------------------------------------------------------------

    def _invalid_field(self, fname, item):
        where = 'condition' if self.model.env.flavor.v19 else 'leaf'
        return ValueError(f'Invalid field {self.model._name}.{fname} in {where} {tuple(item)!r}')

    def _leaf(self, item):
        """Compile one (path, operator, value) term -> ('leaf', predicate, hint)."""
        path, operator, value = item
        if (path, operator, value) == (1, '=', 1) and not isinstance(path, bool):
            return ('const', True)
        if (path, operator, value) == (0, '=', 1) and not isinstance(path, bool):
            return ('const', False)
        if not isinstance(operator, str) or operator.lower() not in TERM_OPERATORS | {'<>'}:
            raise ValueError(f'Invalid operator {operator!r} in domain term {tuple(item)!r}')
        operator = operator.lower()
        if operator == '<>':
            operator = '!='
        if not isinstance(path, str):
            raise ValueError(f'Invalid leaf {tuple(item)!r}')
        fname, _dot, rest = path.partition('.')
        field = self.model._fields.get(fname)
        if field is None or (rest and not field.relational):
            raise self._invalid_field(fname, item)
        if operator == '=?':
            if value is None or value is False:
                return ('const', True)
            operator = '='
        hint = (fname, operator, value) if not rest else None
        if rest:
            predicate = self._path_leaf(field, rest, operator, value)
        elif operator in ('any', 'not any'):
            if not field.relational:
                raise ValueError(f'Invalid operator {operator!r} in domain term {tuple(item)!r}')
            sub = self.model.env[field.comodel]._search_id_set(value)
            predicate = self._membership(field, sub, negate=operator == 'not any')
        elif operator in ('child_of', 'parent_of'):
            predicate = self._hierarchy_leaf(field, operator, value, item)
        elif field.relational:
            predicate = self._relational_leaf(field, operator, value)
        else:
            predicate = self._scalar_leaf(field, operator, value)
        return ('leaf', predicate, hint)

    def _path_leaf(self, field, rest, operator, value):
        comodel = self.model.env[field.comodel]
        sub = comodel._search_id_set([(rest, operator, value)])
        return self._membership(field, sub)

    def _membership(self, field, id_set, negate=False):
        """Record matches when its relational value hits id_set."""
        if field.type == 'many2one':
            get = self.model._getter(field.name)
            if negate:
                return lambda r: get(r) not in id_set
            return lambda r: get(r) in id_set
        ids_of = self.model._x2many_getter(field.name)
        if negate:
            return lambda r: not any(i in id_set for i in ids_of(r))
        return lambda r: any(i in id_set for i in ids_of(r))

    def _hierarchy_leaf(self, field, operator, value, item):
        comodel_name = self.model._name if field.name == 'id' else getattr(field, 'comodel', None)
        comodel = self.model.env[comodel_name] if comodel_name else None
        if comodel is None or not comodel._parent_name:
            raise ValueError(f'Invalid operator {operator!r} in domain term {tuple(item)!r}')
        roots = value if isinstance(value, (list, tuple)) else [value]
        if operator == 'child_of':
            targets = comodel._descendants([v for v in roots if isinstance(v, int)])
        else:
            targets = comodel._ancestors([v for v in roots if isinstance(v, int)])
        if field.name == 'id':
            ids_col = self.table.cols['id']
            return lambda r: ids_col[r] in targets
        return self._membership(field, targets)

    def _names_matching(self, comodel_name, operator, value):
        """Ids of comodel records whose display_name matches (name search)."""
        comodel = self.model.env[comodel_name]
        return comodel._search_id_set([('display_name', operator, value)])

    def _relational_leaf(self, field, operator, value):
        get = self.model._getter(field.name) if field.type == 'many2one' else None
        negate = operator in NEGATIVE_OPERATORS
        positive = {'!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike'}.get(operator, operator)
        if positive in LIKE_OPERATORS:
            pattern = '' if value is False or value is None else value
            return self._membership(field, self._names_matching(field.comodel, positive, pattern), negate)
        if positive in ('=', 'in'):
            values = value if isinstance(value, (list, tuple)) else [value]
            ids = {v for v in values if isinstance(v, int) and not isinstance(v, bool)}
            names = [v for v in values if isinstance(v, str)]
            for name in names:
                ids |= self._names_matching(field.comodel, '=', name)
            want_empty = any(v is False or v is None for v in values)
            if field.type == 'many2one':
                if negate:
                    return lambda r: not ((v := get(r)) in ids or (want_empty and v is None))
                return lambda r: (v := get(r)) in ids or (want_empty and v is None)
            ids_of = self.model._x2many_getter(field.name)

            def hit(r):
                current = ids_of(r)
                return (want_empty and not current) or any(i in ids for i in current)
            return (lambda r: not hit(r)) if negate else hit
        if field.type == 'many2one':           # <, <=, >, >= compare the stored id
            return self._compare(get, operator, value)
        raise ValueError(f'Invalid operator {operator!r} for field {field.name!r}')

    def _coerce(self, field, operator, value):
        if field.type == 'datetime' and isinstance(value, str) and len(value) == 10:
            return value + (' 23:59:59' if operator in ('>', '<=') else ' 00:00:00')
        if field.type in ('integer', 'float', 'monetary') and isinstance(value, str):
            return float(value)
        if field.type in ('char', 'text', 'html', 'selection', 'date', 'datetime') \
                and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @staticmethod
    def _compare(get, operator, value):
        if value is None or value is False:
            return _never
        if operator == '<':
            return lambda r: (v := get(r)) is not None and v < value
        if operator == '<=':
            return lambda r: (v := get(r)) is not None and v <= value
        if operator == '>':
            return lambda r: (v := get(r)) is not None and v > value
        return lambda r: (v := get(r)) is not None and v >= value

    DATETIME_OPERATORS = frozenset(('=', '!=', '<>', '<', '<=', '>', '>=', 'in', 'not in'))

    def _datetime_operands(self, field, operator, value, get):
        """Stored datetimes keep microseconds (create_date / write_date).  Odoo 16-18
        compare the domain value with the stored one as is: `= shown second` finds
        nothing and `> shown second` finds that second again.  Odoo 19 compares whole
        seconds (`>` S is `>=` S+1, `<=` S is `<` S+1, `=`/`in` S is [S, S+1)), which
        is comparing the stored value truncated to the second."""
        whole = self.model.env.flavor.whole_second_datetimes

        def one(v, op):
            v = self._coerce(field, op, v)
            if isinstance(v, str):
                v = normalize_datetime(v)
                if whole:
                    v = v[:19]
            return v
        if operator in ('in', 'not in'):
            values = value if isinstance(value, (list, tuple)) else [value]
            value = [one(v, '=') for v in values]
        else:
            value = one(value, operator)
        if whole:
            get = (lambda r, get=get: None if (v := get(r)) is None else v[:19])
        return get, value

    def _scalar_leaf(self, field, operator, value):
        get = self.model._getter(field.name)
        if field.type == 'datetime' and operator in self.DATETIME_OPERATORS:
            get, value = self._datetime_operands(field, operator, value, get)
        boolean = field.type == 'boolean'
        if operator in ('=', '!='):
            negate = operator == '!='
            if value is None or value is False:
                if boolean:
                    return (lambda r: bool(get(r))) if negate else (lambda r: not get(r))
                return (lambda r: get(r) is not None) if negate else (lambda r: get(r) is None)
            value = self._coerce(field, operator, value)
            if negate:
                return lambda r: get(r) != value
            return lambda r: get(r) == value
        if operator in ('<', '<=', '>', '>='):
            return self._compare(get, operator, self._coerce(field, operator, value))
        if operator in ('in', 'not in'):
            values = value if isinstance(value, (list, tuple)) else [value]
            want_empty = any(v is False or v is None for v in values) and not boolean
            wanted = {self._coerce(field, '=', v) for v in values
                      if not (v is None or (v is False and not boolean))}
            if operator == 'in':
                return lambda r: (v := get(r)) in wanted or (want_empty and v is None)
            return lambda r: not ((v := get(r)) in wanted or (want_empty and v is None))
        if operator in LIKE_OPERATORS:
            pattern = '' if value is None or value is False else str(value)
            if operator in ('like', 'not like', 'ilike', 'not ilike'):
                pattern = f'%{pattern}%'
            rx = like_regex(pattern, 'ilike' in operator).match
            if operator.startswith('not'):
                return lambda r: (v := get(r)) is None or not rx(str(v))
            return lambda r: (v := get(r)) is not None and rx(str(v)) is not None
        raise ValueError(f'Invalid operator {operator!r} for field {field.name!r}')


def normalize_domain(domain):
    """Odoo's expression.normalize_domain: make the implicit '&' operators explicit."""
    result, expected = [], 1
    for token in domain:
        if expected == 0:
            result[0:0] = ['&']
            expected = 1
        if token in ('&', '|'):
            expected += 1
        elif token != '!':
            expected -= 1
        result.append(list(token) if isinstance(token, tuple) else token)
    return result


def and_domains(domains):
    parts = [normalize_domain(d) for d in domains if d]
    if not parts:
        return []
    return ['&'] * (len(parts) - 1) + [token for part in parts for token in part]
