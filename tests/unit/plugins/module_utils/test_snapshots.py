# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Snapshot lookup, LUN snapshots, the consistency rule, retention and the vm_snapshot flow, against an in-memory CloudTower."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.smartx.cloudtower.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.snapshots import (
    choose_consistency, find_lun_snapshots, lun_snapshot_names, lun_snapshots_by_name, retention_plan, select_snapshot,
    validate_retention, vm_snapshot, vm_snapshot_info)
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import ResourceBusyError, TaskFailedError, TaskTimeoutError

VM = {"id": "vm1", "name": "web-1", "status": "RUNNING", "vm_tools_status": "RUNNING", "cluster": {"id": "c1", "name": "cluster-elf-1"}}
NO_TOOLS = {"id": "vm2", "name": "no-tools", "status": "RUNNING", "vm_tools_status": "NOT_INSTALLED", "cluster": {"id": "c1", "name": "cluster-elf-1"}}
MUTATIONS = ("create-vm-snapshot", "delete-vm-snapshot", "rollback-vm")


def snap(snap_id, name, created, vm_id="vm1", disks=None):
    if disks is None:
        disks = [
            {"type": "DISK", "index": 0, "boot": 0, "snapshot_local_id": "lun-%s-0" % snap_id},
            {"type": "CD_ROM", "index": 1, "boot": 1, "snapshot_local_id": None},
            {"type": "DISK", "index": 2, "boot": 2, "snapshot_local_id": "lun-%s-2" % snap_id},
        ]
    return {"id": snap_id, "name": name, "local_created_at": created, "vm": {"id": vm_id}, "consistent_type": "CRASH_CONSISTENT", "vm_disks": disks}


def matches(record, where):
    for key, value in where.items():
        if key == "vm":
            if (record.get("vm") or {}).get("id") != value["id"]:
                return False
        elif key.endswith("_in"):
            if record.get(key[:-3]) not in value:
                return False
        elif record.get(key) != value:
            return False
    return True


class FakeTower:
    """get-vms, get-vm-snapshots, get-iscsi-lun-snapshots and the snapshot mutations over in-memory tables.

    ``task_status`` EXECUTING: a create leaves its snapshot CREATING. ``locked``: operation -> how many times it is answered
    ResourceLocked (-1: always). ``creating``: snapshot id -> [reads of vm-snapshots left, outcome]: the snapshot is CREATING
    until then, and is then idle with its LUN snapshots (SUCCESSED) or gone (FAILED).
    """

    def __init__(self, vms=(VM, NO_TOOLS), snapshots=(), task_status="SUCCESSED", lose_create_answer=False, locked=None, creating=None):
        self.vms = list(vms)
        self.snapshots = [dict(s) for s in snapshots]
        self.luns = []
        self.creating = dict(creating or {})
        for s in self.snapshots:
            if s["id"] in self.creating:
                s["entityAsyncStatus"] = "CREATING"
            else:
                self._add_luns(s)
        self.calls = []
        self.task_status = task_status
        self.lose_create_answer = lose_create_answer
        self.locked = dict(locked or {})
        self.clock = 100

    def _add_luns(self, snapshot):
        for name in lun_snapshot_names(snapshot):
            self.luns.append({"id": "l-" + name, "name": name, "local_id": "zbs-" + name})

    def _tick(self):
        for snap_id, state in list(self.creating.items()):
            state[0] -= 1
            if state[0] > 0:
                continue
            del self.creating[snap_id]
            for s in list(self.snapshots):
                if s["id"] == snap_id and state[1] == "SUCCESSED":
                    s["entityAsyncStatus"] = None
                    self._add_luns(s)
                elif s["id"] == snap_id:
                    self.snapshots.remove(s)

    def list_records(self, resource, where=None, order_by=None, page_size=500, limit=None):
        self.calls.append(("get-" + resource, where))
        if resource == "vm-snapshots":
            self._tick()
        table = {"vms": self.vms, "vm-snapshots": self.snapshots, "iscsi-lun-snapshots": self.luns}[resource]
        if resource == "vms":
            found = [vm for vm in table if (not where.get("name") or vm["name"] == where["name"]) and (not where.get("id") or vm["id"] == where["id"])]
        else:
            found = [record for record in table if matches(record, where or {})]
        return found[:limit] if limit else found

    def call(self, operation, body):
        self.calls.append((operation, body))
        if self.locked.get(operation):
            self.locked[operation] -= 1
            raise CloudTowerError("CloudTower answered %s with HTTP 400: Resource [VM-vm1] locked" % operation, operation=operation,
                                  status=400, code="ResourceLocked", api_message="Resource [VM-vm1] locked")
        if operation == "create-vm-snapshot":
            data = body["data"][0]
            self.clock += 1
            new = snap("s%d" % self.clock, data["name"], "2026-02-01T00:00:%02d.000Z" % (self.clock - 100), vm_id=data["vm_id"])
            new["consistent_type"] = data["consistent_type"]
            if self.task_status == "SUCCESSED":
                self.snapshots.append(new)
                self._add_luns(new)
            elif self.task_status == "EXECUTING":
                self.snapshots.append(dict(new, entityAsyncStatus="CREATING"))
            if self.lose_create_answer:
                raise CloudTowerError("Could not reach CloudTower for create-vm-snapshot: connection reset", operation=operation)
            return [{"task_id": "t-create", "data": {"id": new["id"]}}]
        if operation == "delete-vm-snapshot":
            where = body["where"]
            ids = where.get("id_in") or [where["id"]]
            self.snapshots = [s for s in self.snapshots if s["id"] not in ids]
            return [{"task_id": "t-del-%s" % i, "data": {"id": i}} for i in ids]
        if operation == "rollback-vm":
            return [{"task_id": "t-rollback", "data": {"id": body["where"]["id"]}}]
        raise AssertionError("unexpected call %s" % operation)

    def mutations(self):
        return [call for call in self.calls if call[0] in MUTATIONS]

    def count(self, operation):
        return len([call for call in self.calls if call[0] == operation])


