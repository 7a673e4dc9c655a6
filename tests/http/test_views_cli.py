"""The operator's CLI views (``tikrunner devices``, ``tasks``, ``task``, ``logs``, ``top``) against
a running runner's HTTP API, as a person at a terminal (or a script) sees them (issue 11, item 3).

The views are run in-process with typer's CliRunner, and ``logs -f`` as a real process, against a
real runner (tests/http/conftest.py's LiveRunner: simulated phones, the HTTP API on a port).
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from runner import __version__
from runner.cli import app
from runner.views_cli import ApiClient, Target, ViewError, progress_text, run_top, tasks_table
from runner.yamlsafe import load_yaml_text
from tests.http.conftest import data, follow_body, later

CLEAN_ENV = {"COLUMNS": "200", "TIKRUNNER_API": None, "TIKRUNNER_API_TOKEN": None}


def cli(*args: str, **env: str | None):
    """``tikrunner ARGS`` in-process: the result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(app, list(args), env=CLEAN_ENV | env)


def api_of(live) -> str:
    address = live.runner.http_address
    return f"http://{address.host}:{address.port}"


def one_line_error(result, *words: str) -> str:
    """The stderr of a failed view: exactly one line, no traceback, naming ``words``."""
    err = result.stderr
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, err
    return err


def test_every_command_answers_version_and_h():
    commands = sorted(typer.main.get_command(app).commands)
    assert {"serve", "validate", "apply", "schemas", "sim", "inspect"} <= set(commands)
    assert {"devices", "accounts", "tasks", "task", "logs", "top"} <= set(commands)
    for args in ([], *([name] for name in commands)):
        version = cli(*args, "--version")
        assert version.exit_code == 0, (args, version.output)
        assert version.stdout.strip() == f"tikrunner {__version__}", args
        helped = cli(*args, "-h")
        assert helped.exit_code == 0, (args, helped.output)
        assert "Usage: " in helped.stdout and "--version" in helped.stdout, args


def test_bad_usage_exits_2_without_touching_the_network():
    unreachable = {"TIKRUNNER_API": "http://127.0.0.1:1"}
    for args in (
        ["tasks", "--status", "sleeping"],
        ["tasks", "--status", "4"],
        ["tasks", "-o", "xml"],
        ["accounts", "-o", "xml"],
        ["tasks", "-o", "json", "--watch"],
        ["task", "abc"],
        ["task"],
        ["logs"],
        ["devices", "--api", "ftp://farm:50809"],
        ["devices", "--api", "http://farm:50809/other/path"],
        ["top", "--interval", "0"],
    ):
        result = cli(*args, **unreachable)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "cannot reach" not in result.output, args


def test_an_api_that_does_not_answer_is_one_line_naming_it_and_how_to_point_elsewhere(tmp_path):
    result = cli("devices", "--api", "http://127.0.0.1:1")
    assert result.exit_code == 1
    one_line_error(result, "http://127.0.0.1:1", "connection refused", "--api", "TIKRUNNER_API")
    # the address from tikrunner.yaml's http: bind (a wildcard bind is reached on loopback)
    config = tmp_path / "tikrunner.yaml"
    config.write_text("http: 0.0.0.0:1\n")
    result = cli("tasks", "--config", str(config))
    assert result.exit_code == 1
    one_line_error(result, "http://127.0.0.1:1 (tikrunner.yaml http:)")
    config.write_text("htp: 127.0.0.1:1\n")
    result = cli("tasks", "--config", str(config))
    assert result.exit_code == 2
    one_line_error(result, "unknown setting (did you mean http?)")


@pytest.fixture
def not_http():
    """A port that accepts and answers something other than HTTP (an SSH banner), or, once
    ``silent`` is set, nothing at all: its address."""
    server = socket.create_server(("127.0.0.1", 0))
    state = {"silent": False, "held": []}

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            if state["silent"]:
                state["held"].append(conn)  # never answers
                continue
            conn.recv(1000)
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}", state
    server.close()
    for conn in state["held"]:
        conn.close()


def test_a_port_that_is_not_the_api_or_never_answers_is_one_line(not_http):
    address, state = not_http
    result = cli("tasks", "--api", address)
    assert result.exit_code == 1
    one_line_error(result, f"http://{address}", "not an HTTP answer", "--api")
    state["silent"] = True
    client = ApiClient(Target(base=f"http://{address}", token=None, source="--api"), timeout=0.3)
    with pytest.raises(ViewError) as caught:
        client.data("/devices")
    assert caught.value.exit_code == 1 and "no answer within 0.3 s" in caught.value.message
    assert f"http://{address}" in caught.value.message and "\n" not in caught.value.message


