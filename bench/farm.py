"""Benchmark of a farm behind several runners (issue 12; prints figures, it does not pass or fail).

Every part is a process of its own, as on real PCs: each simulated farm is a ``tikrunner sim``
(its own fake adb server), each runner a ``tikrunner serve --adb HOST:PORT`` with its own spool
and HTTP API. In one run:

1. **PostgreSQL, 2 runners x ``--phones`` phones** (farms ``a-`` and ``b-``) on one store (a
   throw-away server started here from the machine's binaries, tests/pg.py, fsync off):
   ``--follows`` follow tasks per phone, created by one ``POST /task`` on runner A (serial mode:
   accounts are not learned over ``--adb``); wall time from the create to the last task ended,
   tasks per second, and each runner's CPU seconds per task it ran (/proc/PID/stat).
2. **Claim latency**: ``--samples`` times, one follow created through A's API for an idle phone
   of B; the store's ``started_at - created_at`` of that task (both the database's clock): p50,
   p99. The same for a phone of A itself, for comparison (no NOTIFY between runners).
3. **SQLite, 1 runner x 2 * ``--phones`` phones** (one farm ``c-``): the same tasks.

Measured on 2 cores (the runners, the sims and PostgreSQL share them; 2026-12-02, defaults):

    2 cores; 150 phones a runner, 3 follows a phone
    PostgreSQL, 2 runners: 900 tasks (0 failed) in 21.8 s: 41.2 tasks/s
      runner pc-a: ran 450 tasks, 15.3 s CPU, 34.0 ms CPU per task
      runner pc-b: ran 450 tasks, 12.3 s CPU, 27.2 ms CPU per task
      sim-a-: 5.6 s CPU (6.2 ms per task)
      sim-b-: 5.5 s CPU (6.1 ms per task)
      claim (create on pc-a -> running) on a phone of pc-b: p50 7 ms, p99 10 ms, 50 samples
      claim (create on pc-a -> running) on a phone of pc-a: p50 5 ms, p99 15 ms, 50 samples
    SQLite, 1 runner: 900 tasks (0 failed) in 30.3 s: 29.7 tasks/s
      runner pc-c: ran 900 tasks, 31.5 s CPU, 35.0 ms CPU per task
      sim-c-: 10.9 s CPU (12.1 ms per task)

A create through the HTTP API used to wake every worker of its runner, each asking the store
whether its phone had work (150 queries for one task): claim p50 29 ms, p99 119 ms on the
runner's own phones, against 3 ms and 23 ms from the other runner, whose NOTIFY names the phones;
a create now wakes the workers of its phones only (runner/http/taskops.py).

Usage: ``python bench/farm.py [--phones 150] [--follows 3] [--samples 50] [--store URL]``
(``--store``: an existing PostgreSQL database to use instead of a throw-away server; it is
emptied first).
"""

from __future__ import annotations

import os
import sys

# As in bench/http_api.py: this folder must not shadow the standard library's ``http``.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.http_api import percentile  # noqa: E402
from bench.metrics import cpu_seconds  # noqa: E402

ENV = dict(os.environ, ADBUTILS_ADB_PATH="/bin/false")


class Proc:
    """A ``tikrunner`` subcommand in a subprocess, its output in ``root/NAME.log``."""

    def __init__(self, root: Path, name: str, args: list[str]):
        self.name = name
        self.log_path = root / f"{name}.log"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "runner.cli", *args],
                env=ENV,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match:
        """The first match of ``pattern`` in its output; RuntimeError (with the output's tail)
        when it exits or ``timeout`` seconds pass first."""
        return until(
            lambda: re.search(pattern, self.log()), timeout, f"{self.name}: {pattern}", [self]
        )

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def until(condition: Callable[[], Any], timeout: float, what: str, procs: list[Proc]) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.TransportError):
            if value := condition():
                return value
        for p in procs:
            if p.proc.poll() is not None:
                raise RuntimeError(f"{p.name} exited ({p.proc.returncode}):\n{p.log()[-3000:]}")
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.log()[-2000:]}" for p in procs)
            raise RuntimeError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.1)


