#!/usr/bin/env python
"""Offline stand-in for get-pip.py, used by ansible-test to bootstrap pip.

ansible-test creates empty virtual environments (no pip) and bootstraps pip in
them by running ``get-pip.py`` downloaded from ci-files.testing.ansible.com,
unless ``~/.ansible/test/cache/get_pip_<version>.py`` already exists.  That host
is not reachable from here, so the Makefile copies this file to that path.

It is called the way get-pip.py is called, for example::

    python get_pip.py --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

and does what get-pip.py does with those arguments:

1. installs the pip bundled with Python through ``ensurepip``;
2. runs that pip to install the requested packages (``pip==24.2``), plus
   setuptools and wheel unless ``--no-setuptools`` / ``--no-wheel`` were given,
   from the package index configured on this machine;
3. with ``--no-setuptools``, removes the setuptools that ensurepip installs
   (Python < 3.12 bundles it) if the environment did not have it before.

ensurepip deletes every ``PIP_*`` environment variable and sets
``PIP_CONFIG_FILE`` to the null device so that the bundled pip ignores the
machine's configuration.  That is right for ensurepip but wrong for step 2, which
must see the machine's index, certificates and find-links: ensurepip runs in a
child process, and step 2 runs without a ``PIP_CONFIG_FILE`` pointing to the null
device.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

# get-pip.py options that are not pip options: name -> what it turns off
GET_PIP_ONLY_OPTIONS = {
    '--no-setuptools': 'setuptools',
    '--no-wheel': 'wheel',
}

# pip general options without a value that may be passed along to "pip install"
PIP_FLAG_OPTIONS = {
    '--disable-pip-version-check',
    '--no-cache-dir',
    '--no-input',
    '--isolated',
    '--quiet',
    '-q',
    '--verbose',
    '-v',
    '--upgrade',
    '-U',
    '--force-reinstall',
    '--ignore-installed',
    '-I',
    '--pre',
    '--no-index',
    '--user',
    '--break-system-packages',
}


def log(message: str) -> None:
    """Print a progress message the way ansible-test shows get-pip output."""
    print('get_pip (offline stand-in): %s' % message, flush=True)


def parse_args(argv: list[str]) -> tuple[list[str], list[str], set[str]]:
    """Split get-pip arguments into pip options, package specs and the turned-off extras."""
    pip_options: list[str] = []
    packages: list[str] = []
    disabled: set[str] = set()

    args = list(argv)

    while args:
        arg = args.pop(0)

        if arg in GET_PIP_ONLY_OPTIONS:
            disabled.add(GET_PIP_ONLY_OPTIONS[arg])
        elif arg in PIP_FLAG_OPTIONS:
            pip_options.append(arg)
        elif arg.startswith('-'):
            # any other pip option: keep it, with its value when it takes one ("--index-url URL")
            pip_options.append(arg)

            if '=' not in arg and args and not args[0].startswith('-'):
                pip_options.append(args.pop(0))
        else:
            packages.append(arg)

    return pip_options, packages, disabled


def project_name(spec: str) -> str:
    """Return the normalized project name of a requirement spec such as "pip==24.2"."""
    return re.split(r'[\s<>=!~;\[@]', spec.strip(), maxsplit=1)[0].lower().replace('_', '-')


def has_distribution(name: str) -> bool:
    """Return True when the running environment can import the named package."""
    return importlib.util.find_spec(name) is not None


def run_ensurepip() -> None:
    """Install the bundled pip; its output is shown only if it fails.

    ensurepip runs in a child process: the PIP_* variables it removes and the
    PIP_CONFIG_FILE it sets stay in that child.
    """
    cmd = [sys.executable, '-m', 'ensurepip', '--upgrade']
    log('installing the pip bundled with Python: %s' % ' '.join(cmd))
    result = subprocess.run(cmd, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    if result.returncode:
        print(result.stdout, end='', flush=True)
        raise subprocess.CalledProcessError(result.returncode, cmd)


def run_pip(args: list[str]) -> None:
    """Run pip in this interpreter with the machine's pip configuration."""
    env = dict(os.environ)

    # the value ensurepip sets (if it ever leaks here): pip must read the machine's configuration
    if env.get('PIP_CONFIG_FILE') == os.devnull:
        del env['PIP_CONFIG_FILE']

    cmd = [sys.executable, '-m', 'pip'] + args
    log('running: %s' % ' '.join(cmd))
    subprocess.run(cmd, check=True, env=env)


def main(argv: list[str]) -> int:
    """Bootstrap pip as get-pip.py would."""
    pip_options, packages, disabled = parse_args(argv)

    names = {project_name(p) for p in packages}

    for name in ('pip', 'setuptools', 'wheel'):
        if name not in names and name not in disabled:
            packages.append(name)

    had_setuptools = has_distribution('setuptools')

    try:
        run_ensurepip()
        run_pip(['install'] + pip_options + packages)

        if 'setuptools' in disabled and not had_setuptools:
            run_pip(['uninstall', '--yes', '--quiet', '--disable-pip-version-check', 'setuptools'])
    except subprocess.CalledProcessError as ex:
        log('failed: %s' % ex)
        return ex.returncode or 1

    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
