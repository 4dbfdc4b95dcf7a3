"""Locust load for benchmarks/bench_api.py: viewers reading a doctor's week.

Environment: ROSTER_BENCH_KEY (a viewer key), ROSTER_BENCH_DOCTORS (comma-
separated doctor ids), ROSTER_BENCH_WEEK, ROSTER_BENCH_RATE (requests per
second per user).
"""

from __future__ import annotations

import os
import random

import gevent
from locust import constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

KEY = os.environ["ROSTER_BENCH_KEY"]
DOCTORS = os.environ["ROSTER_BENCH_DOCTORS"].split(",")
WEEK = os.environ.get("ROSTER_BENCH_WEEK", "2026-W49")
RATE = float(os.environ.get("ROSTER_BENCH_RATE", "10"))


class Viewer(FastHttpUser):
    wait_time = constant_throughput(RATE)

    def on_start(self) -> None:
        # Users start together; without a random phase they would fire in
        # lock-step bursts of 20 requests instead of a steady stream.
        gevent.sleep(random.random() / RATE)

    @task
    def doctor_week(self) -> None:
        doctor = random.choice(DOCTORS)
        self.client.get(
            f"/doctors/{doctor}/assignments?week={WEEK}",
            headers={"X-API-Key": KEY},
            name="/doctors/{id}/assignments?week=",
        )
