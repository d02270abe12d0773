# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The dashboard figures on hand-made records whose answers are worked out by hand in the comments."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.smartx.cloudtower.plugins.module_utils import dashboard as dash
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError

GIB = 1024 ** 3


# --- unit strings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (0, "0.00 B"),
    (1, "1.00 B"),
    (1023, "1023.00 B"),
    (1024, "1.00 KiB"),
    (1536, "1.50 KiB"),
    (1024 ** 2, "1.00 MiB"),
    (5 * GIB + GIB // 4, "5.25 GiB"),
    (1024 ** 4, "1.00 TiB"),
    (3 * 1024 ** 5, "3.00 PiB"),
    (2048 * 1024 ** 5, "2048.00 PiB"),      # past the last unit the number grows
    (1024 ** 2 - 1, "1.00 MiB"),           # 1023.999 KiB rounds up to the next unit, not "1024.00 KiB"
    (-1536, "-1.50 KiB"),
    (1.5 * GIB, "1.50 GiB"),               # floats (used_memory_bytes is a float in the API)
])
def test_bytes_step_1024_two_decimals(value, text):
    assert dash.format_bytes(value) == text


@pytest.mark.parametrize("value, text", [
    (0, "0.00 Hz"),
    (999, "999.00 Hz"),
    (1000, "1.00 KHz"),
    (1024, "1.02 KHz"),                    # Hz steps are 1000, not 1024
    (2400000000, "2.40 GHz"),
    (76800000000, "76.80 GHz"),
    (1000 ** 4, "1.00 THz"),
    (5000 * 1000 ** 4, "5000.00 THz"),
])
def test_hz_step_1000_two_decimals(value, text):
    assert dash.format_hz(value) == text


def test_figure_values_are_whole_bytes_and_hz():
    assert dash.bytes_figure(975816569651.2001) == {"value": 975816569651, "human": "908.80 GiB"}
    assert dash.hz_figure(7680000000.6) == {"value": 7680000001, "human": "7.68 GHz"}
    assert dash.bytes_figure(1536) == {"value": 1536, "human": "1.50 KiB"}


def test_none_has_no_string():
    assert dash.format_bytes(None) is None
    assert dash.bytes_figure(None) == {"value": None, "human": None}


def test_usage_is_a_percentage_not_a_fraction():
    # The SDK guide printed used/total (0.25) as "0.25%"; a quarter used is 25%.
    assert dash.usage_percent(25, 100) == 25.0
    assert dash.usage_percent(1, 3) == 33.33
    assert dash.percent_figure(3 * GIB, 4 * GIB) == {"value": 75.0, "human": "75.00%"}
    assert dash.percent_figure(2, 3) == {"value": 66.67, "human": "66.67%"}


def test_zero_or_missing_total_never_divides_by_zero():
    assert dash.usage_percent(0, 0) == 0.0
    assert dash.usage_percent(5, 0) == 0.0
    assert dash.usage_percent(None, None) == 0.0
    assert dash.percent_figure(0, 0) == {"value": 0.0, "human": "0.00%"}


# --- HDD classification ----------------------------------------------------------------------------

def hdd(health, usage_status="MOUNTED", disk_type="HDD", healthy=None, host="h1"):
    disk = {"id": "d-%s-%s" % (health, usage_status), "type": disk_type, "health_status": health, "usage_status": usage_status,
            "host": {"id": host}}
    if healthy is not None:
        disk["healthy"] = healthy
    return disk


@pytest.mark.parametrize("health, usage_status, state", [
    ("HEALTHY", "MOUNTED", "healthy"),                 # the guide's fault: HEALTHY counted as an error
    ("HEALTHY", "UNMOUNTED", "warning"),
    ("HEALTHY", "PARTIAL_MOUNTED", "warning"),
    ("HEALTHY", "MOUNTING", "healthy"),
    ("HEALTHY", None, "healthy"),
    ("UNHEALTHY", "MOUNTED", "error"),
    ("SUBHEALTHY", "MOUNTED", "error"),
    ("SMART_FAILED", "MOUNTED", "error"),
    ("SOFTWARE_RAID_FAILURE", "MOUNTED", "error"),   # the guide forgot this one
    ("UNHEALTHY", "UNMOUNTED", "error"),             # error wins over warning
    ("SMART_FAILED", "PARTIAL_MOUNTED", "error"),
])
def test_hdd_state(health, usage_status, state):
    assert dash.hdd_state(hdd(health, usage_status)) == state