class FakeWaiter:
    def __init__(self, tower):
        self.tower = tower
        self.waited = []

    def wait(self, ids):
        self.waited.append(list(ids))
        if self.tower.task_status == "EXECUTING":
            running = [{"id": i, "status": "EXECUTING", "description": "task " + i, "progress": 0.6} for i in ids]
            raise TaskTimeoutError(running, running, 300)
        tasks = [{"id": i, "status": self.tower.task_status, "description": "task " + i,
                  "error_code": "SNAPSHOT_FAILED" if self.tower.task_status == "FAILED" else None,
                  "error_message": "disk busy" if self.tower.task_status == "FAILED" else None} for i in ids]
        failed = [t for t in tasks if t["status"] == "FAILED"]
        if failed:
            raise TaskFailedError(failed, tasks)
        return tasks


def params(**kwargs):
    base = dict(vm_name="web-1", vm_id=None, cluster=None, name=None, snapshot_id=None, state="present", consistent_type="crash_consistent",
                require_consistency=False, retention=None, wait=True, timeout=300)
    base.update(kwargs)
    return base


def run(tower, check_mode=False, clock=None, **kwargs):
    warnings = []
    waiter = FakeWaiter(tower)
    clock = clock or FakeClock()
    result = vm_snapshot(tower, waiter, params(**kwargs), check_mode=check_mode, warn=warnings.append, sleep=clock.sleep, clock=clock.clock)
    return result, warnings, waiter


# --- pure helpers ---------------------------------------------------------------------------------

def test_lun_snapshot_names_skip_cdrom_and_missing_ids():
    s = snap("s1", "a", "t", disks=[
        {"type": "DISK", "index": 1, "boot": 1, "snapshot_local_id": "second"},
        {"type": "CD_ROM", "index": 2, "boot": 2, "snapshot_local_id": "iso-should-not-appear"},
        {"type": "DISK", "index": 0, "boot": 0, "snapshot_local_id": "first"},
        {"type": "DISK", "index": 3, "boot": 3, "snapshot_local_id": None},
    ])
    assert lun_snapshot_names(s) == ["first", "second"]


