"""Benchmark of the HTTP shim (prints figures; it does not pass or fail).

A real ``tikrunner serve`` runs in a subprocess (as operators run it: the client does not share
its interpreter) on a temporary spool, with no phones and no adb server: created tasks just stay
pending. A real HTTP client (httpx, keep-alive) measures:

- creates per second: ``POST /api/v1/task`` with one follow target on one phone, from one client
  and from several client threads at once, with the CPU time the serve process spent per create
  (user + system, from /proc) and the clients' own CPU per create (on one machine the two
  together bound the rate; on a machine shared with other work the wall-time figures vary,
  the CPU per create much less); the floor of the HTTP server in the same run (hypercorn's trio
  worker serving an ASGI app that answers at once, the same clients); the load average; and,
  for comparison, the same creates straight through
  the store (``Store.add_api_tasks``, ``synchronous=FULL``) from as many threads, with how many
  creates shared one COMMIT (group commit, runner/store/group.py): what the store allows, the rest
  is the HTTP path's;
- ``GET /api/v1/task`` latency (p50, p99) for page 1 and for a middle page with 100,000 tasks in
  the store (put there straight through the store: 90% completed, 5% failed, 5% pending), also
  filtered by serial.

Usage: ``python bench/http_api.py [--creates 1000] [--tasks 100000] [--samples 300]``
(``--noop-server PORT`` is the floor's server, started by the bench itself).
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and this file would shadow the
# standard library's ``http`` package (which httpx imports): drop the folder, add the repo.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from runner.intake import NewTask  # noqa: E402
from runner.store import Store  # noqa: E402

BODY = {
    "serials": ["phone-0001"],
    "script_name": "follow",
    "script_config": {"target_users": ["@someone"], "access_method": "direct"},
}


class Serve:
    """``tikrunner serve`` in a subprocess on a free port of 127.0.0.1, no phones; ``config``:
    more settings of its tikrunner.yaml (JSON values)."""

    def __init__(self, root: Path, **config: Any):
        self.root = root
        self.spool = root / "spool"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = {"spool": str(self.spool), "adb": [], "timezone": "UTC"} | config
        (root / "tikrunner.json").write_text(json.dumps(config))
        self.url = f"http://127.0.0.1:{self.port}/api/v1"

    def __enter__(self) -> Serve:
        env = dict(os.environ, TIKRUNNER_LOG_LEVEL="WARNING", ADBUTILS_ADB_PATH="/bin/false")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runner.cli",
                "serve",
                "--config",
                str(self.root / "tikrunner.json"),
                "--http",
                f"127.0.0.1:{self.port}",
            ],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        wait_up(self.url, "tikrunner serve did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux: /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _noop_app(scope: dict, receive, send) -> None:  # noqa: ANN001
    """An ASGI app that answers every request at once with a small JSON body."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    while (await receive()).get("more_body"):
        pass
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"code":0,"message":"ok","data":{}}'})


def noop_server(port: int) -> None:
    """Serve :func:`_noop_app` with hypercorn's trio worker (as tikrunner serves its API)."""
    import trio
    from hypercorn.config import Config
    from hypercorn.trio import serve

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    trio.run(serve, _noop_app, config)


