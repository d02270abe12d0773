# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The power-state logic against a small in-memory CloudTower with a fake clock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import itertools

import pytest

from ansible_collections.smartx.cloudtower.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerClient, CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.power import (
    TRANSITIONS, PowerError, PowerRun, plan_vm)
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import TaskWaiter

RESULT = {"start-vm": "RUNNING", "resume-vm": "RUNNING", "restart-vm": "RUNNING", "force-restart-vm": "RUNNING",
          "poweroff-vm": "STOPPED", "suspend-vm": "SUSPENDED"}
VALID_FROM = {"start-vm": ("STOPPED",), "resume-vm": ("SUSPENDED",), "shutdown-vm": ("RUNNING",), "restart-vm": ("RUNNING",),
              "force-restart-vm": ("RUNNING",), "suspend-vm": ("RUNNING",), "poweroff-vm": ("RUNNING", "SUSPENDED")}


def matches(vm, where):
    for key, value in where.items():
        if key == "AND":
            ok = all(matches(vm, part) for part in value)
        elif key == "OR":
            ok = any(matches(vm, part) for part in value)
        elif key == "cluster":
            ok = matches(vm["cluster"], value)
        elif key.endswith("_in"):
            ok = vm.get(key[:-3]) in value
        elif key.endswith("_starts_with"):
            ok = str(vm.get(key[:-12])).startswith(value)
        else:
            ok = vm.get(key) == value
        if not ok:
            return False
    return True


class FakeTower(CloudTowerClient):
    """VMs and tasks in memory. A task takes ``task_seconds``; a graceful shutdown stops the guest ``stop_seconds`` later."""

    def __init__(self, clock, vms, task_seconds=1.0, stop_seconds=2.0):
        super(FakeTower, self).__init__("tower.example.com", token="tok")
        self.fake_clock = clock
        self.vms = dict((vm["id"], vm) for vm in vms)
        self.tasks = {}
        self.events = []
        self.log = []
        self.before_call = None  # a test's hook, called with (operation, body) before each call is answered
        self.task_seconds = task_seconds
        self.stop_seconds = stop_seconds
        self.ignore_acpi = set()
        self.lock_answers = 0  # answer this many mutations with ResourceLocked
        self.fail_ops = {}  # operation -> error message of its FAILED tasks
        self.fail_vms = {}  # VM id -> error message of its FAILED tasks
        self.http_errors = {}  # operation -> HTTP status answered instead of doing it (once)
        self.drop_after = set()  # operations done, then their answer lost (once)
        self.ids = itertools.count(1)

    def at(self, moment, action):
        self.events.append((moment, action))

    def advance(self):
        now = self.fake_clock.now
        due = sorted([event for event in self.events if event[0] <= now], key=lambda event: event[0])
        self.events = [event for event in self.events if event[0] > now]
        for unused_moment, action in due:
            action()

    def mutations(self):
        return [(operation, body) for operation, body in self.log if not operation.startswith("get-")]

    def logged(self, operation):
        return sum(1 for logged, unused_body in self.log if logged == operation)

    def call(self, operation, body=None):
        if self.before_call:
            self.before_call(operation, body)
        self.advance()
        self.log.append((operation, copy.deepcopy(body)))
        if operation == "get-vms":
            found = [copy.deepcopy(vm) for vm in self.vms.values() if matches(vm, body.get("where") or {})]
            found.sort(key=lambda vm: (vm["name"], vm["id"]))
            skip = body.get("skip") or 0
            return found[skip:skip + body["first"]] if body.get("first") else found[skip:]
        if operation == "get-vms-connection":
            return {"aggregate": {"count": sum(1 for vm in self.vms.values() if matches(vm, body.get("where") or {}))}}
        if operation == "get-tasks":
            return [copy.deepcopy(self.tasks[task_id]) for task_id in body["where"]["id_in"] if task_id in self.tasks]
        if operation in self.http_errors:
            status = self.http_errors.pop(operation)
            raise CloudTowerError("CloudTower answered %s with HTTP %d: boom" % (operation, status), operation=operation, status=status)
        vms = [vm for vm in self.vms.values() if matches(vm, body["where"])]
        if self.lock_answers or any(vm.get("entityAsyncStatus") for vm in vms):
            self.lock_answers = max(self.lock_answers - 1, 0)
            raise CloudTowerError("CloudTower answered %s with HTTP 400: locked" % operation, operation=operation, status=400, code="ResourceLocked")
        answers = [self._task(operation, vm) for vm in vms]
        if operation in self.drop_after:
            self.drop_after.discard(operation)
            raise CloudTowerError("Could not reach CloudTower at https://tower.example.com/v2/api for %s: Connection aborted" % operation,
                                  operation=operation)
        return answers

    def _task(self, operation, vm):
        task_id = "task-%d" % next(self.ids)
        error = self.fail_ops.get(operation) or self.fail_vms.get(vm["id"])
        if error is None and vm["status"] not in VALID_FROM[operation]:
            error = "VM %s is %s" % (vm["name"], vm["status"])
        self.tasks[task_id] = {"id": task_id, "status": "EXECUTING", "description": "%s %s" % (operation, vm["name"]), "resource_id": vm["id"]}
        vm["entityAsyncStatus"] = "UPDATING"

        def finish():
            vm["entityAsyncStatus"] = None
            if error:
                self.tasks[task_id].update(status="FAILED", error_message=error, error_code="VM_STATUS_INVALID")
                return
            self.tasks[task_id]["status"] = "SUCCESSED"
            if operation in RESULT:
                vm["status"] = RESULT[operation]
            elif vm["id"] not in self.ignore_acpi:  # shutdown-vm: the guest stops a little later
                self.at(self.fake_clock.now + self.stop_seconds, lambda: vm.update(status="STOPPED"))
        self.at(self.fake_clock.now + self.task_seconds, finish)
        return {"task_id": task_id, "data": {"id": vm["id"], "name": vm["name"]}}


