# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VM snapshots: lookup, the LUN snapshots behind them, the consistency rule, retention and the vm_snapshot flow.

The SDK guide's backup scenario (user-cases/backup.md): a VM snapshot is crash-consistent unless
``FILE_SYSTEM_CONSISTENT`` is asked for, which needs VMTools running in the guest; the DISK entries of the
snapshot's ``vm_disks`` name their iSCSI LUN snapshots in ``snapshot_local_id`` (CD_ROM entries have none).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import describe_vm, find_vms, is_busy
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import (
    DEFAULT_TIMEOUT, Backoff, TaskError, TaskFailedError, TaskTimeoutError, call_when_unlocked, change_may_have_happened, summarize_task,
    task_ids)

CONSISTENT_TYPES = {
    "crash_consistent": "CRASH_CONSISTENT",
    "file_system_consistent": "FILE_SYSTEM_CONSISTENT",
}
NEWEST_FIRST = "local_created_at_DESC"


# --- lookup ---------------------------------------------------------------------------------------

def vm_snapshots_where(vm_id, name=None, snapshot_id=None):
    """The ``where`` for the snapshots of one VM, optionally by name and/or id."""
    where = {"vm": {"id": vm_id}}
    if name is not None:
        where["name"] = name
    if snapshot_id is not None:
        where["id"] = snapshot_id
    return where


def newest_first(snapshots):
    """The snapshots ordered by ``local_created_at``, newest first (ties: by id, for a stable order)."""
    return sorted(snapshots, key=lambda snap: (snap.get("local_created_at") or "", snap.get("id") or ""), reverse=True)


def list_vm_snapshots(client, vm_id, name=None):
    """Every snapshot of the VM (optionally of one name), newest first."""
    return newest_first(client.list_records("vm-snapshots", where=vm_snapshots_where(vm_id, name=name), order_by=NEWEST_FIRST))


def get_snapshot(client, snapshot_id):
    """The snapshot record with this id, read again, or None when it does not exist (any more)."""
    records = client.list_records("vm-snapshots", where={"id": snapshot_id}, limit=1)
    return records[0] if records else None


def describe_snapshot(snapshot):
    """``'nightly-1' (id c..., created 2026-...)`` for messages."""
    return "'%s' (id %s, created %s)" % (snapshot.get("name"), snapshot.get("id"), snapshot.get("local_created_at") or "at an unknown time")


def select_snapshot(snapshots, vm, name=None, snapshot_id=None):
    """The one snapshot of ``snapshots`` (the VM's) that ``name`` / ``snapshot_id`` selects, or None when none does.

    Several snapshots with the name and no ``snapshot_id`` is an error that lists their ids.
    A ``snapshot_id`` whose snapshot has another name than ``name`` is an error too.
    """
    if snapshot_id:
        matches = [snap for snap in snapshots if snap.get("id") == snapshot_id]
        if matches and name is not None and matches[0].get("name") != name:
            raise CloudTowerError("Snapshot id %s of VM %s is named '%s', not '%s': give the matching name, or snapshot_id alone." % (
                snapshot_id, describe_vm(vm), matches[0].get("name"), name))
        return matches[0] if matches else None
    matches = [snap for snap in snapshots if snap.get("name") == name]
    if len(matches) > 1:
        raise CloudTowerError(duplicate_message(vm, name, matches))
    return matches[0] if matches else None


def duplicate_message(vm, name, matches):
    return "VM %s has %d snapshots named '%s': %s. Give snapshot_id to pick one." % (
        describe_vm(vm), len(matches), name, ", ".join("id %s (created %s)" % (snap.get("id"), snap.get("local_created_at") or "unknown") for snap in matches))


# --- LUN snapshots --------------------------------------------------------------------------------

def lun_snapshot_names(snapshot):
    """The names of the iSCSI LUN snapshots behind the snapshot's DISK entries, in disk order (CD_ROM entries have none)."""
    disks = sorted(snapshot.get("vm_disks") or [], key=lambda disk: (disk.get("boot") if disk.get("boot") is not None else 0, disk.get("index") or 0))
    return [disk["snapshot_local_id"] for disk in disks if disk.get("type") == "DISK" and disk.get("snapshot_local_id")]


