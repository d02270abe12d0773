#!/usr/bin/env python
"""Start the CloudTower simulator, run a command against it, stop the simulator.

Usage::

    tools/with_simulator.py [--vms N] [--tls] [--timeout S] [-- SIMULATOR ARGS] -- COMMAND [ARGS...]

The simulator runs as ``python -m simulator --port 0 ...`` from the repository
root.  When it prints ``CloudTower simulator listening on http://HOST:PORT/v2/api``
the command runs with these variables set:

- ``CLOUDTOWER_HOST``: ``http(s)://HOST:PORT`` (the collection adds ``/v2/api``)
- ``CLOUDTOWER_USERNAME`` / ``CLOUDTOWER_PASSWORD``: ``admin`` / ``cloudtower``
- ``CLOUDTOWER_SIM_URL``: the simulator root, for its ``/_sim/`` control API
- ``CLOUDTOWER_CA_PATH``: with ``--tls``, the CA certificate the simulator printed
  (``CA certificate: PATH``)

The simulator is stopped with SIGTERM (SIGKILL after 10 s) when the command ends,
fails or is interrupted; the exit code is the command's.  If the simulator does not
report that it listens within ``--timeout`` seconds (60), or exits before, this
script prints its output and exits with 3.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LISTENING_RE = re.compile(r'CloudTower simulator listening on (?P<url>(?P<root>https?://[^/\s]+)\S*)')
CA_RE = re.compile(r'CA certificate:\s*(?P<path>\S.*?)\s*$')

USERNAME = 'admin'
PASSWORD = 'cloudtower'

EXIT_SIMULATOR_FAILED = 3


def log(message: str) -> None:
    """Print a message of this script on stderr."""
    print('with_simulator: %s' % message, file=sys.stderr, flush=True)


def split_argv(argv: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Return (own options, simulator args, command) from the command line.

    The last ``--`` starts the command; with two ``--``, what lies between them
    goes to the simulator.
    """
    if '--' not in argv:
        return argv, [], []

    last = len(argv) - 1 - argv[::-1].index('--')
    before, command = argv[:last], argv[last + 1:]

    if '--' in before:
        first = before.index('--')
        return before[:first], before[first + 1:], command

    return before, [], command


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str], list[str]]:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog='with_simulator.py',
        usage='%(prog)s [--vms N] [--tls] [--timeout S] [-- SIMULATOR ARGS] -- COMMAND [ARGS...]',
        description='Start the CloudTower simulator, run COMMAND with CLOUDTOWER_* set, stop the simulator.',
    )
    parser.add_argument('--vms', type=int, help='number of VMs the simulator starts with (--vms)')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a generated CA (--tls)')
    parser.add_argument('--timeout', type=float, default=60.0, help='seconds to wait for the simulator to listen (60)')
    parser.add_argument('--log', metavar='FILE', help="write the simulator's output to FILE instead of stderr")

    own, sim_args, command = split_argv(argv)
    options = parser.parse_args(own)

    if not command:
        parser.error('no command given: put it after "--"')

    return options, sim_args, command


def simulator_command(options: argparse.Namespace, sim_args: list[str]) -> list[str]:
    """Return the command line that starts the simulator."""
    cmd = [sys.executable, '-m', 'simulator', '--port', '0']

    if options.vms is not None:
        cmd += ['--vms', str(options.vms)]

    if options.tls:
        cmd.append('--tls')

    return cmd + sim_args


def pump_output(stream, lines: queue.Queue, log_path: str | None) -> None:
    """Copy the simulator's output to stderr (or a file) and hand each line to the waiting thread."""
    if log_path:
        out = open(log_path, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
        prefix = ''
    else:
        out = sys.stderr
        prefix = '[simulator] '

    for raw in iter(stream.readline, b''):
        line = raw.decode('utf-8', errors='replace')
        out.write(prefix + line)
        out.flush()
        lines.put(line)

    lines.put(None)


def wait_until_listening(process: subprocess.Popen, lines: queue.Queue, timeout: float) -> tuple[str | None, str | None]:
    """Wait for the "listening" line; return (root URL, CA path) or (None, None)."""
    deadline = time.monotonic() + timeout
    ca_path = None

    while True:
        remaining = deadline - time.monotonic()

        if remaining <= 0:
            log('the simulator did not report that it listens within %g s' % timeout)
            return None, None

        try:
            line = lines.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            continue

        if line is None:
            process.wait()
            log('the simulator exited with code %s before it listened' % process.returncode)
            return None, None

        match = CA_RE.search(line)

        if match:
            ca_path = match.group('path')
            continue

        match = LISTENING_RE.search(line)

        if match:
            return match.group('root'), ca_path


def stop(process: subprocess.Popen) -> None:
    """Stop the simulator: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return

    process.send_signal(signal.SIGTERM)

    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log('the simulator did not stop on SIGTERM within 10 s: killing it')
        process.kill()
        process.wait()


def main(argv: list[str]) -> int:
    """Run the command with the simulator up."""
    options, sim_args, command = parse_args(argv)

    sim_env = dict(os.environ, PYTHONUNBUFFERED='1')

    cmd = simulator_command(options, sim_args)
    log('starting: %s' % ' '.join(cmd))

    process = subprocess.Popen(  # pylint: disable=consider-using-with
        cmd, cwd=REPO_ROOT, env=sim_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=pump_output, args=(process.stdout, lines, options.log), daemon=True).start()

    # SIGTERM/SIGHUP on this script stop the simulator as ctrl-C does
    def terminate(signum, frame):  # pylint: disable=unused-argument
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)

    try:
        root, ca_path = wait_until_listening(process, lines, options.timeout)

        if root is None:
            if options.log:
                log('its output is in %s' % options.log)

            return EXIT_SIMULATOR_FAILED

        env = dict(os.environ)
        env.update(
            CLOUDTOWER_HOST=root,
            CLOUDTOWER_USERNAME=USERNAME,
            CLOUDTOWER_PASSWORD=PASSWORD,
            CLOUDTOWER_SIM_URL=root,
        )

        if ca_path:
            env['CLOUDTOWER_CA_PATH'] = ca_path
        elif options.tls:
            log('--tls given but the simulator printed no "CA certificate:" line')

        log('simulator at %s; running: %s' % (root, ' '.join(command)))

        try:
            return subprocess.call(command, env=env)
        except OSError as ex:
            log('cannot run %s: %s' % (command[0], ex))
            return 127
    except KeyboardInterrupt:
        log('interrupted')
        return 130
    finally:
        stop(process)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
