#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vm_info
short_description: List CloudTower virtual machines
version_added: 1.0.0
description:
  - Lists the VMs of CloudTower that match a name, an id, a cluster or a raw C(where) filter, as CloudTower returns them.
  - Every page is fetched unless O(limit) is set.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  name:
    description:
      - The VM name (exact match).
    type: str
  id:
    description:
      - The VM id.
    type: str
  cluster:
    description:
      - The name or id of the cluster the VMs are in.
    type: str
  where:
    description:
      - 'A CloudTower C(VmWhereInput) filter, such as C({status: RUNNING, vcpu_gte: 4}) or C({labels_some: {key: env, value: prod}}).'
      - Combined with O(name), O(id) and O(cluster) by AND.
    type: dict
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.listing
  - smartx.cloudtower.cloudtower.actiongroup
  - smartx.cloudtower.cloudtower.info_module
"""

EXAMPLES = r"""
- name: Every VM of a cluster
  smartx.cloudtower.vm_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    cluster: cluster-elf-1
  register: cluster_vms

- name: One VM by name, credentials from CLOUDTOWER_* environment variables
  smartx.cloudtower.vm_info:
    name: web-1

- name: Running production VMs with at least 4 vCPUs, biggest first
  smartx.cloudtower.vm_info:
    where:
      status: RUNNING
      vcpu_gte: 4
      labels_some:
        key: env
        value: prod
    order_by: vcpu_DESC
    limit: 10
"""

RETURN = r"""
vms:
  description: The matching VMs, as CloudTower returns them (see the C(Vm) schema of the CloudTower API).
  returned: always
  type: list
  elements: dict
  sample:
    - id: cmg6y13w6055h0958o1afczt5
      name: web-1
      status: RUNNING
      vm_tools_status: RUNNING
      vcpu: 4
      memory: 8589934592
      cluster:
        id: cmg6wngqb037g09586kbpoj03
        name: cluster-elf-1
      ips: 192.168.10.11
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import listing_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import vm_selection_where


def run(module, client):
    params = module.params
    where = vm_selection_where(name=params["name"], vm_id=params["id"], cluster=params["cluster"], where=params["where"])
    vms = client.list_records("vms", where=where, order_by=params["order_by"], page_size=params["page_size"], limit=params["limit"])
    return dict(changed=False, vms=vms)


def main():
    module = cloudtower_module(dict(
        name=dict(type="str"),
        id=dict(type="str"),
        cluster=dict(type="str"),
        where=dict(type="dict"),
        **listing_argument_spec()
    ))
    execute(module, run)


if __name__ == "__main__":
    main()
