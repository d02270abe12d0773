#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: host_info
short_description: List the hosts of CloudTower clusters
version_added: 1.0.0
description:
  - Lists the hosts (nodes) of the clusters CloudTower manages, selected by cluster or by a raw C(where) filter, as CloudTower returns them.
  - Every page is fetched unless O(limit) is set.
author:
  - SmartX CloudTower collection maintainers (@smartx)
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.info
  - smartx.cloudtower.cloudtower.listing
  - smartx.cloudtower.cloudtower.actiongroup
  - smartx.cloudtower.cloudtower.info_module
seealso:
  - module: smartx.cloudtower.cluster_info
  - module: smartx.cloudtower.disk_info
"""

EXAMPLES = r"""
- name: Every host of two clusters
  smartx.cloudtower.host_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    cluster:
      - cluster-elf-1
      - cluster-vmware-1
  register: hosts

- name: Hosts that are not healthy, credentials from CLOUDTOWER_* environment variables
  smartx.cloudtower.host_info:
    where:
      status_not: CONNECTED_HEALTHY

- name: The five hosts with the most memory
  smartx.cloudtower.host_info:
    order_by: total_memory_bytes_DESC
    limit: 5
"""

RETURN = r"""
hosts:
  description: The matching hosts, as CloudTower returns them (see the C(Host) schema of the CloudTower API).
  returned: always
  type: list
  elements: dict
  sample:
    - id: cmg6y0tf004ib0958x1ds1v8d
      name: cluster-elf-1-node-1
      management_ip: 10.0.1.21
      status: CONNECTED_HEALTHY
      cluster:
        id: cmg6wngqb037g09586kbpoj03
        name: cluster-elf-1
      total_cpu_cores: 32
      total_memory_bytes: 549755813888
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.dashboard import list_selected, selection_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute


def run(module, client):
    return dict(changed=False, hosts=list_selected(client, "hosts", module.params))


def main():
    module = cloudtower_module(selection_argument_spec())
    execute(module, run)


if __name__ == "__main__":
    main()
