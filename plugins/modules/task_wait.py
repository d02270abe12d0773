#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: task_wait
short_description: Wait for CloudTower tasks to end
version_added: 1.0.0
description:
  - Waits until every given CloudTower task has ended, polling C(get-tasks) once per round for all of them.
  - Use it after modules run with O(smartx.cloudtower.vm_power#module:wait=false), to start many changes and wait once.
  - Fails when a task ends C(FAILED), with the task's error, or when tasks are still running after O(timeout).
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  task_ids:
    description:
      - The ids of the tasks to wait for. Empty values are ignored.
    type: list
    elements: str
    required: true
  timeout:
    description:
      - Seconds to wait for all the tasks.
    type: float
    default: 300
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower
  - smartx.cloudtower.cloudtower.actiongroup
attributes:
  check_mode:
    description: The module changes nothing; it waits in check mode too.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: none
"""

EXAMPLES = r"""
- name: Start every VM of a cluster without waiting
  smartx.cloudtower.vm_power:
    where:
      cluster:
        name: cluster-elf-1
    state: running
    wait: false
  register: started

- name: Wait for all of them at once
  smartx.cloudtower.task_wait:
    task_ids: "{{ started.tasks | map(attribute='id') | list }}"
    timeout: 600
"""

RETURN = r"""
tasks:
  description: The tasks, in the order of O(task_ids), as they ended.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    status:
      description: C(SUCCESSED) or C(FAILED) (or the last status seen, on failure).
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
"""

from ansible_collections.smartx.cloudtower.plugins.module_utils.module import cloudtower_module, execute
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import TaskError, TaskWaiter, summarize_task


def run(module, client):
    waiter = TaskWaiter(client, timeout=module.params["timeout"])
    try:
        tasks = waiter.wait(module.params["task_ids"])
    except TaskError as exc:
        exc.result["tasks"] = [summarize_task(task) for task in exc.tasks]
        raise
    return dict(changed=False, tasks=[summarize_task(task) for task in tasks])


def main():
    module = cloudtower_module(dict(
        task_ids=dict(type="list", elements="str", required=True),
        timeout=dict(type="float", default=300),
    ))
    execute(module, run)


if __name__ == "__main__":
    main()
