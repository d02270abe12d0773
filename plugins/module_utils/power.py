# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VM power states: which CloudTower operation each VM needs, and doing it for many VMs at once.

The flow of ``PowerRun.run``:

1. plan every VM from its observed status (``plan_vm``); a VM that cannot reach the state fails the run before any call;
2. group the VMs by operation and send ONE call per operation (``where: {id_in: [...]}``); VMs that are busy
   (``entityAsyncStatus`` set) or answered ``ResourceLocked`` are waited for, re-planned and sent again, within ``timeout``;
3. wait for all the tasks with ONE waiter;
4. for ``stopped``: poll until the shut-down VMs are STOPPED, within ``shutdown_timeout``; then ``poweroff-vm`` the rest
   if ``force``, or fail saying that ``force`` exists;
5. read the VMs once more for ``status_after``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import (
    RECYCLE_BIN_EXCLUSION, combine_where, describe_vm, find_vms, user_vms_where, vm_selection_where)
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import (
    Backoff, TaskError, TaskFailedError, summarize_task, task_ids)

STATES = ("running", "stopped", "powered_off", "restarted", "force_restarted", "suspended")

RUNNING = "RUNNING"
STOPPED = "STOPPED"
SUSPENDED = "SUSPENDED"

START = "start-vm"
RESUME = "resume-vm"
SHUTDOWN = "shutdown-vm"
POWEROFF = "poweroff-vm"
RESTART = "restart-vm"
FORCE_RESTART = "force-restart-vm"
SUSPEND = "suspend-vm"

# The order in which the calls of one round are sent.
OPERATIONS = (START, RESUME, SHUTDOWN, POWEROFF, RESTART, FORCE_RESTART, SUSPEND)

# The status a VM has once the operation's task has succeeded (shutdown-vm: once the guest has stopped).
RESULT_STATUS = {
    START: RUNNING, RESUME: RUNNING, RESTART: RUNNING, FORCE_RESTART: RUNNING,
    SHUTDOWN: STOPPED, POWEROFF: STOPPED, SUSPEND: SUSPENDED,
}

# state -> observed status -> the operation that brings the VM there (None: the state already holds).
# A status missing here is an error (see _refusal). STOPPED for restarted/force_restarted starts the VM: the VM then
# runs a freshly booted guest, as the state asks (the way ansible.builtin.service treats a stopped service).
TRANSITIONS = {
    "running": {RUNNING: None, STOPPED: START, SUSPENDED: RESUME},
    "stopped": {RUNNING: SHUTDOWN, STOPPED: None},  # SUSPENDED: poweroff-vm with force, else refused
    "powered_off": {RUNNING: POWEROFF, STOPPED: None, SUSPENDED: POWEROFF},
    "restarted": {RUNNING: RESTART, STOPPED: START},
    "force_restarted": {RUNNING: FORCE_RESTART, STOPPED: START},
    "suspended": {RUNNING: SUSPEND, SUSPENDED: None},
}

# state -> the status in which it holds (restarted and force_restarted never hold).
HELD_STATUS = dict((state, status) for state, table in TRANSITIONS.items() for status, operation in table.items() if operation is None)


class PowerError(CloudTowerError):
    """A power run that could not do what was asked; ``result`` carries the vms and tasks reached so far."""


def _refusal(vm, state, status):
    what = "VM %s" % describe_vm(vm)
    if vm.get("in_recycle_bin"):
        return "%s is in the recycle bin: restore it before changing its power state." % what
    if status == SUSPENDED and state == "stopped":
        return ("%s is SUSPENDED: a suspended guest cannot shut down gracefully. Set force: true (or use state: powered_off) "
                "to power it off, or resume it first with state: running." % what)
    if status == SUSPENDED and state in ("restarted", "force_restarted"):
        return ("%s is SUSPENDED: CloudTower cannot restart a suspended VM. Resume it with state: running, "
                "or power it off with state: powered_off and then start it." % what)
    if status == STOPPED and state == "suspended":
        return "%s is STOPPED: only a running VM can be suspended. Start it first with state: running." % what
    return "%s has status %s: its power state cannot be changed until CloudTower reports RUNNING, STOPPED or SUSPENDED." % (what, status)


def plan_vm(vm, state, force=False):
    """``(operation, error)`` for one VM record: the operation it needs (None when the state holds) or why it cannot."""
    if state not in TRANSITIONS:
        raise ValueError("unknown power state %r" % state)
    status = vm.get("status")
    if vm.get("in_recycle_bin"):
        return None, _refusal(vm, state, status)
    table = TRANSITIONS[state]
    if status in table:
        return table[status], None
    if state == "stopped" and status == SUSPENDED and force:
        return POWEROFF, None
    return None, _refusal(vm, state, status)


