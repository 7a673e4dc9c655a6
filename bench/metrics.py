"""Benchmark of ``/metrics`` (prints figures; it does not pass or fail).

A real ``tikrunner serve`` (bench/http_api.py's ``Serve``: a subprocess, no phones) with
``--tasks`` tasks put straight into its store (10 phones, 2 scripts; 90% completed, 5% failed,
5% pending). A real HTTP client scrapes ``GET /metrics`` ``--samples`` times: p50 and p99 of the
scrape, the answer's size, and the server's CPU seconds per scrape (from /proc, Linux).

Usage: ``python bench/metrics.py [--tasks 100000] [--samples 50]``
"""

from __future__ import annotations

import os
import sys

# As in bench/http_api.py: this folder must not shadow the standard library's ``http``.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402

from bench.http_api import Serve, fill, percentile  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (/proc/PID/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Serve(Path(tmp)) as bg:
        fill(bg.spool, args.tasks)
        url = bg.url.removesuffix("/api/v1") + "/metrics"
        with httpx.Client() as client:
            client.get(url).raise_for_status()  # warm: page cache, first query plan
            times = []
            cpu0 = cpu_seconds(bg.proc.pid)
            for _ in range(args.samples):
                start = time.perf_counter()
                answer = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                answer.raise_for_status()
            cpu = (cpu_seconds(bg.proc.pid) - cpu0) / args.samples
        print(
            f"GET /metrics with {args.tasks} tasks in the store ({len(answer.content)} bytes): "
            f"p50 {percentile(times, 0.5):6.2f} ms  p99 {percentile(times, 0.99):6.2f} ms  "
            f"server CPU {cpu * 1000:5.1f} ms per scrape"
        )


if __name__ == "__main__":
    main()
