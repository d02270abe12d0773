"""The task engine on an in-process simulator with a fake clock (tasks last exactly 1 s)."""

import pytest


def only(result):
    assert len(result) == 1, result
    return result[0]


def test_task_progresses_and_applies_on_success(sim):
    vm = sim.vm("db-1")
    entry = only(sim.ok("start-vm", {"where": {"id": vm["id"]}}))
    assert entry["data"]["id"] == vm["id"] and entry["data"]["entityAsyncStatus"] == "UPDATING"
    task = sim.task(entry["task_id"])
    assert (task["status"], task["progress"], task["started_at"], task["finished_at"]) == ("PENDING", 0.0, None, None)
    assert task["resource_id"] == vm["id"] and task["resource_type"] == "VM" and task["resource_mutation"] == "startVm"
    assert task["user"]["name"] == "admin" and task["cluster"]["name"] == "cluster-elf-1"
    assert task["description"] == "Start VM db-1"
    sim.tick(0.3)
    task = sim.task(entry["task_id"])
    assert task["status"] == "EXECUTING" and 0 < task["progress"] < 1 and task["started_at"]
    assert sim.vm("db-1")["status"] == "STOPPED"
    sim.tick(0.8)
    task = sim.task(entry["task_id"])
    assert task["status"] == "SUCCESSED" and task["progress"] == 1.0 and task["finished_at"] >= task["started_at"]
    assert task["error_code"] is None and task["steps"][0]["finished"] is True
    vm = sim.vm("db-1")
    assert vm["status"] == "RUNNING" and vm["entityAsyncStatus"] is None and vm["vm_tools_status"] == "RUNNING"


def test_locked_vm_rejects_the_whole_request(sim):
    web, db = sim.vm("web-1"), sim.vm("db-1")
    only(sim.ok("restart-vm", {"where": {"id": web["id"]}}))
    status, body = sim.call("start-vm", {"where": {"id_in": [web["id"], db["id"]]}})
    assert status == 400
    assert body == {"path": "/start-vm", "status": 400, "message": "Resource [VM-%s] locked" % web["id"],
                    "props": {"locked_resources": [{"id": web["id"], "type": "VM"}]}, "code": "ResourceLocked"}
    assert sim.vm("db-1")["entityAsyncStatus"] is None  # nothing of the request was applied
    sim.tick(1.1)
    assert only(sim.ok("restart-vm", {"where": {"id": web["id"]}}))["task_id"]


def test_empty_match_gives_empty_list(sim):
    assert sim.ok("shutdown-vm", {"where": {"name": "no-such-vm"}}) == []
    assert sim.ok("get-tasks-connection") == {"aggregate": {"count": 0}}


def test_one_task_per_matched_vm(sim):
    result = sim.ok("poweroff-vm", {"where": {"name": "dup-name"}})
    assert len(result) == 2 and len({entry["task_id"] for entry in result}) == 2
    sim.tick(1.1)
    assert [vm["status"] for vm in sim.ok("get-vms", {"where": {"name": "dup-name"}})] == ["STOPPED", "STOPPED"]


def test_graceful_shutdown_stops_the_vm_one_task_duration_after_the_task(sim):
    entry = only(sim.ok("shutdown-vm", {"where": {"name": "web-1"}}))
    sim.tick(1.1)
    assert sim.task(entry["task_id"])["status"] == "SUCCESSED"
    assert sim.vm("web-1")["status"] == "RUNNING"  # the ACPI signal was sent; the guest is still shutting down
    sim.tick(1.0)
    vm = sim.vm("web-1")
    assert vm["status"] == "STOPPED" and vm["vm_tools_status"] == "NOT_RUNNING" and vm["last_shutdown_time"]