def test_lun_snapshots_are_looked_up_with_one_call_for_many_snapshots():
    tower = FakeTower(snapshots=[snap("s1", "a", "2026-01-01T00:00:01.000Z"), snap("s2", "b", "2026-01-01T00:00:02.000Z")])
    by_name = lun_snapshots_by_name(tower, tower.snapshots)
    assert tower.calls == [("get-iscsi-lun-snapshots", {"name_in": ["lun-s1-0", "lun-s1-2", "lun-s2-0", "lun-s2-2"]})]
    assert sorted(by_name) == ["lun-s1-0", "lun-s1-2", "lun-s2-0", "lun-s2-2"]


def test_no_lun_call_for_a_snapshot_without_disks():
    tower = FakeTower()
    assert find_lun_snapshots(tower, snap("s1", "a", "t", disks=[{"type": "CD_ROM", "index": 0, "snapshot_local_id": None}])) == []
    assert tower.calls == []


def test_select_snapshot_by_name_by_id_and_duplicates():
    snaps = [snap("s1", "dup", "2026-01-01T00:00:01.000Z"), snap("s2", "dup", "2026-01-01T00:00:02.000Z"), snap("s3", "one", "2026-01-01T00:00:03.000Z")]
    assert select_snapshot(snaps, VM, name="one")["id"] == "s3"
    assert select_snapshot(snaps, VM, name="missing") is None
    assert select_snapshot(snaps, VM, snapshot_id="s2")["id"] == "s2"
    assert select_snapshot(snaps, VM, name="dup", snapshot_id="s1")["id"] == "s1"
    with pytest.raises(CloudTowerError) as err:
        select_snapshot(snaps, VM, name="dup")
    assert "2 snapshots named 'dup'" in err.value.message and "s1" in err.value.message and "s2" in err.value.message
    assert "snapshot_id" in err.value.message
    with pytest.raises(CloudTowerError, match="named 'one', not 'dup'"):
        select_snapshot(snaps, VM, name="dup", snapshot_id="s3")


def test_consistency_rule():
    assert choose_consistency(VM, "crash_consistent") == ("CRASH_CONSISTENT", None)
    assert choose_consistency(VM, "file_system_consistent") == ("FILE_SYSTEM_CONSISTENT", None)
    api_type, warning = choose_consistency(NO_TOOLS, "file_system_consistent")
    assert api_type == "CRASH_CONSISTENT"
    assert "VMTools is NOT_INSTALLED" in warning and "crash-consistent" in warning and "no-tools" in warning
    with pytest.raises(CloudTowerError, match="needs VMTools RUNNING.*Nothing was done"):
        choose_consistency(NO_TOOLS, "file_system_consistent", require_consistency=True)
    # crash-consistent never needs VMTools, even when consistency is required
    assert choose_consistency(NO_TOOLS, "crash_consistent", require_consistency=True) == ("CRASH_CONSISTENT", None)


def test_retention_plan_keeps_newest_and_ignores_other_names():
    snaps = [snap("n1", "nightly-1", "2026-01-01T00:00:01.000Z"), snap("n3", "nightly-3", "2026-01-03T00:00:00.000Z"),
             snap("x", "manual", "2026-01-00T00:00:00.000Z"), snap("n2", "nightly-2", "2026-01-02T00:00:00.000Z")]
    kept, gone = retention_plan(snaps, "nightly-", 2)
    assert [s["id"] for s in kept] == ["n3", "n2"]
    assert [s["id"] for s in gone] == ["n1"]
    # a snapshot about to be created counts as the newest kept one
    kept, gone = retention_plan(snaps, "nightly-", 2, pending_name="nightly-4")
    assert [s["id"] for s in kept] == ["n3"] and [s["id"] for s in gone] == ["n2", "n1"]
    # a pending name without the prefix takes no slot
    kept, gone = retention_plan(snaps, "nightly-", 2, pending_name="manual-2")
    assert [s["id"] for s in gone] == ["n1"]
    # the snapshot the task is about is never deleted: when it is the oldest it is kept in addition to the newest `keep`
    kept, gone = retention_plan(snaps, "nightly-", 1, protect_id="n1")
    assert [s["id"] for s in kept] == ["n3", "n1"] and [s["id"] for s in gone] == ["n2"]
    # and when it is among the newest it is one of them
    kept, gone = retention_plan(snaps, "nightly-", 2, protect_id="n2")
    assert [s["id"] for s in kept] == ["n3", "n2"] and [s["id"] for s in gone] == ["n1"]


