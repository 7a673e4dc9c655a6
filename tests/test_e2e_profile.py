"""profile end to end through a real ``tikrunner serve`` (subprocess) on simulated phones: a bare
body and a Workflow dropped into the spool run and change the own profiles; an over-length
nickname is rejected with 40001 naming the field and TikTok's limit."""

from __future__ import annotations

import json

import pytest

from runner.sim import SimFarm
from tests.serving import Runner, load_yaml


@pytest.fixture
def farm():
    farm = SimFarm(2, seed=71)
    with farm.running(host="127.0.0.1", port=0) as (host, port):
        farm.address = f"{host}:{port}"
        yield farm


def test_profile_through_the_spool_as_a_task_and_as_a_workflow_step(tmp_path, farm):
    photo = tmp_path / "library" / "me.png"
    photo.parent.mkdir()
    photo.write_bytes(b"png")
    accounts = [a.model_dump(mode="json") for a in farm.accounts]
    r = Runner(tmp_path, farm.address, accounts, device_wait=120,
               upload_folder=str(photo.parent))  # fmt: skip
    r.start()
    try:
        r.drop("too-long.json", {"serials": ["sim-0001"], "script_name": "profile",
                                 "script_config": {"nickname": "n" * 31}})  # fmt: skip
        r.drop("rename.json", {"serials": ["sim-0001"], "script_name": "profile",
                               "script_config": {"nickname": "Renamed", "avatar_path": "me.png"}})  # fmt: skip
        r.drop("steps.yaml", json.dumps({
            "apiVersion": "tikrunner/v1", "kind": "Workflow", "metadata": {"name": "steps"},
            "spec": {"serials": ["sim-0002"], "steps": [
                {"name": "bio", "script_name": "profile", "script_config": {"bio": "step one"}},
                {"name": "follow", "script_name": "follow",
                 "script_config": {"target_users": ["after_bio"]}},
            ]},
        }))  # fmt: skip
        rejected = r.spool / "rejected" / "too-long.json.error.yaml"
        r.wait(rejected.exists, 30, "the over-length manifest to be rejected")
        rename = r.wait_phase("rename", {"completed", "failed"}, timeout=60)
        steps = r.wait_phase("steps", {"completed", "failed"}, timeout=90)
    finally:
        r.stop()
    error = load_yaml(rejected)
    assert error["code"] == 40001
    assert "/script_config/nickname: must be at most 30 characters long" in json.dumps(error)
    assert rename["phase"] == "completed", rename
    assert steps["phase"] == "completed", steps
    truth = farm.ground_truth()
    one = truth["sim-0001"]["accounts"]["sim_user_1"]
    assert one["profile"]["nickname"] == "Renamed" and one["profile"]["avatar"].endswith("me.png")
    two = truth["sim-0002"]["accounts"]["sim_user_2"]
    assert two["profile"]["bio"] == "step one" and two["following"] == ["after_bio"]
