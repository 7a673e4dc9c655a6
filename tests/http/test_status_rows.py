"""A status file's task rows are the API's task object: every field, equal to what
``GET /api/v1/task/{id}`` answers, built by the same function, secrets masked."""

from __future__ import annotations

from runner.models import TaskRecord
from tests.http.conftest import data, later


def test_a_status_file_row_is_the_api_task_object_with_the_secret_masked(live):
    secret = "sk-row-secret-5150"
    body = {
        "serials": ["sim-0001", "sim-0002"],
        "script_name": "account_warmup",
        "script_config": {
            "task_duration": 60,
            "generate_by_chatgpt": True,
            "chatgpt_settings": {"api_key": secret, "model": "gpt-4o-mini"},
        },
        "start_time": later("sim-0001")["start_time"],  # a day ahead: the tasks stay pending
    }
    ids = data(live.client.post("/task", json=body))["task_ids"]
    name = f"api-{ids[0]}"
    status = live.wait(
        lambda: (s := live.status_file(name)) and len(s["tasks"]) == 2 and s,
        what="the status file's rows",
    )
    try:
        for row, task_id in zip(status["tasks"], ids, strict=True):
            answer = live.task(task_id)
            assert row == answer
            assert set(row) == set(TaskRecord.model_fields)
            assert (row["source"], row["manifest"]) == ("api", name)
            assert row["create_time"] and row["start_time"]
            assert row["script_config"]["chatgpt_settings"]["api_key"] == "***"
        text = (live.spool / "status" / f"{name}.status.yaml").read_text(encoding="utf-8")
        assert secret not in text
    finally:
        data(live.client.request("DELETE", "/task/batch", json={"task_ids": ids}))
