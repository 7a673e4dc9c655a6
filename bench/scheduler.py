"""Benchmark of the scheduler (prints figures; it does not pass or fail).

A real runner (store, spool, device workers, HTTP API) runs in-process on simulated phones, as
the tests run it (tests/http/conftest.py ``LiveRunner``); a real HTTP client (httpx) measures:

- **stop latency** on a phone that answers every call after 5 s (``phone.latency = 5``): from
  ``POST /api/v1/task/{id}/stop`` to ``GET /api/v1/task/{id}`` showing the task failed with remark
  ``stopped``; the stop is sent at a random moment of the task's run;
- **due task to running** with the phone idle: a task scheduled 0.3 s ahead (written through the
  store and announced as intake does), from its scheduled start to its ``started_at``; and a task
  created over HTTP, from its ``created_at`` to its ``started_at`` (store times, UTC epoch);
- **the cost of checking account safety** (issue 14; runner/limits.py): due -> running (a
  task's scheduled start to its ``started_at``) with ``--accounts`` accounts (500) on
  ``--phones`` phones (100), their follows due at random moments of a ``--window``, each account
  with limits (a default, a tag's, its own; working hours; a day of earlier follows in the store
  that every check reads) and one account in ten already at its day's limit (its tasks are held
  until midnight: its phone's other tasks must not wait for them), beside the same farm and load
  without any limit, in the same run (alternating, a fresh store each, ``--rounds`` of each).
  The phones' device workers are the runner's own loop (runner/workers.py: wake-ups, the
  ``device_limit`` slot, claim, end) on the real store; only the phone is left out: a session
  that is always there and a follow that counts its action (``ctx.attempt``) and takes 50 ms.
  Also the wall time of each ``Scheduler.claim`` call. ``--store postgresql`` runs it on a
  throw-away PostgreSQL server (tests/pg.py; a database per run) instead of SQLite.

Usage: ``python bench/scheduler.py [--stops 30] [--due 200] [--accounts 500] [--phones 100]
[--store sqlite|postgresql] [--only safety]``
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


@dataclass
class Farmed:
    """What one run of the account-safety load measured."""

    label: str
    due_ms: list[float]
    free_ms: list[float]
    claim_ms: list[float]
    held: int
    ran: int


SAFETY_LIMITS = {
    "limits": {"follow": {"per_hour": 500, "per_day": 5000, "min_gap": 0.001},
               "like": {"per_day": 400}, "comment": {"per_day": 40, "min_gap": 60}},
    "limits_by_tag": {"new": {"follow": {"per_day": 4000}, "comment": {"per_day": 5}}},
    "working_hours": ["00:00-24:00"],
}  # fmt: skip


def safety_accounts(phones: int, per_phone: int, with_limits: bool) -> list[dict]:
    """``per_phone`` accounts on each of ``phones`` phones; with limits, each has its own follow
    limit, the first of each phone the tag ``new``, and one in ten is at its day's limit already
    (its tasks are held until midnight: the phone's other tasks must not wait for them)."""
    out = []
    for p in range(phones):
        for k in range(per_phone):
            entry: dict = {"username": f"acct_{p}_{k}", "serial": f"bench-{p:04d}"}
            if with_limits:
                entry["tags"] = ["new"] if k == 0 else []
                at_limit = (p * per_phone + k) % 10 == 9
                entry["limits"] = {"follow": {"per_day": 0 if at_limit else 3000}}
            out.append(entry)
    return out


async def _safety_run(
    label: str, store_spec: str, folder: Path, phones: int, per_phone: int, tasks_each: int,
    history: int, window: float, with_limits: bool, seed: int,
) -> Farmed:  # fmt: skip
    import trio

    from runner.config import RunnerConfig
    from runner.progress import ProgressBoard
    from runner.scheduler import Scheduler
    from runner.scripts.context import TaskContext
    from runner.workers import Farm, Worker
    from tests.stores import claiming_store

    serials = [f"bench-{p:04d}" for p in range(phones)]
    store = claiming_store(store_spec, folder, phones=serials)
    accounts = safety_accounts(phones, per_phone, with_limits)
    rules = SAFETY_LIMITS if with_limits else {}
    config = RunnerConfig(spool=folder, accounts=accounts, device_wait=3600, **rules)
    rng = random.Random(seed)
    _seed_history(store, accounts, history, time.time())
    start = time.time() + 2.0
    batch = [
        Scheduled(a["serial"], start + rng.uniform(0, window), username=a["username"])
        for a in accounts
        for _ in range(tasks_each)
    ]
    ids = store.add_api_tasks(batch)
    sched = Scheduler(store, config)
    claim_ms: list[float] = []
    claim = sched.claim

    async def timed_claim(serial: str):
        t = time.perf_counter()
        try:
            return await claim(serial)
        finally:
            claim_ms.append((time.perf_counter() - t) * 1000)

    sched.claim = timed_claim  # type: ignore[method-assign]

    class Session:
        async def save_artifacts(self, folder: Path) -> None:
            pass

        async def alive(self) -> bool:
            return True

    async def open_session(adb_client, serial, limiter=None):
        return Session()

    async def run_task(ctx, session) -> str:
        await ctx.attempt(ctx.script_name)  # the follow, counted before its tap
        await trio.sleep(0.05)  # the tap
        return "followed"

    class Marks:
        def mark(self, *names) -> None:
            pass

    farm = Farm(
        store=store, status=Marks(), config=config, artifacts=folder / "artifacts",
        open_session=open_session, run_task=run_task, make_context=TaskContext,
        scheduler=sched, progress=ProgressBoard(store, Marks()),
    )  # fmt: skip
    held_accounts = {
        a["username"] for a in accounts if a.get("limits", {}).get("follow", {}).get("per_day") == 0
    }
    expected = sum(1 for t in batch if t.username not in held_accounts)
    limiter = trio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(40, config.thread_limit + 8)  # as the engine sizes it
    async with trio.open_nursery() as nursery:
        farm.wakeup.bind()
        for serial in serials:
            nursery.start_soon(farm._worker_main, Worker(serial, trio.CancelScope()), None)
        deadline = start + window + 60
        while time.time() < deadline:
            await trio.sleep(0.5)
            done = store.counts()["completed"]
            if done >= expected:
                break
        nursery.cancel_scope.cancel()
    due_ms, free_ms, held = [], [], 0
    done = sorted(
        (t for t in map(store.get, ids) if t.status == 2), key=lambda t: (t.serial, t.started_at)
    )
    held = sum(1 for t in map(store.get, ids) if t.remark.startswith("waiting: "))
    previous: dict[str, float] = {}
    for task in done:
        due_ms.append((task.started_at - task.start_at) * 1000)
        free = max(task.start_at, previous.get(task.serial, 0.0))  # due, and its phone idle
        free_ms.append((task.started_at - free) * 1000)
        previous[task.serial] = task.ended_at
    store.close()
    return Farmed(label, due_ms, free_ms, claim_ms, held, len(due_ms))


def _seed_history(store, accounts: list[dict], history: int, now: float) -> None:
    """Each account's ``history`` follows earlier today (before the last hour): what every check
    of its follow limits reads."""
    with store._transaction():
        for a in accounts:
            for i in range(history):
                store._db.execute(
                    "INSERT INTO actions(account, kind, at, task_id, run, seq, serial, runner)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (a["username"], "follow", now - 3600 - i * 30, None, None, None,
                     a["serial"], store.runner),
                )  # fmt: skip


