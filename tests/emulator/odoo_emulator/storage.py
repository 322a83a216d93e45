# SPDX-License-Identifier: MIT
"""Column storage of one model's records, with the undo journal of the transaction."""

import bisect


class Table:
    """Column storage of one model.  Live ids are kept sorted (ids only grow), with a
    parallel list of row numbers; rows of deleted records stay in the columns so an
    undo can bring them back.  Reverse indexes of many2one columns (target id -> set of
    ids) are built on first use and then maintained."""

    def __init__(self, model_cls, registry):
        self.model = model_cls
        self.registry = registry
        self.ids = []
        self.rows = []
        self.index = {}
        self.fields = {n: f for n, f in model_cls._fields.items() if f.column}
        self.cols = {n: [] for n in self.fields}
        self.nrows = 0
        self.next_id = 1
        self._rev = {}

    def __len__(self):
        return len(self.ids)

    def insert(self, values, rid=None):
        rid = self.next_id if rid is None else rid
        if rid < self.next_id:
            raise ValueError('ids must be inserted in increasing order')
        row = self.nrows
        self.nrows += 1
        for name, col in self.cols.items():
            col.append(values.get(name, self.fields[name].empty))
        self.cols['id'][row] = rid
        self.ids.append(rid)
        self.rows.append(row)
        self.index[rid] = row
        self.next_id = rid + 1
        for fname, rev in self._rev.items():
            target = self.cols[fname][row]
            if target is not None:
                rev.setdefault(target, set()).add(rid)
        self.registry.journal(('insert', self, rid))
        return rid

    def bulk_load(self, ids, columns):
        """Append many records at once (seeding); ids ascending and above next_id."""
        count = len(ids)
        for name, col in self.cols.items():
            values = columns.get(name)
            if values is None:
                col.extend([self.fields[name].empty] * count)
            else:
                col.extend(values)
        self.cols['id'][self.nrows:] = ids
        start = self.nrows
        self.rows.extend(range(start, start + count))
        self.ids.extend(ids)
        self.index.update(zip(ids, range(start, start + count)))
        self.nrows += count
        if ids:
            self.next_id = ids[-1] + 1
        self._rev.clear()

    def delete(self, rid, journal=True):
        row = self.index.pop(rid)
        pos = bisect.bisect_left(self.ids, rid)
        del self.ids[pos]
        del self.rows[pos]
        for fname, rev in self._rev.items():
            target = self.cols[fname][row]
            if target is not None:
                rev.get(target, set()).discard(rid)
        if journal:
            self.registry.journal(('delete', self, rid, row))

    def _restore(self, rid, row):
        pos = bisect.bisect_left(self.ids, rid)
        self.ids.insert(pos, rid)
        self.rows.insert(pos, row)
        self.index[rid] = row
        for fname, rev in self._rev.items():
            target = self.cols[fname][row]
            if target is not None:
                rev.setdefault(target, set()).add(rid)

    def set(self, row, fname, value):
        col = self.cols[fname]
        old = col[row]
        if old is value or (old == value and type(old) is type(value)):
            return
        col[row] = value
        self._reindex(row, fname, old, value)
        self.registry.journal(('set', self, row, fname, old))

    def _reindex(self, row, fname, old, new):
        rev = self._rev.get(fname)
        if rev is not None:
            rid = self.cols['id'][row]
            if old is not None:
                rev.get(old, set()).discard(rid)
            if new is not None:
                rev.setdefault(new, set()).add(rid)

    def rev(self, fname):
        """Reverse index of a many2one column: target id -> set of live ids."""
        rev = self._rev.get(fname)
        if rev is None:
            rev = {}
            col, ids_col = self.cols[fname], self.cols['id']
            for row in self.rows:
                target = col[row]
                if target is not None:
                    bucket = rev.get(target)
                    if bucket is None:
                        rev[target] = bucket = set()
                    bucket.add(ids_col[row])
            self._rev[fname] = rev
        return rev

    def undo(self, entry):
        kind = entry[0]
        if kind == 'insert':
            self.delete(entry[2], journal=False)
        elif kind == 'delete':
            self._restore(entry[2], entry[3])
        elif kind == 'set':
            _kind, _table, row, fname, old = entry
            new = self.cols[fname][row]
            self.cols[fname][row] = old
            self._reindex(row, fname, new, old)
