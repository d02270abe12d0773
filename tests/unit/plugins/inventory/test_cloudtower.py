# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin with a real InventoryData, DataLoader and Templar, HTTP mocked with ``responses``.

The fake CloudTower below pages ``get-vms`` by first/skip and answers ``get-vm-nics`` for ``vm.id_in``,
so paging, the NIC calls and the default exclusions are exercised as the plugin sends them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import json

import pytest
import responses

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar

try:
    from ansible.template import is_trusted_as_template, trust_as_template
except ImportError:  # ansible-core < 2.19: a string is templated unless it is AnsibleUnsafe
    from ansible.utils.unsafe_proxy import AnsibleUnsafe

    is_trusted_as_template = None

    def trust_as_template(value):
        return value
else:
    AnsibleUnsafe = None

# compose results keep their type from ansible-core 2.19 on; before, without jinja2_native, they are strings
NATIVE = is_trusted_as_template is not None

from ansible_collections.smartx.cloudtower.plugins.module_utils import client as client_module
from ansible_collections.smartx.cloudtower.plugins.plugin_utils.inventory import nic_addresses

API = "https://tower.example.com/v2/api"


def make_vm(vm_id, name, cluster="cluster-elf-1", host="node-1", status="RUNNING", os_type="LINUX", labels=(), **extra):
    vm = {
        "id": vm_id, "local_id": "uuid-" + vm_id, "name": name, "description": "", "status": status, "vm_tools_status": "RUNNING",
        "cluster": {"id": "c-" + cluster, "name": cluster}, "host": {"id": "h-" + host, "name": host, "management_ip": "10.0.0.1"},
        "vcpu": 2, "memory": 4294967296, "guest_os_type": os_type, "os": "CentOS 7", "hostname": name + ".guest",
        "labels": [{"id": "l%d" % i, "key": key, "value": value} for i, (key, value) in enumerate(labels)],
        "in_recycle_bin": False, "internal": False, "vm_usage": None, "ips": "", "cpu": {"cores": 2, "sockets": 1},
        "vm_nics": [], "firmware": "BIOS", "ha": True,
    }
    vm.update(extra)
    return vm


def make_nic(vm_id, order=0, ip=None, guest=(), guest_v6=(), enabled=True, mac="52:54:00:00:00:01"):
    return {"id": "nic-%s-%s" % (vm_id, order), "local_id": "x", "vm": {"id": vm_id, "name": "n"}, "order": order, "enabled": enabled,
            "mac_address": mac, "ip_address": ip, "subnet_mask": "255.255.255.0", "gateway": None, "model": "VIRTIO",
            "vlan": {"id": "v1", "name": "default"}, "guest_info_ip_addresses": list(guest), "guest_info_ip_addresses_v6": list(guest_v6)}


class FakeTower:
    """Answers login, get-vms (first/skip, id order), get-vms-connection and get-vm-nics (vm.id_in); records every request.

    ``where`` is not evaluated: the tests check what the plugin sends, and what it does with what it gets.
    """

    def __init__(self, mock, vms, nics, count=None):
        self.vms = sorted(vms, key=lambda vm: vm["id"])
        self.count = count  # what get-vms-connection says, if not the truth
        self.nics = nics
        self.requests = []
        mock.add_callback(responses.POST, API + "/login", callback=self._login)
        mock.add_callback(responses.POST, API + "/get-vms", callback=self._vms)
        mock.add_callback(responses.POST, API + "/get-vms-connection", callback=self._count)
        mock.add_callback(responses.POST, API + "/get-vm-nics", callback=self._nics)

    def _record(self, request, operation):
        body = json.loads(request.body)
        self.requests.append((operation, body))
        return body

    def _login(self, request):
        self._record(request, "login")
        return 200, {}, json.dumps({"task_id": None, "data": {"token": "tok"}})

    def _vms(self, request):
        body = self._record(request, "get-vms")
        assert request.headers["Authorization"] == "tok"
        skip, first = body.get("skip", 0), body.get("first")
        page = self.vms[skip:] if first is None else self.vms[skip:skip + first]
        return 200, {}, json.dumps(page)

    def _count(self, request):
        self._record(request, "get-vms-connection")
        return 200, {}, json.dumps({"aggregate": {"count": len(self.vms) if self.count is None else self.count}})

    def _nics(self, request):
        body = self._record(request, "get-vm-nics")
        ids = set(body["where"]["vm"]["id_in"])
        return 200, {}, json.dumps([nic for nic in self.nics if nic["vm"]["id"] in ids])

    def operations(self):
        return [operation for operation, _body in self.requests]


