# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make the collection loadable by Ansible's plugin loader when pytest runs outside ansible-test.

ansible-test installs the collection finder itself; a plain ``pytest`` run (with ``ansible_collections`` on
``PYTHONPATH``) gets it here, so that ``inventory_loader`` resolves ``smartx.cloudtower.cloudtower`` with its
documentation and doc fragments, as ``ansible-inventory`` does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys


def _install_collection_finder():
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    if any(isinstance(finder, _AnsibleCollectionFinder) for finder in sys.meta_path):
        return
    paths = []
    for entry in sys.path:
        if os.path.isdir(os.path.join(entry or ".", "ansible_collections", "smartx", "cloudtower")):
            paths.append(os.path.abspath(entry or "."))
    finder = _AnsibleCollectionFinder(paths=paths)
    finder._install()  # pylint: disable=protected-access


_install_collection_finder()
