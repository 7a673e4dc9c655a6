"""Account safety (issue 14): limits per account and action, working hours and cool-downs, on a
real store of either engine with a fake clock (trio's MockClock: the day turns without sleeping)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st

from runner.config import Account, RunnerConfig
from runner.errors import LimitReached
from runner.limits import ActionLimit, Policy, parse_duration, parse_range
from runner.scheduler import Scheduler
from runner.store import Store, TaskStatus
from tests.stores import claiming_store

BASE = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC, the fake clock at trio time 0
MIDNIGHT = 1_800_057_600.0  # 2027-01-16 00:00:00 UTC
S1 = "sim-0001"


@dataclass
class NewTask:
    serial: str
    username: str | None
    script_name: str = "follow"
    start_at: float = BASE
    script_config: dict = field(default_factory=lambda: {"target_users": ["x"]})
    job_count: int = 0


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


def fake_clock() -> float:
    return BASE + trio.current_time()


def run(fn: Any) -> None:
    trio.run(fn, clock=trio.testing.MockClock(autojump_threshold=0))


def accounts(*names: str, **extra: Any) -> list[dict]:
    return [{"username": n, "serial": S1, **extra} for n in names]


def make(store_url: str, tmp_path: Path, **config: Any) -> tuple[Scheduler, Store]:
    store = claiming_store(store_url, tmp_path)
    cfg = RunnerConfig(spool=tmp_path, timezone="UTC", **config)
    return Scheduler(store, cfg, clock=fake_clock, rng=random.Random(1), run_sync=direct), store


async def run_one(sched: Scheduler, store: Store, before: float = 0.0, after: float = 0.0) -> Any:
    """What a device worker does with one claimed task: the script counts its one action
    ``before`` seconds after the claim, taps for ``after`` seconds, and the task ends (or waits
    when the action is refused)."""
    task = await sched.claim(S1)
    if task is None:
        return None
    await trio.sleep(before)
    guard = sched.guard(task)
    try:
        await guard.attempt(task.script_name)
    except LimitReached as e:
        await sched.end(task.id, TaskStatus.PENDING, f"waiting: {e.remark}", wait_until=e.until)
        return task
    await trio.sleep(after)
    await sched.end(task.id, TaskStatus.COMPLETED, "")
    return task


def test_the_third_follow_over_per_day_waits_with_its_remark_and_runs_after_midnight(
    store_url, tmp_path
):
    sched, store = make(
        store_url, tmp_path, limits={"follow": {"per_day": 2}}, accounts=accounts("alice")
    )

    async def main() -> None:
        ids = store.add_api_tasks([NewTask(S1, "alice") for _ in range(3)])
        assert [(await run_one(sched, store)).id for _ in range(2)] == ids[:2]
        assert await sched.claim(S1) is None
        third = store.get(ids[2])
        assert third.status == TaskStatus.PENDING
        assert third.remark == "waiting: follow limit 2/day for @alice; next at 2027-01-16 00:00"
        assert await sched.claim(S1) is None  # held: looked at once, not on every pass
        await sched.wait_for_work(S1, sched.changed(S1))  # wakes when the day turns
        assert fake_clock() == MIDNIGHT
        task = await run_one(sched, store)
        assert task is not None and task.id == ids[2]
        assert store.get(ids[2]).status == TaskStatus.COMPLETED
        assert store.action_counts(MIDNIGHT - 3600, MIDNIGHT)[("alice", "follow")][1] == 1

    run(main)


def test_min_gap_holds_one_accounts_follows_to_the_second_while_another_account_uses_the_phone(
    store_url, tmp_path
):
    sched, store = make(
        store_url,
        tmp_path,
        limits={"follow": {"min_gap": 20}},
        accounts=accounts("alice", "bob"),
    )

    async def main() -> None:
        store.add_api_tasks([NewTask(S1, u) for u in ("alice", "alice", "bob", "bob")])
        ran: list[tuple[str, float]] = []
        while len(ran) < 4:
            event = sched.changed(S1)
            task = await run_one(sched, store, before=0.0, after=3.0)
            if task is None:
                await sched.wait_for_work(S1, event)
                continue
            ran.append((task.username, task.started_at))
        order = [u for u, _ in ran]
        assert order == ["alice", "bob", "alice", "bob"]  # bob used the phone in between
        alice = [t for u, t in ran if u == "alice"]
        bob = [t for u, t in ran if u == "bob"]
        assert alice[1] - alice[0] == 20 and bob[1] - bob[0] == 20  # to the second

    run(main)


def test_a_cooling_account_waits_until_the_end_with_the_reason_and_others_run(store_url, tmp_path):
    sched, store = make(store_url, tmp_path, accounts=accounts("alice", "bob"))

    async def main() -> None:
        a, b = store.add_api_tasks([NewTask(S1, "alice"), NewTask(S1, "bob")])
        store.cool_down("alice", BASE + 6 * 3600, "You're following too fast", now=BASE)
        assert (await run_one(sched, store)).id == b
        remark = store.get(a).remark
        assert remark == (
            "waiting: @alice cooling down (You're following too fast); next at 2027-01-15 14:00"
        )
        assert store.cool_downs(BASE)["alice"].until == BASE + 6 * 3600
        await sched.wait_for_work(S1, sched.changed(S1))
        assert fake_clock() == BASE + 6 * 3600
        assert (await run_one(sched, store)).id == a

    run(main)


def test_tasks_outside_working_hours_wait_for_the_next_window(store_url, tmp_path):
    sched, store = make(
        store_url,
        tmp_path,
        working_hours=["09:00-10:00"],
        accounts=accounts("alice") + [{"username": "night", "serial": S1,
                                       "working_hours": ["07:00-08:30"]}],
    )  # fmt: skip

    async def main() -> None:
        a, n = store.add_api_tasks([NewTask(S1, "alice"), NewTask(S1, "night")])
        assert (await run_one(sched, store)).id == n  # its own hours allow 08:00
        assert store.get(a).remark == (
            "waiting: outside working hours 09:00-10:00 for @alice; next at 2027-01-15 09:00"
        )
        await sched.wait_for_work(S1, sched.changed(S1))
        assert fake_clock() == BASE + 3600
        assert (await run_one(sched, store)).id == a

    run(main)


def test_a_count_is_stored_once_per_attempt_and_refusals_count_nothing(store_url, tmp_path):
    sched, store = make(
        store_url, tmp_path, limits={"like": {"per_hour": 1}}, accounts=accounts("alice")
    )

    async def main() -> None:
        [tid] = store.add_api_tasks([NewTask(S1, "alice", script_name="account_warmup")])
        task = await sched.claim(S1)
        assert task.id == tid
        guard = sched.guard(task)
        assert await guard.attempt("like", raise_on_limit=False)
        assert not await guard.attempt("like", raise_on_limit=False)
        with pytest.raises(LimitReached) as refused:
            await guard.attempt("like")
        assert refused.value.until == BASE + 3600
        assert "like limit 1/hour for @alice" in refused.value.remark
        # the same attempt again (a retried store call): found, not counted twice
        again = store.attempt_action(
            "alice", "like", now=BASE, since=0, check=lambda h, now: None,
            task_id=tid, run=task.started_at, seq=1,
        )  # fmt: skip
        assert again is None
        assert store.action_counts(BASE - 3600, BASE - 3600)[("alice", "like")][:2] == (1, 1)

    run(main)


# -- the rules ----------------------------------------------------------------------------------


def test_the_most_specific_rule_wins_and_between_two_tags_the_stricter_field_by_field():
    config = RunnerConfig(
        limits={"follow": {"per_hour": 30, "per_day": 150, "min_gap": 20}},
        limits_by_tag={
            "new": {"follow": {"per_day": 20, "min_gap": 60}},
            "risky": {"follow": {"per_day": 10, "min_gap": 30, "per_hour": 40}},
        },
        accounts=[
            Account(username="alice", serial="A", tags=["new", "risky"]),
            Account(username="bob", serial="B", tags=["new"], limits={"follow": {"per_day": 50}}),
            Account(username="carol", serial="C"),
        ],
    )
    policy = Policy(config)

    def limit(name: str) -> ActionLimit | None:
        return policy.limit(policy.subject(name, None), "follow")

    # a tag's field wins over the default's, even when looser (per_hour 40 over 30)
    assert limit("alice") == ActionLimit(per_hour=40, per_day=10, min_gap=60)
    assert limit("bob") == ActionLimit(per_hour=30, per_day=50, min_gap=60)
    assert limit("carol") == ActionLimit(per_hour=30, per_day=150, min_gap=20)
    assert policy.limit(policy.subject("carol", None), "like") is None
    # a task by serial counts against the one account the phone is bound to
    assert policy.subject(None, "C").key == "carol"
    assert policy.subject(None, "Z").shown == "device Z"


def test_an_accounts_own_rule_overrides_only_the_fields_it_sets(store_url, tmp_path):
    """alice's own follow rule sets only per_day: her per_hour still comes from the default and
    her min_gap from her tag (field by field, most specific first); a rule never lifts a field
    the less specific ones set."""
    sched, store = make(
        store_url,
        tmp_path,
        limits={"follow": {"per_hour": 2, "per_day": 150}},
        limits_by_tag={"new": {"follow": {"min_gap": 60}}},
        accounts=[{"username": "alice", "serial": S1, "tags": ["new"],
                   "limits": {"follow": {"per_day": 20}}}],
    )  # fmt: skip
    policy = sched.policy()
    assert policy.limit(policy.subject("alice", S1), "follow") == ActionLimit(
        per_hour=2, per_day=20, min_gap=60
    )

    async def main() -> None:
        ids = store.add_api_tasks([NewTask(S1, "alice") for _ in range(3)])
        ran = []
        while len(ran) < 3:
            event = sched.changed(S1)
            task = await run_one(sched, store, after=1.0)
            if task is None:
                await sched.wait_for_work(S1, event)
            elif store.get(task.id).status == TaskStatus.COMPLETED:
                ran.append(task.started_at - BASE)
                if len(ran) == 2:
                    assert await sched.claim(S1) is None
                    assert store.get(ids[2]).remark == (
                        "waiting: follow limit 2/hour for @alice; next at 2027-01-15 09:00"
                    )
        assert ran == [0, 60, 3600]  # the tag's min_gap, then the default's per_hour

    run(main)


@given(st.integers(0, 10**6), st.sampled_from(["s", "m", "h", "d"]))
def test_durations_in_any_unit(n, unit):
    assert parse_duration(f"{n}{unit}") == n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def test_durations_and_time_ranges_refuse_what_they_cannot_read():
    assert parse_duration("1h30m") == 5400 and parse_duration(90) == 90
    for bad in ("6 hours", "-5", "h", -1, True):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert parse_range("22:00-02:00") == (1320, 120) and parse_range("00:00-24:00") == (0, 1440)
    for bad in ("8-9", "25:00-26:00", "10:00-10:00", "10:00", "12:60-13:00"):
        with pytest.raises(ValueError):
            parse_range(bad)


def test_every_kind_a_script_counts_is_a_kind_limits_may_name_and_no_other():
    """``limits:`` refuses an action kind no script counts (a typo such as ``folow`` would
    otherwise limit nothing, silently): the known kinds are exactly those counted."""
    import re

    from runner.limits import ACTION_KINDS

    scripts = Path(__file__).resolve().parents[1] / "runner" / "scripts"
    counted = set()
    for path in scripts.glob("*.py"):
        counted |= set(re.findall(r'ctx\.attempt\("([a-z_]+)"', path.read_text()))
    warmup = (scripts / "account_warmup.py").read_text()  # counts what it draws by chance
    counted |= set(re.findall(r'^\s+"([a-z_]+)": cfg\.\w+_probable,$', warmup, re.M))
    assert counted == set(ACTION_KINDS)
    with pytest.raises(ValueError, match="unknown action kind 'folow' .did you mean follow"):
        RunnerConfig(limits={"folow": {"per_day": 1}})