def test_retention_validation():
    validate_retention(None)
    validate_retention({"prefix": "n-", "keep": 1})
    with pytest.raises(CloudTowerError, match="keep must be at least 1"):
        validate_retention({"prefix": "n-", "keep": 0})
    with pytest.raises(CloudTowerError, match="prefix must not be empty"):
        validate_retention({"prefix": "", "keep": 3})


# --- the vm_snapshot flow -------------------------------------------------------------------------

def test_create_waits_rereads_and_returns_lun_snapshots():
    tower = FakeTower()
    result, warnings, waiter = run(tower, name="before-patch", consistent_type="file_system_consistent")
    assert result["changed"] is True and warnings == []
    assert tower.mutations() == [("create-vm-snapshot", {"data": [{"vm_id": "vm1", "name": "before-patch", "consistent_type": "FILE_SYSTEM_CONSISTENT"}]})]
    assert waiter.waited == [["t-create"]]
    assert result["snapshot"]["name"] == "before-patch" and result["snapshot"]["consistent_type"] == "FILE_SYSTEM_CONSISTENT"
    assert ("get-vm-snapshots", {"id": result["snapshot"]["id"]}) in tower.calls
    assert [lun["name"] for lun in result["lun_snapshots"]] == ["lun-%s-0" % result["snapshot"]["id"], "lun-%s-2" % result["snapshot"]["id"]]
    assert tower.count("get-iscsi-lun-snapshots") == 1
    assert result["task"]["id"] == "t-create" and result["task"]["status"] == "SUCCESSED"
    assert result["diff"] == {"before": {"snapshots": []}, "after": {"snapshots": ["before-patch"]}}


def test_create_is_idempotent():
    tower = FakeTower(snapshots=[snap("s1", "before-patch", "2026-01-01T00:00:01.000Z")])
    result, _warnings, _waiter = run(tower, name="before-patch")
    assert result["changed"] is False
    assert tower.mutations() == []
    assert result["snapshot"]["id"] == "s1" and len(result["lun_snapshots"]) == 2


def test_fallback_to_crash_consistent_warns_and_require_consistency_fails_without_mutation():
    tower = FakeTower()
    result, warnings, _waiter = run(tower, vm_name="no-tools", name="fs", consistent_type="file_system_consistent")
    assert result["consistent_type"] == "CRASH_CONSISTENT"
    assert tower.mutations()[0][1]["data"][0]["consistent_type"] == "CRASH_CONSISTENT"
    assert len(warnings) == 1 and "NOT_INSTALLED" in warnings[0]
    tower = FakeTower()
    with pytest.raises(CloudTowerError, match="needs VMTools RUNNING"):
        run(tower, vm_name="no-tools", name="fs", consistent_type="file_system_consistent", require_consistency=True)
    assert tower.mutations() == []


def test_check_mode_sends_no_mutation_and_predicts_retention():
    old = [snap("n%d" % i, "nightly-%d" % i, "2026-01-0%dT00:00:00.000Z" % i) for i in range(1, 4)]
    tower = FakeTower(snapshots=old)
    result, _warnings, _waiter = run(tower, check_mode=True, name="nightly-4", retention={"prefix": "nightly-", "keep": 2})
    assert result["changed"] is True and result["snapshot"] is None
    assert tower.mutations() == []
    assert [s["name"] for s in result["retention"]["deleted"]] == ["nightly-2", "nightly-1"]
    assert result["diff"]["after"]["snapshots"] == ["nightly-4", "nightly-3"]


