"""In-memory tables of CloudTower records, kept linked, with cached JSON renderings.

Records are stored exactly as the API returns them (snake_case keys, nested ``{id, name}``
references), so a query only filters, sorts and serialises. Anything that is simulator-only
state (guest behaviour, alert translations) lives beside the records, never inside them.
"""

import datetime
import json
import random
import re
import uuid

from .query import WhereCompiler

# table -> OpenAPI schema name
TABLES = {
    "clusters": "Cluster", "hosts": "Host", "disks": "Disk", "vms": "Vm", "vm_nics": "VmNic",
    "vm_snapshots": "VmSnapshot", "iscsi_lun_snapshots": "IscsiLunSnapshot", "alerts": "Alert",
    "labels": "Label", "tasks": "Task",
}

# query operation stem -> table (``get-<stem>`` and ``get-<stem>-connection``)
QUERY_TABLES = {table.replace("_", "-"): table for table in TABLES}


def query_operation(operation):
    """(table, is_connection) for ``get-<stem>`` / ``get-<stem>-connection``, or None when it is no query."""
    match = re.match(r"^get-(.+?)(-connection)?$", operation)
    return (QUERY_TABLES[match.group(1)], bool(match.group(2))) if match and match.group(1) in QUERY_TABLES else None

# table -> {field: related table}; "users" is not queryable but resolves task.user
RELATIONS = {
    "clusters": {"hosts": "hosts", "vms": "vms", "labels": "labels"},
    "hosts": {"cluster": "clusters", "disks": "disks", "vms": "vms", "labels": "labels"},
    "disks": {"host": "hosts", "labels": "labels"},
    "vms": {"cluster": "clusters", "host": "hosts", "labels": "labels", "vm_nics": "vm_nics", "snapshots": "vm_snapshots"},
    "vm_nics": {"vm": "vms"},
    "vm_snapshots": {"vm": "vms", "cluster": "clusters", "labels": "labels"},
    "iscsi_lun_snapshots": {"labels": "labels"},
    "alerts": {"cluster": "clusters", "host": "hosts", "disk": "disks", "vms": "vms"},
    "labels": {"vms": "vms", "clusters": "clusters", "hosts": "hosts", "disks": "disks", "vm_snapshots": "vm_snapshots"},
    "tasks": {"cluster": "clusters", "user": "users"},
}

# (table, to-one or to-many field) -> (related table, its back-reference list) kept in sync on every change
INVERSES = {
    ("hosts", "cluster"): ("clusters", "hosts"),
    ("vms", "cluster"): ("clusters", "vms"),
    ("vms", "host"): ("hosts", "vms"),
    ("disks", "host"): ("hosts", "disks"),
    ("vm_nics", "vm"): ("vms", "vm_nics"),
    ("vm_snapshots", "vm"): ("vms", "snapshots"),
    ("vms", "labels"): ("labels", "vms"),
}

# the fields of the Nested<Type> reference each table is embedded as
NESTED = {
    "clusters": ("id", "name"), "hosts": ("id", "name", "management_ip"), "disks": ("id", "name"), "vms": ("id", "name"),
    "vm_nics": ("id",), "vm_snapshots": ("id", "name"), "labels": ("id", "key", "value"), "iscsi_lun_snapshots": ("id", "name"),
    "alerts": ("id",), "tasks": ("id",), "users": ("id", "name"),
}

SEED_EPOCH = datetime.datetime(2025, 10, 30, 8, 57, 9, tzinfo=datetime.timezone.utc)
ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_BYTES = bytes(ord(ID_ALPHABET[value % 36]) for value in range(256))  # random byte -> base-36 digit, fast enough for 50k VMs
ID_LOW_DIGITS = [high + low for high in ID_ALPHABET for low in ID_ALPHABET]  # the last two base-36 digits of an id stamp


def _base36(number):
    digits = []
    while number:
        number, digit = divmod(number, 36)
        digits.append(ID_ALPHABET[digit])
    return "".join(reversed(digits)) or "0"


