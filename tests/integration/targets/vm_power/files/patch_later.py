# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""After DELAY seconds, PATCH a VM record in the simulator (to end a simulated busy state from the side).

Usage: patch_later.py SIM_URL VM_ID DELAY JSON_FIELDS
"""

from __future__ import absolute_import, division, print_function

import sys
import time

from ansible.module_utils.urls import open_url


def main():
    sim_url, vm_id, delay, fields = sys.argv[1:5]
    time.sleep(float(delay))
    answer = open_url("%s/_sim/resources/vms/%s" % (sim_url.rstrip("/"), vm_id), method="PATCH", data=fields,
                      headers={"Content-Type": "application/json"})
    print(answer.read().decode("utf-8"))


if __name__ == "__main__":
    main()
