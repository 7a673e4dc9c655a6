"""Device tracking as an operator sees it: an adb server that cannot be reached is said at once,
retried with a growing back-off and shown; phones that leave adb are named with their state."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import adbutils
import pytest
from adbutils.errors import AdbConnectionError

from runner import workers
from runner.devices.adb import LOCAL_DEFAULT_ADB, AdbServerClient, adb_client
from runner.sim import SimFarm
from tests.http.conftest import LiveRunner
from tests.net import free_port

FOLLOW = {"script_name": "follow", "script_config": {"target_users": ["a", "b", "c"]}}


def recording_adb(tmp_path: Path, monkeypatch) -> Path:
    """An ``adb`` for adbutils to run (``ADBUTILS_ADB_PATH``) that records each run's arguments
    in the file returned and fails, as a missing server binary would."""
    adb, runs = tmp_path / "adb", tmp_path / "adb-runs"
    adb.write_text(f'#!/bin/sh\necho "$@" >> {runs}\nexit 1\n')
    adb.chmod(0o755)
    monkeypatch.setenv("ADBUTILS_ADB_PATH", str(adb))
    return runs


def test_a_device_call_that_finds_a_remote_adb_server_gone_starts_no_adb_server(
    tmp_path, monkeypatch
):
    runs = recording_adb(tmp_path, monkeypatch)
    sim = SimFarm(1, seed=4)
    with sim.running("127.0.0.1", 0) as (host, port):
        ours = adb_client(f"{host}:{port}", socket_timeout=10)
        plain = adbutils.AdbClient(host, port, socket_timeout=10)  # adbutils' own, to compare
        assert isinstance(ours, AdbServerClient) and not ours.starts_server
        phone, theirs = ours.device("sim-0001"), plain.device("sim-0001")
        assert phone.shell("echo hi").strip() == theirs.shell("echo hi").strip() == "hi"
    # the server is gone (as a phone PC switched off): the next call says so ...
    with pytest.raises(AdbConnectionError, match="connect to adb server failed"):
        phone.shell("echo hi")
    assert not runs.exists()  # ... and nothing was started on this PC
    with pytest.raises(adbutils.AdbError):
        theirs.shell("echo hi")
    assert runs.read_text().split() == ["start-server"]  # what adbutils alone would have run


def test_only_adbs_default_local_address_may_start_a_local_adb_server(tmp_path, monkeypatch):
    assert {f"{c.host}:{c.port}" for c in map(adb_client, LOCAL_DEFAULT_ADB)} == set(
        LOCAL_DEFAULT_ADB
    )
    assert all(adb_client(a).starts_server for a in LOCAL_DEFAULT_ADB)
    assert not adb_client(f"127.0.0.1:{free_port()}").starts_server
    assert not adb_client("192.0.2.7:5037").starts_server  # another PC's default port
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 5037)) == 0:
            pytest.skip("an adb server already answers on 127.0.0.1:5037 here")
    runs = recording_adb(tmp_path, monkeypatch)
    with pytest.raises(adbutils.AdbError):
        adb_client("127.0.0.1:5037").device("any").shell("true")
    assert runs.read_text().split() == ["start-server"]  # as adb itself does (README)


def unreachable_lines(caplog, level: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "runner.workers"
        and r.levelno == level
        and r.getMessage().startswith("adb server")
        and "unreachable" in r.getMessage()
    ]


def test_an_unreachable_adb_server_is_said_at_once_retried_with_back_off_and_shown(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(workers, "ADB_RETRY_MIN", 0.05)
    monkeypatch.setattr(workers, "ADB_RETRY_MAX", 0.4)
    # adbutils runs `adb start-server` when it cannot connect: never for a non-default address.
    runs = recording_adb(tmp_path, monkeypatch)
    caplog.set_level(logging.DEBUG, logger="runner.workers")
    port = free_port()
    address = f"127.0.0.1:{port}"
    live = LiveRunner(tmp_path, simulate=0, adb=[address]).start()
    try:
        farm = live.runner.farm
        server = live.wait(lambda: farm.adb_servers.get(address), what="the adb server's state")
        live.wait(lambda: server.failures >= 5, what="five failed connections")
        assert server.reachable is False
        assert "Connection refused" in server.last_error
        assert server.next_retry is not None
        # Said once at WARNING (the same reason again is not repeated), then each retry at DEBUG
        # with a delay that doubles up to the cap.
        warned = unreachable_lines(caplog, logging.WARNING)
        assert len(warned) == 1 and warned[0].startswith(f"adb server {address} unreachable: ")
        delays = [
            float(line.rsplit("retrying in ", 1)[1].removesuffix(" s"))
            for line in warned + unreachable_lines(caplog, logging.DEBUG)
        ]
        assert delays[:5] == [0.05, 0.1, 0.2, 0.4, 0.4]

        sim = SimFarm(1, seed=2)
        with sim.running("127.0.0.1", port):
            live.wait(lambda: "sim-0001" in farm.workers, what="a worker for the phone")
            assert server.reachable is True and server.failures == 0
            assert server.next_retry is None
            assert server.devices == {"sim-0001": "device"}
        live.wait(lambda: server.reachable is False, what="the server lost again")
        assert "sim-0001" not in farm.workers
        assert len(unreachable_lines(caplog, logging.WARNING)) == 2  # lost again: said again
    finally:
        live.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert f"adb server {address} reachable again" in messages
    assert not runs.exists()


@pytest.mark.parametrize(
    ("state", "remark"),
    [
        (
            "unauthorized",
            "device sim-0001 unauthorized: accept the USB debugging prompt on the phone",
        ),
        ("offline", "device sim-0001 offline: adb has lost the phone"),
    ],
)
def test_a_phone_leaving_adb_mid_task_fails_its_task_naming_its_state(
    tmp_path, state, remark, caplog
):
    caplog.set_level(logging.INFO, logger="runner.workers")
    live = LiveRunner(tmp_path, simulate=1).start()
    try:
        phone = live.sim.phone("sim-0001")
        phone.latency = 0.2  # slow enough to be caught mid-task
        answer = live.client.post("/task", json={"serials": ["sim-0001"], **FOLLOW}).json()
        task_id = answer["data"]["task_ids"][0]
        live.wait_status(task_id, 1)
        phone.set_state(state)
        task = live.wait_status(task_id, 3)
        assert live.runner.farm.device_state("sim-0001") == state
    finally:
        live.stop()
    assert task["remark"].startswith(remark), task["remark"]


def test_a_task_for_an_unauthorized_phone_fails_after_device_wait_saying_what_to_do(tmp_path):
    live = LiveRunner(tmp_path, simulate=1, device_wait=0.3).start()
    try:
        live.sim.phone("sim-0001").set_state("unauthorized")
        live.wait(lambda: live.runner.farm.device_state("sim-0001") == "unauthorized")
        answer = live.client.post("/task", json={"serials": ["sim-0001"], **FOLLOW}).json()
        task = live.wait_status(answer["data"]["task_ids"][0], 3)
    finally:
        live.stop()
    assert task["remark"] == (
        "device sim-0001 unauthorized: accept the USB debugging prompt on the phone (waited 0.3 s)"
    )