def test_guest_ignoring_acpi_never_stops_but_poweroff_works(sim):
    entry = only(sim.ok("shutdown-vm", {"where": {"name": "acpi-ignorer"}}))
    sim.tick(1.1)
    assert sim.task(entry["task_id"])["status"] == "SUCCESSED"
    sim.tick(60)
    assert sim.vm("acpi-ignorer")["status"] == "RUNNING"
    restart = only(sim.ok("restart-vm", {"where": {"name": "acpi-ignorer"}}))
    sim.tick(1.1)
    assert sim.task(restart["task_id"])["status"] == "SUCCESSED" and sim.vm("acpi-ignorer")["status"] == "RUNNING"
    only(sim.ok("poweroff-vm", {"where": {"name": "acpi-ignorer"}}))
    sim.tick(1.1)
    assert sim.vm("acpi-ignorer")["status"] == "STOPPED"


def test_guest_behaviour_set_through_control_api(sim):
    vm = sim.vm("web-1")
    assert sim.simulator.control("POST", "/_sim/vms/%s/guest" % vm["id"], {"shutdown_seconds": 5})[0] == 200
    only(sim.ok("shutdown-vm", {"where": {"id": vm["id"]}}))
    sim.tick(1.1 + 4.5)
    assert sim.vm("web-1")["status"] == "RUNNING"
    sim.tick(1.0)
    assert sim.vm("web-1")["status"] == "STOPPED"


@pytest.mark.parametrize("overtaking", [["poweroff-vm", "start-vm"], ["force-restart-vm"]])
def test_an_overtaken_guest_shutdown_does_not_stop_the_vm_later(sim, overtaking):
    """A guest shutdown still under way when the VM is powered off and started again, or force-restarted, is void."""
    vm = sim.vm("web-1")
    sim.simulator.control("POST", "/_sim/vms/%s/guest" % vm["id"], {"shutdown_seconds": 5})
    only(sim.ok("shutdown-vm", {"where": {"id": vm["id"]}}))
    sim.tick(1.1)  # the ACPI signal is sent; the guest would be down 5 s later
    for operation in overtaking:
        entry = only(sim.ok(operation, {"where": {"id": vm["id"]}}))
        sim.tick(1.1)
        assert sim.task(entry["task_id"])["status"] == "SUCCESSED"
    assert sim.vm("web-1")["status"] == "RUNNING"
    sim.tick(10)
    assert sim.vm("web-1")["status"] == "RUNNING"


@pytest.mark.parametrize("operation, vm_name, message", [
    ("start-vm", "web-1", "VM web-1 is already RUNNING"),
    ("start-vm", "app-suspended", "VM app-suspended is SUSPENDED; it must be STOPPED"),
    ("shutdown-vm", "db-1", "VM db-1 is already STOPPED"),
    ("restart-vm", "db-1", "VM db-1 is STOPPED; it must be RUNNING"),
    ("force-restart-vm", "app-suspended", "VM app-suspended is SUSPENDED; it must be RUNNING"),
    ("suspend-vm", "app-suspended", "VM app-suspended is already SUSPENDED"),
    ("poweroff-vm", "db-1", "VM db-1 is already STOPPED"),
    ("resume-vm", "web-1", "VM web-1 is RUNNING; it must be SUSPENDED"),
])
def test_invalid_power_operation_gives_failed_task(sim, operation, vm_name, message):
    before = sim.vm(vm_name)
    entry = only(sim.ok(operation, {"where": {"name": vm_name}}))
    sim.tick(1.1)
    task = sim.task(entry["task_id"])
    assert (task["status"], task["error_code"], task["error_message"]) == ("FAILED", "VM_STATUS_INVALID", message)
    after = sim.vm(vm_name)
    assert after["status"] == before["status"] and after["entityAsyncStatus"] is None


@pytest.mark.parametrize("operation, start, end", [
    ("poweroff-vm", "app-suspended", "STOPPED"), ("suspend-vm", "web-1", "SUSPENDED"), ("resume-vm", "app-suspended", "RUNNING"),
    ("force-restart-vm", "web-1", "RUNNING"),
])
def test_power_transitions(sim, operation, start, end):
    only(sim.ok(operation, {"where": {"name": start}}))
    sim.tick(1.1)
    assert sim.vm(start)["status"] == end