def vm(vm_id, status, name=None, cluster="c1", **extra):
    record = {"id": vm_id, "name": name or vm_id, "status": status, "cluster": {"id": cluster + "-id", "name": cluster},
              "entityAsyncStatus": None, "in_recycle_bin": False, "internal": False}
    record.update(extra)
    return record


@pytest.fixture
def clock():
    return FakeClock()


def power(tower, clock, state, **kwargs):
    kwargs.setdefault("timeout", 60)
    run = PowerRun(tower, TaskWaiter(tower, timeout=kwargs["timeout"], sleep=clock.sleep, clock=clock.clock), state,
                   sleep=clock.sleep, clock=clock.clock, **kwargs)
    return run


def by_name(result):
    return dict((item["name"], item) for item in result["vms"])


# --- the state table ------------------------------------------------------------------------------

EXPECTED = {
    # state: (RUNNING, STOPPED, SUSPENDED); "!" = refused
    "running": (None, "start-vm", "resume-vm"),
    "stopped": ("shutdown-vm", None, "!"),
    "powered_off": ("poweroff-vm", None, "poweroff-vm"),
    "restarted": ("restart-vm", "start-vm", "!"),
    "force_restarted": ("force-restart-vm", "start-vm", "!"),
    "suspended": ("suspend-vm", "!", None),
}


@pytest.mark.parametrize("state", sorted(EXPECTED))
@pytest.mark.parametrize("index,status", list(enumerate(("RUNNING", "STOPPED", "SUSPENDED"))))
def test_plan_of_every_state_from_every_status(state, index, status):
    operation, error = plan_vm(vm("a", status), state)
    expected = EXPECTED[state][index]
    if expected == "!":
        assert operation is None and error and "'a'" in error and status in error
    else:
        assert (operation, error) == (expected, None)


def test_the_table_covers_every_state():
    assert sorted(TRANSITIONS) == sorted(EXPECTED)


def test_stopped_on_a_suspended_vm_powers_off_with_force_and_names_the_way_out_without():
    assert plan_vm(vm("a", "SUSPENDED"), "stopped", force=True) == ("poweroff-vm", None)
    unused_operation, error = plan_vm(vm("a", "SUSPENDED"), "stopped")
    assert "force: true" in error and "state: powered_off" in error and "state: running" in error


@pytest.mark.parametrize("status", ["UNKNOWN", "DELETED"])
def test_unknown_status_is_refused_for_every_state(status):
    for state in EXPECTED:
        operation, error = plan_vm(vm("a", status), state)
        assert operation is None and status in error


def test_a_vm_in_the_recycle_bin_is_refused():
    operation, error = plan_vm(vm("a", "STOPPED", in_recycle_bin=True), "running")
    assert operation is None and "recycle bin" in error


