# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's main() in-process and read what it printed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils.common.text.converters import to_bytes
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))):
            yield


@pytest.fixture
def run_module(capsys, monkeypatch):
    """``run_module(module, args)`` -> (failed, result) as the module printed it; CLOUDTOWER_* env is cleared first."""
    for name in ("CLOUDTOWER_HOST", "CLOUDTOWER_USERNAME", "CLOUDTOWER_PASSWORD", "CLOUDTOWER_TOKEN", "CLOUDTOWER_LANGUAGE",
                 "CLOUDTOWER_USER_SOURCE", "CLOUDTOWER_VALIDATE_CERTS", "CLOUDTOWER_CA_PATH", "CLOUDTOWER_TIMEOUT", "CLOUDTOWER_REQUEST_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)

    def run(module, args):
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        result = json.loads(capsys.readouterr().out)
        return bool(result.get("failed")), result
    return run