def test_hdd_without_health_status_uses_healthy_flag():
    assert dash.hdd_state(hdd(None, healthy=False)) == "error"
    assert dash.hdd_state(hdd(None, healthy=True)) == "healthy"
    assert dash.hdd_state(hdd(None, "UNMOUNTED", healthy=True)) == "warning"


def test_hdd_summary_counts_hdds_only():
    disks = [
        hdd("HEALTHY"), hdd("HEALTHY"), hdd("HEALTHY"),            # 3 healthy
        hdd("HEALTHY", "UNMOUNTED"), hdd("HEALTHY", "PARTIAL_MOUNTED"),  # 2 warning
        hdd("SUBHEALTHY"), hdd("SOFTWARE_RAID_FAILURE", "UNMOUNTED"),    # 2 error
        hdd("UNHEALTHY", disk_type="SSD"), hdd("HEALTHY", disk_type="NVMe_SSD"),  # not HDDs: ignored
    ]
    assert dash.hdd_summary(disks) == {"healthy": 3, "warning": 2, "error": 2, "total": 7}
    assert dash.hdd_summary([]) == {"healthy": 0, "warning": 0, "error": 0, "total": 0}


# --- memory rule ----------------------------------------------------------------------------------

VMWARE = {"id": "cv", "name": "vmw", "type": "SMTX_OS", "hypervisor": "VMWARE",
          "total_memory_bytes": 1000 * GIB, "used_memory_bytes": 250.0 * GIB,
          "total_cpu_cores": 64, "total_cpu_hz": 153600000000, "used_cpu_hz": 38400000000.0,
          "total_data_capacity": 100 * GIB, "used_data_space": 40 * GIB, "failure_data_space": 10 * GIB}
ELF = {"id": "ce", "name": "elf", "type": "SMTX_OS", "hypervisor": "ELF",
       # cluster totals that the ELF rule must NOT use
       "total_memory_bytes": 999 * GIB, "used_memory_bytes": 999 * GIB,
       "total_cpu_cores": 32, "total_cpu_hz": 76800000000, "used_cpu_hz": 7680000000,
       "total_data_capacity": 300 * GIB, "used_data_space": 60 * GIB, "failure_data_space": 0}
ZBS = {"id": "cz", "name": "zbs", "type": "SMTX_ZBS", "hypervisor": None,
       "total_cpu_cores": 16, "total_cpu_hz": 1, "used_cpu_hz": 1,
       "total_data_capacity": 600 * GIB, "used_data_space": 0, "failure_data_space": 0}
ELF_HOSTS = [
    {"id": "e1", "cluster": {"id": "ce"}, "total_memory_bytes": 256 * GIB, "running_pause_vm_memory_bytes": 64 * GIB,
     "os_memory_bytes": 32 * GIB, "used_memory_bytes": 1 * GIB},
    {"id": "e2", "cluster": {"id": "ce"}, "total_memory_bytes": 256 * GIB, "running_pause_vm_memory_bytes": 32 * GIB,
     "os_memory_bytes": 32 * GIB, "used_memory_bytes": 1 * GIB},
]
VMWARE_HOSTS = [{"id": "v1", "cluster": {"id": "cv"}, "total_memory_bytes": 7 * GIB, "running_pause_vm_memory_bytes": 7 * GIB,
                 "os_memory_bytes": 0}]


def test_vmware_memory_comes_from_the_cluster_totals():
    # hosts are ignored for VMware: 1000 GiB total, 250 GiB used
    assert dash.memory_source(VMWARE) == "cluster"
    assert dash.memory_totals(VMWARE, VMWARE_HOSTS) == {"total": 1000 * GIB, "used": 250 * GIB}