def test_devices_lists_the_simulated_phones(live):
    result = cli("devices", "--api", api_of(live))
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:] if line}
    assert set(rows) == set(live.serials)
    assert all(row[1] == "device" for row in rows.values())
    as_json = json.loads(cli("devices", "--api", api_of(live), "-o", "json").stdout)
    assert [d["serial"] for d in as_json["list"]] == live.serials
    assert as_json["total"] == 3
    one = cli("devices", "sim-0002", "--api", api_of(live), "-o", "yaml")
    assert load_yaml_text(one.stdout)["serial"] == "sim-0002"
    unknown = cli("devices", "sim-9999", "--api", api_of(live))
    assert unknown.exit_code == 1
    one_line_error(unknown, "no phone 'sim-9999'")


def test_tasks_filters_and_json_and_yaml_parse_back(live):
    [done] = data(live.client.post("/task", json=follow_body("sim-0001", "views_a")))["task_ids"]
    live.wait_status(done, 2)
    waiting = data(live.client.post("/task", json=later("sim-0002", "views_b", "views_c")))
    api = api_of(live)

    pending = json.loads(
        cli(
            "tasks", "--api", api, "--status", "pending", "--serial", "sim-0002", "-o", "json"
        ).stdout
    )
    assert set(waiting["task_ids"]) <= {t["id"] for t in pending["list"]}
    assert all(t["status"] == 0 and t["serial"] == "sim-0002" for t in pending["list"])
    assert pending["total"] == len(pending["list"])
    as_yaml = cli("tasks", "--api", api, "--status", "0", "--serial", "sim-0002", "-o", "yaml")
    assert load_yaml_text(as_yaml.stdout) == pending

    table = cli("tasks", "--api", api, "--status", "COMPLETED", "--script", "follow")
    assert table.exit_code == 0, table.output
    rows = {line.split()[0]: line.split() for line in table.stdout.splitlines()[1:-1]}
    assert str(done) in rows and rows[str(done)][1:4] == ["completed", "sim-0001", "follow"]
    assert not set(map(str, waiting["task_ids"])) & set(rows)
    assert all(row[1] == "completed" for row in rows.values())
    manifest = f"api-{waiting['task_ids'][0]}"
    by_manifest = json.loads(
        cli("tasks", "--api", api, "--manifest", manifest, "-o", "json").stdout
    )
    assert [t["id"] for t in by_manifest["list"]] == waiting["task_ids"]
    none = cli("tasks", "--api", api, "--serial", "sim-0404")
    assert none.exit_code == 0 and "no tasks" in none.stdout


def test_tasks_over_100_matches_page_through_the_api_and_limit_keeps_the_newest(live):
    targets = [f"page_{i}" for i in range(130)]
    ids = data(live.client.post("/task", json=later("sim-0003", *targets)))["task_ids"]
    assert len(ids) == 130
    api, only = api_of(live), ["--serial", "sim-0003", "--status", "0", "--script", "follow"]
    every = json.loads(cli("tasks", "--api", api, *only, "--limit", "0", "-o", "json").stdout)
    assert [t["id"] for t in every["list"]] == ids and every["total"] == 130
    newest = json.loads(cli("tasks", "--api", api, *only, "--limit", "5", "-o", "json").stdout)
    assert [t["id"] for t in newest["list"]] == ids[-5:] and newest["total"] == 130
    table = cli("tasks", "--api", api, *only).stdout.splitlines()
    assert len(table) == 1 + 100 + 1 and table[1].split()[0] == str(ids[30])
    assert table[-1] == "100 of 130 tasks (the newest; --limit 0 for all)"


