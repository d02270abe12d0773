# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""vm_info end to end in-process, HTTP mocked at the transport: the model for module tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import responses

from ansible_collections.smartx.cloudtower.plugins.modules import vm_info

API = "https://tower.example.com/v2/api"
ARGS = dict(host="tower.example.com", username="admin", password="s3cr3t-pw")


def test_filters_are_combined_and_every_page_is_read(run_module):
    with responses.RequestsMock() as api:
        api.add(responses.POST, API + "/login", json={"task_id": None, "data": {"token": "tok"}})
        api.add(responses.POST, API + "/get-vms", json=[{"id": "a", "name": "web-1"}, {"id": "b", "name": "web-1"}])
        api.add(responses.POST, API + "/get-vms", json=[{"id": "c", "name": "web-1"}])
        failed, result = run_module(vm_info, dict(ARGS, name="web-1", cluster="c1", where={"status": "RUNNING"}, page_size=2))
        body = json.loads(api.calls[1].request.body)
    assert not failed and result["changed"] is False
    assert [vm["id"] for vm in result["vms"]] == ["a", "b", "c"]
    assert body["where"] == {"AND": [{"name": "web-1"}, {"cluster": {"OR": [{"id": "c1"}, {"name": "c1"}]}}, {"status": "RUNNING"}]}
    assert body["orderBy"] == "name_ASC"


def test_environment_fallbacks_supply_the_connection(run_module, monkeypatch):
    monkeypatch.setenv("CLOUDTOWER_HOST", "http://tower.example.com")
    monkeypatch.setenv("CLOUDTOWER_TOKEN", "env-token")
    monkeypatch.setenv("CLOUDTOWER_LANGUAGE", "zh-CN")
    with responses.RequestsMock() as api:
        api.add(responses.POST, "http://tower.example.com/v2/api/get-vms", json=[])
        failed, result = run_module(vm_info, dict(limit=1))
        headers = api.calls[0].request.headers
    assert not failed and result["vms"] == []
    assert headers["Authorization"] == "env-token"
    assert headers["content-language"] == "zh-CN"


def test_api_error_is_a_clear_failure_without_secrets(run_module):
    with responses.RequestsMock() as api:
        api.add(responses.POST, API + "/login", status=400, json={"path": "/login", "status": 400, "message": "wrong password"})
        failed, result = run_module(vm_info, dict(ARGS, name="web-1"))
    assert failed
    assert result["msg"] == "CloudTower rejected the login for user admin (source LOCAL): wrong password"
    assert result["error"]["status"] == 400 and result["error"]["operation"] == "login"
    assert "s3cr3t-pw" not in json.dumps(result)


def test_unknown_language_is_refused_before_any_call(run_module):
    with responses.RequestsMock() as api:
        failed, result = run_module(vm_info, dict(ARGS, language="fr-FR"))
        assert len(api.calls) == 0
    assert failed and "language" in result["msg"] and "en-US" in result["msg"]


def test_missing_requests_gives_ansibles_missing_library_message(run_module, monkeypatch):
    from ansible_collections.smartx.cloudtower.plugins.module_utils import module as module_glue
    monkeypatch.setattr(module_glue, "HAS_REQUESTS", False)
    failed, result = run_module(vm_info, dict(ARGS, name="web-1"))
    assert failed
    assert "Failed to import the required Python library (requests)" in result["msg"]
