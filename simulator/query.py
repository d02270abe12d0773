"""The Prisma 1 query language CloudTower exposes: ``where`` filters, ``orderBy`` and paging."""

import re


class QueryError(ValueError):
    """A query the real API would refuse (bad cursor combination, unknown orderBy field...)."""


# Longest first, so that ``name_not_in`` is read as ``name`` + ``_not_in`` and not ``name_not`` + ``_in``.
SUFFIXES = ("_not_starts_with", "_not_ends_with", "_not_contains", "_starts_with", "_ends_with", "_contains",
            "_not_in", "_every", "_some", "_none", "_not", "_in", "_lte", "_gte", "_lt", "_gt")


def _compare(op, value, arg):
    """Scalar comparison with SQL's NULL logic, as Prisma 1 writes it: only ``f: null`` (IS NULL) and
    ``f_not: null`` (IS NOT NULL) match on a NULL; ``f_not: x`` is ``f != x``, which a NULL does not satisfy."""
    if op == "":
        return value == arg
    if op == "_not":
        return value != arg if arg is None else value is not None and value != arg
    if value is None or arg is None:
        return False
    try:
        if op == "_lt":
            return value < arg
        if op == "_lte":
            return value <= arg
        if op == "_gt":
            return value > arg
        if op == "_gte":
            return value >= arg
    except TypeError:
        return False
    if not isinstance(value, str):
        return False
    return {
        "_contains": lambda: arg in value,
        "_not_contains": lambda: arg not in value,
        "_starts_with": lambda: value.startswith(arg),
        "_not_starts_with": lambda: not value.startswith(arg),
        "_ends_with": lambda: value.endswith(arg),
        "_not_ends_with": lambda: not value.endswith(arg),
    }[op]()


def _membership(field, values, wanted):
    """``field_in`` (``wanted`` True) / ``field_not_in`` as Prisma 1 writes them in SQL.

    ``null`` and ``[null]`` are ``IS NULL`` / ``IS NOT NULL``; ``[]`` matches nothing / everything; any other list is
    ``IN (...)`` / ``NOT IN (...)``: a NULL field never matches, and ``NOT IN`` a list that holds a null matches nothing.
    A set makes a page of 1,000 ids cost one lookup per record, not 1,000.
    """
    if values is None or values == [None]:
        return lambda record: (record.get(field) is None) == wanted
    if not values:
        return lambda record: not wanted
    if not wanted and None in values:
        return lambda record: False
    try:
        members = frozenset(values)
    except TypeError:  # unhashable values: compare one by one
        members = values

    def member(record):
        value = record.get(field)
        if value is None:
            return False
        try:
            return (value in members) == wanted
        except TypeError:
            return (value in values) == wanted
    return member


class WhereCompiler:
    """Compiles a ``where`` object once into a predicate over records of one table.

    ``resolver(table, field, nested)`` returns the full related record for a nested reference
    (``{"id": ...}``), so relation filters see every field of the related record, as the real API does.
    ``relations`` maps table -> {field: related table}.
    """

    def __init__(self, relations, resolver, fields):
        self.relations = relations
        self.resolver = resolver
        self.fields = fields  # table -> set of known field names, to split keys from suffixes

    def compile(self, table, where):
        if not where:
            return lambda record: True
        preds = [self._term(table, key, arg) for key, arg in where.items()]
        if len(preds) == 1:
            return preds[0]
        return lambda record: all(pred(record) for pred in preds)

    def _split(self, table, key):
        fields = self.fields.get(table, ())
        if key in fields:
            return key, ""
        for suffix in SUFFIXES:
            if key.endswith(suffix) and key[:-len(suffix)] in fields:
                return key[:-len(suffix)], suffix
        match = re.match(r"^(.*?)(%s)$" % "|".join(SUFFIXES), key)
        return (match.group(1), match.group(2)) if match else (key, "")

    def _term(self, table, key, arg):
        if key in ("AND", "OR", "NOT"):
            subs = [self.compile(table, sub) for sub in (arg or [])]
            if key == "AND":
                return lambda record: all(sub(record) for sub in subs)
            if key == "OR":
                return lambda record: any(sub(record) for sub in subs)
            return lambda record: not any(sub(record) for sub in subs)
        field, op = self._split(table, key)
        if isinstance(arg, dict) and op in ("", "_some", "_every", "_none"):
            # a relation; one the simulator does not model (folder, vm_disks...) is matched on its nested copy
            return self._relation(field, self.relations.get(table, {}).get(field), op, arg)
        if op in ("_in", "_not_in"):
            # GraphQL coerces a single value given for a list to a list of one
            return _membership(field, arg if arg is None or isinstance(arg, list) else [arg], op == "_in")
        return lambda record: _compare(op, record.get(field), arg)

    def _relation(self, field, target, op, arg):
        sub = self.compile(target, arg)
        resolve = self.resolver

        def related(record):
            value = record.get(field)
            if value is None:
                return []
            items = value if isinstance(value, list) else [value]
            return [resolve(target, item) for item in items]

        if op == "":
            def to_one(record):
                items = related(record)
                return bool(items) and sub(items[0])
            return to_one
        if op == "_some":
            return lambda record: any(sub(item) for item in related(record))
        if op == "_every":
            return lambda record: all(sub(item) for item in related(record))
        return lambda record: not any(sub(item) for item in related(record))


def _sort_key(value):
    """Orders None last (PostgreSQL's default for ASC) and keeps mixed types comparable."""
    if value is None:
        return (2, 0)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (1, repr(value))


def order(records, order_by, fields):
    """Sort by ``<field>_ASC|_DESC``; the default (None) keeps creation order, which is stable."""
    if not order_by:
        return list(records)
    match = re.match(r"^(.*)_(ASC|DESC)$", order_by)
    if not match or match.group(1) not in fields:
        raise QueryError("orderBy %r is not a valid <field>_ASC|<field>_DESC value" % order_by)
    field, descending = match.group(1), match.group(2) == "DESC"
    return sorted(records, key=lambda record: _sort_key(record.get(field)), reverse=descending)


def paginate(records, first=None, skip=None, after=None, before=None, last=None):
    """Prisma 1 paging over an ordered list of records.

    ``after``/``before`` are record ids, the cursor itself excluded; a cursor that is not in the
    (filtered) list yields nothing on that side. ``first`` with ``skip`` counts from the start;
    ``last`` with ``skip`` counts from the end, as Prisma 1 does by reversing the order.
    """
    for name, value in (("first", first), ("skip", skip), ("last", last)):
        if value is not None and value < 0:
            raise QueryError("%s must not be negative" % name)
    if first is not None and last is not None:
        raise QueryError("first and last cannot be used together")
    ids = [record["id"] for record in records]
    if after is not None:
        records = records[ids.index(after) + 1:] if after in ids else []
        ids = ids[len(ids) - len(records):]
    if before is not None:
        records = records[:ids.index(before)] if before in ids else []
    skip = skip or 0
    if last is not None:
        end = len(records) - skip
        return records[max(end - last, 0):max(end, 0)]
    records = records[skip:]
    return records if first is None else records[:first]