def test_task_shows_every_field_its_log_tail_and_artifact_paths(live):
    live.sim.missing_users.add("ghost_view")
    [task_id] = data(live.client.post("/task", json=follow_body("sim-0003", "ghost_view")))[
        "task_ids"
    ]
    obj = live.wait_status(task_id, 3, timeout=30)
    api = api_of(live)
    result = cli("task", str(task_id), "--api", api, "--tail", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    fields = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in lines[: len(obj)]}
    assert list(fields) == list(obj)  # every field, in the API's order
    assert fields["status_text"] == "failed" and fields["remark"] == obj["remark"]
    assert fields["script_config"] == json.dumps(obj["script_config"])
    for name in ("task.log", "screenshot.jpg", "hierarchy.xml"):
        assert f"{api}/api/v1/task/{task_id}/artifacts/{name}" in result.stdout
    log = live.client.get(f"/task/{task_id}/log").text.splitlines()
    assert lines[-4].split() == ["log:", "last", "3", "lines"]
    assert [line.strip() for line in lines[-3:]] == log[-3:]
    assert json.loads(cli("task", str(task_id), "--api", api, "-o", "json").stdout) == obj

    unknown = cli("task", "987654", "--api", api)
    assert unknown.exit_code == 1 and unknown.stdout == ""
    one_line_error(unknown, "no task 987654")
    assert cli("logs", "987654", "--api", api).exit_code == 1


@contextmanager
def running_slowly(
    live, serial: str, target: str, latency: float = 0.2
) -> Iterator[tuple[int, Any]]:
    """A follow task running on ``serial``, whose replies each take ``latency`` seconds until
    the block ends (or the phone's ``latency`` is set back to 0 inside it): (task id, the phone)."""
    phone = live.sim.phone(serial)
    phone.latency = latency
    try:
        [task_id] = data(live.client.post("/task", json=follow_body(serial, target)))["task_ids"]
        live.wait_status(task_id, 1)
        yield task_id, phone
    finally:
        phone.latency = 0.0


def test_logs_follows_the_log_until_the_task_completes(live, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKRUNNER_API")}
    with (
        # slow enough to outlast the follower's start on a loaded machine (reset once it printed)
        running_slowly(live, "sim-0001", "slow_view", latency=1.0) as (task_id, phone),
        open(tmp_path / "stderr", "w+") as errors,
    ):
        follower = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "logs", str(task_id), "-f"]
            + ["--api", api_of(live), "--interval", "0.1"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        watchdog = threading.Timer(60, follower.kill)  # a follower that never ends fails
        watchdog.start()
        try:
            first = follower.stdout.readline()
            assert "started follow" in first
            assert live.task(task_id)["status"] == 1  # it printed while the task ran
        finally:
            phone.latency = 0.0
        rest = follower.stdout.read()  # until it exits (the same buffer: nothing skipped)
        follower.wait()
        watchdog.cancel()
        errors.seek(0)
        err = errors.read()
    assert follower.returncode == 0, err
    assert live.task(task_id)["status"] == 2
    assert first + rest == live.client.get(f"/task/{task_id}/log").text
    assert rest.splitlines()[-1].endswith("INFO completed")
    plain = cli("logs", str(task_id), "--api", api_of(live), "--tail", "1")
    assert plain.stdout == rest.splitlines(keepends=True)[-1]


def test_top_renders_the_phones_and_their_running_tasks(live):
    with running_slowly(live, "sim-0002", "top_view") as (task_id, _phone):
        frame = cli("top", "--api", api_of(live), "--iterations", "1")
    assert frame.exit_code == 0, frame.output
    rows = {line.split()[0]: line.split() for line in frame.stdout.splitlines() if line}
    assert set(live.serials) <= set(rows)
    assert rows["sim-0002"][1:4] == ["device", f"#{task_id}", "follow"]
    assert "tikrunner top " + api_of(live) in frame.stdout and "running" in frame.stdout
    live.wait_status(task_id, 2)


def test_top_and_watch_redraw_in_place_on_a_terminal(live):
    # a task to list, even when this test is the first of its module on its xdist worker
    live.client.post("/task", json=follow_body("sim-0001", "watch_view"))
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160, color_system=None)
    target = Target(base=api_of(live), token=None, source="--api")
    assert run_top(target, iterations=3, console=console, sleep=lambda _s: None) == 0
    text = out.getvalue()
    assert text.count("tikrunner top") >= 3  # one frame per refresh (and a last one at the end)
    assert "\x1b[1A" in text and "\x1b[2K" in text  # cursor up, erase line: the same place
    watched = cli(
        "tasks", "--api", api_of(live), "--watch", "--iterations", "2", "--interval", "0.1"
    )
    assert watched.exit_code == 0 and "STATUS" in watched.stdout


