# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CloudTower side of the inventory plugin: which VMs to ask for, how to fetch them page by page
(with their NICs, one ``get-vm-nics`` call per page) and how a VM becomes host variables and groups.

Nothing here knows about Ansible's inventory objects; ``plugins/inventory/cloudtower.py`` does the glue.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError

# Stable paging: first/skip over a fixed order, the id being unique.
VM_ORDER_BY = "id_ASC"
MAX_CONCURRENCY = 16

# The fields of the API records the plugin uses; the rest is dropped as soon as a page arrives,
# which keeps memory and the cache small.
VM_FIELDS = ("id", "local_id", "name", "description", "status", "vm_tools_status", "cluster", "host", "vcpu", "memory",
             "guest_os_type", "os", "hostname", "labels", "in_recycle_bin", "internal", "vm_usage")
NIC_FIELDS = ("vm", "order", "enabled", "mac_address", "ip_address", "subnet_mask", "gateway", "model", "vlan",
              "guest_info_ip_addresses", "guest_info_ip_addresses_v6")

PREFIX = "cloudtower_"
GROUP_KINDS = ("cluster", "host", "status", "guest_os_type", "labels")
CACHE_FORMAT = 1


def query_fingerprint(base_url, where):
    """What the cached data depends on: a cache written for another CloudTower or filter is not used."""
    return json.dumps({"url": base_url, "where": where}, sort_keys=True)


def _project(record, fields):
    get = record.get
    return {field: get(field) for field in fields}


class VmFetcher:
    """Fetches every VM matching ``where`` and the NICs of those VMs.

    Each page of ``page_size`` VMs costs one ``get-vms`` call and one ``get-vm-nics`` call for the VMs
    of that page (``where: {vm: {id_in: [...]}}``). With ``concurrency`` > 1 the VMs are counted first
    (``get-vms-connection``) and the pages fetched by that many threads over the client's one session.
    """

    def __init__(self, client, where, page_size=1000, concurrency=1):
        if page_size < 1:
            raise CloudTowerError("page_size must be at least 1, not %s." % page_size)
        if concurrency < 1 or concurrency > MAX_CONCURRENCY:
            raise CloudTowerError("concurrency must be between 1 and %d, not %s." % (MAX_CONCURRENCY, concurrency))
        self.client = client
        self.where = where
        self.page_size = page_size
        self.concurrency = concurrency

    def page(self, skip):
        """(vms, nics) of the page starting at ``skip``, both reduced to the fields the plugin uses."""
        return self._with_nics(self.client.page("vms", where=self.where, order_by=VM_ORDER_BY, first=self.page_size, skip=skip))

    def _with_nics(self, answer):
        """(vms, nics) of a page of VM records: one get-vm-nics call for the NICs of all of them."""
        vms = [_project(vm, VM_FIELDS) for vm in answer]
        del answer
        nics = []
        if vms:
            nics = [_project(nic, NIC_FIELDS) for nic in self.client.page("vm-nics", where={"vm": {"id_in": [vm["id"] for vm in vms]}})]
        return vms, nics

    def fetch(self):
        """{"vms": [...], "nics": [...]}: the API's records (reduced), in the order of the VM pages."""
        vms, nics = [], []
        skip = 0
        if self.concurrency > 1:
            # log in once, before the threads share the client
            self.client.token  # pylint: disable=pointless-statement
            starts = list(range(0, self.client.count("vms", self.where), self.page_size))
            if not starts:
                return {"vms": vms, "nics": nics}
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(starts))) as pool:
                pages = list(pool.map(self.page, starts))
            for page_vms, page_nics in pages:
                vms.extend(page_vms)
                nics.extend(page_nics)
            if len(pages[-1][0]) < self.page_size:
                return {"vms": vms, "nics": nics}
            skip = starts[-1] + self.page_size
        # sequential (or what was created after the count): page after page until a short one
        for answer in self.client.iter_pages("vms", where=self.where, order_by=VM_ORDER_BY, page_size=self.page_size, skip=skip):
            page_vms, page_nics = self._with_nics(answer)
            vms.extend(page_vms)
            nics.extend(page_nics)
        return {"vms": vms, "nics": nics}


def _usable_ipv4(address):
    """True for a dotted-quad IPv4 address Ansible can connect to: not unspecified (0/8), loopback (127/8),
    link-local (169.254/16), multicast (224/4) or reserved/broadcast (240/4).

    A string check rather than ``ipaddress``: it runs for every address of every VM.
    """
    if not isinstance(address, str):
        return False
    parts = address.split(".")
    if len(parts) != 4:
        return False
    octets = []
    for part in parts:
        if not (part.isdigit() and part.isascii()) or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
            return False
        octet = int(part)
        if octet > 255:
            return False
        octets.append(octet)
    first = octets[0]
    return not (first == 0 or first == 127 or first >= 224 or (first == 169 and octets[1] == 254))


