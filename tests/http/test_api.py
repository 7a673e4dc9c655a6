"""The local API as a TikMatrix client sees it: every endpoint, every error code, the envelope,
pagination and filters, over real HTTP against a real runner with simulated phones."""

from __future__ import annotations

import json
import logging

import pytest

from runner.http.taskops import TaskOperations
from tests.http.conftest import data, error, follow_body, later

# -------------------------------------------------------------------------------- license


def test_license_check_says_the_api_is_enabled(live):
    assert data(live.client.get("/license/check")) == {
        "plan_name": "Open Source",
        "api_enabled": True,
        "device_limit": 1000,
        "message": "tikrunner: every API feature is available",
    }


# ---------------------------------------------------------------------------------- create


def test_create_answers_ids_and_count_and_writes_a_status_file(live):
    body = follow_body("sim-0002", "@u1", "@u2", "@u3")
    created = data(live.client.post("/task", json=body))
    ids = created["task_ids"]
    assert created["created_count"] == 3 and len(ids) == 3 and ids == sorted(set(ids))
    status = live.wait(lambda: live.status_file(f"api-{ids[0]}"), what="the status file")
    assert [t["id"] for t in status["tasks"]] == ids
    task = live.task(ids[1])
    assert task["source"] == "api" and task["manifest"] == f"api-{ids[0]}"
    assert task["job_count"] == 1 and task["script_config"]["target_users"] == ["@u2"]
    assert task["create_time"] and task["start_time"]


def test_missing_script_name_is_40002(live):
    body = follow_body("sim-0001")
    del body["script_name"]
    answer = error(live.client.post("/task", json=body), 40002)
    assert answer["data"]["errors"][0]["pointer"] == "/script_name"


@pytest.mark.parametrize("script", ["super_marketing", "nope"])
def test_unavailable_or_unknown_script_is_40003(live, script):
    body = follow_body("sim-0001") | {"script_name": script}
    error(live.client.post("/task", json=body), 40003)


def test_unknown_account_is_40004(live):
    body = {"usernames": ["@nobody_here"], "script_name": "post", "script_config": {}}
    error(live.client.post("/task", json=body), 40004)


@pytest.mark.parametrize(
    "raw",
    [
        b"{bad json",
        b"",
        b"[1, 2]",
        b'"a string"',
        b'{"serials": ["a"], "serials": ["b"], "script_name": "post", "script_config": {}}',
        b"\xff\xfe not utf-8",
    ],
    ids=["malformed", "empty", "array", "string", "duplicate-key", "bad-utf8"],
)
def test_bodies_that_are_not_a_json_object_are_40001(live, raw):
    answer = live.client.post("/task", content=raw, headers={"Content-Type": "application/json"})
    body = error(answer, 40001)
    assert "Traceback" not in body["message"]
    assert body["data"] is None or body["data"]["errors"][0]["pointer"] != "/headers/content-type"


@pytest.mark.parametrize(
    "change",
    [
        {"serials": "sim-0001"},
        {"serials": []},
        {"serials": ["sim-0001"], "usernames": ["sim_user_1"]},
        {"start_time": "25:00"},
        {"start_time": 1430},
        {"min_interval": 5, "max_interval": 1},
        {"min_interval": "5"},
        {"enable_multi_account": "yes"},
        {"script_config": {"target_users": []}},
        {"script_config": {"target_users": ["a"], "unknown": 1}},
        {"script_config": None},
        {"extra_field": 1},
    ],
)
def test_wrong_types_and_bad_values_are_40001_with_pointers(live, change):
    answer = error(live.client.post("/task", json=follow_body("sim-0001") | change), 40001)
    assert answer["data"]["errors"], answer


def test_a_refused_body_creates_nothing(fresh):
    bad = follow_body("sim-0001", "a") | {"start_time": "99:99"}
    error(fresh.client.post("/task", json=bad), 40001)
    assert data(fresh.client.get("/task/stats"))["total"] == 0


def test_oversized_and_deeply_nested_bodies_are_40001(live):
    big = follow_body("sim-0001", "x" * 2_000_000)
    error(live.client.post("/task", json=big), 40001)
    deep: dict = {}
    node = deep
    for _ in range(100):
        node["a"] = {}
        node = node["a"]
    error(live.client.post("/task", json=follow_body("sim-0001") | {"x": deep}), 40001)


