#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vm_power
short_description: Start, stop, restart or suspend CloudTower virtual machines, one or hundreds at once
version_added: 1.0.0
description:
  - Brings the selected VMs to a power state. Each VM's observed status is compared with O(state), and no call is made
    for a VM that is already there.
  - "Many VMs cost one API call per operation, C(where: {id_in: [...]}) for all the VMs that need it, and one task waiter
    for all their tasks."
  - "What each O(state) does, by the VM's status (C(-) means nothing is done):"
  - "V(running): RUNNING C(-); STOPPED C(start-vm); SUSPENDED C(resume-vm)."
  - "V(stopped): RUNNING C(shutdown-vm) (ACPI), then wait until the VM is STOPPED (see O(shutdown_timeout) and O(force));
    STOPPED C(-); SUSPENDED fails, as a suspended guest cannot shut down gracefully, unless O(force=true), which powers it off."
  - "V(powered_off): RUNNING or SUSPENDED C(poweroff-vm) (the hard stop); STOPPED C(-)."
  - "V(restarted): RUNNING C(restart-vm) (always, and reports a change); STOPPED C(start-vm), so that the VM runs a freshly
    booted guest afterwards (as M(ansible.builtin.service) starts a stopped service); SUSPENDED fails."
  - "V(force_restarted): RUNNING C(force-restart-vm) (always, and reports a change); STOPPED C(start-vm); SUSPENDED fails."
  - "V(suspended): RUNNING C(suspend-vm); SUSPENDED C(-); STOPPED fails."
  - A VM in the recycle bin, or with a status other than RUNNING, STOPPED or SUSPENDED, fails.
  - When any selected VM cannot reach O(state), the module fails before it sends anything, naming every such VM.
  - A VM that is busy with another CloudTower task (C(entityAsyncStatus) set), or that CloudTower answers with
    C(ResourceLocked), is waited for, read again and retried within O(timeout); VMs still busy then are reported in a failure,
    after the other VMs were brought to O(state) (for V(stopped), including the wait for their guests and O(force)).
  - A call that fails otherwise is never sent again in the run; the other calls still go out, their tasks are waited for,
    and the module then fails naming every problem. When the answer was lost or was a server error (HTTP 5xx), CloudTower
    may have applied the call all the same, so its VMs are reported changed, and read again once they are no longer busy
    (within O(timeout)) for RV(vms[].status_after). Running the module again is then safe, except for V(restarted) and
    V(force_restarted), which restart a running VM every time.
  - A task that ends FAILED fails the module with the task's message, and RV(vms) and RV(tasks) still report what changed.
    When the VM is read in the requested status after all (the guest stopped just before its forced power-off, or another
    client got there first), the state holds and the module does not fail; a VM whose only call failed is then not changed.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  name:
    description:
      - The name of the VM (exact match).
      - When several VMs have this name the module fails, listing their ids and clusters, unless O(cluster) tells
        them apart or O(all=true).
      - Combined with O(cluster) and O(where) by AND.
      - VMs in the recycle bin are left out when a VM outside it has this name, so a deleted namesake does not make the name
        ambiguous. When only VMs in the recycle bin have it, the module fails saying so.
    type: str
  id:
    description:
      - The id of the VM.
    type: str
  cluster:
    description:
      - The name or id of the cluster of the VM(s), to tell apart VMs of the same name.
    type: str
  where:
    description:
      - "A CloudTower C(VmWhereInput) filter selecting any number of VMs, for example C({cluster: {name: cluster-elf-1}})
        or C({labels_some: {key: env, value: prod}})."
      - Unless the filter names C(in_recycle_bin) or C(internal), VMs in the recycle bin and CloudTower's own system VMs
        are left out.
      - A filter that matches no VM is not an error; the module then reports RV(vms=[]) and C(changed=false).
      - An empty filter (C({})) is refused, as it would select every VM.
    type: dict
  all:
    description:
      - With O(name), act on every VM of that name instead of failing when there are several.
    type: bool
    default: false
  state:
    description:
      - The power state to bring the VMs to; see the description for what each does by status.
    type: str
    required: true
    choices: [running, stopped, powered_off, restarted, force_restarted, suspended]
  force:
    description:
      - With O(state=stopped), power off (C(poweroff-vm)) the VMs that are not STOPPED within O(shutdown_timeout) after
        the graceful shutdown, and SUSPENDED VMs at once.
      - Without it such VMs make the module fail.
      - Ignored for the other states. With O(wait=false) the module does not wait for the guests to stop, so only SUSPENDED VMs
        are powered off.
    type: bool
    default: false
  shutdown_timeout:
    description:
      - With O(state=stopped), seconds the guests get to stop after the ACPI shutdown request before the module powers
        them off (O(force=true)) or fails.
    type: float
    default: 120
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.wait
  - smartx.cloudtower.cloudtower.actiongroup
attributes:
  check_mode:
    description: Predicts C(changed) and the status after for each VM and sends no change to CloudTower.
    support: full
  diff_mode:
    description: Shows the status of each VM before and after.
    support: full