def test_retention_deletes_oldest_with_one_call_after_the_create():
    old = [snap("n%d" % i, "nightly-%d" % i, "2026-01-0%dT00:00:00.000Z" % i) for i in range(1, 4)] + [snap("m", "manual", "2025-01-01T00:00:00.000Z")]
    tower = FakeTower(snapshots=old)
    result, _warnings, waiter = run(tower, name="nightly-4", retention={"prefix": "nightly-", "keep": 2})
    ops = [call[0] for call in tower.mutations()]
    assert ops == ["create-vm-snapshot", "delete-vm-snapshot"]
    assert tower.mutations()[1][1] == {"where": {"id_in": ["n2", "n1"]}}
    assert len(waiter.waited) == 2 and sorted(waiter.waited[1]) == ["t-del-n1", "t-del-n2"]
    assert sorted(s["name"] for s in tower.snapshots) == ["manual", "nightly-3", "nightly-4"]
    assert [s["name"] for s in result["retention"]["kept"]] == ["nightly-4", "nightly-3"]
    assert len(result["tasks"]) == 3


def test_no_rotation_when_the_create_task_fails():
    old = [snap("n%d" % i, "nightly-%d" % i, "2026-01-0%dT00:00:00.000Z" % i) for i in range(1, 4)]
    tower = FakeTower(snapshots=old, task_status="FAILED")
    with pytest.raises(TaskFailedError) as err:
        run(tower, name="nightly-4", retention={"prefix": "nightly-", "keep": 1})
    assert [call[0] for call in tower.mutations()] == ["create-vm-snapshot"]
    assert err.value.result["changed"] is False and err.value.result["task"]["status"] == "FAILED"
    assert err.value.result["task"]["error_message"] == "disk busy"
    assert len(tower.snapshots) == 3


def test_lost_create_answer_reports_the_snapshot_and_a_retry_creates_no_duplicate():
    tower = FakeTower(lose_create_answer=True)
    with pytest.raises(CloudTowerError) as err:
        run(tower, name="before-patch")
    assert "created nevertheless" in err.value.message and err.value.result["changed"] is True
    tower.lose_create_answer = False
    result, _warnings, _waiter = run(tower, name="before-patch")
    assert result["changed"] is False
    assert [s["name"] for s in tower.snapshots] == ["before-patch"]


def test_absent_deletes_and_missing_is_unchanged():
    tower = FakeTower(snapshots=[snap("s1", "old", "2026-01-01T00:00:01.000Z")])
    result, _warnings, _waiter = run(tower, name="old", state="absent")
    assert result["changed"] is True and tower.mutations() == [("delete-vm-snapshot", {"where": {"id": "s1"}})]
    assert result["diff"] == {"before": {"snapshots": ["old"]}, "after": {"snapshots": []}}
    result, _warnings, _waiter = run(tower, name="old", state="absent")
    assert result["changed"] is False and len(tower.mutations()) == 1


def test_duplicates_fail_for_absent_and_reverted_unless_snapshot_id():
    tower = FakeTower(snapshots=[snap("s1", "dup", "2026-01-01T00:00:01.000Z"), snap("s2", "dup", "2026-01-01T00:00:02.000Z")])
    for state in ("absent", "reverted"):
        with pytest.raises(CloudTowerError, match="2 snapshots named 'dup'.*s2.*s1"):
            run(tower, name="dup", state=state)
    assert tower.mutations() == []
    result, _warnings, _waiter = run(tower, snapshot_id="s1", state="reverted")
    assert result["changed"] is True
    assert tower.mutations() == [("rollback-vm", {"where": {"id": "vm1"}, "data": {"snapshot_id": "s1"}})]


def test_reverted_missing_fails_listing_what_exists():
    tower = FakeTower(snapshots=[snap("s1", "a", "2026-01-01T00:00:01.000Z")])
    with pytest.raises(CloudTowerError, match="no snapshot named 'b' to revert to.*'a' \\(id s1"):
        run(tower, name="b", state="reverted")


