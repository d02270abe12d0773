# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cloudtower
short_description: Hosts from the virtual machines of SmartX CloudTower
version_added: 1.0.0
description:
  - Builds Ansible hosts from the VMs CloudTower manages, with their variables under the C(cloudtower_) prefix and
    default groups by cluster, host, status, guest OS and label.
  - Reads its configuration from a YAML file whose name ends in C(cloudtower.yml) or C(cloudtower.yaml).
  - Every VM is fetched, page by page (O(page_size) VMs per page). Each page costs two API calls, one C(get-vms) and one
    C(get-vm-nics) for the NICs of that page's VMs, so the number of calls grows with the pages, not with the VMs.
  - VMs in the recycle bin and CloudTower's system VMs are left out unless O(include_recycle_bin) or O(include_system_vms)
    say otherwise. A system VM is one that CloudTower flags C(internal), or that has a C(vm_usage) (the CloudTower VM
    itself, SKS management, backup, replication or registry VMs and the like).
  - C(ansible_host) is the VM's first usable IPv4 address (not unspecified, loopback, link-local, multicast or reserved) from its NICs,
    taken in the NICs' C(order), NICs with C(enabled=false) left out; the addresses VMTools reports
    (C(guest_info_ip_addresses)) of every NIC come before the configured ones (C(ip_address)).
    A VM without such an address gets no C(ansible_host). O(compose) can set it otherwise.
  - With O(cache), the API's answers (the VM and NIC records) are cached, not the inventory built from them, so a change
    of O(compose), O(groups), O(keyed_groups), O(hostnames), the filters or the default groups applies without a new fetch.
    A cache written for another CloudTower, O(filters) or exclusion setting is not used.
author:
  - SmartX CloudTower collection maintainers (@smartx)
options:
  plugin:
    description: The name of this plugin; it marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [smartx.cloudtower.cloudtower]
  filters:
    description:
      - "A CloudTower C(VmWhereInput) filter applied by CloudTower, such as C({cluster: {name: cluster-elf-1}, status: RUNNING})
        or C({labels_some: {key: env, value: prod}})."
      - Combined by AND with the exclusion of recycle bin and system VMs.
    type: dict
    default: {}
  include_recycle_bin:
    description: Include the VMs in CloudTower's recycle bin.
    type: bool
    default: false
  include_system_vms:
    description: Include CloudTower's system VMs (C(internal) or with a C(vm_usage)).
    type: bool
    default: false
  include_filters:
    description:
      - Jinja2 conditionals on the host variables (the C(cloudtower_*) variables and C(ansible_host)).
        When set, a VM is a host only if at least one of them is true.
      - Evaluated in Ansible, after the fetch; prefer O(filters) for what CloudTower can select.
      - A conditional that cannot be evaluated counts as false, or fails the inventory under O(strict).
    type: list
    elements: str
    default: []
  exclude_filters:
    description:
      - Jinja2 conditionals on the host variables; a VM for which one of them is true is left out.
        Applied after O(include_filters).
      - A conditional that cannot be evaluated counts as false, or fails the inventory under O(strict).
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - Jinja2 expressions on the host variables, in order of preference; the first that gives a non-empty value
        is the inventory hostname. An expression that cannot be evaluated is skipped (under O(strict) it fails).
      - For example V([cloudtower_guest_hostname, cloudtower_name]) prefers the hostname VMTools reports.
      - A VM for which none gives a value is left out with a warning (under O(strict) it fails).
      - When two VMs get the same hostname, the first (VMs are listed by id) keeps it and the others get their VM id
        appended (C(<name>_<id>)), with a warning. Under O(strict) duplicates fail the inventory.
    type: list
    elements: str
    default: [cloudtower_name]
  default_groups:
    description:
      - The groups every host is put in, by C(cluster) (C(cluster_<cluster name>)), C(host) (C(host_<host name>)),
        C(status) (C(status_running), ...), C(guest_os_type) (C(guest_os_linux), ...) and C(labels)
        (C(label_<key>_<value>), or C(label_<key>) for a label without value).
      - Group names are sanitized (every character other than letters, digits and C(_) becomes C(_)).
      - Set to V([]) for none.
    type: list
    elements: str
    choices: [cluster, host, status, guest_os_type, labels]
    default: [cluster, host, status, guest_os_type, labels]
  default_group_prefix:
    description: A prefix of the names of the O(default_groups), such as V(cloudtower_).
    type: str
    default: ""
  page_size:
    description: How many VMs to ask for in one C(get-vms) call.
    type: int
    default: 1000
  concurrency:
    description:
      - How many pages to fetch at the same time (1 to 16). Above 1 the VMs are counted first (C(get-vms-connection)),
        then the pages are fetched by that many threads over one session.
    type: int
    default: 1
extends_documentation_fragment:
  - smartx.cloudtower.cloudtower.plugins
  - constructed
  - inventory_cache
