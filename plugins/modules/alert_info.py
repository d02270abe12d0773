#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: alert_info
short_description: List CloudTower alerts, grouped by severity
version_added: 1.0.0
description:
  - Lists CloudTower alerts selected by severity, open or ended, cluster, VM, host or a raw C(where) filter.
  - Returns them as a list and grouped by severity, with counts.
  - The texts of an alert (C(message), C(cause), C(impact), C(solution)) are in the language of O(language).
  - Every page is fetched unless O(limit) is set.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  severity:
    description:
      - Only alerts of these severities. C(NOTICE) is what CloudTower's UI calls a warning.
    type: list
    elements: str
    choices: [CRITICAL, NOTICE, INFO]
  ended:
    description:
      - V(false) lists the open alerts, V(true) the ended (resolved) ones.
    type: bool
    default: false
  cluster:
    description:
      - Names or ids of clusters; only alerts of these clusters.
      - Each value must be the name or id of a cluster, else the module fails, so that a misspelt name cannot pass an alert check.
    type: list
    elements: str
  vm:
    description:
      - The name or id of a VM; only alerts about this VM.
      - It must be the name or id of a VM, else the module fails.
    type: str
  node:
    description:
      - The name or id of a host (node); only alerts of this host.
      - Named O(node) because O(host) is the CloudTower address.
      - It must be the name or id of a host, else the module fails.
    type: str
  order_by:
    description:
      - CloudTower ordering, C(<field>_ASC) or C(<field>_DESC), for example C(severity_ASC).
    type: str
    default: local_start_time_DESC
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.info
  - smartx.cloudtower.cloudtower.listing
  - smartx.cloudtower.cloudtower.actiongroup
  - smartx.cloudtower.cloudtower.info_module
seealso:
  - module: smartx.cloudtower.alert
  - module: smartx.cloudtower.dashboard_info
"""

EXAMPLES = r"""
- name: Open critical alerts of a cluster, in Chinese
  smartx.cloudtower.alert_info:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    cluster:
      - cluster-elf-1
    severity:
      - CRITICAL
    language: zh-CN
  register: critical

- name: Open alerts about one VM, credentials from CLOUDTOWER_* environment variables
  smartx.cloudtower.alert_info:
    vm: web-1

- name: The 20 alerts that ended last
  smartx.cloudtower.alert_info:
    ended: true
    order_by: local_end_time_DESC
    limit: 20

- name: Fail when there is an open critical alert
  ansible.builtin.assert:
    that: critical.counts.critical == 0
    fail_msg: "{{ critical.by_severity.critical | map(attribute='message') | join('; ') }}"
"""

RETURN = r"""
alerts:
  description: The matching alerts, as CloudTower returns them (see the C(Alert) schema of the CloudTower API).
  returned: always
  type: list
  elements: dict
  sample:
    - id: cmg6y2k5b05c10958d0x7t0bq
      severity: CRITICAL
      message: Host cluster-elf-1-node-1 CPU usage is above 90%
      cause: The host runs more vCPU load than it can serve.
      impact: VMs on the host may respond slowly.
      solution: Migrate VMs away from the host or add hosts to the cluster.
      ended: false
      cluster:
        id: cmg6wngqb037g09586kbpoj03
        name: cluster-elf-1
      local_start_time: "2025-10-30T08:57:09.000Z"
by_severity:
  description: The alerts of RV(alerts) by severity. An alert of another severity is in none of the lists.
  returned: always
  type: dict
  contains:
    critical:
      description: The C(CRITICAL) alerts.
      type: list
      elements: dict
    notice:
      description: The C(NOTICE) (warning) alerts.
      type: list
      elements: dict
    info:
      description: The C(INFO) alerts.
      type: list
      elements: dict
counts:
  description: How many alerts of each severity, and in all.
  returned: always
  type: dict
  contains:
    critical:
      description: The number of C(CRITICAL) alerts.
      type: int
    notice:
      description: The number of C(NOTICE) alerts.
      type: int
    info:
      description: The number of C(INFO) alerts.
      type: int
    total:
      description: The number of alerts, whatever their severity.
      type: int
  sample:
    critical: 2
    notice: 1
    info: 0
    total: 3
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.dashboard import (
    SEVERITIES, alert_counts, alerts_by_severity, list_selected, require_matches, selection_argument_spec)
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import id_or_name_where


def run(module, client):
    params = module.params
    require_matches(client, "clusters", "cluster", params["cluster"], "cluster_info")
    require_matches(client, "vms", "VM", params["vm"], "vm_info")
    require_matches(client, "hosts", "host", params["node"], "host_info")
    alerts = list_selected(
        client, "alerts", params,
        {"ended": params["ended"]},
        {"severity_in": params["severity"]} if params["severity"] else None,
        {"vms_some": id_or_name_where(params["vm"])} if params["vm"] else None,
        {"host": id_or_name_where(params["node"])} if params["node"] else None,
    )
    return dict(changed=False, alerts=alerts, by_severity=alerts_by_severity(alerts), counts=alert_counts(alerts))


def main():
    module = cloudtower_module(selection_argument_spec(
        severity=dict(type="list", elements="str", choices=list(SEVERITIES)),
        ended=dict(type="bool", default=False),
        vm=dict(type="str"),
        node=dict(type="str"),
        order_by=dict(type="str", default="local_start_time_DESC"),
    ))
    execute(module, run)


if __name__ == "__main__":
    main()