# --- runs -----------------------------------------------------------------------------------------

def test_many_vms_cost_one_call_per_operation_and_one_wait(clock):
    vms = [vm("r%02d" % i, "RUNNING") for i in range(5)] + [vm("s%02d" % i, "STOPPED") for i in range(7)] + [vm("p1", "SUSPENDED")]
    tower = FakeTower(clock, vms)
    run = power(tower, clock, "running")
    run.select(where={"name_starts_with": ""})
    result = run.run()
    assert tower.logged("start-vm") == 1 and tower.logged("resume-vm") == 1
    assert sorted(dict(tower.mutations())["start-vm"]["where"]["id_in"]) == ["s%02d" % i for i in range(7)]
    assert dict(tower.mutations())["resume-vm"]["where"] == {"id_in": ["p1"]}
    assert len(tower.mutations()) == 2
    assert tower.logged("get-tasks") <= 5
    items = by_name(result)
    assert all(item["status_after"] == "RUNNING" for item in items.values())
    assert [items["r%02d" % i]["changed"] for i in range(5)] == [False] * 5
    assert items["s03"]["changed"] and items["s03"]["status_before"] == "STOPPED" and items["s03"]["operations"] == ["start-vm"]
    assert result["changed"] is True
    assert len(result["tasks"]) == 8 and all(task["status"] == "SUCCESSED" for task in result["tasks"])
    assert items["p1"]["task_ids"] == [task["id"] for task in result["tasks"] if task["resource_id"] == "p1"]


def test_second_run_changes_nothing(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("b", "RUNNING")])
    first = power(tower, clock, "running")
    first.select(where={"name_in": ["a", "b"]})
    assert first.run()["changed"] is True
    tower.log = []
    second = power(tower, clock, "running")
    second.select(where={"name_in": ["a", "b"]})
    result = second.run()
    assert result["changed"] is False and result["tasks"] == []
    assert tower.mutations() == []


def test_check_mode_predicts_and_sends_nothing(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("b", "RUNNING"), vm("c", "SUSPENDED")])
    run = power(tower, clock, "stopped", check_mode=True, force=True)
    run.select(where={"name_in": ["a", "b", "c"]})
    result = run.run()
    assert tower.mutations() == []
    items = by_name(result)
    assert (items["a"]["changed"], items["a"]["status_after"], items["a"]["operations"]) == (False, "STOPPED", [])
    assert (items["b"]["changed"], items["b"]["status_after"], items["b"]["operations"]) == (True, "STOPPED", ["shutdown-vm"])
    assert (items["c"]["changed"], items["c"]["operations"]) == (True, ["poweroff-vm"])
    assert result["diff"]["before"]["vms"][1] == {"id": "b", "name": "b", "status": "RUNNING"}
    assert result["diff"]["after"]["vms"][1] == {"id": "b", "name": "b", "status": "STOPPED"}


def test_stopped_waits_until_the_guest_has_stopped(clock):
    tower = FakeTower(clock, [vm("a", "RUNNING")], task_seconds=1.0, stop_seconds=3.0)
    run = power(tower, clock, "stopped", shutdown_timeout=30)
    run.select(name="a")
    result = run.run()
    assert result["vms"][0]["status_after"] == "STOPPED" and result["vms"][0]["changed"]
    assert tower.vms["a"]["status"] == "STOPPED"
    assert clock.now >= 4.0
    assert [operation for operation, unused_body in tower.mutations()] == ["shutdown-vm"]


