"""End to end for like: one real ``tikrunner serve`` (subprocess) on simulated phones takes likes
through a workflow step, spool manifests and the HTTP API; outcomes read from the phones' ground
truth (exactly the likes asked for, once), status files, the API and artifacts."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest

from runner.sim import SimFarm
from tests.serving import serving_workflow

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_like_through_workflow_spool_and_http_likes_each_video_once(tmp_path):
    farm = SimFarm(2, seed=78, locale="fr-FR")
    s1, s2 = farm.serials
    farm.pinned["chef"] = 1
    farm.private_users.add("quiet")
    chef = [v.id for v in farm.world.user_videos("chef")]
    workflow = {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": "like-flow"},
        "spec": {
            "serials": [s1],
            "steps": [
                {
                    "name": "like the post",
                    "script_name": "like",
                    "script_config": {"target_post_url": "https://www.tiktok.com/@maria/video/41"},
                },
                {
                    "name": "like chef's newest",
                    "script_name": "like",
                    "script_config": {"target_users": ["chef"], "count": 2, "skip_pinned": True},
                },
            ],
        },
    }
    with serving_workflow(tmp_path, farm, workflow, "likes.yaml") as (r, api):
        r.drop(
            "quiet.json",
            {"serials": [s2], "script_name": "like",
             "script_config": {"target_users": ["quiet"]}},
        )  # fmt: skip
        created = httpx.post(
            f"{api}/task",
            json={"serials": [s2], "script_name": "like",
                  "script_config": {"target_post_urls": [
                      "https://www.tiktok.com/@maria/video/42",
                      "https://www.tiktok.com/@maria/video/42"]}},
        ).json()  # fmt: skip
        assert created["code"] == 0, created
        first, second = created["data"]["task_ids"]
        flow = r.wait_phase("like-flow", {"completed", "failed"}, timeout=90)
        quiet = r.wait_phase("quiet", {"completed", "failed"}, timeout=90)
        deadline = time.monotonic() + 90
        while True:
            tasks = [httpx.get(f"{api}/task/{t}").json()["data"] for t in (first, second)]
            if all(t["status"] in (2, 3) for t in tasks) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        truth = farm.ground_truth()
    assert flow["phase"] == "completed", flow
    assert [(t["status"], t["remark"]) for t in tasks] == [
        (2, ""),
        (2, "already liked (nothing tapped)"),
    ]
    [failed] = quiet["tasks"]
    assert failed["status_text"] == "failed"
    assert failed["remark"].startswith("like: open the first video: @quiet's profile shows no")
    folder = r.spool / "artifacts" / str(failed["id"])
    assert {"task.log", "hierarchy.xml"} <= {p.name for p in folder.iterdir()}
    assert truth[s1]["accounts"]["sim_user_1"]["likes"] == ["41", *chef[1:3]]
    assert truth[s2]["accounts"]["sim_user_2"]["likes"] == ["42"]
