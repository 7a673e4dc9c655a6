"""Benchmark of task progress reports (prints figures; it does not pass or fail).

``--phones`` running tasks (45) in a real store (``synchronous=FULL``, as ``serve`` runs it),
each reporting every ``--every-ms`` milliseconds (10) for ``--seconds`` (10) of real time through
runner/progress.py's ``ProgressBoard`` (its real writer, trio's worker threads): reports made,
store transactions and row updates (counted on the store's connection), their rate, the
process's CPU per second, the cost of one report call, and how far the stored value lagged the
latest report when sampled. For comparison, the same store writing one transaction per report
(no throttle) for two seconds: how many it manages per second.

Usage: ``python bench/progress.py [--phones 45] [--every-ms 10] [--seconds 10]``
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import trio  # noqa: E402

from runner.intake import NewTask  # noqa: E402
from runner.progress import ProgressBoard  # noqa: E402
from runner.store import Store  # noqa: E402
from runner.store.tasks import ProgressReport  # noqa: E402


def running_tasks(store: Store, phones: int) -> list:
    tasks = []
    for i in range(phones):
        serial = f"sim-{i:04d}"
        store.add_api_tasks(
            [NewTask(serial, None, "account_warmup", {}, job_count=0, start_at=0.0)]
        )
        tasks.append(store.claim_next(serial))
    return tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=45)
    parser.add_argument("--every-ms", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "state.db")
        tasks = running_tasks(store, args.phones)
        updates = [0]

        def hook(sql: str) -> None:
            if sql.lstrip().startswith("UPDATE tasks SET progress_text"):
                updates[0] += 1

        store._db.set_trace_callback(hook)
        board = ProgressBoard(store)
        reports = [0]
        lags: list[float] = []

        async def script(task, report) -> None:
            deadline = trio.current_time() + args.seconds
            i = 0
            while trio.current_time() < deadline:
                report(f"watched {i} videos, {i} of 600 s", i / 1000)
                reports[0] += 1
                i += 1
                await trio.sleep(args.every_ms / 1000)
            await board.close(task)

        async def sampler() -> None:
            while True:
                await trio.sleep(0.37)
                row = await trio.to_thread.run_sync(store.get, tasks[0].id)
                if row.progress_at is not None:
                    lags.append(time.time() - row.progress_at)

        async def run() -> None:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(board.run)
                nursery.start_soon(sampler)
                async with trio.open_nursery() as scripts:
                    for task in tasks:
                        scripts.start_soon(script, task, board.open(task))
                nursery.cancel_scope.cancel()

        cpu0, wall0 = time.process_time(), time.monotonic()
        trio.run(run)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        store._db.set_trace_callback(None)

        # one report call alone (no writer running: memory only)
        spare = running_tasks(store, 1)[0]
        report = ProgressBoard(store).open(spare)
        n = 100_000
        t0 = time.perf_counter()
        for _ in range(n):
            report("watched 12 videos, 240 of 600 s", 0.4)
        per_call = (time.perf_counter() - t0) / n

        # no throttle: one transaction per report, as fast as the store goes
        t0, done = time.monotonic(), 0
        while time.monotonic() - t0 < 2.0:
            store.record_progress([ProgressReport(spare.id, spare.started_at, f"{done}", 0.5, 0.0)])
            done += 1
        unthrottled = done / (time.monotonic() - t0)
        store.close()

    lags.sort()
    print(
        f"{args.phones} phones reporting every {args.every_ms:g} ms for {args.seconds:g} s "
        f"(wall {wall:.1f} s)"
    )
    print(f"  reports made           {reports[0]:>9,}  ({reports[0] / wall:,.0f}/s)")
    print(f"  store transactions     {board.writes:>9,}  ({board.writes / wall:.2f}/s)")
    print(
        f"  row updates            {updates[0]:>9,}  ({updates[0] / wall / args.phones:.2f}/s"
        " per task)"
    )
    print(f"  process CPU            {cpu / wall * 100:>8.1f} %  of one core")
    print(f"  one report call        {per_call * 1e6:>8.2f} us")
    if lags:
        print(
            f"  stored value's age     p50 {lags[len(lags) // 2]:.2f} s, max {lags[-1]:.2f} s"
            f" ({len(lags)} samples)"
        )
    print(
        f"  no throttle, for scale {unthrottled:>9,.0f} transactions/s at most (synchronous=FULL)"
    )


if __name__ == "__main__":
    main()