def test_graceful_shutdown_timeout_without_force_fails_naming_force(clock):
    tower = FakeTower(clock, [vm("ign", "RUNNING"), vm("ok", "RUNNING")])
    tower.ignore_acpi.add("ign")
    run = power(tower, clock, "stopped", shutdown_timeout=5)
    run.select(where={"name_in": ["ign", "ok"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert "force: true" in info.value.message and "'ign'" in info.value.message and "'ok'" not in info.value.message
    assert "5" in info.value.message
    items = by_name(info.value.result)
    assert items["ign"]["status_after"] == "RUNNING" and items["ok"]["status_after"] == "STOPPED"
    assert [operation for operation, unused_body in tower.mutations()] == ["shutdown-vm"]
    assert 5 <= clock.now < 10


def test_force_powers_off_only_the_vms_that_did_not_stop(clock):
    tower = FakeTower(clock, [vm("ign", "RUNNING"), vm("ok", "RUNNING"), vm("sus", "SUSPENDED")])
    tower.ignore_acpi.add("ign")
    run = power(tower, clock, "stopped", shutdown_timeout=5, force=True)
    run.select(where={"name_in": ["ign", "ok", "sus"]})
    result = run.run()
    assert [(operation, sorted(body["where"]["id_in"])) for operation, body in tower.mutations()] == [
        ("shutdown-vm", ["ign", "ok"]), ("poweroff-vm", ["sus"]), ("poweroff-vm", ["ign"])]
    items = by_name(result)
    assert items["ign"]["operations"] == ["shutdown-vm", "poweroff-vm"] and len(items["ign"]["task_ids"]) == 2
    assert all(item["status_after"] == "STOPPED" and item["changed"] for item in items.values())


def test_a_locked_forced_power_off_is_retried_as_a_power_off(clock):
    tower = FakeTower(clock, [vm("ign", "RUNNING")])
    tower.ignore_acpi.add("ign")
    run = power(tower, clock, "stopped", shutdown_timeout=5, force=True)
    run.select(name="ign")

    def lock_the_first_poweroff(operation, body=None):
        if operation == "poweroff-vm" and not tower.logged("poweroff-vm"):
            tower.lock_answers = 1

    tower.before_call = lock_the_first_poweroff
    result = run.run()
    assert [operation for operation, unused_body in tower.mutations()] == ["shutdown-vm", "poweroff-vm", "poweroff-vm"]
    assert result["vms"][0]["status_after"] == "STOPPED"


def test_a_guest_that_stops_just_before_its_forced_power_off_is_stopped(clock):
    tower = FakeTower(clock, [vm("ign", "RUNNING")])
    tower.ignore_acpi.add("ign")

    def guest_stops_first(operation, body=None):
        if operation == "poweroff-vm":
            tower.vms["ign"]["status"] = "STOPPED"  # the power-off task then fails: the VM is already STOPPED

    tower.before_call = guest_stops_first
    run = power(tower, clock, "stopped", shutdown_timeout=5, force=True)
    run.select(name="ign")
    result = run.run()
    assert tower.tasks[result["vms"][0]["task_ids"][-1]]["status"] == "FAILED"
    assert result["vms"][0]["status_after"] == "STOPPED" and result["vms"][0]["changed"] is True


def test_a_failed_start_of_a_vm_another_client_started_is_no_change(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])

    def started_elsewhere(operation, body=None):
        if operation == "start-vm":
            tower.vms["a"]["status"] = "RUNNING"

    tower.before_call = started_elsewhere
    run = power(tower, clock, "running")
    run.select(name="a")
    result = run.run()
    assert result["changed"] is False and result["vms"][0]["status_after"] == "RUNNING"
    assert [task["status"] for task in result["tasks"]] == ["FAILED"]


def test_a_task_read_failure_after_sending_reports_what_was_sent(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])

    def get_tasks_fails(operation, body=None):
        if operation == "get-tasks":
            raise CloudTowerError("CloudTower answered get-tasks with HTTP 500: boom", operation="get-tasks", status=500)

    tower.before_call = get_tasks_fails
    run = power(tower, clock, "running")
    run.select(name="a")
    with pytest.raises(CloudTowerError) as info:
        run.run()
    assert "task_wait" in info.value.message and "boom" in info.value.message
    result = info.value.result
    assert result["changed"] is True and result["vms"][0]["changed"] is True
    assert [task["id"] for task in result["tasks"]] == result["vms"][0]["task_ids"] and result["tasks"]


def test_restarted_starts_a_stopped_vm_and_always_restarts_a_running_one(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("b", "RUNNING")])
    for unused_round in range(2):
        run = power(tower, clock, "restarted")
        run.select(where={"name_in": ["a", "b"]})
        result = run.run()
        assert result["changed"] is True
        assert by_name(result)["b"]["operations"] == ["restart-vm"] and by_name(result)["b"]["changed"]
    assert [operation for operation, unused_body in tower.mutations()] == ["start-vm", "restart-vm", "restart-vm"]


