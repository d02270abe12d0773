# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""vm_power end to end in-process, HTTP mocked at the transport: options, check mode, diff, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import requests
import responses

from ansible_collections.smartx.cloudtower.plugins.modules import vm_power

API = "https://tower.example.com/v2/api"
ARGS = dict(host="tower.example.com", username="admin", password="s3cr3t-pw")
DB1 = {"id": "vm-db", "name": "db-1", "status": "STOPPED", "cluster": {"id": "c1", "name": "cluster-elf-1"}, "entityAsyncStatus": None,
       "in_recycle_bin": False, "internal": False}
APP = dict(DB1, id="vm-app", name="app-suspended", status="SUSPENDED")


def select_by_name(api, vms):
    """The login and the one read of a selection by name."""
    api.add(responses.POST, API + "/login", json={"task_id": None, "data": {"token": "tok"}})
    api.add(responses.POST, API + "/get-vms", json=vms)


def test_name_and_id_together_are_refused_before_any_call(run_module):
    with responses.RequestsMock() as api:
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", id="vm-db", state="running"))
        assert len(api.calls) == 0
    assert failed and "mutually exclusive" in result["msg"] and "name" in result["msg"] and "id" in result["msg"]


def test_a_selection_is_required(run_module):
    with responses.RequestsMock() as api:
        failed, result = run_module(vm_power, dict(ARGS, state="running"))
        assert len(api.calls) == 0
    assert failed and "name, id, where" in result["msg"]


def test_unknown_state_is_refused(run_module):
    failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="off"))
    assert failed and "state" in result["msg"] and "powered_off" in result["msg"]


def test_check_mode_with_diff_reads_only(run_module):
    with responses.RequestsMock() as api:
        select_by_name(api, [DB1])
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="running", _ansible_check_mode=True, _ansible_diff=True))
        operations = [call.request.url.rsplit("/", 1)[1] for call in api.calls]
    assert operations == ["login", "get-vms"]
    assert not failed and result["changed"] is True
    assert result["vms"] == [dict(id="vm-db", name="db-1", cluster="cluster-elf-1", status_before="STOPPED", status_after="RUNNING",
                                  changed=True, operations=["start-vm"], task_ids=[])]
    assert result["diff"] == dict(before=dict(vms=[dict(id="vm-db", name="db-1", status="STOPPED")]),
                                  after=dict(vms=[dict(id="vm-db", name="db-1", status="RUNNING")]))


def test_start_waits_for_the_task_and_reads_the_status_after(run_module):
    running = dict(DB1, status="RUNNING")
    with responses.RequestsMock() as api:
        select_by_name(api, [DB1])
        api.add(responses.POST, API + "/start-vm", json=[{"task_id": "t1", "data": {"id": "vm-db"}}])
        api.add(responses.POST, API + "/get-tasks", json=[{"id": "t1", "status": "SUCCESSED", "resource_id": "vm-db"}])
        api.add(responses.POST, API + "/get-vms", json=[running])
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="running"))
        start_body = json.loads(api.calls[2].request.body)
    assert not failed and result["changed"] is True and "diff" not in result
    assert start_body == {"where": {"id_in": ["vm-db"]}}
    assert result["vms"][0]["status_after"] == "RUNNING" and result["vms"][0]["task_ids"] == ["t1"]
    assert result["tasks"][0]["id"] == "t1" and result["tasks"][0]["status"] == "SUCCESSED"


def test_a_refused_transition_fails_with_the_vms(run_module):
    with responses.RequestsMock() as api:
        select_by_name(api, [DB1])
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="suspended"))
    assert failed and "only a running VM can be suspended" in result["msg"]
    assert result["vms"][0]["id"] == "vm-db" and result["changed"] is False and "diff" not in result


def test_unknown_vm_fails_clearly(run_module):
    with responses.RequestsMock() as api:
        select_by_name(api, [])
        failed, result = run_module(vm_power, dict(ARGS, name="nope", cluster="cluster-elf-1", state="running"))
    assert failed and result["msg"] == "VM 'nope' not found in cluster 'cluster-elf-1'."


