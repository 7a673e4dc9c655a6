"""``tikrunner sim`` as a process, and the slow-phone fault."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import adbutils

from runner.sim import SimFarm


def test_tikrunner_sim_says_where_it_listens_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner.cli", "sim", "--devices", "2", "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "ADBUTILS_ADB_PATH": "/bin/false"},
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        m = re.search(r"on 127\.0\.0\.1:(\d+), 2 phones: sim-0001, sim-0002", line)
        assert m, line
        client = adbutils.AdbClient("127.0.0.1", int(m.group(1)), socket_timeout=5)
        assert [d.serial for d in client.device_list()] == ["sim-0001", "sim-0002"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()


def test_latency_slows_every_reply_of_that_phone_only():
    farm = SimFarm(2)
    farm.phone("sim-0001").latency = 0.2
    with farm.running() as (host, port):
        client = adbutils.AdbClient(host, port, socket_timeout=5)
        start = time.monotonic()
        assert client.device("sim-0001").shell("echo slow") == "slow"
        slow = time.monotonic() - start
        start = time.monotonic()
        assert client.device("sim-0002").shell("echo fast") == "fast"
        fast = time.monotonic() - start
    assert slow >= 0.2 > fast
