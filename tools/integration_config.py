#!/usr/bin/env python
"""Write tests/integration/integration_config.yml from the CLOUDTOWER_* environment.

Run under tools/with_simulator.py, which sets CLOUDTOWER_HOST, CLOUDTOWER_USERNAME,
CLOUDTOWER_PASSWORD and CLOUDTOWER_SIM_URL (and CLOUDTOWER_CA_PATH with --tls).
ansible-test passes the file to every integration target as extra vars.

Usage: integration_config.py PATH
"""

from __future__ import annotations

import os
import sys

import yaml


def main(argv: list[str]) -> int:
    """Write the file."""
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2

    missing = [name for name in ('CLOUDTOWER_HOST', 'CLOUDTOWER_USERNAME', 'CLOUDTOWER_PASSWORD', 'CLOUDTOWER_SIM_URL') if not os.environ.get(name)]

    if missing:
        print('integration_config.py: %s not set (run it under tools/with_simulator.py)' % ', '.join(missing), file=sys.stderr)
        return 2

    config = {
        'cloudtower_host': os.environ['CLOUDTOWER_HOST'],
        'cloudtower_username': os.environ['CLOUDTOWER_USERNAME'],
        'cloudtower_password': os.environ['CLOUDTOWER_PASSWORD'],
        'cloudtower_validate_certs': False,
        'sim_url': os.environ['CLOUDTOWER_SIM_URL'],
    }

    if os.environ.get('CLOUDTOWER_CA_PATH'):
        config['cloudtower_ca_path'] = os.environ['CLOUDTOWER_CA_PATH']

    path = argv[0]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('# written by tools/integration_config.py for this run of the simulator\n')
        yaml.safe_dump(config, handle, default_flow_style=False, sort_keys=False)

    print('integration_config.py: wrote %s (simulator %s)' % (path, config['sim_url']))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
