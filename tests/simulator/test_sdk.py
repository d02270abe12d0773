"""Conformance with the official Python SDK (cloudtower-sdk from PyPI), used unmodified."""

import time

import pytest

cloudtower = pytest.importorskip("cloudtower")
from cloudtower import ApiClient, Configuration  # noqa: E402
from cloudtower.api import AlertApi, TaskApi, VmApi, VmSnapshotApi  # noqa: E402
from cloudtower.exceptions import ApiException  # noqa: E402
from cloudtower.utils import login, wait_task, wait_tasks  # noqa: E402


@pytest.fixture
def client(api):
    """An SDK client logged in with the SDK's own helper (the ``api`` fixture has reset the simulator)."""
    sdk = ApiClient(Configuration(host=api.base))
    login(sdk, "admin", "cloudtower")
    return sdk


def test_login_sources(api):
    ldap = ApiClient(Configuration(host=api.base))
    login(ldap, "ldapuser", "ldappass", source="LDAP")
    assert VmApi(ldap).get_vms_connection({"where": {}}).aggregate.count > 0
    with pytest.raises(ApiException) as failure:
        login(ApiClient(Configuration(host=api.base)), "admin", "wrong")
    assert failure.value.status == 400


def test_list_vms_with_where_and_paging(client):
    vm_api = VmApi(client)
    where = {"name_starts_with": "vm-", "status": "RUNNING"}
    total = vm_api.get_vms_connection({"where": where}).aggregate.count
    names, cursor = [], None
    while True:
        body = {"where": where, "orderBy": "name_ASC", "first": 10}
        if cursor:
            body["after"] = cursor
        page = vm_api.get_vms(body)
        if not page:
            break
        names += [vm.name for vm in page]
        cursor = page[-1].id
    assert len(names) == total > 10 and names == sorted(names)
    second = vm_api.get_vms({"where": where, "orderBy": "name_ASC", "skip": 10, "first": 5})
    assert [vm.name for vm in second] == names[10:15]
    web = vm_api.get_vms({"where": {"cluster": {"name": "cluster-elf-1"}, "labels_some": {"key": "app", "value": "web"}, "name": "web-1"}})
    assert len(web) == 1 and web[0].cluster.name == "cluster-elf-1" and web[0].entity_async_status is None


def test_stop_and_start_with_wait_task(client):
    vm_api = VmApi(client)
    vm = vm_api.get_vms({"where": {"name": "web-1"}})[0]
    result = vm_api.shut_down_vm({"where": {"id": vm.id}})
    assert result[0].data.entity_async_status == "UPDATING"
    wait_task(result[0].task_id, client, interval=0.05, timeout=10)
    deadline = time.time() + 5
    while vm_api.get_vms({"where": {"id": vm.id}})[0].status != "STOPPED":
        assert time.time() < deadline, "the guest never stopped"
        time.sleep(0.05)
    started = vm_api.start_vm({"where": {"id": vm.id}})
    wait_tasks([entry.task_id for entry in started], client, interval=0.05, timeout=10)
    assert vm_api.get_vms({"where": {"id": vm.id}})[0].status == "RUNNING"
    again = vm_api.start_vm({"where": {"id": vm.id}})
    with pytest.raises(ApiException) as failure:
        wait_task(again[0].task_id, client, interval=0.05, timeout=10)
    assert failure.value.status == 500 and "already RUNNING" in failure.value.reason


def test_create_snapshot(client):
    vm = VmApi(client).get_vms({"where": {"name": "web-1"}})[0]
    snapshot_api = VmSnapshotApi(client)
    created = snapshot_api.create_vm_snapshot({"data": [{"vm_id": vm.id, "name": "sdk-snapshot", "consistent_type": "FILE_SYSTEM_CONSISTENT"}]})
    wait_task(created[0].task_id, client, interval=0.05, timeout=10)
    snapshot = snapshot_api.get_vm_snapshots({"where": {"id": created[0].data.id}})[0]
    disks = [disk for disk in snapshot.vm_disks if disk.type == "DISK"]
    assert snapshot.name == "sdk-snapshot" and snapshot.consistent_type == "FILE_SYSTEM_CONSISTENT" and disks
    task = TaskApi(client).get_tasks({"where": {"id": created[0].task_id}})[0]
    assert task.status == "SUCCESSED" and task.progress == 1.0


def test_alerts_in_chinese(client):
    alerts = AlertApi(client).get_alerts({"where": {"severity": "CRITICAL"}}, content_language="zh-CN")
    assert alerts and all(any("\u4e00" <= char <= "\u9fff" for char in alert.message) for alert in alerts)
    english = AlertApi(client).get_alerts({"where": {"severity": "CRITICAL"}})
    assert [alert.id for alert in english] == [alert.id for alert in alerts]
    assert english[0].message != alerts[0].message
