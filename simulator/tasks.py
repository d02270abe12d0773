"""Mutations and the tasks that carry them out.

Time is lazy: every task step is an event on a queue, and the server runs the events that
are due at the start of each request. No timer threads, so a test sees the same progression
on every run, only its timing changes with ``--task-seconds``.
"""

import datetime
import heapq
import itertools
import json
import time

from . import i18n
from .store import iso

VM_OPERATIONS = ("start-vm", "shutdown-vm", "poweroff-vm", "restart-vm", "force-restart-vm", "suspend-vm", "resume-vm", "rollback-vm")
MUTATIONS = VM_OPERATIONS + ("create-vm-snapshot", "delete-vm-snapshot", "resolve-alert")

# mutation -> Task.resource_mutation, the internal name the real API records
RESOURCE_MUTATIONS = {
    "start-vm": "startVm", "shutdown-vm": "shutDownVm", "poweroff-vm": "poweroffVm", "restart-vm": "restartVm",
    "force-restart-vm": "forceRestartVm", "suspend-vm": "suspendVm", "resume-vm": "resumeVm", "rollback-vm": "rollbackVm",
    "create-vm-snapshot": "createVmSnapshot", "delete-vm-snapshot": "deleteVmSnapshot", "resolve-alert": "resolveAlert",
}


class RequestError(Exception):
    """A mutation refused as a whole: becomes an ErrorBody with ``status``."""

    def __init__(self, status, message, code=None, props=None):
        super().__init__(message)
        self.status, self.message, self.code, self.props = status, message, code, props


def snapshot_fields(store, vm, name, consistent_type, created):
    """A VmSnapshot of ``vm``: one DISK entry per volume (with its snapshot_local_id) and one empty CD_ROM."""
    disks = []
    for index, volume in enumerate(store.vm_volumes.get(vm["id"], [])):
        disks.append(_frozen_disk(index, "DISK", volume["bus"], volume["path"], volume["size"], volume["local_id"], store.new_uuid()))
    disks.append(_frozen_disk(len(disks), "CD_ROM", "IDE", "", 0, "", None))
    nics = []
    for index, ref in enumerate(vm.get("vm_nics") or []):
        nic = store.tables["vm_nics"].get(ref["id"]) or {}
        nics.append({"index": index, "ip_address": nic.get("ip_address") or "", "mac_address": nic.get("mac_address") or "",
                     "subnet_mask": nic.get("subnet_mask") or "", "gateway": nic.get("gateway") or "", "model": nic.get("model"),
                     "enabled": nic.get("enabled"), "mirror": nic.get("mirror"),
                     "vlan": {"name": "default", "vds_ovs": "ovsbr-default", "vlan_id": 0, "vlan_local_id": "default", "network_ids": []}})
    return {
        "id": store.new_id(), "name": name, "local_id": store.new_uuid(), "description": "", "consistent_type": consistent_type,
        "vm": store.nested("vms", vm), "cluster": dict(vm["cluster"]), "vcpu": vm["vcpu"], "cpu": dict(vm["cpu"]),
        "memory": vm["memory"], "size": sum(disk["size"] for disk in disks), "clock_offset": vm["clock_offset"],
        "firmware": vm["firmware"], "ha": vm["ha"], "win_opt": vm["win_opt"], "cpu_model": vm["cpu_model"],
        "ha_priority": vm.get("ha_priority"), "local_created_at": created, "entityAsyncStatus": None, "labels": [],
        "vm_disks": disks, "vm_nics": nics,
    }


def _frozen_disk(index, kind, bus, path, size, volume_local_id, snapshot_local_id):
    return {"boot": index, "bus": bus, "disabled": False, "disk_name": None, "elf_image_local_id": "", "image_name": None,
            "index": index, "key": None, "path": path, "size": size, "snapshot_local_id": snapshot_local_id,
            "storage_policy_uuid": "", "svt_image_local_id": "", "type": kind, "vm_volume_local_id": volume_local_id,
            "vm_volume_snapshot_uuid": None, "vm_volume_template_uuid": None, "max_bandwidth": None, "max_bandwidth_policy": None,
            "max_iops": None, "max_iops_policy": None, "resident_in_cache": False}


