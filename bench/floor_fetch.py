#!/usr/bin/env python3
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The floor of fetching: the plugin's requests (login, get-vms pages, one get-vm-nics per page), sent with
plain requests and decoded with json.loads, and kept in lists. Nothing else.

Usage: floor_fetch.py ROOT_URL PAGE_SIZE
"""

import json
import sys

import requests

from paging import fetch_all


def main():
    root, page_size = sys.argv[1].rstrip("/") + "/v2/api", int(sys.argv[2])
    session = requests.Session()
    session.headers["Content-Type"] = "application/json"
    answer = session.post(root + "/login", data=json.dumps({"username": "admin", "password": "cloudtower", "source": "LOCAL"}))
    session.headers["Authorization"] = json.loads(answer.content)["data"]["token"]

    def call(operation, body):
        return json.loads(session.post(root + "/" + operation, data=json.dumps(body)).content)

    vms, nics = fetch_all(lambda body: call("get-vms", body), lambda body: call("get-vm-nics", body),
                          lambda vm: vm["id"], page_size)
    print("%d VMs, %d NICs" % (len(vms), len(nics)))


if __name__ == "__main__":
    main()