def expected_status(state, operation, status_before):
    """The status a VM should have after ``operation`` (None: no operation, the status stays)."""
    if operation is None:
        return status_before
    return RESULT_STATUS[operation]


def is_busy(vm):
    """A VM with a CloudTower operation in progress (``entityAsyncStatus`` set)."""
    return bool(vm.get("entityAsyncStatus"))


def vm_summary(vm):
    return dict(id=vm.get("id"), name=vm.get("name"), cluster=(vm.get("cluster") or {}).get("name"))


class PowerRun:
    """One run of vm_power over a set of VMs. ``sleep`` and ``clock`` are there for tests.

    ``waiter`` is a TaskWaiter (its own timeout is the module's ``timeout``).
    """

    def __init__(self, client, waiter, state, force=False, shutdown_timeout=120, timeout=300, wait=True, check_mode=False,
                 sleep=time.sleep, clock=time.monotonic):
        if state not in TRANSITIONS:
            raise ValueError("unknown power state %r" % state)
        self.client = client
        self.waiter = waiter
        self.state = state
        self.force = force
        self.shutdown_timeout = shutdown_timeout
        self.timeout = timeout
        self.wait = wait
        self.check_mode = check_mode
        self.sleep = sleep
        self.clock = clock
        self.entries = []  # one per VM, in selection order
        self.by_id = {}
        self.tasks = {}  # task id -> task record (or {"id": ...} when not waited for)
        self.task_order = []

    # --- selection ----------------------------------------------------------------------------

    def select(self, name=None, vm_id=None, cluster=None, where=None, allow_many=False):
        """Find the VMs (``find_vms``) and record them; returns the records."""
        if where is not None and not where and not (name or vm_id):
            raise CloudTowerError("where is empty, which would select every VM: give at least one condition, such as "
                                  "{cluster: {name: my-cluster}}, or select VMs by name or id.")
        if where and not (name or vm_id):
            # A raw filter never reaches VMs in the recycle bin or CloudTower's own system VMs, unless it names those fields.
            where = user_vms_where(where, include_recycle_bin="in_recycle_bin" in where,
                                   include_system_vms="internal" in where or "vm_usage" in where)
        elif name and not vm_id and "in_recycle_bin" not in (where or {}):
            where = self._outside_recycle_bin_if_any(name, cluster, where)
        vms = find_vms(self.client, name=name, vm_id=vm_id, cluster=cluster, where=where, allow_many=allow_many,
                       hint="Give cluster or id to pick one, or all: true to act on every one.")
        for vm in vms:
            self._add(vm)
        return vms

    def _outside_recycle_bin_if_any(self, name, cluster, where):
        """``where`` narrowed to VMs outside the recycle bin when any of them has ``name``.

        A deleted VM of the same name must not make the name ambiguous; when only VMs in the recycle bin have it,
        they are selected, so that the run refuses them saying why (see _refusal).
        """
        outside = combine_where(RECYCLE_BIN_EXCLUSION, where)
        if self.client.count("vms", where=vm_selection_where(name=name, cluster=cluster, where=outside)):
            return outside
        return where

    def _add(self, vm):
        entry = dict(vm=vm, before=vm.get("status"), operation=None, error=None, task_id=None, sent_at=None, failed=False, sent=False,
                     operations=[], task_ids=[])
        self.entries.append(entry)
        self.by_id[vm["id"]] = entry

    # --- the run ------------------------------------------------------------------------------

    def run(self):
        """Bring every selected VM to the state; return the module result (``changed``, ``vms``, ``tasks``)."""
        for entry in self.entries:
            entry["operation"], entry["error"] = plan_vm(entry["vm"], self.state, self.force)
        # A busy VM is planned again once it is idle; only the idle ones must be valid now.
        errors = [entry["error"] for entry in self.entries if entry["error"] and not is_busy(entry["vm"])]
        if errors:
            raise PowerError(" ".join(errors), result=self.result())
        if self.check_mode:
            return self.result(predicted=True)

        deadline = self.clock() + self.timeout
        todo = [entry for entry in self.entries if entry["operation"] or is_busy(entry["vm"])]
        unsent = self._send_all(todo, deadline)
        if not self.wait:
            if unsent:
                raise self._locked_error(unsent)
            return self.result(predicted=True)

        try:
            failure = self._wait_tasks([entry["task_id"] for entry in self.entries if entry["task_id"]])
            if failure is None and not unsent and self.state == "stopped":
                failure = self._wait_stopped()
            self._refresh([entry for entry in self.entries if entry["sent"]])
        except CloudTowerError as exc:
            # Changes were sent: whatever failed afterwards, report what was sent and its tasks.
            exc.result.update(self.result())
            raise
        if failure is not None and self._held_despite_failed_tasks():
            failure = None
        if failure is None and self.state == "stopped":
            failure = self._not_stopped()
        if failure is not None:
            failure.result.update(self.result())
            raise failure
        if unsent:
            raise self._locked_error(unsent)
        still = [entry for entry in self.entries if entry["error"]]
        if still:
            raise PowerError(" ".join(entry["error"] for entry in still), result=self.result())
        return self.result()

    # --- sending ------------------------------------------------------------------------------

    def _send_all(self, todo, deadline, state=None):
        """Send the operations of ``todo``, one call per operation; retry busy/locked VMs until ``deadline``.

        A VM waited for is planned again towards ``state`` (the run's state unless given: the forced stop
        plans towards powered_off). Returns the entries still busy or locked at the deadline (nothing sent for them).
        """
        state = state or self.state
        backoff = Backoff(deadline, self.sleep, self.clock)
        while True:
            busy = [entry for entry in todo if is_busy(entry["vm"])]
            ready = [entry for entry in todo if not is_busy(entry["vm"]) and entry["operation"] and not entry["error"]]
            locked = []
            for operation in OPERATIONS:
                group = [entry for entry in ready if entry["operation"] == operation]
                if group and not self._send(operation, group):
                    locked.extend(group)
            todo = busy + locked
            if not todo:
                return []
            if not backoff.wait():
                return todo
            # Read the waiting VMs again and plan them from their new status (another task may have changed it).
            fresh = self._fetch([entry["vm"]["id"] for entry in todo])
            for entry in todo:
                vm = fresh.get(entry["vm"]["id"])
                if vm is None:
                    entry["error"] = "VM %s disappeared while it was waited for." % describe_vm(entry["vm"])
                    continue
                entry["vm"] = vm
                if not is_busy(vm):
                    entry["before"] = vm.get("status")
                    entry["operation"], entry["error"] = plan_vm(vm, state, self.force)
            todo = [entry for entry in todo if is_busy(entry["vm"]) or (entry["operation"] and not entry["error"])]

    def _send(self, operation, group):
        """One call for all of ``group``; False when CloudTower answered ResourceLocked (then nothing was done)."""
        ids = [entry["vm"]["id"] for entry in group]
        try:
            answers = self.client.call(operation, {"where": {"id_in": ids}})
        except CloudTowerError as exc:
            if exc.is_resource_locked:
                return False
            exc.result.update(self.result())
            raise
        now = self.clock()
        answers = answers if isinstance(answers, list) else [answers]
        by_vm = {}
        for answer in answers or []:
            vm_id = ((answer or {}).get("data") or {}).get("id")
            if vm_id:
                by_vm[vm_id] = answer.get("task_id")
        leftover = [task_id for task_id in task_ids(answers) if task_id not in by_vm.values()]
        for entry in group:
            entry["sent"] = True
            entry["sent_at"] = now
            entry["task_id"] = by_vm.get(entry["vm"]["id"]) or (leftover.pop(0) if leftover else None)
            entry["operations"].append(operation)
            if entry["task_id"]:
                entry["task_ids"].append(entry["task_id"])
            if entry["task_id"] and entry["task_id"] not in self.tasks:
                self.tasks[entry["task_id"]] = {"id": entry["task_id"], "status": None, "resource_id": entry["vm"]["id"]}
                self.task_order.append(entry["task_id"])
        return True

    def _locked_error(self, unsent):
        names = ", ".join(describe_vm(entry["vm"]) for entry in unsent)
        return PowerError("These VMs were still busy with another CloudTower task (or locked) after %g seconds, so nothing was sent "
                          "for them: %s. Run again later or raise timeout." % (self.timeout, names), result=self.result())

    # --- waiting ------------------------------------------------------------------------------

    def _wait_tasks(self, ids):
        """Wait for ``ids`` with the waiter; return the failure to raise at the end (None when all succeeded)."""
        if not ids:
            return None
        try:
            tasks = self.waiter.wait(ids)
        except TaskFailedError as exc:
            self._record_tasks(exc.tasks)
            failed = set(task["id"] for task in exc.failed)
            for entry in self.entries:
                if entry["task_id"] in failed:
                    entry["failed"] = True
            return PowerError(exc.message, operation=exc.operation, code=exc.code, api_message=exc.api_message)
        except TaskError as exc:  # timed out, or the tasks could not be read
            self._record_tasks(exc.tasks)
            return PowerError(exc.message, operation=exc.operation)
        self._record_tasks(tasks)
        return None

    def _record_tasks(self, tasks):
        for task in tasks:
            self.tasks[task["id"]] = task
            if task["id"] not in self.task_order:
                self.task_order.append(task["id"])

    def _wait_stopped(self):
        """Wait for the shut-down VMs to be STOPPED; then power off the rest (force) or return the failure."""
        shut = [entry for entry in self.entries if entry["operation"] == SHUTDOWN and entry["sent"] and not entry["failed"]]
        if not shut:
            return None
        backoff = Backoff(max(entry["sent_at"] for entry in shut) + self.shutdown_timeout, self.sleep, self.clock)
        while True:
            fresh = self._fetch([entry["vm"]["id"] for entry in shut])
            for entry in shut:
                if entry["vm"]["id"] in fresh:
                    entry["vm"] = fresh[entry["vm"]["id"]]
            shut = [entry for entry in shut if entry["vm"].get("status") != STOPPED]
            if not shut or not backoff.wait():
                break
        if not shut:
            return None
        names = ", ".join(describe_vm(entry["vm"]) for entry in shut)
        if not self.force:
            return PowerError("The guest OS of %d VM(s) did not shut down within shutdown_timeout (%g seconds) after the ACPI shutdown request: %s. "
                              "Set force: true to power them off when the graceful shutdown times out, raise shutdown_timeout, "
                              "or use state: powered_off." % (len(shut), self.shutdown_timeout, names), operation=SHUTDOWN)
        for entry in shut:
            entry["operation"] = POWEROFF
            entry["task_id"] = None
        unsent = self._send_all(shut, self.clock() + self.timeout, state="powered_off")
        failure = self._wait_tasks([entry["task_id"] for entry in shut if entry["task_id"]])
        if failure is None and unsent:
            failure = self._locked_error(unsent)
        return failure

    def _held_despite_failed_tasks(self):
        """Whether every VM whose task FAILED is in the requested status all the same, read after the tasks.

        That happens when the VM got there by other means first: a guest that stopped just before its forced
        power-off, or another client that started the VM. The state holds, so the run succeeds; a VM whose
        only operation failed did not change through this run.
        """
        held = HELD_STATUS.get(self.state)
        failed = [entry for entry in self.entries if entry["failed"]]
        if held is None or not failed or any(entry["vm"].get("status") != held for entry in failed):
            return False
        for entry in failed:
            entry["failed"] = False
            entry["changed_elsewhere"] = len(entry["operations"]) == 1
        return True

    def _not_stopped(self):
        """A failure when a VM that was sent a stop is not STOPPED after all (a safety net, after the final read)."""
        running = [entry for entry in self.entries if entry["sent"] and entry["vm"].get("status") != STOPPED]
        if not running:
            return None
        return PowerError("These VMs are not STOPPED after the run: %s. Run again, or use state: powered_off."
                          % ", ".join("%s (%s)" % (describe_vm(entry["vm"]), entry["vm"].get("status")) for entry in running))

    # --- reading ------------------------------------------------------------------------------

    def _fetch(self, ids):
        """The current records of the VMs ``ids``, by id (one paged get-vms)."""
        if not ids:
            return {}
        return dict((vm["id"], vm) for vm in self.client.list_records("vms", where={"id_in": list(ids)}))

    def _refresh(self, entries):
        fresh = self._fetch([entry["vm"]["id"] for entry in entries])
        for entry in entries:
            if entry["vm"]["id"] in fresh:
                entry["vm"] = fresh[entry["vm"]["id"]]

    # --- result -------------------------------------------------------------------------------

    def result(self, predicted=False):
        """The module result: ``changed``, ``vms``, ``tasks`` and the diff.

        ``predicted``: status_after is the status the VM gets when its task succeeds (check mode, wait: false).
        """
        vms = []
        for entry in self.entries:
            vm = entry["vm"]
            if predicted:
                changed = bool(entry["operation"]) and not entry["error"] and (self.check_mode or entry["sent"])
                after = expected_status(self.state, entry["operation"], entry["before"]) if changed else entry["before"]
            else:
                changed = entry["sent"] and not entry["failed"] and not entry.get("changed_elsewhere")
                after = vm.get("status")
            item = vm_summary(vm)
            operations = list(entry["operations"])
            if predicted and changed and not operations:
                operations = [entry["operation"]]
            item.update(status_before=entry["before"], status_after=after, changed=changed, operations=operations,
                        task_ids=list(entry["task_ids"]))
            vms.append(item)
        tasks = [summarize_task(self.tasks[task_id]) for task_id in self.task_order]
        return dict(
            changed=any(vm["changed"] for vm in vms),
            vms=vms,
            tasks=tasks,
            diff=dict(
                before=dict(vms=[dict(id=vm["id"], name=vm["name"], status=vm["status_before"]) for vm in vms]),
                after=dict(vms=[dict(id=vm["id"], name=vm["name"], status=vm["status_after"]) for vm in vms]),
            ),
        )
