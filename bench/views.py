"""Benchmark of the CLI views (prints figures; it does not pass or fail).

A real ``tikrunner serve`` (bench/http_api.py's ``Serve``: a subprocess, no phones) with
``--tasks`` tasks put straight into its store (10 phones, 2 scripts; 90% completed, 5% failed, 5%
pending). Each view is run as a person runs it, a new ``tikrunner`` process (``python -m
runner.cli``), ``--samples`` times: p50 of the wall time, Python's start-up and imports included
(``--version`` is that floor). Then one ``top`` refresh in-process (two GETs and the table): p50 of
the wall time and the server's CPU seconds per refresh (from /proc, Linux). The runner's inventory
has ``--accounts`` accounts (on the 10 phones, every third tagged ``new``, every other with working
hours) under limits (follow per hour, per day and min_gap, like and comment per day, a stricter
follow limit for ``new``), 20 follows and 20 likes each in the store's last hour and a cool-down
for every tenth: ``tikrunner accounts`` is run as the other views, and one refresh of the
dashboard's Accounts view (``GET /accounts``, every page) measured as ``top``'s.

Usage: ``python bench/views.py [--tasks 100000] [--accounts 500] [--samples 5]``
"""

from __future__ import annotations

import os
import sys

# As in bench/http_api.py: this folder must not shadow the standard library's ``http``.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import io  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from rich.console import Console  # noqa: E402

from bench.http_api import Serve, fill, percentile  # noqa: E402
from bench.metrics import cpu_seconds  # noqa: E402
from runner.store import Store  # noqa: E402
from runner.views_cli import ApiClient, Target, fetch_accounts, top_frame  # noqa: E402

LIMITS = {
    "follow": {"per_hour": 30, "per_day": 150, "min_gap": 20},
    "like": {"per_day": 400},
    "comment": {"per_day": 40},
}


def inventory(count: int) -> list[dict]:
    """``count`` accounts on the 10 phones ``fill`` uses: every third tagged ``new``, every
    other with working hours."""
    return [
        {
            "username": f"acc{i}",
            "serial": f"phone-{i % 10:04d}",
            "tags": ["new"] if i % 3 == 0 else [],
        }
        | ({"working_hours": ["08:30-12:00", "14:00-23:00"]} if i % 2 else {})
        for i in range(count)
    ]


def act(spool: Path, count: int) -> int:
    """20 follows and 20 likes of each of the ``count`` accounts in the last hour, a cool-down
    for every tenth, straight through the store; returns the actions recorded."""
    store = Store(spool / "state.db", synchronous="OFF")
    now, done = time.time(), 0
    for i in range(count):
        for k, kind in enumerate(("follow", "like")):
            for j in range(20):
                at = now - 60 * (j + 1) - k
                store.attempt_action(f"acc{i}", kind, now=at, since=0, check=lambda h, t: None)
                done += 1
        if i % 10 == 0:
            store.cool_down(f"acc{i}", now + 3600, "You're following too fast", now=now)
    store.close()
    return done


def refreshes(label: str, refresh, pid: int, samples: int) -> None:
    """Print the p50 wall time of ``refresh()`` and the server's CPU per call."""
    refresh()  # warm
    times = []
    cpu0 = cpu_seconds(pid)
    for _ in range(samples):
        start = time.perf_counter()
        refresh()
        times.append((time.perf_counter() - start) * 1000)
    cpu = (cpu_seconds(pid) - cpu0) / samples
    print(
        f"{label}: p50 {percentile(times, 0.5):6.2f} ms  server CPU {cpu * 1000:5.1f} ms per refresh"
    )


VIEWS = [
    ["--version"],
    ["tasks"],
    ["tasks", "--status", "failed", "--script", "post", "-o", "json"],
    ["tasks", "--status", "failed", "--limit", "0", "-o", "json"],
    ["task", "1"],
    ["logs", "1"],
    ["devices"],
    ["accounts"],
    ["accounts", "-o", "json"],
    ["top", "--iterations", "1"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    config = {"accounts": inventory(args.accounts), "limits": LIMITS}
    config["limits_by_tag"] = {"new": {"follow": {"per_day": 20}}}
    with tempfile.TemporaryDirectory() as tmp, Serve(Path(tmp), **config) as bg:
        fill(bg.spool, args.tasks)
        actions = act(bg.spool, args.accounts)
        api = bg.url.removesuffix("/api/v1")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIKRUNNER_API")}
        env["COLUMNS"] = "160"
        for view in VIEWS:
            times, out = [], b""
            for _ in range(args.samples):
                start = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "runner.cli", *view]
                    + ([] if view == ["--version"] else ["--api", api]),
                    capture_output=True,
                    env=env,
                    check=True,
                )
                times.append((time.perf_counter() - start) * 1000)
                out = done.stdout
            print(
                f"tikrunner {' '.join(view):<50} p50 {percentile(times, 0.5):7.1f} ms  "
                f"({len(out)} bytes out)"
            )
        client = ApiClient(Target(base=api, token=None, source="--api"))
        console = Console(file=io.StringIO(), width=160)
        samples = args.samples * 10
        refreshes(
            f"top refresh in-process with {args.tasks} tasks",
            lambda: console.print(top_frame(client)),
            bg.proc.pid,
            samples,
        )
        refreshes(
            f"Accounts refresh (GET /accounts) with {args.accounts} accounts, {actions} actions",
            lambda: fetch_accounts(client, {}),
            bg.proc.pid,
            samples,
        )


if __name__ == "__main__":
    main()
