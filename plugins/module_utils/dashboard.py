# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CloudTower dashboard: its figures over clusters, hosts, disks and alerts, and the info modules' shared selection.

Everything that computes a figure is a pure function of records as CloudTower returns them, so it can be
tested with hand-made records. The rules are those of the SDK guide's dashboard, with its two faults fixed:
a HEALTHY disk is never an error, and a usage is a percentage (used / total x 100), not a fraction.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import LISTING_SPEC
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import combine_where, ids_or_names_where

BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
HZ_UNITS = ("Hz", "KHz", "MHz", "GHz", "THz")

SEVERITIES = ("CRITICAL", "NOTICE", "INFO")

# A HDD is an error when its health says so, else a warning when it is not (fully) mounted, else healthy.
HDD_ERROR_HEALTH = ("UNHEALTHY", "SUBHEALTHY", "SMART_FAILED", "SOFTWARE_RAID_FAILURE")
HDD_WARNING_USAGE = ("UNMOUNTED", "PARTIAL_MOUNTED")

# --- selection shared by cluster_info, host_info, disk_info and alert_info -------------------------
# Documented by the smartx.cloudtower.info doc fragment; keep the two in step.

SELECTION_SPEC = dict(
    cluster=dict(type="list", elements="str"),
    where=dict(type="dict"),
    **LISTING_SPEC
)

# How each resource reaches its cluster in a ``where``.
_CLUSTER_PATH = {
    "clusters": (),
    "hosts": ("cluster",),
    "alerts": ("cluster",),
    "disks": ("host", "cluster"),
}


def selection_argument_spec(**overrides):
    """A fresh copy of the selection options, with ``overrides`` (such as another ``order_by`` default) applied."""
    spec = copy.deepcopy(SELECTION_SPEC)
    spec.update(overrides)
    return spec


def cluster_scope_where(resource, clusters):
    """The ``where`` that keeps the ``resource`` records (clusters, hosts, disks, alerts) of ``clusters`` (names or ids)."""
    if not clusters:
        return {}
    where = ids_or_names_where(clusters)
    for key in reversed(_CLUSTER_PATH[resource]):
        where = {key: where}
    return where


def selection_where(resource, params, *extra):
    """The ``where`` of the shared selection options, ANDed with ``extra`` filters and the raw ``where`` last."""
    return combine_where(cluster_scope_where(resource, params.get("cluster")), *(list(extra) + [params.get("where")]))


def list_selected(client, resource, params, *extra):
    """The records of ``get-<resource>`` that the shared selection options (and ``extra`` filters) select."""
    return client.list_records(resource, where=selection_where(resource, params, *extra), order_by=params.get("order_by"),
                               page_size=params.get("page_size") or 500, limit=params.get("limit"))


def unmatched_values(wanted, records):
    """The values of ``wanted`` (names or ids) that no record in ``records`` has as id or name."""
    known = set()
    for record in records:
        known.add(record.get("id"))
        known.add(record.get("name"))
    return [value for value in wanted or [] if value not in known]


def not_found_error(kind, values, lister, suffix=""):
    """The error for names or ids of ``kind`` (cluster, VM, host) that match nothing; ``lister`` lists them."""
    return CloudTowerError("No %s has the name or id %s%s. Give %s names or ids as the %s module lists them." % (
        kind, ", ".join("'%s'" % value for value in values), suffix, kind, lister))


def require_matches(client, resource, kind, values, lister):
    """Fail unless each of ``values`` (names or ids) is the id or name of a ``resource`` record.

    For filters that name one thing: a typo in them must fail, not select nothing in silence (an alert
    check would then pass). One read of the named records.
    """
    values = [values] if isinstance(values, str) else list(values or [])
    if values:
        missing = unmatched_values(values, client.list_records(resource, where=ids_or_names_where(values)))
        if missing:
            raise not_found_error(kind, missing, lister)


# --- units -------------------------------------------------------------------------------------


def format_unit(value, units, step):
    """``value`` in the largest unit of ``units`` (each ``step`` times the one before) that keeps it below ``step``.

    Two decimals and a space: ``format_unit(1536, BYTE_UNITS, 1024) == '1.50 KiB'``. Past the last unit the
    number grows (``'2048.00 PiB'``). None stays None.
    """
    if value is None:
        return None
    sign = "-" if value < 0 else ""
    amount = float(abs(value))
    index = 0
    # Compare the rounded amount, so 1023.999 KiB is written 1.00 MiB and not 1024.00 KiB.
    while index < len(units) - 1 and round(amount, 2) >= step:
        amount /= step
        index += 1
    return "%s%.2f %s" % (sign, amount, units[index])


def format_bytes(value):
    """Bytes in steps of 1024: B, KiB, MiB, GiB, TiB, PiB."""
    return format_unit(value, BYTE_UNITS, 1024)


def format_hz(value):
    """Hertz in steps of 1000: Hz, KHz, MHz, GHz, THz."""
    return format_unit(value, HZ_UNITS, 1000)


