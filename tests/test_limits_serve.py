"""Account safety through the real parts: a warm-up on a simulated phone that reaches its like
limit (ground truth), one that ends at the end of working hours, and counts that survive a
SIGKILL of ``tikrunner serve`` (a subprocess) with nothing counted twice."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from pathlib import Path

import pytest
import trio

from runner.config import RunnerConfig
from runner.limits import AccountGuard, Policy
from runner.sim import SimFarm
from runner.store import Store
from tests.scripts.harness import account_truth, context_of, plan, run_contexts
from tests.serving import Runner

S1 = "sim-0001"
U1 = "sim_user_1"


def guarded(ctx, store: Store, config: RunnerConfig, clock=time.time):
    """``ctx`` counting its actions in ``store`` under ``config``'s rules, as a worker's would."""
    policy = Policy(config)
    guard = AccountGuard(
        store=store,
        policy=policy,
        subject=policy.subject(ctx.username, ctx.serial),
        task_id=ctx.task_id,
        run=1.0,
        clock=clock,
        run_sync=trio.to_thread.run_sync,
        log=ctx.log,
    )
    return dataclasses.replace(ctx, actions=guard)


def _warmup(**config) -> dict:
    body = {"task_duration": 3, "min_duration": 0.2, "max_duration": 0.3, **config}
    return {"serials": [S1], "script_name": "account_warmup", "script_config": body}


def test_a_warmup_at_its_like_limit_keeps_watching_and_likes_no_more(tmp_path):
    farm = SimFarm(1, seed=52)
    store = Store(tmp_path / "state.db")
    config = RunnerConfig(
        timezone="UTC", limits={"like": {"per_day": 2}}, accounts=list(farm.accounts)
    )
    [task] = plan(_warmup(like_probable=100), farm.accounts)
    ctx = guarded(context_of(task), store, config)
    [remark] = run_contexts(farm, [ctx]).values()
    truth = account_truth(farm, S1, U1)
    assert len(truth["likes"]) == 2  # what the simulated TikTok saw
    assert len(truth["watched"]) > 3  # and it went on watching
    assert "2 liked" in remark and "likes over the limit skipped" in remark, remark
    assert store.action_counts(0, 0)[(U1, "like")][1] == 2


def test_a_warmup_ends_at_the_end_of_working_hours_with_a_remark(tmp_path):
    farm = SimFarm(1, seed=53)
    store = Store(tmp_path / "state.db")
    config = RunnerConfig(
        timezone="UTC", working_hours=["08:00-12:00"], accounts=list(farm.accounts)
    )
    end = 1_800_014_400.0  # 2027-01-15 12:00 UTC
    t0 = time.time()
    [task] = plan(_warmup(task_duration=30), farm.accounts)
    ctx = guarded(context_of(task), store, config, clock=lambda: end - 1.5 + time.time() - t0)
    started = time.monotonic()
    [remark] = run_contexts(farm, [ctx]).values()
    assert time.monotonic() - started < 15
    assert remark.endswith("; stopped at the end of working hours"), remark


@pytest.fixture
def farm():
    farm = SimFarm(1, seed=3)
    with farm.running(host="127.0.0.1", port=0) as (host, port):
        farm.address = f"{host}:{port}"
        yield farm


def _actions(spool: Path) -> list[tuple]:
    with sqlite3.connect(spool / "state.db") as db:
        return db.execute("SELECT account, kind, task_id FROM actions ORDER BY id").fetchall()


def test_counts_survive_a_sigkill_and_restart_and_nothing_is_counted_twice(tmp_path, farm):
    accounts = [a.model_dump(mode="json") for a in farm.accounts]
    runner = Runner(tmp_path, farm.address, accounts, limits={"follow": {"per_day": 2}})
    body = {"serials": [S1], "script_name": "follow",
            "script_config": {"target_users": ["a1", "a2", "a3"]}}  # fmt: skip

    def third_waits() -> dict | None:
        status = runner.status("three")
        if not status or len(status["tasks"]) != 3:
            return None
        done = [t for t in status["tasks"] if t["status"] == 2]
        waiting = [t for t in status["tasks"] if t["remark"].startswith("waiting: ")]
        return status if len(done) == 2 and len(waiting) == 1 else None

    runner.start()
    try:
        runner.drop("three.json", body)
        status = runner.wait(third_waits, 60, "two follows done, the third waiting")
        runner.kill()
        counted = _actions(runner.spool)
        assert [(a, k) for a, k, _ in counted] == [(U1, "follow")] * 2
        runner.start()
        runner.wait(lambda: "serving" in runner.log(), 30, "the restart")
        again = runner.wait(third_waits, 30, "the third still waiting after the restart")
    finally:
        runner.stop()
    [held] = [t for t in again["tasks"] if t["status"] == 0]
    assert held["remark"].startswith(f"waiting: follow limit 2/day for @{U1}; next at ")
    assert _actions(runner.spool) == counted  # nothing counted twice, nothing lost
    truth = farm.ground_truth()[S1]["accounts"][U1]
    assert len(truth["following"]) == 2, truth.get("following")
    assert status["tasks"][2]["status"] == 0
