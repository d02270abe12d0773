# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for CloudTower tasks: the collection's WaitTask/WaitTasks.

Every change in CloudTower returns tasks. The waiter polls ``get-tasks`` with ``id_in`` (one call per poll
whatever the number of tasks), starting at a short interval and backing off to at most 5 s, so a task that
ends in half a second is seen within about a second, and a long one costs few calls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.smartx.cloudtower.plugins.module_utils.client import CloudTowerError

DEFAULT_TIMEOUT = 300
FIRST_INTERVAL = 0.25
MAX_INTERVAL = 5.0
BACKOFF = 1.5

DONE = "SUCCESSED"
FAILED = "FAILED"


def task_ids(answers):
    """The task ids of a mutation's answer (``[{"task_id", "data"}]`` or one such object); null ids are skipped."""
    if isinstance(answers, dict):
        answers = [answers]
    return [answer["task_id"] for answer in answers or [] if answer.get("task_id")]


def summarize_task(task):
    """The fields of a task that a module returns."""
    return dict((key, task.get(key)) for key in ("id", "status", "description", "progress", "error_code", "error_message", "resource_id", "finished_at"))


class TaskError(CloudTowerError):
    """Waiting for tasks did not end in success; ``tasks`` holds the records as last seen (the change was sent)."""


class TaskFailedError(TaskError):
    """One or more tasks ended FAILED. ``failed`` and ``tasks`` hold the task records."""

    def __init__(self, failed, tasks):
        lines = ["task %s (%s) failed: %s%s" % (
            task["id"], task.get("description") or "no description", task.get("error_message") or "no error message",
            " [%s]" % task["error_code"] if task.get("error_code") else "") for task in failed]
        super(TaskFailedError, self).__init__("CloudTower " + "; ".join(lines), operation="get-tasks",
                                              code=failed[0].get("error_code"), api_message=failed[0].get("error_message"))
        self.failed = failed
        self.tasks = tasks


class TaskTimeoutError(TaskError):
    """Tasks still running when the timeout ran out. ``running`` and ``tasks`` hold the task records."""

    def __init__(self, running, tasks, timeout):
        lines = ["%s (%s, %s, %d%%)" % (task["id"], task.get("description") or "no description", task.get("status") or "not found yet",
                                        round((task.get("progress") or 0) * 100)) for task in running]
        super(TaskTimeoutError, self).__init__(
            "CloudTower tasks still running after %s seconds: %s. Raise timeout to wait longer." % (timeout, "; ".join(lines)), operation="get-tasks")
        self.running = running
        self.tasks = tasks


class TaskStateUnknownError(TaskError):
    """The tasks' state could not be read (get-tasks failed after its retries); they may still be running."""

    def __init__(self, cause, tasks):
        super(TaskStateUnknownError, self).__init__(
            "Could not read the state of CloudTower tasks %s: %s The change was sent; wait for the tasks with "
            "the task_wait module before trying again." % (", ".join(task["id"] for task in tasks), cause.message),
            operation=cause.operation, status=cause.status, code=cause.code, api_message=cause.api_message, path=cause.path)
        self.tasks = tasks


def change_may_have_happened(exc):
    """Whether CloudTower may have made a change whose request or tasks ended in ``exc``.

    A FAILED task or a 4xx answer to the change itself means nothing was done; a task still running or not
    readable, a lost answer or a server error (5xx) means it may have been.
    """
    if isinstance(exc, TaskFailedError):
        return False
    if isinstance(exc, TaskError):
        return True
    return exc.status is None or exc.status >= 500


class Backoff:
    """The polling rhythm of the collection, up to a deadline: wait FIRST_INTERVAL, then BACKOFF times longer
    each round, at most MAX_INTERVAL, never past the deadline. ``sleep`` and ``clock`` are there for tests."""

    def __init__(self, deadline, sleep=time.sleep, clock=time.monotonic, first_interval=FIRST_INTERVAL, max_interval=MAX_INTERVAL):
        self.deadline = deadline
        self.sleep = sleep
        self.clock = clock
        self.interval = first_interval
        self.max_interval = max_interval

    def wait(self):
        """Sleep until the next poll; False (without sleeping) once the deadline has passed."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            return False
        self.sleep(min(self.interval, remaining))
        self.interval = min(self.interval * BACKOFF, self.max_interval)
        return True


class ResourceBusyError(CloudTowerError):
    """CloudTower answered ResourceLocked until the deadline: another task holds the resource and nothing was done."""


def call_when_unlocked(client, operation, body, timeout, what, sleep=time.sleep, clock=time.monotonic):
    """``client.call(operation, body)``, sent again with Backoff while CloudTower answers ResourceLocked, for up to ``timeout`` s.

    Unlike any other failure of a change, ResourceLocked means CloudTower refused the whole request and did nothing,
    so sending it again is safe. ``what`` names the resource for the error, such as ``VM 'web-1' (id c..., cluster c1)``.
    Raises ResourceBusyError (HTTP 400, code ResourceLocked: nothing was done) once the deadline has passed.
    """
    backoff = Backoff(clock() + timeout, sleep, clock)
    while True:
        try:
            return client.call(operation, body)
        except CloudTowerError as exc:
            if not exc.is_resource_locked:
                raise
            if not backoff.wait():
                raise ResourceBusyError(
                    "%s is still busy with another CloudTower task after %g seconds (%s answered: %s), so nothing was done. "
                    "Run again later or raise timeout." % (what, timeout, operation, exc.api_message or exc.message),
                    operation=exc.operation or operation, status=exc.status, code=exc.code, api_message=exc.api_message,
                    path=exc.path, props=exc.props)


class TaskWaiter:
    """Waits for tasks of one client. ``sleep`` and ``clock`` are there for tests."""

    def __init__(self, client, timeout=DEFAULT_TIMEOUT, first_interval=FIRST_INTERVAL, max_interval=MAX_INTERVAL, sleep=time.sleep, clock=time.monotonic):
        self.client = client
        self.timeout = timeout
        self.first_interval = first_interval
        self.max_interval = max_interval
        self.sleep = sleep
        self.clock = clock

    def wait(self, ids, timeout=None):
        """Wait until every task in ``ids`` has ended; return their records in the order of ``ids``.

        Raises TaskFailedError when any ended FAILED (after all have ended, so the caller knows every outcome),
        TaskTimeoutError when some are still running after ``timeout`` seconds, TaskStateUnknownError when
        get-tasks itself fails. All three are TaskError, with the tasks as last seen.
        """
        timeout = self.timeout if timeout is None else timeout
        ids = list(dict.fromkeys(task_id for task_id in ids if task_id))
        tasks = dict((task_id, {"id": task_id, "status": None}) for task_id in ids)
        pending = list(ids)
        backoff = Backoff(self.clock() + timeout, self.sleep, self.clock, self.first_interval, self.max_interval)
        while pending:
            try:
                answer = self.client.call("get-tasks", {"where": {"id_in": pending}})
            except CloudTowerError as exc:
                raise TaskStateUnknownError(exc, [tasks[task_id] for task_id in ids])
            for task in answer:
                tasks[task["id"]] = task
            # PENDING, EXECUTING, PAUSED or not found yet: still running.
            pending = [task_id for task_id in pending if tasks[task_id].get("status") not in (DONE, FAILED)]
            if pending and not backoff.wait():
                raise TaskTimeoutError([tasks[task_id] for task_id in pending], [tasks[task_id] for task_id in ids], timeout)
        ordered = [tasks[task_id] for task_id in ids]
        failed = [task for task in ordered if task.get("status") == FAILED]
        if failed:
            raise TaskFailedError(failed, ordered)
        return ordered
