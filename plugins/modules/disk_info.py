#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: disk_info
short_description: List the physical disks of CloudTower hosts
version_added: 1.0.0
description:
  - Lists the physical disks of the hosts CloudTower manages, selected by cluster, disk type or a raw C(where) filter,
    as CloudTower returns them.
  - Every page is fetched unless O(limit) is set.
  - Each disk also gets C(hdd_state), the dashboard's classification of its health.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  disk_type:
    description:
      - Only disks of these types.
    type: list
    elements: str
    choices: [HDD, SSD, NVMe_SSD, SATA_OR_SAS_SSD, PMem]
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.info
  - smartx.cloudtower.cloudtower.listing
  - smartx.cloudtower.cloudtower.actiongroup
  - smartx.cloudtower.cloudtower.info_module
seealso:
  - module: smartx.cloudtower.host_info
  - module: smartx.cloudtower.dashboard_info
"""

EXAMPLES = r"""
- name: The HDDs of a cluster
  smartx.cloudtower.disk_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    cluster:
      - cluster-elf-1
    disk_type:
      - HDD
  register: hdds

- name: Disks whose health is not HEALTHY, credentials from CLOUDTOWER_* environment variables
  smartx.cloudtower.disk_info:
    where:
      health_status_not: HEALTHY

- name: The disks of one host
  smartx.cloudtower.disk_info:
    where:
      host:
        name: cluster-elf-1-node-1
"""

RETURN = r"""
disks:
  description: The matching disks, as CloudTower returns them (see the C(Disk) schema of the CloudTower API), plus C(hdd_state).
  returned: always
  type: list
  elements: dict
  contains:
    hdd_state:
      description:
        - How M(smartx.cloudtower.dashboard_info) counts the disk when it is a HDD.
        - V(error) when C(health_status) is C(UNHEALTHY), C(SUBHEALTHY), C(SMART_FAILED) or C(SOFTWARE_RAID_FAILURE),
          or when it has no C(health_status) and C(healthy) is false;
          else V(warning) when C(usage_status) is C(UNMOUNTED) or C(PARTIAL_MOUNTED); else V(healthy).
      type: str
      sample: healthy
  sample:
    - id: cmg6y0tf004ib0958x1ds1v8e
      name: sdc
      type: HDD
      size: 8001563222016
      health_status: HEALTHY
      usage_status: MOUNTED
      hdd_state: healthy
      host:
        id: cmg6y0tf004ib0958x1ds1v8d
        name: cluster-elf-1-node-1
        management_ip: 10.0.1.21
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.dashboard import hdd_state, list_selected, selection_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute

DISK_TYPES = ["HDD", "SSD", "NVMe_SSD", "SATA_OR_SAS_SSD", "PMem"]


def run(module, client):
    types = module.params["disk_type"]
    disks = list_selected(client, "disks", module.params, {"type_in": types} if types else None)
    for disk in disks:
        disk["hdd_state"] = hdd_state(disk)
    return dict(changed=False, disks=disks)


def main():
    module = cloudtower_module(selection_argument_spec(
        disk_type=dict(type="list", elements="str", choices=DISK_TYPES),
    ))
    execute(module, run)


if __name__ == "__main__":
    main()
