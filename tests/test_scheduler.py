"""The scheduler's rules on a real store, with a fake clock: trio's MockClock jumps time forward
whenever every task waits, and the scheduler's epoch clock is derived from it, so waits of
minutes take no real time and every instant is exact."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import trio
import trio.testing

from runner.config import RetryPolicy, RunnerConfig
from runner.errors import TaskFailed
from runner.http.taskops import TaskOperations
from runner.scheduler import Scheduler, bench_seconds, retry_wait
from runner.status import StatusWriter
from runner.store import Store, TaskStatus
from tests.stores import claiming_store

BASE = 1_800_000_000.0  # the fake clock's epoch at trio time 0


@dataclass
class NewTask:
    serial: str
    start_at: float
    script_name: str = "follow"
    script_config: dict = field(default_factory=lambda: {"target_users": ["x"]})
    username: str | None = None
    job_count: int = 0


class Counting:
    """The real store, counting how often each method is called (to see polling)."""

    def __init__(self, store: Store):
        self.store = store
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.store, name)
        if not callable(value):
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return value(*args, **kwargs)

        return counted


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


def fake_clock() -> float:
    return BASE + trio.current_time()


def make(store_url: str, tmp_path: Path, **config: Any) -> tuple[Scheduler, Store]:
    """A scheduler on a real store (``store_url``: what ``store:`` takes) and its store."""
    store = claiming_store(store_url, tmp_path)
    cfg = RunnerConfig(spool=tmp_path, device_wait=60, **config)
    sched = Scheduler(store, cfg, clock=fake_clock, rng=random.Random(3), run_sync=direct)
    return sched, store


def run(fn: Any) -> None:
    trio.run(fn, clock=trio.testing.MockClock(autojump_threshold=0))


def safe(remark: str = "follow: open profile: no profile") -> TaskFailed:
    return TaskFailed(remark, retry_safe=True)


# -- pure rules ----------------------------------------------------------------------------------


def test_retry_waits_only_for_safe_failures_within_the_policy():
    rng = random.Random(1)
    on = RetryPolicy(max_retry_count=2, min_wait=5, max_wait=60)
    assert retry_wait(RetryPolicy(), 0, safe(), rng) is None  # off by default
    assert retry_wait(on, 0, None, rng) is None  # stopped, interrupted, skipped, absent
    assert retry_wait(on, 0, TaskFailed("tapped Follow, not seen", retry_safe=False), rng) is None
    assert retry_wait(on, 0, TaskFailed("no idea"), rng) is None  # unknown is not safe
    assert retry_wait(on, 2, safe(), rng) is None  # retried twice already
    waits = [retry_wait(on, n % 2, safe(), rng) for n in range(200)]
    assert all(5 <= w <= 60 for w in waits) and max(waits) - min(waits) > 30


def test_a_benched_phone_waits_longer_after_each_failure_up_to_five_minutes():
    assert [bench_seconds(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]


# -- retries and the step policy through the one end-of-task function ------------------------


def test_a_safe_failure_is_retried_after_a_random_wait_until_the_count_is_used(store_url, tmp_path):
    sched, store = make(
        store_url, tmp_path, retry={"max_retry_count": 2, "min_wait": 5, "max_wait": 60}
    )

    async def main() -> None:
        [task_id] = store.add_api_tasks([NewTask("sim-0001", BASE)])
        for attempt in range(3):
            now = fake_clock()
            task = store.claim_next("sim-0001", now + 61)
            assert task is not None and task.retry_count == attempt
            ended = await sched.end(
                task_id, TaskStatus.FAILED, "no profile", failure=safe(), retry_count=attempt
            )
            after = store.get(task_id)
            if attempt < 2:
                assert ended.retry_at is not None and 5 <= ended.retry_at - now <= 60
                assert after.status == TaskStatus.PENDING and after.retry_count == attempt + 1
                assert after.start_at == ended.retry_at
                assert after.remark == f"retry {attempt + 1} of 2 after: no profile"
            else:
                assert ended.retry_at is None
                assert (after.status, after.remark) == (TaskStatus.FAILED, "no profile")

    run(main)


@pytest.mark.parametrize(
    "failure",
    [None, TaskFailed("tapped Follow", retry_safe=False), TaskFailed("unknown")],
    ids=["stopped-or-interrupted", "unsafe", "unknown"],
)
def test_other_endings_are_never_retried(store_url, tmp_path, failure):
    sched, store = make(store_url, tmp_path, retry={"max_retry_count": 3})

    async def main() -> None:
        [task_id] = store.add_api_tasks([NewTask("sim-0001", BASE)])
        store.claim_next("sim-0001", BASE + 1)
        ended = await sched.end(task_id, TaskStatus.FAILED, "stopped", failure=failure)
        assert ended.ended == [task_id] and ended.retry_at is None
        assert store.get(task_id).status == TaskStatus.FAILED

    run(main)


def two_steps(name: str = "wf", on_failure: str = "stop") -> dict:
    """A workflow of two follow steps, ``warm`` then ``then``, on sim-0001."""
    steps = [
        {"name": n, "script_name": "follow", "script_config": {"target_user": t}}
        for n, t in (("warm", "a"), ("then", "b"))
    ]
    spec = {"serials": ["sim-0001"], "on_failure": on_failure, "steps": steps}
    return {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": name},
        "spec": spec,
    }


def workflow_tasks(store: Store, on_failure: str) -> list[Any]:
    from runner.intake import IntakeContext, plan_manifest
    from runner.spool import IntakeItem

    doc = two_steps("wf", on_failure)
    ctx = IntakeContext(accounts=[], rng=random.Random(1))
    plan = plan_manifest(json.dumps(doc).encode(), filename="wf.json", ctx=ctx)
    store.take_in([IntakeItem(Path("wf.json"), "wf.json", "x", "wf.json", plan)])
    return store.tasks_of_manifest("wf")


@pytest.mark.parametrize("how", ["stopped pending", "stopped running", "deleted", "crash"])
def test_on_failure_stop_skips_step_two_however_step_one_ended(store_url, tmp_path, how):
    sched, store = make(store_url, tmp_path)

    async def main() -> None:
        first, second = workflow_tasks(store, "stop")
        if how != "stopped pending":
            assert store.claim_next("sim-0001", first.start_at + 1).id == first.id
        if how == "stopped pending":
            await sched.end(first.id, TaskStatus.FAILED, "stopped", expect=(TaskStatus.PENDING,))
        elif how == "stopped running":
            await sched.end(first.id, TaskStatus.FAILED, "stopped")
        elif how == "deleted":
            await sched.end(
                [first.id], TaskStatus.FAILED, "", expect=tuple(TaskStatus), delete=True
            )
        else:
            store.close()
            reopened = claiming_store(store_url, tmp_path)
            sched.store = reopened
            await sched.recover_after_crash()
        now = sched.store.get(second.id)
        why = "was deleted" if how == "deleted" else "failed"
        assert (now.status, now.remark) == (TaskStatus.FAILED, f"skipped: step 'warm' {why}")
        assert sched.store.claim_next("sim-0001", first.start_at + 1) is None

    run(main)


def test_on_failure_continue_lets_step_two_run_after_step_one_is_deleted(store_url, tmp_path):
    sched, store = make(store_url, tmp_path)

    async def main() -> None:
        first, second = workflow_tasks(store, "continue")
        await sched.end([first.id], TaskStatus.FAILED, "", expect=tuple(TaskStatus), delete=True)
        assert store.claim_next("sim-0001", first.start_at + 1).id == second.id

    run(main)


# -- waking workers: events and due times, no polling -------------------------------------------


def test_a_create_over_http_wakes_the_workers_of_its_phones_only(store_url, tmp_path):
    # with 150 idle phones, waking them all made each ask the store for work before the one
    # concerned could claim its task (bench/farm.py: claim p50 29 ms, against 3 ms from another
    # runner, whose NOTIFY names the phones)
    sched, store = make(store_url, tmp_path)
    ops = TaskOperations(
        store=store,
        status=StatusWriter(store, tmp_path / "status", UTC),
        config=sched.config,
        farm=SimpleNamespace(scheduler=sched),
    )
    body = {
        "serials": ["sim-0001"],
        "script_name": "follow",
        "script_config": {"target_users": ["x"]},
    }

    async def main() -> None:
        sched.bind()
        concerned, other = sched.changed("sim-0001"), sched.changed("sim-0002")
        await ops.create(json.dumps(body).encode())
        await trio.testing.wait_all_tasks_blocked()
        assert concerned.is_set()
        assert not other.is_set()

    run(main)


def test_a_worker_wakes_at_the_due_time_and_on_notify_without_polling(store_url, tmp_path):
    sched, store = make(store_url, tmp_path)
    counting = Counting(store)
    sched.store = counting

    async def main() -> None:
        sched.bind()
        [task_id] = store.add_api_tasks([NewTask("sim-0001", BASE + 3600)])
        event = sched.changed("sim-0001")
        assert not await sched.due("sim-0001")
        await sched.wait_for_work("sim-0001", event)
        assert trio.current_time() == 3600  # the due time, exactly
        assert await sched.due("sim-0001")
        assert counting.calls["next_start"] == 3  # one look per wake-up: nothing polled

        store.claim_next("sim-0001", fake_clock())
        await sched.end(task_id, TaskStatus.COMPLETED, "")
        await trio.testing.wait_all_tasks_blocked()  # the end's own wake-up has landed
        event = sched.changed("sim-0001")  # idle: nothing pending
        with trio.move_on_after(86400) as idle:
            await sched.wait_for_work("sim-0001", event)
        assert idle.cancelled_caught  # a day without work: not woken once
        assert counting.calls["next_start"] == 4

        event = sched.changed("sim-0001")
        async with trio.open_nursery() as nursery:
            nursery.start_soon(sched.wait_for_work, "sim-0001", event)
            await trio.sleep(10)
            started = trio.current_time()
            store.add_api_tasks([NewTask("sim-0001", fake_clock())])
            sched.notify(["sim-0002"])  # another phone's news does not wake this one
            await trio.sleep(1)
            sched.notify(["sim-0001"])
        assert trio.current_time() == started + 1

    run(main)


def test_a_step_waiting_for_its_earlier_step_waits_for_an_event_not_a_loop(store_url, tmp_path):
    sched, store = make(store_url, tmp_path)

    async def main() -> None:
        sched.bind()
        first, second = workflow_tasks(store, "stop")
        # step 1 runs somewhere (a previous runner's claim): step 2 is due but may not start
        store.claim_next("sim-0001", first.start_at + 1)
        event = sched.changed("sim-0001")
        assert store.claim_next("sim-0001", fake_clock() + 1e9) is None
        async with trio.open_nursery() as nursery:
            nursery.start_soon(sched.wait_for_work, "sim-0001", event, True)
            await trio.sleep(600)
            ended_at = trio.current_time()
            await sched.end(first.id, TaskStatus.COMPLETED, "")  # wakes the phone's worker
        assert trio.current_time() == ended_at
        assert store.claim_next("sim-0001", fake_clock() + 1e9).id == second.id

    run(main)


# -- device limit and back-off ---------------------------------------------------------------


def test_no_more_than_device_limit_phones_hold_a_slot_first_come_first_served(store_url, tmp_path):
    sched, _ = make(store_url, tmp_path, device_limit=2)
    order: list[tuple[str, float]] = []

    async def phone(serial: str, delay: float) -> None:
        await trio.sleep(delay)
        async with sched.slot(serial):
            order.append((serial, trio.current_time()))
            assert sched.slots_in_use() <= 2
            await trio.sleep(10)

    async def main() -> None:
        sched.bind()
        async with trio.open_nursery() as nursery:
            for i, serial in enumerate(["a", "b", "c", "d"]):
                nursery.start_soon(phone, serial, i * 0.1)

    run(main)
    assert order == [("a", 0), ("b", 0.1), ("c", 10), ("d", 10.1)]


def test_a_benched_phone_is_shown_and_logged_and_released_after_its_back_off(
    store_url, tmp_path, caplog
):
    sched, _ = make(store_url, tmp_path)

    async def main() -> None:
        sched.bind()
        with caplog.at_level(logging.WARNING, logger="runner.scheduler"):
            for wait in (5, 10, 20):
                start = trio.current_time()
                bench = sched.bench("sim-0001", "uiautomator server on sim-0001 would not start")
                info = sched.device_info("sim-0001")["benched"]
                assert info["failures"] == bench.failures and info["until"] == fake_clock() + wait
                await sched.wait_off_bench("sim-0001")
                assert trio.current_time() - start == wait
        assert "device sim-0001 benched for 20 s (failure 3 in a row)" in caplog.text
        sched.healthy("sim-0001")
        assert sched.device_info("sim-0001")["benched"] is None
        assert sched.bench("sim-0001", "again").until - fake_clock() == 5  # the count restarts

    run(main)


# -- phones that are away ------------------------------------------------------------------


def test_tasks_of_an_absent_phone_fail_after_device_wait_and_both_ends_are_logged(
    store_url, tmp_path, caplog
):
    sched, store = make(store_url, tmp_path)  # device_wait 60 s

    async def main() -> None:
        sched.bind()
        gone = store.add_api_tasks([NewTask("R58M-NOWHERE", BASE), NewTask("R58M-NOWHERE", BASE)])
        later = store.add_api_tasks([NewTask("R58M-NOWHERE", BASE + 100)])
        [here] = store.add_api_tasks([NewTask("sim-0001", BASE)])
        sched.device_up("sim-0001")
        with caplog.at_level(logging.INFO, logger="runner.scheduler"):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(sched.watch_absent)
                await trio.sleep(59.9)
                assert {store.get(i).status for i in gone} == {TaskStatus.PENDING}
                await trio.sleep(0.2)
                assert [store.get(i).remark for i in gone] == [
                    "device R58M-NOWHERE not connected for 60 s"
                ] * 2
                assert store.get(later[0]).status == TaskStatus.PENDING
                await trio.sleep(100)
                assert store.get(later[0]).status == TaskStatus.FAILED
                assert store.get(here).status == TaskStatus.PENDING  # its phone is here
                nursery.cancel_scope.cancel()
        text = caplog.text
        assert text.count("which no adb server reports") == 1
        assert "3 pending task(s) for device R58M-NOWHERE, which no adb server reports" in text
        assert f"tasks {gone[0]}, {gone[1]}: failed, device R58M-NOWHERE not connected" in text

    run(main)


def test_a_phone_that_left_gets_device_wait_from_when_it_left(store_url, tmp_path):
    sched, store = make(store_url, tmp_path)

    async def main() -> None:
        sched.bind()
        [task_id] = store.add_api_tasks([NewTask("sim-0002", BASE)])
        sched.device_up("sim-0002")
        async with trio.open_nursery() as nursery:
            nursery.start_soon(sched.watch_absent)
            await trio.sleep(500)
            sched.device_down("sim-0002")
            await trio.sleep(59)
            assert store.get(task_id).status == TaskStatus.PENDING
            await trio.sleep(2)
            assert store.get(task_id).status == TaskStatus.FAILED
            nursery.cancel_scope.cancel()

    run(main)