def test_elf_memory_is_the_sum_of_its_hosts():
    # total 256 + 256 = 512 GiB; used (64 + 32) + (32 + 32) = 160 GiB; the cluster's 999 GiB is not used
    assert dash.memory_source(ELF) == "hosts"
    assert dash.memory_totals(ELF, ELF_HOSTS) == {"total": 512 * GIB, "used": 160 * GIB}


def test_other_hypervisors_count_no_memory_and_nulls_count_zero():
    assert dash.memory_source(ZBS) is None
    assert dash.memory_totals(ZBS, ELF_HOSTS) == {"total": 0, "used": 0}
    assert dash.memory_totals(ELF, [{"id": "x", "total_memory_bytes": None, "os_memory_bytes": 8}]) == {"total": 0, "used": 8}


def test_cpu_counts_smtx_os_clusters_only():
    # 64 + 32 cores; the SMTX_ZBS cluster is left out
    assert dash.cpu_totals([VMWARE, ELF, ZBS]) == {"cores": 96, "total_hz": 230400000000, "used_hz": 46080000000.0}


def test_storage_available_is_total_minus_used_minus_failure():
    # total 100 + 300 + 600 = 1000 GiB, used 100, failure 10 -> available 890 GiB
    assert dash.storage_totals([VMWARE, ELF, ZBS]) == {"total": 1000 * GIB, "used": 100 * GIB, "failure": 10 * GIB, "available": 890 * GIB}
    assert dash.storage_totals([{"total_data_capacity": 10, "used_data_space": 8, "failure_data_space": 5}])["available"] == 0


# --- alerts ---------------------------------------------------------------------------------------

ALERTS = [
    {"id": "a1", "severity": "CRITICAL", "cluster": {"id": "cv"}},
    {"id": "a2", "severity": "NOTICE", "cluster": {"id": "cv"}},
    {"id": "a3", "severity": "CRITICAL", "cluster": {"id": "ce"}},
    {"id": "a4", "severity": "INFO", "cluster": {"id": "ce"}},
    {"id": "a5", "severity": "SEVERITY_UNSPECIFIED", "cluster": {"id": "ce"}},
]


def test_alerts_by_severity_and_counts():
    grouped = dash.alerts_by_severity(ALERTS)
    assert [alert["id"] for alert in grouped["critical"]] == ["a1", "a3"]
    assert [alert["id"] for alert in grouped["notice"]] == ["a2"]
    assert [alert["id"] for alert in grouped["info"]] == ["a4"]
    assert dash.alert_counts(ALERTS) == {"critical": 2, "notice": 1, "info": 1, "total": 5}
    assert dash.alert_counts([]) == {"critical": 0, "notice": 0, "info": 0, "total": 0}


# --- the whole dashboard ---------------------------------------------------------------------------