def lun_snapshots_by_name(client, snapshots):
    """``{name: IscsiLunSnapshot}`` for every LUN snapshot behind ``snapshots``, looked up with ONE get-iscsi-lun-snapshots call
    (``name_in``, paged only beyond the page size). No call when the snapshots have no DISK entries."""
    names = []
    for snapshot in snapshots:
        for name in lun_snapshot_names(snapshot):
            if name not in names:
                names.append(name)
    if not names:
        return {}
    records = client.list_records("iscsi-lun-snapshots", where={"name_in": names}, order_by="name_ASC")
    return dict((record.get("name"), record) for record in records)


def lun_snapshots_of(snapshot, by_name, warn=None):
    """The LUN snapshot records of one snapshot, in disk order, from ``lun_snapshots_by_name``'s answer.

    A DISK entry whose LUN snapshot was not found is left out and, for a snapshot no task is working on, named
    in a warning through ``warn``: a backup read from these LUN snapshots would miss that disk. (While a snapshot
    is being created its LUN snapshots do not exist yet; that is no news.)
    """
    names = lun_snapshot_names(snapshot)
    missing = [name for name in names if name not in by_name]
    if missing and warn is not None and not is_busy(snapshot):
        warn("Snapshot %s of VM '%s': no iSCSI LUN snapshot found for the DISK snapshot_local_id %s, so lun_snapshots lacks %s "
             "and a backup read from the LUN snapshots would miss %s." % (
                 describe_snapshot(snapshot), (snapshot.get("vm") or {}).get("name"), ", ".join(missing),
                 "it" if len(missing) == 1 else "them", "that disk" if len(missing) == 1 else "those disks"))
    return [by_name[name] for name in names if name in by_name]


def find_lun_snapshots(client, snapshot, warn=None):
    """The iSCSI LUN snapshots of one VM snapshot (one API call, none when it has no DISK entries); see ``lun_snapshots_of``."""
    if not snapshot:
        return []
    return lun_snapshots_of(snapshot, lun_snapshots_by_name(client, [snapshot]), warn=warn)


# --- consistency ----------------------------------------------------------------------------------

def choose_consistency(vm, consistent_type, require_consistency=False):
    """The API ``consistent_type`` to create with and a warning (or None).

    File-system consistency needs VMTools RUNNING in the guest. Without it the snapshot falls back to
    crash-consistent with a warning that says why, or, with ``require_consistency``, nothing is done and
    the error says why.
    """
    if consistent_type not in CONSISTENT_TYPES:
        raise CloudTowerError("Unknown consistent_type %r: use %s." % (consistent_type, " or ".join(sorted(CONSISTENT_TYPES))))
    if consistent_type == "crash_consistent":
        return CONSISTENT_TYPES["crash_consistent"], None
    tools = vm.get("vm_tools_status") or "UNKNOWN"
    if tools == "RUNNING":
        return CONSISTENT_TYPES["file_system_consistent"], None
    reason = "VMTools is %s in VM %s (VM status %s); a file-system consistent snapshot needs VMTools RUNNING" % (
        tools, describe_vm(vm), vm.get("status") or "UNKNOWN")
    if require_consistency:
        raise CloudTowerError("%s. Nothing was done: start or install VMTools in the guest, or set require_consistency to false "
                              "to accept a crash-consistent snapshot." % reason)
    return CONSISTENT_TYPES["crash_consistent"], "%s, so a crash-consistent snapshot is taken instead (set require_consistency: true to fail instead)." % reason


# --- retention ------------------------------------------------------------------------------------

def validate_retention(retention):
    """Raise a clear error for a retention setting that cannot work."""
    if not retention:
        return
    if not retention.get("prefix"):
        raise CloudTowerError("retention.prefix must not be empty: it selects the snapshots that rotate (for example 'nightly-').")
    if retention.get("keep") is None or retention["keep"] < 1:
        raise CloudTowerError("retention.keep must be at least 1 (it is %s): it is how many of the newest '%s*' snapshots stay." % (
            retention.get("keep"), retention["prefix"]))