def test_an_impossible_transition_fails_before_anything_is_sent(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("b", "RUNNING"), vm("c", "STOPPED")])
    run = power(tower, clock, "suspended")
    run.select(where={"name_in": ["a", "b", "c"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert "'a'" in info.value.message and "'c'" in info.value.message and "state: running" in info.value.message
    assert tower.mutations() == []
    assert [item["changed"] for item in info.value.result["vms"]] == [False, False, False]


def test_a_busy_vm_is_waited_for_and_planned_again(clock):
    busy = vm("a", "STOPPED", entityAsyncStatus="UPDATING")
    tower = FakeTower(clock, [busy, vm("b", "STOPPED")])
    # another client's start-vm of "a" ends at t=2
    tower.at(2.0, lambda: busy.update(entityAsyncStatus=None, status="RUNNING"))
    run = power(tower, clock, "running")
    run.select(where={"name_in": ["a", "b"]})
    result = run.run()
    assert [(operation, body["where"]["id_in"]) for operation, body in tower.mutations()] == [("start-vm", ["b"])]
    items = by_name(result)
    assert items["a"]["changed"] is False and items["a"]["status_after"] == "RUNNING"
    assert items["b"]["changed"] is True


def test_resource_locked_is_retried(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])
    tower.lock_answers = 2
    run = power(tower, clock, "running")
    run.select(name="a")
    result = run.run()
    assert tower.logged("start-vm") == 3
    assert result["vms"][0]["changed"] and result["vms"][0]["status_after"] == "RUNNING"


def test_locked_until_the_timeout_is_reported_and_the_rest_is_done(clock):
    locked = vm("a", "STOPPED", entityAsyncStatus="UPDATING")
    tower = FakeTower(clock, [locked, vm("b", "STOPPED")])
    run = power(tower, clock, "running", timeout=10)
    run.select(where={"name_in": ["a", "b"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert "busy" in info.value.message and "'a'" in info.value.message and "timeout" in info.value.message
    assert [body["where"]["id_in"] for unused_operation, body in tower.mutations()] == [["b"]]
    items = by_name(info.value.result)
    assert items["b"]["changed"] and items["b"]["status_after"] == "RUNNING"
    assert items["a"]["changed"] is False
    assert 10 <= clock.now < 20


def test_a_failed_task_fails_with_its_message_and_still_reports(clock):
    tower = FakeTower(clock, [vm("a", "RUNNING"), vm("b", "SUSPENDED")])
    tower.fail_ops["suspend-vm"] = "Guest refused to suspend"
    run = power(tower, clock, "suspended")
    run.select(where={"name_in": ["a", "b"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert "Guest refused to suspend" in info.value.message
    result = info.value.result
    assert result["changed"] is False
    assert [task["status"] for task in result["tasks"]] == ["FAILED"]
    assert result["tasks"][0]["error_message"] == "Guest refused to suspend"
    assert by_name(result)["a"]["status_after"] == "RUNNING"


def test_a_failed_task_among_others_keeps_the_changed_ones(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("b", "SUSPENDED")])
    tower.fail_ops["resume-vm"] = "no memory"
    run = power(tower, clock, "running")
    run.select(where={"name_in": ["a", "b"]})
    with pytest.raises(PowerError) as info:
        run.run()
    items = by_name(info.value.result)
    assert items["a"]["changed"] is True and items["a"]["status_after"] == "RUNNING"
    assert items["b"]["changed"] is False and items["b"]["status_after"] == "SUSPENDED"
    assert info.value.result["changed"] is True


def test_wait_false_returns_the_task_ids_at_once(clock):
    tower = FakeTower(clock, [vm("a", "RUNNING"), vm("b", "RUNNING")])
    tower.ignore_acpi.add("a")
    run = power(tower, clock, "stopped", wait=False, force=True, shutdown_timeout=1)
    run.select(where={"name_in": ["a", "b"]})
    result = run.run()
    assert tower.logged("get-tasks") == 0 and clock.now == 0
    assert [operation for operation, unused_body in tower.mutations()] == ["shutdown-vm"]
    assert [task["status"] for task in result["tasks"]] == [None, None]
    assert sorted(task["resource_id"] for task in result["tasks"]) == ["a", "b"]
    assert all(item["status_after"] == "STOPPED" and item["changed"] for item in result["vms"])


def test_an_empty_where_match_changes_nothing(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])
    run = power(tower, clock, "running")
    assert run.select(where={"name": "nothing"}) == []
    result = run.run()
    assert result == dict(changed=False, vms=[], tasks=[], diff=dict(before=dict(vms=[]), after=dict(vms=[])))
    assert tower.mutations() == []


def test_where_leaves_out_the_recycle_bin_and_system_vms_unless_asked(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("bin", "STOPPED", in_recycle_bin=True), vm("tower", "RUNNING", internal=True),
                              vm("sks", "RUNNING", vm_usage="SKS_MANAGEMENT")])
    run = power(tower, clock, "stopped")
    assert [found["id"] for found in run.select(where={"cluster": {"name": "c1"}})] == ["a"]
    assert tower.log[-1][1]["where"] == {"AND": [{"in_recycle_bin": False, "internal": False, "vm_usage": None}, {"cluster": {"name": "c1"}}]}
    run = power(tower, clock, "stopped")
    assert [found["id"] for found in run.select(where={"internal": True})] == ["tower"]


def test_an_empty_where_is_refused(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])
    with pytest.raises(CloudTowerError) as info:
        power(tower, clock, "running").select(where={})
    assert "every VM" in info.value.message
    assert tower.log == []


def test_a_name_in_the_recycle_bin_fails_clearly(clock):
    tower = FakeTower(clock, [vm("bin", "STOPPED", in_recycle_bin=True)])
    run = power(tower, clock, "running")
    run.select(name="bin")
    with pytest.raises(PowerError) as info:
        run.run()
    assert "recycle bin" in info.value.message
    assert tower.mutations() == []


def test_duplicate_names_need_cluster_or_all(clock):
    tower = FakeTower(clock, [vm("d1", "STOPPED", name="dup", cluster="c1"), vm("d2", "STOPPED", name="dup", cluster="c2")])
    with pytest.raises(CloudTowerError) as info:
        power(tower, clock, "running").select(name="dup")
    assert "d1" in info.value.message and "d2" in info.value.message and "all: true" in info.value.message
    run = power(tower, clock, "running")
    assert [found["id"] for found in run.select(name="dup", cluster="c2")] == ["d2"]
    run = power(tower, clock, "running")
    run.select(name="dup", allow_many=True)
    result = run.run()
    assert [body["where"]["id_in"] for unused_operation, body in tower.mutations()] == [["d1", "d2"]]
    assert result["changed"] is True


# --- a call that fails: recorded, never sent twice, the rest still done ------------------------------

def test_a_lost_answer_counts_as_changed_and_the_vm_is_read_once_idle(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])
    tower.drop_after.add("start-vm")
    run = power(tower, clock, "running")
    run.select(name="a")
    with pytest.raises(PowerError) as info:
        run.run()
    message = info.value.message
    assert "Connection aborted" in message and "may have applied start-vm to 'a'" in message
    assert "Running the task again is safe" in message
    assert [operation for operation, unused_body in tower.mutations()] == ["start-vm"]
    result = info.value.result
    assert result["changed"] is True
    # read again once the start (applied after all) ended: status_after is the truth
    assert result["vms"][0] == dict(id="a", name="a", cluster="c1", status_before="STOPPED", status_after="RUNNING", changed=True,
                                    operations=["start-vm"], task_ids=[])


def test_a_server_error_in_one_group_still_sends_waits_and_reads_the_others(clock):
    tower = FakeTower(clock, [vm("db", "STOPPED"), vm("app", "SUSPENDED")])
    tower.http_errors["resume-vm"] = 500
    run = power(tower, clock, "running")
    run.select(where={"name_in": ["db", "app"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert [operation for operation, unused_body in tower.mutations()] == ["start-vm", "resume-vm"]
    assert "HTTP 500" in info.value.message and "may have applied resume-vm to 'app'" in info.value.message
    assert info.value.status == 500 and info.value.operation == "resume-vm"
    result = info.value.result
    items = by_name(result)
    assert items["db"]["changed"] is True and items["db"]["status_after"] == "RUNNING"
    assert [task["status"] for task in result["tasks"]] == ["SUCCESSED"]
    assert items["app"]["changed"] is True and items["app"]["status_after"] == "SUSPENDED" and items["app"]["operations"] == ["resume-vm"]
    assert result["changed"] is True


def test_a_refused_call_is_no_change_and_the_other_groups_still_go_out(clock):
    tower = FakeTower(clock, [vm("db", "STOPPED"), vm("app", "SUSPENDED")])
    tower.http_errors["start-vm"] = 403
    run = power(tower, clock, "running")
    run.select(where={"name_in": ["db", "app"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert [operation for operation, unused_body in tower.mutations()] == ["start-vm", "resume-vm"]
    assert "HTTP 403" in info.value.message and "did not apply start-vm to 'db'" in info.value.message
    assert "may have" not in info.value.message
    items = by_name(info.value.result)
    assert items["db"]["changed"] is False and items["db"]["operations"] == [] and items["db"]["status_after"] == "STOPPED"
    assert items["app"]["changed"] is True and items["app"]["status_after"] == "RUNNING"


def test_a_restart_that_may_have_been_applied_warns_against_running_again(clock):
    tower = FakeTower(clock, [vm("a", "RUNNING")])
    tower.http_errors["restart-vm"] = 502
    run = power(tower, clock, "restarted")
    run.select(name="a")
    with pytest.raises(PowerError) as info:
        run.run()
    assert "restarts a running VM every time" in info.value.message and "safe" not in info.value.message
    assert info.value.result["vms"][0]["changed"] is True
    assert tower.logged("restart-vm") == 1


def test_a_shutdown_that_may_have_been_applied_is_not_forced_off(clock):
    tower = FakeTower(clock, [vm("a", "RUNNING")])
    tower.ignore_acpi.add("a")
    tower.drop_after.add("shutdown-vm")
    run = power(tower, clock, "stopped", shutdown_timeout=5, force=True)
    run.select(name="a")
    with pytest.raises(PowerError) as info:
        run.run()
    assert [operation for operation, unused_body in tower.mutations()] == ["shutdown-vm"]
    assert "may have applied shutdown-vm" in info.value.message
    assert info.value.result["vms"][0]["changed"] is True and info.value.result["vms"][0]["status_after"] == "RUNNING"


def test_a_lost_answer_with_wait_false_is_reported_at_once(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED"), vm("b", "SUSPENDED")])
    tower.drop_after.add("start-vm")
    run = power(tower, clock, "running", wait=False)
    run.select(where={"name_in": ["a", "b"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert [operation for operation, unused_body in tower.mutations()] == ["start-vm", "resume-vm"]
    assert tower.logged("get-tasks") == 0
    items = by_name(info.value.result)
    assert items["a"]["changed"] is True and items["a"]["task_ids"] == []
    assert items["b"]["changed"] is True and len(items["b"]["task_ids"]) == 1


def test_a_read_failure_after_a_failed_call_reports_both(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")])
    tower.http_errors["start-vm"] = 500

    def reads_fail_after_the_start(operation, body=None):
        if operation == "get-vms" and tower.logged("start-vm"):
            raise CloudTowerError("CloudTower answered get-vms with HTTP 503: down", operation="get-vms", status=503)

    tower.before_call = reads_fail_after_the_start
    run = power(tower, clock, "running")
    run.select(name="a")
    with pytest.raises(PowerError) as info:
        run.run()
    assert "may have applied start-vm" in info.value.message and "HTTP 503: down" in info.value.message
    assert info.value.status == 500 and info.value.result["changed"] is True


# --- stopped: busy VMs and failed tasks do not cut the wait short --------------------------------

def test_a_busy_vm_does_not_stop_the_others_from_being_forced_off(clock):
    tower = FakeTower(clock, [vm("busy", "RUNNING", entityAsyncStatus="UPDATING"), vm("ign", "RUNNING")])
    tower.ignore_acpi.add("ign")
    run = power(tower, clock, "stopped", shutdown_timeout=5, force=True, timeout=10)
    run.select(where={"name_in": ["busy", "ign"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert [(operation, body["where"]["id_in"]) for operation, body in tower.mutations()] == [("shutdown-vm", ["ign"]), ("poweroff-vm", ["ign"])]
    assert "still busy" in info.value.message and "'busy'" in info.value.message and "raise timeout" in info.value.message
    items = by_name(info.value.result)
    assert items["ign"]["status_after"] == "STOPPED" and items["ign"]["changed"] and items["ign"]["operations"] == ["shutdown-vm", "poweroff-vm"]
    assert items["busy"]["changed"] is False


def test_a_busy_vm_is_reported_after_a_shutdown_timeout(clock):
    tower = FakeTower(clock, [vm("busy", "RUNNING", entityAsyncStatus="UPDATING"), vm("ign", "RUNNING")])
    tower.ignore_acpi.add("ign")
    run = power(tower, clock, "stopped", shutdown_timeout=5, timeout=10)
    run.select(where={"name_in": ["busy", "ign"]})
    with pytest.raises(PowerError) as info:
        run.run()
    message = info.value.message
    assert "did not shut down within shutdown_timeout" in message and "'ign'" in message and "force: true" in message
    assert message.index("shutdown_timeout") < message.index("still busy") and "'busy'" in message
    assert [operation for operation, unused_body in tower.mutations()] == ["shutdown-vm"]


def test_a_failed_shutdown_still_waits_for_the_other_guests(clock):
    tower = FakeTower(clock, [vm("bad", "RUNNING"), vm("slow", "RUNNING")], task_seconds=1.0, stop_seconds=4.0)
    tower.fail_vms["bad"] = "guest agent error"
    run = power(tower, clock, "stopped", shutdown_timeout=30)
    run.select(where={"name_in": ["bad", "slow"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert "guest agent error" in info.value.message
    items = by_name(info.value.result)
    assert items["slow"]["status_after"] == "STOPPED" and items["slow"]["changed"] is True
    assert items["bad"]["changed"] is False and items["bad"]["status_after"] == "RUNNING"
    assert clock.now >= 5.0


def test_a_failed_shutdown_still_forces_the_other_guests_off(clock):
    tower = FakeTower(clock, [vm("bad", "RUNNING"), vm("ign", "RUNNING")])
    tower.fail_vms["bad"] = "guest agent error"
    tower.ignore_acpi.add("ign")
    run = power(tower, clock, "stopped", shutdown_timeout=5, force=True)
    run.select(where={"name_in": ["bad", "ign"]})
    with pytest.raises(PowerError) as info:
        run.run()
    assert "guest agent error" in info.value.message
    assert [(operation, body["where"]["id_in"]) for operation, body in tower.mutations()][-1] == ("poweroff-vm", ["ign"])
    assert by_name(info.value.result)["ign"]["status_after"] == "STOPPED"


# --- selection by name and the recycle bin --------------------------------------------------------

def test_a_namesake_in_the_recycle_bin_does_not_make_a_name_ambiguous(clock):
    tower = FakeTower(clock, [vm("live", "STOPPED", name="db"), vm("binned", "STOPPED", name="db", in_recycle_bin=True)])
    run = power(tower, clock, "running")
    assert [found["id"] for found in run.select(name="db")] == ["live"]
    run = power(tower, clock, "running")
    run.select(name="db", allow_many=True)
    result = run.run()
    assert [body["where"]["id_in"] for unused_operation, body in tower.mutations()] == [["live"]]
    assert [item["id"] for item in result["vms"]] == ["live"]


def test_a_name_only_in_the_recycle_bin_with_all_is_refused_saying_so(clock):
    tower = FakeTower(clock, [vm("b1", "STOPPED", name="gone", in_recycle_bin=True), vm("b2", "STOPPED", name="gone", in_recycle_bin=True)])
    run = power(tower, clock, "running")
    run.select(name="gone", allow_many=True)
    with pytest.raises(PowerError) as info:
        run.run()
    assert "recycle bin" in info.value.message and "id b1" in info.value.message and "id b2" in info.value.message
    assert tower.mutations() == []


def test_a_where_naming_the_recycle_bin_with_a_name_is_taken_as_given(clock):
    tower = FakeTower(clock, [vm("live", "STOPPED", name="db"), vm("binned", "STOPPED", name="db", in_recycle_bin=True)])
    run = power(tower, clock, "running")
    assert [found["id"] for found in run.select(name="db", where={"in_recycle_bin": True})] == ["binned"]
    assert tower.logged("get-vms") == 1


# --- timeouts -------------------------------------------------------------------------------------

def test_a_task_timeout_points_to_task_wait_with_the_task_ids(clock):
    tower = FakeTower(clock, [vm("a", "STOPPED")], task_seconds=100)
    run = power(tower, clock, "running", timeout=5)
    run.select(name="a")
    with pytest.raises(PowerError) as info:
        run.run()
    task_id = info.value.result["vms"][0]["task_ids"][0]
    assert "smartx.cloudtower.task_wait with task_ids %s." % task_id in info.value.message
    assert info.value.result["vms"][0]["changed"] is True
