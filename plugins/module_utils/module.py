# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module does around its ``run()``: build the AnsibleModule and the client, report errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import cloudtower_argument_spec
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, CloudTowerClient, CloudTowerError)
from ansible_collections.smartx.cloudtower.plugins.module_utils.tasks import TaskWaiter


def cloudtower_module(argument_spec, **kwargs):
    """An AnsibleModule with the connection options added to ``argument_spec``; check mode is always supported."""
    module = AnsibleModule(argument_spec=cloudtower_argument_spec(**argument_spec), supports_check_mode=True, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    return module


def execute(module, run):
    """Call ``run(module, client)`` and exit with the dict it returns; a CloudTowerError becomes a clear failure.

    ``run`` may always return a ``diff``; it is kept only in diff mode.
    """
    try:
        client = CloudTowerClient.from_options(module.params)
        result = run(module, client)
    except CloudTowerError as exc:
        result = dict(changed=False)
        result.update(exc.result)
        _keep_diff_in_diff_mode(module, result)
        module.fail_json(msg=exc.message, error=exc.details(), **result)
    _keep_diff_in_diff_mode(module, result)
    module.exit_json(**result)


def _keep_diff_in_diff_mode(module, result):
    if not module._diff:
        result.pop("diff", None)


def waiter_for(module, client):
    """The task waiter with the module's ``timeout``."""
    return TaskWaiter(client, timeout=module.params["timeout"])
