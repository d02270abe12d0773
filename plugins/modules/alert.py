#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: alert
short_description: Resolve CloudTower alerts
version_added: 1.0.0
description:
  - Marks CloudTower alerts as resolved (ended) with C(resolve-alert), selected by id or by a raw C(where) filter.
  - Idempotent. Alerts that have already ended are left alone; when every selected alert has ended nothing is sent
    and the task is not changed.
  - All the open alerts selected are resolved with one C(resolve-alert) call.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  state:
    description:
      - V(resolved) ends the selected alerts.
    type: str
    choices: [resolved]
    default: resolved
  ids:
    description:
      - The ids of the alerts. Every id must exist, or the module fails without changing anything.
    type: list
    elements: str
  where:
    description:
      - "A CloudTower C(AlertWhereInput) that selects the alerts, such as C({severity: INFO, cluster: {name: cluster-elf-1}})."
      - Combined with O(ids) by AND. Matching no alert is not an error.
      - Without O(ids) only open alerts are read (and returned in RV(alerts)). An empty O(where) is refused, because it would resolve
        every open alert of CloudTower.
    type: dict
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.wait
  - smartx.cloudtower.cloudtower.actiongroup
attributes:
  check_mode:
    description: Reports which alerts would be resolved and sends nothing.
    support: full
  diff_mode:
    description: Shows C(ended) of each selected alert before and after.
    support: full
notes:
  - O(state=resolved) cannot be undone; CloudTower has no operation that reopens an alert.
seealso:
  - module: smartx.cloudtower.alert_info
"""

EXAMPLES = r"""
- name: Resolve two alerts by id
  smartx.cloudtower.alert:
    host: tower.example.com
    username: admin
    password: "{{ cloudtower_password }}"
    ids:
      - cmg6y2k5b05c10958d0x7t0bq
      - cmg6y2k5b05c20958h3k1s9zd
    state: resolved

- name: Resolve every open INFO alert of a cluster (credentials from CLOUDTOWER_* environment variables)
  smartx.cloudtower.alert:
    where:
      severity: INFO
      cluster:
        name: cluster-elf-1
  register: resolved

- name: Resolve what alert_info found
  smartx.cloudtower.alert:
    ids: "{{ found.alerts | map(attribute='id') | list }}"
  when: found.alerts | length > 0
"""

RETURN = r"""
resolved:
  description: The ids of the alerts that were open and were resolved (in check mode, would be resolved).
  returned: always
  type: list
  elements: str
  sample: [cmg6y2k5b05c10958d0x7t0bq]
alerts:
  description:
    - The selected alerts. After a change with O(wait=true), as CloudTower returns them once the tasks ended; otherwise as they were before.
  returned: always
  type: list
  elements: dict
tasks:
  description: The tasks of C(resolve-alert), as they ended (with O(wait=true)) or as started (with O(wait=false)). Empty when nothing was sent.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    status:
      description: The task status.
      type: str
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import wait_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute, waiter_for
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import combine_where
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import TaskError, TaskFailedError, change_may_have_happened, summarize_task, task_ids


def _ended_by_id(alerts):
    return dict((alert["id"], bool(alert.get("ended"))) for alert in alerts)


def run(module, client):
    params = module.params
    ids = [value for value in params["ids"] or [] if value]
    if not ids and not params["where"]:
        # An empty where would select every alert of CloudTower, and resolving cannot be undone.
        raise CloudTowerError("No alert selected: ids is empty and where is empty or missing. Give the ids of the alerts to resolve, "
                              "or a where with at least one condition.")
    # By ids, every given alert must exist (ended or not); by where, only the open ones are of interest.
    where = combine_where({"id_in": ids} if ids else {"ended": False}, params["where"])
    alerts = client.list_records("alerts", where=where, order_by="local_start_time_DESC")
    if ids:
        found = set(alert["id"] for alert in alerts)
        missing = [value for value in ids if value not in found]
        if missing:
            raise CloudTowerError("No alert has the id %s%s; nothing was resolved. The alert_info module lists alerts and their ids." % (
                ", ".join(missing), " (together with where)" if params["where"] else ""))
    to_resolve = [alert["id"] for alert in alerts if not alert.get("ended")]
    before = _ended_by_id(alerts)
    result = dict(changed=bool(to_resolve), resolved=to_resolve, alerts=alerts, tasks=[],
                  diff=dict(before=dict(alerts=before), after=dict(alerts=dict((key, True) for key in before))))
    if not to_resolve or module.check_mode:
        return result

    try:
        answers = client.call("resolve-alert", {"where": {"id_in": to_resolve}})
    except CloudTowerError as exc:
        result["changed"] = change_may_have_happened(exc)
        exc.result.update(result)
        raise
    started = task_ids(answers)
    result["tasks"] = [dict(id=task_id, status=None) for task_id in started]
    if not params["wait"]:
        return result
    if started:
        try:
            result["tasks"] = [summarize_task(task) for task in waiter_for(module, client).wait(started)]
        except TaskFailedError as exc:
            # Every task has ended: only those that succeeded changed an alert.
            result["tasks"] = [summarize_task(task) for task in exc.tasks]
            result["changed"] = any(task.get("status") == "SUCCESSED" for task in exc.tasks)
            exc.result.update(result)
            raise
        except TaskError as exc:
            # Still running, or not readable: the alerts may yet end, so report the change.
            result["tasks"] = [summarize_task(task) for task in exc.tasks]
            exc.result.update(result)
            raise
    result["alerts"] = client.list_records("alerts", where={"id_in": [alert["id"] for alert in alerts]}, order_by="local_start_time_DESC")
    return result


def main():
    spec = wait_argument_spec()
    spec.update(
        state=dict(type="str", choices=["resolved"], default="resolved"),
        ids=dict(type="list", elements="str"),
        where=dict(type="dict"),
    )
    module = cloudtower_module(spec, required_one_of=[("ids", "where")])
    execute(module, run)


if __name__ == "__main__":
    main()
