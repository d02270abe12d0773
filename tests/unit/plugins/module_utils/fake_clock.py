# -*- coding: utf-8 -*-
# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A clock that only moves when slept on, for the sleep/clock arguments of the waiter and the runs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
