"""The collection's client and task waiter against the simulator over real HTTP and TLS.

The unit tests mock HTTP at the transport; these prove the same code against a server:
certificate checks with a CA path, retries of reads, no retry of mutations, re-login, languages.
"""

import os
import sys

import pytest

from conftest import REPO_ROOT, start_simulator, stop_simulator


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """Import the collection as ansible_collections.smartx.cloudtower from this checkout."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "smartx").mkdir(parents=True)
    os.symlink(REPO_ROOT, str(root / "ansible_collections" / "smartx" / "cloudtower"))
    sys.path.insert(0, str(root))
    from ansible_collections.smartx.cloudtower.plugins.module_utils import client, tasks
    yield client, tasks
    sys.path.remove(str(root))


@pytest.fixture(scope="module")
def tls_simulator():
    process, url, lines = start_simulator("--tls", "--vms", "5")
    ca_path = [line.split(":", 1)[1].strip() for line in lines if line.startswith("CA certificate:")][0]
    yield url, ca_path
    stop_simulator(process)


@pytest.fixture
def live(simulator_url, api):
    """The shared HTTP simulator, reset, with an empty request log."""
    api.control("POST", "reset", {})
    api.control("DELETE", "requests")
    return simulator_url


def operations(api):
    return [entry["operation"] for entry in api.control("GET", "requests")["requests"]]


def test_tls_with_the_ca_path(collection, tls_simulator):
    client, _ = collection
    url, ca_path = tls_simulator
    tower = client.CloudTowerClient(host=url, username="admin", password="cloudtower", ca_path=ca_path)
    assert tower.base_url == url
    assert len(tower.list_records("vms", where={"name": "web-1"})) == 1


def test_tls_without_the_ca_fails_and_says_what_to_do(collection, tls_simulator):
    client, _ = collection
    url, _ = tls_simulator
    tower = client.CloudTowerClient(host=url, username="admin", password="cloudtower")
    with pytest.raises(client.CloudTowerError) as info:
        tower.call("get-vms", {})
    assert "certificate" in info.value.message.lower()
    assert "ca_path" in info.value.message and "validate_certs" in info.value.message


def test_tls_check_can_be_switched_off(collection, tls_simulator):
    client, _ = collection
    url, _ = tls_simulator
    tower = client.CloudTowerClient(host=url.replace("https://", "").replace("/v2/api", ""), username="admin", password="cloudtower", validate_certs=False)
    assert tower.base_url.startswith("https://")
    assert tower.count("vms", {"name": "web-1"}) == 1


def test_reads_survive_gateway_errors(collection, live, api):
    client, _ = collection
    api.control("POST", "faults", {"operation": "get-vms", "times": 2, "kind": "http", "status": 503})
    tower = client.CloudTowerClient(host=live, username="admin", password="cloudtower")
    assert [vm["name"] for vm in tower.list_records("vms", where={"name": "web-1"})] == ["web-1"]
    assert operations(api).count("get-vms") == 3


def test_a_lost_mutation_answer_is_not_repeated(collection, live, api):
    client, _ = collection
    api.control("POST", "faults", {"operation": "start-vm", "times": 1, "kind": "drop_after"})
    tower = client.CloudTowerClient(host=live, username="admin", password="cloudtower")
    with pytest.raises(client.CloudTowerError) as info:
        tower.call("start-vm", {"where": {"name": "db-1"}})
    assert live.split("/v2/api")[0] in info.value.message
    assert operations(api).count("start-vm") == 1


def test_revoked_tokens_mean_one_new_login(collection, live, api):
    client, _ = collection
    tower = client.CloudTowerClient(host=live, username="admin", password="cloudtower")
    tower.count("vms")
    api.control("POST", "revoke-tokens", {})
    tower.count("vms")
    assert operations(api) == ["login", "get-vms-connection", "get-vms-connection", "login", "get-vms-connection"]


def test_ldap_user_logs_in_with_its_source(collection, live):
    client, _ = collection
    assert client.CloudTowerClient(host=live, username="ldapuser", password="ldappass", user_source="LDAP").count("vms") > 0
    with pytest.raises(client.CloudTowerError) as info:
        client.CloudTowerClient(host=live, username="ldapuser", password="ldappass").count("vms")
    assert info.value.message.startswith("CloudTower rejected the login for user ldapuser (source LOCAL)")


def test_language_switches_alert_texts(collection, live):
    client, _ = collection
    english = client.CloudTowerClient(host=live, username="admin", password="cloudtower").list_records("alerts", order_by="local_id_ASC", limit=3)
    chinese = client.CloudTowerClient(host=live, username="admin", password="cloudtower", language="zh-CN").list_records(
        "alerts", order_by="local_id_ASC", limit=3)
    assert [alert["id"] for alert in english] == [alert["id"] for alert in chinese]
    assert all(alert["message"].isascii() for alert in english)
    assert all(not alert["message"].isascii() for alert in chinese)


def test_waiter_sees_a_short_task_in_few_polls(collection, live, api):
    client, tasks = collection
    tower = client.CloudTowerClient(host=live, username="admin", password="cloudtower")
    answers = tower.call("start-vm", {"where": {"name_in": ["db-1"]}})
    finished = tasks.TaskWaiter(tower).wait(tasks.task_ids(answers))
    assert [task["status"] for task in finished] == ["SUCCESSED"]
    # The simulator's tasks take a fraction of a second; the backoff starts at 0.25 s, not the SDK's fixed 5 s.
    assert operations(api).count("get-tasks") <= 5
    assert tower.list_records("vms", where={"name": "db-1"})[0]["status"] == "RUNNING"


def test_waiter_reports_a_failed_task(collection, live, api):
    client, tasks = collection
    tower = client.CloudTowerClient(host=live, username="admin", password="cloudtower")
    answers = tower.call("start-vm", {"where": {"name": "web-1"}})
    with pytest.raises(tasks.TaskFailedError) as info:
        tasks.TaskWaiter(tower).wait(tasks.task_ids(answers))
    assert "VM_STATUS_INVALID" in info.value.message and "web-1" in info.value.message
