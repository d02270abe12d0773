#!/usr/bin/env python
"""Put tools/get_pip.py where ansible-test looks for its cached get-pip.py.

ansible-test bootstraps pip in the virtual environments it makes by running
``~/.ansible/test/cache/get_pip_<pip version>.py`` and downloads that script
from ci-files.testing.ansible.com when it is missing; that host is not
reachable from here.  The pip version comes from the installed ansible-test
itself (``get_venv_packages``), so it is written down nowhere else.

Run it with the Python that has ansible-core installed (.venv/bin/python).

Usage: install_get_pip.py [PYTHON_VERSION]   (default: this interpreter's)
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, 'get_pip.py')


def pip_version(python_version: str) -> str:
    """Return the pip version ansible-test installs in its virtual environments."""
    from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel

    return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']


def main(argv: list[str]) -> int:
    """Copy get_pip.py into ansible-test's cache."""
    python_version = argv[0] if argv else '%d.%d' % sys.version_info[:2]
    version = pip_version(python_version)
    cache_path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))

    if os.path.exists(cache_path) and filecmp.cmp(SOURCE, cache_path, shallow=False):
        print('install_get_pip.py: %s is up to date (pip %s)' % (cache_path, version))
        return 0

    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    shutil.copyfile(SOURCE, cache_path)
    print('install_get_pip.py: installed the offline get-pip stand-in as %s (pip %s)' % (cache_path, version))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
