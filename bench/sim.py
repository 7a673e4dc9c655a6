"""Benchmark: 200 simulated phones in one process (issue 4).

Starts a :class:`runner.sim.SimFarm` of N phones behind its fake adb server (its own trio thread),
connects real uiautomator2 to every phone (the u2.jar push, the server start, TikTok launched on a
profile), then measures
1. resident memory of the whole process (simulator + clients), from ``/proc/self/status`` VmRSS;
2. the latency of ``d(text="Follow").exists`` (one JSON-RPC over a fresh adb stream) with one phone
   busy (calls in a row), then with every phone busy (one client thread per phone, all at once).
Client threads and the simulator share one interpreter (and its GIL): the all-busy figure is the
whole farm's throughput seen from one process, not a per-phone limit.

Prints figures; passes or fails nothing. Usage:
``python bench/sim.py [--phones 200] [--calls 200] [--calls-each 20]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("ADBUTILS_ADB_PATH", "/bin/false")  # never start a real adb daemon
# bench/ holds http.py, which would shadow the stdlib module: put the repo first, not bench/.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import adbutils  # noqa: E402
import uiautomator2 as u2  # noqa: E402

from runner.sim import SimFarm  # noqa: E402

PKG = "com.zhiliaoapp.musically"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def connect(client: adbutils.AdbClient, serial: str) -> u2.Device:
    d = u2.connect(client.device(serial))
    d.shell(["am", "start", "-a", "android.intent.action.VIEW", "-d",
             f"https://www.tiktok.com/@bench_{serial}", "-p", PKG])  # fmt: skip
    return d


def timed_exists(d: u2.Device, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        assert d(text="Follow").exists
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phones", type=int, default=200)
    ap.add_argument("--calls", type=int, default=200, help="calls with one phone busy")
    ap.add_argument("--calls-each", type=int, default=20, help="calls per phone, all busy")
    args = ap.parse_args()

    base = rss_mb()
    farm = SimFarm(args.phones, seed=1)
    with farm.running() as (host, port):
        client = adbutils.AdbClient(host, port, socket_timeout=60)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            devices = list(pool.map(lambda s: connect(client, s), farm.serials))
        setup = time.perf_counter() - t0
        rss = rss_mb()
        print(f"phones: {args.phones}; uiautomator2 connected to all in {setup:.1f} s")
        print(f"resident memory: {rss:.0f} MB (interpreter and imports before the farm: "
              f"{base:.0f} MB; {(rss - base) / args.phones:.2f} MB per phone)")  # fmt: skip

        timed_exists(devices[0], 10)  # warm up
        one = timed_exists(devices[0], args.calls)
        print(f"d(text=...).exists, 1 phone busy ({args.calls} calls): "
              f"p50 {pct(one, 0.5):.2f} ms, p99 {pct(one, 0.99):.2f} ms, "
              f"mean {statistics.fmean(one):.2f} ms")  # fmt: skip

        results: list[list[float]] = [[] for _ in devices]
        start = threading.Barrier(len(devices))

        def busy(i: int) -> None:
            start.wait()
            results[i] = timed_exists(devices[i], args.calls_each)

        threads = [threading.Thread(target=busy, args=(i,)) for i in range(len(devices))]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        every = [x for r in results for x in r]
        print(f"d(text=...).exists, {len(devices)} phones busy ({len(every)} calls in "
              f"{wall:.1f} s, {len(every) / wall:.0f} calls/s): p50 {pct(every, 0.5):.2f} ms, "
              f"p99 {pct(every, 0.99):.2f} ms")  # fmt: skip
        print(f"resident memory at the end: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
