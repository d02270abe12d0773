#!/usr/bin/env python3
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official cloudtower-sdk listing the same VMs and NICs page by page (VmApi.get_vms, VmNicApi.get_vm_nics),
with the same bodies as the plugin, keeping the model objects.

Usage: sdk_list.py ROOT_URL PAGE_SIZE
"""

import sys

from cloudtower import ApiClient, Configuration
from cloudtower.api.vm_api import VmApi
from cloudtower.api.vm_nic_api import VmNicApi
from cloudtower.utils import login
from paging import fetch_all


def main():
    root, page_size = sys.argv[1].rstrip("/") + "/v2/api", int(sys.argv[2])
    client = ApiClient(Configuration(host=root))
    login(client, "admin", "cloudtower")
    vm_api, nic_api = VmApi(client), VmNicApi(client)
    vms, nics = fetch_all(vm_api.get_vms, nic_api.get_vm_nics, lambda vm: vm.id, page_size)
    print("%d VMs, %d NICs" % (len(vms), len(nics)))


if __name__ == "__main__":
    main()
