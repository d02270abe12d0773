#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vm_snapshot
short_description: Take, delete and revert to CloudTower VM snapshots, with backup rotation
version_added: 1.0.0
description:
  - Takes a snapshot of one VM (O(state=present)), deletes one (O(state=absent)) or rolls the VM back to one (O(state=reverted)).
  - Returns the snapshot read again after its task ended, and the iSCSI LUN snapshots behind its disks, the storage objects a backup tool
    reads (the CloudTower SDK guide's VM backup scenario).
  - With O(retention), keeps only the newest snapshots whose names start with a prefix and deletes the older ones in the same run, for
    backup rotation.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  name:
    description:
      - The name of the snapshot. Required with O(state=present).
      - Snapshot names are not unique in CloudTower. With O(state=present) a VM that already has a snapshot of this name is left alone
        (no second one is taken). With O(state=absent) or O(state=reverted), several snapshots of this name make the task fail with their ids;
        give O(snapshot_id) to pick one.
    type: str
  snapshot_id:
    description:
      - The id of the snapshot, to pick one of several with the same name. It must be a snapshot of the selected VM.
      - With O(state=present) it only selects an existing snapshot; a snapshot is never created with a given id.
      - When O(name) is given too, the snapshot must have that name.
    type: str
  state:
    description:
      - V(present) takes the snapshot when the VM has none of that name; otherwise nothing is done. A snapshot of that name that is
        still being created (C(entityAsyncStatus) set, for example after an earlier run timed out) is waited for, within O(timeout), with
        O(wait=true) or O(retention); if its create fails meanwhile, a new snapshot is taken, with a warning.
      - V(absent) deletes the snapshot; nothing is done when it does not exist.
      - V(reverted) rolls the VM back to the snapshot with CloudTower's C(rollback-vm). This is done on every run and always reports
        C(changed), since CloudTower cannot tell whether the VM still equals the snapshot. The snapshot must exist.
    type: str
    choices: [present, absent, reverted]
    default: present
  consistent_type:
    description:
      - The consistency of a new snapshot. V(crash_consistent) is what a power cut leaves on the disks.
      - V(file_system_consistent) has VMTools flush and freeze the guest's file systems first. It needs VMTools C(RUNNING) in the VM; otherwise
        a crash-consistent snapshot is taken with a warning that says why, or the task fails when O(require_consistency=true).
      - Only used when a snapshot is created; an existing snapshot of the name is not compared.
    type: str
    choices: [crash_consistent, file_system_consistent]
    default: crash_consistent
  require_consistency:
    description:
      - With O(consistent_type=file_system_consistent), fail instead of falling back to a crash-consistent snapshot when VMTools is not
        running in the VM. Nothing is created then.
    type: bool
    default: false
  retention:
    description:
      - Backup rotation, with O(state=present) only. After the snapshot is taken (or found), the snapshots of the VM whose names start with
        O(retention.prefix) are ordered by creation time and all but the newest O(retention.keep) are deleted, with one C(delete-vm-snapshot)
        call and one wait.
      - The snapshot named by O(name) is never deleted by the rotation. When it is among the newest O(retention.keep) it is one of them;
        when it is older, it is kept in addition, so naming an old snapshot never deletes a newer one.
      - Nothing is rotated when the snapshot could not be taken. So the rotation always waits for the create task (and for a snapshot of
        that name still being created), even with O(wait=false); O(wait=false) then only skips waiting for the deletion.
      - In check mode RV(retention.deleted) lists the snapshots that would be deleted.
    type: dict
    suboptions:
      prefix:
        description:
          - The start of the names of the snapshots that rotate, such as V(nightly-). Other snapshots are never touched.
        type: str
        required: true
      keep:
        description:
          - How many of the newest snapshots with the prefix stay. At least 1.
        type: int
        required: true
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.wait
  - smartx.cloudtower.cloudtower.vm
  - smartx.cloudtower.cloudtower.actiongroup
attributes:
  check_mode:
    description: Reads only and reports what would change, including the snapshots the rotation would delete; no change is sent.
    support: full
  diff_mode:
    description: Shows the names of the VM's snapshots before and after (and, for O(state=reverted), the snapshot the VM is rolled back to).
    support: full
notes:
  - A create whose HTTP answer is lost (a network failure after CloudTower accepted it) makes the task fail with what a lookup by name
    finds. Running the task again is safe; it looks the name up before creating, so no duplicate is taken.
  - With O(wait=false) the module returns once CloudTower has accepted the change; RV(tasks) holds the ids for M(smartx.cloudtower.task_wait).
    RV(lun_snapshots) is then only returned for a snapshot that already existed. With O(retention) the create is waited for all the same
    (see O(retention)).
  - A VM or snapshot that another CloudTower task holds (CloudTower answers C(ResourceLocked), and does nothing) is waited for; the change is
    sent again with backoff within O(timeout). After that the task fails saying that nothing was done.
  - A DISK entry of the snapshot whose iSCSI LUN snapshot is not found gives a warning naming its C(snapshot_local_id); RV(lun_snapshots)
    then lacks that disk.
seealso:
  - module: smartx.cloudtower.vm_snapshot_info
  - module: smartx.cloudtower.task_wait
"""

EXAMPLES = r"""
- name: Snapshot before patching, file-system consistent when VMTools runs (crash-consistent with a warning otherwise)
  smartx.cloudtower.vm_snapshot:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    vm_name: web-1
    name: before-patch-2026-05-01
    consistent_type: file_system_consistent
  register: snap

- name: Show the iSCSI LUN snapshots a backup tool reads
  ansible.builtin.debug:
    msg: "{{ snap.lun_snapshots | map(attribute='local_id') | list }}"

- name: Nightly backup point, keeping the newest 7 nightly snapshots (credentials from CLOUDTOWER_* environment variables)
  smartx.cloudtower.vm_snapshot:
    vm_name: db-1
    cluster: cluster-elf-1
    name: "nightly-{{ now(utc=true).strftime('%Y%m%d') }}"
    consistent_type: file_system_consistent
    require_consistency: true
    retention:
      prefix: nightly-
      keep: 7

- name: Roll the VM back to the snapshot (always reports changed)
  smartx.cloudtower.vm_snapshot:
    vm_id: cmg6y13w6055h0958o1afczt5
    name: before-patch-2026-05-01
    state: reverted

- name: Delete one of two snapshots that share a name
  smartx.cloudtower.vm_snapshot:
    vm_name: web-1
    snapshot_id: cmg6z0a1b0001q958abcd1234
    state: absent

- name: Snapshot many VMs without waiting, then wait for all tasks at once
  smartx.cloudtower.vm_snapshot:
    vm_name: "{{ item }}"
    name: pre-maintenance
    wait: false
  loop: [web-1, db-1]
  register: started

- name: Wait for the snapshots
  smartx.cloudtower.task_wait:
    task_ids: "{{ started.results | map(attribute='tasks') | flatten | map(attribute='id') | list }}"
"""

RETURN = r"""
snapshot:
  description:
    - The snapshot, as CloudTower returns it (see the C(VmSnapshot) schema of the CloudTower API), read again by id after its task ended.
    - For O(state=absent), the snapshot as it was before it was deleted. None when there is no snapshot (nothing to delete, or one that
      would be created in check mode).
    - When a create was accepted but its task did not end within O(timeout) (or could not be read), the failure still returns the snapshot
      as last read (C(entityAsyncStatus) C(CREATING)).
  returned: always
  type: dict
  sample:
    id: cmg6z0a1b0001q958abcd1234
    name: before-patch-2026-05-01
    consistent_type: FILE_SYSTEM_CONSISTENT
    local_created_at: "2026-05-01T08:57:09.000Z"
    vm:
      id: cmg6y13w6055h0958o1afczt5
      name: web-1
    vm_disks:
      - type: DISK
        index: 0
        snapshot_local_id: 5e0f6f5c-6a7b-4c22-9a0e-6d2a8d0c1f11
      - type: CD_ROM
        index: 1
        snapshot_local_id: null
lun_snapshots:
  description:
    - The iSCSI LUN snapshots behind the snapshot's DISK entries (each entry's C(snapshot_local_id) is a LUN snapshot name), in disk order,
      as CloudTower returns them (C(IscsiLunSnapshot)). C(local_id) is the identifier in the storage system. CD-ROM entries have none.
    - Empty for O(state=absent), in check mode for a snapshot not taken yet, and with O(wait=false) for a new snapshot (unless O(retention) is
      set, which waits for it).
    - A DISK entry whose LUN snapshot is not found is left out, with a warning that names its C(snapshot_local_id).
  returned: always
  type: list
  elements: dict
  sample:
    - id: cmg6z0a1b0002q958abcd5678
      name: 5e0f6f5c-6a7b-4c22-9a0e-6d2a8d0c1f11
      local_id: 7d9e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
      iscsi_target:
        id: cmg6z0a1b0003q958abcd9abc
        name: zbs-iscsi-datastore-1
