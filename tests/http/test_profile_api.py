"""profile over HTTP: created and run on a simulated phone; values over TikTok's lengths are 40001
naming the field and the limit; super_marketing still answers 40003."""

from __future__ import annotations

import pytest

from tests.http.conftest import data, error, follow_body


def _body(serial: str, **config) -> dict:
    return {"serials": [serial], "script_name": "profile", "script_config": config}


def test_a_profile_task_runs_and_the_phone_shows_the_new_bio(live):
    [task_id] = data(live.client.post("/task", json=_body("sim-0003", bio="over http")))["task_ids"]
    task = live.wait(lambda: (t := live.task(task_id))["status"] in (2, 3) and t, timeout=60,
                     what="the profile task to end")  # fmt: skip
    assert task["status_text"] == "completed", task
    truth = live.runner.sim.ground_truth()["sim-0003"]["accounts"]  # the simulated phones
    assert [a["profile"]["bio"] for a in truth.values()] == ["over http"]


@pytest.mark.parametrize(("field", "limit"), [("nickname", 30), ("bio", 80)])
def test_values_over_tiktoks_lengths_are_40001_naming_the_field_and_limit(live, field, limit):
    answer = error(live.client.post("/task", json=_body("sim-0001", **{field: "x" * (limit + 1)})),
                   40001)  # fmt: skip
    [problem] = answer["data"]["errors"]
    assert problem["pointer"] == f"/script_config/{field}"
    assert f"at most {limit} characters" in problem["message"]


def test_super_marketing_still_answers_40003(live):
    error(live.client.post("/task", json=follow_body("sim-0001") | {"script_name": "super_marketing"}),
          40003)  # fmt: skip
