"""End to end: manifests dropped into a real spool of a real ``tikrunner serve`` process, run by real
adbutils and uiautomator2 on simulated phones; outcomes checked on the phones' ground truth."""

from __future__ import annotations

import copy
import signal
import sqlite3
from pathlib import Path

import pytest

from runner.sim import SimFarm
from tests.serving import Runner, example, load_yaml

FAST = {"device_wait": 120}


@pytest.fixture
def farm():
    farm = SimFarm(3, seed=7)
    with farm.running(host="127.0.0.1", port=0) as (host, port):
        farm.address = f"{host}:{port}"
        yield farm


def accounts_of(farm: SimFarm) -> list[dict]:
    return [a.model_dump(mode="json") for a in farm.accounts]


@pytest.fixture
def runner(tmp_path: Path, farm: SimFarm):
    runner = Runner(tmp_path, farm.address, accounts_of(farm), **FAST)
    runner.start()
    yield runner
    runner.stop()


def following(farm: SimFarm) -> dict[str, list[str]]:
    truth = farm.ground_truth()
    return {
        username: sorted(account["following"])
        for phone in truth.values()
        for username, account in phone["accounts"].items()
    }


def test_follow_example_completes_and_the_phone_follows_exactly_those_users(farm, runner):
    body = example("follow-three-users.json", farm.serials)
    runner.drop("follow-three.json", body)
    status = runner.wait_phase("follow-three", {"completed", "failed"})
    assert status["phase"] == "completed", status
    assert status["counts"] == {"total": 3, "pending": 0, "running": 0, "completed": 3, "failed": 0}
    assert [t["serial"] for t in status["tasks"]] == ["sim-0001"] * 3
    assert all(t["start_time"] and t["end_time"] for t in status["tasks"])
    assert following(farm) == {
        "sim_user_1": ["user1", "user2", "user3"],
        "sim_user_2": [],
        "sim_user_3": [],
    }


def test_search_example_finds_and_follows_the_exact_users(farm, runner):
    body = example("follow-search-scheduled.json", farm.serials)
    scheduled = copy.deepcopy(body)
    del body["start_time"]  # the scheduled variant is checked below: it must wait
    runner.drop("follow-search.json", body)
    runner.drop("follow-search-later.json", scheduled)
    status = runner.wait_phase("follow-search", {"completed", "failed"})
    assert status["phase"] == "completed", status
    assert following(farm)["sim_user_1"] == ["username1", "username2"]
    later = runner.wait_phase("follow-search-later", {"pending"})
    assert later["counts"]["pending"] == 2
    assert all(t["start_time"].endswith("14:30:00") for t in later["tasks"])


def test_unfollow_multi_account_example_unfollows_on_every_phone(farm, runner):
    for serial in farm.serials:
        for account in farm.phone(serial).accounts.values():
            account.following.add("old_account")
    body = example("unfollow-batch-multi-account.json", farm.serials)
    runner.drop("unfollow.json", body)
    status = runner.wait_phase("unfollow", {"completed", "failed"})
    assert status["phase"] == "completed", status
    assert sorted((t["serial"], t["username"]) for t in status["tasks"]) == [
        ("sim-0001", "sim_user_1"),
        ("sim-0002", "sim_user_2"),
        ("sim-0003", "sim_user_3"),
    ]
    assert following(farm) == {"sim_user_1": [], "sim_user_2": [], "sim_user_3": []}
    actions = [
        a["action"]
        for phone in farm.ground_truth().values()
        for acc in phone["accounts"].values()
        for a in acc["actions"]
    ]
    assert actions == ["unfollow"] * 3


def test_bad_manifest_is_rejected_and_the_runner_keeps_running(farm, runner):
    runner.drop("broken.yaml", "serials: [sim-0001\nscript_name: follow\n")
    runner.wait(
        lambda: (runner.spool / "rejected" / "broken.yaml.error.yaml").exists(),
        30,
        "the error file",
    )
    error = load_yaml(runner.spool / "rejected" / "broken.yaml.error.yaml")
    assert error["code"] == 40001
    runner.drop("after.json", example("follow-three-users.json", farm.serials))
    assert runner.wait_phase("after", {"completed", "failed"})["phase"] == "completed"


def test_phone_going_offline_mid_task_fails_the_task_naming_the_phone(farm, runner):
    phone = farm.phone("sim-0002")
    phone.latency = 0.3  # slow enough to be caught mid-task
    runner.drop(
        "slow.json",
        {
            "serials": ["sim-0002"],
            "script_name": "follow",
            "script_config": {"target_users": ["victim"]},
        },
    )
    runner.wait_phase("slow", {"running"})
    phone.set_state("offline")
    status = runner.wait_phase("slow", {"failed", "completed"})
    assert status["phase"] == "failed"
    assert "sim-0002" in status["tasks"][0]["remark"]
    assert (runner.spool / "artifacts" / str(status["tasks"][0]["id"]) / "task.log").exists()


