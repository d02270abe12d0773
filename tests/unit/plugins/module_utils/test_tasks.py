# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The task waiter, with a scripted client and a fake clock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.smartx.cloudtower.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import (
    ResourceBusyError, TaskError, TaskFailedError, TaskStateUnknownError, TaskTimeoutError, TaskWaiter, call_when_unlocked,
    change_may_have_happened, summarize_task, task_ids)


class ScriptedTasks:
    """A client whose get-tasks answers come from ``script(now)`` -> {id: (status, extra)}."""

    def __init__(self, clock, script):
        self.clock = clock
        self.script = script
        self.bodies = []

    def call(self, operation, body):
        assert operation == "get-tasks"
        self.bodies.append(body)
        states = self.script(self.clock.now)
        answer = []
        for task_id in body["where"]["id_in"]:
            if task_id in states:
                status, extra = states[task_id]
                task = {"id": task_id, "status": status, "description": "Start VM %s" % task_id, "progress": 1.0 if status == "SUCCESSED" else 0.4}
                task.update(extra)
                answer.append(task)
        return answer


def finishing_at(times, failures=None):
    """Tasks that are EXECUTING until their time, then SUCCESSED (or FAILED with the given message)."""
    failures = failures or {}

    def script(now):
        states = {}
        for task_id, end in times.items():
            if now < end:
                states[task_id] = ("EXECUTING", {})
            elif task_id in failures:
                states[task_id] = ("FAILED", {"error_code": "VM_STATUS_INVALID", "error_message": failures[task_id]})
            else:
                states[task_id] = ("SUCCESSED", {})
        return states
    return script


def make_waiter(script, timeout=300):
    clock = FakeClock()
    client = ScriptedTasks(clock, script)
    return TaskWaiter(client, timeout=timeout, sleep=clock.sleep, clock=clock.clock), client, clock


def test_success_returns_tasks_in_order():
    waiter, client, clock = make_waiter(finishing_at({"t1": 0.3, "t2": 0.0}))
    tasks = waiter.wait(["t1", "t2"])
    assert [task["id"] for task in tasks] == ["t1", "t2"]
    assert all(task["status"] == "SUCCESSED" for task in tasks)


def test_many_tasks_are_polled_in_one_call_per_round_and_done_ones_dropped():
    waiter, client, clock = make_waiter(finishing_at({"a": 0.1, "b": 1.0, "c": 3.0}))
    waiter.wait(["a", "b", "c"])
    assert client.bodies[0] == {"where": {"id_in": ["a", "b", "c"]}}
    assert client.bodies[-1] == {"where": {"id_in": ["c"]}}
    # one call per round: as many calls as sleeps plus the first
    assert len(client.bodies) == len(clock.sleeps) + 1


def test_half_second_task_is_seen_within_a_second():
    waiter, client, clock = make_waiter(finishing_at({"t": 0.5}))
    waiter.wait(["t"])
    assert clock.now <= 1.0


def test_backoff_grows_to_five_seconds_and_stays_there():
    waiter, client, clock = make_waiter(finishing_at({"t": 60}))
    waiter.wait(["t"])
    assert clock.sleeps[0] == pytest.approx(0.25)
    assert clock.sleeps == sorted(clock.sleeps)
    assert max(clock.sleeps) == pytest.approx(5.0)
    # A minute-long task costs a bounded number of polls, not one per quarter second.
    assert len(client.bodies) < 25


def test_failure_names_the_task_and_its_error_after_all_ended():
    waiter, client, clock = make_waiter(finishing_at({"ok": 2.0, "bad": 0.1}, failures={"bad": "VM db-1 is already STOPPED"}))
    with pytest.raises(TaskFailedError) as info:
        waiter.wait(["ok", "bad"])
    error = info.value
    assert "bad" in error.message and "VM db-1 is already STOPPED" in error.message and "VM_STATUS_INVALID" in error.message
    assert [task["id"] for task in error.failed] == ["bad"]
    assert {task["id"]: task["status"] for task in error.tasks} == {"ok": "SUCCESSED", "bad": "FAILED"}


def test_timeout_names_running_tasks_and_progress():
    waiter, client, clock = make_waiter(finishing_at({"slow": 1000, "quick": 0.2}), timeout=10)
    with pytest.raises(TaskTimeoutError) as info:
        waiter.wait(["slow", "quick"])
    error = info.value
    assert "after 10 seconds" in error.message and "slow" in error.message and "40%" in error.message
    assert "quick" not in error.message
    assert [task["id"] for task in error.running] == ["slow"]
    assert clock.now == pytest.approx(10)


def test_task_not_found_yet_is_still_running():
    def script(now):
        return {} if now < 1 else {"late": ("SUCCESSED", {})}
    waiter, client, clock = make_waiter(script)
    assert waiter.wait(["late"])[0]["status"] == "SUCCESSED"


def test_paused_and_pending_are_still_running():
    def script(now):
        return {"t": ("PENDING" if now < 0.5 else "PAUSED" if now < 1.5 else "SUCCESSED", {})}
    waiter, client, clock = make_waiter(script)
    waiter.wait(["t"])
    assert clock.now >= 1.5


