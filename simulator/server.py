"""HTTP front end: ``/v2/api/<operation>``, the ``/_sim/`` control API, faults and the request log."""

import datetime
import json
import random
import re
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jsonschema.exceptions import best_match, relevance

from . import API_VERSION, bodies, i18n
from .query import QueryError, order, paginate
from .seed import Seeder
from .store import NESTED, RELATIONS, TABLES, Store, iso, query_operation
from .tasks import MUTATIONS, RequestError, TaskEngine

API_PREFIX = "/v2/api/"
LANGUAGE_VALUES = ("en-US", "zh-CN", "*")
PROXY_PAGE = ("<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center>"
              "<hr><center>nginx</center></body></html>")
DEFAULT_USERS = (("admin", "cloudtower", "LOCAL"), ("ldapuser", "ldappass", "LDAP"))


class Simulator:
    """The whole simulated CloudTower: state, accounts, faults and the request log, behind one lock."""

    def __init__(self, spec, vms=50, clusters=3, seed=1, task_seconds=0.5, users=(), clock=time.monotonic):
        self.spec = spec
        self.vm_count, self.cluster_count, self.seed, self.task_seconds = vms, clusters, seed, task_seconds
        self.clock = clock
        self.lock = threading.RLock()
        rng = random.Random("users-%s" % seed)
        self.users = {}
        for name, password, source in tuple(DEFAULT_USERS) + tuple(users):
            user_id = "c" + "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(24))
            self.users[name] = {"id": user_id, "name": name, "password": password, "source": source}
        self.tokens = {}
        self.reset()

    def reset(self):
        """Back to the seeded start state: same seed and flags; faults, log and tasks cleared. Tokens stay valid."""
        with self.lock:
            self.store = Store(self.spec, self.seed)
            Seeder(self.store, self.cluster_count, self.vm_count).run()
            self.engine = TaskEngine(self.store, self.task_seconds, self.clock)
            self.faults = []
            self.requests = []
            self.request_seq = 0

    # faults and log --------------------------------------------------------------------------
    def take_fault(self, operation):
        for fault in self.faults:
            if fault["operation"] in (operation, "*") and fault["times"] > 0:
                fault["times"] -= 1
                return fault
        return None

    def log(self, method, operation, body, status, language):
        with self.lock:
            self.request_seq += 1
            self.requests.append({"seq": self.request_seq, "time": iso(datetime.datetime.now(datetime.timezone.utc)),
                                  "method": method, "operation": operation, "body": body, "status": status, "language": language})

    # the API ----------------------------------------------------------------------------------
    def call(self, method, operation, raw_body, headers):
        """One API request already past the fault layer: returns (status, JSON-able or bytes)."""
        language_header = headers.get("content-language")
        language = language_header if language_header in ("en-US", "zh-CN") else "en-US"
        path = "/" + operation
        if language_header is not None and language_header not in LANGUAGE_VALUES:
            return self.error(400, path, i18n.message("bad_language", "en-US", value=language_header))
        if operation not in ("get-version", "login") and operation not in MUTATIONS and not query_operation(operation):
            return self.error(404, path, i18n.message("not_found", language, op=path))
        expected = self.method(operation)
        if method != expected:
            # the real server routes by method and path (a tsoa-generated router), so another method finds no route
            return self.error(404, path, i18n.message("wrong_method", language, method=method, op=path, expected=expected))
        if operation == "get-version":
            return 200, self.spec.version or API_VERSION
        user = None
        if operation != "login":
            user = self.authenticate(headers.get("authorization"))
            if user is None:
                return self.error(401, path, i18n.message("unauthorized", language))
        try:
            body = json.loads(raw_body or b"{}")
        except ValueError:
            return self.error(400, path, i18n.message("invalid_json", language))
        problem = self.validate(operation, body)
        if problem:
            return self.error(400, path, i18n.message("invalid_body", language, field=problem[0], detail=problem[1]))
        if operation == "login":
            return self.login(body, path, language)
        with self.lock:
            self.engine.advance()
            try:
                if operation in MUTATIONS:
                    return 200, self.engine.mutate(operation, body, user, language)
                return self.query(operation, body, language)
            except QueryError as exc:
                return self.error(400, path, i18n.message("invalid_query", language, detail=str(exc)))
            except RequestError as exc:
                return self.error(exc.status, path, exc.message, exc.code, exc.props)

    @staticmethod
    def error(status, path, message, code=None, props=None):
        body = {"path": path, "status": status, "message": message}
        if code is not None:
            body["code"] = code
        if props is not None:
            body["props"] = props
        return status, body

    def method(self, operation):
        """The HTTP method of a served operation: the spec's, else GET for get-version and POST for the rest."""
        declared = self.spec.method(operation) if self.spec.loaded else None
        return declared or ("GET" if operation == "get-version" else "POST")

    def validate(self, operation, body):
        """(field, detail) of the first violation in a request body, or None.

        The spec's schema when it is loaded, else the simulator's minimal one (``bodies``), so that a body the
        simulator cannot read is a 400 either way.
        """
        validator = (self.spec.validator(operation, "request") if self.spec.loaded else None) or bodies.validator(operation)
        if validator is None:
            return None if isinstance(body, dict) else ("(body)", "must be an object")
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        error = _deepest(error)
        path = list(error.absolute_path)
        names = re.findall(r"'([^']+)'", error.message)
        if error.validator in ("additionalProperties", "required") and names:
            path.append(names[0])
        field = "".join("[%d]" % part if isinstance(part, int) else ".%s" % part for part in path).lstrip(".") or "(body)"
        return field, error.message

    def login(self, body, path, language):
        user = self.users.get(body["username"])
        source = body.get("source") or "LOCAL"
        # the SDKs log LDAP users in as AUTHN with an auth_config_id when the server lists an LDAP strategy
        if source == "AUTHN" and body.get("auth_config_id"):
            source = "LDAP"
        if user is None or user["password"] != body["password"] or user["source"] != source:
            return self.error(400, path, i18n.message("login_failed", language))
        token = uuid.uuid4().hex + uuid.uuid4().hex
        with self.lock:
            self.tokens[token] = user
        return 200, {"task_id": None, "data": {"token": token}}

    def authenticate(self, header):
        if not header:
            return None
        token = header[7:].strip() if header.lower().startswith("bearer ") else header.strip()
        with self.lock:
            return self.tokens.get(token)

    def query(self, operation, body, language):
        table, connection = query_operation(operation)
        store = self.store
        predicate = store.where.compile(table, body.get("where") or {})
        records = [record for record in store.tables[table].values() if predicate(record)]
        if connection:
            return 200, {"aggregate": {"count": len(records)}}
        records = order(records, body.get("orderBy"), store.fields[table])
        page = paginate(records, body.get("first"), body.get("skip"), body.get("after"), body.get("before"), body.get("last"))
        return 200, store.render_list(table, page, language)

    # the control API --------------------------------------------------------------------------
    def control(self, method, path, body):
        """``/_sim/...``: returns (status, JSON-able)."""
        parts = [part for part in path.split("/") if part][1:]
        with self.lock:
            self.engine.advance()
            if parts == ["reset"] and method == "POST":
                self.reset()
                return 200, {"ok": True}
            if parts == ["requests"]:
                if method == "DELETE":
                    self.requests = []
                    return 200, {"ok": True}
                return 200, {"requests": list(self.requests)}
            if parts == ["faults"]:
                return self._set_faults(method, body, self.faults, ("http", "drop", "drop_after", "delay"), "kind")
            if parts == ["task-faults"]:
                return self._set_faults(method, body, self.engine.task_faults, ("fail", "hang"), "mode")
            if parts == ["revoke-tokens"] and method == "POST":
                self.tokens.clear()
                return 200, {"ok": True}
            if len(parts) == 3 and parts[0] == "vms" and parts[2] == "guest" and method == "POST":
                return self._set_guest(parts[1], body)
            if len(parts) in (2, 3) and parts[0] == "resources" and parts[1] in TABLES:
                return self._resource(method, parts[1], parts[2] if len(parts) == 3 else None, body)
        return 404, {"message": "unknown control path %s %s" % (method, path)}

    def _set_faults(self, method, body, faults, kinds, key):
        if method == "DELETE":
            faults.clear()
            return 200, {"ok": True}
        if method == "GET":
            return 200, {"faults": faults}
        entry = dict(body or {})
        if not entry.get("operation") or entry.get(key) not in kinds:
            return 400, {"message": "need operation and %s in %s" % (key, ", ".join(kinds))}
        if entry.get(key) == "http" and entry.get("status") not in (500, 502, 503):
            return 400, {"message": "http faults need status 500, 502 or 503"}
        entry["times"] = int(entry.get("times", 1))
        faults.append(entry)
        return 200, entry

    def _set_guest(self, ref, body):
        vm = self.store.tables["vms"].get(ref) or next(iter(self.store.find("vms", {"name": ref})), None)
        if vm is None:
            return 404, {"message": "no VM %s" % ref}
        guest = self.store.guests.setdefault(vm["id"], {"ignore_acpi": False, "shutdown_seconds": None})
        for key in ("ignore_acpi", "shutdown_seconds"):
            if key in (body or {}):
                guest[key] = body[key]
        return 200, dict(guest, vm_id=vm["id"])

    def _resource(self, method, table, record_id, body):
        store = self.store
        if record_id is None:
            if method != "POST":
                return 405, {"message": "POST a partial record to create it"}
            try:
                fields = self._resolve(table, dict(body or {}))
            except LookupError as exc:
                return 400, {"message": str(exc)}
            return 200, store.view(table, self._create(table, fields))
        if record_id not in store.tables[table]:
            return 404, {"message": "no %s %s" % (table, record_id)}
        if method == "GET":
            return 200, store.view(table, store.tables[table][record_id])
        if method not in ("PATCH", "POST"):
            return 405, {"message": "use GET, PATCH or POST"}
        try:
            fields = self._resolve(table, dict(body or {}))
        except LookupError as exc:
            return 400, {"message": str(exc)}
        record = store.update(table, record_id, fields)
        self._after_change(table, record)
        return 200, store.view(table, record)

    def _resolve(self, table, fields):
        """Turn relation selectors such as ``{"cluster": {"name": "cluster-elf-1"}}`` into nested references.

        Fields the spec does not declare are refused, so that a test cannot build a record the real API never returns.
        """
        known = self.store.templates.get(table)
        unknown = sorted(set(fields) - set(known)) if known else []
        if unknown:
            raise LookupError("%s has no field(s) %s" % (table, ", ".join(unknown)))
        for field, target in RELATIONS.get(table, {}).items():
            if field not in fields or fields[field] is None or target not in NESTED or target == "users":
                continue
            selectors = fields[field] if isinstance(fields[field], list) else [fields[field]]
            refs = []
            for selector in selectors:
                found = self.store.find(target, selector)
                if not found:
                    raise LookupError("no %s matches %s" % (target, json.dumps(selector)))
                refs.append(self.store.nested(target, found[0]))
            fields[field] = refs if isinstance(fields[field], list) else refs[0]
        return fields

    def _create(self, table, fields):
        store = self.store
        if table == "vms":
            seeder = Seeder(store, 0, 0)
            cluster_ref = fields.pop("cluster", None) or store.nested("clusters", next(iter(store.tables["clusters"].values())))
            seeder.hosts_of = {cluster_ref["id"]: [host for host in store.tables["hosts"].values() if host["cluster"]["id"] == cluster_ref["id"]]}
            cluster = store.tables["clusters"][cluster_ref["id"]]
            record = seeder.vm(fields.pop("name", "vm-new"), cluster, nics=())
            if "host" in fields and "node_ip" not in fields:
                fields["node_ip"] = fields["host"]["management_ip"]
            record = store.update("vms", record["id"], fields)
        else:
            now = iso(datetime.datetime.now(datetime.timezone.utc))
            base = {"id": store.new_id()}
            for key, value in (("local_id", store.new_uuid()), ("local_created_at", now), ("createdAt", now), ("entityAsyncStatus", None)):
                if key in store.fields.get(table, ()):
                    base[key] = value
            record = store.insert(table, dict(base, **fields))
        self._after_change(table, record)
        return record

    def _after_change(self, table, record):
        """Keep derived figures right: a VM's ``ips`` follows its NICs; counters follow VM status."""
        store = self.store
        if table == "vm_nics" and record.get("vm"):
            vm = store.tables["vms"].get(record["vm"]["id"])
            if vm is not None:
                addresses = []
                for ref in vm.get("vm_nics") or []:
                    nic = store.tables["vm_nics"].get(ref["id"]) or {}
                    addresses += nic.get("guest_info_ip_addresses") or ([nic["ip_address"]] if nic.get("ip_address") else [])
                store.update("vms", vm["id"], {"ips": ",".join(addresses)})
        if table == "vms":
            for target, field in (("clusters", "cluster"), ("hosts", "host")):
                if record.get(field):
                    store.recount(target, record[field]["id"])