def sim(root: Path, prefix: str, phones: int) -> tuple[Proc, str]:
    """A ``tikrunner sim`` farm of ``phones`` phones ``PREFIX0001``...; (process, HOST:PORT)."""
    p = Proc(root, f"sim-{prefix}", ["sim", "--devices", str(phones), "--port", "0",
                                     "--serial-prefix", prefix])  # fmt: skip
    return p, p.wait_for(r"fake adb server on (\S+?),").group(1)


class Runner(Proc):
    """``tikrunner serve`` on ``adb`` with ``store``, named ``name``; :attr:`url` its API."""

    def __init__(self, root: Path, name: str, adb: str, store: str):
        folder = root / name
        folder.mkdir()
        config = {
            "spool": str(folder / "spool"),
            "adb": [adb],
            "http": "127.0.0.1:0",
            "timezone": "UTC",
            "store": store,
            "name": name,
            "log_level": "warning",
        }
        (folder / "tikrunner.json").write_text(json.dumps(config), encoding="utf-8")
        super().__init__(root, name, ["serve", "--config", str(folder / "tikrunner.json")])
        self.url = self.wait_for(r"HTTP API on (http://\S+?)/?;").group(1)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        envelope = self.client.request(method, path, **kwargs).json()
        if envelope["code"] != 0:
            raise RuntimeError(f"{self.name} {method} {path}: {envelope}")
        return envelope["data"]

    def online(self, prefix: str) -> int:
        devices = self.api("GET", "/devices")["list"]
        return sum(d["serial"].startswith(prefix) and d["state"] == "device" for d in devices)

    def create(self, serials: list[str], targets: list[str]) -> list[int]:
        body = {"serials": serials, "script_name": "follow",
                "script_config": {"target_users": targets}}  # fmt: skip
        return self.api("POST", "/task", json=body)["task_ids"]

    def stop(self) -> None:
        self.client.close()
        super().stop()


@contextlib.contextmanager
def processes() -> Iterator[list[Proc]]:
    """A list to put processes in; every one is stopped on the way out."""
    procs: list[Proc] = []
    try:
        yield procs
    finally:
        for p in reversed(procs):
            p.stop()


def serials(prefix: str, phones: int) -> list[str]:
    return [f"{prefix}{n:04d}" for n in range(1, phones + 1)]


def throughput(
    runners: list[Runner], farms: list[tuple[str, int]], follows: int, procs: list[Proc]
) -> dict[str, Any]:
    """Create ``follows`` follows on every phone through the first runner; wait until every task
    ended; wall time, tasks per second and each runner's CPU per task it ran."""
    everyone = [s for prefix, n in farms for s in serials(prefix, n)]
    for runner, (prefix, n) in zip(runners, farms, strict=True):
        until(lambda r=runner, p=prefix, n=n: r.online(p) >= n, 120, f"{n} phones", procs)
    cpu0 = {r.name: r.cpu() for r in runners}
    sims0 = {p.name: p.cpu() for p in procs if p.name.startswith("sim-")}
    started = time.monotonic()
    ids = runners[0].create(everyone, [f"bench_{i}" for i in range(1, follows + 1)])
    total = len(ids)

    def ended() -> bool:
        stats = runners[0].api("GET", "/task/stats")
        return stats["completed"] + stats["failed"] >= total

    until(ended, 1800, f"{total} tasks to end", procs)
    wall = time.monotonic() - started
    cpu = {r.name: r.cpu() - cpu0[r.name] for r in runners}
    sims = {p.name: p.cpu() - sims0[p.name] for p in procs if p.name in sims0}
    ran: dict[str, int] = {}
    failed = 0
    for page in range(1, total // 100 + 2):
        data = runners[0].api("GET", "/task", params={"page": page, "page_size": 100})
        for t in data["list"]:
            name = t["runner"] or runners[0].name  # a SQLite store names no runner
            ran[name] = ran.get(name, 0) + 1
            failed += t["status"] == 3
    return {"tasks": total, "failed": failed, "wall": wall, "cpu": cpu, "ran": ran, "sims": sims}


def claim_latency(url: str, creator: Runner, phones: list[str], samples: int) -> list[float]:
    """``samples`` times: one follow through ``creator`` on the next of ``phones`` (idle: the
    previous sample's task there ended); its ``started_at - created_at`` in the store (seconds)."""
    out = []
    with psycopg.connect(url, autocommit=True) as db:
        for i in range(samples):
            (task_id,) = creator.create([phones[i % len(phones)]], [f"claim_{i}"])
            deadline = time.monotonic() + 60
            while True:
                row = db.execute(
                    "SELECT started_at - created_at, status FROM tasks WHERE id=%s", (task_id,)
                ).fetchone()
                if row and row[0] is not None and row[1] >= 2:
                    out.append(row[0])
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"task {task_id} did not start and end within 60 s")
                time.sleep(0.02)
    return out