def lun_snapshot_fields(store, vm, disk, created):
    """The iSCSI LUN snapshot behind one DISK entry of a VM snapshot: its name is the entry's snapshot_local_id."""
    return {
        "id": store.new_id(), "name": disk["snapshot_local_id"], "local_id": store.new_uuid(), "local_created_at": created,
        "iscsi_target": {"id": "ct" + vm["cluster"]["id"][2:], "name": "zbs-iscsi-datastore-%s" % vm["cluster"]["name"]},
        "iscsi_lun": {"id": "cl" + vm["id"][2:-2] + "%02d" % disk["index"], "name": disk["vm_volume_local_id"]},
        "unique_size": disk["size"] // 10, "entityAsyncStatus": None, "labels": [], "resiliency_type": "REPLICA",
        "consistency_group_snapshot": None, "snapshot_group": None, "ec_k": None, "ec_m": None,
    }


class TaskEngine:
    """Creates tasks for mutations and moves them along as simulated time passes."""

    def __init__(self, store, task_seconds, clock=time.monotonic):
        self.store = store
        self.task_seconds = task_seconds
        self.clock = clock
        self.origin = (clock(), datetime.datetime.now(datetime.timezone.utc))
        self.events = []
        self.counter = itertools.count()
        self.task_faults = []  # [{"operation", "mode", "message", "times"}]
        # vm id -> how many times its power state was set: a guest shutdown scheduled under an older
        # generation was overtaken (poweroff, start, force restart) and must not stop the VM any more
        self.power_generations = {}

    # time ----------------------------------------------------------------------------------
    def wall(self, moment):
        """The wall-clock time of a monotonic moment, as an ISO string."""
        return iso(self.origin[1] + datetime.timedelta(seconds=moment - self.origin[0]))

    def schedule(self, moment, action):
        heapq.heappush(self.events, (moment, next(self.counter), action))

    def advance(self):
        """Run every event that is due; called at the start of each request."""
        now = self.clock()
        while self.events and self.events[0][0] <= now:
            moment, _, action = heapq.heappop(self.events)
            action(moment)

    # mutations -----------------------------------------------------------------------------
    def mutate(self, operation, body, user, language):
        """Run one mutation request: lock check for the whole request, then one task per resource."""
        store = self.store
        if operation == "create-vm-snapshot":
            items = []
            for data in body["data"]:
                vm = store.tables["vms"].get(data["vm_id"])
                if vm is None:
                    raise RequestError(400, i18n.message("vm_not_found", language, id=data["vm_id"]))
                items.append((vm, data))
            self._check_locks([vm for vm, _ in items], "VM", language)
            return [self._create_snapshot(vm, data, user, language) for vm, data in items]
        if operation == "delete-vm-snapshot":
            snapshots = self._query("vm_snapshots", body["where"])
            self._check_locks(snapshots, "VM_SNAPSHOT", language)
            return [self._delete_snapshot(snapshot, body, user, language) for snapshot in snapshots]
        if operation == "resolve-alert":
            return [self._resolve_alert(alert, body, user, language) for alert in self._query("alerts", body["where"])]
        vms = self._query("vms", body["where"])
        self._check_locks(vms, "VM", language)
        if operation == "rollback-vm":
            self._check_rollback(vms, body["data"]["snapshot_id"], language)
        if operation == "start-vm" and (body.get("data") or {}).get("host_id"):
            self._check_host(vms, body["data"]["host_id"], language)
        return [self._vm_task(operation, vm, body, user, language) for vm in vms]

    def _query(self, table, where):
        predicate = self.store.where.compile(table, where)
        return [record for record in self.store.tables[table].values() if predicate(record)]

    def _check_locks(self, records, kind, language):
        locked = [{"id": record["id"], "type": kind} for record in records if record.get("entityAsyncStatus")]
        if locked:
            raise RequestError(400, i18n.message("locked", language, type=kind, id=locked[0]["id"]),
                               code="ResourceLocked", props={"locked_resources": locked})

    def _check_rollback(self, vms, snapshot_id, language):
        snapshot = self.store.tables["vm_snapshots"].get(snapshot_id)
        if snapshot is None:
            raise RequestError(400, i18n.message("snapshot_not_found", language, id=snapshot_id))
        for vm in vms:
            if (snapshot.get("vm") or {}).get("id") != vm["id"]:
                raise RequestError(400, i18n.message("snapshot_wrong_vm", language, id=snapshot_id, vm=vm["name"]))

    def _check_host(self, vms, host_id, language):
        host = self.store.tables["hosts"].get(host_id)
        for vm in vms:
            if host is None or host["cluster"]["id"] != vm["cluster"]["id"]:
                raise RequestError(400, i18n.message("host_not_found", language, id=host_id, vm=vm["name"]))

    def _vm_task(self, operation, vm, body, user, language):
        failure = self._power_check(operation, vm, language)
        self.store.update("vms", vm["id"], {"entityAsyncStatus": "UPDATING"})
        task = self._new_task(operation, "VM", vm, {"where": body["where"], "data": body.get("data")}, user, language)
        self._run(operation, task, failure, lambda moment: self._apply_vm(operation, vm["id"], body, moment),
                  lambda moment: self.store.update("vms", vm["id"], {"entityAsyncStatus": None}))
        return {"task_id": task["id"], "data": self.store.view("vms", vm, language)}

    def _power_check(self, operation, vm, language):
        """(error_code, error_message) when the operation makes no sense in the VM's state, else None."""
        status, name = vm["status"], vm["name"]
        if operation == "start-vm" and status != "STOPPED":
            reason = "already" if status == "RUNNING" else "not_stopped"
        elif operation in ("shutdown-vm", "restart-vm", "force-restart-vm", "suspend-vm") and status != "RUNNING":
            reason = "already" if (operation, status) in (("shutdown-vm", "STOPPED"), ("suspend-vm", "SUSPENDED")) else "not_running"
        elif operation == "poweroff-vm" and status == "STOPPED":
            reason = "already"
        elif operation == "resume-vm" and status != "SUSPENDED":
            reason = "not_suspended"
        else:
            return None
        return "VM_STATUS_INVALID", i18n.message(reason, language, vm=name, status=status)

    def _apply_vm(self, operation, vm_id, body, moment):
        vm = self.store.tables["vms"].get(vm_id)
        if vm is None:
            return
        if operation == "start-vm":
            host_id = (body.get("data") or {}).get("host_id")
            changes = {"status": "RUNNING"}
            if host_id:
                host = self.store.tables["hosts"][host_id]
                changes.update(host=self.store.nested("hosts", host), node_ip=host["management_ip"])
            self._set_power(vm, changes)
        elif operation == "poweroff-vm":
            self._set_power(vm, {"status": "STOPPED", "last_shutdown_time": self.wall(moment)})
        elif operation == "suspend-vm":
            self._set_power(vm, {"status": "SUSPENDED"})
        elif operation == "resume-vm":
            self._set_power(vm, {"status": "RUNNING"})
        elif operation == "force-restart-vm":
            self._set_power(vm, {"status": "RUNNING"})  # a hard reset: it cuts short a guest shutdown in progress
        elif operation == "shutdown-vm":
            guest = self.store.guests.get(vm_id, {})
            if not guest.get("ignore_acpi"):
                delay = guest.get("shutdown_seconds")
                generation = self.power_generations.get(vm_id, 0)
                self.schedule(moment + (self.task_seconds if delay is None else delay),
                              lambda later: self._guest_stopped(vm_id, generation, later))
        elif operation == "rollback-vm":
            snapshot = self.store.tables["vm_snapshots"].get(body["data"]["snapshot_id"])
            if snapshot is not None:
                self.store.update("vms", vm_id, {"vcpu": snapshot["vcpu"], "cpu": dict(snapshot["cpu"]), "memory": snapshot["memory"]})
        # restart-vm: the VM stays RUNNING; a guest that ignores ACPI ignores the restart too, and a guest
        # already shutting down carries on

    def _guest_stopped(self, vm_id, generation, moment):
        """The guest finished the ACPI shutdown it began at power ``generation``, unless that was overtaken."""
        vm = self.store.tables["vms"].get(vm_id)
        if vm is None or self.power_generations.get(vm_id, 0) != generation:
            return
        if vm["status"] == "RUNNING" and not self.store.guests.get(vm_id, {}).get("ignore_acpi"):
            self._set_power(vm, {"status": "STOPPED", "last_shutdown_time": self.wall(moment)})

    def _set_power(self, vm, changes):
        """Change a VM's power state; VMTools and the cluster/host counters follow."""
        status = changes["status"]
        self.power_generations[vm["id"]] = self.power_generations.get(vm["id"], 0) + 1
        if vm["vm_tools_status"] in ("RUNNING", "NOT_RUNNING"):
            changes["vm_tools_status"] = "RUNNING" if status == "RUNNING" else "NOT_RUNNING"
        changes.setdefault("cpu_usage", 12.5 if status == "RUNNING" else None)
        changes.setdefault("memory_usage", 40.0 if status == "RUNNING" else None)
        self.store.update("vms", vm["id"], changes)
        for table, field in (("clusters", "cluster"), ("hosts", "host")):
            if vm.get(field):
                self.store.recount(table, vm[field]["id"])

    def _create_snapshot(self, vm, data, user, language):
        store = self.store
        consistent = data.get("consistent_type") or "CRASH_CONSISTENT"
        failure = None
        if consistent == "FILE_SYSTEM_CONSISTENT" and vm["vm_tools_status"] != "RUNNING":
            failure = ("VMTOOLS_NOT_RUNNING", i18n.message("vmtools_required", language, vm=vm["name"], status=vm["vm_tools_status"]))
        created = self.wall(self.clock())
        snapshot = store.insert("vm_snapshots", dict(snapshot_fields(store, vm, data["name"], consistent, created), entityAsyncStatus="CREATING"))
        store.update("vms", vm["id"], {"entityAsyncStatus": "UPDATING"})
        task = self._new_task("create-vm-snapshot", "VmSnapshot", snapshot, {"data": data}, user, language, cluster=vm["cluster"])

        def succeed(moment):
            store.update("vm_snapshots", snapshot["id"], {"entityAsyncStatus": None})
            for disk in snapshot["vm_disks"]:
                if disk["type"] == "DISK":
                    store.insert("iscsi_lun_snapshots", lun_snapshot_fields(store, vm, disk, self.wall(moment)))

        def finish(moment):
            if vm["id"] in store.tables["vms"]:
                store.update("vms", vm["id"], {"entityAsyncStatus": None})

        def fail(moment):
            if snapshot["id"] in store.tables["vm_snapshots"]:
                store.delete("vm_snapshots", snapshot["id"])

        self._run("create-vm-snapshot", task, failure, succeed, finish, fail)
        return {"task_id": task["id"], "data": store.view("vm_snapshots", snapshot, language)}

    def _delete_snapshot(self, snapshot, body, user, language):
        store = self.store
        store.update("vm_snapshots", snapshot["id"], {"entityAsyncStatus": "DELETING"})
        task = self._new_task("delete-vm-snapshot", "VmSnapshot", snapshot, {"where": body["where"]}, user, language)

        def succeed(moment):
            names = {disk["snapshot_local_id"] for disk in snapshot["vm_disks"] if disk.get("snapshot_local_id")}
            for lun in [lun for lun in store.tables["iscsi_lun_snapshots"].values() if lun["name"] in names]:
                store.delete("iscsi_lun_snapshots", lun["id"])
            store.delete("vm_snapshots", snapshot["id"])

        def finish(moment):
            if snapshot["id"] in store.tables["vm_snapshots"]:
                store.update("vm_snapshots", snapshot["id"], {"entityAsyncStatus": None})

        self._run("delete-vm-snapshot", task, None, succeed, finish)
        return {"task_id": task["id"], "data": {"id": snapshot["id"]}}

    def _resolve_alert(self, alert, body, user, language):
        store = self.store
        shown = store.view("alerts", alert, language)  # the alert text in the request's language names the task
        task = self._new_task("resolve-alert", "Alert", dict(alert, name=shown["message"]), {"where": body["where"]}, user, language)

        def succeed(moment):
            if alert["id"] in store.tables["alerts"]:
                store.update("alerts", alert["id"], {"ended": True, "local_end_time": self.wall(moment), "local_update_time": self.wall(moment)})

        self._run("resolve-alert", task, None, succeed, lambda moment: None)
        return {"task_id": task["id"], "data": shown}

    # the task itself ---------------------------------------------------------------------------
    def _new_task(self, operation, resource_type, resource, args, user, language, cluster=None):
        store = self.store
        cluster = cluster or resource.get("cluster")
        return store.insert("tasks", {
            "id": store.new_id(), "description": i18n.description(operation, language, name=resource.get("name") or resource["id"]),
            "args": args, "progress": 0.0, "status": "PENDING", "local_created_at": self.wall(self.clock()),
            "started_at": None, "finished_at": None, "error_code": None, "error_message": None,
            "resource_id": resource["id"], "resource_type": resource_type, "resource_mutation": RESOURCE_MUTATIONS[operation],
            "resource_rollback_error": None, "resource_rollback_retry_count": None, "resource_rollbacked": None,
            "snapshot": json.dumps({"operation": operation, "resource_id": resource["id"]}), "steps": [], "internal": False,
            "type": None, "key": None, "cluster": {"id": cluster["id"], "name": cluster["name"]} if cluster else None,
            "user": {"id": user["id"], "name": user["name"]} if user else None,
        })

    def _take_fault(self, operation):
        for fault in self.task_faults:
            if fault["operation"] == operation and fault["times"] > 0:
                fault["times"] -= 1
                return fault
        return None

    def _run(self, operation, task, failure, succeed, finish, fail=None):
        """Schedule PENDING -> EXECUTING -> SUCCESSED|FAILED; ``finish`` always runs at the end (unlock)."""
        fault = self._take_fault(operation)
        if fault is not None and fault["mode"] == "fail":
            failure = ("SIMULATED_FAILURE", fault.get("message") or "Simulated failure")
        start = self.clock()
        seconds = self.task_seconds
        task_id = task["id"]

        def step(progress, finished=False):
            return [{"key": task["resource_mutation"], "current": progress * 100, "total": 100.0, "unit": "PERCENT",
                     "finished": finished, "per_second": None}]

        def executing(moment):
            self.store.update("tasks", task_id, {"status": "EXECUTING", "progress": 0.2, "started_at": self.wall(moment), "steps": step(0.2)})

        def halfway(moment):
            self.store.update("tasks", task_id, {"progress": 0.6, "steps": step(0.6)})

        def done(moment):
            if failure is None:
                succeed(moment)
                result = {"status": "SUCCESSED", "progress": 1.0, "steps": step(1.0, True)}
            else:
                if fail is not None:
                    fail(moment)
                result = {"status": "FAILED", "error_code": failure[0], "error_message": failure[1], "steps": step(0.6, True)}
            finish(moment)
            self.store.update("tasks", task_id, dict(result, finished_at=self.wall(moment)))

        self.schedule(start + seconds * 0.2, executing)
        if fault is not None and fault["mode"] == "hang":
            return  # stays EXECUTING and keeps its resource locked until /_sim/reset
        self.schedule(start + seconds * 0.6, halfway)
        self.schedule(start + seconds, done)