SEED_VMS = [
    make_vm("c01", "web-1", labels=[("env", "prod"), ("role", "web"), ("env", "dev")]),
    make_vm("c02", "db-1", status="STOPPED", host="node-2", labels=[("env", "prod")]),
    make_vm("c03", "no-ip", cluster="cluster-elf-2", os_type=None),
    make_vm("c04", "dup-name", cluster="cluster-elf-1"),
    make_vm("c05", "dup-name", cluster="cluster-elf-2"),
    make_vm("c06", "win-1", os_type="WINDOWS", labels=[("flag", None)]),
]
SEED_NICS = [
    # web-1: NIC order 1 listed first; guest addresses beat ip_address; loopback and link-local skipped
    make_nic("c01", order=1, ip="10.1.1.1", guest=["10.1.1.2"]),
    make_nic("c01", order=0, ip="192.168.0.10", guest=["127.0.0.1", "169.254.1.1", "192.168.0.11"], guest_v6=["fe80::1"]),
    # db-1: only a configured address on a disabled NIC, and one on an enabled NIC
    make_nic("c02", order=0, ip="10.2.2.2", enabled=False),
    make_nic("c02", order=1, ip="10.2.2.3"),
    # no-ip: a NIC without any address
    make_nic("c03", order=0),
    make_nic("c04", order=0, ip="10.4.4.4"),
    make_nic("c05", order=0, ip="10.5.5.5"),
    make_nic("c06", order=0, guest=["not-an-ip", "10.6.6.6"]),
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("CLOUDTOWER_HOST", "CLOUDTOWER_USERNAME", "CLOUDTOWER_PASSWORD", "CLOUDTOWER_TOKEN", "CLOUDTOWER_LANGUAGE",
                 "CLOUDTOWER_USER_SOURCE", "CLOUDTOWER_VALIDATE_CERTS", "CLOUDTOWER_CA_PATH", "CLOUDTOWER_TIMEOUT",
                 "CLOUDTOWER_REQUEST_TIMEOUT", "ANSIBLE_INVENTORY_CACHE", "ANSIBLE_INVENTORY_CACHE_PLUGIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(client_module.time, "sleep", lambda seconds: None)


@pytest.fixture
def mock_http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def tower(mock_http):
    return FakeTower(mock_http, SEED_VMS, SEED_NICS)


class Run:
    """One parse of a config file; ``inventory`` is the InventoryData it filled."""

    def __init__(self, tmp_path, config, cache=True, name="test.cloudtower.yml"):
        path = tmp_path / name
        full = {"plugin": "smartx.cloudtower.cloudtower", "host": "tower.example.com", "username": "admin", "password": "secret"}
        full.update(config)
        path.write_text(json.dumps(full))  # JSON is YAML
        self.plugin = inventory_loader.get("smartx.cloudtower.cloudtower")
        assert self.plugin.verify_file(str(path))
        self.inventory = InventoryData()
        self.plugin.parse(self.inventory, DataLoader(), str(path), cache=cache)

    def hostvars(self, name):
        return self.inventory.get_host(name).get_vars()

    def group_hosts(self, group):
        return sorted(host.name for host in self.inventory.groups[group].get_hosts())


def test_verify_file(tmp_path):
    plugin = inventory_loader.get("smartx.cloudtower.cloudtower")
    for name, ok in (("a.cloudtower.yml", True), ("cloudtower.yaml", True), ("a.cloudtower.json", False), ("aws_ec2.yml", False)):
        path = tmp_path / name
        path.write_text("plugin: smartx.cloudtower.cloudtower\n")
        assert bool(plugin.verify_file(str(path))) is ok, name
    assert not plugin.verify_file(str(tmp_path / "missing.cloudtower.yml"))


def test_hosts_vars_and_calls(tmp_path, tower):
    run = Run(tmp_path, {})
    assert sorted(run.inventory.hosts) == ["db-1", "dup-name", "dup-name_c05", "no-ip", "web-1", "win-1"]
    web = run.hostvars("web-1")
    assert web["ansible_host"] == "192.168.0.11"
    assert web["cloudtower_ips"] == ["192.168.0.11", "10.1.1.2", "192.168.0.10", "10.1.1.1", "fe80::1"]
    assert web["cloudtower_id"] == "c01"
    assert web["cloudtower_local_id"] == "uuid-c01"
    assert web["cloudtower_name"] == "web-1"
    assert web["cloudtower_status"] == "RUNNING"
    assert web["cloudtower_vm_tools_status"] == "RUNNING"
    assert web["cloudtower_cluster"] == "cluster-elf-1"
    assert web["cloudtower_host_name"] == "node-1"
    assert web["cloudtower_vcpu"] == 2
    assert web["cloudtower_memory"] == 4294967296
    assert web["cloudtower_guest_os_type"] == "LINUX"
    assert web["cloudtower_labels"] == {"env": "prod", "role": "web"}
    assert web["cloudtower_in_recycle_bin"] is False
    assert [nic["order"] for nic in web["cloudtower_nics"]] == [1, 0]
    assert "vm" not in web["cloudtower_nics"][0]
    assert run.hostvars("db-1")["ansible_host"] == "10.2.2.3"
    assert run.hostvars("win-1")["ansible_host"] == "10.6.6.6"
    no_ip = run.hostvars("no-ip")
    assert "ansible_host" not in no_ip
    assert no_ip["cloudtower_ips"] == []
    # one login, one page of VMs, one NIC call for the page's VMs
    assert tower.operations() == ["login", "get-vms", "get-vm-nics"]
    body = tower.requests[1][1]
    assert body["where"] == {"in_recycle_bin": False, "internal": False, "vm_usage": None}
    assert body["first"] == 1000 and body["skip"] == 0 and body["orderBy"] == "id_ASC"
    assert sorted(tower.requests[2][1]["where"]["vm"]["id_in"]) == ["c01", "c02", "c03", "c04", "c05", "c06"]


def test_default_groups(tmp_path, tower):
    run = Run(tmp_path, {})
    groups = run.inventory.groups
    assert run.group_hosts("cluster_cluster_elf_1") == ["db-1", "dup-name", "web-1", "win-1"]
    assert run.group_hosts("cluster_cluster_elf_2") == ["dup-name_c05", "no-ip"]
    assert run.group_hosts("host_node_2") == ["db-1"]
    assert run.group_hosts("status_running") == ["dup-name", "dup-name_c05", "no-ip", "web-1", "win-1"]
    assert run.group_hosts("status_stopped") == ["db-1"]
    assert run.group_hosts("guest_os_windows") == ["win-1"]
    assert run.group_hosts("label_env_prod") == ["db-1", "web-1"]
    assert run.group_hosts("label_env_dev") == ["web-1"]
    assert run.group_hosts("label_flag") == ["win-1"]
    assert "cluster-elf-1" not in str(sorted(groups))


def test_default_groups_prefix_and_off(tmp_path, tower):
    run = Run(tmp_path, {"default_group_prefix": "ct_", "default_groups": ["status"]})
    assert run.group_hosts("ct_status_stopped") == ["db-1"]
    assert not [name for name in run.inventory.groups if "cluster" in name or "label" in name]
    run = Run(tmp_path, {"default_groups": []})
    assert sorted(run.inventory.groups) == ["all", "ungrouped"]
    assert len(run.inventory.hosts) == 6


def test_paging_three_pages(tmp_path, mock_http):
    vms = [make_vm("c%02d" % i, "vm-%d" % i) for i in range(5)]
    nics = [make_nic(vm["id"], ip="10.0.0.%d" % i) for i, vm in enumerate(vms)]
    tower = FakeTower(mock_http, vms, nics)
    run = Run(tmp_path, {"page_size": 2})
    assert len(run.inventory.hosts) == 5
    assert run.hostvars("vm-4")["ansible_host"] == "10.0.0.4"
    assert tower.operations() == ["login"] + ["get-vms", "get-vm-nics"] * 3
    assert [body["skip"] for operation, body in tower.requests if operation == "get-vms"] == [0, 2, 4]
    assert [len(body["where"]["vm"]["id_in"]) for operation, body in tower.requests if operation == "get-vm-nics"] == [2, 2, 1]


def test_paging_exact_multiple_sends_no_nic_call_for_the_empty_page(tmp_path, mock_http):
    vms = [make_vm("c%02d" % i, "vm-%d" % i) for i in range(4)]
    tower = FakeTower(mock_http, vms, [])
    Run(tmp_path, {"page_size": 2})
    assert tower.operations() == ["login", "get-vms", "get-vm-nics", "get-vms", "get-vm-nics", "get-vms"]


def test_concurrent_pages(tmp_path, mock_http):
    vms = [make_vm("c%02d" % i, "vm-%d" % i) for i in range(7)]
    nics = [make_nic(vm["id"], ip="10.0.0.%d" % i) for i, vm in enumerate(vms)]
    tower = FakeTower(mock_http, vms, nics)
    run = Run(tmp_path, {"page_size": 2, "concurrency": 3})
    assert sorted(run.inventory.hosts) == ["vm-%d" % i for i in range(7)]
    assert run.hostvars("vm-6")["ansible_host"] == "10.0.0.6"
    operations = tower.operations()
    assert operations[:2] == ["login", "get-vms-connection"]
    assert operations.count("get-vms") == 4 and operations.count("get-vm-nics") == 4
    assert sorted(body["skip"] for operation, body in tower.requests if operation == "get-vms") == [0, 2, 4, 6]


def test_concurrent_pages_follow_vms_created_after_the_count(tmp_path, mock_http):
    vms = [make_vm("c%02d" % i, "vm-%d" % i) for i in range(4)]
    tower = FakeTower(mock_http, vms, [], count=2)
    run = Run(tmp_path, {"page_size": 2, "concurrency": 2})
    assert len(run.inventory.hosts) == 4
    assert [body["skip"] for operation, body in tower.requests if operation == "get-vms"] == [0, 2, 4]


def test_server_side_filters_and_exclusions(tmp_path, tower):
    Run(tmp_path, {"filters": {"cluster": {"name": "cluster-elf-1"}, "status": "RUNNING"}})
    assert tower.requests[1][1]["where"] == {"AND": [{"in_recycle_bin": False, "internal": False, "vm_usage": None},
                                                     {"cluster": {"name": "cluster-elf-1"}, "status": "RUNNING"}]}
    Run(tmp_path, {"include_recycle_bin": True})
    assert tower.requests[-2][1]["where"] == {"internal": False, "vm_usage": None}
    Run(tmp_path, {"include_recycle_bin": True, "include_system_vms": True, "filters": {"status": "RUNNING"}})
    assert tower.requests[-2][1]["where"] == {"status": "RUNNING"}


def test_system_and_recycled_vms_are_left_out_even_if_returned(tmp_path, mock_http):
    vms = [make_vm("c1", "CloudTower", internal=True, vm_usage="CLOUDTOWER"), make_vm("c2", "sks", vm_usage="SKS_MANAGEMENT"),
           make_vm("c3", "recycled-vm", in_recycle_bin=True), make_vm("c4", "user-vm")]
    FakeTower(mock_http, vms, [])
    assert sorted(Run(tmp_path, {}).inventory.hosts) == ["user-vm"]
    assert sorted(Run(tmp_path, {"include_system_vms": True, "include_recycle_bin": True}).inventory.hosts) == [
        "CloudTower", "recycled-vm", "sks", "user-vm"]
    run = Run(tmp_path, {"include_recycle_bin": True})
    assert sorted(run.inventory.hosts) == ["recycled-vm", "user-vm"]
    assert run.hostvars("recycled-vm")["cloudtower_in_recycle_bin"] is True


def test_include_and_exclude_filters(tmp_path, tower):
    run = Run(tmp_path, {"include_filters": ["cloudtower_status == 'RUNNING'", "cloudtower_labels.env | default('') == 'prod'"],
                         "exclude_filters": ["cloudtower_guest_os_type == 'WINDOWS'", "ansible_host is not defined"]})
    assert sorted(run.inventory.hosts) == ["db-1", "dup-name", "dup-name_c05", "web-1"]


def test_a_filter_that_fails_is_false_or_fails_under_strict(tmp_path, tower):
    run = Run(tmp_path, {"include_filters": ["cloudtower_labels.role == 'web'"]})
    assert sorted(run.inventory.hosts) == ["web-1"]
    with pytest.raises(AnsibleParserError, match="include_filters"):
        Run(tmp_path, {"include_filters": ["cloudtower_labels.role == 'web'"], "strict": True})


def test_hostnames_preference(tmp_path, tower):
    run = Run(tmp_path, {"hostnames": ["cloudtower_labels.role | default('')", "cloudtower_guest_hostname", "cloudtower_name"]})
    assert "web" in run.inventory.hosts  # the role label wins where there is one
    assert "db-1.guest" in run.inventory.hosts  # then the guest hostname
    assert run.hostvars("web")["cloudtower_name"] == "web-1"


def test_hostnames_template_and_no_name(tmp_path, mock_http):
    FakeTower(mock_http, [make_vm("c1", "a", hostname=None), make_vm("c2", "b", hostname="b.example.com")], [])
    run = Run(tmp_path, {"hostnames": ["cloudtower_name + '.' + cloudtower_cluster"]})
    assert sorted(run.inventory.hosts) == ["a.cluster-elf-1", "b.cluster-elf-1"]
    run = Run(tmp_path, {"hostnames": ["cloudtower_guest_hostname"]})
    assert sorted(run.inventory.hosts) == ["b.example.com"]
    with pytest.raises(AnsibleParserError, match="no hostnames entry"):
        Run(tmp_path, {"hostnames": ["cloudtower_guest_hostname"], "strict": True})


def test_duplicates_get_a_suffix_and_a_warning(tmp_path, tower, mocker):
    warning = mocker.patch("ansible.utils.display.Display.warning")
    run = Run(tmp_path, {})
    assert run.hostvars("dup-name")["cloudtower_id"] == "c04"
    assert run.hostvars("dup-name_c05")["cloudtower_id"] == "c05"
    messages = [call.args[0] for call in warning.call_args_list]
    assert any("same hostname 'dup-name'" in message and "dup-name_c05" in message for message in messages)


def test_duplicates_fail_under_strict(tmp_path, tower):
    with pytest.raises(AnsibleParserError, match="same hostname 'dup-name'"):
        Run(tmp_path, {"strict": True})


def test_constructed_compose_groups_keyed_groups(tmp_path, tower):
    run = Run(tmp_path, {
        "compose": {"ansible_host": "cloudtower_name + '.lan'", "cpus": "cloudtower_vcpu * 2"},
        "groups": {"prod": "cloudtower_labels.env | default('') == 'prod'"},
        "keyed_groups": [{"key": "cloudtower_status", "prefix": "power"}],
    })
    assert run.hostvars("web-1")["ansible_host"] == "web-1.lan"
    assert run.hostvars("no-ip")["ansible_host"] == "no-ip.lan"
    assert run.hostvars("web-1")["cpus"] == (4 if NATIVE else "4")
    assert run.group_hosts("prod") == ["db-1", "web-1"]
    assert run.group_hosts("power_STOPPED") == ["db-1"]


def test_cache_hit_makes_no_call_and_applies_new_compose(tmp_path, mock_http):
    tower = FakeTower(mock_http, SEED_VMS, SEED_NICS)
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600}
    first = Run(tmp_path, dict(cache, compose={"x": "1"}))
    first.plugin.update_cache_if_changed()  # what InventoryManager does after parse
    calls = len(tower.requests)
    assert calls == 3

    second = Run(tmp_path, dict(cache, compose={"x": "2"}))
    assert len(tower.requests) == calls
    assert second.hostvars("web-1")["x"] == (2 if NATIVE else "2")
    assert second.hostvars("web-1")["ansible_host"] == "192.168.0.11"
    assert sorted(second.inventory.hosts) == sorted(first.inventory.hosts)

    # another server-side filter: the cache is not used
    Run(tmp_path, dict(cache, filters={"status": "RUNNING"}))
    assert tower.operations()[calls:] == ["login", "get-vms", "get-vm-nics"]

    # a refresh (cache=False, as --flush-cache or meta: refresh_inventory) fetches again
    Run(tmp_path, cache, cache=False)
    assert len(tower.requests) == calls + 6


def test_api_error_is_a_clear_parser_error(tmp_path, mock_http):
    mock_http.add(responses.POST, API + "/login", json={"task_id": None, "data": {"token": "tok"}})
    mock_http.add(responses.POST, API + "/get-vms", status=400, json={"path": "/get-vms", "status": 400, "message": "bad where"})
    with pytest.raises(AnsibleParserError, match="get-vms with HTTP 400: bad where"):
        Run(tmp_path, {"filters": {"nope": 1}})


def test_missing_credentials_is_a_clear_parser_error(tmp_path):
    with pytest.raises(AnsibleParserError, match="No CloudTower credentials"):
        Run(tmp_path, {"username": None, "password": None})


def test_environment_fallbacks(tmp_path, tower, monkeypatch):
    monkeypatch.setenv("CLOUDTOWER_HOST", "tower.example.com")
    monkeypatch.setenv("CLOUDTOWER_USERNAME", "admin")
    monkeypatch.setenv("CLOUDTOWER_PASSWORD", "from-env")
    path = tmp_path / "env.cloudtower.yml"
    path.write_text("plugin: smartx.cloudtower.cloudtower\n")
    plugin = inventory_loader.get("smartx.cloudtower.cloudtower")
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path))
    assert len(inventory.hosts) == 6
    assert tower.requests[0] == ("login", {"username": "admin", "password": "from-env", "source": "LOCAL"})


