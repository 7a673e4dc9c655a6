"""A task held back by account safety (a limit, working hours, a cool-down: status 0 with
``tasks.wait_until``) runs at its time with nothing else happening: the phone's device worker
(runner/workers.py, the real loop) sleeps until the earliest hold's end, on a real store of either
engine and trio's MockClock (the day turns without sleeping, every instant exact). Nothing in these
tests calls ``notify``: only the worker's own timer can start the held task."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from runner.config import RunnerConfig
from runner.intake import IntakeContext, plan_manifest
from runner.progress import ProgressBoard
from runner.scheduler import Scheduler
from runner.scripts.context import TaskContext
from runner.spool import IntakeItem
from runner.store import Store, TaskStatus
from runner.workers import Farm, Worker
from tests.stores import claiming_store
from tests.test_limits import BASE, MIDNIGHT, S1, NewTask, accounts, direct, fake_clock

DAY = 86400.0


class Ran(list):
    """``(task id, epoch seconds)`` of each task that did its action, and an event set at each."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = trio.Event()

    def add(self, task_id: int, at: float) -> None:
        self.append((task_id, at))
        self.changed.set()


class Marks:
    """A status writer that only remembers which manifests it was told about."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def mark(self, *names: str | None) -> None:
        self.names.update(n for n in names if n)


class Session:
    """A phone's device session, as far as the worker uses one here."""

    async def save_artifacts(self, folder: Path) -> None:
        pass

    async def alive(self) -> bool:
        return True


def farm_of(store_url: str, tmp_path: Path, **config: Any) -> tuple[Farm, Store, Ran]:
    """The real device-worker supervisor over a real store, its scheduler on the fake clock; the
    phone's 'script' counts its script's one action (``ctx.attempt``) and records when it ran:
    :class:`Ran` returned gets ``(task id, epoch seconds)`` per task that did its action."""
    store = claiming_store(store_url, tmp_path)
    cfg = RunnerConfig(spool=tmp_path, timezone="UTC", **config)
    status = Marks()
    sched = Scheduler(
        store, cfg, status=status, clock=fake_clock, rng=random.Random(1), run_sync=direct
    )
    ran = Ran()

    async def open_session(adb_client: Any, serial: str, limiter: Any = None) -> Session:
        return Session()

    async def run_task(ctx: TaskContext, session: Session) -> str:
        await ctx.attempt(ctx.script_name)  # at a limit: LimitReached, the task waits
        ran.add(ctx.task_id, fake_clock())
        await trio.sleep(1)  # the tap and its check
        return "done"

    farm = Farm(
        store=store,
        status=status,
        config=cfg,
        artifacts=tmp_path / "artifacts",
        open_session=open_session,
        run_task=run_task,
        make_context=TaskContext,
        scheduler=sched,
        progress=ProgressBoard(store, status, clock=fake_clock, run_sync=direct),
    )
    return farm, store, ran


async def worker_until(farm: Farm, ran: Ran, count: int, within: float) -> None:
    """Run the phone's device worker until ``count`` tasks did their action and ended (or
    ``within`` fake seconds went by), then stop it. Nothing else wakes the worker meanwhile."""
    async with trio.open_nursery() as nursery:
        nursery.start_soon(farm._worker_main, Worker(S1, trio.CancelScope()), None)
        with trio.move_on_after(within):
            while len(ran) < count:
                ran.changed = trio.Event()
                await ran.changed.wait()
            await trio.sleep(2)  # its tap and its end (a timer of this test's: wakes no one)
        nursery.cancel_scope.cancel()


def run(fn: Any) -> None:
    trio.run(fn, clock=trio.testing.MockClock(autojump_threshold=0))


def test_the_third_follow_runs_at_midnight_by_the_workers_own_timer(store_url, tmp_path):
    farm, store, ran = farm_of(
        store_url, tmp_path, limits={"follow": {"per_day": 2}}, accounts=accounts("alice")
    )

    async def main() -> None:
        farm.wakeup.bind()
        ids = store.add_api_tasks([NewTask(S1, "alice") for _ in range(3)])
        await worker_until(farm, ran, 3, 2 * DAY)
        assert [t for t, _ in ran] == ids
        assert ran[2][1] == MIDNIGHT  # to the second, with nothing else happening
        assert [store.get(i).status for i in ids] == [TaskStatus.COMPLETED] * 3

    run(main)


@pytest.mark.parametrize(
    ("rules", "tasks", "hold_end"),
    [
        ({"limits": {"follow": {"min_gap": 90}}}, 2, BASE + 90),
        ({"working_hours": ["09:00-10:00"]}, 1, BASE + 3600),
        ({}, 1, BASE + 7200),  # alice cools down for 2 h (below)
    ],
    ids=["min_gap", "working_hours", "cooldown"],
)
def test_a_held_task_runs_when_its_hold_ends(store_url, tmp_path, rules, tasks, hold_end):
    farm, store, ran = farm_of(store_url, tmp_path, accounts=accounts("alice"), **rules)

    async def main() -> None:
        farm.wakeup.bind()
        if not rules:
            store.cool_down("alice", BASE + 7200, "Try again later", now=BASE)
        ids = store.add_api_tasks([NewTask(S1, "alice") for _ in range(tasks)])
        await worker_until(farm, ran, tasks, 2 * DAY)
        assert ran[-1] == (ids[-1], hold_end)
        assert store.get(ids[-1]).status == TaskStatus.COMPLETED

    run(main)


def workflow(store: Store) -> list[Any]:
    """A workflow of two follow steps on the phone (units: the phone, whose account is alice's):
    step 2 waits for step 1 (design.md, "Workflow step order")."""
    steps = [
        {"name": n, "script_name": "follow", "script_config": {"target_user": t}}
        for n, t in (("first", "a"), ("second", "b"))
    ]
    doc = {"apiVersion": "tikrunner/v1", "kind": "Workflow", "metadata": {"name": "wf"},
           "spec": {"serials": [S1], "on_failure": "stop", "steps": steps}}  # fmt: skip
    ctx = IntakeContext(accounts=[], rng=random.Random(1))
    plan = plan_manifest(json.dumps(doc).encode(), filename="wf.json", ctx=ctx)
    store.take_in([IntakeItem(Path("wf.json"), "wf.json", "x", "wf.json", plan)])
    return store.tasks_of_manifest("wf")


def test_a_held_workflow_step_runs_at_its_time_though_a_later_step_waits_behind_it(
    store_url, tmp_path
):
    """Step 2 is due and blocked behind step 1, which a limit holds until midnight: the worker
    must not wait for an event only (step 2 can never bring one): it wakes when step 1 may run."""
    farm, store, ran = farm_of(
        store_url, tmp_path, limits={"follow": {"per_day": 1}}, accounts=accounts("alice")
    )

    async def main() -> None:
        farm.wakeup.bind()
        [today] = store.add_api_tasks([NewTask(S1, "alice")])  # alice's one follow of the day
        await worker_until(farm, ran, 1, 60)
        first, second = workflow(store)  # a new worker looks at the store once, at its start
        await worker_until(farm, ran, 3, 3 * DAY)
        assert [t for t, _ in ran] == [today, first.id, second.id]
        assert ran[1][1] == MIDNIGHT  # step 1, at its time
        assert ran[2][1] == MIDNIGHT + DAY  # step 2 after it: the next day's follow
        assert store.get(second.id).status == TaskStatus.COMPLETED

    run(main)