def retention_plan(snapshots, prefix, keep, protect_id=None, pending_name=None):
    """Which snapshots rotate out: ``(kept, to_delete)``, both newest first.

    Among ``snapshots`` whose names start with ``prefix``, ordered by ``local_created_at``, the newest ``keep`` stay
    and the older ones go. ``protect_id`` (the snapshot the task is about) always stays: in addition to the newest
    ``keep`` when it is older than they are, so that naming an old snapshot never costs a newer backup its place.
    ``pending_name`` is a snapshot about to be created (check mode): when it matches the prefix it counts as
    the newest kept one.
    """
    candidates = newest_first([snap for snap in snapshots if (snap.get("name") or "").startswith(prefix)])
    slots = keep
    if pending_name is not None and pending_name.startswith(prefix):
        slots -= 1
    newest = candidates[:max(slots, 0)]
    kept = [snap for snap in candidates if snap in newest or (protect_id and snap.get("id") == protect_id)]
    to_delete = [snap for snap in candidates if snap not in kept]
    return kept, to_delete


def snapshot_brief(snapshot):
    """id, name, creation time and consistency of a snapshot, for lists in results."""
    return dict((key, snapshot.get(key)) for key in ("id", "name", "local_created_at", "consistent_type"))


# --- the vm_snapshot flow -------------------------------------------------------------------------

