# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The selection options of cluster_info, host_info, disk_info and alert_info (with the listing options of the
    # smartx.cloudtower.cloudtower.listing fragment); the argument spec is SELECTION_SPEC in plugins/module_utils/dashboard.py.
    DOCUMENTATION = r"""
options:
  cluster:
    description:
      - Names or ids of clusters; only records of these clusters are returned (for M(smartx.cloudtower.cluster_info), these clusters).
      - A value matches a cluster whose name or id it is. A value that matches nothing selects nothing; it is not an error.
    type: list
    elements: str
  where:
    description:
      - "A raw CloudTower filter for the records listed (C(ClusterWhereInput), C(HostWhereInput), C(DiskWhereInput) or C(AlertWhereInput)),
        such as C({status: CONNECTED_HEALTHY}) or C({name_contains: node})."
      - Combined with the module's other options by AND.
    type: dict
"""
