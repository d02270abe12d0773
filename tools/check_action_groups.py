#!/usr/bin/env python
"""Check that the ``cloudtower`` action group in meta/runtime.yml lists exactly the modules.

Every ``plugins/modules/*.py`` (other than ``__init__.py``) must be in
``action_groups.cloudtower``, and every name there must have a module file.
Exits 1 and names the differences otherwise.

With ``--write``, rewrites the group in meta/runtime.yml to the module files
(sorted) instead of checking it; the rest of the file is kept as it is.
"""

from __future__ import annotations

import os
import re
import sys

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUP = 'cloudtower'


def module_names(root: str) -> set[str]:
    """Return the names of the modules in plugins/modules."""
    modules_dir = os.path.join(root, 'plugins', 'modules')

    if not os.path.isdir(modules_dir):
        return set()

    return {
        os.path.splitext(name)[0]
        for name in os.listdir(modules_dir)
        if name.endswith('.py') and name != '__init__.py' and not name.startswith('.')
    }


def group_members(root: str) -> list[str]:
    """Return the members of the action group, as written."""
    with open(os.path.join(root, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle) or {}

    members = (runtime.get('action_groups') or {}).get(GROUP)

    if members is None:
        raise SystemExit('meta/runtime.yml: no action_groups.%s' % GROUP)

    # an entry may also be a {metadata: {extend_group: [...]}} dict: only names are modules
    return [member for member in members if isinstance(member, str)]


def write_group(root: str, modules: set[str]) -> None:
    """Replace the list under ``cloudtower:`` in meta/runtime.yml with the module names."""
    path = os.path.join(root, 'meta', 'runtime.yml')

    with open(path, encoding='utf-8') as handle:
        text = handle.read()

    pattern = re.compile(r'^(?P<indent> +)%s:\n(?:(?P=indent) +- .*\n)*' % GROUP, re.MULTILINE)
    match = pattern.search(text)

    if not match:
        raise SystemExit('meta/runtime.yml: no "%s:" block list to rewrite' % GROUP)

    indent = match.group('indent')
    block = '%s%s:\n' % (indent, GROUP) + ''.join('%s  - %s\n' % (indent, name) for name in sorted(modules))
    text = text[:match.start()] + block + text[match.end():]

    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)

    print('meta/runtime.yml: action_groups.%s = %s' % (GROUP, ', '.join(sorted(modules))))


def main() -> int:
    """Compare the module files with the action group."""
    args = sys.argv[1:]
    write = '--write' in args
    args = [arg for arg in args if arg != '--write']
    root = args[0] if args else REPO_ROOT
    modules = module_names(root)

    if write:
        write_group(root, modules)
    members = group_members(root)
    errors = []

    for name in sorted(modules - set(members)):
        errors.append('plugins/modules/%s.py is not in action_groups.%s of meta/runtime.yml' % (name, GROUP))

    for name in sorted(set(members) - modules):
        errors.append('action_groups.%s of meta/runtime.yml lists %s, but plugins/modules/%s.py does not exist' % (GROUP, name, name))

    duplicates = sorted({name for name in members if members.count(name) > 1})

    for name in duplicates:
        errors.append('action_groups.%s of meta/runtime.yml lists %s more than once' % (GROUP, name))

    if members != sorted(members):
        errors.append('action_groups.%s of meta/runtime.yml is not in alphabetical order' % GROUP)

    for error in errors:
        print('ERROR: %s' % error, file=sys.stderr)

    if errors:
        return 1

    print('action group %s: %d modules, all listed' % (GROUP, len(modules)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