class NoopServer(Serve):
    """:func:`noop_server` in a subprocess: the floor of any API served this way."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.url = f"http://127.0.0.1:{self.port}/api/v1"

    def __enter__(self) -> NoopServer:
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--noop-server", str(self.port)],
            stderr=subprocess.DEVNULL,
        )
        wait_up(self.url, "the floor's server did not start")
        return self


def wait_up(url: str, failure: str) -> None:
    """Poll ``url``/license/check until it answers (30 s at most); ``SystemExit(failure)``
    when it never does."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/license/check", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(failure)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_creates(url: str, n: int, threads: int, pid: int) -> tuple[float, float, float]:
    """Creates per second from ``threads`` clients, the CPU milliseconds process ``pid`` (the
    server) spent per create meanwhile, and those the clients (this process) spent: on a machine
    that runs both, the two together bound the rate (its cores / their sum)."""

    def worker(count: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for _ in range(count):
                answer = client.post("/task", json=BODY)
                assert answer.status_code == 200, answer.text

    with httpx.Client(base_url=url) as client:  # warm up (imports, schema caches)
        for _ in range(20):
            client.post("/task", json=BODY)
    done = n // threads * threads
    cpu = cpu_seconds(pid)
    mine = time.process_time()
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [n // threads] * threads))
    elapsed = time.perf_counter() - start
    client = (time.process_time() - mine) * 1000 / done
    return done / elapsed, (cpu_seconds(pid) - cpu) * 1000 / done, client


def bench_store_creates(folder: Path, n: int, threads: int) -> tuple[float, float]:
    """Creates per second through a fresh durable store from ``threads`` threads, and creates per
    COMMIT."""
    store = Store(folder / "state.db")
    task = NewTask(
        serial="phone-0001",
        username=None,
        script_name="follow",
        script_config=BODY["script_config"],
        job_count=0,
        start_at=0.0,
    )

    def worker(count: int) -> None:
        for _ in range(count):
            store.add_api_tasks([task])

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [n // threads] * threads))
    elapsed = time.perf_counter() - start
    per_commit = (n // threads * threads) / max(1, store._writes.transactions)
    store.close()
    return (n // threads * threads) / elapsed, per_commit


def fill(spool: Path, total: int, serials: list[str] | None = None) -> None:
    """Put tasks in the store until it holds ``total`` (on ``serials``, by turns; default 10
    phones, 2 scripts), straight through the store (what is measured is listing, not creating);
    then 90% completed, 5% failed, 5% pending (due tomorrow)."""
    serials = serials or [f"phone-{n:04d}" for n in range(10)]
    store = Store(spool / "state.db", synchronous="OFF")
    have = store.counts()["total"]
    now = time.time()
    batch = []
    for i in range(have, total):
        batch.append(
            NewTask(
                serial=serials[i % len(serials)],
                username=None,
                script_name="follow" if i % 2 else "post",
                script_config={"target_users": [f"user{i}"], "access_method": "direct"},
                job_count=0,
                start_at=now + 86400,
            )
        )
        if len(batch) == 5000:
            store.add_api_tasks(batch)
            batch = []
    if batch:
        store.add_api_tasks(batch)
    store.close()
    with sqlite3.connect(spool / "state.db", timeout=30) as db:
        db.execute(
            "UPDATE tasks SET status=2, started_at=?, ended_at=? WHERE id % 20 > 1", (now, now)
        )
        db.execute(
            "UPDATE tasks SET status=3, started_at=?, ended_at=?, remark='x' WHERE id % 20 = 1",
            (now, now),
        )


def bench_list(url: str, samples: int, params: dict) -> tuple[float, float, int]:
    with httpx.Client(base_url=url) as client:
        for _ in range(10):
            client.get("/task", params=params)
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            answer = client.get("/task", params=params)
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text
        total = answer.json()["data"]["total"]
    return statistics.median(times), percentile(times, 0.99), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--noop-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.noop_server:
        noop_server(args.noop_server)
        return
    with tempfile.TemporaryDirectory() as tmp, Serve(Path(tmp)) as bg:
        print(f"tikrunner HTTP bench (tikrunner serve at {bg.url}, no phones: tasks stay pending)")
        print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
        for threads in (1, 4):
            rate, cpu, client = bench_creates(bg.url, args.creates, threads, bg.proc.pid)
            print(
                f"POST /task, 1 follow target on 1 phone, {threads} client(s): {rate:7.0f} creates/s"
                f", serve CPU {cpu:.2f} ms/create, client CPU {client:.2f} ms/create"
            )
        with NoopServer(Path(tmp)) as floor:
            rate, cpu, client = bench_creates(floor.url, args.creates, 4, floor.proc.pid)
        print(
            f"floor: hypercorn (trio) answering at once, 4 clients:  {rate:7.0f} requests/s"
            f", server CPU {cpu:.2f} ms/request, client CPU {client:.2f} ms/request"
        )
        for threads in (1, 4):
            folder = Path(tmp) / f"store-{threads}"
            rate, per_commit = bench_store_creates(folder, args.creates, threads)
            print(
                f"store alone (no HTTP), {threads} thread(s):             {rate:7.0f} creates/s"
                f" ({per_commit:.1f} per COMMIT)"
            )
        fill(bg.spool, args.tasks)
        size = args.page_size
        for label, params in (
            ("page 1", {"page": 1, "page_size": size}),
            ("middle page", {"page": max(1, args.tasks // size // 2), "page_size": size}),
            ("page 1, serial filter", {"page": 1, "page_size": size, "serial": "phone-0003"}),
            (
                "middle page, serial filter",
                {
                    "page": max(1, args.tasks // 10 // size // 2),
                    "page_size": size,
                    "serial": "phone-0003",
                },
            ),
            ("middle page, 100 per page", {"page": max(1, args.tasks // 200), "page_size": 100}),
        ):
            p50, p99, total = bench_list(bg.url, args.samples, params)
            print(
                f"GET /task {label:<27} (total {total}, page {params['page']}): "
                f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