notes:
  - Host variables set for every VM (besides C(ansible_host)) are C(cloudtower_id), C(cloudtower_local_id), C(cloudtower_name),
    C(cloudtower_description), C(cloudtower_status), C(cloudtower_vm_tools_status), C(cloudtower_cluster) and C(cloudtower_cluster_id),
    C(cloudtower_host_name) and C(cloudtower_host_id) (the name and id of the physical host; not C(cloudtower_host),
    a common name for the variable holding the CloudTower address), C(cloudtower_vcpu), C(cloudtower_memory) (bytes),
    C(cloudtower_guest_os_type), C(cloudtower_guest_os) and C(cloudtower_guest_hostname) (as VMTools reports them),
    C(cloudtower_ips) (the IPv4 addresses in the order described above, then the guest-reported IPv6 ones),
    C(cloudtower_nics) (a list of dicts with C(order), C(enabled), C(mac_address), C(ip_address), C(subnet_mask), C(gateway), C(model),
    C(vlan), C(guest_info_ip_addresses) and C(guest_info_ip_addresses_v6)),
    C(cloudtower_labels) (a dict of label key to value; of several labels with one key the first is kept, while every one gets its group),
    and C(cloudtower_in_recycle_bin).
  - VMs are fetched with C(first)/C(skip) paging ordered by id; a VM created or deleted while the pages are fetched may be missed.
  - What CloudTower returns (names, descriptions, guest hostnames, labels, ...) and the hostnames made from it are never
    rendered as Jinja2 templates, so that whoever can edit a VM cannot run code on the controller. With ansible-core 2.19 and
    later they are not trusted as templates; before 2.19 they are marked unsafe. O(compose), O(groups), O(keyed_groups),
    O(hostnames) and the filters are templates and can use them as values.
"""

EXAMPLES = r"""
# cloudtower.yml: every VM, credentials from CLOUDTOWER_HOST, CLOUDTOWER_USERNAME, CLOUDTOWER_PASSWORD
plugin: smartx.cloudtower.cloudtower

---
# prod.cloudtower.yml: running VMs of one cluster labelled env=prod, named by their guest hostname when VMTools reports one;
# the password comes from CLOUDTOWER_PASSWORD (option values are not templated)
plugin: smartx.cloudtower.cloudtower
host: https://tower.example.com
username: ansible
filters:
  cluster:
    name: cluster-elf-1
  status: RUNNING
  labels_some:
    key: env
    value: prod
hostnames:
  - cloudtower_guest_hostname
  - cloudtower_name
default_group_prefix: cloudtower_

---
# linux.cloudtower.yml: Linux VMs with VMTools running, grouped by a label, cached for an hour
plugin: smartx.cloudtower.cloudtower
include_filters:
  - cloudtower_guest_os_type == 'LINUX'
exclude_filters:
  - cloudtower_vm_tools_status != 'RUNNING'
default_groups: [cluster]
keyed_groups:
  - key: cloudtower_labels.role | default('none')
    prefix: role
compose:
  ansible_user: "'root' if cloudtower_labels.os | default('') == 'centos' else 'ubuntu'"