def test_the_token_is_asked_for_when_missing_or_wrong_and_never_printed(make_live, tmp_path):
    secret = "s3cret-views-token"
    runner = make_live(api_token=secret)
    api = api_of(runner)
    missing = cli("devices", "--api", api)
    assert missing.exit_code == 1
    one_line_error(missing, "40301", "token is missing", "--token", "TIKRUNNER_API_TOKEN")
    wrong = cli("tasks", "--api", api, "--token", "not-it")
    assert wrong.exit_code == 1
    one_line_error(wrong, "token is wrong")
    assert cli("devices", "--api", api, "--token", secret).exit_code == 0
    by_env = cli("tasks", "--api", api, TIKRUNNER_API_TOKEN=secret)
    assert by_env.exit_code == 0 and secret not in by_env.output
    config = tmp_path / "views.yaml"
    address = runner.runner.http_address
    config.write_text(f"http: {address.host}:{address.port}\napi_token: {secret}\n")
    listed = cli("devices", "--config", str(config), "-o", "json")
    assert listed.exit_code == 0, listed.output
    assert [d["serial"] for d in json.loads(listed.stdout)["list"]] == runner.serials
    for result in (missing, wrong, listed):
        assert secret not in result.output
    assert secret not in repr(Target(base=api, token=secret, source="--api"))


def test_a_running_warmups_progress_shows_in_tasks_task_and_top(live):
    body = {
        "serials": ["sim-0003"],
        "script_name": "account_warmup",
        # long enough to be still running after three views on a loaded machine; stopped after
        "script_config": {"task_duration": 60, "min_duration": 0.3, "max_duration": 0.6},
    }
    [task_id] = data(live.client.post("/task", json=body))["task_ids"]

    def measured() -> dict | None:
        task = live.task(task_id)
        assert task["status"] in (0, 1), task  # still running when we look
        return task if task["status"] == 1 and (task["progress"] or {}).get("fraction") else None

    live.wait(measured, what="a measured progress")
    api = api_of(live)
    listed = cli("tasks", "--api", api, "--status", "running", "--script", "account_warmup")
    frame = cli("top", "--api", api, "--iterations", "1")
    shown = cli("task", str(task_id), "--api", api, "--tail", "0")
    assert live.task(task_id)["status"] == 1  # all three looked while it ran
    # the task's row, not the footer "1 of 1 tasks" when its id is 1
    [row] = [
        line
        for line in listed.stdout.splitlines()
        if line.split()[:1] == [str(task_id)] and not line.endswith(" tasks")
    ]
    assert "running" in row and "watched " in row and "%)" in row
    [phone] = [line for line in frame.stdout.splitlines() if line.startswith("sim-0003 ")]
    assert f"#{task_id}" in phone and "watched " in phone
    assert re.search(r"%\)\s+[━─#.]{12}\s", phone), phone  # the progress text, then its bar
    assert "progress:" in shown.stdout and "watched " in shown.stdout
    data(live.client.post(f"/task/{task_id}/stop"))
    live.wait_status(task_id, 3, timeout=30)


def test_progress_is_shown_when_the_task_reports_one():
    assert progress_text(None) == "" and progress_text({}) == ""
    report = {"text": "watched 12 videos, 240 of 600 s", "fraction": 0.4, "updated": "x"}
    assert progress_text(report) == "watched 12 videos, 240 of 600 s (40%)"
    assert progress_text({"text": "tap Follow", "fraction": None}) == "tap Follow"
    assert progress_text({"fraction": float("nan")}) == ""
    assert (
        progress_text({"text": "\x1b[31mred\x1b[0m", "fraction": 2})
        == "\\x1b[31mred\\x1b[0m (100%)"
    )
    task = {"id": 7, "status": 1, "status_text": "running", "serial": "s", "progress": report}
    out = io.StringIO()
    Console(file=out, width=200).print(tasks_table([task, task | {"progress": None}]))
    assert "watched 12 videos, 240 of 600 s (40%)" in out.getvalue()


@pytest.mark.parametrize(
    "text, base",
    [
        ("127.0.0.1:50809", "http://127.0.0.1:50809"),
        ("http://farm.lan:8080/", "http://farm.lan:8080"),
        ("https://farm.lan/api/v1", "https://farm.lan"),
        ("[::1]:50809", "http://[::1]:50809"),
    ],
)
def test_api_addresses_as_people_type_them(text, base):
    assert ApiClient(Target(base=base, token=None, source="--api")).url("/task", {"page": 1}) == (
        f"{base}/api/v1/task?page=1"
    )
    from runner.views_cli import normalise_api

    assert normalise_api(text) == base


