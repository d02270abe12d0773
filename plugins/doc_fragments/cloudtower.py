# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options of every module; the argument spec is plugins/module_utils/arguments.py.
    DOCUMENTATION = r"""
options:
  host:
    description:
      - The CloudTower to talk to, as a hostname, C(host:port) or URL. C(https) is used unless the URL says C(http://).
      - The API path C(/v2/api) is added.
      - If not set, the value of the E(CLOUDTOWER_HOST) environment variable is used.
    type: str
    required: true
  username:
    description:
      - The CloudTower user to log in as. Ignored when O(token) is set.
      - If not set, the value of the E(CLOUDTOWER_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(CLOUDTOWER_PASSWORD) environment variable is used.
    type: str
  user_source:
    description:
      - Where O(username) is defined.
      - If not set, the value of the E(CLOUDTOWER_USER_SOURCE) environment variable is used.
    type: str
    choices: [LOCAL, LDAP]
    default: LOCAL
  token:
    description:
      - A CloudTower token (from a login or an API key), sent in the C(Authorization) header. When set, no login is made.
      - If not set, the value of the E(CLOUDTOWER_TOKEN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to check the TLS certificate of CloudTower. Set it to V(false) only for a test system.
      - If not set, the value of the E(CLOUDTOWER_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed CloudTower's certificate, in place of the system's CAs.
      - If not set, the value of the E(CLOUDTOWER_CA_PATH) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for CloudTower to answer one HTTP request. Waiting for tasks is set by the C(timeout) option of the modules that wait.
      - If not set, the value of the E(CLOUDTOWER_REQUEST_TIMEOUT) or E(CLOUDTOWER_TIMEOUT) environment variable is used.
    type: float
    default: 30
  language:
    description:
      - The language of CloudTower's texts (alert messages, error messages), sent as the C(content-language) header.
      - If not set, the value of the E(CLOUDTOWER_LANGUAGE) environment variable is used.
    type: str
    choices: [en-US, zh-CN]
    default: en-US
notes:
  - Either O(token), or O(username) and O(password), must be given (or their environment variables).
requirements:
  - requests
"""

    # The same options for plugins, which read environment variables through env: entries.
    PLUGINS = r"""
options:
  host:
    description:
      - The CloudTower to talk to, as a hostname, C(host:port) or URL. C(https) is used unless the URL says C(http://).
    type: str
    required: true
    env:
      - name: CLOUDTOWER_HOST
  username:
    description:
      - The CloudTower user to log in as. Ignored when O(token) is set.
    type: str
    env:
      - name: CLOUDTOWER_USERNAME
  password:
    description:
      - The password of O(username).
    type: str
    env:
      - name: CLOUDTOWER_PASSWORD
  user_source:
    description:
      - Where O(username) is defined.
    type: str
    choices: [LOCAL, LDAP]
    default: LOCAL
    env:
      - name: CLOUDTOWER_USER_SOURCE
  token:
    description:
      - A CloudTower token (from a login or an API key), sent in the C(Authorization) header. When set, no login is made.
    type: str
    env:
      - name: CLOUDTOWER_TOKEN
  validate_certs:
    description:
      - Whether to check the TLS certificate of CloudTower.
    type: bool
    default: true
    env:
      - name: CLOUDTOWER_VALIDATE_CERTS
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed CloudTower's certificate.
    type: path
    env:
      - name: CLOUDTOWER_CA_PATH
  request_timeout:
    description:
      - Seconds to wait for CloudTower to answer one HTTP request.
    type: float
    default: 30
    env:
      - name: CLOUDTOWER_REQUEST_TIMEOUT
      - name: CLOUDTOWER_TIMEOUT
  language:
    description:
      - The language of CloudTower's texts.
    type: str
    choices: [en-US, zh-CN]
    default: en-US
    env:
      - name: CLOUDTOWER_LANGUAGE
requirements:
  - requests
"""

    # wait and timeout of every module that changes something; the spec is WAIT_SPEC in module_utils/arguments.py.
    WAIT = r"""
options:
  wait:
    description:
      - Wait for CloudTower's tasks to end before returning.
      - With V(false) the module returns the task ids at once; M(smartx.cloudtower.task_wait) waits for them later.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for the tasks (and, where the module says so, for the resource to reach its state).
    type: float
    default: 300
"""

    # The one VM of the snapshot modules; the spec is ONE_VM_SPEC in module_utils/arguments.py.
    VM = r"""
options:
  vm_name:
    description:
      - The name of the VM. Exactly one VM must match; give O(cluster) or use O(vm_id) when the name is not unique.
      - A VM in the recycle bin is left out when a VM outside it has the name, so that a deleted namesake does not make the name ambiguous.
      - One of O(vm_name) and O(vm_id) is required.
    type: str
  vm_id:
    description:
      - The id of the VM.
    type: str
  cluster:
    description:
      - The name or id of the cluster of the VM, to tell apart VMs of the same name.
    type: str
"""

    # order_by, limit and page_size of the modules that list records; the argument spec is LISTING_SPEC in
    # plugins/module_utils/arguments.py.
    LISTING = r"""
options:
  order_by:
    description:
      - CloudTower ordering, C(<field>_ASC) or C(<field>_DESC).
    type: str
    default: name_ASC
  limit:
    description:
      - Return at most this many records. By default every matching record is returned.
    type: int
  page_size:
    description:
      - How many records to ask for in one API call.
    type: int
    default: 500
"""

    ACTIONGROUP = r"""
attributes:
  action_group:
    description: Use C(group/smartx.cloudtower.cloudtower) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - smartx.cloudtower.cloudtower
"""

    # check_mode and diff_mode of the modules that only read.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: The module changes nothing; it runs the same in check mode.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: none
"""
