"""``python -m simulator``: start the CloudTower API simulator and serve until SIGTERM/SIGINT."""

import argparse
import os
import signal
import ssl
import sys
import tempfile
import threading

from .server import SimulatorServer, Simulator
from .spec import Spec, default_spec_path


def parse_user(text):
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD[:SOURCE], got %r" % text)
    source = parts[2] if len(parts) == 3 else "LOCAL"
    if source not in ("LOCAL", "LDAP", "AUTHN", "SSO"):
        raise argparse.ArgumentTypeError("SOURCE must be LOCAL, LDAP, AUTHN or SSO")
    return parts[0], parts[1], source


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m simulator", description="CloudTower REST API simulator")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port; 0 picks a free one (default 8090)")
    parser.add_argument("--vms", type=int, default=50, help="number of generic VMs vm-00001... (default 50)")
    parser.add_argument("--clusters", type=int, default=3, help="number of clusters, every third VMware (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated state (default 1)")
    parser.add_argument("--task-seconds", type=float, default=0.5, help="duration of a task (default 0.5)")
    parser.add_argument("--user", action="append", type=parse_user, default=[], metavar="NAME:PASSWORD[:SOURCE]",
                        help="add an account (repeatable); SOURCE defaults to LOCAL")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a certificate made at start")
    parser.add_argument("--spec", default=None, help="OpenAPI spec (default $CLOUDTOWER_SPEC or ../shared/cloudtower-openapi/openapi.json)")
    args = parser.parse_args(argv)
    if args.clusters < 2:
        parser.error("--clusters must be at least 2 (the named VMs use two ELF clusters)")
    return args


def tls_context(directory):
    """A server context for 127.0.0.1 and localhost, signed by a fresh CA written to ``directory``/ca.pem."""
    import trustme  # only needed with --tls

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_path = os.path.join(directory, "ca.pem")
    authority.cert_pem.write_to_path(ca_path)
    return context, ca_path


def main(argv=None):
    args = parse_args(argv)
    spec = Spec(args.spec or default_spec_path())
    simulator = Simulator(spec, vms=args.vms, clusters=args.clusters, seed=args.seed, task_seconds=args.task_seconds, users=args.user)
    context = None
    if args.tls:
        context, ca_path = tls_context(tempfile.mkdtemp(prefix="cloudtower-sim-"))
        print("CA certificate: %s" % ca_path, flush=True)
    server = SimulatorServer((args.bind, args.port), simulator, context)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="simulator", daemon=True)
    thread.start()
    host = args.bind if ":" not in args.bind else "[%s]" % args.bind
    print("CloudTower simulator listening on %s://%s:%d/v2/api" % ("https" if args.tls else "http", host, server.server_address[1]), flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
