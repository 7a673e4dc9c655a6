"""The runner's log (issue 11, item 6): ``--log-format text|rich|json``, ``--log-level``, every
line about a task naming its id, serial and script (lines from libraries deep inside included),
and a task's secrets masked in every format."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

from runner.logs import TaskFields, about_task, configure, resolve_format
from runner.workers import TaskLog
from tests.serving import load_yaml

SECRET = "sk-live-5ecret-key"
FIELDS = TaskFields(17, "sim-0002", "follow", "morning", "alice", (SECRET,))


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def log_about_a_task(tlog_path: Path) -> None:
    """What a task logs while it runs: its own lines, a library's line from a thread, an error
    with a traceback, each carrying the secret; and a line about no task."""
    tlog = TaskLog(
        logging.getLogger("runner.task"),
        17,
        "sim-0002",
        path=tlog_path,
        secrets=[SECRET],
        script="follow",
        manifest="morning",
        username="alice",
    )

    async def task() -> None:
        with about_task(tlog.fields):
            tlog.info("asking the chat endpoint with key %s", SECRET)
            await trio.to_thread.run_sync(
                lambda: logging.getLogger("uiautomator2.core").warning("POST with %s", SECRET)
            )
            try:
                raise RuntimeError(f"refused key {SECRET}\nsecond line")
            except RuntimeError:
                logging.getLogger("runner.devices").exception("device call failed")
        logging.getLogger("runner.spool").info("a line about no task")

    trio.run(task)
    tlog.close()


def test_json_is_one_object_a_line_with_the_tasks_fields_and_no_secret(tmp_path, restore_logging):
    out = io.StringIO()
    configure("json", "debug", stream=out)
    log_about_a_task(tmp_path / "task.log")
    lines = out.getvalue().splitlines()
    docs = [json.loads(line) for line in lines]
    assert [d["logger"] for d in docs] == [
        "runner.task",
        "uiautomator2.core",
        "runner.devices",
        "runner.spool",
    ]
    for doc in docs[:3]:
        assert {k: doc[k] for k in ("task_id", "serial", "script", "manifest", "username")} == {
            "task_id": 17,
            "serial": "sim-0002",
            "script": "follow",
            "manifest": "morning",
            "username": "alice",
        }
        assert doc["time"][10] == "T" and doc["time"][-6] in "+-"  # ISO 8601 with its offset
    assert "task_id" not in docs[3] and "serial" not in docs[3]
    assert docs[0]["message"] == "asking the chat endpoint with key ***"
    assert docs[1] == docs[1] | {"level": "WARNING", "message": "POST with ***"}
    assert docs[2]["message"] == "device call failed" and docs[2]["level"] == "ERROR"
    assert "RuntimeError: refused key ***\nsecond line" in docs[2]["exc"]
    assert SECRET not in out.getvalue()
    assert SECRET not in (tmp_path / "task.log").read_text(encoding="utf-8")


def test_text_lines_name_the_task_and_mask_its_secrets(tmp_path, restore_logging):
    out = io.StringIO()
    configure("text", "info", stream=out)
    log_about_a_task(tmp_path / "task.log")
    text = out.getvalue()
    first, second = text.splitlines()[:2]
    assert first.endswith(
        " INFO runner.task: task 17 sim-0002 follow: asking the chat endpoint with key ***"
    )
    assert second.endswith(" WARNING uiautomator2.core: task 17 sim-0002 follow: POST with ***")
    assert "ERROR runner.devices: task 17 sim-0002 follow: device call failed\nTraceback" in text
    assert "RuntimeError: refused key ***" in text
    assert text.splitlines()[-1].endswith(" INFO runner.spool: a line about no task")
    assert SECRET not in text


def test_rich_names_the_task_and_masks_its_secrets(tmp_path, restore_logging, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: rich wraps at its width
    out = io.StringIO()
    configure("rich", "info", stream=out)
    log_about_a_task(tmp_path / "task.log")
    text = out.getvalue()
    assert "task 17 sim-0002 follow: asking the chat endpoint with key ***" in text
    assert "RuntimeError: refused key ***" in text
    assert SECRET not in text


def test_the_level_hides_the_lines_below_it_for_libraries_too(tmp_path, restore_logging):
    out = io.StringIO()
    configure("json", "warning", stream=out)
    log_about_a_task(tmp_path / "task.log")
    assert [json.loads(line)["level"] for line in out.getvalue().splitlines()] == [
        "WARNING",
        "ERROR",
    ]
    # The task's own file keeps every line, whatever the runner's level.
    assert "INFO asking the chat endpoint" in (tmp_path / "task.log").read_text(encoding="utf-8")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_rich_on_a_terminal_and_text_elsewhere(restore_logging):
    assert resolve_format("auto", Terminal()) == "rich"
    assert resolve_format("auto", io.StringIO()) == "text"
    assert resolve_format("json", Terminal()) == "json"


def test_a_malformed_log_call_is_still_one_json_line(restore_logging, capsys):
    out = io.StringIO()
    handler = configure("json", "info", stream=out)
    # A bug in a log call (given to the handler itself: pytest's capture would raise first).
    handler.handle(logging.makeLogRecord({"name": "runner.spool", "msg": "%d", "args": ("x",)}))
    handler.handle(logging.makeLogRecord({"name": "runner.spool", "msg": "next line"}))
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["level"] == "ERROR" and "could not be written: TypeError" in first["message"]
    assert second["message"] == "next line"
    assert capsys.readouterr().err == ""  # not logging's multi-line traceback


# ------------------------------------------------------------------------------ tikrunner serve


def serve(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "runner.cli", "serve", "--spool", "spool", *args],
        cwd=tmp_path,
        env={**os.environ, "ADBUTILS_ADB_PATH": "/bin/false", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "serve.log").open("wb"),
    )


def wait_for(condition, proc: subprocess.Popen, log: Path, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what}: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    return value


def test_serve_in_json_names_every_tasks_lines_and_never_shows_the_token(tmp_path):
    token = "tok-8d1e2f"
    log = tmp_path / "serve.log"
    proc = serve(
        tmp_path,
        "--simulate",
        "2",
        "--http",
        "127.0.0.1:0",
        "--log-format",
        "json",
        "--log-level",
        "debug",
        env={"TIKRUNNER_API_TOKEN": token},
    )
    try:
        wait_for(lambda: "serving spool" in log.read_text(), proc, log, "serve to start")
        url = next(
            json.loads(line)["message"].split(" on ", 1)[1].split(" ")[0]
            for line in log.read_text().splitlines()
            if "HTTP API on" in line
        )
        import httpx

        assert httpx.get(f"{url}task/stats?token={token}").status_code == 200
        body = FOLLOW | {"script_config": {"target_users": ["@a", "@b"]}}
        status = drop(tmp_path, "m.json", body)
        wait_for(lambda: completed(status), proc, log, "the manifest to complete")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= d.keys() for d in docs)
    task_ids = {t["id"] for t in load_yaml(status)["tasks"]}
    about_tasks = [d for d in docs if d["logger"] == "runner.task"]
    assert {d["task_id"] for d in about_tasks} == task_ids
    assert all(
        d["serial"] == "sim-0001" and d["script"] == "follow" and d["manifest"] == "m"
        for d in about_tasks
    )
    # A library's line logged while a task ran (uiautomator2's RPCs, at debug) names it too.
    assert any(d["logger"].startswith("uiautomator2") and "task_id" in d for d in docs)
    # hypercorn's access line, at debug, without the query string that carried the token.
    access = [d for d in docs if d["logger"] == "hypercorn.access"]
    assert access and "GET /api/v1/task/stats HTTP/1.1" in access[0]["message"]
    assert token not in log.read_text(encoding="utf-8")
    assert {d["message"] for d in docs if d["logger"] == "tikrunner"} >= {"SIGTERM: shutting down"}


def drop(tmp_path: Path, name: str, body: dict) -> Path:
    """Rename a manifest into the spool's incoming/; returns its status file's path."""
    (tmp_path / "spool" / f".{name}.tmp").write_text(json.dumps(body))
    os.rename(tmp_path / "spool" / f".{name}.tmp", tmp_path / "spool" / "incoming" / name)
    return tmp_path / "spool" / "status" / f"{name.split('.')[0]}.status.yaml"


def completed(status: Path) -> bool:
    return status.exists() and load_yaml(status)["phase"] == "completed"


FOLLOW = {
    "serials": ["sim-0001"],
    "script_name": "follow",
    "script_config": {"target_users": ["@a"]},
}


def test_serve_at_warning_from_the_config_shows_no_info_line(tmp_path):
    (tmp_path / "tikrunner.yaml").write_text("log_level: warning\nhttp: null\n")
    log = tmp_path / "serve.log"
    proc = serve(tmp_path, "--simulate", "1", env={"TIKRUNNER_LOG_FORMAT": "text"})
    try:
        wait_for(lambda: "serving spool" in log.read_text(), proc, log, "serve to start")
        status = drop(tmp_path, "m.json", FOLLOW)  # a task's INFO lines: started, completed
        wait_for(lambda: completed(status), proc, log, "the manifest to complete")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    said = [line.split(" ", 3)[1:3] for line in lines]  # TIME LEVEL LOGGER: MESSAGE
    assert ["INFO", "tikrunner:"] in said  # serving and shutting down: shown at every level
    assert all(level in ("WARNING", "ERROR") or who == "tikrunner:" for level, who in said), lines
    assert lines[-1].endswith(" INFO tikrunner: SIGTERM: shutting down")
    assert "started follow" in (tmp_path / "spool" / "artifacts" / "1" / "task.log").read_text()


@pytest.mark.parametrize(
    ("args", "config", "expected"),
    [
        (
            ["--log-format", "xml"],
            None,
            "tikrunner: config: --log-format xml: Input should be 'auto', 'rich', 'text' or 'json'",
        ),
        (
            ["--log-level", "LOUD"],
            None,
            "tikrunner: config: --log-level LOUD: Input should be 'debug', 'info', 'warning' or "
            "'error'",
        ),
        (
            [],
            "log_level: verbose\n",
            "tikrunner: config: tikrunner.yaml: /log_level: Input should be 'debug', 'info', "
            "'warning' or 'error' (got verbose)",
        ),
    ],
)
def test_a_bad_log_format_or_level_is_one_line_and_exit_2(tmp_path, args, config, expected):
    if config is not None:
        (tmp_path / "tikrunner.yaml").write_text(config)
    done = subprocess.run(
        [sys.executable, "-m", "runner.cli", "serve", "--no-http", "--spool", "spool", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [expected]
    assert not (tmp_path / "spool").exists()