@pytest.mark.parametrize("nics, ips, ansible_host", [
    ([], [], None),
    ([make_nic("v", ip="")], [], None),
    ([make_nic("v", ip="0.0.0.0", guest=["224.0.0.1", "255.255.255.255", "1.2.3", "01.2.3.4", "1.2.3.256", "١.2.3.4", " 1.2.3.4"])], [], None),
    ([make_nic("v", ip="8.8.8.8", guest=["169.254.0.1", "127.0.0.1", "169.1.1.1"])], ["169.1.1.1", "8.8.8.8"], "169.1.1.1"),
    ([make_nic("v", ip="10.0.0.1", guest_v6=["2001:db8::1"])], ["10.0.0.1", "2001:db8::1"], "10.0.0.1"),
    ([make_nic("v", order=None, ip="10.0.0.9"), make_nic("v", order=3, ip="10.0.0.3")], ["10.0.0.3", "10.0.0.9"], "10.0.0.3"),
    ([make_nic("v", order=0, ip="10.0.0.1", guest=["10.0.0.1"])], ["10.0.0.1"], "10.0.0.1"),
])
def test_nic_addresses(nics, ips, ansible_host):
    assert nic_addresses(nics) == (ips, ansible_host)


# --- values from CloudTower are never templated ---------------------------------------------------


