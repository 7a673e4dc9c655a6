"""A task's ``result`` over HTTP (ours, docs/spec/local-api.md): scrape_user's profile in the
task object, the status file and ``GET /task/{id}/result``; what a task without one answers; an
unknown task's 40401. On both engines (the live runner's store)."""

from __future__ import annotations

import httpx

from tests.http.conftest import data, error, follow_body, later


def _envelope(response: httpx.Response) -> dict:
    body = response.json()
    assert response.status_code == 200 and body["code"] == 0 and set(body) == {
        "code", "message", "data"}, body  # fmt: skip
    return body


def test_a_scrape_stores_the_profile_in_the_task_the_status_file_and_result(live):
    body = {"serials": ["sim-0003"], "script_name": "scrape_user",
            "script_config": {"target_users": ["@chef.mario"], "video_count": 2}}  # fmt: skip
    [task_id] = data(live.client.post("/task", json=body))["task_ids"]
    task = live.wait_status(task_id, 2, timeout=60)
    result = task["result"]
    assert result["username"] == "chef.mario" and result["status"] == "ok"
    assert isinstance(result["followers"], int) and len(result["videos"]) == 2
    assert all(v["url"].startswith("https://") for v in result["videos"])
    assert data(live.client.get(f"/task/{task_id}/result")) == result
    status = live.wait(
        lambda: (s := live.status_file(f"api-{task_id}")) and s["tasks"][0]["status"] == 2 and s,
        what="the status file",
    )
    assert status["tasks"][0]["result"] == result


def test_a_task_without_a_result_answers_null_saying_why(live):
    [pending] = data(live.client.post("/task", json=later("sim-0001", "x") | {
        "script_name": "scrape_user"}))["task_ids"]  # fmt: skip
    body = _envelope(live.client.get(f"/task/{pending}/result"))
    assert body["data"] is None
    assert body["message"] == f"task {pending} has no result yet: it is pending"
    [follow] = data(live.client.post("/task", json=follow_body("sim-0002", "pal")))["task_ids"]
    live.wait_status(follow, 2, timeout=60)
    body = _envelope(live.client.get(f"/task/{follow}/result"))
    assert body["data"] is None
    assert body["message"] == f"task {follow} has no result: follow stores none"
    assert live.task(follow)["result"] is None


def test_the_result_of_an_unknown_task_is_40401(live):
    answer = error(live.client.get("/task/987654/result"), 40401)
    assert answer["message"] == "task 987654 not found"