def test_dashboard_per_cluster_and_total():
    disks = [hdd("HEALTHY", host="v1"), hdd("SMART_FAILED", host="v1"), hdd("HEALTHY", "UNMOUNTED", host="e1"),
             hdd("HEALTHY", host="e2"), hdd("UNHEALTHY", host="elsewhere")]      # a host of no selected cluster: left out
    result = dash.dashboard([ELF, VMWARE, ZBS], ELF_HOSTS + VMWARE_HOSTS, disks, ALERTS + [{"id": "x", "severity": "INFO", "cluster": {"id": "other"}}])
    by_name = dict((cluster["name"], cluster) for cluster in result["clusters"])
    assert [cluster["name"] for cluster in result["clusters"]] == ["elf", "vmw", "zbs"]  # the order given

    elf = by_name["elf"]
    assert elf["hosts"] == 2
    assert elf["memory"]["source"] == "hosts"
    assert elf["memory"]["total"] == {"value": 512 * GIB, "human": "512.00 GiB"}
    assert elf["memory"]["used"] == {"value": 160 * GIB, "human": "160.00 GiB"}
    assert elf["memory"]["free"]["value"] == 352 * GIB
    assert elf["memory"]["usage"] == {"value": 31.25, "human": "31.25%"}     # 160/512
    assert elf["cpu"]["cores"] == 32
    assert elf["cpu"]["usage"] == {"value": 10.0, "human": "10.00%"}         # 7.68 of 76.8 GHz
    assert elf["cpu"]["total_hz"]["human"] == "76.80 GHz"
    assert elf["hdd"] == {"healthy": 1, "warning": 1, "error": 0, "total": 2}
    assert elf["alerts"] == {"critical": 1, "notice": 0, "info": 1, "total": 3}

    vmw = by_name["vmw"]
    assert vmw["memory"]["source"] == "cluster"
    assert vmw["memory"]["usage"]["value"] == 25.0
    assert vmw["storage"]["available"] == {"value": 50 * GIB, "human": "50.00 GiB"}  # 100 - 40 - 10
    assert vmw["storage"]["usage"]["value"] == 40.0
    assert vmw["hdd"] == {"healthy": 1, "warning": 0, "error": 1, "total": 2}

    zbs = by_name["zbs"]
    assert zbs["cpu"] is None and zbs["memory"] is None
    assert zbs["hosts"] == 0 and zbs["hdd"]["total"] == 0

    total = result["total"]
    assert total["clusters"] == 3 and total["hosts"] == 3
    assert total["cpu"]["cores"] == 96
    assert total["cpu"]["usage"]["value"] == 20.0                              # 46.08 of 230.4 GHz
    assert total["memory"]["total"]["value"] == 1512 * GIB                    # 512 (ELF hosts) + 1000 (VMware cluster)
    assert total["memory"]["used"]["value"] == 410 * GIB                      # 160 + 250
    assert total["memory"]["usage"]["human"] == "27.12%"                      # 410/1512 = 27.116...
    assert total["storage"]["total"]["human"] == "1000.00 GiB"
    assert total["storage"]["available"]["value"] == 890 * GIB
    assert total["hdd"] == {"healthy": 2, "warning": 1, "error": 1, "total": 4}
    assert total["alerts"] == {"critical": 2, "notice": 1, "info": 1, "total": 5}
    assert [alert["id"] for alert in result["alerts"]["critical"]] == ["a3", "a1"]  # grouped in cluster order


def test_dashboard_of_no_clusters_is_all_zero():
    result = dash.dashboard([], [], [], [])
    assert result["clusters"] == []
    total = result["total"]
    assert total["clusters"] == 0
    assert total["cpu"] == {"cores": 0, "total_hz": {"value": 0, "human": "0.00 Hz"}, "used_hz": {"value": 0, "human": "0.00 Hz"},
                            "usage": {"value": 0.0, "human": "0.00%"}}
    assert total["memory"]["usage"]["value"] == 0.0
    assert total["storage"]["usage"]["value"] == 0.0
    assert total["hdd"]["total"] == 0
    assert result["alerts"] == {"critical": [], "notice": [], "info": []}


def test_cluster_with_zero_totals_does_not_divide_by_zero():
    empty = {"id": "c0", "name": "empty", "type": "SMTX_OS", "hypervisor": "VMWARE", "total_memory_bytes": 0, "used_memory_bytes": 0,
             "total_cpu_hz": 0, "used_cpu_hz": 0, "total_data_capacity": None}
    result = dash.dashboard([empty], [], [], [])
    assert result["clusters"][0]["cpu"]["usage"]["value"] == 0.0
    assert result["clusters"][0]["memory"]["usage"]["value"] == 0.0
    assert result["clusters"][0]["storage"]["usage"]["value"] == 0.0


# --- selection ------------------------------------------------------------------------------------

def test_cluster_scope_reaches_each_resource_through_its_relation():
    by = {"OR": [{"id_in": ["c1", "n2"]}, {"name_in": ["c1", "n2"]}]}
    assert dash.cluster_scope_where("clusters", ["c1", "n2"]) == by
    assert dash.cluster_scope_where("hosts", ["c1", "n2"]) == {"cluster": by}
    assert dash.cluster_scope_where("alerts", ["c1", "n2"]) == {"cluster": by}
    assert dash.cluster_scope_where("disks", ["c1", "n2"]) == {"host": {"cluster": by}}
    assert dash.cluster_scope_where("disks", []) == {}
    assert dash.cluster_scope_where("disks", None) == {}