def report(title: str, result: dict[str, Any]) -> None:
    rate = result["tasks"] / result["wall"]
    print(f"{title}: {result['tasks']} tasks ({result['failed']} failed) in "
          f"{result['wall']:.1f} s: {rate:.1f} tasks/s")  # fmt: skip
    for name, cpu in sorted(result["cpu"].items()):
        n = result["ran"].get(name, 0)
        per = f"{cpu / n * 1000:.1f} ms CPU per task" if n else "no task"
        print(f"  runner {name}: ran {n} tasks, {cpu:.1f} s CPU, {per}")
    for name, cpu in sorted(result["sims"].items()):
        print(f"  {name}: {cpu:.1f} s CPU ({cpu / result['tasks'] * 1000:.1f} ms per task)")


@contextlib.contextmanager
def postgres(url: str | None) -> Iterator[str]:
    """``url`` emptied (its public schema dropped), or a throw-away server's fresh database."""
    if url:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("DROP SCHEMA public CASCADE")
            db.execute("CREATE SCHEMA public")
        yield url
        return
    from tests.pg import throwaway_server

    with throwaway_server() as server, psycopg.connect(server.url(), autocommit=True) as db:
        db.execute("CREATE DATABASE bench")
        yield server.url("bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=150, help="phones per runner")
    parser.add_argument("--follows", type=int, default=3, help="follow tasks per phone")
    parser.add_argument("--samples", type=int, default=50, help="claim latency samples")
    parser.add_argument("--store", help="a PostgreSQL database URL (default: a throw-away one)")
    args = parser.parse_args()
    n = args.phones
    print(f"{os.cpu_count()} cores; {n} phones a runner, {args.follows} follows a phone")
    with tempfile.TemporaryDirectory() as tmp, postgres(args.store) as url:
        root = Path(tmp)
        with processes() as procs:
            (sa, adb_a), (sb, adb_b) = sim(root, "a-", n), sim(root, "b-", n)
            procs += [sa, sb]
            a = Runner(root, "pc-a", adb_a, url)
            procs.append(a)
            b = Runner(root, "pc-b", adb_b, url)
            procs.append(b)
            result = throughput([a, b], [("a-", n), ("b-", n)], args.follows, procs)
            report("PostgreSQL, 2 runners", result)
            other = claim_latency(url, a, serials("b-", n), args.samples)
            own = claim_latency(url, a, serials("a-", n), args.samples)
            for whose, values in (("pc-b", other), ("pc-a", own)):
                print(f"  claim (create on pc-a -> running) on a phone of {whose}: p50 "
                      f"{percentile(values, 0.5) * 1000:.0f} ms, p99 "
                      f"{percentile(values, 0.99) * 1000:.0f} ms, {len(values)} samples")  # fmt: skip
        with processes() as procs:
            sc, adb_c = sim(root, "c-", 2 * n)
            procs.append(sc)
            c = Runner(root, "pc-c", adb_c, "sqlite")
            procs.append(c)
            result = throughput([c], [("c-", 2 * n)], args.follows, procs)
            report("SQLite, 1 runner", result)


if __name__ == "__main__":
    main()
