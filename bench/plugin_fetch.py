#!/usr/bin/env python3
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin's fetch stage alone (CloudTowerClient + VmFetcher, as the plugin builds them): the same work as
floor_fetch.py and sdk_list.py, for a like-for-like comparison. Needs ansible_collections on PYTHONPATH.

Usage: plugin_fetch.py ROOT_URL PAGE_SIZE
"""

import sys

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerClient
from ansible_collections.smartx.cloudtower.plugins.module_utils.resources import user_vms_where
from ansible_collections.smartx.cloudtower.plugins.plugin_utils.inventory import VmFetcher


def main():
    client = CloudTowerClient.from_options({"host": sys.argv[1], "username": "admin", "password": "cloudtower"})
    data = VmFetcher(client, user_vms_where(), page_size=int(sys.argv[2])).fetch()
    print("%d VMs, %d NICs" % (len(data["vms"]), len(data["nics"])))


if __name__ == "__main__":
    main()
