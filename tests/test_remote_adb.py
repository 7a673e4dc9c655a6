"""Phones on another PC (issue 12, item 5; README "Phones on other PCs"): an adb server listening
on every interface, as ``adb -a`` on a phone PC, reached by ``--adb HOST:PORT`` with HOST that PC's
address or name, not loopback's 127.0.0.1; the simulated farm runs in its own process, as phones
on another PC do."""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from runner.config import Account
from tests.http.conftest import LiveRunner, data, follow_body

ENV = {**os.environ, "ADBUTILS_ADB_PATH": "/bin/false"}
SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


def non_loopback_ipv4() -> str | None:
    """An IPv4 address of this machine that is not 127.x (eth0's, say), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()))
            except OSError:
                continue  # no IPv4 address on this interface
            address = socket.inet_ntoa(packed[20:24])
            if not address.startswith("127."):
                return address
    return None


@contextmanager
def phone_pc(tmp_path: Path, listen: str) -> Iterator[tuple[int, Path, subprocess.Popen]]:
    """``tikrunner sim`` listening on ``listen`` (``0.0.0.0``: every interface, what ``adb -a``
    does; an address: that interface only, ``adb -L tcp:ADDRESS:5037``), prefix ``r-``, one phone:
    its port, ground truth file and process."""
    truth = tmp_path / "truth.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner.cli", "sim", "--devices", "1", "--port", "0",
         "--host", listen, "--serial-prefix", "r-", "--ground-truth", str(truth)],
        stdout=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        m = re.search(rf"on {re.escape(listen)}:(\d+), 1 phones: r-0001", line)
        assert m, line
        yield int(m.group(1)), truth, proc
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("host", ["address", "name"])
def test_a_runner_drives_the_phones_of_an_adb_server_on_another_host(tmp_path, host):
    if host == "address":  # listening on that address only: loopback's 127.0.0.1 would not do
        listen = where = non_loopback_ipv4()
        if where is None:
            pytest.skip("this machine has no IPv4 address but loopback's")
    else:  # every interface, reached by a name the runner resolves, as `phonepc` would be
        listen, where = "0.0.0.0", "localhost"
    with phone_pc(tmp_path, listen) as (port, truth, proc):
        adb = f"{where}:{port}"
        account = Account(username="r_user_1", serial="r-0001")
        live = LiveRunner(tmp_path, simulate=0, adb=[adb], accounts=[account]).start()
        try:

            def devices() -> list[tuple[str, str, str]]:
                listed = data(live.client.get("/devices"))["list"]
                return [(d["serial"], d["state"], d["adb_server"]) for d in listed]

            live.wait(lambda: devices() == [("r-0001", "device", adb)], what=f"r-0001 on {adb}")
            body = follow_body("r-0001", "far_away")
            [task_id] = data(live.client.post("/task", json=body))["task_ids"]
            assert live.wait_status(task_id, 2, timeout=60)["serial"] == "r-0001"
        finally:
            live.stop()
        proc.send_signal(signal.SIGTERM)  # the ground truth file is complete once the farm stops
        assert proc.wait(timeout=10) == 0
    facts = json.loads(truth.read_text())
    assert facts["r-0001"]["accounts"]["r_user_1"]["following"] == ["far_away"]