def payload(marker, tag):
    """A Jinja template that, if Ansible ever renders it, runs a command on the controller (it creates ``marker``)."""
    return "{{ lookup('pipe', 'touch %s') }}{{ 6 * 7 }}-%s" % (marker, tag)


def strings(value, path="value"):
    """(path, string) for every string in ``value``, dict keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key, path + " key")
            yield from strings(item, "%s[%r]" % (path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from strings(item, "%s[%d]" % (path, index))


def assert_never_templated(path, value):
    if is_trusted_as_template is not None:
        assert not is_trusted_as_template(value), "%s is trusted as a template: %r" % (path, value)
    else:
        assert isinstance(value, AnsibleUnsafe), "%s is not marked unsafe: %r" % (path, value)


def test_values_from_cloudtower_are_never_templated(tmp_path, mock_http):
    marker = tmp_path / "pwned"
    vms = [
        # named by a template over a label (the hostname is a template's result)
        make_vm("c1", payload(marker, "name1"), description=payload(marker, "description1"),
                labels=[("name", payload(marker, "label")), ("owner", payload(marker, "owner"))]),
        # named by its guest hostname as it is (a bare variable, not templated)
        make_vm("c2", "plain", hostname=payload(marker, "guest"), description=payload(marker, "description2"),
                cluster=payload(marker, "cluster")),
    ]
    FakeTower(mock_http, vms, [make_nic("c1", ip="10.0.0.1", mac=payload(marker, "mac")), make_nic("c2", ip="10.0.0.2")])
    run = Run(tmp_path, {
        "hostnames": ["cloudtower_labels.name | default('')", "cloudtower_guest_hostname"],
        "compose": {"derived": "cloudtower_description"},
        "include_filters": ["cloudtower_description is string"],
    })
    assert sorted(run.inventory.hosts) == sorted([payload(marker, "label"), payload(marker, "guest")])
    for name, host in run.inventory.hosts.items():
        assert_never_templated("hostname", name)
        assert_never_templated("host name", host.name)
        variables = host.get_vars()
        for key in variables:
            if key.startswith("cloudtower_") or key == "derived":
                for path, value in strings(variables[key], key):
                    assert_never_templated(path, value)

        # what a playbook would do with them
        templar = Templar(loader=DataLoader(), variables=variables)
        for expression in ("inventory_hostname", "cloudtower_description", "derived", "cloudtower_cluster", "cloudtower_name",
                           "cloudtower_labels", "cloudtower_guest_hostname"):
            assert templar.template(trust_as_template("{{ %s }}" % expression)) == variables[expression], expression
        expected = variables["cloudtower_nics"][0]["mac_address"]
        assert templar.template(trust_as_template("{{ cloudtower_nics[0].mac_address }}")) == expected
    assert run.hostvars(payload(marker, "label"))["derived"] == payload(marker, "description1")
    assert run.hostvars(payload(marker, "guest"))["cloudtower_cluster"] == payload(marker, "cluster")
    assert not marker.exists()


class Marked(str):
    """What the stand-in for ansible-core < 2.19's wrap_var gives (a str, as AnsibleUnsafeText is)."""


