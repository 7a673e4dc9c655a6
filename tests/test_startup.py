"""Starting up: one runner per spool, and start-up mistakes as one line and exit 2 (real CLI)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from runner.sim import SimFarm
from runner.spoollock import SpoolBusy, SpoolLock
from tests.net import free_port
from tests.serving import Runner

ENV = dict(os.environ, ADBUTILS_ADB_PATH="/bin/false")


def tikrunner(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runner.cli", *args],
        cwd=cwd,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def farm():
    farm = SimFarm(1, seed=3)
    with farm.running(host="127.0.0.1", port=0) as (host, port):
        farm.address = f"{host}:{port}"
        yield farm


def test_a_second_runner_on_the_spool_exits_at_once_naming_the_first_and_its_task_completes(
    tmp_path, farm
):
    accounts = [a.model_dump(mode="json") for a in farm.accounts]
    first = Runner(tmp_path, farm.address, accounts, http=f"127.0.0.1:{free_port()}")
    first.start()
    try:
        phone = farm.phone("sim-0001")
        slow = threading.Lock()
        second_done = False

        def slow_down(phone) -> None:  # the task's app is up: it runs on, slowly, until released
            with slow:
                if not second_done:
                    phone.latency = 2.0  # slow enough to be running however long the second takes

        phone.on_screen("home", slow_down)  # the follow's cold start of the app
        first.drop(
            "one.json",
            {
                "serials": ["sim-0001"],
                "script_name": "follow",
                "script_config": {"target_users": ["a", "b"]},
            },
        )
        first.wait_phase("one", {"running"})
        # Same config: same spool, and its HTTP port is taken by the first runner.
        second = tikrunner("serve", "--config", str(first.config_path), cwd=tmp_path)
        assert first.status("one")["phase"] == "running"
        with slow:
            second_done = True
            phone.latency = 0.0
        status = first.wait_phase("one", {"completed", "failed"})
    finally:
        first_pid = first.proc.pid
        first.stop()
    assert second.returncode == 2
    lines = second.stderr.splitlines()
    assert len(lines) == 1, second.stderr
    assert f"pid {first_pid} on host {socket.gethostname()}" in lines[0]
    assert str(first.spool.absolute()) in lines[0]
    assert [(t["status"], t["remark"]) for t in status["tasks"]] == [(2, "")] * 2


def test_the_spool_lock_is_held_until_released():
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        lock = SpoolLock.acquire(Path(d) / "spool")
        with pytest.raises(SpoolBusy, match=rf"pid {os.getpid()} on host"):
            SpoolLock.acquire(Path(d) / "spool")
        lock.release()
        SpoolLock.acquire(Path(d) / "spool").release()


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        (None, ["--adb", "localhost"], "tikrunner: config: --adb localhost: not an adb server"),
        (None, ["--adb", "127.0.0.1:99999"], "--adb 127.0.0.1:99999: not an adb server address"),
        (None, ["--adb", "[::1]:5037"], "--adb [::1]:5037: an IPv6 address cannot be used"),
        (None, ["--adb", "fd00::2:5037"], "--adb fd00::2:5037: an IPv6 address cannot be used"),
        ("spool: [\n", [], "tikrunner: config: tikrunner.yaml: line 2, column 1: invalid YAML"),
        (
            "device_wait: -1\n",
            [],
            "tikrunner: config: tikrunner.yaml: /device_wait: Input should be greater than or "
            "equal to 0 (got -1)",
        ),
        (
            "devce_wait: 5\n",
            [],
            "tikrunner: config: tikrunner.yaml: /devce_wait: unknown setting (did you mean "
            "device_wait?)",
        ),
        ("adb: [':0']\n", [], "tikrunner: config: tikrunner.yaml: /adb/0: not an adb server"),
    ],
)
def test_a_start_up_mistake_is_one_line_and_exit_2(tmp_path, config, args, expected):
    if config is not None:
        (tmp_path / "tikrunner.yaml").write_text(config, encoding="utf-8")
    result = tikrunner("serve", "--no-http", "--spool", "spool", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("tikrunner: config: ") and expected in result.stderr
    assert "http" not in result.stderr and "<config>" not in result.stderr
    assert not (tmp_path / "spool").exists()  # nothing touched


def test_an_adb_address_in_an_environment_variable_is_named_as_such(tmp_path):
    result = tikrunner("serve", "--no-http", cwd=tmp_path, env={"TIKRUNNER_ADB": "1.2.3.4:5,x"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tikrunner: config: TIKRUNNER_ADB=x: not an adb server address HOST:PORT with a port "
        "from 1 to 65535 (for example 127.0.0.1:5037)"
    ]


def test_sim_on_a_busy_port_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = tikrunner("sim", "--devices", "1", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"tikrunner sim: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert result.stdout == ""
