# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one argument spec of the connection options, shared by every module.

Its documentation is the ``smartx.cloudtower.cloudtower`` doc fragment; keep the two in step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import env_fallback

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import DEFAULT_REQUEST_TIMEOUT, LANGUAGES, USER_SOURCES

CONNECTION_SPEC = dict(
    host=dict(type="str", required=True, fallback=(env_fallback, ["CLOUDTOWER_HOST"])),
    username=dict(type="str", fallback=(env_fallback, ["CLOUDTOWER_USERNAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["CLOUDTOWER_PASSWORD"])),
    user_source=dict(type="str", choices=list(USER_SOURCES), default="LOCAL", fallback=(env_fallback, ["CLOUDTOWER_USER_SOURCE"])),
    token=dict(type="str", no_log=True, fallback=(env_fallback, ["CLOUDTOWER_TOKEN"])),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["CLOUDTOWER_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["CLOUDTOWER_CA_PATH"])),
    request_timeout=dict(type="float", default=DEFAULT_REQUEST_TIMEOUT, fallback=(env_fallback, ["CLOUDTOWER_REQUEST_TIMEOUT", "CLOUDTOWER_TIMEOUT"])),
    language=dict(type="str", choices=list(LANGUAGES), default="en-US", fallback=(env_fallback, ["CLOUDTOWER_LANGUAGE"])),
)

# Options of every module that changes something; documented by the smartx.cloudtower.wait fragment.
WAIT_SPEC = dict(
    wait=dict(type="bool", default=True),
    timeout=dict(type="float", default=300),
)


# The one VM a module acts on, by name (with an optional cluster) or id; documented by the smartx.cloudtower.cloudtower.vm fragment.
ONE_VM_SPEC = dict(
    vm_name=dict(type="str"),
    vm_id=dict(type="str"),
    cluster=dict(type="str"),
)
ONE_VM_RULES = dict(required_one_of=[("vm_name", "vm_id")], mutually_exclusive=[("vm_name", "vm_id")])

# Ordering, limit and page size of the modules that list records; documented by the smartx.cloudtower.cloudtower.listing fragment.
LISTING_SPEC = dict(
    order_by=dict(type="str", default="name_ASC"),
    limit=dict(type="int"),
    page_size=dict(type="int", default=500),
)


def cloudtower_argument_spec(**module_options):
    """The connection options plus the module's own."""
    spec = copy.deepcopy(CONNECTION_SPEC)
    spec.update(module_options)
    return spec


def one_vm_argument_spec():
    """A fresh copy of the one-VM selection options."""
    return copy.deepcopy(ONE_VM_SPEC)


def listing_argument_spec():
    """A fresh copy of the listing options (order_by, limit, page_size)."""
    return copy.deepcopy(LISTING_SPEC)


def wait_argument_spec():
    """A fresh copy of the wait options, for ``cloudtower_argument_spec(**wait_argument_spec(), ...)``."""
    return copy.deepcopy(WAIT_SPEC)