notes:
  - O(timeout) bounds each wait for tasks, the total wait for busy or locked VMs, and the wait for VMs whose call's answer
    was lost. The wait for the guests to stop after a graceful shutdown is O(shutdown_timeout). When tasks are still running
    at O(timeout), the message gives their ids for M(smartx.cloudtower.task_wait).
  - With O(wait=false) the module returns right after the calls, with the ids of the tasks in RV(tasks) (for
    M(smartx.cloudtower.task_wait)); RV(vms[].status_after) is then the status the VM gets when its task succeeds.
    For O(state=stopped) it does not wait for the VMs to be STOPPED (the shutdown task ends when the ACPI request is
    sent, not when the guest has stopped), so O(force) has no effect. Busy or locked VMs are still waited for, as
    nothing can be sent for them before.
  - A C(FAILED) task fails the module with the task's error message; RV(vms) and RV(tasks) are still returned.
  - In check mode a busy VM is predicted from its current status; it is not waited for.
"""

EXAMPLES = r"""
- name: Start a VM
  smartx.cloudtower.vm_power:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    name: web-1
    state: running

- name: Shut a VM down gracefully, powering it off if it is not stopped after 2 minutes
  smartx.cloudtower.vm_power:
    name: db-1
    cluster: cluster-elf-1
    state: stopped
    shutdown_timeout: 120
    force: true

- name: Restart every VM labelled env=test (one restart-vm call for all of them)
  smartx.cloudtower.vm_power:
    where:
      labels_some:
        key: env
        value: test
    state: restarted

- name: Suspend every VM named batch-worker, in any cluster
  smartx.cloudtower.vm_power:
    name: batch-worker
    all: true
    state: suspended

- name: Start all the VMs of a cluster without waiting
  smartx.cloudtower.vm_power:
    where:
      cluster:
        name: cluster-elf-1
    state: running
    wait: false
  register: started

- name: Wait for them later
  smartx.cloudtower.task_wait:
    task_ids: "{{ started.tasks | map(attribute='id') | list }}"
"""

RETURN = r"""
vms:
  description: The selected VMs, with what was done to each. Also returned when the module fails after selecting them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The VM id.
      type: str
    name:
      description: The VM name.
      type: str
    cluster:
      description: The name of the VM's cluster.
      type: str
    status_before:
      description: The status observed before any change (C(RUNNING), C(STOPPED), C(SUSPENDED), ...).
      type: str
    status_after:
      description:
        - The status read after the tasks ended.
        - In check mode and with O(wait=false), the status the VM gets when its task succeeds.
      type: str
    changed:
      description:
        - Whether an operation was sent for the VM (in check mode, would be) and its task did not fail.
        - Also true when the call failed with no answer or with a server error (HTTP 5xx), as CloudTower may have applied it.
      type: bool
    operations:
      description: The operations sent for the VM (in check mode, that would be sent), such as C(start-vm), or
        C([shutdown-vm, poweroff-vm]) after a forced stop.
      type: list
      elements: str
    task_ids:
      description: The ids of the VM's tasks.
      type: list
      elements: str
  sample:
    - id: cmg6y13w6055h0958o1afczt5
      name: web-1
      cluster: cluster-elf-1
      status_before: STOPPED
      status_after: RUNNING
      changed: true
      operations: [start-vm]
      task_ids: [cmg6y2b1k05d20958ab1k2x9q]
tasks:
  description:
    - The CloudTower tasks of the run. With O(wait=false) only C(id) and C(resource_id) are known, C(status) is null.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    status:
      description: C(SUCCESSED) or C(FAILED), or the last status seen when the wait timed out.
      type: str
    description:
      description: What the task does.
      type: str
    progress:
      description: From 0 to 1.
      type: float
    error_code:
      description: CloudTower's error code for a failed task.
      type: str
    error_message:
      description: CloudTower's error message for a failed task.
      type: str
    resource_id:
      description: The id of the VM the task changes.
      type: str
    finished_at:
      description: When the task ended.
      type: str
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import wait_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute, waiter_for
from ansible_collections.smartx.cloudtower.plugins.module_utils.power import STATES, PowerRun


def run(module, client):
    params = module.params
    power = PowerRun(client, waiter_for(module, client), params["state"], force=params["force"], shutdown_timeout=params["shutdown_timeout"],
                     timeout=params["timeout"], wait=params["wait"], check_mode=module.check_mode)
    power.select(name=params["name"], vm_id=params["id"], cluster=params["cluster"], where=params["where"], allow_many=params["all"])
    return power.run()


def main():
    spec = wait_argument_spec()
    spec.update(
        name=dict(type="str"),
        id=dict(type="str"),
        cluster=dict(type="str"),
        where=dict(type="dict"),
        all=dict(type="bool", default=False),
        state=dict(type="str", required=True, choices=list(STATES)),
        force=dict(type="bool", default=False),
        shutdown_timeout=dict(type="float", default=120),
    )
    module = cloudtower_module(spec, mutually_exclusive=[("name", "id")], required_one_of=[("name", "id", "where")])
    execute(module, run)


if __name__ == "__main__":
    main()
