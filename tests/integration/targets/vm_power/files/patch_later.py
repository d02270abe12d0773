# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""After DELAY seconds, PATCH a VM record in the simulator (to end a simulated busy state from the side).

Usage: patch_later.py SIM_URL VM_ID DELAY JSON_FIELDS
"""

from __future__ import absolute_import, division, print_function

import sys
import time

try:
    from urllib.request import Request, urlopen
except ImportError:  # Python 2
    from urllib2 import Request, urlopen


def main():
    sim_url, vm_id, delay, fields = sys.argv[1:5]
    time.sleep(float(delay))
    request = Request("%s/_sim/resources/vms/%s" % (sim_url.rstrip("/"), vm_id), data=fields.encode("utf-8"),
                      headers={"Content-Type": "application/json"})
    request.get_method = lambda: "PATCH"
    print(urlopen(request).read().decode("utf-8"))


if __name__ == "__main__":
    main()
