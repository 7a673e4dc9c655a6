"""End to end for scrape_user: one real ``tikrunner serve`` (subprocess) on simulated phones reads
profiles through a workflow step, a spool manifest and the HTTP API; the results read from the
status files and the API, the phones' ground truth showing only the copied links."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest

from runner.sim import SimFarm
from tests.serving import serving_workflow

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_scrape_user_through_workflow_spool_and_http_stores_each_profile(tmp_path):
    farm = SimFarm(2, seed=78, locale="fr-FR")
    s1, s2 = farm.serials
    farm.bios["chef.mario"] = "Pâtes fraîches"
    farm.verified_users.add("chef.mario")
    farm.missing_users.add("ghost")
    workflow = {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": "scrape-flow"},
        "spec": {
            "serials": [s1],
            "steps": [
                {
                    "name": "read",
                    "script_name": "scrape_user",
                    "script_config": {"target_user": "chef.mario", "video_count": 2},
                }
            ],
        },
    }
    with serving_workflow(tmp_path, farm, workflow, "scrape.yaml") as (r, api):
        r.drop(
            "ghost.json",
            {"serials": [s2], "script_name": "scrape_user",
             "script_config": {"target_users": ["ghost"]}},
        )  # fmt: skip
        created = httpx.post(
            f"{api}/task",
            json={"serials": [s2], "script_name": "scrape_user",
                  "script_config": {"target_users": ["techtok"], "video_count": 1,
                                    "access_method": "search"}},
        ).json()  # fmt: skip
        assert created["code"] == 0, created
        [task_id] = created["data"]["task_ids"]
        flow = r.wait_phase("scrape-flow", {"completed", "failed"}, timeout=90)
        ghost = r.wait_phase("ghost", {"completed", "failed"}, timeout=90)
        deadline = time.monotonic() + 90
        while True:
            task = httpx.get(f"{api}/task/{task_id}").json()["data"]
            if task["status"] in (2, 3) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        result = httpx.get(f"{api}/task/{task_id}/result").json()
        truth = farm.ground_truth()
    assert flow["phase"] == "completed", flow
    [read] = flow["tasks"]
    chef = read["result"]
    assert chef["bio"] == "Pâtes fraîches" and chef["verified"] is True
    assert [v["url"].split("/video/")[0] for v in chef["videos"]] == [
        "https://www.tiktok.com/@chef.mario"] * 2  # fmt: skip
    assert task["status"] == 2 and task["remark"] == "", task
    assert result["code"] == 0 and result["data"] == task["result"]
    assert result["data"]["username"] == "techtok" and len(result["data"]["videos"]) == 1
    [failed] = ghost["tasks"]
    assert failed["status_text"] == "failed"
    assert failed["remark"].startswith("scrape_user: open profile: account @ghost does not exist")
    assert failed["result"] == {"username": "ghost", "status": "not_found", "videos": []}
    folder = r.spool / "artifacts" / str(failed["id"])
    assert {"task.log", "hierarchy.xml"} <= {p.name for p in folder.iterdir()}
    kinds = {
        a["action"] for s in (s1, s2) for a in truth[s]["accounts"][f"sim_user_{s[-1]}"]["actions"]
    }
    assert kinds == {"share_link"}  # nothing followed, liked or sent
