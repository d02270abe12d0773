#!/usr/bin/env python3
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the smartx.cloudtower.cloudtower inventory plugin against the simulator (``make bench``).

For each size it starts a simulator with ``--vms N`` (the named test VMs come on top) and runs, one after the
other against the same simulator, each as its own process:

- plugin:        ``ansible-inventory -i bench.cloudtower.yml --list`` (page_size 1000, no cache);
- plugin fetch:  the plugin's fetch stage alone (client + VmFetcher), the same work as the two next;
- floor fetch:   the same requests with plain ``requests`` and ``json.loads`` (bench/floor_fetch.py);
- SDK:           the official cloudtower-sdk, ``VmApi.get_vms`` + ``VmNicApi.get_vm_nics`` page by page;
- static JSON:   ``ansible-inventory --list`` over an inventory script that prints the plugin's hosts and vars;
- static YAML:   ``ansible-inventory --list`` over a static YAML file with the same hosts, vars and groups.

It prints wall time, peak RSS (``/usr/bin/time -v``, else ``wait4``'s rusage of the process) and the API calls
the simulator logged. The floor is floor fetch + a static inventory; the targets are plugin <= 1.3 x floor and
the plugin's fetch faster than the SDK's. Static YAML is slow and memory-hungry in ansible-core 2.19 (about
2 minutes and 2 GB at 10,000 hosts), so it runs only up to --yaml-max hosts.

Usage: bench/run.py [--sizes 1000,10000,50000] [--page-size 1000] [--yaml-max 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "bench")
LISTENING_RE = re.compile(r"CloudTower simulator listening on (https?://[^/\s]+)")


def log(message):
    print(message, file=sys.stderr, flush=True)


class Simulator:
    def __init__(self, vms, timeout=600):
        self.proc = subprocess.Popen([sys.executable, "-m", "simulator", "--port", "0", "--vms", str(vms)], cwd=REPO,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        found = {}

        def read():
            for line in self.proc.stdout:
                match = LISTENING_RE.search(line)
                if match:
                    found["root"] = match.group(1)
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if "root" not in found:
            self.stop()
            raise SystemExit("the simulator with --vms %d did not start within %d s" % (vms, timeout))
        self.root = found["root"]

    def _sim(self, method, path):
        request = urllib.request.Request(self.root + "/_sim/" + path, method=method)
        with urllib.request.urlopen(request) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def clear_requests(self):
        self._sim("DELETE", "requests")

    def api_calls(self):
        return len(self._sim("GET", "requests")["requests"])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def measure(argv, env, stdout_path=os.devnull):
    """(wall seconds, peak RSS in MB) of a command; fails loudly if the command fails."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing, open(stdout_path, "w") as out, \
            tempfile.TemporaryFile("w+") as err:
        use_time = os.access("/usr/bin/time", os.X_OK)
        command = ["/usr/bin/time", "-v", "-o", timing.name] + argv if use_time else argv
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit("%s failed (%s):\n%s" % (" ".join(argv), proc.returncode, err.read()[-3000:]))
        peak_kb = rusage.ru_maxrss
        if use_time:
            match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read())
            if match:
                peak_kb = int(match.group(1))
    return wall, peak_kb / 1024.0


def unwrap(value):
    """ansible-inventory's JSON marks API strings {"__ansible_unsafe": s}; the static inventories get plain values."""
    if isinstance(value, dict):
        if len(value) == 1 and "__ansible_unsafe" in value:
            return value["__ansible_unsafe"]
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def write_static_inventories(listing_path, workdir, with_yaml):
    """A JSON inventory script and (optionally) a YAML inventory with the plugin's hosts, vars and groups."""
    with open(listing_path) as handle:
        listing = unwrap(json.load(handle))
    json_path = os.path.join(workdir, "static.json")
    with open(json_path, "w") as handle:
        json.dump(listing, handle)
    script = os.path.join(workdir, "static_inventory.sh")
    with open(script, "w") as handle:
        handle.write('#!/bin/sh\nif [ "$1" = "--list" ]; then exec cat "%s"; fi\necho "{}"\n' % json_path)
    os.chmod(script, 0o755)
    yaml_path = None
    if with_yaml:
        import yaml
        children = {}
        for group, value in listing.items():
            if group not in ("_meta", "all", "ungrouped") and value.get("hosts"):
                children[group] = {"hosts": {host: None for host in value["hosts"]}}
        yaml_path = os.path.join(workdir, "static.yml")
        with open(yaml_path, "w") as handle:
            yaml.dump({"all": {"hosts": listing["_meta"]["hostvars"], "children": children}}, handle,
                      Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), default_flow_style=False)
    return script, yaml_path, len(listing["_meta"]["hostvars"])


def ansible_inventory():
    local = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
    return local if os.access(local, os.X_OK) else (shutil.which("ansible-inventory") or "ansible-inventory")


def run_size(vms, args, workdir, env):
    log("== %d VMs: starting the simulator" % vms)
    sim = Simulator(vms)
    rows = {}
    try:
        config = os.path.join(workdir, "bench.cloudtower.yml")
        with open(config, "w") as handle:
            handle.write("plugin: smartx.cloudtower.cloudtower\nhost: %s\nusername: admin\npassword: cloudtower\npage_size: %d\n"
                         % (sim.root, args.page_size))
        listing = os.path.join(workdir, "plugin.json")

        def timed(name, argv, stdout_path=os.devnull, api=True):
            sim.clear_requests()
            log("   %s" % name)
            wall, peak = measure(argv, env, stdout_path)
            rows[name] = (wall, peak, sim.api_calls() if api else None)

        timed("plugin", [ansible_inventory(), "-i", config, "--list"], listing)
        timed("plugin fetch", [sys.executable, os.path.join(BENCH, "plugin_fetch.py"), sim.root, str(args.page_size)])
        timed("floor fetch", [sys.executable, os.path.join(BENCH, "floor_fetch.py"), sim.root, str(args.page_size)])
        timed("SDK", [sys.executable, os.path.join(BENCH, "sdk_list.py"), sim.root, str(args.page_size)])
    finally:
        sim.stop()
    script, yaml_path, hosts = write_static_inventories(listing, workdir, vms <= args.yaml_max)
    log("   static JSON")
    rows["static JSON"] = measure([ansible_inventory(), "-i", script, "--list"], env) + (None,)
    if yaml_path:
        log("   static YAML")
        rows["static YAML"] = measure([ansible_inventory(), "-i", yaml_path, "--list"], env) + (None,)
    return hosts, rows


def report(vms, hosts, rows):
    lines = ["", "### %d generic VMs (%d hosts)" % (vms, hosts), "",
             "| run | wall s | peak RSS MB | API calls |", "|---|---:|---:|---:|"]
    for name in ("plugin", "plugin fetch", "floor fetch", "SDK", "static JSON", "static YAML"):
        if name in rows:
            wall, peak, calls = rows[name]
            lines.append("| %s | %.2f | %.0f | %s |" % (name, wall, peak, "-" if calls is None else calls))
    plugin = rows["plugin"][0]
    floors = []
    for static in ("static YAML", "static JSON"):
        if static in rows:
            floor = rows["floor fetch"][0] + rows[static][0]
            floors.append("floor (fetch + %s) %.2f s: plugin = %.2f x floor" % (static, floor, plugin / floor))
    lines.append("")
    lines.extend("- " + line for line in floors)
    lines.append("- plugin fetch %.2f s vs SDK %.2f s: %.2f x; plugin end to end %.2f s vs SDK + static JSON %.2f s: %.2f x" % (
        rows["plugin fetch"][0], rows["SDK"][0], rows["plugin fetch"][0] / rows["SDK"][0],
        plugin, rows["SDK"][0] + rows["static JSON"][0], plugin / (rows["SDK"][0] + rows["static JSON"][0])))
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated --vms values (1000,10000,50000)")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--yaml-max", type=int, default=10000, help="largest size with the static YAML floor (10000)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="cloudtower-bench-")
    collections = os.path.join(workdir, "collections", "ansible_collections", "smartx")
    os.makedirs(collections)
    os.symlink(REPO, os.path.join(collections, "cloudtower"))
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(workdir, "collections"),
        "PYTHONPATH": os.pathsep.join(filter(None, [os.path.join(workdir, "collections"), env.get("PYTHONPATH")])),
        "ANSIBLE_INVENTORY_CACHE": "false",
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "tmp"),
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true",
    })
    for name in list(env):
        if name.startswith("CLOUDTOWER_"):
            del env[name]
    try:
        print("## Inventory benchmark (page_size %d, ansible-core from %s)" % (args.page_size, ansible_inventory()), flush=True)
        for vms in (int(size) for size in args.sizes.split(",")):
            hosts, rows = run_size(vms, args, workdir, env)
            report(vms, hosts, rows)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
