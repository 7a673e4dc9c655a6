"""End to end for message: one real ``tikrunner serve`` (subprocess) on simulated phones takes a
message through a workflow step, a spool manifest and the HTTP API; outcomes read from the phones'
ground truth (each thread holds exactly what was asked), status files, the API and artifacts."""

from __future__ import annotations

import json
import shutil
import time

import httpx
import pytest

from runner.sim import SimFarm
from tests.gitrepo import git
from tests.net import free_port
from tests.serving import Runner

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_message_through_workflow_spool_and_http_sends_each_message_once(tmp_path):
    farm = SimFarm(2, seed=77)
    s1, s2 = farm.serials
    for serial in (s1, s2):
        acc = farm.phone(serial).account
        acc.following.update({"pal", "mate"})
        acc.followers.update({"pal", "mate"})
    farm.dm_closed_users.add("closed")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    workflow = {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": "dm-flow"},
        "spec": {
            "serials": [s1],
            "steps": [
                {
                    "name": "greet",
                    "script_name": "message",
                    "script_config": {"target_user": "pal", "message_content": "from git"},
                }
            ],
        },
    }
    (repo / "dm.yaml").write_text(json.dumps(workflow))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "dm")
    port = free_port()
    with farm.running(host="127.0.0.1", port=0) as (host, adb_port):
        accounts = [a.model_dump(mode="json") for a in farm.accounts]
        r = Runner(tmp_path, f"{host}:{adb_port}", accounts, workflows=str(repo),
                   http=f"127.0.0.1:{port}", device_wait=120)  # fmt: skip
        r.start()
        try:
            r.drop(
                "closed.json",
                {"serials": [s2], "script_name": "message",
                 "script_config": {"target_users": ["closed"], "message_content": "hi"}},
            )  # fmt: skip
            api = f"http://127.0.0.1:{port}/api/v1"
            created = httpx.post(
                f"{api}/task",
                json={"serials": [s2], "script_name": "message",
                      "script_config": {"target_users": ["mate"], "message_content": "over http"}},
            ).json()  # fmt: skip
            assert created["code"] == 0, created
            [task_id] = created["data"]["task_ids"]
            flow = r.wait_phase("dm-flow", {"completed", "failed"}, timeout=90)
            closed = r.wait_phase("closed", {"completed", "failed"}, timeout=90)
            deadline = time.monotonic() + 90
            while True:
                task = httpx.get(f"{api}/task/{task_id}").json()["data"]
                if task["status"] in (2, 3) or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
        finally:
            r.stop()
        truth = farm.ground_truth()
    assert flow["phase"] == "completed", flow
    assert task["status"] == 2 and task["remark"] == "", task
    [failed] = closed["tasks"]
    assert failed["status_text"] == "failed"
    assert failed["remark"].startswith("message: open thread: can't message @closed")
    folder = r.spool / "artifacts" / str(failed["id"])
    assert {"task.log", "hierarchy.xml"} <= {p.name for p in folder.iterdir()}
    assert truth[s1]["accounts"]["sim_user_1"]["messages"] == {"pal": ["from git"]}
    assert truth[s2]["accounts"]["sim_user_2"]["messages"] == {"mate": ["over http"]}