def test_wait_false_returns_task_ids_without_waiting():
    tower = FakeTower()
    result, _warnings, waiter = run(tower, name="later", wait=False)
    assert waiter.waited == []
    assert result["task"]["id"] == "t-create" and result["task"]["status"] is None
    assert [t["id"] for t in result["tasks"]] == ["t-create"]


def test_retention_only_with_present():
    with pytest.raises(CloudTowerError, match="use it with state=present"):
        run(FakeTower(), name="x", state="absent", retention={"prefix": "n-", "keep": 1})


def test_info_orders_newest_first_and_adds_lun_snapshots_with_one_call():
    tower = FakeTower(snapshots=[snap("s1", "a", "2026-01-01T00:00:01.000Z"), snap("s3", "c", "2026-01-01T00:00:03.000Z"),
                                 snap("s2", "b", "2026-01-01T00:00:02.000Z"), snap("o", "other", "2026-01-01T00:00:09.000Z", vm_id="vm2")])
    result = vm_snapshot_info(tower, dict(vm_name="web-1", lun_snapshots=True))
    assert [s["id"] for s in result["snapshots"]] == ["s3", "s2", "s1"]
    assert [lun["name"] for lun in result["snapshots"][0]["lun_snapshots"]] == ["lun-s3-0", "lun-s3-2"]
    assert tower.count("get-iscsi-lun-snapshots") == 1
    result = vm_snapshot_info(tower, dict(vm_name="web-1", name="b"))
    assert [s["id"] for s in result["snapshots"]] == ["s2"] and "lun_snapshots" not in result["snapshots"][0]


def test_a_vm_name_matching_two_vms_fails_naming_the_options():
    twin = dict(VM, id="vm9", cluster={"id": "c2", "name": "cluster-elf-2"})
    tower = FakeTower(vms=(VM, twin))
    with pytest.raises(CloudTowerError) as err:
        run(tower, name="x")
    assert "matches 2 VMs" in err.value.message and "vm9" in err.value.message and "cluster-elf-2" in err.value.message
    assert "vm_id" in err.value.message and "all:" not in err.value.message
    assert tower.mutations() == []


# --- retention never loses backups ------------------------------------------------------------------

def nightlies(count):
    return [snap("n%d" % i, "nightly-%d" % i, "2026-01-0%dT00:00:00.000Z" % i) for i in range(1, count + 1)]


def test_naming_an_old_snapshot_keeps_the_newest_ones_and_it_in_addition():
    tower = FakeTower(snapshots=nightlies(3))
    result, _warnings, _waiter = run(tower, name="nightly-1", retention={"prefix": "nightly-", "keep": 1})
    assert result["snapshot"]["id"] == "n1"
    assert [s["name"] for s in result["retention"]["kept"]] == ["nightly-3", "nightly-1"]
    assert [s["name"] for s in result["retention"]["deleted"]] == ["nightly-2"]
    assert tower.mutations() == [("delete-vm-snapshot", {"where": {"id_in": ["n2"]}})]
    assert sorted(s["name"] for s in tower.snapshots) == ["nightly-1", "nightly-3"]


def test_retention_with_wait_false_waits_for_the_create_and_rotates_nothing_when_it_fails():
    tower = FakeTower(snapshots=nightlies(2), task_status="FAILED")
    with pytest.raises(TaskFailedError) as err:
        run(tower, name="nightly-3", wait=False, retention={"prefix": "nightly-", "keep": 2})
    assert [call[0] for call in tower.mutations()] == ["create-vm-snapshot"]
    assert sorted(s["name"] for s in tower.snapshots) == ["nightly-1", "nightly-2"]
    assert err.value.result["changed"] is False and err.value.result["task"]["status"] == "FAILED"


