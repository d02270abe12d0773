"""The HTTP surface against the subprocess: auth, languages, errors, faults, the control API, TLS."""

import json
import os
import socket
import threading
import time

import pytest
import requests
from conftest import Api, Harness

from simulator.server import Simulator, SimulatorServer
from simulator.spec import Spec


def test_get_version_needs_no_auth(simulator_url):
    response = requests.get(simulator_url + "/get-version")
    assert response.status_code == 200 and response.json() == "4.8.0"
    assert response.headers["x-tower-request-id"]


def test_login_and_tokens(api):
    assert api.call("get-vms", {"first": 1}).status_code == 200
    assert api.call("get-vms", {"first": 1}, token="Bearer " + api.token).status_code == 200
    for token in ("", "nonsense"):
        response = api.session.post(api.base + "/get-vms", json={}, headers={"Authorization": token} if token else {})
        assert response.status_code == 401
        assert response.json() == {"path": "/get-vms", "status": 401, "message": "Unauthorized: missing or invalid token"}


@pytest.mark.parametrize("body", [
    {"username": "admin", "password": "wrong"},
    {"username": "nobody", "password": "cloudtower"},
    {"username": "admin", "password": "cloudtower", "source": "LDAP"},
    {"username": "ldapuser", "password": "ldappass"},
])
def test_wrong_login_is_400(simulator_url, body):
    response = requests.post(simulator_url + "/login", json=body)
    assert response.status_code == 400 and response.json()["path"] == "/login" and response.json()["message"]


def test_ldap_login(simulator_url):
    response = requests.post(simulator_url + "/login", json={"username": "ldapuser", "password": "ldappass", "source": "LDAP"})
    assert response.status_code == 200 and response.json()["task_id"] is None


def test_revoke_tokens(api):
    api.control("POST", "revoke-tokens")
    assert api.call("get-vms", {"first": 1}).status_code == 401
    api.login()
    assert api.call("get-vms", {"first": 1}).status_code == 200


def test_unknown_operation_is_404(api):
    response = api.call("stop-vm", {"where": {}})
    assert response.status_code == 404 and response.json() == {"path": "/stop-vm", "status": 404, "message": "Operation /stop-vm not found"}


def test_content_language(api):
    zh = api.ok("get-alerts", {"first": 1}, language="zh-CN")[0]
    en = api.ok("get-alerts", {"first": 1}, language="en-US")[0]
    star = api.ok("get-alerts", {"first": 1}, language="*")[0]
    assert zh["id"] == en["id"] and zh["message"] != en["message"] and star["message"] == en["message"]
    assert all(any("\u4e00" <= char <= "\u9fff" for char in zh[key]) for key in ("message", "cause", "impact", "solution"))
    bad = api.call("get-vms", {}, language="fr-FR")
    assert bad.status_code == 400 and "fr-FR" in bad.json()["message"]
    assert api.call("stop-vm", {}, language="zh-CN").json()["message"] == "操作 /stop-vm 不存在"


@pytest.mark.parametrize("operation, body, field", [
    ("get-vms", {"where": {"nme": "x"}}, "where.nme"),
    ("get-vms", {"first": "ten"}, "first"),
    ("get-vms", {"where": {"status": "ON"}}, "where.status"),
    ("start-vm", {}, "where"),
    ("create-vm-snapshot", {"data": [{"vm_id": "x"}]}, "data[0].name"),
    ("rollback-vm", {"where": {}, "data": {}}, "data.snapshot_id"),
    # nullable fields are anyOf [schema, null]: the message names the field inside, not the outer one
    ("get-vms", {"where": {"status_in": [None]}}, "where.status_in[0]"),
    ("get-vms", {"where": {"cluster": {"name_in": [1]}}}, "where.cluster.name_in[0]"),
    ("get-vms", {"orderBy": 5}, "orderBy"),
])
def test_request_body_validated_against_spec(api, spec, operation, body, field):
    response = api.call(operation, body)
    assert response.status_code == 400, response.text
    assert response.json()["path"] == "/" + operation and "field %s:" % field in response.json()["message"]