def test_secrets_never_come_back_nor_reach_files_or_logs(live, caplog):
    secret = "sk-test-very-secret-4242"
    body = {
        "serials": ["sim-0003"],
        "script_name": "account_warmup",
        "script_config": {
            "task_duration": 5,
            "generate_by_chatgpt": True,
            "chatgpt_settings": {"api_key": secret},
        },
    }
    with caplog.at_level(logging.DEBUG):
        ids = data(live.client.post("/task", json=body))["task_ids"]
        task = live.task(ids[0])
        assert task["script_config"]["chatgpt_settings"]["api_key"] == "***"
        listed = data(live.client.get("/task", params={"script_name": "account_warmup"}))
        assert secret not in json.dumps(listed)
        live.wait(lambda: live.status_file(f"api-{ids[0]}"), what="the status file")
        live.wait(lambda: live.task(ids[0])["status"] != 0, what="the warm-up to start")
        data(live.client.delete(f"/task/{ids[0]}"))  # stopped first if it still runs
    assert secret not in caplog.text
    for path in live.spool.rglob("*"):
        if path.is_file() and path.name != "state.db" and not path.name.startswith("state.db"):
            assert secret.encode() not in path.read_bytes(), path


# ------------------------------------------------------------------------------- list/get


def test_list_filters_pages_and_counts_every_match(fresh):
    a = data(fresh.client.post("/task", json=follow_body("sim-0001", *"abcde")))["task_ids"]
    b = data(fresh.client.post("/task", json=follow_body("sim-0002", *"fgh")))["task_ids"]
    post = {"serials": ["sim-0003"], "script_name": "post", "script_config": {}}
    post["start_time"] = later("sim-0003")["start_time"]  # stays pending: stopped below
    c = data(fresh.client.post("/task", json=post))["task_ids"]
    every = a + b + c

    def ids(**params):
        page = data(fresh.client.get("/task", params=params))
        return [t["id"] for t in page["list"]], page["total"]

    assert ids() == (every, 9)
    assert ids(page_size=4) == (every[:4], 9)
    assert ids(page_size=4, page=3) == (every[8:], 9)
    assert ids(page_size=4, page=4) == ([], 9)
    assert ids(serial="sim-0002") == (b, 3)
    assert ids(script_name="post") == (c, 1)
    assert ids(source="api") == (every, 9)
    assert ids(source="spool") == ([], 0)
    assert ids(serial="sim-0001", page_size=2, page=2) == (a[2:4], 5)
    assert ids(serial="", script_name="", status="") == (every, 9)  # blank means any
    data(fresh.client.post(f"/task/{c[0]}/stop"))
    assert ids(status=3, script_name="post") == (c, 1)
    assert ids(status=3, serial="sim-0002") == ([], 0)
    page = data(fresh.client.get("/task", params={"page": 2, "page_size": 5}))
    assert (page["page"], page["page_size"]) == (2, 5)


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 0},
        {"page_size": 101},
        {"page": 0},
        {"page": -1},
        {"page": "x"},
        {"status": 4},
        {"status": -1},
        {"status": "running"},
        {"source": "fax"},
    ],
)
def test_list_parameters_out_of_range_are_40001(live, params):
    answer = error(live.client.get("/task", params=params), 40001)
    assert answer["data"]["errors"][0]["pointer"].startswith("/query/")


def test_a_huge_page_number_is_an_empty_page(live):
    page = data(live.client.get("/task", params={"page": 10**15, "page_size": 100}))
    assert page["list"] == [] and page["total"] >= 0


def test_get_unknown_task_is_40401(live):
    error(live.client.get("/task/987654321"), 40401)
    error(live.client.get(f"/task/{2**70}"), 40401)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/task/987654321/stop"),
        ("POST", "/task/987654321/retry"),
        ("DELETE", "/task/987654321"),
    ],
)
def test_actions_on_unknown_tasks_are_40401(live, method, path):
    error(live.client.request(method, path), 40401)


# ------------------------------------------------------------------------- routes, errors


def test_fixed_routes_are_not_task_ids(live):
    assert set(data(live.client.get("/task/stats"))) == {
        "total",
        "pending",
        "running",
        "completed",
        "failed",
    }
    error(live.client.get("/task/batch"), 40501)
    assert "DELETE" in live.client.get("/task/batch").headers["allow"]
    error(live.client.get("/task/retry-all"), 40501)
    error(live.client.delete("/task/stats"), 40501)