def test_retention_with_wait_false_rotates_after_the_create_without_waiting_for_the_deletion():
    tower = FakeTower(snapshots=nightlies(2))
    result, _warnings, waiter = run(tower, name="nightly-3", wait=False, retention={"prefix": "nightly-", "keep": 2})
    assert [call[0] for call in tower.mutations()] == ["create-vm-snapshot", "delete-vm-snapshot"]
    assert waiter.waited == [["t-create"]]  # the create, not the deletion
    assert result["task"]["status"] == "SUCCESSED"
    assert result["retention"]["task"]["id"] == "t-del-n1" and result["retention"]["task"]["status"] is None
    assert [lun["name"] for lun in result["lun_snapshots"]] == ["lun-%s-0" % result["snapshot"]["id"], "lun-%s-2" % result["snapshot"]["id"]]


def test_retention_with_wait_false_does_not_rotate_when_the_create_times_out():
    tower = FakeTower(snapshots=nightlies(2), task_status="EXECUTING")
    with pytest.raises(TaskTimeoutError):
        run(tower, name="nightly-3", wait=False, retention={"prefix": "nightly-", "keep": 1})
    assert [call[0] for call in tower.mutations()] == ["create-vm-snapshot"]


# --- a VM or snapshot held by another task -------------------------------------------------------------

@pytest.mark.parametrize("state, operation, existing", [
    ("present", "create-vm-snapshot", []),
    ("absent", "delete-vm-snapshot", [snap("s1", "x", "2026-01-01T00:00:01.000Z")]),
    ("reverted", "rollback-vm", [snap("s1", "x", "2026-01-01T00:00:01.000Z")]),
])
def test_a_locked_resource_is_waited_for_and_the_change_sent_again(state, operation, existing):
    tower = FakeTower(snapshots=existing, locked={operation: 3})
    clock = FakeClock()
    result, _warnings, _waiter = run(tower, clock=clock, name="x", state=state)
    assert result["changed"] is True and result["task"]["status"] == "SUCCESSED"
    assert [call[0] for call in tower.mutations()] == [operation] * 4
    assert len(clock.sleeps) == 3 and 0 < clock.now < 5


@pytest.mark.parametrize("state, operation, existing", [
    ("present", "create-vm-snapshot", []),
    ("absent", "delete-vm-snapshot", [snap("s1", "x", "2026-01-01T00:00:01.000Z")]),
    ("reverted", "rollback-vm", [snap("s1", "x", "2026-01-01T00:00:01.000Z")]),
])
def test_a_resource_locked_past_the_timeout_fails_saying_nothing_was_done(state, operation, existing):
    tower = FakeTower(snapshots=existing, locked={operation: -1})
    clock = FakeClock()
    with pytest.raises(ResourceBusyError) as err:
        run(tower, clock=clock, name="x", state=state, timeout=20)
    assert clock.now == pytest.approx(20)
    assert "still busy with another CloudTower task after 20 seconds" in err.value.message
    assert "nothing was done" in err.value.message and "raise timeout" in err.value.message
    assert ("VM 'web-1'" if operation != "delete-vm-snapshot" else "Snapshot 'x' (id s1") in err.value.message
    assert err.value.result.get("changed", False) is False  # execute() reports changed=False when a result does not say
    assert [s["id"] for s in tower.snapshots] == [s["id"] for s in existing]


def test_rotation_waits_for_a_locked_snapshot():
    tower = FakeTower(snapshots=nightlies(3), locked={"delete-vm-snapshot": 2})
    result, _warnings, _waiter = run(tower, name="nightly-3", retention={"prefix": "nightly-", "keep": 1})
    assert [call[0] for call in tower.mutations()] == ["delete-vm-snapshot"] * 3
    assert result["retention"]["task"]["status"] == "SUCCESSED"
    assert [s["name"] for s in tower.snapshots] == ["nightly-3"]


def test_present_waits_for_a_snapshot_still_being_created_and_returns_its_lun_snapshots():
    tower = FakeTower(snapshots=[snap("s1", "before-patch", "2026-01-01T00:00:01.000Z")], creating={"s1": [4, "SUCCESSED"]})
    clock = FakeClock()
    result, warnings, _waiter = run(tower, clock=clock, name="before-patch")
    assert result["changed"] is False and tower.mutations() == [] and warnings == []
    assert result["snapshot"]["id"] == "s1" and result["snapshot"]["entityAsyncStatus"] is None
    assert [lun["name"] for lun in result["lun_snapshots"]] == ["lun-s1-0", "lun-s1-2"]
    assert clock.sleeps


