"""Benchmark of the dashboard (prints figures; it does not pass or fail).

A farm of ``--phones`` simulated phones (``tikrunner sim``, its own process) and a real
``tikrunner serve`` (another process) with ``--tasks`` tasks put straight into its store before it
starts (spread over the phones, 2 scripts; 90% completed, 5% failed, 5% pending for tomorrow, so
nothing runs). Measured, in the system's headless Chromium driven by playwright:

- time to first paint of ``/`` (the page's first contentful paint, from navigation start), and
  time until the phone list shows every phone (the data painted), p50 and p90 over ``--loads``
  loads, each in a fresh browser context (a first visit: nothing cached); the same for
  ``#/tasks`` (its first rows);
- `GET /metrics` scrape time (p50, p90) and server CPU per scrape at the same size;
- the server's CPU per refresh (user + system seconds of the ``serve`` process, from /proc): one
  refresh is what the page asks every 2 s, for the phones view ``GET /devices`` and ``GET
  /task/stats``; for the tasks view the newest page of ``GET /task`` and ``/task/stats``; for the
  manifests view ``GET /manifests`` and ``/task/stats``. Measured ``--refreshes`` times back to
  back, then with the page itself open for ``--watch`` seconds polling at its own pace (the
  server's idle CPU over as long subtracted: 500 phone workers and adb tracking cost something
  with no page open).

Usage: ``python bench/dashboard.py [--phones 500] [--tasks 100000] [--loads 20]``
"""

from __future__ import annotations

import os
import sys

# As in bench/http_api.py: this folder must not shadow the standard library's ``http``.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402

from bench.http_api import fill, percentile  # noqa: E402
from bench.metrics import cpu_seconds  # noqa: E402

ENV = dict(os.environ, TIKRUNNER_LOG_LEVEL="WARNING", ADBUTILS_ADB_PATH="/bin/false")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "runner.cli", *args],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def wait_for(what: str, condition, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except httpx.TransportError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


def summary(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):7.1f} ms  p90 {percentile(values, 0.9):7.1f} ms"


def page_loads(browser, url: str, rows: str, count: int, loads: int) -> tuple[list, list]:
    """(first contentful paint ms, ms until ``count`` rows match ``rows``) of each load."""
    paints, shown = [], []
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length >= n",
            arg=[rows, count],
            timeout=120_000,
        )
        done = page.evaluate(
            "() => new Promise((ok) => requestAnimationFrame(() => ok(performance.now())))"
        )
        fcp = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
        )
        paints.append(float(fcp))
        shown.append(float(done))
        context.close()
    return paints, shown