@pytest.mark.parametrize("method, operation", [
    ("GET", "get-vms-connection"), ("GET", "get-vms"), ("GET", "login"), ("PATCH", "start-vm"), ("PUT", "get-tasks"),
    ("DELETE", "get-vms"), ("POST", "get-version"),
])
def test_wrong_method_is_404(api, method, operation):
    """A tsoa router matches method and path: another method than the spec's finds no route (404), before auth."""
    response = api.session.request(method, "%s/%s" % (api.base, operation), json={})
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["path"] == "/" + operation and body["status"] == 404 and method in body["message"]
    assert api.control("GET", "requests")["requests"][-1]["status"] == 404
    assert api.session.get(api.base + "/get-version").status_code == 200


@pytest.mark.parametrize("operation, body, field", [
    ("get-vms", {"first": "x"}, "first"),
    ("get-vms", {"orderBy": 5}, "orderBy"),
    ("get-vms", {"where": "x"}, "where"),
    ("get-vms", {"where": {"AND": "x"}}, "where.AND"),
    ("get-vms", {"where": {"OR": [{"name_in": "x"}]}}, "where.OR[0].name_in"),
    ("get-vms-connection", {"nme": 1}, "nme"),
    ("start-vm", {}, "where"),
    ("start-vm", {"where": {}, "data": {}}, "data.host_id"),
    ("rollback-vm", {"where": {}}, "data"),
    ("create-vm-snapshot", {"data": [{"vm_id": "x"}]}, "data[0].name"),
    ("resolve-alert", [], "(body)"),
    ("login", {}, "username"),
])
def test_malformed_bodies_are_400_without_the_spec(operation, body, field):
    """Without a spec file the simulator's own minimal schemas keep a body it cannot read from crashing it."""
    sim = Harness(Spec(None))
    status, payload = sim.call(operation, body)
    assert status == 400, payload
    assert payload["path"] == "/" + operation and "field %s:" % field in payload["message"]


@pytest.mark.parametrize("spec_file", [True, False])
def test_methods_follow_the_spec(optional_spec, spec_file):
    """GET for get-version, POST for every other served operation, with or without the spec file."""
    simulator = Harness(optional_spec if spec_file else Spec(None)).simulator
    assert simulator.call("GET", "get-version", b"", {})[0] == 200
    assert simulator.call("POST", "get-version", b"", {})[0] == 404
    status, body = simulator.call("GET", "get-vms", b"", {})
    assert status == 404 and body["message"] == "Operation GET /get-vms not found; /get-vms takes POST"