def test_unknown_routes_and_methods_answer_in_the_envelope(live):
    error(live.client.get("/nothing/here"), 40401)
    error(live.client.get("/task/not-a-number"), 40401)
    error(live.client.put("/task"), 40501)
    error(live.client.patch("/task/1"), 40501)


def test_an_unexpected_exception_is_50001_logged_without_internals(live, caplog, monkeypatch):
    async def broken(self):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(TaskOperations, "stats", broken)
    with caplog.at_level(logging.ERROR):
        answer = error(live.client.get("/task/stats"), 50001)
    assert "internals" not in answer["message"] and answer["data"] is None
    assert "Traceback" in caplog.text and "secret internals" in caplog.text


# ------------------------------------------------------------------- stop, retry, delete


def test_stop_a_pending_task_fails_it_with_remark_stopped(live):
    [task_id] = data(live.client.post("/task", json=later("sim-0001", "z")))["task_ids"]
    stopped = data(live.client.post(f"/task/{task_id}/stop"))
    assert (stopped["status_text"], stopped["remark"]) == ("failed", "stopped")
    assert stopped["end_time"]
    error(live.client.post(f"/task/{task_id}/stop"), 40001)  # already ended
    status = live.wait(
        lambda: (s := live.status_file(f"api-{task_id}")) and s["phase"] == "failed" and s
    )
    assert status["tasks"][0]["remark"] == "stopped"


def test_retry_takes_only_failed_tasks(live):
    [task_id] = data(live.client.post("/task", json=later("sim-0001", "y")))["task_ids"]
    error(live.client.post(f"/task/{task_id}/retry"), 40001)  # pending
    data(live.client.post(f"/task/{task_id}/stop"))
    retried = data(live.client.post(f"/task/{task_id}/retry"))
    assert (retried["status"], retried["retry_count"], retried["remark"]) == (0, 1, "")
    assert retried["end_time"] is None
    done = live.wait_status(task_id, 2)  # due now: it runs and completes
    error(live.client.post(f"/task/{task_id}/retry"), 40001)  # completed
    assert done["retry_count"] == 1


def test_retry_all_puts_every_failed_task_back(fresh):
    ids = data(fresh.client.post("/task", json=later("sim-0001", "a", "b", "c")))["task_ids"]
    for task_id in ids[:2]:
        data(fresh.client.post(f"/task/{task_id}/stop"))
    assert data(fresh.client.post("/task/retry-all")) == {"retried_count": 2}
    assert data(fresh.client.post("/task/retry-all")) == {"retried_count": 0}
    assert all(fresh.task(i)["retry_count"] == 1 for i in ids[:2])
    assert fresh.task(ids[2])["retry_count"] == 0


def test_delete_and_batch_delete(fresh):
    ids = data(fresh.client.post("/task", json=later("sim-0001", *"abcd")))["task_ids"]
    assert data(fresh.client.delete(f"/task/{ids[0]}")) == {"task_id": ids[0], "deleted": True}
    error(fresh.client.get(f"/task/{ids[0]}"), 40401)
    error(fresh.client.delete(f"/task/{ids[0]}"), 40401)
    answer = fresh.client.request(
        "DELETE", "/task/batch", json={"task_ids": [ids[1], ids[2], ids[0], 999_999]}
    )
    assert data(answer) == {"deleted_count": 2, "task_ids": [ids[1], ids[2]]}
    assert data(fresh.client.get("/task/stats"))["total"] == 1
    status = fresh.wait(
        lambda: (s := fresh.status_file(f"api-{ids[0]}")) and s["counts"]["total"] == 1 and s
    )
    assert [t["id"] for t in status["tasks"]] == [ids[3]]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"task_ids": []},
        {"task_ids": "1,2"},
        {"task_ids": ["1"]},
        {"task_ids": [True]},
        {"task_ids": [1.5]},
        {"task_ids": [1], "extra": 1},
        [1, 2],
    ],
)
def test_batch_delete_bodies_are_checked(live, body):
    error(live.client.request("DELETE", "/task/batch", json=body), 40001)


def test_batch_delete_without_a_body_is_40001(live):
    error(live.client.request("DELETE", "/task/batch"), 40001)