def usage_percent(used, total):
    """``used`` as a percentage of ``total`` (0 to 100, not a fraction), two decimals; 0.0 when ``total`` is 0 or missing."""
    if not total:
        return 0.0
    return round(float(used or 0) * 100.0 / float(total), 2)


def _whole(value):
    """A count of bytes or Hz as an int: CloudTower gives some (``used_memory_bytes``, ``used_cpu_hz``) as floats."""
    return int(round(value)) if isinstance(value, float) else value


def bytes_figure(value):
    """``{'value': 1536, 'human': '1.50 KiB'}``; the value is rounded to a whole number of bytes."""
    return dict(value=_whole(value), human=format_bytes(value))


def hz_figure(value):
    """``{'value': 2400000000, 'human': '2.40 GHz'}``; the value is rounded to a whole number of Hz."""
    return dict(value=_whole(value), human=format_hz(value))


def percent_figure(used, total):
    """``{'value': 12.5, 'human': '12.50%'}`` for ``used`` out of ``total``."""
    value = usage_percent(used, total)
    return dict(value=value, human="%.2f%%" % value)


def _number(record, key):
    """``record[key]`` as a number, 0 when missing or null."""
    value = (record or {}).get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


# --- figures -----------------------------------------------------------------------------------


def counts_cpu(cluster):
    """Whether the cluster's CPU is counted: SMTX OS clusters only, as in CloudTower's dashboard."""
    return cluster.get("type") == "SMTX_OS"


def memory_source(cluster):
    """Where a cluster's memory comes from: ``cluster`` totals (VMware hypervisor), its ``hosts`` (ELF), or None."""
    hypervisor = cluster.get("hypervisor")
    if hypervisor == "VMWARE":
        return "cluster"
    if hypervisor == "ELF":
        return "hosts"
    return None


def cpu_totals(clusters):
    """Cores, total Hz and used Hz of the SMTX OS clusters among ``clusters``."""
    counted = [cluster for cluster in clusters if counts_cpu(cluster)]
    return dict(
        cores=sum(_number(cluster, "total_cpu_cores") for cluster in counted),
        total_hz=sum(_number(cluster, "total_cpu_hz") for cluster in counted),
        used_hz=sum(_number(cluster, "used_cpu_hz") for cluster in counted),
    )


def memory_totals(cluster, hosts):
    """Total and used memory bytes of one cluster.

    VMware hypervisor: the cluster's ``total_memory_bytes`` and ``used_memory_bytes``.
    ELF: the sum over ``hosts`` (the cluster's hosts) of ``total_memory_bytes``, and of
    ``running_pause_vm_memory_bytes`` + ``os_memory_bytes`` for the used memory.
    Any other hypervisor: 0 and 0.
    """
    source = memory_source(cluster)
    if source == "cluster":
        return dict(total=_number(cluster, "total_memory_bytes"), used=_number(cluster, "used_memory_bytes"))
    if source == "hosts":
        return dict(total=sum(_number(host, "total_memory_bytes") for host in hosts),
                    used=sum(_number(host, "running_pause_vm_memory_bytes") + _number(host, "os_memory_bytes") for host in hosts))
    return dict(total=0, used=0)


def storage_totals(clusters):
    """Total, used, failure (invalid) and available data bytes of ``clusters``; available is never below 0."""
    total = sum(_number(cluster, "total_data_capacity") for cluster in clusters)
    used = sum(_number(cluster, "used_data_space") for cluster in clusters)
    failure = sum(_number(cluster, "failure_data_space") for cluster in clusters)
    return dict(total=total, used=used, failure=failure, available=max(total - used - failure, 0))


def hdd_state(disk):
    """``error``, ``warning`` or ``healthy`` for one disk.

    error: health_status UNHEALTHY, SUBHEALTHY, SMART_FAILED or SOFTWARE_RAID_FAILURE (or no health_status and
    ``healthy`` false); warning: usage_status UNMOUNTED or PARTIAL_MOUNTED; healthy: anything else, HEALTHY included.
    """
    health = disk.get("health_status")
    if health in HDD_ERROR_HEALTH or (health is None and disk.get("healthy") is False):
        return "error"
    if disk.get("usage_status") in HDD_WARNING_USAGE:
        return "warning"
    return "healthy"


def hdd_summary(disks):
    """Counts of healthy, warning and error HDDs among ``disks`` (other disk types are ignored), and their total."""
    counts = dict(healthy=0, warning=0, error=0, total=0)
    for disk in disks:
        if disk.get("type") != "HDD":
            continue
        counts[hdd_state(disk)] += 1
        counts["total"] += 1
    return counts


def alerts_by_severity(alerts):
    """``{'critical': [...], 'notice': [...], 'info': [...]}``; alerts of another severity are in none of the lists."""
    grouped = dict((severity.lower(), []) for severity in SEVERITIES)
    for alert in alerts:
        severity = (alert.get("severity") or "").upper()
        if severity in SEVERITIES:
            grouped[severity.lower()].append(alert)
    return grouped


def alert_counts(alerts):
    """``{'critical': n, 'notice': n, 'info': n, 'total': n}``; ``total`` counts every alert, whatever its severity."""
    counts = dict((key, len(value)) for key, value in alerts_by_severity(alerts).items())
    counts["total"] = len(alerts)
    return counts


