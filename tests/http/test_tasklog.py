"""Every task keeps its log, readable over the API while it runs, and a task's artifacts are
listed and served by name, never a file outside the task's folder (issue 11, item 2)."""

from __future__ import annotations

import http.client
import json
import logging
import os

from runner.workers import TaskLog
from tests.http.conftest import data, error, follow_body


def log_of(live, task_id: int, **params) -> str:
    answer = live.client.get(f"/task/{task_id}/log", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def raw_get(live, path: str) -> tuple[int, bytes]:
    """GET ``path`` byte for byte (httpx and browsers drop dot segments before sending)."""
    address = live.runner.http_address
    conn = http.client.HTTPConnection(address.host, address.port, timeout=10)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_a_completed_task_keeps_its_log_naming_its_steps(live):
    [task_id] = data(live.client.post("/task", json=follow_body("sim-0001", "logme")))["task_ids"]
    live.wait_status(task_id, 2)
    text = log_of(live, task_id)
    assert "started follow" in text and "completed" in text
    assert "logme" in text  # a step of the script names its target
    assert (live.spool / "artifacts" / str(task_id) / "task.log").read_text() == text
    last = text.splitlines(keepends=True)[-1]
    assert log_of(live, task_id, tail=1) == last
    names = [a["name"] for a in data(live.client.get(f"/task/{task_id}/artifacts"))]
    assert names == ["task.log"]


def test_a_running_task_log_grows_while_it_runs(fresh):
    [warm] = data(fresh.client.post("/task", json=follow_body("sim-0002", "warm")))["task_ids"]
    fresh.wait_status(warm, 2)
    phone = fresh.sim.phone("sim-0002")
    phone.latency = 0.3
    [task_id] = data(fresh.client.post("/task", json=follow_body("sim-0002", "a", "b", "c")))[
        "task_ids"
    ][:1]
    fresh.wait_status(task_id, 1)
    first = fresh.wait(lambda: log_of(fresh, task_id), what="the first line of the log")
    assert "started follow" in first and fresh.task(task_id)["status"] == 1
    grown = fresh.wait(lambda: (t := log_of(fresh, task_id)) != first and t, what="the log to grow")
    assert grown.startswith(first) and fresh.task(task_id)["status"] == 1
    phone.latency = 0.0
    fresh.wait_status(task_id, 2)
    assert log_of(fresh, task_id).startswith(grown)


def test_a_pending_task_has_an_empty_log_and_an_unknown_one_is_40401(live):
    error(live.client.get("/task/987654/log"), 40401)
    error(live.client.get("/task/987654/artifacts"), 40401)
    error(live.client.get("/task/987654/artifacts/task.log"), 40401)
    error(live.client.get("/task/1/log", params={"tail": "x"}), 40001)


def test_a_failed_task_serves_its_screenshot_and_hierarchy_and_nothing_outside(live):
    live.sim.missing_users.add("ghost_tl")
    body = follow_body("sim-0003", "ghost_tl")
    [task_id] = data(live.client.post("/task", json=body))["task_ids"]
    assert live.wait_status(task_id, 3, timeout=30)["remark"]
    listed = {a["name"]: a for a in data(live.client.get(f"/task/{task_id}/artifacts"))}
    assert {"task.log", "screenshot.jpg", "hierarchy.xml"} <= set(listed)
    shot = live.client.get(listed["screenshot.jpg"]["url"].removeprefix("/api/v1"))
    assert shot.status_code == 200 and shot.headers["content-type"] == "image/jpeg"
    assert shot.content[:2] == b"\xff\xd8" and len(shot.content) == listed["screenshot.jpg"]["size"]
    xml = live.client.get(f"/task/{task_id}/artifacts/hierarchy.xml")
    assert xml.headers["content-type"].startswith("application/xml")
    assert "<hierarchy" in xml.text
    assert "failed: " in live.client.get(f"/task/{task_id}/artifacts/task.log").text

    # a symlink in the folder, to a file outside it: neither listed nor served
    folder = live.spool / "artifacts" / str(task_id)
    os.symlink(live.spool / "state.db", folder / "state.db")
    os.symlink(folder / "hierarchy.xml", folder / "inside.xml")
    names = {a["name"] for a in data(live.client.get(f"/task/{task_id}/artifacts"))}
    assert "state.db" not in names and "inside.xml" not in names
    error(live.client.get(f"/task/{task_id}/artifacts/state.db"), 40401)
    error(live.client.get(f"/task/{task_id}/artifacts/inside.xml"), 40401)
    # ../ in any spelling, sent as is (raw_get): never a file
    for raw in (
        f"/api/v1/task/{task_id}/artifacts/../../state.db",
        f"/api/v1/task/{task_id}/artifacts/..%2F..%2F..%2Fstate.db",
        f"/api/v1/task/{task_id}/artifacts/..",
        f"/api/v1/task/{task_id}/artifacts/%2E%2E",
        f"/api/v1/task/{task_id}/artifacts/.hidden",
    ):
        status, body = raw_get(live, raw)
        assert status in (400, 404), (raw, status, body[:200])
        assert json.loads(body)["code"] in (40001, 40401), raw
    # a task folder that is itself a symlink out of artifacts/
    [other] = data(live.client.post("/task", json=follow_body("sim-0001", "linked")))["task_ids"]
    live.wait_status(other, 2)
    moved = live.spool / "elsewhere"
    os.rename(live.spool / "artifacts" / str(other), moved)
    os.symlink(moved, live.spool / "artifacts" / str(other))
    error(live.client.get(f"/task/{other}/artifacts/task.log"), 40401)


def test_the_log_and_artifacts_need_the_token(make_live):
    runner = make_live(api_token="s3cret-token-xyz")
    [task_id] = data(runner.client.post("/task", json=follow_body("sim-0001", "t")))["task_ids"]
    runner.wait_status(task_id, 2)
    for path in (f"/task/{task_id}/log", f"/task/{task_id}/artifacts/task.log"):
        error(runner.client.get(path, headers={"Authorization": ""}), 40301)


def test_the_log_file_grows_line_by_line_and_never_shows_a_secret(tmp_path):
    path = tmp_path / "7" / "task.log"
    tlog = TaskLog(logging.getLogger("test.tasklog"), 7, "sim-0001", path=path, secrets=["sk-XYZ"])
    tlog.info("asking with key %s", "sk-XYZ")
    assert path.read_text(encoding="utf-8").endswith("INFO asking with key ***\n")  # no flush
    tlog.warning("second")
    tlog.close()
    tlog.info("after close: the runner's log only")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "sk-XYZ" not in "".join(lines)


def test_a_secret_never_reaches_the_runners_log_either(tmp_path, caplog):
    tlog = TaskLog(logging.getLogger("test.tasklog"), 8, "sim-0001", secrets=["sk-XYZ"])
    with caplog.at_level(logging.INFO, logger="test.tasklog"):
        tlog.info("asking with key %s", "sk-XYZ")
    assert "asking with key ***" in caplog.text
    assert "sk-XYZ" not in caplog.text
