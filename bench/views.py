"""Benchmark of the CLI views (prints figures; it does not pass or fail).

A real ``tikrunner serve`` (bench/http_api.py's ``Serve``: a subprocess, no phones) with
``--tasks`` tasks put straight into its store (10 phones, 2 scripts; 90% completed, 5% failed, 5%
pending). Each view is run as a person runs it, a new ``tikrunner`` process (``python -m
runner.cli``), ``--samples`` times: p50 of the wall time, Python's start-up and imports included
(``--version`` is that floor). Then one ``top`` refresh in-process (two GETs and the table): p50 of
the wall time and the server's CPU seconds per refresh (from /proc, Linux).

Usage: ``python bench/views.py [--tasks 100000] [--samples 5]``
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
from runner.views_cli import ApiClient, Target, top_frame  # noqa: E402

VIEWS = [
    ["--version"],
    ["tasks"],
    ["tasks", "--status", "failed", "--script", "post", "-o", "json"],
    ["tasks", "--status", "failed", "--limit", "0", "-o", "json"],
    ["task", "1"],
    ["logs", "1"],
    ["devices"],
    ["top", "--iterations", "1"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Serve(Path(tmp)) as bg:
        fill(bg.spool, args.tasks)
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
        console.print(top_frame(client))  # warm
        times = []
        cpu0 = cpu_seconds(bg.proc.pid)
        for _ in range(args.samples * 10):
            start = time.perf_counter()
            console.print(top_frame(client))
            times.append((time.perf_counter() - start) * 1000)
        cpu = (cpu_seconds(bg.proc.pid) - cpu0) / (args.samples * 10)
        print(
            f"top refresh in-process with {args.tasks} tasks: p50 {percentile(times, 0.5):6.2f} ms"
            f"  server CPU {cpu * 1000:5.1f} ms per refresh"
        )


if __name__ == "__main__":
    main()