task:
  description: The task of the change (create, delete or rollback), as it ended; only its id with O(wait=false). None when nothing was sent.
  returned: always
  type: dict
  contains:
    id:
      description: The task id.
      type: str
    status:
      description: C(SUCCESSED) or C(FAILED); None with O(wait=false).
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
      description: The id of the resource the task changes.
      type: str
    finished_at:
      description: When the task ended.
      type: str
tasks:
  description: Every task the run started (the change and the rotation's deletion), with the fields of RV(task). For M(smartx.cloudtower.task_wait).
  returned: always
  type: list
  elements: dict
vm:
  description: The VM the module acted on.
  returned: always
  type: dict
  contains:
    id:
      description: The VM id.
      type: str
    name:
      description: The VM name.
      type: str
    cluster:
      description: The VM's cluster, C(id) and C(name).
      type: dict
consistent_type:
  description:
    - The consistency the new snapshot was (or in check mode would be) taken with, C(CRASH_CONSISTENT) or C(FILE_SYSTEM_CONSISTENT),
      after the VMTools rule of O(consistent_type).
  returned: when a snapshot is created
  type: str
  sample: FILE_SYSTEM_CONSISTENT
retention:
  description: What the rotation of O(retention) kept and deleted (in check mode, would delete), newest first.
  returned: when O(retention) is set
  type: dict
  contains:
    prefix:
      description: O(retention.prefix).
      type: str
    keep:
      description: O(retention.keep).
      type: int
    kept:
      description: The snapshots with the prefix that stay (C(id), C(name), C(local_created_at), C(consistent_type)). A snapshot only about to be
        created in check mode is not listed.
      type: list
      elements: dict
    deleted:
      description: The snapshots with the prefix that were (or in check mode would be) deleted, with the same fields.
      type: list
      elements: dict
    task:
      description: The task of the deletion, with the fields of RV(task); None when nothing was deleted or in check mode.
      type: dict
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import ONE_VM_RULES, one_vm_argument_spec, wait_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute, waiter_for
from ansible_collections.smartx.cloudtower.plugins.module_utils.snapshots import vm_snapshot


def run(module, client):
    result = vm_snapshot(client, waiter_for(module, client), module.params, check_mode=module.check_mode, warn=module.warn)
    if not result["changed"]:
        result.pop("diff", None)
    return result


def main():
    argument_spec = wait_argument_spec()
    argument_spec.update(one_vm_argument_spec())
    argument_spec.update(
        name=dict(type="str"),
        snapshot_id=dict(type="str"),
        state=dict(type="str", choices=["present", "absent", "reverted"], default="present"),
        consistent_type=dict(type="str", choices=["crash_consistent", "file_system_consistent"], default="crash_consistent"),
        require_consistency=dict(type="bool", default=False),
        retention=dict(type="dict", options=dict(
            prefix=dict(type="str", required=True),
            keep=dict(type="int", required=True),
        )),
    )
    module = cloudtower_module(
        argument_spec,
        required_one_of=ONE_VM_RULES["required_one_of"] + [("name", "snapshot_id")],
        mutually_exclusive=ONE_VM_RULES["mutually_exclusive"],
        required_if=[("state", "present", ("name",))],
    )
    execute(module, run)


if __name__ == "__main__":
    main()