def test_present_with_wait_false_does_not_wait_for_a_snapshot_being_created():
    tower = FakeTower(snapshots=[snap("s1", "before-patch", "2026-01-01T00:00:01.000Z")], creating={"s1": [4, "SUCCESSED"]})
    clock = FakeClock()
    result, warnings, _waiter = run(tower, clock=clock, name="before-patch", wait=False)
    assert result["changed"] is False and result["snapshot"]["entityAsyncStatus"] == "CREATING"
    assert result["lun_snapshots"] == [] and warnings == [] and clock.sleeps == []


def test_present_takes_a_new_snapshot_when_the_one_being_created_fails():
    tower = FakeTower(snapshots=[snap("s1", "before-patch", "2026-01-01T00:00:01.000Z")], creating={"s1": [3, "FAILED"]})
    result, warnings, _waiter = run(tower, name="before-patch")
    assert result["changed"] is True and [call[0] for call in tower.mutations()] == ["create-vm-snapshot"]
    assert result["snapshot"]["id"] != "s1" and [s["name"] for s in tower.snapshots] == ["before-patch"]
    assert len(warnings) == 1 and "s1" in warnings[0] and "is gone now" in warnings[0]


def test_present_fails_clearly_when_the_snapshot_stays_busy_past_the_timeout():
    tower = FakeTower(snapshots=[snap("s1", "before-patch", "2026-01-01T00:00:01.000Z")], creating={"s1": [10 ** 6, "SUCCESSED"]})
    with pytest.raises(CloudTowerError) as err:
        run(tower, name="before-patch", timeout=15)
    assert "still CREATING after 15 seconds" in err.value.message and "raise timeout" in err.value.message
    assert err.value.result["snapshot"]["id"] == "s1" and err.value.result["changed"] is False
    assert tower.mutations() == []


def test_a_create_that_times_out_returns_the_snapshot_it_knows():
    tower = FakeTower(task_status="EXECUTING")
    with pytest.raises(TaskTimeoutError) as err:
        run(tower, name="slow")
    result = err.value.result
    assert result["changed"] is True and result["task"]["id"] == "t-create"
    assert result["snapshot"]["name"] == "slow" and result["snapshot"]["id"] == tower.snapshots[0]["id"]
    assert result["snapshot"]["entityAsyncStatus"] == "CREATING"
    assert "finds the snapshot by name and waits for it" in err.value.message


# --- DISK entries without a LUN snapshot ----------------------------------------------------------------

def test_a_missing_lun_snapshot_is_named_in_a_warning():
    tower = FakeTower(snapshots=[snap("s1", "before-patch", "2026-01-01T00:00:01.000Z")])
    tower.luns = [lun for lun in tower.luns if lun["name"] != "lun-s1-2"]
    result, warnings, _waiter = run(tower, name="before-patch")
    assert [lun["name"] for lun in result["lun_snapshots"]] == ["lun-s1-0"]
    assert len(warnings) == 1 and "lun-s1-2" in warnings[0] and "lun-s1-0" not in warnings[0] and "'before-patch' (id s1" in warnings[0]
    info_warnings = []
    info = vm_snapshot_info(tower, dict(vm_name="web-1", lun_snapshots=True), warn=info_warnings.append)
    assert [lun["name"] for lun in info["snapshots"][0]["lun_snapshots"]] == ["lun-s1-0"]
    assert info_warnings == warnings


def test_no_lun_warning_for_a_snapshot_still_being_created():
    tower = FakeTower(snapshots=[snap("s1", "x", "2026-01-01T00:00:01.000Z")], creating={"s1": [10 ** 6, "SUCCESSED"]})
    warnings = []
    info = vm_snapshot_info(tower, dict(vm_name="web-1", lun_snapshots=True), warn=warnings.append)
    assert info["snapshots"][0]["lun_snapshots"] == [] and warnings == []
