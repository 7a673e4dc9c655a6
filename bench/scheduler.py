"""Benchmark of the scheduler (prints figures; it does not pass or fail).

A real runner (store, spool, device workers, HTTP API) runs in-process on simulated phones, as
the tests run it (tests/http/conftest.py ``LiveRunner``); a real HTTP client (httpx) measures:

- **stop latency** on a phone that answers every call after 5 s (``phone.latency = 5``): from
  ``POST /api/v1/task/{id}/stop`` to ``GET /api/v1/task/{id}`` showing the task failed with remark
  ``stopped``; the stop is sent at a random moment of the task's run;
- **due task to running** with the phone idle: a task scheduled 0.3 s ahead (written through the
  store and announced as intake does), from its scheduled start to its ``started_at``; and a task
  created over HTTP, from its ``created_at`` to its ``started_at`` (store times, UTC epoch).

Usage: ``python bench/scheduler.py [--stops 30] [--due 200]``
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path (bench/http_api.py would shadow the
# standard library's ``http`` package, which httpx imports): drop the folder, add the repo.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))
os.environ.setdefault("ADBUTILS_ADB_PATH", "/bin/false")

import argparse  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

from tests.http.conftest import LiveRunner, data, follow_body  # noqa: E402


@dataclass
class Scheduled:
    serial: str
    start_at: float
    script_name: str = "follow"
    script_config: dict = field(
        default_factory=lambda: {"target_users": ["someone"], "access_method": "direct"}
    )
    username: str | None = None
    job_count: int = 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def line(what: str, values_ms: list[float]) -> None:
    print(
        f"{what}: n={len(values_ms)} p50 {pct(values_ms, 50):.1f} ms, p99 {pct(values_ms, 99):.1f}"
        f" ms, max {max(values_ms):.1f} ms, mean {statistics.fmean(values_ms):.1f} ms"
    )


def stops(live: LiveRunner, n: int, rng: random.Random) -> None:
    phone = live.sim.phone("sim-0001")
    [warm] = data(live.client.post("/task", json=follow_body("sim-0001", "warm")))["task_ids"]
    live.wait_status(warm, 2)
    phone.latency = 5.0
    took = []
    for i in range(n):
        [task_id] = data(live.client.post("/task", json=follow_body("sim-0001", f"s{i}")))[
            "task_ids"
        ]
        live.wait_status(task_id, 1, timeout=30)
        time.sleep(rng.uniform(0, 5))  # somewhere inside a 5 s device call
        asked = time.perf_counter()
        live.client.post(f"/task/{task_id}/stop")
        while True:
            task = live.task(task_id)
            if task["status"] == 3 and task["remark"] == "stopped":
                break
            time.sleep(0.001)
        took.append((time.perf_counter() - asked) * 1000)
    phone.latency = 0.0
    line("stop, phone answering after 5 s (POST stop -> GET shows failed 'stopped')", took)


def due(live: LiveRunner, n: int) -> None:
    store = live.runner.store
    wake = live.runner.farm.wakeup  # the scheduler (older runners: their Wakeup)
    [warm] = data(live.client.post("/task", json=follow_body("sim-0002", "warm")))["task_ids"]
    live.wait_status(warm, 2)
    scheduled, created = [], []
    for _ in range(n):
        [task_id] = store.add_api_tasks([Scheduled("sim-0002", time.time() + 0.3)])
        wake.notify()  # as intake announces new tasks
        live.wait_status(task_id, 2, timeout=30)
        task = store.get(task_id)
        scheduled.append((task.started_at - task.start_at) * 1000)
    for i in range(n):
        [task_id] = data(live.client.post("/task", json=follow_body("sim-0002", f"d{i}")))[
            "task_ids"
        ]
        live.wait_status(task_id, 2, timeout=30)
        task = store.get(task_id)
        created.append((task.started_at - task.created_at) * 1000)
    line("due task -> running, idle phone (scheduled start -> started_at)", scheduled)
    line("HTTP create -> running, idle phone (created_at -> started_at)", created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=30)
    parser.add_argument("--due", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        live = LiveRunner(Path(tmp), simulate=2).start()
        try:
            due(live, args.due)
            stops(live, args.stops, random.Random(7))
        finally:
            live.stop()


if __name__ == "__main__":
    main()
