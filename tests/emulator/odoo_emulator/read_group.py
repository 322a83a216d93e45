# SPDX-License-Identifier: MIT
"""read_group: grouping, aggregates, date granularities, __domain and ordering of groups."""

import calendar
import collections
import datetime as dt
import math
import re

from .dates import DATE_FORMAT
from .domain import and_domains, normalize_domain


class ReadGroup:
    """read_group(domain, fields, groupby, offset, limit, orderby, lazy)."""

    GRANULARITIES = ('day', 'week', 'month', 'quarter', 'year')
    SPEC = re.compile(r'(\w+)(?::(\w+)(?:\((\w+)\))?)?')

    def __init__(self, model, domain, fields, groupby, offset, limit, orderby, lazy):
        self.model = model
        self.domain = list(domain or [])
        if isinstance(groupby, str):
            groupby = [groupby]
        groupby = list(groupby or [])
        self.lazy = bool(lazy) and bool(groupby)
        self.rest = groupby[1:] if self.lazy else []
        self.groupby = [self._parse_groupby(g) for g in (groupby[:1] if self.lazy else groupby)]
        self.aggregates = self._parse_aggregates(fields or [])
        self.offset, self.limit, self.orderby = int(offset or 0), limit, orderby

    def _invalid(self, fname):
        return ValueError(f'Invalid field {fname!r} on model {self.model._name!r}')

    def _parse_groupby(self, spec):
        fname, _colon, granularity = str(spec).partition(':')
        field = self.model._fields.get(fname)
        if field is None or not field.column:
            raise self._invalid(fname)
        if field.type in ('date', 'datetime'):
            granularity = granularity or 'month'
            if granularity not in self.GRANULARITIES:
                raise ValueError(f'Invalid granularity {granularity!r} for {spec!r}')
        else:
            granularity = None
        return spec, fname, field, granularity

    def _parse_aggregates(self, fields):
        grouped = {fname for _spec, fname, _field, _gran in self.groupby}
        aggregates = []
        for spec in fields:
            match = self.SPEC.fullmatch(str(spec))
            if not match:
                raise ValueError(f'Invalid aggregate {spec!r}')
            name, func, source = match.groups()
            fname = source or name
            if fname == '__count':
                continue
            field = self.model._fields.get(fname)
            if field is None:
                raise self._invalid(fname)
            func = func or field.aggregator
            if not func or fname in grouped or fname == 'id' or not field.column:
                continue
            aggregates.append((name, fname, field, func))
        return aggregates

    @staticmethod
    def _period(value, granularity, with_time):
        """(label, start, end) of the period holding a date/datetime string."""
        year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
        date = dt.date(year, month, day)
        if granularity == 'day':
            start, end, label = date, date + dt.timedelta(days=1), date.strftime('%d %b %Y')
        elif granularity == 'week':
            start = date - dt.timedelta(days=date.weekday())
            iso = start.isocalendar()
            end, label = start + dt.timedelta(days=7), f'W{iso[1]} {iso[0]}'
        elif granularity == 'month':
            start = date.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1)
            label = f'{calendar.month_name[month]} {year}'
        elif granularity == 'quarter':
            quarter = (month - 1) // 3 + 1
            start = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            label = f'Q{quarter} {year}'
        else:
            start, end, label = dt.date(year, 1, 1), dt.date(year + 1, 1, 1), str(year)
        fmt = (lambda d: d.strftime(DATE_FORMAT) + ' 00:00:00') if with_time else \
            (lambda d: d.strftime(DATE_FORMAT))
        return label, fmt(start), fmt(end)

    def _aggregate(self, func, field, values):
        present = [v for v in values if v is not None]
        if func == 'count':
            return len(present)
        if func == 'count_distinct':
            return len(set(present))
        if func == 'array_agg':
            return present
        if func == 'bool_and':
            return all(present)
        if func == 'bool_or':
            return any(present)
        if not present:
            return False
        if func == 'sum':
            total = math.fsum(present)
            return round(total, 2 if field.type == 'monetary' else 6) if field.type != 'integer' else int(total)
        if func == 'avg':
            return math.fsum(present) / len(present)
        if func in ('min', 'max'):
            value = min(present) if func == 'min' else max(present)
            return value[:19] if field.type == 'datetime' else value
        raise ValueError(f'Invalid aggregate function {func!r}')

    def run(self):
        model = self.model
        rows = model._search_rows(self.domain, order='id')
        buckets = collections.OrderedDict()
        getters = [model._getter(fname) for _spec, fname, _field, _gran in self.groupby]
        for r in rows:
            key = []
            for (spec, fname, field, granularity), get in zip(self.groupby, getters):
                value = get(r)
                if granularity and value is not None:
                    value = self._period(value, granularity, field.type == 'datetime')
                key.append(value)
            buckets.setdefault(tuple(key), []).append(r)
        groups = [self._group(key, members) for key, members in buckets.items()]
        groups = self._sort(groups)
        groups = groups[self.offset:]
        return [g for g, _keys in (groups[:self.limit] if self.limit else groups)]

    def _group(self, key, members):
        model = self.model
        result, leaves, sort_keys = {}, [], []
        for (spec, fname, field, granularity), value in zip(self.groupby, key):
            if value is None:
                result[spec] = False
                leaves.append([fname, '=', False])
                sort_keys.append(None)
            elif granularity:
                label, start, end = value
                result[spec] = label
                leaves += ['&', [fname, '>=', start], [fname, '<', end]]
                sort_keys.append(start)
            elif field.type == 'many2one':
                result[spec] = [value, model.env[field.comodel]._name_getter()(value)]
                leaves.append([fname, '=', value])
                sort_keys.append(('m2o', field.comodel, value))
            else:
                result[spec] = value
                leaves.append([fname, '=', value])
                sort_keys.append(value)
        result[self._count_key()] = len(members)
        for name, fname, field, func in self.aggregates:
            get = model._getter(fname)
            result[name] = self._aggregate(func, field, [get(r) for r in members])
        group_domain = normalize_domain(leaves) if len(leaves) > 1 else leaves
        result['__domain'] = and_domains([group_domain, self.domain])
        if self.lazy and self.rest:
            result['__context'] = {'group_by': self.rest}
        return result, sort_keys

    def _count_key(self):
        return f'{self.groupby[0][1]}_count' if self.lazy else '__count'

    def _sort(self, groups):
        """Order the groups by `orderby` (groupby fields, aggregates, __count), then by
        the groupby values in their natural order (many2one: the comodel's _order)."""
        model = self.model
        targets = collections.defaultdict(set)
        for _group, keys in groups:
            for k in keys:
                if isinstance(k, tuple) and k and k[0] == 'm2o':
                    targets[k[1]].add(k[2])
        ranks = {comodel: model.env[comodel]._rank(ids) for comodel, ids in targets.items()}

        def natural(k):
            if isinstance(k, tuple) and k and k[0] == 'm2o':
                k = ranks[k[1]].get(k[2])
            return (k is None, k)

        position = {}
        for n, (spec, fname, _field, _granularity) in enumerate(self.groupby):
            position[spec] = position[fname] = n
        position['__count'] = self._count_key()
        keys = []
        for part in str(self.orderby or '').split(','):
            words = part.split()
            if words:
                keys.append((position.get(words[0], words[0]), len(words) > 1 and words[1].lower() == 'desc'))
        used = {key for key, _desc in keys}
        keys += [(n, False) for n in range(len(self.groupby)) if n not in used]
        result = list(groups)
        for key, desc in reversed(keys):                 # stable sorts, least significant first
            if isinstance(key, int):
                result.sort(key=lambda g, key=key: natural(g[1][key]), reverse=desc)
            else:
                result.sort(key=lambda g, key=key: (g[0].get(key) in (None, False), g[0].get(key)),
                            reverse=desc)
        return result
