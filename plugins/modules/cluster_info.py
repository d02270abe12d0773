#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cluster_info
short_description: List CloudTower clusters
version_added: 1.0.0
description:
  - Lists the clusters managed by CloudTower, selected by name or id or by a raw C(where) filter, as CloudTower returns them.
  - Every page is fetched unless O(limit) is set.
  - For the dashboard figures of clusters (CPU, memory, storage, disks, alerts), see M(smartx.cloudtower.dashboard_info).
author:
  - SmartX CloudTower collection maintainers (@smartx)
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
- name: Every cluster
  smartx.cloudtower.cluster_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
  register: all_clusters

- name: Two clusters, one by name and one by id (credentials from CLOUDTOWER_* environment variables)
  smartx.cloudtower.cluster_info:
    cluster:
      - cluster-elf-1
      - cmg6wngqb037g09586kbpoj03

- name: VMware-hypervisor clusters, the largest storage first
  smartx.cloudtower.cluster_info:
    where:
      hypervisor: VMWARE
    order_by: total_data_capacity_DESC
"""

RETURN = r"""
clusters:
  description: The matching clusters, as CloudTower returns them (see the C(Cluster) schema of the CloudTower API).
  returned: always
  type: list
  elements: dict
  sample:
    - id: cmg6wngqb037g09586kbpoj03
      name: cluster-elf-1
      type: SMTX_OS
      hypervisor: ELF
      version: 6.1.0
      connect_state: CONNECTED
      total_cpu_cores: 96
      total_memory_bytes: 1649267441664
      total_data_capacity: 64012505776128
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.dashboard import list_selected, selection_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute


def run(module, client):
    return dict(changed=False, clusters=list_selected(client, "clusters", module.params))


def main():
    module = cloudtower_module(selection_argument_spec())
    execute(module, run)


if __name__ == "__main__":
    main()