def operations_of(api):
    return [call.request.url.rsplit("/", 1)[1] for call in api.calls]


def test_a_lost_answer_to_a_start_reports_a_possible_change(run_module):
    with responses.RequestsMock() as api:
        select_by_name(api, [DB1])
        api.add(responses.POST, API + "/start-vm", body=requests.exceptions.ConnectionError("Connection aborted"))
        api.add(responses.POST, API + "/get-vms", json=[dict(DB1, status="RUNNING")])
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="running"))
        operations = operations_of(api)
    assert operations == ["login", "get-vms", "start-vm", "get-vms"]
    assert failed and result["changed"] is True
    assert "Connection aborted" in result["msg"] and "may have applied start-vm to 'db-1'" in result["msg"]
    assert "Running the task again is safe" in result["msg"]
    assert result["vms"][0]["changed"] is True and result["vms"][0]["status_after"] == "RUNNING"
    assert result["error"]["operation"] == "start-vm" and result["error"]["status"] is None


def test_a_server_error_on_the_second_call_still_waits_for_the_first(run_module):
    error_body = {"path": "/resume-vm", "status": 500, "message": "internal error"}
    with responses.RequestsMock() as api:
        api.add(responses.POST, API + "/login", json={"task_id": None, "data": {"token": "tok"}})
        api.add(responses.POST, API + "/get-vms", json=[APP, DB1])
        api.add(responses.POST, API + "/start-vm", json=[{"task_id": "t1", "data": {"id": "vm-db"}}])
        api.add(responses.POST, API + "/resume-vm", status=500, json=error_body)
        api.add(responses.POST, API + "/get-tasks", json=[{"id": "t1", "status": "SUCCESSED", "resource_id": "vm-db"}])
        api.add(responses.POST, API + "/get-vms", json=[APP, dict(DB1, status="RUNNING")])
        failed, result = run_module(vm_power, dict(ARGS, where={"name_in": ["db-1", "app-suspended"]}, state="running"))
        operations = operations_of(api)
    assert operations == ["login", "get-vms", "start-vm", "resume-vm", "get-tasks", "get-vms"]
    assert failed and result["changed"] is True
    assert "HTTP 500: internal error" in result["msg"] and "may have applied resume-vm to 'app-suspended'" in result["msg"]
    assert result["error"]["status"] == 500 and result["error"]["operation"] == "resume-vm"
    vms = dict((vm["name"], vm) for vm in result["vms"])
    assert vms["db-1"]["changed"] is True and vms["db-1"]["status_after"] == "RUNNING"
    assert vms["app-suspended"]["changed"] is True and vms["app-suspended"]["status_after"] == "SUSPENDED"
    assert result["tasks"] == [dict(id="t1", status="SUCCESSED", description=None, progress=None, error_code=None, error_message=None,
                                    resource_id="vm-db", finished_at=None)]


def test_a_namesake_in_the_recycle_bin_is_left_out_of_a_name(run_module):
    with responses.RequestsMock() as api:
        select_by_name(api, [dict(DB1, id="vm-binned", in_recycle_bin=True), dict(DB1, status="RUNNING")])
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="running"))
        operations = operations_of(api)
    assert operations == ["login", "get-vms"]
    assert not failed and result["changed"] is False
    assert [vm["id"] for vm in result["vms"]] == ["vm-db"]


def test_a_name_only_in_the_recycle_bin_is_refused_saying_so(run_module):
    with responses.RequestsMock() as api:
        select_by_name(api, [dict(DB1, in_recycle_bin=True)])
        failed, result = run_module(vm_power, dict(ARGS, name="db-1", state="running"))
        vms_where = json.loads(api.calls[1].request.body)["where"]
    assert vms_where == {"name": "db-1"}
    assert failed and "is in the recycle bin" in result["msg"] and result["changed"] is False