def mark(value):
    if isinstance(value, str):
        return Marked(value)
    if isinstance(value, dict):
        return dict((mark(key), mark(item)) for key, item in value.items())
    if isinstance(value, list):
        return [mark(item) for item in value]
    return value


def test_before_2_19_every_value_and_the_hostname_go_through_wrap_var(tmp_path, mock_http, monkeypatch):
    """The ansible-core < 2.19 branch, on whatever core runs the tests: ``wrap_var`` replaced by a marker."""
    plugin_module = importlib.import_module(type(inventory_loader.get("smartx.cloudtower.cloudtower")).__module__)
    wrapped = []

    def fake_wrap_var(value):
        wrapped.append(value)
        return mark(value)

    monkeypatch.setattr(plugin_module, "make_unsafe", fake_wrap_var, raising=False)
    FakeTower(mock_http, SEED_VMS, SEED_NICS)
    run = Run(tmp_path, {})
    assert len(run.inventory.hosts) == 6
    for name, host in run.inventory.hosts.items():
        assert isinstance(name, Marked) and isinstance(host.name, Marked), name
        for key in host.vars:
            if key.startswith("cloudtower_") or key == "ansible_host":
                for path, value in strings(host.vars[key], key):
                    assert isinstance(value, Marked), path
    # the host variables before any template saw them, then the hostname, once per host
    assert [value["cloudtower_id"] for value in wrapped if isinstance(value, dict)] == ["c01", "c02", "c03", "c04", "c05", "c06"]
    assert sorted(value for value in wrapped if isinstance(value, str)) == sorted(run.inventory.hosts)
