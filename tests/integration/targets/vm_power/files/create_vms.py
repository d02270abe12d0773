# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Create VMs in the simulator through its control API, fast (one process, many POSTs).

Usage: create_vms.py SIM_URL < JSON list of {"name" (or "vm"), "status" (or "from"), "cluster"?, "count"?, "start"?}
With "count", the name is a %-format (``bulk-%03d``) filled with start .. start+count-1. Other keys are ignored.
Prints a JSON list of the created VMs' {id, name, status}.
"""

from __future__ import absolute_import, division, print_function

import json
import sys

from ansible.module_utils.urls import open_url


def create(sim_url, record):
    answer = open_url(sim_url.rstrip("/") + "/_sim/resources/vms", method="POST", data=json.dumps(record),
                      headers={"Content-Type": "application/json"})
    return json.loads(answer.read().decode("utf-8"))


def main():
    sim_url = sys.argv[1]
    created = []
    for item in json.load(sys.stdin):
        count = item.pop("count", None)
        start = item.pop("start", 0)
        name = item.get("vm") or item["name"]
        names = [name % number for number in range(start, start + count)] if count else [name]
        for name in names:
            record = dict(name=name, status=item.get("status") or item["from"], cluster={"name": item.get("cluster") or "cluster-elf-1"})
            vm = create(sim_url, record)
            created.append(dict(id=vm["id"], name=vm["name"], status=vm["status"]))
    json.dump(created, sys.stdout)


if __name__ == "__main__":
    main()
