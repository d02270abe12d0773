#!/usr/bin/env python
"""Mirror the repository into DEST (.build/ansible_collections/smartx/cloudtower).

ansible-test only works on a collection that sits at
``ansible_collections/NAMESPACE/NAME``; the repository root is the collection
root, so the Makefile copies it there.  The copy leaves out what is not part of
the collection (virtual environments, build output, git data, the simulator and
its tests, benchmarks, caches) and removes files that are gone from the source.

rsync does the copy when it is installed; otherwise Python does the same.

The copy is made a git repository of its own (``git init``, nothing committed)
when git is installed: ansible-test lists a collection's files with git when it
finds a ``.git`` in the collection or any parent directory, and the parent here
is this repository, whose ``.gitignore`` hides ``.build/``.

Usage: sync_tree.py DEST
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# paths relative to the repository root, left out of the copy (and kept in DEST)
EXCLUDED_PATHS = (
    '.git',
    '.venv',
    '.venv-compat',
    '.build',
    'simulator',
    'bench',
    'tests/simulator',
    'tests/output',
    'tests/integration/integration_config.yml',
)

# names left out wherever they are
EXCLUDED_NAMES = (
    '__pycache__',
    '.pytest_cache',
    '.mypy_cache',
    '*.pyc',
    '*.pyo',
    '*.tar.gz',
)


def excluded(rel_path: str) -> bool:
    """Return True if the repository-relative path is left out of the copy."""
    if rel_path in EXCLUDED_PATHS:
        return True

    name = os.path.basename(rel_path)
    return any(fnmatch.fnmatch(name, pattern) for pattern in EXCLUDED_NAMES)


def rsync(src: str, dest: str) -> None:
    """Mirror with rsync."""
    cmd = ['rsync', '-a', '--delete']
    cmd += ['--exclude=/%s' % path for path in EXCLUDED_PATHS]
    cmd += ['--exclude=%s' % name for name in EXCLUDED_NAMES]
    cmd += [src + '/', dest + '/']
    subprocess.run(cmd, check=True)


def same_file(src: str, dest: str) -> bool:
    """Return True if dest looks like an unchanged copy of src (rsync's quick check)."""
    try:
        src_stat = os.lstat(src)
        dest_stat = os.lstat(dest)
    except FileNotFoundError:
        return False

    return src_stat.st_size == dest_stat.st_size and int(src_stat.st_mtime) == int(dest_stat.st_mtime)


def remove(path: str) -> None:
    """Remove a file, a symlink or a directory tree."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def python_copy(src: str, dest: str, rel: str = '') -> None:
    """Mirror src/rel into dest/rel."""
    src_dir = os.path.join(src, rel)
    dest_dir = os.path.join(dest, rel)

    if os.path.lexists(dest_dir) and (os.path.islink(dest_dir) or not os.path.isdir(dest_dir)):
        os.unlink(dest_dir)

    os.makedirs(dest_dir, exist_ok=True)

    wanted = set()

    for entry in sorted(os.scandir(src_dir), key=lambda e: e.name):
        rel_path = os.path.join(rel, entry.name) if rel else entry.name

        if excluded(rel_path):
            continue

        wanted.add(entry.name)
        target = os.path.join(dest, rel_path)

        if entry.is_symlink():
            link = os.readlink(entry.path)

            if os.path.islink(target) and os.readlink(target) == link:
                continue

            if os.path.lexists(target):
                remove(target)

            os.symlink(link, target)
        elif entry.is_dir():
            python_copy(src, dest, rel_path)
        elif not same_file(entry.path, target):
            if os.path.lexists(target) and (os.path.isdir(target) or os.path.islink(target)):
                remove(target)

            shutil.copy2(entry.path, target)

    for name in os.listdir(dest_dir):
        rel_path = os.path.join(rel, name) if rel else name

        if name not in wanted and not excluded(rel_path):
            remove(os.path.join(dest, rel_path))


def git_init(dest: str) -> None:
    """Make DEST a git repository of its own, so ansible-test does not use this repository's."""
    if os.path.exists(os.path.join(dest, '.git')) or not shutil.which('git'):
        return

    subprocess.run(['git', 'init', '--quiet', dest], check=True)


def main(argv: list[str]) -> int:
    """Copy the repository into DEST."""
    if len(argv) != 1:
        print('usage: sync_tree.py DEST', file=sys.stderr)
        return 2

    dest = os.path.abspath(argv[0])

    if dest == REPO_ROOT or not dest.startswith(REPO_ROOT + os.sep) and REPO_ROOT.startswith(dest):
        print('sync_tree.py: refusing to copy into %s' % dest, file=sys.stderr)
        return 2

    os.makedirs(dest, exist_ok=True)

    if shutil.which('rsync'):
        rsync(REPO_ROOT, dest)
        how = 'rsync'
    else:
        python_copy(REPO_ROOT, dest)
        how = 'python'

    git_init(dest)
    print('sync_tree.py: %s -> %s (%s)' % (REPO_ROOT, dest, how))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