def test_an_ended_task_shows_its_remark_not_its_last_step():
    """A completed follow's last progress is "tap Follow": shown beside "completed" it read as if
    the task were still tapping. Ended tasks show their remark."""
    done = {
        "id": 8,
        "status": 2,
        "status_text": "completed",
        "serial": "s",
        "remark": "",
        "progress": {"text": "tap Follow", "fraction": None},
    }
    failed = done | {"id": 9, "status": 3, "status_text": "failed", "remark": "no such user"}
    out = io.StringIO()
    Console(file=out, width=200).print(tasks_table([done, failed]))
    assert "tap Follow" not in out.getvalue() and "no such user" in out.getvalue()


def test_accounts_shows_counts_against_limits_a_cool_down_and_working_hours(make_live):
    """Issue 14 item 4: a follow TikTok pushed back cools its account down, shown with its end
    and TikTok's words; an account at its own limit, one outside its working hours, one ready;
    the task held by the cool-down shows why in ``tasks``."""
    from datetime import UTC, datetime, timedelta

    from runner.config import Account
    from runner.sim.tiktok.pushback import PushBackRule
    from runner.views_cli import clock

    opens = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    night = f"{opens:%H:%M}-{opens + timedelta(hours=1):%H:%M}"
    live = make_live(
        limits={"follow": {"per_hour": 30, "per_day": 150}},
        cooldown="2h",
        accounts=[
            Account(username="night_owl", serial="sim-0001", working_hours=[night]),
            Account(username="sim_user_2", serial="sim-0002", limits={"follow": {"per_day": 1}}),
        ],
    )
    live.sim.phone("sim-0003").push_back = PushBackRule("toast", 1, 3600.0)  # the 2nd follow
    post = lambda serial, who: data(live.client.post("/task", json=follow_body(serial, who)))  # noqa: E731
    [first] = post("sim-0003", "pb_one")["task_ids"]
    [capped] = post("sim-0002", "cap_one")["task_ids"]
    live.wait_status(first, 2, timeout=30)
    live.wait_status(capped, 2, timeout=30)
    [pushed] = post("sim-0003", "pb_two")["task_ids"]
    failed = live.wait_status(pushed, 3, timeout=30)
    assert "You're following too fast" in failed["remark"], failed
    [held] = post("sim-0003", "pb_three")["task_ids"]
    live.wait(lambda: "cooling down" in (live.task(held)["remark"] or ""), what="the hold")

    api = api_of(live)
    result = cli("accounts", "--api", api)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ACCOUNT", "PHONE", "STATE", "ACTIONS", "HOURS"]
    rows = {line.split()[0]: " ".join(line.split()) for line in lines[1:] if line.strip()}
    api_accounts = {a["username"]: a for a in data(live.client.get("/accounts"))["list"]}
    cool = api_accounts["sim_user_3"]["safety"]["cool_down"]
    assert rows["sim_user_3"] == (
        f"sim_user_3 sim-0003 cooling down until {clock(cool['until'])} "
        "(You're following too fast) follow 2/30h 2/150d -"  # both attempted before the tap
    )
    assert rows["sim_user_2"] == "sim_user_2 sim-0002 at follow limit 1/day follow 1/30h 1/1d -"
    assert rows["night_owl"] == (
        f"night_owl sim-0001 outside working hours (next {clock(f'{opens:%Y-%m-%d %H:%M:%S}')}) "
        f"follow 0/30h 0/150d {night}"
    )
    assert rows["sim_user_1"] == "sim_user_1 sim-0001 ready follow 0/30h 0/150d -"

    one = cli("accounts", "@SIM_USER_3", "--api", api, "-o", "json")
    assert one.exit_code == 0 and json.loads(one.stdout) == api_accounts["sim_user_3"]
    listed = load_yaml_text(
        cli("accounts", "--api", api, "--serial", "sim-0001", "-o", "yaml").stdout
    )
    assert {a["username"] for a in listed["list"]} == {"night_owl", "sim_user_1"}
    assert listed["total"] == 2
    unknown = cli("accounts", "nobody", "--api", api)
    assert unknown.exit_code == 1 and unknown.stdout == ""
    one_line_error(unknown, "no account 'nobody'")

    # the task the cool-down holds back says why where tasks are looked at
    pending = cli("tasks", "--api", api, "--status", "pending")
    [row] = [line for line in pending.stdout.splitlines() if line.split()[:1] == [str(held)]]
    assert "waiting: @sim_user_3 cooling down (You're following too fast); next at" in row
    assert "cooling down" in cli("task", str(held), "--api", api, "--tail", "0").stdout
