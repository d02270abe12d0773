"""Fixtures: the simulator as a subprocess (HTTP tests), in process with a fake clock (unit tests), and the spec."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from simulator.server import Simulator  # noqa: E402
from simulator.spec import Spec, default_spec_path  # noqa: E402

TASK_SECONDS = 0.2


def start_simulator(*extra):
    """Start ``python -m simulator --port 0`` and return (process, base URL, lines printed before it)."""
    process = subprocess.Popen([sys.executable, "-m", "simulator", "--port", "0", *extra], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # A thread reads the lines: select() on the buffered pipe misses a line already read into the buffer
    # (the CA line and the listening line often arrive together).
    printed = queue.Queue()

    def read_lines():
        for line in iter(process.stdout.readline, ""):
            printed.put(line)
        printed.put(None)

    threading.Thread(target=read_lines, daemon=True).start()
    lines, deadline = [], time.time() + 30
    while time.time() < deadline:
        try:
            line = printed.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("CloudTower simulator listening on "):
            return process, line.split(" on ", 1)[1].strip(), lines
    process.kill()
    raise RuntimeError("simulator did not start: %r %s" % (lines, process.stderr.read()))


def stop_simulator(process):
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=10)


class Api:
    """A tiny client for the tests: ``api.call("get-vms", {...})`` returns the requests.Response."""

    def __init__(self, base):
        self.base = base
        self.root = base[: -len("/v2/api")]
        self.session = requests.Session()
        self.token = None

    def login(self, username="admin", password="cloudtower", source="LOCAL"):
        response = self.session.post(self.base + "/login", json={"username": username, "password": password, "source": source})
        response.raise_for_status()
        self.token = response.json()["data"]["token"]
        return self.token

    def call(self, operation, body=None, language=None, token=None, headers=None):
        sent = dict(headers or {})
        if token or self.token:
            sent.setdefault("Authorization", token or self.token)
        if language:
            sent["content-language"] = language
        return self.session.post("%s/%s" % (self.base, operation), json={} if body is None else body, headers=sent)

    def ok(self, operation, body=None, **kwargs):
        response = self.call(operation, body, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def control(self, method, path, body=None):
        response = self.session.request(method, self.root + "/_sim/" + path, data=None if body is None else json.dumps(body))
        assert response.status_code == 200, response.text
        return response.json()

    def vm(self, name):
        return self.ok("get-vms", {"where": {"name": name}})[0]

    def wait(self, task_ids, timeout=10):
        """Poll get-tasks until every task has finished; returns the tasks."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            tasks = self.ok("get-tasks", {"where": {"id_in": list(task_ids)}})
            if len(tasks) == len(task_ids) and all(task["status"] in ("SUCCESSED", "FAILED") for task in tasks):
                return tasks
            time.sleep(0.05)
        raise AssertionError("tasks did not finish: %s" % task_ids)


@pytest.fixture(scope="session")
def simulator_url():
    process, url, _ = start_simulator("--task-seconds", str(TASK_SECONDS))
    yield url
    assert stop_simulator(process) == 0


@pytest.fixture
def api(simulator_url):
    """A logged-in client against a freshly reset simulator."""
    client = Api(simulator_url)
    client.control("POST", "reset")
    client.login()
    return client


@pytest.fixture(scope="session")
def spec():
    """The official spec; its absence fails the spec tests under CI and skips them elsewhere."""
    path = default_spec_path()
    if not os.path.isfile(path):
        message = "CloudTower OpenAPI spec not found at %s (set CLOUDTOWER_SPEC)" % path
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Spec(path)


class FakeClock:
    """A monotonic clock the tests move by hand, so task timing is exact."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def tick(self, seconds):
        self.now += seconds


@pytest.fixture(scope="session")
def optional_spec():
    path = default_spec_path()
    return Spec(path if os.path.isfile(path) else None)


class Harness:
    """An in-process simulator with a fake clock; ``call`` returns (status, decoded body)."""

    def __init__(self, spec):
        self.clock = FakeClock()
        self.simulator = Simulator(spec, vms=20, clusters=3, seed=1, task_seconds=1.0, clock=self.clock)
        self.store = self.simulator.store
        status, body = self.simulator.call("POST", "login", b'{"username": "admin", "password": "cloudtower"}', {})
        assert status == 200
        self.token = body["data"]["token"]

    def call(self, operation, body=None, language=None):
        headers = {"authorization": self.token}
        if language:
            headers["content-language"] = language
        status, payload = self.simulator.call("POST", operation, json.dumps({} if body is None else body).encode(), headers)
        return status, json.loads(payload) if isinstance(payload, bytes) else payload

    def ok(self, operation, body=None, language=None):
        status, payload = self.call(operation, body, language)
        assert status == 200, payload
        return payload

    def tick(self, seconds):
        """Let simulated time pass and run what became due (as the next request would)."""
        self.clock.tick(seconds)
        with self.simulator.lock:
            self.simulator.engine.advance()

    def vm(self, name):
        return self.ok("get-vms", {"where": {"name": name}})[0]

    def task(self, task_id):
        return self.ok("get-tasks", {"where": {"id": task_id}})[0]


@pytest.fixture
def sim(optional_spec):
    """In process, fake clock, 1-second tasks, 20 generic VMs."""
    return Harness(optional_spec)


@pytest.fixture
def launch():
    """Start extra simulators (e.g. with --tls); they are stopped at the end of the test."""
    started = []

    def start(*extra):
        process, url, lines = start_simulator(*extra)
        started.append(process)
        return url, lines

    yield start
    for process in started:
        assert stop_simulator(process) == 0
