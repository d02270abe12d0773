"""Every operation the simulator serves answers what the official spec declares (OAS 3.0, nullable-aware)."""

import re

import pytest

from simulator.server import Simulator
from simulator.spec import Spec
from simulator.store import QUERY_TABLES
from simulator.tasks import MUTATIONS

QUERY_OPERATIONS = ["get-%s" % stem for stem in QUERY_TABLES] + ["get-%s-connection" % stem for stem in QUERY_TABLES]


def check(spec, operation, payload, status="200"):
    validator = spec.validator(operation, "response", status)
    assert validator is not None, "the spec has no %s response for %s" % (status, operation)
    errors = sorted(validator.iter_errors(payload), key=lambda error: list(error.absolute_path))
    assert not errors, "%s: %s at %s" % (operation, errors[0].message, list(errors[0].absolute_path))


def test_every_served_operation_exists_in_the_spec(spec):
    for operation in ["login", "get-version"] + QUERY_OPERATIONS + list(MUTATIONS):
        assert spec.operation(operation) is not None, operation


def test_without_the_spec_file_methods_and_bodies_follow_the_spec(spec):
    """The stand-ins used when the spec file is missing: the spec's methods, and bodies the spec accepts pass."""
    bare = Simulator(Spec(None), vms=0)
    for operation in ["login", "get-version"] + QUERY_OPERATIONS + list(MUTATIONS):
        assert bare.method(operation) == spec.method(operation), operation
    valid = [
        ("get-vms", {"where": {"name_in": None, "OR": [{"status_in": ["RUNNING"]}], "cluster": {"id_in": ["x"]}},
                     "orderBy": "name_ASC", "first": 1, "skip": None, "after": "c"}),
        ("get-tasks-connection", {"where": None}),
        ("start-vm", {"where": {"id": "v"}, "data": {"host_id": "h"}}),
        ("rollback-vm", {"where": {"id": "v"}, "data": {"snapshot_id": "s"}}),
        ("create-vm-snapshot", {"data": [{"vm_id": "v", "name": "n", "consistent_type": "CRASH_CONSISTENT"}]}),
        ("resolve-alert", {"where": {"AND": [{"ended": False}]}}),
        ("login", {"username": "u", "password": "p", "source": "LDAP", "auth_config_id": None}),
    ]
    for operation, body in valid:
        assert not list(spec.validator(operation, "request").iter_errors(body)), operation
        assert bare.validate(operation, body) is None, operation


def test_ids_and_times_look_like_cloudtower(api):
    vm = api.vm("web-1")
    assert re.fullmatch(r"c[0-9a-z]{24}", vm["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", vm["local_created_at"])


@pytest.mark.parametrize("operation", QUERY_OPERATIONS)
def test_query_responses(api, spec, operation):
    payload = api.ok(operation, {})
    if not operation.endswith("-connection") and operation != "get-tasks":
        assert payload, "%s returned nothing to check" % operation
    check(spec, operation, payload)


def test_login_and_version(api, spec):
    check(spec, "login", api.session.post(api.base + "/login", json={"username": "admin", "password": "cloudtower"}).json())
    check(spec, "get-version", api.session.get(api.base + "/get-version").json())


def test_mutations_and_the_tasks_they_make(api, spec):
    web, db, suspended = api.vm("web-1"), api.vm("db-1"), api.vm("app-suspended")
    snapshot = api.ok("get-vm-snapshots", {"where": {"vm": {"id": web["id"]}}})[0]
    requests = [
        ("start-vm", {"where": {"id": db["id"]}}),
        ("shutdown-vm", {"where": {"name": "vm-00001"}}),
        ("poweroff-vm", {"where": {"name": "vm-00002"}}),
        ("restart-vm", {"where": {"name": "vm-00004"}}),
        ("force-restart-vm", {"where": {"name": "vm-00005"}}),
        ("suspend-vm", {"where": {"name": "vm-00006"}}),
        ("resume-vm", {"where": {"id": suspended["id"]}}),
        ("rollback-vm", {"where": {"id": web["id"]}, "data": {"snapshot_id": snapshot["id"]}}),
        ("create-vm-snapshot", {"data": [{"vm_id": api.vm("vm-00008")["id"], "name": "contract", "consistent_type": "CRASH_CONSISTENT"}]}),
        ("delete-vm-snapshot", {"where": {"name": "db-1-weekly"}}),
        ("resolve-alert", {"where": {"ended": False}}),
        ("start-vm", {"where": {"name": "vm-00009"}}),  # a FAILED task: already RUNNING
    ]
    task_ids = []
    for operation, body in requests:
        payload = api.ok(operation, body)
        assert payload, operation
        check(spec, operation, payload)
        task_ids += [entry["task_id"] for entry in payload]
    tasks = api.wait(task_ids)
    assert {task["status"] for task in tasks} == {"SUCCESSED", "FAILED"}
    check(spec, "get-tasks", tasks)
    check(spec, "get-iscsi-lun-snapshots", api.ok("get-iscsi-lun-snapshots", {}))
    check(spec, "get-vm-snapshots", api.ok("get-vm-snapshots", {}))


def test_error_bodies(api, spec):
    web = api.vm("web-1")
    api.ok("restart-vm", {"where": {"id": web["id"]}})
    errors = [
        ("start-vm", api.call("start-vm", {"where": {"id": web["id"]}}), "400"),
        ("get-vms", api.call("get-vms", {"where": {"bogus": 1}}), "400"),
        ("get-vms", api.call("get-vms", {}, language="xx"), "400"),
        ("login", api.call("login", {"username": "admin", "password": "no"}), "400"),
    ]
    for operation, response, status in errors:
        assert str(response.status_code) == status
        check(spec, operation, response.json(), status)
    check(spec, "get-vms", api.call("no-such-operation", {}).json(), "404")


def test_control_created_records_validate(api, spec):
    vm = api.control("POST", "resources/vms", {"name": "contract-vm", "cluster": {"name": "cluster-vmware-1"}})
    check(spec, "get-vms", [vm])
    for table, operation, fields in (("alerts", "get-alerts", {"message": "m", "severity": "INFO", "cluster": {"name": "cluster-elf-1"}}),
                                     ("labels", "get-labels", {"key": "k", "value": "v"}), ("clusters", "get-clusters", {"name": "c-new"})):
        record = api.control("POST", "resources/%s" % table, fields)
        check(spec, operation, api.ok(operation, {"where": {"id": record["id"]}}))
    response = api.session.post(api.root + "/_sim/resources/labels", data='{"name": "labels have no name"}')
    assert response.status_code == 400 and "name" in response.json()["message"]
