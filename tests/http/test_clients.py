"""What many clients at once, the vendor's own example bodies, the API token and the command line
look like from the outside."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from runner.config import RunnerConfig
from runner.http.server import HttpBindError, check_bind
from tests.http.conftest import data, error, follow_body
from tests.serving import example
from tests.test_intake import EXPECTED_TASKS, localize


def test_fifty_concurrent_creates_get_distinct_ids_and_exact_stats(fresh):
    serials = fresh.serials

    def create(n: int) -> list[int]:
        with httpx.Client(base_url=fresh.base_url, timeout=30) as client:
            body = follow_body(serials[n % 3], *[f"c{n}_{i}" for i in range(n % 3 + 1)])
            body["start_time"] = "00:00" if n % 2 else None  # some scheduled, some due now
            if body["start_time"] is None:
                del body["start_time"]
            answer = data(client.post("/task", json=body))
            assert answer["created_count"] == n % 3 + 1
            return answer["task_ids"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(create, range(50)))
    ids = [i for batch in batches for i in batch]
    expected = sum(n % 3 + 1 for n in range(50))
    assert len(ids) == len(set(ids)) == expected
    for batch in batches:  # one request's tasks are consecutive, in job_count order
        assert batch == list(range(batch[0], batch[0] + len(batch)))
    stats = data(fresh.client.get("/task/stats"))
    assert stats["total"] == expected
    assert sum(stats[k] for k in ("pending", "running", "completed", "failed")) == expected
    page = data(fresh.client.get("/task", params={"page_size": 100, "source": "api"}))
    assert page["total"] == expected


@pytest.mark.parametrize("name", sorted(EXPECTED_TASKS))
def test_vendor_example_bodies_are_accepted_with_the_documented_fan_out(live, name, tmp_path):
    body = example(name, live.serials)
    folder = live.config.upload_folder / name
    folder.mkdir()
    body = localize(body, folder)  # real files (in the upload folder) for the docs' Windows paths
    answer = data(live.client.post("/task", json=body))
    assert answer["created_count"] == EXPECTED_TASKS[name] == len(answer["task_ids"])
    tasks = [live.task(i) for i in answer["task_ids"]]
    assert [t["job_count"] for t in tasks] == list(range(EXPECTED_TASKS[name]))
    assert {t["script_name"] for t in tasks} == {body["script_name"]}


# ----------------------------------------------------------------------------- the token

TOKEN = "tok-3f9a-do-not-log"


def test_with_a_token_requests_without_it_are_40301(make_live, caplog):
    with caplog.at_level(logging.DEBUG):
        live = make_live(api_token=TOKEN)
        url = live.base_url
        with httpx.Client(base_url=url) as bare:
            error(bare.get("/task/stats"), 40301)
            error(bare.post("/task", json=follow_body("sim-0001")), 40301)
            error(bare.get("/task/stats", headers={"Authorization": "Bearer wrong"}), 40301)
            error(bare.get("/task/stats", headers={"Authorization": TOKEN}), 40301)
            error(bare.get("/nowhere"), 40301)  # no hints about routes without the token
            data(bare.get("/task/stats", headers={"Authorization": f"Bearer {TOKEN}"}))
            data(bare.get("/task/stats", headers={"X-API-Token": TOKEN}))
            data(bare.get("/task/stats", params={"token": TOKEN}))
            data(bare.get("/license/check", headers={"authorization": f"bearer {TOKEN}"}))
            # the API's description is open: it carries no data
            assert bare.get(url.removesuffix("/api/v1") + "/openapi.json").status_code == 200
        data(live.client.post("/task", json=follow_body("sim-0001", "t")))
    server_side = [
        r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("runner", "hypercorn")
    ]
    assert server_side and not [line for line in server_side if TOKEN in line]


def test_env_token_and_the_loopback_rule():
    assert check_bind(RunnerConfig(http="127.0.0.1:50809")) == ("127.0.0.1", 50809)
    assert check_bind(RunnerConfig(http="localhost:1")) == ("localhost", 1)
    assert check_bind(RunnerConfig(http="[::1]:2")) == ("::1", 2)
    assert check_bind(RunnerConfig(http="0.0.0.0:3", api_token="x")) == ("0.0.0.0", 3)
    for address in ("0.0.0.0:50809", "[::]:50809", "192.0.2.1:80"):
        with pytest.raises(HttpBindError, match="without an API token"):
            check_bind(RunnerConfig(http=address))
    for bad in ("50809", "host:", "host:99999", ":80"):
        with pytest.raises(HttpBindError, match="HOST:PORT"):
            check_bind(RunnerConfig(http=bad))


# ---------------------------------------------------------------------------- the command


def serve(tmp_path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runner.cli", "serve", "--spool", str(tmp_path / "spool"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "ADBUTILS_ADB_PATH": "/bin/false", **(env or {})},
        cwd=tmp_path,
    )


def test_serve_on_a_taken_port_says_so_in_one_line_and_exits_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve(tmp_path, "--adb", "127.0.0.1:9", "--http", f"127.0.0.1:{port}")
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("tikrunner:")]
    assert lines == [
        f"tikrunner: HTTP API: port {port} on 127.0.0.1 is already in use (another tikrunner "
        "or TikMatrix?); choose another with --http HOST:PORT or turn the API off with --no-http"
    ]
    assert "Traceback" not in done.stderr


def test_serve_off_loopback_without_a_token_refuses_to_start(tmp_path):
    done = serve(tmp_path, "--http", "0.0.0.0:50809", env={"TIKRUNNER_API_TOKEN": ""})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "tikrunner: HTTP API: refusing to listen on 0.0.0.0:50809 without an API token: that "
        "address is reachable from other machines; set api_token in the config (or "
        "TIKRUNNER_API_TOKEN), or listen on 127.0.0.1"
    ]
    assert not (tmp_path / "spool").exists()  # refused before anything was touched