def test_selection_where_puts_the_raw_where_last():
    params = {"cluster": ["c1"], "where": {"status": "X"}}
    assert dash.selection_where("hosts", params, {"a": 1}, None) == {
        "AND": [{"cluster": {"OR": [{"id_in": ["c1"]}, {"name_in": ["c1"]}]}}, {"a": 1}, {"status": "X"}]}
    assert dash.selection_where("hosts", {"cluster": None, "where": None}) == {}


def test_selection_spec_is_a_fresh_copy_with_overrides():
    spec = dash.selection_argument_spec(order_by=dict(type="str", default="severity_ASC"))
    assert spec["order_by"]["default"] == "severity_ASC"
    assert dash.SELECTION_SPEC["order_by"]["default"] == "name_ASC"
    spec["cluster"]["elements"] = "int"
    assert dash.SELECTION_SPEC["cluster"]["elements"] == "str"
    spec["page_size"]["default"] = 1
    assert dash.LISTING_SPEC["page_size"]["default"] == 500
    assert set(dash.LISTING_SPEC) <= set(spec)


def test_unmatched_values_by_name_or_id():
    clusters = [{"id": "c1", "name": "one"}, {"id": "c2", "name": "two"}]
    assert dash.unmatched_values(["one", "c2", "three"], clusters) == ["three"]
    assert dash.unmatched_values(None, clusters) == []


class FakeClient:
    """Answers list_records from tables and records every query, to count the calls."""

    def __init__(self, tables):
        self.tables = tables
        self.queries = []

    def list_records(self, resource, where=None, order_by=None, page_size=500, limit=None):
        self.queries.append((resource, where))
        return list(self.tables.get(resource, []))


def test_load_dashboard_reads_each_resource_once_for_all_clusters():
    client = FakeClient({"clusters": [ELF, VMWARE], "hosts": ELF_HOSTS + VMWARE_HOSTS, "disks": [hdd("HEALTHY", host="e1")], "alerts": ALERTS})
    result = dash.load_dashboard(client, cluster=["elf", "cv"])
    assert [query[0] for query in client.queries] == ["clusters", "hosts", "disks", "alerts"]
    assert client.queries[1][1] == {"cluster": {"id_in": ["ce", "cv"]}}
    assert client.queries[2][1] == {"type": "HDD", "host": {"cluster": {"id_in": ["ce", "cv"]}}}
    assert client.queries[3][1] == {"ended": False, "cluster": {"id_in": ["ce", "cv"]}}
    assert result["total"]["clusters"] == 2


def test_load_dashboard_fails_for_an_unknown_cluster_and_reads_nothing_more():
    client = FakeClient({"clusters": [ELF]})
    with pytest.raises(CloudTowerError) as caught:
        dash.load_dashboard(client, cluster=["elf", "nope"])
    assert "'nope'" in caught.value.message and "'elf'" not in caught.value.message
    assert len(client.queries) == 1


def test_load_dashboard_without_clusters_reads_only_clusters():
    client = FakeClient({"clusters": []})
    result = dash.load_dashboard(client)
    assert len(client.queries) == 1
    assert result["total"]["clusters"] == 0


def test_require_matches_names_what_matches_nothing_in_one_read():
    client = FakeClient({"vms": [{"id": "v1", "name": "web-1"}]})
    dash.require_matches(client, "vms", "VM", "web-1", "vm_info")
    dash.require_matches(client, "vms", "VM", None, "vm_info")
    assert client.queries == [("vms", {"OR": [{"id_in": ["web-1"]}, {"name_in": ["web-1"]}]})]
    with pytest.raises(CloudTowerError) as caught:
        dash.require_matches(client, "vms", "VM", ["v1", "web-l"], "vm_info")
    assert caught.value.message == "No VM has the name or id 'web-l'. Give VM names or ids as the vm_info module lists them."
