# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VM power states: which CloudTower operation each VM needs, and doing it for many VMs at once.

The flow of ``PowerRun.run``:

1. plan every VM from its observed status (``plan_vm``); a VM that cannot reach the state fails the run before any call;
2. group the VMs by operation and send ONE call per operation (``where: {id_in: [...]}``); VMs that are busy
   (``entityAsyncStatus`` set) or answered ``ResourceLocked`` are waited for, re-planned and sent again, within ``timeout``;
   any other failed call is recorded, never sent again, and the other calls still go out;
3. wait for all the tasks with ONE waiter;
4. for ``stopped``: poll until the shut-down VMs are STOPPED, within ``shutdown_timeout``; then ``poweroff-vm`` the rest
   if ``force``, or fail saying that ``force`` exists;
5. read the VMs once more for ``status_after``;
6. fail with every problem met on the way (failed calls, failed tasks, guests that did not stop, busy VMs), or return.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import describe_vm, find_vms, is_busy, user_vms_where
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import (
    DONE, Backoff, TaskError, TaskFailedError, TaskTimeoutError, change_may_have_happened, summarize_task, task_ids)

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


def _sentence(message):
    """``message`` ending with a full stop, to join several into one ``msg``."""
    message = message.rstrip()
    return message if message.endswith((".", "!", "?")) else message + "."


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
        self.failures = []  # (kind, CloudTowerError) in the order met; kind "failed" is a FAILED task
        self.unsent = []  # entries still busy or locked at the deadline: nothing was sent for them

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
        vms = find_vms(self.client, name=name, vm_id=vm_id, cluster=cluster, where=where, allow_many=allow_many,
                       hint="Give cluster or id to pick one, or all: true to act on every one.")
        for vm in vms:
            self._add(vm)
        return vms

    def _add(self, vm):
        entry = dict(vm=vm, before=vm.get("status"), operation=None, error=None, task_id=None, sent_at=None, failed=False, sent=False,
                     uncertain=False, gone=False, operations=[], task_ids=[])
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

        todo = [entry for entry in self.entries if entry["operation"] or is_busy(entry["vm"])]
        try:
            self.unsent.extend(self._send_all(todo, self.clock() + self.timeout))
            if self.wait:
                self._wait_tasks([entry["task_id"] for entry in self.entries if entry["task_id"]])
                if self.state == "stopped":
                    # Also after a FAILED task or with busy VMs left: the VMs that were shut down still get their
                    # shutdown_timeout, and force.
                    self._wait_stopped()
                self._read_after()
        except CloudTowerError as exc:
            # A read failed (failed calls and tasks are recorded, not raised): report what was sent, and what failed before.
            self.failures.append(("read", exc))
            self._raise_failures(predicted=not self.wait)
        if not self.wait:
            self._raise_failures(predicted=True)
            return self.result(predicted=True)
        if any(kind == "failed" for kind, unused in self.failures) and self._held_despite_failed_tasks():
            self.failures = [(kind, exc) for kind, exc in self.failures if kind != "failed"]
        if self.state == "stopped" and not self.failures:
            self._check_stopped()
        self._raise_failures()
        return self.result()

    def _raise_failures(self, predicted=False):
        """Raise one PowerError with every failure of the run, the busy VMs and the VMs that cannot reach the state,
        in that order (the first failure's details as ``error``); return when there is none."""
        messages = [exc.message for unused, exc in self.failures]
        if self.unsent:
            messages.append(self._busy_message(self.unsent))
        unsent = set(entry["vm"]["id"] for entry in self.unsent)  # a VM still busy may keep the error of its first plan
        messages.extend(entry["error"] for entry in self.entries if entry["error"] and entry["vm"]["id"] not in unsent)
        if not messages:
            return
        first = self.failures[0][1] if self.failures else CloudTowerError("")
        raise PowerError(" ".join(_sentence(message) for message in messages), operation=first.operation, status=first.status,
                         code=first.code, api_message=first.api_message, path=first.path, result=self.result(predicted))

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
                    entry["gone"] = True
                    entry["error"] = "VM %s disappeared while it was waited for." % describe_vm(entry["vm"])
                    continue
                entry["vm"] = vm
                if not is_busy(vm):
                    entry["before"] = vm.get("status")
                    entry["operation"], entry["error"] = plan_vm(vm, state, self.force)
            todo = [entry for entry in todo if not entry["gone"] and (is_busy(entry["vm"]) or (entry["operation"] and not entry["error"]))]

    def _send(self, operation, group):
        """One call for all of ``group``; False when CloudTower answered ResourceLocked (then nothing was done).

        Any other error is recorded (see _call_failed) and the group is not sent again in this run.
        """
        ids = [entry["vm"]["id"] for entry in group]
        try:
            answers = self.client.call(operation, {"where": {"id_in": ids}})
        except CloudTowerError as exc:
            if exc.is_resource_locked:
                return False
            self._call_failed(operation, group, exc)
            return True
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

    def _call_failed(self, operation, group, exc):
        """Record a failed call. A lost answer or a server error (5xx) may have been applied all the same: those VMs
        count as changed and are never sent it again (twice could act twice: restart-vm), only read again."""
        names = ", ".join(describe_vm(entry["vm"]) for entry in group)
        if not change_may_have_happened(exc):
            message = "%s CloudTower did not apply %s to %s." % (_sentence(exc.message), operation, names)
        else:
            for entry in group:
                entry.update(sent=True, uncertain=True, sent_at=self.clock())
                entry["operations"].append(operation)
            if self.state in ("restarted", "force_restarted"):
                rerun = ("Check them before running again: state: %s restarts a running VM every time." % self.state)
            else:
                rerun = "Running the task again is safe: vm_power compares each VM's status and sends only what is still needed."
            message = ("%s CloudTower may have applied %s to %s all the same (their status_after is as read after the run). %s"
                       % (_sentence(exc.message), operation, names, rerun))
        self.failures.append(("call", PowerError(message, operation=exc.operation, status=exc.status, code=exc.code,
                                                 api_message=exc.api_message, path=exc.path)))

    def _busy_message(self, unsent):
        names = ", ".join(describe_vm(entry["vm"]) for entry in unsent)
        return ("These VMs were still busy with another CloudTower task (or locked) after %g seconds, so their operation was not "
                "sent: %s. Run again later or raise timeout." % (self.timeout, names))

    # --- waiting ------------------------------------------------------------------------------

    def _wait_tasks(self, ids):
        """Wait for ``ids`` with the waiter; a failure is recorded for the end."""
        if not ids:
            return
        try:
            tasks = self.waiter.wait(ids)
        except TaskFailedError as exc:
            self._record_tasks(exc.tasks)
            failed = set(task["id"] for task in exc.failed)
            for entry in self.entries:
                if entry["task_id"] in failed:
                    entry["failed"] = True
            self.failures.append(("failed", PowerError(exc.message, operation=exc.operation, code=exc.code, api_message=exc.api_message)))
            return
        except TaskError as exc:  # timed out, or the tasks could not be read
            self._record_tasks(exc.tasks)
            message = exc.message
            if isinstance(exc, TaskTimeoutError):
                # The operations were sent: waiting on is what helps, not sending them again.
                message = "%s The operations were sent: to wait for them without sending anything again, use smartx.cloudtower.task_wait " \
                          "with task_ids %s." % (_sentence(message), ", ".join(task["id"] for task in exc.running))
            self.failures.append(("tasks", PowerError(message, operation=exc.operation)))
            return
        self._record_tasks(tasks)

    def _record_tasks(self, tasks):
        for task in tasks:
            self.tasks[task["id"]] = task
            if task["id"] not in self.task_order:
                self.task_order.append(task["id"])

    def _wait_stopped(self):
        """Wait for the shut-down VMs to be STOPPED; then power off the rest (force) or record the failure.

        Only the VMs whose shutdown task succeeded are waited for (a task that failed or is still running is reported
        already; a call that may have been applied is never followed by another change).
        """
        shut = [entry for entry in self.entries if entry["operation"] == SHUTDOWN and entry["sent"] and not entry["failed"]
                and not entry["uncertain"] and (not entry["task_id"] or self.tasks[entry["task_id"]].get("status") == DONE)]
        if not shut:
            return
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
            return
        names = ", ".join(describe_vm(entry["vm"]) for entry in shut)
        if not self.force:
            self.failures.append(("stop", PowerError(
                "The guest OS of %d VM(s) did not shut down within shutdown_timeout (%g seconds) after the ACPI shutdown request: %s. "
                "Set force: true to power them off when the graceful shutdown times out, raise shutdown_timeout, "
                "or use state: powered_off." % (len(shut), self.shutdown_timeout, names), operation=SHUTDOWN)))
            return
        for entry in shut:
            entry["operation"] = POWEROFF
            entry["task_id"] = None
        self.unsent.extend(self._send_all(shut, self.clock() + self.timeout, state="powered_off"))
        self._wait_tasks([entry["task_id"] for entry in shut if entry["task_id"]])

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

    def _check_stopped(self):
        """A failure when a VM that was sent a stop is not STOPPED after all (a safety net, after the final read)."""
        running = [entry for entry in self.entries if entry["sent"] and entry["vm"].get("status") != STOPPED]
        if running:
            self.failures.append(("stop", PowerError(
                "These VMs are not STOPPED after the run: %s. Run again, or use state: powered_off."
                % ", ".join("%s (%s)" % (describe_vm(entry["vm"]), entry["vm"].get("status")) for entry in running))))

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

    def _read_after(self):
        """Read the VMs that were sent an operation, for status_after.

        A VM whose call may have been applied (its answer was lost) has no task to wait for: it is read until it is
        no longer busy, within ``timeout``, so that status_after shows whether the call took effect.
        """
        sent = [entry for entry in self.entries if entry["sent"]]
        self._refresh(sent)
        settling = [entry for entry in sent if entry["uncertain"] and is_busy(entry["vm"])]
        backoff = Backoff(self.clock() + self.timeout, self.sleep, self.clock)
        while settling and backoff.wait():
            self._refresh(settling)
            settling = [entry for entry in settling if is_busy(entry["vm"])]

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