def _deepest(error):
    """Descend from an ``anyOf`` (the spec's nullable wrappers) to the error of the alternative that was meant.

    ``best_match`` stops at the ``anyOf`` when two alternatives fail equally deep, which names only the outer
    field (``where``); the ``null`` alternative is never the meant one, and a type error says most briefly what is wrong.
    """
    while error.context:
        meant = [sub for sub in error.context if not (sub.validator == "type" and sub.validator_value == "null")]
        if not meant:
            break
        error = max(meant, key=lambda sub: (relevance(sub), sub.validator == "type"))
    return error


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive so that clients can reuse it."""

    protocol_version = "HTTP/1.1"
    server_version = "CloudTowerSimulator/1.0"

    def log_message(self, format, *args):  # noqa: A002 - the signature is BaseHTTPRequestHandler's
        """Quiet: the request log at /_sim/requests is the record."""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def dispatch(self, method):
        """Answer one request; an exception anywhere in the simulator becomes a 500 ErrorBody, never a dropped connection."""
        sim = self.server.simulator
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        operation = path[len(API_PREFIX):] if path.startswith(API_PREFIX) else None
        language = self.headers.get("content-language")
        try:
            response = self.route(sim, method, path, operation, raw, language)
        except Exception as exc:  # noqa: BLE001 - any bug must still answer, as the real server's error filter does
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            error_path = "/" + operation if operation else path
            message = i18n.message("internal_error", language if language in i18n.LANGUAGES else "en-US",
                                   detail="%s: %s" % (type(exc).__name__, exc))
            if operation:
                sim.log(method, operation, _logged_body(raw), 500, language)
            response = (500, {"path": error_path, "status": 500, "message": message})
        if response is None:
            return self.drop()
        return self.send(*response)

    def route(self, sim, method, path, operation, raw, language):
        """(status, payload[, content type]) for one request, or None to drop the connection."""
        if path.startswith("/_sim/"):
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return 400, {"message": "control bodies are JSON"}
            return sim.control(method, path, body)
        if path == "/api/healthz":
            return 200, {"status": "ok"}
        if path == "/api":
            # GraphQL, used by the SDKs only to look up LDAP auth configs: none, so they log in with source LDAP
            return 200, {"data": {"authnStrategies": []}}
        if not operation:
            return 404, {"path": path, "status": 404, "message": i18n.message("not_found", "en-US", op=path)}
        logged_body = _logged_body(raw)
        with sim.lock:
            sim.engine.advance()
            fault = sim.take_fault(operation)
        kind = fault["kind"] if fault else None
        if kind == "delay":
            time.sleep(float(fault.get("seconds", 1)))
        if kind == "drop":
            sim.log(method, operation, logged_body, None, language)
            return None
        if kind == "http":
            status = fault["status"]
            sim.log(method, operation, logged_body, status, language)
            if status == 500:
                return 500, {"path": "/" + operation, "status": 500, "message": i18n.message("server_error", "en-US")}
            reason = {502: "Bad Gateway", 503: "Service Temporarily Unavailable"}[status]
            return status, PROXY_PAGE.format(status=status, reason=reason).encode(), "text/html"
        status, payload = sim.call(method, operation, raw, {key.lower(): value for key, value in self.headers.items()})
        sim.log(method, operation, logged_body, status if kind != "drop_after" else None, language)
        if kind == "drop_after":
            return None
        return status, payload

    def drop(self):
        """Close the connection without a response, as a crashed proxy would."""
        self.close_connection = True
        self.wfile.flush()

    def send(self, status, payload, content_type="application/json"):
        if not isinstance(payload, bytes):
            payload = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type + ("; charset=utf-8" if content_type == "application/json" else ""))
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-tower-request-id", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(payload)


def _logged_body(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True  # keep-alive connections must not hold up shutdown

    def __init__(self, address, simulator, tls_context=None):
        super().__init__(address, Handler)
        self.simulator = simulator
        if tls_context is not None:
            # the handshake happens on first read, in the connection's thread, not in accept()
            self.socket = tls_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
