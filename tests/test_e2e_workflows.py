"""End to end: a git-kept workflows folder served by a real ``tikrunner serve --workflows`` process
on simulated phones; steps run in order per phone, failures stop that phone's remaining steps, and
the store and status files follow files added, changed and deleted in the work tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runner.sim import SimFarm
from tests.gitrepo import git
from tests.serving import Runner

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def farm():
    farm = SimFarm(3, seed=11)
    with farm.running(host="127.0.0.1", port=0) as (host, port):
        farm.address = f"{host}:{port}"
        yield farm


def three_steps(name: str = "pipeline") -> dict:
    return {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": name},
        "spec": {
            "serials": ["sim-0001", "sim-0002", "sim-0003"],
            "steps": [
                {
                    "name": "follow",
                    "script_name": "follow",
                    "script_config": {"target_users": ["first"]},
                },
                {
                    "name": "comment",
                    "script_name": "comment",
                    "script_config": {
                        "target_post_url": "https://www.tiktok.com/@someone/video/7300000000000000001",
                        "comment_content": "nice",
                    },
                },
                {
                    "name": "follow again",
                    "script_name": "follow",
                    "script_config": {"target_users": ["last"]},
                },
            ],
        },
    }


def start(tmp_path: Path, farm: SimFarm) -> tuple[Runner, Path]:
    repo = tmp_path / "farm-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    accounts = [a.model_dump(mode="json") for a in farm.accounts]
    runner = Runner(tmp_path, farm.address, accounts, workflows=str(repo), device_wait=120)
    return runner, repo


def test_three_step_workflow_with_one_phone_failing_step_two(tmp_path, farm):
    runner, repo = start(tmp_path, farm)
    farm.phone("sim-0002").on_screen("comments", "crash")  # the app dies on that phone at step 2
    (repo / "pipeline.yaml").write_text(json.dumps(three_steps()))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pipeline")
    runner.start()
    status = runner.wait_phase("pipeline", {"completed", "failed"}, timeout=90)
    runner.stop()
    by_phone: dict[str, list[tuple[str, int, str]]] = {}
    for t in status["tasks"]:
        by_phone.setdefault(t["serial"], []).append((t["step"], t["status"], t["remark"]))
    assert [s[:2] for s in by_phone["sim-0001"]] == [
        ("follow", 2),
        ("comment", 2),
        ("follow again", 2),
    ]
    assert [s[:2] for s in by_phone["sim-0003"]] == [
        ("follow", 2),
        ("comment", 2),
        ("follow again", 2),
    ]
    follow, comment, again = by_phone["sim-0002"]
    assert follow[1] == 2
    assert comment[1] == 3 and comment[2].startswith("comment")
    assert again == ("follow again", 3, "skipped: step 'comment' failed")
    truth = farm.ground_truth()
    assert sorted(truth["sim-0001"]["accounts"]["sim_user_1"]["following"]) == ["first", "last"]
    assert truth["sim-0002"]["accounts"]["sim_user_2"]["following"] == ["first"]
    assert status["observed_generation"] == 1 and status["kind"] == "Workflow"


def test_the_store_and_status_files_follow_the_git_work_tree(tmp_path, farm):
    runner, repo = start(tmp_path, farm)
    once = three_steps("once")
    once["spec"]["serials"] = ["sim-0001"]
    once["spec"]["steps"] = [{"script_name": "follow", "script_config": {"target_users": ["v1"]}}]
    later = dict(once, metadata={"name": "later"})
    later["spec"] = dict(once["spec"], schedule={"at": ["03:00"]})
    (repo / "once.yaml").write_text(json.dumps(once))
    (repo / "later.yaml").write_text(json.dumps(later))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    runner.start()
    assert runner.wait_phase("once", {"completed"})["observed_generation"] == 1
    assert runner.wait(
        lambda: (s := runner.status("later")) and s.get("schedule", {}).get("next"),
        30,
        "later's next firing",
    )

    once["spec"]["steps"][0]["script_config"]["target_users"] = ["v2"]  # change: generation 2
    (repo / "once.yaml").write_text(json.dumps(once))
    git(repo, "commit", "-qam", "v2")
    status = runner.wait(
        lambda: (
            (s := runner.status("once"))
            and s.get("observed_generation") == 2
            and s["phase"] == "completed"
            and s
        ),
        60,
        "generation 2 of once to run",
    )
    assert status["counts"]["completed"] == 2

    git(repo, "rm", "-q", "later.yaml")  # delete: future firings stop
    git(repo, "commit", "-qm", "drop later")
    assert runner.wait(
        lambda: (s := runner.status("later")) and "deleted" in s, 30, "later deleted"
    )
    runner.stop()
    truth = farm.ground_truth()["sim-0001"]["accounts"]["sim_user_1"]["following"]
    assert sorted(truth) == ["v1", "v2"]