def test_failed_task_message_follows_language(sim):
    entry = only(sim.ok("start-vm", {"where": {"name": "web-1"}}, language="zh-CN"))
    sim.tick(1.1)
    task = sim.task(entry["task_id"])
    assert task["error_message"] == "虚拟机 web-1 已处于 RUNNING 状态" and task["description"] == "开启虚拟机 web-1"


def test_counters_follow_power_changes(sim):
    cluster = sim.ok("get-clusters", {"where": {"name": "cluster-elf-1"}})[0]
    only(sim.ok("poweroff-vm", {"where": {"name": "web-1"}}))
    sim.tick(1.1)
    after = sim.ok("get-clusters", {"where": {"name": "cluster-elf-1"}})[0]
    assert after["running_vm_num"] == cluster["running_vm_num"] - 1 and after["stopped_vm_num"] == cluster["stopped_vm_num"] + 1


def test_snapshot_lifecycle_with_lun_snapshots(sim):
    vm = sim.vm("web-1")
    entry = only(sim.ok("create-vm-snapshot", {"data": [{"vm_id": vm["id"], "name": "snap-a", "consistent_type": "FILE_SYSTEM_CONSISTENT"}]}))
    snapshot = entry["data"]
    assert snapshot["name"] == "snap-a" and snapshot["entityAsyncStatus"] == "CREATING" and snapshot["vm"]["id"] == vm["id"]
    assert sim.vm("web-1")["entityAsyncStatus"] == "UPDATING"
    disks = [disk for disk in snapshot["vm_disks"] if disk["type"] == "DISK"]
    cdroms = [disk for disk in snapshot["vm_disks"] if disk["type"] == "CD_ROM"]
    assert len(disks) == 2 and all(disk["snapshot_local_id"] for disk in disks) and cdroms[0]["snapshot_local_id"] is None
    names = [disk["snapshot_local_id"] for disk in disks]
    assert sim.ok("get-iscsi-lun-snapshots", {"where": {"name_in": names}}) == []
    sim.tick(1.1)
    assert sim.task(entry["task_id"])["status"] == "SUCCESSED"
    assert sim.ok("get-vm-snapshots", {"where": {"id": snapshot["id"]}})[0]["entityAsyncStatus"] is None
    assert sorted(lun["name"] for lun in sim.ok("get-iscsi-lun-snapshots", {"where": {"name_in": names}})) == sorted(names)
    assert snapshot["id"] in [ref["id"] for ref in sim.vm("web-1")["snapshots"]]
    # duplicate names are allowed, as in CloudTower
    only(sim.ok("create-vm-snapshot", {"data": [{"vm_id": vm["id"], "name": "snap-a"}]}))
    sim.tick(1.1)
    assert sim.ok("get-vm-snapshots-connection", {"where": {"name": "snap-a"}})["aggregate"]["count"] == 2
    deleted = only(sim.ok("delete-vm-snapshot", {"where": {"id": snapshot["id"]}}))
    assert deleted["data"] == {"id": snapshot["id"]}
    assert sim.ok("get-vm-snapshots", {"where": {"id": snapshot["id"]}})[0]["entityAsyncStatus"] == "DELETING"
    sim.tick(1.1)
    assert sim.ok("get-vm-snapshots", {"where": {"id": snapshot["id"]}}) == []
    assert sim.ok("get-iscsi-lun-snapshots", {"where": {"name_in": names}}) == []
    assert snapshot["id"] not in [ref["id"] for ref in sim.vm("web-1")["snapshots"]]


def test_file_system_consistent_snapshot_needs_vmtools(sim):
    vm = sim.vm("no-tools")
    entry = only(sim.ok("create-vm-snapshot", {"data": [{"vm_id": vm["id"], "name": "fs", "consistent_type": "FILE_SYSTEM_CONSISTENT"}]}))
    sim.tick(1.1)
    task = sim.task(entry["task_id"])
    assert task["status"] == "FAILED" and "VMTools" in task["error_message"]
    assert sim.ok("get-vm-snapshots", {"where": {"name": "fs"}}) == []  # the CREATING record is gone