groups:
  big: cloudtower_vcpu >= 8
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/cloudtower_inventory
cache_timeout: 3600
"""

import re

from ansible.errors import AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.smartx.cloudtower.plugins.module_utils.arguments import CONNECTION_SPEC
from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerClient, CloudTowerError
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import is_system_vm, user_vms_where
from ansible_collections.smartx.cloudtower.plugins.plugin_utils.inventory import (
    CACHE_FORMAT,
    VmFetcher,
    group_names,
    group_vms_with_nics,
    query_fingerprint,
    vm_hostvars,
)

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19
    # every string is a template there, unless marked unsafe: the options' templates are trusted as they are,
    # and what CloudTower returns is marked unsafe (a VM's description or guest hostname is anyone's to set)
    from ansible.utils.unsafe_proxy import wrap_var as make_unsafe

    def trust_as_template(value):
        return value
else:
    # ansible-core 2.19+: a string is a template only when trusted as one, and nothing from CloudTower is
    make_unsafe = None

VARIABLE_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "smartx.cloudtower.cloudtower"

    def verify_file(self, path):
        if super(InventoryModule, self).verify_file(path):
            return path.endswith(("cloudtower.yml", "cloudtower.yaml"))
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path)
        self._read_config_data(path)

        strict = self.get_option("strict")
        where = user_vms_where(self.get_option("filters"), self.get_option("include_recycle_bin"), self.get_option("include_system_vms"))
        try:
            # the connection options are those of the modules (the PLUGINS doc fragment documents the same names)
            client = CloudTowerClient.from_options(dict((name, self.get_option(name)) for name in CONNECTION_SPEC))
        except CloudTowerError as exc:
            raise AnsibleParserError("smartx.cloudtower.cloudtower: %s" % exc.message)
        fingerprint = query_fingerprint(client.base_url, where)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        data = None
        if use_cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                update_cache = True
            else:
                if isinstance(cached, dict) and cached.get("format") == CACHE_FORMAT and cached.get("query") == fingerprint:
                    data = cached
                else:
                    update_cache = True
        if data is None:
            try:
                data = VmFetcher(client, where, page_size=self.get_option("page_size"), concurrency=self.get_option("concurrency")).fetch()
            except CloudTowerError as exc:
                raise AnsibleParserError("smartx.cloudtower.cloudtower: %s" % exc.message)
            data["format"] = CACHE_FORMAT
            data["query"] = fingerprint
        if update_cache:
            self._cache[cache_key] = data

        self._populate(data, strict)

    # --- building the inventory -----------------------------------------------------------------

    def _expressions(self, option):
        """[(variable, template)]: ``variable`` is the name when the expression is a bare variable name (read from the
        host vars without templating when they have it), else None; ``template`` is the trusted expression."""
        result = []
        for expression in self.get_option(option) or ():
            match = VARIABLE_RE.match(expression)
            result.append((match.group(1) if match else None, trust_as_template(expression)))
        return result

    def _evaluate(self, variable, template, hostvars, strict, what):
        if variable is not None and variable in hostvars:
            return hostvars[variable]
        try:
            return self._compose(template, hostvars)
        except Exception as exc:  # pylint: disable=broad-except
            if strict:
                raise AnsibleParserError("smartx.cloudtower.cloudtower: could not evaluate %s %r for VM %s: %s"
                                         % (what, to_native(template), hostvars.get("cloudtower_name"), to_native(exc)))
            return None

    def _populate(self, data, strict):
        include_system = self.get_option("include_system_vms")
        include_recycled = self.get_option("include_recycle_bin")
        hostnames = self._expressions("hostnames")
        include_filters = self._expressions("include_filters")
        exclude_filters = self._expressions("exclude_filters")
        kinds = frozenset(self.get_option("default_groups") or ())
        prefix = self.get_option("default_group_prefix") or ""
        compose = self.get_option("compose")
        groups = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        constructed = bool(compose or groups or keyed_groups)

        inventory = self.inventory
        all_hosts = inventory.hosts
        group_names_seen = {}  # raw group name -> its name in the inventory
        owners = {}  # hostname -> VM id, for this source only

        for vm, nics in group_vms_with_nics(data):
            # the exclusions CloudTower applied, checked again in case a server ignores part of the where
            if (not include_system and is_system_vm(vm)) or (not include_recycled and vm.get("in_recycle_bin")):
                continue
            hostvars, ansible_host = vm_hostvars(vm, nics)
            if ansible_host is not None:
                hostvars["ansible_host"] = ansible_host
            if make_unsafe is not None:
                hostvars = make_unsafe(hostvars)

            if include_filters and not any(self._evaluate(v, t, hostvars, strict, "include_filters entry") for v, t in include_filters):
                continue
            if exclude_filters and any(self._evaluate(v, t, hostvars, strict, "exclude_filters entry") for v, t in exclude_filters):
                continue

            hostname = None
            for variable, template in hostnames:
                value = self._evaluate(variable, template, hostvars, strict, "hostnames entry")
                if value is not None and value != "":
                    hostname = to_native(value)
                    break
            if hostname is None:
                message = "smartx.cloudtower.cloudtower: no hostnames entry gives a name for VM id %s (%s)" % (vm.get("id"), vm.get("name"))
                if strict:
                    raise AnsibleParserError(message)
                self.display.warning(message + "; it is left out.")
                continue
            if hostname in owners:
                message = ("smartx.cloudtower.cloudtower: VMs %s and %s have the same hostname %r"
                           % (owners[hostname], vm.get("id"), hostname))
                if strict:
                    raise AnsibleParserError(message + "; give hostnames that tell them apart, or turn strict off to get a suffix.")
                unique = "%s_%s" % (hostname, vm.get("id"))
                self.display.warning("%s; the second is named %r." % (message, unique))
                hostname = unique
            owners[hostname] = vm.get("id")
            if make_unsafe is not None:
                hostname = make_unsafe(hostname)  # it may come from a template, whose result need not stay unsafe

            inventory.add_host(hostname)
            # every name here is a valid variable name: set them at once rather than one validated call each
            all_hosts[hostname].vars.update(hostvars)

            if kinds:
                for raw in group_names(vm, hostvars, kinds, prefix):
                    name = group_names_seen.get(raw)
                    if name is None:
                        name = group_names_seen[raw] = inventory.add_group(to_safe_group_name(raw, force=True, silent=True))
                    inventory.add_child(name, hostname)

            if constructed:
                self._set_composite_vars(compose, hostvars, hostname, strict=strict)
                self._add_host_to_composed_groups(groups, hostvars, hostname, strict=strict)
                self._add_host_to_keyed_groups(keyed_groups, hostvars, hostname, strict=strict)