def _cpu_figures(cpu):
    return dict(cores=cpu["cores"], total_hz=hz_figure(cpu["total_hz"]), used_hz=hz_figure(cpu["used_hz"]),
                usage=percent_figure(cpu["used_hz"], cpu["total_hz"]))


def _memory_figures(memory):
    return dict(total=bytes_figure(memory["total"]), used=bytes_figure(memory["used"]),
                free=bytes_figure(max(memory["total"] - memory["used"], 0)), usage=percent_figure(memory["used"], memory["total"]))


def _storage_figures(storage):
    return dict(total=bytes_figure(storage["total"]), used=bytes_figure(storage["used"]), failure=bytes_figure(storage["failure"]),
                available=bytes_figure(storage["available"]), usage=percent_figure(storage["used"], storage["total"]))


def dashboard(clusters, hosts, disks, alerts):
    """The dashboard of ``clusters``: per-cluster figures and their total.

    ``hosts`` are the hosts of those clusters, ``disks`` their disks (only HDDs are counted), ``alerts`` their open
    alerts. Records that belong to no cluster of ``clusters`` are left out, so the total is the sum of the clusters.
    """
    cluster_ids = set(cluster["id"] for cluster in clusters)
    hosts_of = dict((cluster_id, []) for cluster_id in cluster_ids)
    cluster_of_host = {}
    for host in hosts:
        cluster_id = (host.get("cluster") or {}).get("id")
        if cluster_id in cluster_ids:
            hosts_of[cluster_id].append(host)
            cluster_of_host[host["id"]] = cluster_id
    disks_of = dict((cluster_id, []) for cluster_id in cluster_ids)
    for disk in disks:
        cluster_id = cluster_of_host.get((disk.get("host") or {}).get("id"))
        if cluster_id is not None:
            disks_of[cluster_id].append(disk)
    alerts_of = dict((cluster_id, []) for cluster_id in cluster_ids)
    for alert in alerts:
        cluster_id = (alert.get("cluster") or {}).get("id")
        if cluster_id in cluster_ids:
            alerts_of[cluster_id].append(alert)

    per_cluster = []
    memory_sum = dict(total=0, used=0)
    hdd_sum = dict(healthy=0, warning=0, error=0, total=0)
    open_alerts = []
    for cluster in clusters:
        cluster_id = cluster["id"]
        memory = memory_totals(cluster, hosts_of[cluster_id])
        hdd = hdd_summary(disks_of[cluster_id])
        source = memory_source(cluster)
        for key in memory_sum:
            memory_sum[key] += memory[key]
        for key in hdd_sum:
            hdd_sum[key] += hdd[key]
        open_alerts.extend(alerts_of[cluster_id])
        memory_figures = _memory_figures(memory) if source else None
        if memory_figures:
            memory_figures["source"] = source
        per_cluster.append(dict(
            id=cluster_id, name=cluster.get("name"), type=cluster.get("type"), hypervisor=cluster.get("hypervisor"),
            version=cluster.get("version"), hosts=len(hosts_of[cluster_id]),
            cpu=_cpu_figures(cpu_totals([cluster])) if counts_cpu(cluster) else None,
            memory=memory_figures,
            storage=_storage_figures(storage_totals([cluster])),
            hdd=hdd,
            alerts=alert_counts(alerts_of[cluster_id]),
        ))
    total = dict(
        clusters=len(clusters), hosts=sum(len(hosts_of[cluster["id"]]) for cluster in clusters),
        cpu=_cpu_figures(cpu_totals(clusters)),
        memory=_memory_figures(memory_sum),
        storage=_storage_figures(storage_totals(clusters)),
        hdd=hdd_sum,
        alerts=alert_counts(open_alerts),
    )
    return dict(clusters=per_cluster, total=total, alerts=alerts_by_severity(open_alerts))


def load_dashboard(client, cluster=None, where=None):
    """Fetch what the dashboard of the selected clusters needs and compute it.

    One paged read each of get-clusters, get-hosts, get-disks (HDDs) and get-alerts (open) for all the
    selected clusters together, never one per cluster. Every name or id in ``cluster`` must match a cluster.
    """
    clusters = client.list_records("clusters", where=combine_where(cluster_scope_where("clusters", cluster), where), order_by="name_ASC")
    missing = unmatched_values(cluster, clusters)
    if missing:
        raise not_found_error("cluster", missing, "cluster_info", " (together with where)" if where else "")
    ids = [record["id"] for record in clusters]
    if not ids:
        return dashboard([], [], [], [])
    in_clusters = {"cluster": {"id_in": ids}}
    hosts = client.list_records("hosts", where=in_clusters, order_by="name_ASC")
    disks = client.list_records("disks", where={"type": "HDD", "host": in_clusters}, order_by="name_ASC")
    alerts = client.list_records("alerts", where={"ended": False, "cluster": {"id_in": ids}}, order_by="local_start_time_DESC")
    return dashboard(clusters, hosts, disks, alerts)