async def _claim_cost(
    store_spec: str, folder: Path, phones: int, per_phone: int, history: int, with_limits: bool
) -> tuple[list[float], list[float]]:
    """The claim alone, no concurrency and no thread hop: each phone has one due follow of each
    of its accounts, claimed one after another (``Scheduler.claim`` with ``run_sync`` in place);
    milliseconds per claim that found a task; and the milliseconds of each due task's check
    alone (``Policy.hold``: its rules, its account's history read from the store)."""
    from runner.config import RunnerConfig
    from runner.scheduler import Scheduler
    from tests.stores import claiming_store

    async def direct(fn, *args):
        return fn(*args)

    serials = [f"bench-{p:04d}" for p in range(phones)]
    store = claiming_store(store_spec, folder, phones=serials)
    accounts = safety_accounts(phones, per_phone, with_limits)
    rules = SAFETY_LIMITS if with_limits else {}
    config = RunnerConfig(spool=folder, accounts=accounts, **rules)
    now = time.time()
    _seed_history(store, accounts, history, now)
    store.add_api_tasks([Scheduled(a["serial"], now - 1, username=a["username"]) for a in accounts])
    sched = Scheduler(store, config, run_sync=direct)
    checks = []  # the account-safety check of one due task alone (Policy.hold: rules, history)
    policy, cooling = sched.policy(), store.cool_downs(now)
    for serial in serials:
        for row in store.due_tasks(serial, now, 16):
            t = time.perf_counter()
            policy.hold(store, row, now, cooling)
            checks.append((time.perf_counter() - t) * 1000)
    took = []
    for _ in range(per_phone):
        for serial in serials:
            t = time.perf_counter()
            task = await sched.claim(serial)
            elapsed = (time.perf_counter() - t) * 1000
            if task is not None:
                took.append(elapsed)
                store.end_tasks([task.id], status=2, remark="", now=time.time())
    store.close()
    return took, checks


