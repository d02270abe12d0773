"""Measure the simulator's own figures: start time, one 500-VM page, one filtered query.

Usage (from the repository root): ``python -m simulator.bench [--sizes 10000,50000]``. Prints a Markdown table.
"""

import argparse
import os
import subprocess
import sys
import time

import requests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILTER = {"where": {"cluster": {"name": "cluster-elf-1"}, "status": "RUNNING", "labels_some": {"key": "env", "value": "prod"},
                    "name_contains": "9"}, "orderBy": "name_DESC", "first": 500}


def best_of(times, call):
    """The fastest of ``times`` runs: the figure least disturbed by the machine's other work."""
    best = None
    for _ in range(times):
        started = time.perf_counter()
        call()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def measure(size):
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "simulator", "--port", "0", "--vms", str(size)], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        startup = time.perf_counter() - started
        base = line.split(" on ", 1)[1].strip()
        session = requests.Session()
        token = session.post(base + "/login", json={"username": "admin", "password": "cloudtower"}).json()["data"]["token"]
        session.headers["Authorization"] = token

        def page():
            assert len(session.post(base + "/get-vms", json={"first": 500, "skip": size // 2}).json()) == 500

        def cursor_page():
            session.post(base + "/get-vms", json={"first": 500, "after": cursor, "orderBy": "name_ASC"}).json()

        def filtered():
            session.post(base + "/get-vms", json=FILTER).json()

        first_page = best_of(1, page)  # cold: JSON not cached yet
        warm_page = best_of(5, page)
        cursor = session.post(base + "/get-vms", json={"first": 1, "skip": size // 2, "orderBy": "name_ASC"}).json()[0]["id"]
        return startup, first_page, warm_page, best_of(5, cursor_page), best_of(5, filtered)
    finally:
        process.terminate()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,50000")
    args = parser.parse_args()
    print("| generic VMs | start (s) | 500-VM page, cold (ms) | same page, cached (ms) | 500 after a cursor, by name (ms) | filtered query (ms) |")
    print("|---|---|---|---|---|---|")
    for size in (int(value) for value in args.sizes.split(",")):
        startup, cold, warm, cursor, filtered = measure(size)
        print("| %d | %.1f | %.0f | %.0f | %.0f | %.0f |" % (size, startup, cold * 1000, warm * 1000, cursor * 1000, filtered * 1000))


if __name__ == "__main__":
    main()