def iso(moment):
    """ISO-8601 UTC with milliseconds, as CloudTower prints times: 2025-10-30T08:57:09.000Z."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


class Store:
    """All tables, id generation and the JSON cache. Not thread-safe: the server holds one lock around it."""

    def __init__(self, spec, seed):
        self.spec = spec
        self.rng = random.Random(seed)
        self.tables = {table: {} for table in TABLES}
        self.tables["users"] = {}
        self.templates = {table: spec.defaults(schema) for table, schema in TABLES.items()}
        self.fields = {table: set(template) for table, template in self.templates.items()}
        self.alert_texts = {}  # alert id -> {language: {message, cause, impact, solution}}
        self.guests = {}  # vm id -> {"ignore_acpi": bool, "shutdown_seconds": float|None}
        self.vm_volumes = {}  # vm id -> [{"local_id", "path", "size", "bus"}]: the disks a snapshot freezes
        self._cache = {}
        self._mutable = {}
        self.bulk = False  # while seeding, counters are computed once at the end (see recount_all)
        self._id_stamp = int(SEED_EPOCH.timestamp() * 1000) * 36 ** 4  # cuid: 8 digits of time, 4 of counter
        self._id_high, self._id_prefix = None, None
        self.where = WhereCompiler(RELATIONS, self.resolve, self.fields)

    # ids -----------------------------------------------------------------------------------
    def new_id(self):
        """A cuid-like id: ``c``, 12 base-36 digits of a time-and-counter stamp, 12 random ones (25 characters).

        As with real cuids (``c`` + time + counter + fingerprint + random), ids sort in creation order, so ordering
        by id, Prisma's default and its tie-breaker, gives creation order. The stamp is the seed epoch in
        milliseconds followed by a counter: deterministic for a seed, and strictly increasing.
        """
        self._id_stamp += 1
        high, low = divmod(self._id_stamp, 36 ** 2)
        if high != self._id_high:  # base 36 of the stamp's upper digits only every 1,296 ids: seeding 50k VMs stays fast
            self._id_high, self._id_prefix = high, "c" + _base36(high).rjust(10, "0")
        return self._id_prefix + ID_LOW_DIGITS[low] + self.rng.getrandbits(192).to_bytes(24, "little").translate(ID_BYTES)[:12].decode("ascii")

    def new_uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # records -------------------------------------------------------------------------------
    def make(self, table, fields):
        """A full record: the spec's defaults for every property, overlaid with ``fields``."""
        template = self.templates.get(table, {})
        record = dict(template)
        for key in self._mutable_defaults(table):
            if key not in fields:
                record[key] = json.loads(json.dumps(template[key]))  # a fresh copy: records must not share lists
        record.update(fields)
        self.fields.setdefault(table, set()).update(fields)
        return record

    def _mutable_defaults(self, table):
        keys = self._mutable.get(table)
        if keys is None:
            keys = self._mutable[table] = [key for key, value in self.templates.get(table, {}).items() if isinstance(value, (list, dict))]
        return keys

    def nested(self, table, record):
        return {key: record.get(key) for key in NESTED[table]}

    def insert(self, table, fields):
        record = self.make(table, fields)
        self.tables[table][record["id"]] = record
        for (source, field), (target, back) in INVERSES.items():
            if source == table:
                for item in _as_list(record.get(field)):
                    self._link(target, item["id"], back, self.nested(table, record))
        return record

    def update(self, table, record_id, fields):
        """Change fields of a record, keeping back-references and embedded copies consistent."""
        record = self.tables[table][record_id]
        for (source, field), (target, back) in INVERSES.items():
            if source == table and field in fields:
                for item in _as_list(record.get(field)):
                    self._unlink(target, item["id"], back, record_id)
        renamed = any(key in NESTED.get(table, ()) and record.get(key) != value for key, value in fields.items())
        record.update(fields)
        self.fields[table].update(fields)
        self.invalidate(table, record_id)
        for (source, field), (target, back) in INVERSES.items():
            if source == table and field in fields:
                for item in _as_list(record.get(field)):
                    self._link(target, item["id"], back, self.nested(table, record))
        if renamed:
            self._refresh_references(table, record)
        return record

    def delete(self, table, record_id):
        record = self.tables[table].pop(record_id)
        self.invalidate(table, record_id)
        for (source, field), (target, back) in INVERSES.items():
            if source == table:
                for item in _as_list(record.get(field)):
                    self._unlink(target, item["id"], back, record_id)
        return record

    def _link(self, table, record_id, field, reference):
        record = self.tables[table].get(record_id)
        if record is not None:
            if record.get(field) is None:
                record[field] = []
            record[field].append(reference)  # in place: seeding links tens of thousands of VMs to one cluster
            self.invalidate(table, record_id)
            if not self.bulk:
                self.recount(table, record_id)

    def _unlink(self, table, record_id, field, gone_id):
        record = self.tables[table].get(record_id)
        if record is not None:
            record[field] = [item for item in record.get(field) or [] if item["id"] != gone_id]
            self.invalidate(table, record_id)
            self.recount(table, record_id)

    def _refresh_references(self, table, record):
        """After a rename, rewrite the embedded ``{id, name}`` copies in every record that holds one."""
        fresh = self.nested(table, record)
        for source, relations in RELATIONS.items():
            for field, target in relations.items():
                if target != table or source == "users":
                    continue
                for other in self.tables[source].values():
                    value = other.get(field)
                    if isinstance(value, dict) and value.get("id") == record["id"]:
                        other[field] = fresh
                        self.invalidate(source, other["id"])
                    elif isinstance(value, list) and any(item.get("id") == record["id"] for item in value):
                        other[field] = [fresh if item.get("id") == record["id"] else item for item in value]
                        self.invalidate(source, other["id"])

    def recount(self, table, record_id):
        """Refresh the VM counters clusters, hosts and labels carry."""
        record = self.tables[table].get(record_id)
        if record is None or table not in ("clusters", "hosts", "labels"):
            return
        vms = [self.tables["vms"].get(item["id"]) for item in record.get("vms") or []]
        vms = [vm for vm in vms if vm is not None]
        if table == "labels":
            record["vm_num"] = len(vms)
            record["total_num"] = len(vms)
        else:
            record["vm_num"] = len(vms)
            for status, key in (("RUNNING", "running_vm_num"), ("STOPPED", "stopped_vm_num"), ("SUSPENDED", "suspended_vm_num")):
                record[key] = sum(1 for vm in vms if vm["status"] == status)
            if table == "clusters":
                record["host_num"] = len(record.get("hosts") or [])
        self.invalidate(table, record_id)

    def recount_all(self):
        for table in ("clusters", "hosts", "labels"):
            for record_id in list(self.tables[table]):
                self.recount(table, record_id)

    def resolve(self, table, nested):
        """The full record behind a nested reference, or the reference itself when not modelled."""
        if table is None or not isinstance(nested, dict):
            return nested
        return self.tables.get(table, {}).get(nested.get("id"), nested)

    def find(self, table, selector):
        """Records matching a control-API selector such as ``{"id": ...}`` or ``{"name": ...}``."""
        predicate = self.where.compile(table, selector)
        return [record for record in self.tables[table].values() if predicate(record)]

    # rendering -----------------------------------------------------------------------------
    def invalidate(self, table, record_id):
        self._cache.pop((table, record_id, ""), None)
        if table == "alerts":
            self._cache.pop((table, record_id, "zh-CN"), None)

    def render(self, table, record, language):
        """JSON bytes of one record, cached until it changes; alert texts follow the language."""
        lang = language if table == "alerts" and language != "en-US" else ""
        key = (table, record["id"], lang)
        cached = self._cache.get(key)
        if cached is None:
            shown = record
            if lang:
                shown = dict(record, **self.alert_texts.get(record["id"], {}).get(lang, {}))
            cached = self._cache[key] = json.dumps(shown, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return cached

    def render_list(self, table, records, language):
        return b"[" + b",".join(self.render(table, record, language) for record in records) + b"]"

    def view(self, table, record, language="en-US"):
        """A record as a plain dict, as the API shows it in ``language``."""
        return json.loads(self.render(table, record, language))


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
