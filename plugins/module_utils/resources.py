# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CloudTower's shapes: how resources are selected and named in messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError


def id_or_name_where(value):
    """A ``where`` matching a resource whose id or name is ``value``."""
    return {"OR": [{"id": value}, {"name": value}]}


def ids_or_names_where(values):
    """A ``where`` matching resources whose id or name is one of ``values`` (a string or a list)."""
    values = [values] if isinstance(values, str) else list(values)
    return {"OR": [{"id_in": values}, {"name_in": values}]}


def combine_where(*wheres):
    """AND of the non-empty ``where`` dicts given (``{}`` when none)."""
    parts = [where for where in wheres if where]
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    return {"AND": parts}


# CloudTower's own VMs: the ones it flags internal, and the ones it runs for a purpose of its own
# (vm_usage: CLOUDTOWER, SKS_MANAGEMENT, BACKUP_CONTROLLER, ...). A user's VM has neither.
SYSTEM_VMS_EXCLUSION = {"internal": False, "vm_usage": None}
RECYCLE_BIN_EXCLUSION = {"in_recycle_bin": False}


def is_busy(record):
    """A VM or snapshot with a CloudTower operation in progress (``entityAsyncStatus`` set)."""
    return bool(record.get("entityAsyncStatus"))


def is_system_vm(vm):
    """Whether CloudTower runs this VM for itself (see SYSTEM_VMS_EXCLUSION)."""
    return bool(vm.get("internal")) or bool(vm.get("vm_usage"))


def user_vms_where(where=None, include_recycle_bin=False, include_system_vms=False):
    """``where`` AND the exclusion of VMs in the recycle bin and of system VMs, each unless asked for.

    A bulk selection (the inventory, vm_power with a raw where) must not reach CloudTower's own VMs by accident.
    """
    defaults = {}
    if not include_recycle_bin:
        defaults.update(RECYCLE_BIN_EXCLUSION)
    if not include_system_vms:
        defaults.update(SYSTEM_VMS_EXCLUSION)
    return combine_where(defaults, where)


def describe_vm(vm):
    """``'web-1' (id c..., cluster c1)`` for messages."""
    cluster = (vm.get("cluster") or {}).get("name") or "no cluster"
    return "'%s' (id %s, cluster %s)" % (vm.get("name"), vm.get("id"), cluster)


def vm_selection_where(name=None, vm_id=None, cluster=None, where=None):
    """The ``where`` for the usual VM selection options: name and/or cluster, id, or a raw ``where``."""
    return combine_where(
        {"id": vm_id} if vm_id else None,
        {"name": name} if name else None,
        {"cluster": id_or_name_where(cluster)} if cluster else None,
        where,
    )


def find_vms(client, name=None, vm_id=None, cluster=None, where=None, allow_many=False, order_by="name_ASC",
             hint="Give cluster or id to pick one."):
    """The VMs a module acts on.

    With ``name`` (and optionally ``cluster``) or ``vm_id``, exactly one VM must match unless ``allow_many``;
    no match fails, and several fail with ``hint`` (the module's options to pick one). A name prefers the VMs
    outside the recycle bin. With a raw ``where`` any number may match, none included.
    """
    if not (name or vm_id or where):
        raise CloudTowerError("Select VMs with name (and optionally cluster), id, or where.")
    vms = client.list_records("vms", where=vm_selection_where(name, vm_id, cluster, where), order_by=order_by)
    if name and not vm_id and "in_recycle_bin" not in (where or {}):
        # A deleted namesake (in the recycle bin) must not make a name ambiguous. When only deleted VMs have
        # the name they stay, so that the caller refuses them saying why.
        vms = [vm for vm in vms if not vm.get("in_recycle_bin")] or vms
    if name or vm_id:
        what = "VM id %s" % vm_id if vm_id else "VM '%s'" % name
        scope = " in cluster '%s'" % cluster if cluster else ""
        if not vms:
            raise CloudTowerError("%s not found%s." % (what, scope))
        if len(vms) > 1 and not allow_many:
            raise CloudTowerError("%s%s matches %d VMs: %s. %s" % (what, scope, len(vms), ", ".join(describe_vm(vm) for vm in vms), hint))
    return vms