class SnapshotRun:
    """One run of vm_snapshot against one VM.

    ``waiter`` is a TaskWaiter; ``warn`` takes a warning text. The result dict is built in ``self.result``
    so that a failure midway still reports what was done (``CloudTowerError.result``). ``timeout`` bounds the
    waits for a VM or snapshot that another task holds; ``sleep`` and ``clock`` are there for tests.
    """

    def __init__(self, client, waiter, vm, check_mode=False, wait=True, warn=None, timeout=DEFAULT_TIMEOUT, sleep=time.sleep, clock=time.monotonic):
        self.client = client
        self.waiter = waiter
        self.vm = vm
        self.check_mode = check_mode
        self.wait = wait
        self.warn = warn or (lambda message: None)
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.tasks = []
        self.result = dict(changed=False, vm=dict(id=vm.get("id"), name=vm.get("name"), cluster=vm.get("cluster")),
                           snapshot=None, lun_snapshots=[], task=None, tasks=self.tasks)

    # helpers

    def _fail(self, exc, **result):
        self.result.update(result)
        exc.result.update(self.result)
        return exc

    def _send(self, operation, body, what):
        """Send one mutation; while ``what`` is locked by another task (nothing done), retry within ``timeout``."""
        return call_when_unlocked(self.client, operation, body, self.timeout, what, self.sleep, self.clock)

    def _start(self, operation, body, what):
        """Send one mutation and, with wait, wait for its tasks once. Returns the task summaries."""
        answers = self._send(operation, body, what)
        ids = task_ids(answers)
        started = [summarize_task({"id": task_id}) for task_id in ids]
        self.result["changed"] = True
        if self.wait and ids:
            try:
                started = [summarize_task(task) for task in self.waiter.wait(ids)]
            except TaskError as exc:
                self.tasks.extend(summarize_task(task) for task in exc.tasks)
                raise
        self.tasks.extend(started)
        return answers, started

    # states

    def present(self, name, snapshot_id, consistent_type, require_consistency, retention):
        # Rotation deletes backups, so it needs the snapshot to exist: with retention the create is waited for
        # (and a snapshot still being created is too) even with wait=false. Only the deletion is then not waited for.
        settle = self.wait or bool(retention)
        deadline = self.clock() + self.timeout
        while True:
            snapshots = list_vm_snapshots(self.client, self.vm["id"])
            snapshot, same_name = self._find_for_present(snapshots, name, snapshot_id)
            if snapshot is None or not is_busy(snapshot) or not settle or self.check_mode:
                break
            # An earlier run (or someone else) is still creating it: wait, then look again (it is gone if that create failed).
            self._wait_idle(snapshot, deadline)
        if len(same_name) > 1:
            self.warn("%s Nothing was created; the newest one is returned." % duplicate_message(self.vm, name, same_name))
        before = [snap.get("name") for snap in snapshots]
        created = None
        if snapshot is None:
            api_type, warning = choose_consistency(self.vm, consistent_type, require_consistency)
            if warning:
                self.warn(warning)
            self.result["consistent_type"] = api_type
            if self.check_mode:
                self.result["changed"] = True
            else:
                created = self._create(name, api_type, settle)
                snapshot = created
        after = list(before)
        if snapshot is None or created is not None:
            after.insert(0, name)
        if snapshot is not None:
            self.result["snapshot"] = snapshot
        if retention:
            known = list(snapshots)
            if created is not None and created.get("id"):
                known.insert(0, created)
            kept, to_delete = retention_plan(known, retention["prefix"], retention["keep"],
                                             protect_id=snapshot.get("id") if snapshot else None,
                                             pending_name=name if snapshot is None else None)
            self.result["retention"] = dict(prefix=retention["prefix"], keep=retention["keep"], kept=[snapshot_brief(snap) for snap in kept],
                                            deleted=[snapshot_brief(snap) for snap in to_delete], task=None)
            if to_delete:
                gone = set(snap["id"] for snap in to_delete)
                after = [snap.get("name") for snap in newest_first(known) if snap.get("id") not in gone]
                if snapshot is None:
                    after.insert(0, name)
                self._rotate(to_delete)
        if snapshot is not None and (settle or created is None):
            self.result["lun_snapshots"] = find_lun_snapshots(self.client, snapshot, warn=self.warn)
        self.result["diff"] = dict(before=dict(snapshots=before), after=dict(snapshots=after))
        return self.result

    def _find_for_present(self, snapshots, name, snapshot_id):
        """``(snapshot, same_name)``: the snapshot that state=present is about (None: take one) and all of that name."""
        if snapshot_id:
            snapshot = select_snapshot(snapshots, self.vm, name=name, snapshot_id=snapshot_id)
            if snapshot is None:
                raise CloudTowerError("VM %s has no snapshot with id %s. snapshot_id only selects an existing snapshot: "
                                      "leave it out to create one named '%s'." % (describe_vm(self.vm), snapshot_id, name))
            return snapshot, [snapshot]
        same_name = [snap for snap in snapshots if snap.get("name") == name]
        return (same_name[0] if same_name else None), same_name

    def _wait_idle(self, snapshot, deadline):
        """Poll the snapshot (Backoff, until ``deadline``) until no task works on it or it is gone; return it or None."""
        backoff = Backoff(deadline, self.sleep, self.clock)
        current = snapshot
        while current is not None and is_busy(current):
            if not backoff.wait():
                raise CloudTowerError(
                    "Snapshot %s of VM %s is still %s after %g seconds: another CloudTower task (such as the create of an earlier run) "
                    "works on it. Nothing was done; run again later or raise timeout." % (
                        describe_snapshot(current), describe_vm(self.vm), current.get("entityAsyncStatus"), self.timeout),
                    result=dict(self.result, snapshot=current))
            current = get_snapshot(self.client, current["id"])
        if current is None:
            self.warn("Snapshot %s of VM %s was %s when this run started and is gone now (its create task failed, or it was deleted)." % (
                describe_snapshot(snapshot), describe_vm(self.vm), snapshot.get("entityAsyncStatus")))
        return current

    def _create(self, name, api_type, wait):
        body = {"data": [{"vm_id": self.vm["id"], "name": name, "consistent_type": api_type}]}
        try:
            answers = self._send("create-vm-snapshot", body, "VM %s" % describe_vm(self.vm))
        except CloudTowerError as exc:
            if exc.status is not None and exc.status < 500:
                raise
            # No answer (or a server error): the create may have happened. Say so, with what a lookup finds now.
            try:
                found = list_vm_snapshots(self.client, self.vm["id"], name=name)
            except CloudTowerError:
                exc.message = ("%s Whether the snapshot was created could not be checked either; running the task again looks the name up "
                               "first and creates no duplicate." % exc.message)
                raise exc
            if found:
                exc.message = ("%s The snapshot was created nevertheless: %s. Running the task again finds it by name and "
                               "creates no duplicate." % (exc.message, ", ".join(describe_snapshot(snap) for snap in found)))
                raise self._fail(exc, changed=True, snapshot=found[0])
            exc.message = "%s No snapshot named '%s' exists on VM %s now; running the task again is safe." % (exc.message, name, describe_vm(self.vm))
            raise
        ids = task_ids(answers)
        data = (answers[0] if isinstance(answers, list) and answers else answers or {}).get("data") or {}
        snapshot_id = data.get("id")
        self.result["changed"] = True
        self.result["task"] = summarize_task({"id": ids[0]}) if ids else None
        tasks = [summarize_task({"id": task_id}) for task_id in ids]
        if wait and ids:
            try:
                tasks = [summarize_task(task) for task in self.waiter.wait(ids)]
            except TaskFailedError as exc:
                left = get_snapshot(self.client, snapshot_id) if snapshot_id else None
                self.tasks.extend(summarize_task(task) for task in exc.tasks)
                raise self._fail(exc, changed=left is not None, snapshot=left, task=summarize_task(exc.tasks[0]))
            except TaskError as exc:  # still running, or its state could not be read: the snapshot may yet appear
                self.tasks.extend(summarize_task(task) for task in exc.tasks)
                if isinstance(exc, TaskTimeoutError):
                    exc.message = "%s Running the task again finds the snapshot by name and waits for it." % exc.message
                raise self._fail(exc, task=summarize_task(exc.tasks[0]), snapshot=self._known(snapshot_id, data, name))
        self.tasks.extend(tasks)
        if tasks:
            self.result["task"] = tasks[0]
        snapshot = get_snapshot(self.client, snapshot_id) if snapshot_id else None
        if snapshot is None:
            # The answer did not carry the id, or the record is not visible yet: find it by name.
            found = list_vm_snapshots(self.client, self.vm["id"], name=name)
            snapshot = found[0] if found else dict(data, name=name)
        return snapshot

    def _known(self, snapshot_id, data, name):
        """The snapshot record as it is now, for a failure after the create was accepted; the create's answer if it cannot be read."""
        try:
            current = get_snapshot(self.client, snapshot_id) if snapshot_id else None
        except CloudTowerError:
            current = None
        return current or dict(data, name=data.get("name") or name)

    def _rotate(self, to_delete):
        if self.check_mode:
            self.result["changed"] = True
            return
        ids = [snap["id"] for snap in to_delete]
        changed_before = self.result["changed"]
        try:
            _answers, tasks = self._start("delete-vm-snapshot", {"where": {"id_in": ids}},
                                          "Snapshots %s" % ", ".join(describe_snapshot(snap) for snap in to_delete))
        except CloudTowerError as exc:
            raise self._fail(exc, changed=changed_before or self._gone(ids, exc))
        self.result["retention"]["task"] = tasks[0] if tasks else None

    def _gone(self, ids, exc):
        """After a failed delete: whether any of ``ids`` is gone (read again unless nothing can have been done)."""
        if not change_may_have_happened(exc) and not isinstance(exc, TaskFailedError):
            return False
        try:
            left = self.client.list_records("vm-snapshots", where={"id_in": list(ids)})
        except CloudTowerError:
            return True
        return len(left) < len(ids)

    def absent(self, name, snapshot_id):
        snapshots = list_vm_snapshots(self.client, self.vm["id"])
        before = [snap.get("name") for snap in snapshots]
        snapshot = select_snapshot(snapshots, self.vm, name=name, snapshot_id=snapshot_id)
        if snapshot is None:
            return self.result
        self.result["snapshot"] = snapshot
        self.result["changed"] = True
        self.result["diff"] = dict(before=dict(snapshots=before),
                                   after=dict(snapshots=[snap.get("name") for snap in snapshots if snap.get("id") != snapshot["id"]]))
        if self.check_mode:
            return self.result
        try:
            _answers, tasks = self._start("delete-vm-snapshot", {"where": {"id": snapshot["id"]}}, "Snapshot %s" % describe_snapshot(snapshot))
        except CloudTowerError as exc:
            raise self._fail(exc, changed=self._gone([snapshot["id"]], exc), task=self.tasks[0] if self.tasks else None)
        self.result["task"] = tasks[0] if tasks else None
        return self.result

    def reverted(self, name, snapshot_id):
        snapshots = list_vm_snapshots(self.client, self.vm["id"])
        snapshot = select_snapshot(snapshots, self.vm, name=name, snapshot_id=snapshot_id)
        if snapshot is None:
            existing = ", ".join(describe_snapshot(snap) for snap in snapshots) or "none"
            raise CloudTowerError("VM %s has no snapshot %s to revert to. Its snapshots: %s." % (
                describe_vm(self.vm), "with id %s" % snapshot_id if snapshot_id else "named '%s'" % name, existing))
        self.result["snapshot"] = snapshot
        self.result["changed"] = True
        self.result["diff"] = dict(before=dict(reverted_to=None), after=dict(reverted_to="%s (id %s)" % (snapshot.get("name"), snapshot["id"])))
        if self.check_mode:
            return self.result
        try:
            _answers, tasks = self._start("rollback-vm", {"where": {"id": self.vm["id"]}, "data": {"snapshot_id": snapshot["id"]}},
                                          "VM %s" % describe_vm(self.vm))
        except CloudTowerError as exc:
            raise self._fail(exc, changed=change_may_have_happened(exc), task=self.tasks[0] if self.tasks else None)
        self.result["task"] = tasks[0] if tasks else None
        if self.wait:
            snapshot = get_snapshot(self.client, snapshot["id"]) or snapshot
            self.result["snapshot"] = snapshot
            self.result["lun_snapshots"] = find_lun_snapshots(self.client, snapshot, warn=self.warn)
        return self.result