def safety(args: argparse.Namespace, server: object | None) -> None:
    """Due -> running with ``--accounts`` accounts on ``--phones`` phones, each account with
    limits (and one in ten at its day's limit), beside the same farm without limits, in the
    same run (alternating, a fresh store each)."""
    import trio

    per_phone = max(1, args.accounts // args.phones)
    print(
        f"account safety: {args.phones} phones x {per_phone} accounts, {args.tasks_each} follow(s)"
        f" per account due over {args.window:g} s, {args.history} earlier follows per account"
        f" today; store {args.store}"
    )
    results: dict[str, list[Farmed]] = {"with limits": [], "without limits": []}
    for round_ in range(args.rounds):
        for label in (
            ("without limits", "with limits")
            if round_ % 2 == 0
            else ("with limits", "without limits")
        ):
            with tempfile.TemporaryDirectory() as tmp:
                spec = "sqlite"
                if server is not None:
                    spec = fresh_database(server, f"bench_{round_}_{label.split()[0]}")
                got = trio.run(
                    _safety_run, label, spec, Path(tmp), args.phones, per_phone, args.tasks_each,
                    args.history, args.window, label == "with limits", 11 + round_,
                )  # fmt: skip
                results[label].append(got)
                print(
                    f"    round {round_ + 1} {label}: due -> running p50"
                    f" {pct(got.due_ms, 50):.1f} ms, p99 {pct(got.due_ms, 99):.1f} ms",
                    flush=True,
                )
    for label in ("without limits", "with limits"):
        with tempfile.TemporaryDirectory() as tmp:
            spec = "sqlite"
            if server is not None:
                spec = fresh_database(server, f"bench_claim_{label.split()[0]}")
            took, checks = trio.run(
                _claim_cost, spec, Path(tmp), args.phones, per_phone, args.history,
                label == "with limits",
            )  # fmt: skip
        line(f"  {label}: one claim alone (no other work, no thread hop)", took)
        if label == "with limits":
            line(f"  {label}: one due task's check alone (Policy.hold)", checks)
    for label, runs in results.items():
        due_ms = [v for r in runs for v in r.due_ms]
        claims = [v for r in runs for v in r.claim_ms]
        ran = sum(r.ran for r in runs)
        held = sum(r.held for r in runs)
        line(f"  {label}: due -> running ({ran} ran, {held} held at a limit)", due_ms)
        free_ms = [v for r in runs for v in r.free_ms]
        line(f"  {label}: due with its phone idle -> running", free_ms)
        line(f"  {label}: Scheduler.claim wall time per call", claims)


def fresh_database(server, name: str) -> str:
    """A new empty database on the throw-away PostgreSQL ``server``; its URL."""
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return server.url(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=30)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--tasks-each", type=int, default=2, help="follows per account")
    parser.add_argument("--window", type=float, default=20.0, help="seconds they fall due in")
    parser.add_argument("--history", type=int, default=100, help="earlier follows per account")
    parser.add_argument("--rounds", type=int, default=2, help="runs with and without limits")
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--only", choices=["due", "stops", "safety"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.only in (None, "due", "stops"):
        with tempfile.TemporaryDirectory() as tmp:
            live = LiveRunner(Path(tmp), simulate=2).start()
            try:
                if args.only in (None, "due"):
                    due(live, args.due)
                if args.only in (None, "stops"):
                    stops(live, args.stops, random.Random(7))
            finally:
                live.stop()
    if args.only in (None, "safety"):
        if args.store == "postgresql":
            from tests.pg import throwaway_server

            with throwaway_server() as server:
                safety(args, server)
        else:
            safety(args, None)


if __name__ == "__main__":
    main()