def test_keep_alive_reuses_the_connection(api):
    with socket.create_connection((api.base.split("//")[1].split(":")[0], int(api.base.split(":")[2].split("/")[0]))) as conn:
        for _ in range(3):
            body = json.dumps({"username": "admin", "password": "cloudtower"}).encode()
            conn.sendall(b"POST /v2/api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            response = b""
            while b"\r\n\r\n" not in response or len(response.split(b"\r\n\r\n", 1)[1]) < int(
                    response.split(b"Content-Length: ")[1].split(b"\r\n")[0]):
                response += conn.recv(65536)
            assert response.startswith(b"HTTP/1.1 200")


def test_request_log(api):
    api.control("DELETE", "requests")
    api.call("get-vms", {"where": {"name": "web-1"}}, language="zh-CN")
    api.call("start-vm", {"where": {"name": "web-1"}})
    log = api.control("GET", "requests")["requests"]
    assert [(entry["operation"], entry["status"], entry["method"]) for entry in log] == [("get-vms", 200, "POST"), ("start-vm", 200, "POST")]
    assert log[0]["body"] == {"where": {"name": "web-1"}} and log[0]["language"] == "zh-CN" and log[0]["time"].endswith("Z")
    assert log[1]["seq"] == log[0]["seq"] + 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_faults(api, status):
    api.control("POST", "faults", {"operation": "get-vms", "times": 2, "kind": "http", "status": status})
    for _ in range(2):
        response = api.call("get-vms", {"first": 1})
        assert response.status_code == status
        if status == 500:
            assert response.json()["status"] == 500
        else:
            assert response.headers["Content-Type"].startswith("text/html")
            with pytest.raises(ValueError):
                response.json()
    assert api.call("get-vms", {"first": 1}).status_code == 200
    assert api.call("get-clusters", {}).status_code == 200


def test_drop_faults(api):
    api.control("POST", "faults", {"operation": "get-vms", "kind": "drop"})
    with pytest.raises(requests.ConnectionError):
        api.call("get-vms", {"first": 1})
    api.control("POST", "faults", {"operation": "poweroff-vm", "kind": "drop_after"})
    with pytest.raises(requests.ConnectionError):
        api.call("poweroff-vm", {"where": {"name": "web-1"}})
    assert api.vm("web-1")["entityAsyncStatus"] == "UPDATING"  # the mutation happened
    statuses = [entry["status"] for entry in api.control("GET", "requests")["requests"][-3:]]
    assert statuses == [None, None, 200]


def test_delay_fault(api):
    api.control("POST", "faults", {"operation": "get-clusters", "kind": "delay", "seconds": 0.5})
    started = time.time()
    assert api.call("get-clusters", {}).status_code == 200
    assert time.time() - started >= 0.5


def test_control_resources(api):
    created = api.control("POST", "resources/vms", {"name": "made-up", "cluster": {"name": "cluster-elf-2"}, "status": "STOPPED",
                                                    "vm_tools_status": "NOT_RUNNING", "labels": [{"key": "env", "value": "dev"}]})
    assert created["id"].startswith("c") and len(created["id"]) == 25
    assert created["cluster"]["name"] == "cluster-elf-2" and created["host"]["name"].startswith("cluster-elf-2-")
    assert api.vm("made-up")["labels"][0]["value"] == "dev"
    nic = api.control("POST", "resources/vm_nics", {"vm": {"id": created["id"]}, "ip_address": "10.9.9.9",
                                                    "guest_info_ip_addresses": ["10.9.9.9"]})
    assert nic["vm"]["id"] == created["id"] and api.vm("made-up")["ips"] == "10.9.9.9"
    assert api.ok("get-vms", {"where": {"vm_nics_some": {"ip_address": "10.9.9.9"}}})[0]["name"] == "made-up"
    patched = api.control("PATCH", "resources/vms/%s" % created["id"], {"vm_tools_status": "RUNNING", "name": "renamed"})
    assert patched["name"] == "renamed" and patched["vm_tools_status"] == "RUNNING"
    assert api.ok("get-vm-nics", {"where": {"id": nic["id"]}})[0]["vm"]["name"] == "renamed"
    again = api.control("POST", "resources/vms/%s" % created["id"], {"description": "via POST"})
    assert again["description"] == "via POST"
    response = api.session.post(api.root + "/_sim/resources/vms", data=json.dumps({"cluster": {"name": "nope"}}))
    assert response.status_code == 400


def test_guest_control_and_reset(api):
    vm = api.vm("web-1")
    assert api.control("POST", "vms/%s/guest" % vm["id"], {"ignore_acpi": True})["ignore_acpi"] is True
    entry = api.ok("shutdown-vm", {"where": {"id": vm["id"]}})[0]
    assert api.wait([entry["task_id"]])[0]["status"] == "SUCCESSED"
    time.sleep(0.5)
    assert api.vm("web-1")["status"] == "RUNNING"
    api.control("POST", "reset")
    assert api.control("GET", "requests")["requests"] == [] and api.ok("get-tasks") == []
    entry = api.ok("shutdown-vm", {"where": {"id": vm["id"]}})[0]  # same seed, same ids; guest behaviour reset
    api.wait([entry["task_id"]])
    deadline = time.time() + 5
    while api.vm("web-1")["status"] != "STOPPED" and time.time() < deadline:
        time.sleep(0.05)
    assert api.vm("web-1")["status"] == "STOPPED"


def test_seeded_state(api):
    clusters = api.ok("get-clusters")
    assert [(c["name"], c["hypervisor"], c["type"]) for c in clusters] == [
        ("cluster-elf-1", "ELF", "SMTX_OS"), ("cluster-elf-2", "ELF", "SMTX_OS"), ("cluster-vmware-1", "VMWARE", "SMTX_OS")]
    for cluster in clusters:
        hosts = api.ok("get-hosts", {"where": {"cluster": {"id": cluster["id"]}}})
        assert len(hosts) == 3 and cluster["total_memory_bytes"] == sum(host["total_memory_bytes"] for host in hosts)
        assert cluster["used_data_space"] < cluster["total_data_capacity"]
        assert cluster["valid_data_space"] == cluster["total_data_capacity"] - cluster["failure_data_space"]
    disks = api.ok("get-disks")
    assert len(disks) == 54 and {disk["type"] for disk in disks} == {"SSD", "HDD"}
    assert {"HEALTHY", "SUBHEALTHY", "UNHEALTHY", "SMART_FAILED", "SOFTWARE_RAID_FAILURE"} <= {disk["health_status"] for disk in disks}
    assert {"MOUNTED", "UNMOUNTED", "PARTIAL_MOUNTED"} <= {disk["usage_status"] for disk in disks}
    named = {vm["name"]: vm for vm in api.ok("get-vms", {"where": {"name_not_starts_with": "vm-"}})}
    assert named["no-tools"]["vm_tools_status"] == "NOT_INSTALLED" and named["no-ip"]["ips"] == ""
    assert named["recycled-vm"]["in_recycle_bin"] is True and named["CloudTower"]["internal"] is True
    assert named["CloudTower"]["vm_usage"] == "CLOUDTOWER" and named["app-suspended"]["status"] == "SUSPENDED"
    assert api.ok("get-vms-connection", {"where": {"name_starts_with": "vm-"}})["aggregate"]["count"] == 50
    no_ip_nics = api.ok("get-vm-nics", {"where": {"vm": {"name": "no-ip"}}})
    assert len(no_ip_nics) == 1 and no_ip_nics[0]["ip_address"] is None and no_ip_nics[0]["guest_info_ip_addresses"] == []
    alerts = api.ok("get-alerts")
    assert len(alerts) == 20 and {a["severity"] for a in alerts} == {"CRITICAL", "NOTICE", "INFO"}
    assert any(a["ended"] for a in alerts) and any(a["vms"] for a in alerts) and any(a["host"] for a in alerts)


def test_tls(launch):
    url, lines = launch("--tls", "--vms", "5")
    assert url.startswith("https://127.0.0.1:") and lines[0].startswith("CA certificate: ")
    ca_path = lines[0].split(": ", 1)[1]
    assert os.path.isfile(ca_path)
    assert requests.get(url + "/get-version", verify=ca_path).json() == "4.8.0"
    assert requests.get(url.replace("127.0.0.1", "localhost") + "/get-version", verify=ca_path).status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url + "/get-version")