# --- entry points of the modules --------------------------------------------------------------------

def find_vm(client, vm_name=None, vm_id=None, cluster=None):
    """The one VM the snapshot modules act on; none or several is an error naming this module's options."""
    if not (vm_name or vm_id):
        raise CloudTowerError("Select the VM with vm_name (and optionally cluster) or vm_id.")
    return find_vms(client, name=vm_name, vm_id=vm_id, cluster=cluster, hint="Give cluster (name or id) or vm_id to pick one.")[0]


def vm_snapshot(client, waiter, params, check_mode=False, warn=None, sleep=time.sleep, clock=time.monotonic):
    """What smartx.cloudtower.vm_snapshot does with its ``params``; returns the result dict (with ``diff``)."""
    state = params["state"]
    retention = params.get("retention")
    if retention and state != "present":
        raise CloudTowerError("retention rotates snapshots after one is taken: use it with state=present, not state=%s." % state)
    validate_retention(retention)
    if state == "present" and not params.get("name"):
        raise CloudTowerError("state=present needs name: the name of the snapshot to take (snapshot_id alone cannot create one).")
    vm = find_vm(client, params.get("vm_name"), params.get("vm_id"), params.get("cluster"))
    run = SnapshotRun(client, waiter, vm, check_mode=check_mode, wait=params.get("wait", True), warn=warn,
                      timeout=params.get("timeout", DEFAULT_TIMEOUT), sleep=sleep, clock=clock)
    if state == "present":
        return run.present(params["name"], params.get("snapshot_id"), params.get("consistent_type") or "crash_consistent",
                           params.get("require_consistency", False), retention)
    if state == "absent":
        return run.absent(params.get("name"), params.get("snapshot_id"))
    return run.reverted(params.get("name"), params.get("snapshot_id"))


def vm_snapshot_info(client, params, warn=None):
    """What smartx.cloudtower.vm_snapshot_info returns: the VM's snapshots newest first, with their LUN snapshots on request."""
    vm = find_vm(client, params.get("vm_name"), params.get("vm_id"), params.get("cluster"))
    snapshots = list_vm_snapshots(client, vm["id"], name=params.get("name"))
    if params.get("lun_snapshots"):
        by_name = lun_snapshots_by_name(client, snapshots)
        snapshots = [dict(snapshot, lun_snapshots=lun_snapshots_of(snapshot, by_name, warn=warn)) for snapshot in snapshots]
    return dict(changed=False, vm=dict(id=vm.get("id"), name=vm.get("name"), cluster=vm.get("cluster")), snapshots=snapshots)