def refresh_cpu(pid: int, client: httpx.Client, paths: list[str], n: int) -> tuple[float, float]:
    """(server CPU ms per refresh, wall ms per refresh) over ``n`` refreshes back to back."""
    for path in paths:
        client.get(path).raise_for_status()
    cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
    for _ in range(n):
        for path in paths:
            client.get(path).raise_for_status()
    cpu = (cpu_seconds(pid) - cpu0) / n
    return cpu * 1000, (time.perf_counter() - wall0) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--refreshes", type=int, default=20)
    parser.add_argument("--watch", type=float, default=40.0, help="seconds of page polling")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    serials = [f"sim-{n:04d}" for n in range(1, args.phones + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spool = root / "spool"
        spool.mkdir()
        started = time.perf_counter()
        fill(spool, args.tasks, serials)
        print(f"store: {args.tasks} tasks over {args.phones} phones in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        adb_port, http_port = free_port(), free_port()
        sim = start(["sim", "--devices", str(args.phones), "--port", str(adb_port)])
        config = {"spool": str(spool), "adb": [f"127.0.0.1:{adb_port}"], "timezone": "UTC"}
        (root / "tikrunner.json").write_text(json.dumps(config))
        serve = None
        try:
            serve = start(
                ["serve", "--config", str(root / "tikrunner.json"),
                 "--http", f"127.0.0.1:{http_port}"]
            )  # fmt: skip
            base = f"http://127.0.0.1:{http_port}"
            client = httpx.Client(base_url=base + "/api/v1", timeout=60)

            def all_listed() -> bool:
                phones = client.get("/devices").json()["data"]["list"]
                return sum(p["state"] == "device" for p in phones) >= args.phones

            wait_for(f"{args.phones} phones in state device", all_listed)
            time.sleep(2)  # the first probes of every phone settle
            print(f"tikrunner serve at {base}: {args.phones} simulated phones, "
                  f"{args.tasks} tasks")  # fmt: skip
            size = len(client.get("/devices").content)
            print(f"GET /api/v1/devices answer: {size / 1024:.0f} KiB")

            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
                )
                fcp, shown = page_loads(
                    browser, base + "/", "#phones tbody tr", args.phones, args.loads
                )
                print(f"/ (phones) first contentful paint, {args.loads} loads: {summary(fcp)}")
                print(f"/ (phones) all {args.phones} phones shown:            {summary(shown)}")
                fcp, shown = page_loads(
                    browser, base + "/#/tasks", "#tasks tbody tr", 20, args.loads
                )
                print(f"#/tasks first contentful paint:                 {summary(fcp)}")
                print(f"#/tasks newest 20 of {args.tasks} shown:           {summary(shown)}")

                total = client.get("/task/stats").json()["data"]["total"]
                last = max(1, -(-total // 20))
                views = {
                    "phones": ["/devices", "/task/stats"],
                    "tasks": [f"/task?page={last}&page_size=20", "/task/stats"],
                    "tasks, status=failed": [
                        "/task?status=3&page=250&page_size=20",
                        "/task/stats",
                    ],  # fmt: skip
                    "manifests": ["/manifests?page=1&page_size=20", "/task/stats"],
                }
                for name, paths in views.items():
                    cpu, wall = refresh_cpu(serve.pid, client, paths, args.refreshes)
                    print(f"refresh of {name:<22} server CPU {cpu:6.1f} ms  "
                          f"(answered in {wall:6.1f} ms)")  # fmt: skip

                scrape = base + "/metrics"
                client.get(scrape).raise_for_status()  # warm
                times, cpu0 = [], cpu_seconds(serve.pid)
                for _ in range(args.refreshes):
                    began = time.perf_counter()
                    answer = client.get(scrape)
                    answer.raise_for_status()
                    times.append((time.perf_counter() - began) * 1000)
                cpu = (cpu_seconds(serve.pid) - cpu0) / args.refreshes * 1000
                print(f"GET /metrics ({len(answer.content) / 1024:.0f} KiB), {args.refreshes} "
                      f"scrapes: {summary(times)}  server CPU {cpu:.1f} ms each")  # fmt: skip

                cpu0 = cpu_seconds(serve.pid)
                time.sleep(args.watch)
                idle = cpu_seconds(serve.pid) - cpu0
                context = browser.new_context()
                page = context.new_page()
                polls = []
                page.on("request", lambda r: "/task/stats" in r.url and polls.append(r.url))
                page.goto(base + "/")
                page.wait_for_function(
                    "(n) => document.querySelectorAll('#phones tbody tr').length >= n",
                    arg=args.phones, timeout=120_000,
                )  # fmt: skip
                polls.clear()
                cpu0 = cpu_seconds(serve.pid)
                page.wait_for_timeout(args.watch * 1000)  # the page polls at its own pace
                busy = cpu_seconds(serve.pid) - cpu0
                context.close()
                browser.close()
            per = (busy - idle) / max(1, len(polls)) * 1000
            print(f"server idle: {idle / args.watch * 100:.1f}% of a core; with the phones view "
                  f"open {args.watch:.0f} s: {len(polls)} refreshes, {per:.1f} ms CPU each "
                  f"(idle subtracted)")  # fmt: skip
        finally:
            if serve is not None:
                stop(serve)
            stop(sim)


if __name__ == "__main__":
    main()
