#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dashboard_info
short_description: The CloudTower dashboard figures of clusters
version_added: 1.0.0
description:
  - Computes the figures of CloudTower's dashboard for all clusters or the given ones, per cluster and in total
    CPU, memory, storage, HDD health and open alerts by severity.
  - "CPU: the SMTX OS clusters' total cores, total Hz, used Hz and usage."
  - "Memory: clusters on the VMware hypervisor count the cluster's C(total_memory_bytes) and C(used_memory_bytes);
    ELF clusters the sum over their hosts of C(total_memory_bytes), and of C(running_pause_vm_memory_bytes) + C(os_memory_bytes)
    as used memory. Clusters on another hypervisor count no memory."
  - "Storage: total (C(total_data_capacity)), used (C(used_data_space)), failure, also called invalid (C(failure_data_space)),
    and available (total - used - failure, never below 0) bytes."
  - "HDD health: error when C(health_status) is C(UNHEALTHY), C(SUBHEALTHY), C(SMART_FAILED) or C(SOFTWARE_RAID_FAILURE),
    or when it has no C(health_status) and C(healthy) is false; else warning when C(usage_status) is C(UNMOUNTED)
    or C(PARTIAL_MOUNTED); else healthy (a C(HEALTHY) disk is never an error)."
  - "Each figure is a number (C(value)) and a string (C(human)): bytes in steps of 1024 (B, KiB, MiB, GiB, TiB, PiB),
    Hz in steps of 1000 (Hz, KHz, MHz, GHz, THz), usages in percent (0 to 100), all with two decimals.
    A usage whose total is 0 is 0."
  - Reads clusters, hosts, HDDs and open alerts of all the selected clusters with one paged query each.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  cluster:
    description:
      - Names or ids of the clusters to compute. By default every cluster.
      - Each value must match a cluster's name or id, or the module fails.
    type: list
    elements: str
  where:
    description:
      - "A raw CloudTower C(ClusterWhereInput) that selects the clusters, such as C({hypervisor: ELF})."
      - Combined with O(cluster) by AND.
    type: dict
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.actiongroup
  - smartx.cloudtower.cloudtower.info_module
seealso:
  - module: smartx.cloudtower.cluster_info
  - module: smartx.cloudtower.alert_info
"""

EXAMPLES = r"""
- name: The dashboard of every cluster
  smartx.cloudtower.dashboard_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
  register: dashboard

- name: Show the totals
  ansible.builtin.debug:
    msg: >-
      CPU {{ dashboard.total.cpu.usage.human }} of {{ dashboard.total.cpu.total_hz.human }},
      memory {{ dashboard.total.memory.used.human }} of {{ dashboard.total.memory.total.human }},
      storage {{ dashboard.total.storage.available.human }} available,
      {{ dashboard.total.hdd.error }} failed HDDs, {{ dashboard.total.alerts.critical }} critical alerts

- name: Two clusters only, credentials from CLOUDTOWER_* environment variables
  smartx.cloudtower.dashboard_info:
    cluster:
      - cluster-elf-1
      - cluster-vmware-1

- name: Fail when a cluster's storage is more than 80% used
  ansible.builtin.assert:
    that: item.storage.usage.value <= 80
    fail_msg: "{{ item.name }} storage is {{ item.storage.usage.human }} used"
  loop: "{{ dashboard.clusters }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
clusters:
  description: The figures of each selected cluster, ordered by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The cluster id.
      type: str
    name:
      description: The cluster name.
      type: str
    type:
      description: The cluster type, such as C(SMTX_OS).
      type: str
    hypervisor:
      description: The cluster's hypervisor, such as C(ELF) or C(VMWARE).
      type: str
    version:
      description: The cluster's version.
      type: str
    hosts:
      description: The number of hosts of the cluster.
      type: int
    cpu:
      description:
        - C(cores) (a number), and C(total_hz), C(used_hz), C(usage), each a dict of C(value) and C(human).
        - V(null) for a cluster that is not C(SMTX_OS).
      type: dict
    memory:
      description:
        - C(total), C(used), C(free) and C(usage), each a dict of C(value) and C(human); C(source) is V(cluster) or V(hosts).
        - V(null) for a cluster on neither the VMware nor the ELF hypervisor.
      type: dict
    storage:
      description: C(total), C(used), C(failure), C(available) and C(usage), each a dict of C(value) and C(human).
      type: dict
    hdd:
      description: The numbers of C(healthy), C(warning) and C(error) HDDs, and their C(total).
      type: dict
    alerts:
      description: The numbers of open C(critical), C(notice) and C(info) alerts, and their C(total).
      type: dict
  sample:
    - id: cmg6wngqb037g09586kbpoj03
      name: cluster-elf-1
      type: SMTX_OS
      hypervisor: ELF
      version: 6.1.0
      hosts: 3
      cpu:
        cores: 96
        total_hz: {value: 230400000000, human: 230.40 GHz}
        used_hz: {value: 69120000000, human: 69.12 GHz}
        usage: {value: 30.0, human: 30.00%}
      memory:
        source: hosts
        total: {value: 1649267441664, human: 1.50 TiB}
        used: {value: 103079215104, human: 96.00 GiB}
        free: {value: 1546188226560, human: 1.41 TiB}
        usage: {value: 6.25, human: 6.25%}
      storage:
        total: {value: 96018758664192, human: 87.33 TiB}
        used: {value: 28805627599257, human: 26.20 TiB}
        failure: {value: 16003126444032, human: 14.55 TiB}
        available: {value: 51210004620903, human: 46.58 TiB}
        usage: {value: 30.0, human: 30.00%}
      hdd: {healthy: 10, warning: 0, error: 2, total: 12}
      alerts: {critical: 2, notice: 1, info: 1, total: 4}
total:
  description:
    - The same figures (without C(id), C(name), C(type), C(hypervisor), C(version) and C(memory.source)) for all the selected clusters together,
      plus C(clusters), their number. C(cpu) and C(memory) are never V(null) here.
    - With no cluster selected every figure is 0.
  returned: always
  type: dict
  sample:
    clusters: 3
    hosts: 9
    cpu:
      cores: 288
      total_hz: {value: 691200000000, human: 691.20 GHz}
      used_hz: {value: 262656000000, human: 262.66 GHz}
      usage: {value: 38.0, human: 38.00%}
    hdd: {healthy: 31, warning: 2, error: 3, total: 36}
    alerts: {critical: 5, notice: 5, info: 5, total: 15}
alerts:
  description: The open alerts of the selected clusters by severity, C(critical), C(notice) and C(info), as CloudTower returns them.
  returned: always
  type: dict
  contains:
    critical:
      description: The open C(CRITICAL) alerts.
      type: list
      elements: dict
    notice:
      description: The open C(NOTICE) (warning) alerts.
      type: list
      elements: dict
    info:
      description: The open C(INFO) alerts.
      type: list
      elements: dict
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.dashboard import load_dashboard
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute


def run(module, client):
    result = load_dashboard(client, cluster=module.params["cluster"], where=module.params["where"])
    result["changed"] = False
    return result


def main():
    module = cloudtower_module(dict(
        cluster=dict(type="list", elements="str"),
        where=dict(type="dict"),
    ))
    execute(module, run)


if __name__ == "__main__":
    main()
