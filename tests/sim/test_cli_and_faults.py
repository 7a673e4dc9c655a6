"""``tikrunner sim`` as a process, and the slow-phone fault."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import adbutils

from runner.sim import SimFarm
from tests.sim.conftest import PKG


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


def test_tikrunner_sim_options_and_ground_truth_file(tmp_path):
    truth_file = tmp_path / "truth.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner.cli", "sim", "--devices", "1", "--port", "0", "--seed", "3",
         "--popup-rate", "0", "--latency-ms", "1,2", "--app-version", "47.0.3",
         "--ground-truth", str(truth_file)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "ADBUTILS_ADB_PATH": "/bin/false"},
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        port = int(re.search(r":(\d+), 1 phones", line).group(1))
        dev = adbutils.AdbClient("127.0.0.1", port, socket_timeout=5).device("sim-0001")
        assert dev.app_info(PKG).version_name == "47.0.3"
        dev.shell(["am", "start", "-a", "android.intent.action.VIEW", "-d",
                   "https://www.tiktok.com/@kim", "-p", PKG])  # fmt: skip
        dev.shell(["input", "tap", "345", "636"])  # the follow control (tt4703's profile)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if truth_file.exists() and '"kim"' in truth_file.read_text():
                break
            time.sleep(0.05)
        truth = json.loads(truth_file.read_text())
        assert truth["sim-0001"]["accounts"]["sim_user_1"]["following"] == ["kim"]
        assert truth["sim-0001"]["app_version"] == "47.0.3"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()


def test_latency_model_adds_seeded_jitter_that_never_touches_the_model():
    a, b = SimFarm(1, seed=4, latency=0.01, jitter=0.02), SimFarm(1, seed=4)
    delays = [a.phone("sim-0001").delay() for _ in range(50)]
    assert all(0.01 <= x <= 0.03 for x in delays) and len(set(delays)) > 10
    assert a.phone("sim-0001").rng.random() == b.phone("sim-0001").rng.random()
