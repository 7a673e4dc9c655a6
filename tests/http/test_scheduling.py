"""The scheduler's rules seen from outside, on a runner with simulated phones: retries of safe
failures only, the device limit, a benched phone whose tasks wait, a stop that lands however slow
the phone, and a workflow's ``on_failure: stop`` however a step ended."""

from __future__ import annotations

import json
import logging
import time

import pytest

from runner.store import TaskStatus, open_store
from tests.http.conftest import data, follow_body
from tests.test_scheduler import two_steps


def following(live, serial: str) -> list[str]:
    return live.sim.ground_truth()[serial]["accounts"][f"sim_user_{serial[-1]}"]["following"]


def intervals_overlap(a, b) -> bool:
    return a.started_at < b.ended_at and b.started_at < a.ended_at


def test_safe_failures_are_retried_after_a_wait_and_unsafe_ones_are_not(make_live):
    live = make_live(simulate=2, retry={"max_retry_count": 2, "min_wait": 0.2, "max_wait": 0.4})
    live.sim.missing_users.add("ghost")  # "Couldn't find this account": nothing was tapped
    [ghost] = data(live.client.post("/task", json=follow_body("sim-0001", "ghost")))["task_ids"]
    live.sim.phone("sim-0002").on_tap(1, "crash")  # the app dies as Follow is tapped
    [crash] = data(live.client.post("/task", json=follow_body("sim-0002", "chef")))["task_ids"]

    final = live.wait(
        lambda: (t := live.task(ghost))["status"] == 3 and t["retry_count"] == 2 and t, 20
    )
    assert final["remark"] == "follow: open profile: account @ghost does not exist " + (
        '(the app says "Couldn\'t find this account")'
    )
    task = live.runner.store.get(ghost)
    assert task.ended_at - task.started_at < 5  # the last of three runs
    crashed = live.wait_status(crash, 3)
    assert crashed["retry_count"] == 0  # Follow was tapped: never run again by itself
    assert following(live, "sim-0001") == []


def test_no_more_phones_run_tasks_at_once_than_device_limit(make_live):
    live = make_live(simulate=3, device_limit=2)
    for phone in live.sim.phones:
        phone.latency = 0.05
    ids = []
    for serial in live.serials:
        ids += data(live.client.post("/task", json=follow_body(serial, "a", "b")))["task_ids"]
    for task_id in ids:
        live.wait_status(task_id, 2, timeout=60)
    tasks = [live.runner.store.get(i) for i in ids]
    for t in tasks:  # at every task start, at most one other task runs
        others = [o for o in tasks if o.id != t.id and intervals_overlap(o, t)]
        assert len({o.serial for o in others if o.started_at <= t.started_at}) <= 1


def test_a_phone_whose_uiautomator_will_not_start_is_benched_and_its_tasks_wait(
    make_live, monkeypatch, caplog
):
    import runner.scheduler

    monkeypatch.setattr(runner.scheduler, "BENCH_FIRST", 0.5)
    live = make_live(simulate=1)
    [warm] = data(live.client.post("/task", json=follow_body("sim-0001", "warm")))["task_ids"]
    live.wait_status(warm, 2)
    phone = live.sim.phone("sim-0001")
    phone.block_uiautomator()  # another UiAutomation holds the phone
    with caplog.at_level(logging.WARNING, logger="runner.scheduler"):
        ids = data(live.client.post("/task", json=follow_body("sim-0001", "a", "b", "c")))[
            "task_ids"
        ]
        bench = live.wait(
            lambda: (b := live.runner.farm.scheduler.benched.get("sim-0001")) and b.failures >= 3
            and b, 20, "three back-offs",
        )  # fmt: skip
    assert "already registered" in bench.reason
    assert "device sim-0001 benched for 1 s (failure 2 in a row)" in caplog.text
    objects = [live.task(i) for i in ids]
    assert [t["status"] for t in objects] == [0, 0, 0]  # nothing failed: they wait
    assert objects[0]["remark"].startswith("waiting: follow: open profile: uiautomator server")
    phone.block_uiautomator(False)
    for task_id in ids:
        assert live.wait_status(task_id, 2, timeout=30)["remark"] == ""
    assert "sim-0001" not in live.runner.farm.scheduler.benched


def test_a_stop_lands_within_a_second_on_a_phone_that_answers_every_call_after_5_s(fresh):
    [warm] = data(fresh.client.post("/task", json=follow_body("sim-0001", "warm")))["task_ids"]
    fresh.wait_status(warm, 2)
    fresh.sim.phone("sim-0001").latency = 5.0
    [slow, after] = data(fresh.client.post("/task", json=follow_body("sim-0001", "a", "b")))[
        "task_ids"
    ]
    fresh.wait_status(slow, 1)
    asked = time.monotonic()
    stopped = data(fresh.client.post(f"/task/{slow}/stop"))
    assert time.monotonic() - asked < 1.0  # the device call in flight is abandoned
    assert (stopped["status"], stopped["remark"]) == (3, "stopped")
    fresh.wait_status(after, 1, timeout=2)  # the phone takes its next task at once
    asked = time.monotonic()
    assert data(fresh.client.delete(f"/task/{after}"))["deleted"] is True
    assert time.monotonic() - asked < 1.0


@pytest.mark.parametrize("how", ["stop pending", "delete pending", "stop running", "shutdown"])
def test_on_failure_stop_skips_step_two_however_step_one_ended(make_live, tmp_path, how):
    folder = tmp_path / "workflows"
    folder.mkdir()
    live = make_live(simulate=1, workflows=folder)
    [warm] = data(live.client.post("/task", json=follow_body("sim-0001", "warm")))["task_ids"]
    live.wait_status(warm, 2)
    live.sim.phone("sim-0001").latency = 0.5  # tasks run for seconds
    [busy] = data(live.client.post("/task", json=follow_body("sim-0001", "busy")))["task_ids"]
    live.wait_status(busy, 1)  # step 1 will wait behind it
    (folder / "pipeline.yaml").write_text(json.dumps(two_steps("pipeline")))
    rows = live.wait(lambda: len(s := live.runner.store.tasks_of_manifest("pipeline")) == 2 and s)
    first, second = sorted(rows, key=lambda t: t.step)
    if how.endswith("running"):
        data(live.client.post(f"/task/{busy}/stop"))
        live.wait_status(first.id, 1)
    if how.startswith("stop"):
        assert data(live.client.post(f"/task/{first.id}/stop"))["remark"] == "stopped"
    elif how.startswith("delete"):
        assert data(live.client.delete(f"/task/{first.id}"))["deleted"] is True
    else:
        live.wait_status(first.id, 1, timeout=30)
        live.stop()
    store = live.runner.store if how != "shutdown" else open_store(live.config.store, live.spool)
    step2 = live.wait(lambda: (t := store.get(second.id)) and t.status != 0 and t, 10)
    why = "was deleted" if how == "delete pending" else "failed"
    assert (step2.status, step2.remark) == (TaskStatus.FAILED, f"skipped: step 'warm' {why}")
    if how != "shutdown":
        live.sim.phone("sim-0001").latency = 0.0
        live.wait_status(busy, 3 if how == "stop running" else 2, timeout=30)
    assert "b" not in following(live, "sim-0001")  # step two never ran