def test_rollback_restores_the_snapshot_configuration(sim):
    vm = sim.vm("web-1")
    snapshot = sim.ok("get-vm-snapshots", {"where": {"vm": {"id": vm["id"]}}})[0]
    sim.simulator.control("PATCH", "/_sim/resources/vms/%s" % vm["id"], {"vcpu": 16, "cpu": {"cores": 16, "sockets": 1}})
    assert sim.vm("web-1")["vcpu"] == 16
    only(sim.ok("rollback-vm", {"where": {"id": vm["id"]}, "data": {"snapshot_id": snapshot["id"]}}))
    sim.tick(1.1)
    assert sim.vm("web-1")["vcpu"] == snapshot["vcpu"]
    status, body = sim.call("rollback-vm", {"where": {"name": "db-1"}, "data": {"snapshot_id": snapshot["id"]}})
    assert status == 400 and "does not belong" in body["message"]


def test_resolve_alert_task_is_described_in_the_request_language(sim):
    alert = sim.ok("get-alerts", {"where": {"ended": False}, "first": 1}, language="zh-CN")[0]
    entry = only(sim.ok("resolve-alert", {"where": {"id": alert["id"]}}, language="zh-CN"))
    assert sim.task(entry["task_id"])["description"] == "解决告警 " + alert["message"]


def test_resolve_alert(sim):
    alert = sim.ok("get-alerts", {"where": {"ended": False}, "first": 1})[0]
    entry = only(sim.ok("resolve-alert", {"where": {"id": alert["id"]}}))
    sim.tick(1.1)
    assert sim.task(entry["task_id"])["status"] == "SUCCESSED"
    resolved = sim.ok("get-alerts", {"where": {"id": alert["id"]}})[0]
    assert resolved["ended"] is True and resolved["local_end_time"]


def test_task_fault_fail_and_hang(sim):
    sim.simulator.control("POST", "/_sim/task-faults", {"operation": "create-vm-snapshot", "mode": "fail", "message": "disk full", "times": 1})
    vm = sim.vm("web-1")
    failed = only(sim.ok("create-vm-snapshot", {"data": [{"vm_id": vm["id"], "name": "x"}]}))
    sim.tick(1.1)
    task = sim.task(failed["task_id"])
    assert (task["status"], task["error_code"], task["error_message"]) == ("FAILED", "SIMULATED_FAILURE", "disk full")
    assert sim.ok("get-vm-snapshots", {"where": {"name": "x"}}) == []
    second = only(sim.ok("create-vm-snapshot", {"data": [{"vm_id": vm["id"], "name": "x"}]}))
    sim.tick(1.1)
    assert sim.task(second["task_id"])["status"] == "SUCCESSED"  # times: 1 is used up
    sim.simulator.control("POST", "/_sim/task-faults", {"operation": "start-vm", "mode": "hang"})
    hung = only(sim.ok("start-vm", {"where": {"name": "db-1"}}))
    sim.tick(600)
    assert sim.task(hung["task_id"])["status"] == "EXECUTING"
    assert sim.call("start-vm", {"where": {"name": "db-1"}})[1]["code"] == "ResourceLocked"
    sim.simulator.control("POST", "/_sim/reset", None)
    assert sim.ok("get-tasks") == [] and sim.vm("db-1")["entityAsyncStatus"] is None


def test_start_on_another_host(sim):
    vm = sim.vm("db-1")
    host = sim.ok("get-hosts", {"where": {"cluster": {"id": vm["cluster"]["id"]}, "id_not": vm["host"]["id"]}})[0]
    only(sim.ok("start-vm", {"where": {"id": vm["id"]}, "data": {"host_id": host["id"]}}))
    sim.tick(1.1)
    assert sim.vm("db-1")["host"]["id"] == host["id"]
    other = sim.ok("get-hosts", {"where": {"cluster": {"name": "cluster-elf-2"}}})[0]
    assert sim.call("start-vm", {"where": {"name": "web-1"}, "data": {"host_id": other["id"]}})[0] == 400
