"""Minimal request-body schemas for the operations the simulator serves, used when the official spec is not loaded.

They hold only what the simulator itself reads (types of the paging arguments, required ``where`` / ``data``
fields, list-valued ``_in`` filters), so that a malformed body is a 400 naming the field instead of a crash.
They follow the spec's shapes (``VmStartParams``, ``LoginInput``, ``Get<X>RequestBody``...), never more strictly.
"""

import threading

from jsonschema import Draft4Validator

from .store import query_operation
from .tasks import VM_OPERATIONS

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
STRING = {"type": "string"}

# a where object: logical operators take lists of where objects; ``_in`` / ``_not_in`` take a list or null
WHERE = {
    "type": "object",
    "properties": {key: {"type": ["array", "null"], "items": {"$ref": "#/definitions/where"}} for key in ("AND", "OR", "NOT")},
    "patternProperties": {"_(not_)?in$": {"type": ["array", "null"]}},
}
DEFINITIONS = {"where": WHERE}

QUERY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "where": {"anyOf": [{"$ref": "#/definitions/where"}, {"type": "null"}]},
        "orderBy": NULLABLE_STRING, "after": NULLABLE_STRING, "before": NULLABLE_STRING,
        "first": NULLABLE_INTEGER, "skip": NULLABLE_INTEGER, "last": NULLABLE_INTEGER,
    },
}


def _where_params(data=None):
    schema = {"type": "object", "required": ["where"], "properties": {"where": {"$ref": "#/definitions/where"}}}
    if data is not None:
        schema["properties"]["data"] = data
    return schema


def _required_strings(*names, **optional):
    properties = {name: STRING for name in names}
    properties.update(optional)
    return {"type": "object", "required": list(names), "properties": properties}


MUTATIONS = {operation: _where_params() for operation in VM_OPERATIONS}
MUTATIONS.update({
    "start-vm": _where_params(_required_strings("host_id")),
    "rollback-vm": dict(_where_params(_required_strings("snapshot_id")), required=["where", "data"]),
    "create-vm-snapshot": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "array", "items": _required_strings("vm_id", "name", consistent_type=NULLABLE_STRING)}}},
    "delete-vm-snapshot": _where_params(),
    "resolve-alert": _where_params(),
    "login": _required_strings("username", "password", source=NULLABLE_STRING, auth_config_id=NULLABLE_STRING),
})

_validators = {}
_lock = threading.Lock()


def schema(operation):
    """The fallback schema of a served operation, or None."""
    return MUTATIONS.get(operation) or (QUERY if query_operation(operation) else None)


def validator(operation):
    """A Draft 4 validator of the fallback schema (cached), or None for an operation without a body."""
    with _lock:
        if operation not in _validators:
            found = schema(operation)
            _validators[operation] = None if found is None else Draft4Validator(dict(found, definitions=DEFINITIONS))
        return _validators[operation]