def test_unreadable_tasks_are_a_task_error_that_names_them():
    clock = FakeClock()

    class Broken:
        def call(self, operation, body):
            raise CloudTowerError("CloudTower answered get-tasks with HTTP 500: boom", operation="get-tasks", status=500)

    waiter = TaskWaiter(Broken(), sleep=clock.sleep, clock=clock.clock)
    with pytest.raises(TaskError) as info:
        waiter.wait(["t1", "t2"])
    assert isinstance(info.value, TaskStateUnknownError)
    assert "t1, t2" in info.value.message and "boom" in info.value.message and "task_wait" in info.value.message
    assert [task["id"] for task in info.value.tasks] == ["t1", "t2"]


@pytest.mark.parametrize("error, expected", [
    (TaskFailedError([{"id": "t", "status": "FAILED"}], []), False),
    (TaskTimeoutError([{"id": "t", "status": "EXECUTING"}], [], 5), True),
    (CloudTowerError("lost", operation="start-vm"), True),
    (CloudTowerError("bad gateway", operation="start-vm", status=502), True),
    (CloudTowerError("locked", operation="start-vm", status=400, code="ResourceLocked"), False),
])
def test_change_may_have_happened(error, expected):
    assert change_may_have_happened(error) is expected


def test_no_ids_means_no_call():
    waiter, client, clock = make_waiter(finishing_at({}))
    assert waiter.wait([None, ""]) == []
    assert client.bodies == []


def test_task_ids_skip_synchronous_answers():
    assert task_ids([{"task_id": "a", "data": {}}, {"task_id": None, "data": {}}, {"task_id": "b", "data": {}}]) == ["a", "b"]
    assert task_ids({"task_id": "c", "data": {}}) == ["c"]


def test_summarize_task_keeps_the_reported_fields():
    summary = summarize_task({"id": "t", "status": "FAILED", "error_message": "boom", "args": {"big": "x"}, "steps": []})
    assert summary["error_message"] == "boom" and "args" not in summary and summary["progress"] is None


# --- call_when_unlocked ---------------------------------------------------------------------------

def locked_error(operation="create-vm-snapshot"):
    return CloudTowerError("CloudTower answered %s with HTTP 400: Resource [VM-vm1] locked" % operation, operation=operation, status=400,
                           code="ResourceLocked", api_message="Resource [VM-vm1] locked", path="/" + operation,
                           props={"locked_resources": [{"id": "vm1", "type": "VM"}]})


class LockedFor:
    """A client whose mutation answers ResourceLocked until ``until`` seconds on the clock, then succeeds."""

    def __init__(self, clock, until, error=None):
        self.clock = clock
        self.until = until
        self.error = error
        self.calls = []

    def call(self, operation, body):
        self.calls.append((self.clock.now, operation, body))
        if self.error is not None:
            raise self.error
        if self.clock.now < self.until:
            raise locked_error(operation)
        return [{"task_id": "t1", "data": {"id": "s1"}}]


def test_call_when_unlocked_sends_again_with_backoff_until_the_lock_is_gone():
    clock = FakeClock()
    client = LockedFor(clock, until=2.0)
    answer = call_when_unlocked(client, "create-vm-snapshot", {"data": []}, 300, "VM 'web-1'", sleep=clock.sleep, clock=clock.clock)
    assert answer == [{"task_id": "t1", "data": {"id": "s1"}}]
    assert len(client.calls) == len(clock.sleeps) + 1 and len(client.calls) > 2
    assert clock.sleeps[0] == pytest.approx(0.25) and clock.sleeps == sorted(clock.sleeps)
    assert 2.0 <= clock.now < 4.0


def test_call_when_unlocked_gives_up_at_the_timeout_saying_nothing_was_done():
    clock = FakeClock()
    client = LockedFor(clock, until=10 ** 6)
    with pytest.raises(ResourceBusyError) as info:
        call_when_unlocked(client, "rollback-vm", {"where": {}}, 30, "VM 'web-1' (id vm1, cluster c1)", sleep=clock.sleep, clock=clock.clock)
    error = info.value
    assert clock.now == pytest.approx(30)
    assert error.message.startswith("VM 'web-1' (id vm1, cluster c1) is still busy with another CloudTower task after 30 seconds")
    assert "Resource [VM-vm1] locked" in error.message and "nothing was done" in error.message
    assert "raise timeout" in error.message and "rollback-vm" in error.message
    assert error.is_resource_locked and error.status == 400 and error.props["locked_resources"][0]["id"] == "vm1"
    assert change_may_have_happened(error) is False


def test_call_when_unlocked_raises_any_other_error_at_once():
    clock = FakeClock()
    lost = CloudTowerError("Could not reach CloudTower for rollback-vm: connection reset", operation="rollback-vm")
    client = LockedFor(clock, until=0, error=lost)
    with pytest.raises(CloudTowerError) as info:
        call_when_unlocked(client, "rollback-vm", {}, 300, "VM 'web-1'", sleep=clock.sleep, clock=clock.clock)
    assert info.value is lost and len(client.calls) == 1 and clock.sleeps == []