def _nic_order(indexed):
    index, nic = indexed
    order = nic.get("order")
    return (order is None, order if order is not None else 0, index)


def nic_addresses(nics):
    """(ips, ansible_host) of a VM from its NICs.

    NICs are taken in their ``order`` (then as listed); NICs with ``enabled: false`` are skipped.
    IPv4 addresses come first, the guest-reported ones (``guest_info_ip_addresses``, from VMTools) of every NIC
    before the configured ones (``ip_address``); then the guest-reported IPv6 addresses. ``ansible_host`` is the
    first usable IPv4 address of that list, or None.
    """
    if len(nics) > 1:
        nics = [nic for _index, nic in sorted(enumerate(nics), key=_nic_order)]
    nics = [nic for nic in nics if nic.get("enabled") is not False]
    ipv4 = []
    for nic in nics:
        ipv4.extend(nic.get("guest_info_ip_addresses") or ())
    for nic in nics:
        if nic.get("ip_address"):
            ipv4.append(nic["ip_address"])
    ansible_host = None
    ips = []
    seen = set()
    for address in ipv4:
        if address in seen or not _usable_ipv4(address):
            continue
        seen.add(address)
        ips.append(address)
        if ansible_host is None:
            ansible_host = address
    for nic in nics:
        for address in nic.get("guest_info_ip_addresses_v6") or ():
            if address and address not in seen:
                seen.add(address)
                ips.append(address)
    return ips, ansible_host


def _public_nic(nic):
    public = dict(nic)
    public.pop("vm", None)
    return public


def vm_hostvars(vm, nics):
    """The ``cloudtower_*`` variables of a VM and its ansible_host (None when it has no usable IPv4 address)."""
    ips, ansible_host = nic_addresses(nics)
    labels = {}
    for label in vm.get("labels") or ():
        key = label.get("key")
        if key is not None and key not in labels:
            labels[key] = label.get("value") or ""
    cluster = vm.get("cluster") or {}
    host = vm.get("host") or {}
    hostvars = {
        "cloudtower_id": vm.get("id"),
        "cloudtower_local_id": vm.get("local_id"),
        "cloudtower_name": vm.get("name"),
        "cloudtower_description": vm.get("description") or "",
        "cloudtower_status": vm.get("status"),
        "cloudtower_vm_tools_status": vm.get("vm_tools_status"),
        "cloudtower_cluster": cluster.get("name"),
        "cloudtower_cluster_id": cluster.get("id"),
        "cloudtower_host_name": host.get("name"),
        "cloudtower_host_id": host.get("id"),
        "cloudtower_vcpu": vm.get("vcpu"),
        "cloudtower_memory": vm.get("memory"),
        "cloudtower_guest_os_type": vm.get("guest_os_type"),
        "cloudtower_guest_os": vm.get("os"),
        "cloudtower_guest_hostname": vm.get("hostname"),
        "cloudtower_ips": ips,
        "cloudtower_nics": [_public_nic(nic) for nic in nics],
        "cloudtower_labels": labels,
        "cloudtower_in_recycle_bin": bool(vm.get("in_recycle_bin")),
    }
    return hostvars, ansible_host


def group_names(vm, hostvars, kinds, prefix=""):
    """The raw (unsanitized) default group names of a VM for the group ``kinds`` asked for."""
    names = []
    if "cluster" in kinds and hostvars["cloudtower_cluster"]:
        names.append("%scluster_%s" % (prefix, hostvars["cloudtower_cluster"]))
    if "host" in kinds and hostvars["cloudtower_host_name"]:
        names.append("%shost_%s" % (prefix, hostvars["cloudtower_host_name"]))
    if "status" in kinds and hostvars["cloudtower_status"]:
        names.append("%sstatus_%s" % (prefix, hostvars["cloudtower_status"].lower()))
    if "guest_os_type" in kinds and hostvars["cloudtower_guest_os_type"]:
        names.append("%sguest_os_%s" % (prefix, hostvars["cloudtower_guest_os_type"].lower()))
    if "labels" in kinds:
        for label in vm.get("labels") or ():
            key, value = label.get("key"), label.get("value")
            if key:
                names.append("%slabel_%s_%s" % (prefix, key, value) if value else "%slabel_%s" % (prefix, key))
    return names


def group_vms_with_nics(data):
    """[(vm, [nic, ...]), ...] from the fetched (or cached) data, each VM once, in the listed order."""
    by_vm = {}
    for nic in data.get("nics") or ():
        vm_id = (nic.get("vm") or {}).get("id")
        if vm_id is not None:
            by_vm.setdefault(vm_id, []).append(nic)
    seen = set()
    result = []
    empty = ()
    for vm in data.get("vms") or ():
        vm_id = vm.get("id")
        if vm_id in seen:  # a VM moved between two pages while they were fetched
            continue
        seen.add(vm_id)
        result.append((vm, by_vm.get(vm_id, empty)))
    return result