def test_extra_user_and_missing_spec(launch, tmp_path):
    url, _ = launch("--vms", "0", "--user", "ops:secret:LOCAL", "--spec", str(tmp_path / "missing.json"))
    assert requests.post(url + "/login", json={"username": "ops", "password": "secret"}).status_code == 200


def test_a_simulator_bug_answers_500_and_keeps_the_connection(optional_spec, capfd):
    """Whatever raises inside the simulator is a 500 ErrorBody, logged, with the traceback on stderr."""
    simulator = Simulator(optional_spec, vms=2, task_seconds=0.2)

    def broken(*args):
        raise RuntimeError("boom")

    simulator.query = broken
    server = SimulatorServer(("127.0.0.1", 0), simulator)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        api = Api("http://127.0.0.1:%d/v2/api" % server.server_address[1])
        api.login()
        response = api.call("get-vms", {"first": 1}, language="zh-CN")
        assert response.status_code == 500
        assert response.json() == {"path": "/get-vms", "status": 500, "message": "服务器内部错误：RuntimeError: boom"}
        assert api.call("get-vms-connection", {}).json()["message"] == "Internal server error: RuntimeError: boom"
        assert api.call("start-vm", {"where": {"name": "web-1"}}).status_code == 200  # same connection, still served
        log = simulator.requests[-3:]
        assert [(entry["operation"], entry["status"]) for entry in log] == [("get-vms", 500), ("get-vms-connection", 500), ("start-vm", 200)]
        assert "Traceback" in capfd.readouterr().err
    finally:
        server.shutdown()
        server.server_close()