def test_phone_lost_while_a_failed_task_saves_its_artifacts_still_records_the_failure(farm, runner):
    """The script fails on its own (no such account); the phone goes offline while the worker
    saves the screenshot and hierarchy: the failure is still recorded (once, with the script's
    remark), never left running until the next start."""
    farm.missing_users.add("ghost")
    phone = farm.phone("sim-0003")
    runner.drop(
        "ghost.json",
        {
            "serials": ["sim-0003"],
            "script_name": "follow",
            "script_config": {"target_users": ["ghost"]},
        },
    )
    runner.wait_phase("ghost", {"running"})
    phone.latency = 1.0  # each artifact capture now takes a second or more
    runner.wait(lambda: "failed: " in runner.log(), 60, "the script's failure")
    phone.set_state("offline")
    status = runner.wait_phase("ghost", {"failed", "completed"}, timeout=30)
    assert status["phase"] == "failed"
    assert "ghost" in status["tasks"][0]["remark"]


# -- crashes and shutdowns ---------------------------------------------------------------------


def store_rows(spool: Path) -> dict[int, tuple[int, str]]:
    db = sqlite3.connect(spool / "state.db")
    try:
        return {
            row[0]: (row[1], row[2]) for row in db.execute("SELECT id, status, remark FROM tasks")
        }
    finally:
        db.close()


def assert_status_files_agree_with_the_store(spool: Path) -> None:
    rows = store_rows(spool)
    seen = set()
    for path in (spool / "status").glob("*.status.yaml"):
        doc = load_yaml(path)
        for task in doc["tasks"]:
            assert rows[task["id"]] == (task["status"], task["remark"]), (path.name, task)
            seen.add(task["id"])
    assert seen == set(rows)


def test_killed_while_taking_in_a_batch_loses_no_manifest_and_takes_none_twice(tmp_path, farm):
    runner = Runner(tmp_path, farm.address, accounts_of(farm), **FAST)
    runner.start()
    runner.stop()
    names = [f"batch-{i:03d}" for i in range(300)]
    for name in names:  # dropped while the runner is down: it takes them in a burst at start
        runner.drop(
            f"{name}.json",
            {
                "serials": ["sim-0003"],
                "script_name": "follow",
                "script_config": {"target_users": [name]},
            },
        )
    runner.start(wait=False)
    runner.wait(
        lambda: any((runner.spool / "accepted").iterdir()), 30, "intake to begin", poll=0.001
    )
    runner.kill()
    taken_before_the_kill = len(list((runner.spool / "accepted").iterdir()))
    runner.start()
    runner.wait(
        lambda: (
            len(list((runner.spool / "accepted").iterdir())) == len(names)
            and not list((runner.spool / "incoming").iterdir())
            and not list((runner.spool / "active").iterdir())
        ),
        60,
        "every manifest accepted",
    )
    runner.stop()
    rows = store_rows(runner.spool)
    assert 0 < taken_before_the_kill < len(names)  # the kill landed in the middle of the batch
    assert len(rows) == len(names)  # one task per manifest: none lost, none twice
    assert_status_files_agree_with_the_store(runner.spool)


def test_killed_while_tasks_run_then_restarted_interrupted_tasks_end_failed(tmp_path, farm):
    runner = Runner(tmp_path, farm.address, accounts_of(farm), **FAST)
    runner.start()
    for serial in farm.serials:
        farm.phone(serial).latency = 0.3
    runner.drop(
        "long.json",
        {
            "serials": farm.serials,
            "script_name": "follow",
            "script_config": {"target_users": ["a", "b"]},
        },
    )
    runner.wait_phase("long", {"running"})
    runner.kill()
    for serial in farm.serials:
        farm.phone(serial).latency = 0.0
    runner.start()
    status = runner.wait_phase("long", {"completed", "failed"}, timeout=90)
    runner.stop()
    remarks = [t["remark"] for t in status["tasks"] if t["status"] == 3]
    assert remarks and set(remarks) == {"interrupted"}
    assert status["counts"]["completed"] + status["counts"]["failed"] == 6
    assert_status_files_agree_with_the_store(runner.spool)


def test_sigterm_ends_running_tasks_failed_with_a_remark_and_exits_cleanly(tmp_path, farm):
    runner = Runner(tmp_path, farm.address, accounts_of(farm), **FAST)
    runner.start()
    farm.phone("sim-0001").latency = 0.3
    runner.drop(
        "term.json",
        {
            "serials": ["sim-0001"],
            "script_name": "follow",
            "script_config": {"target_users": ["x", "y"]},
        },
    )
    runner.wait_phase("term", {"running"})
    assert runner.stop(signal.SIGTERM) == 0
    status = runner.status("term")
    assert status["tasks"][0]["status"] == 3
    assert status["tasks"][0]["remark"].startswith("interrupted")
    assert status["tasks"][1]["status"] == 0  # never started: still pending for the next start
    assert_status_files_agree_with_the_store(runner.spool)
