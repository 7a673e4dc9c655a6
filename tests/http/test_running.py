"""Stop, retry and delete act on tasks really running on a (slowed down) simulated phone: the
phone is free for its next task at once, and the status file follows every change."""

from __future__ import annotations

import time

from tests.http.conftest import data, error, follow_body


def running_ids(live) -> list[int]:
    page = data(live.client.get("/task", params={"status": 1, "serial": "sim-0001"}))
    return [t["id"] for t in page["list"]]


def warm_up(live, *serials: str) -> None:
    """Run one quick task on each phone, so its device session is open, then slow it down:
    every device call takes 0.3 s, so tasks run for seconds."""
    for serial in serials:
        [task_id] = data(live.client.post("/task", json=follow_body(serial, "warm")))["task_ids"]
        live.wait_status(task_id, 2)
        live.sim.phone(serial).latency = 0.3
    data(live.client.request("DELETE", "/task/batch", json={"task_ids": list(range(1, 100))}))


def test_create_list_get_stop_retry_delete_a_running_task(fresh):
    warm_up(fresh, "sim-0001")
    first, second = data(fresh.client.post("/task", json=follow_body("sim-0001", "s1", "s2")))[
        "task_ids"
    ]
    manifest = f"api-{first}"

    # running: listed as running, its object says so, its status file too
    fresh.wait_status(first, 1)
    assert running_ids(fresh) == [first]
    task = fresh.task(first)
    assert task["status_text"] == "running" and task["start_time"] and task["end_time"] is None
    assert fresh.task(second)["status"] == 0
    fresh.wait(lambda: (s := fresh.status_file(manifest)) and s["phase"] == "running")

    # stop: it ends failed "stopped", and the phone takes the next task within a second
    asked = time.monotonic()
    stopped = data(fresh.client.post(f"/task/{first}/stop"))
    answered = time.monotonic()
    assert answered - asked < 2.0  # cancelled between two device calls, artifacts saved
    assert (stopped["status"], stopped["remark"]) == (3, "stopped")
    fresh.wait_status(second, 1, timeout=1.0)
    assert time.monotonic() - answered < 1.0
    assert running_ids(fresh) == [second]
    status = fresh.wait(
        lambda: (s := fresh.status_file(manifest)) and s["tasks"][0]["status"] == 3 and s
    )
    assert status["tasks"][0]["remark"] == "stopped"

    # retry: back to pending behind the running one, retry_count 1
    retried = data(fresh.client.post(f"/task/{first}/retry"))
    assert (retried["status"], retried["retry_count"], retried["remark"]) == (0, 1, "")

    # delete the running one: stopped first, then gone; the retried one runs next
    assert data(fresh.client.delete(f"/task/{second}")) == {"task_id": second, "deleted": True}
    error(fresh.client.get(f"/task/{second}"), 40401)
    fresh.wait_status(first, 1, timeout=2.0)

    # batch delete takes running tasks too
    answer = fresh.client.request("DELETE", "/task/batch", json={"task_ids": [first, second]})
    assert data(answer) == {"deleted_count": 1, "task_ids": [first]}
    assert data(fresh.client.get("/task/stats")) == {
        "total": 0,
        "pending": 0,
        "running": 0,
        "completed": 0,
        "failed": 0,
    }
    fresh.wait(lambda: (s := fresh.status_file(manifest)) and s["counts"]["total"] == 0)

    # the phone is free: a new task runs to completion
    fresh.sim.phone("sim-0001").latency = 0.0
    [again] = data(fresh.client.post("/task", json=follow_body("sim-0001", "s3")))["task_ids"]
    assert fresh.wait_status(again, 2)["remark"] == ""


def test_stopping_a_task_on_one_phone_leaves_the_others_running(fresh):
    warm_up(fresh, "sim-0001", "sim-0002")
    [a] = data(fresh.client.post("/task", json=follow_body("sim-0001", "p1")))["task_ids"]
    [b] = data(fresh.client.post("/task", json=follow_body("sim-0002", "p2")))["task_ids"]
    fresh.wait_status(a, 1)
    fresh.wait_status(b, 1)
    assert data(fresh.client.post(f"/task/{a}/stop"))["remark"] == "stopped"
    assert fresh.task(b)["status"] == 1
    fresh.sim.phone("sim-0002").latency = 0.0
    assert fresh.wait_status(b, 2)["remark"] == ""
