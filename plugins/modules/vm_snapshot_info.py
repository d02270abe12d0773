#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vm_snapshot_info
short_description: List the snapshots of a CloudTower VM, with their iSCSI LUN snapshots
version_added: 1.0.0
description:
  - Lists the snapshots of one VM, newest first, optionally only those of one name.
  - With O(lun_snapshots=true), adds to each snapshot the iSCSI LUN snapshots behind its DISK entries, looked up for all the snapshots with
    one API call.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  name:
    description:
      - Only the snapshots of this name (exact match). Snapshot names are not unique, so several may be returned.
    type: str
  lun_snapshots:
    description:
      - Add C(lun_snapshots) to each snapshot, the iSCSI LUN snapshots behind its DISK entries.
      - A DISK entry whose LUN snapshot is not found is left out, with a warning that names its C(snapshot_local_id) (not for a snapshot
        still being created, whose LUN snapshots do not exist yet).
    type: bool
    default: false
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.vm
  - smartx.cloudtower.cloudtower.actiongroup
  - smartx.cloudtower.cloudtower.info_module
seealso:
  - module: smartx.cloudtower.vm_snapshot
"""

EXAMPLES = r"""
- name: Every snapshot of a VM, newest first
  smartx.cloudtower.vm_snapshot_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    vm_name: web-1
  register: web_snapshots

- name: The snapshots of one name with the LUN snapshots behind them (credentials from CLOUDTOWER_* environment variables)
  smartx.cloudtower.vm_snapshot_info:
    vm_name: db-1
    cluster: cluster-elf-1
    name: before-patch
    lun_snapshots: true
  register: db_snapshots

- name: The storage identifiers of the newest one
  ansible.builtin.debug:
    msg: "{{ db_snapshots.snapshots[0].lun_snapshots | map(attribute='local_id') | list }}"
"""

RETURN = r"""
snapshots:
  description:
    - The snapshots of the VM, newest first (by C(local_created_at)), as CloudTower returns them (see the C(VmSnapshot) schema of the CloudTower API).
    - With O(lun_snapshots=true) each has C(lun_snapshots), the C(IscsiLunSnapshot) records named by the C(snapshot_local_id) of its DISK
      entries, in disk order (CD-ROM entries have none).
  returned: always
  type: list
  elements: dict
  sample:
    - id: cmg6z0a1b0001q958abcd1234
      name: before-patch
      consistent_type: CRASH_CONSISTENT
      local_created_at: "2026-05-01T08:57:09.000Z"
      vm_disks:
        - type: DISK
          index: 0
          snapshot_local_id: 5e0f6f5c-6a7b-4c22-9a0e-6d2a8d0c1f11
      lun_snapshots:
        - id: cmg6z0a1b0002q958abcd5678
          name: 5e0f6f5c-6a7b-4c22-9a0e-6d2a8d0c1f11
          local_id: 7d9e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
vm:
  description: The VM whose snapshots are listed.
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
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import ONE_VM_RULES, one_vm_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute
from ansible_collections.smartx.cloudtower.plugins.module_utils.snapshots import vm_snapshot_info


def run(module, client):
    return vm_snapshot_info(client, module.params, warn=module.warn)


def main():
    argument_spec = one_vm_argument_spec()
    argument_spec.update(
        name=dict(type="str"),
        lun_snapshots=dict(type="bool", default=False),
    )
    module = cloudtower_module(argument_spec, **ONE_VM_RULES)
    execute(module, run)


if __name__ == "__main__":
    main()
