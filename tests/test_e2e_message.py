"""End to end for message: one real ``tikrunner serve`` (subprocess) on simulated phones takes a
message through a workflow step, a spool manifest and the HTTP API; outcomes read from the phones'
ground truth (each thread holds exactly what was asked), status files, the API and artifacts."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest

from runner.sim import SimFarm
from tests.serving import serving_workflow

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_message_through_workflow_spool_and_http_sends_each_message_once(tmp_path):
    farm = SimFarm(2, seed=77)
    s1, s2 = farm.serials
    for serial in (s1, s2):
        acc = farm.phone(serial).account
        acc.following.update({"pal", "mate"})
        acc.followers.update({"pal", "mate"})
    farm.dm_closed_users.add("closed")
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
    with serving_workflow(tmp_path, farm, workflow, "dm.yaml") as (r, api):
        r.drop(
            "closed.json",
            {"serials": [s2], "script_name": "message",
             "script_config": {"target_users": ["closed"], "message_content": "hi"}},
        )  # fmt: skip
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
