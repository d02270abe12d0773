"""Read the official OpenAPI document at run time and derive validators and defaults from it.

The spec is never copied into the repository (unknown licence), so everything here works on
the file named by ``--spec`` / ``CLOUDTOWER_SPEC`` and degrades gracefully when it is absent.
"""

import copy
import json
import os
import sys
import threading

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_URI = "urn:cloudtower-spec"


def default_spec_path():
    """The spec path used when ``--spec`` is not given."""
    return os.environ.get("CLOUDTOWER_SPEC") or os.path.join(REPO_ROOT, "..", "shared", "cloudtower-openapi", "openapi.json")


def to_json_schema(node):
    """Turn OpenAPI 3.0 ``nullable`` into plain JSON Schema so a Draft 4 validator handles it.

    openapi-schema-validator rejects ``null`` for ``{"allOf": [...], "nullable": true}``, which the
    spec uses for every optional relation, so the conversion is done once here instead.
    """
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if "type" in out and isinstance(out["type"], str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = list(out["enum"]) + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Spec:
    """The loaded spec (or an empty stand-in), with lazily built per-operation validators.

    ``Spec(None)`` is the deliberate stand-in (unit tests); a path that does not exist warns once.
    """

    def __init__(self, path):
        self.path = path
        self.doc = None
        self._validators = {}
        self._lock = threading.Lock()
        if path and os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                self.doc = json.load(handle)
            self._registry = Registry().with_resource(
                SPEC_URI, Resource.from_contents(to_json_schema(self.doc), default_specification=DRAFT4))
        elif path:
            sys.stderr.write("warning: CloudTower OpenAPI spec not found at %s; running without validation\n" % path)
            sys.stderr.flush()

    @property
    def loaded(self):
        return self.doc is not None

    @property
    def version(self):
        return self.doc["info"]["version"] if self.doc else None

    def schema(self, name):
        """A component schema by name, or None."""
        return self.doc["components"]["schemas"].get(name) if self.doc else None

    def operation(self, op):
        """The OpenAPI operation object of ``/<op>`` (POST or GET), or None."""
        if not self.doc:
            return None
        item = self.doc["paths"].get("/" + op) or {}
        return item.get("post") or item.get("get")

    def method(self, op):
        """The HTTP method the spec declares for ``/<op>`` ("GET" or "POST"), or None."""
        item = (self.doc["paths"].get("/" + op) or {}) if self.doc else {}
        return "POST" if "post" in item else "GET" if "get" in item else None

    def validator(self, op, kind, status="200"):
        """A Draft 4 validator for ``kind`` = "request" or "response" of an operation, or None."""
        key = (op, kind, status)
        with self._lock:
            if key not in self._validators:
                self._validators[key] = self._build(op, kind, status)
            return self._validators[key]

    def _build(self, op, kind, status):
        operation = self.operation(op)
        if operation is None:
            return None
        holder = operation.get("requestBody") if kind == "request" else operation["responses"].get(status)
        schema = ((holder or {}).get("content", {}).get("application/json") or {}).get("schema")
        if schema is None:
            return None
        return Draft4Validator(_rebase(to_json_schema(schema)), registry=self._registry)

    def defaults(self, name):
        """A record of schema ``name`` with every property: null when nullable, else a typed default."""
        schema = self.schema(name)
        if schema is None:
            return {}
        return {prop: self._default(sub) for prop, sub in schema.get("properties", {}).items()}

    def _default(self, sub, depth=0):
        if sub.get("nullable"):
            return None
        if "$ref" in sub or "allOf" in sub:
            target = self._resolve(sub["$ref"] if "$ref" in sub else sub["allOf"][0]["$ref"])
            if "enum" in target:
                return target["enum"][0]
            if depth > 3:
                return {}
            return {key: self._default(target["properties"][key], depth + 1) for key in target.get("required", [])}
        if "enum" in sub:
            return sub["enum"][0]
        return copy.deepcopy({"string": "", "integer": 0, "number": 0.0, "boolean": False, "array": [], "object": {}}.get(sub.get("type"), None))

    def _resolve(self, ref):
        return self.doc["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _rebase(node):
    """Point local ``#/components/...`` references at the registered spec resource."""
    if isinstance(node, list):
        return [_rebase(item) for item in node]
    if isinstance(node, dict):
        return {key: (SPEC_URI + value if key == "$ref" and value.startswith("#") else _rebase(value)) for key, value in node.items()}
    return node
