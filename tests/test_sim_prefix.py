"""``--serial-prefix``: simulated farms that stand side by side behind one runner, never sharing a
serial or an account (runner/sim/naming.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import adbutils
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.config import Account
from runner.sim import SimFarm
from runner.sim.naming import MAX_PREFIX, prefix_problem, serial_of, username_of
from tests.http.conftest import LiveRunner, data

ENV = {**os.environ, "ADBUTILS_ADB_PATH": "/bin/false"}
TIKTOK_USERNAME = re.compile(r"[a-z0-9_.]{2,24}")

prefixes = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z-])?", fullmatch=True)
numbers = st.integers(min_value=1, max_value=9_999_999)


@given(prefixes, numbers, prefixes, numbers)
def test_different_prefixes_or_numbers_never_share_a_serial_or_an_account(p1, n1, p2, n2):
    assert prefix_problem(p1) is None and prefix_problem(p2) is None
    for p, n in ((p1, n1), (p2, n2)):
        assert TIKTOK_USERNAME.fullmatch(username_of(p, n)), username_of(p, n)
    if (p1, n1) != (p2, n2):
        assert serial_of(p1, n1) != serial_of(p2, n2)
        assert username_of(p1, n1) != username_of(p2, n2)


def test_the_default_names_stay_sim_0001_and_sim_user_1():
    farm = SimFarm(2)
    assert farm.serials == ["sim-0001", "sim-0002"]
    assert [a.username for a in farm.accounts] == ["sim_user_1", "sim_user_2"]
    assert serial_of("b-", 12) == "b-0012" and username_of("b-", 12) == "b_user_12"


@pytest.mark.parametrize(
    "prefix", ["", "a b", "a:", "x" * (MAX_PREFIX + 1), "A-", "-a", "a1", "a_", "a.", "é-"]
)
def test_a_prefix_adb_or_tiktok_cannot_carry_is_refused(prefix):
    assert prefix_problem(prefix)
    with pytest.raises(ValueError, match="bad serial prefix"):
        SimFarm(1, serial_prefix=prefix)


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["sim", "--port", "0", "--serial-prefix", "pc 7:"], "tikrunner sim: bad --serial-prefix"),
        (["serve", "--simulate", "1", "--serial-prefix", ""], "tikrunner: bad --serial-prefix"),
    ],
)
def test_a_bad_prefix_stops_the_start_with_one_line_and_exit_2(tmp_path, command, said):
    spool = ["--spool", str(tmp_path / "spool"), "--no-http"] if command[0] == "serve" else []
    done = subprocess.run(
        [sys.executable, "-m", "runner.cli", *command, *spool],
        capture_output=True, text=True, env=ENV, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(said), done.stderr
    assert not (tmp_path / "spool").exists()


@pytest.fixture
def two_farms(tmp_path: Path) -> Iterator[list[tuple[str, Path, subprocess.Popen]]]:
    """Two ``tikrunner sim`` processes, prefixes ``a-`` and ``b-``, two phones each: their adb
    addresses, ground truth files and processes."""
    procs, farms = [], []
    try:
        for prefix in ("a-", "b-"):
            truth = tmp_path / f"{prefix}truth.json"
            proc = subprocess.Popen(
                [sys.executable, "-m", "runner.cli", "sim", "--devices", "2", "--port", "0",
                 "--serial-prefix", prefix, "--ground-truth", str(truth)],
                stdout=subprocess.PIPE, text=True, env=ENV,
            )  # fmt: skip
            procs.append(proc)
            line = proc.stdout.readline()
            m = re.search(rf"on (127\.0\.0\.1:\d+), 2 phones: {prefix}0001, {prefix}0002", line)
            assert m, line
            farms.append((m.group(1), truth, proc))
        yield farms
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_two_farms_behind_one_runner_keep_their_phones_and_accounts_apart(tmp_path, two_farms):
    (a_adb, a_truth, _), (b_adb, b_truth, _) = two_farms
    for address, prefix in ((a_adb, "a-"), (b_adb, "b-")):
        host, _, port = address.rpartition(":")
        client = adbutils.AdbClient(host, int(port), socket_timeout=5)
        assert [d.serial for d in client.device_list()] == [f"{prefix}0001", f"{prefix}0002"]
    # The accounts, as an operator lists them in tikrunner.yaml: named after the serials.
    accounts = [
        Account(username=username_of(p, n), serial=serial_of(p, n)) for p in ("a-", "b-")
        for n in (1, 2)
    ]  # fmt: skip
    live = LiveRunner(tmp_path, simulate=0, adb=[a_adb, b_adb], accounts=accounts).start()
    try:
        serials = ["a-0001", "a-0002", "b-0001", "b-0002"]
        servers = dict.fromkeys(serials[:2], a_adb) | dict.fromkeys(serials[2:], b_adb)

        def devices() -> dict[str, tuple[str, str]]:
            listed = data(live.client.get("/devices"))["list"]
            return {d["serial"]: (d["state"], d["adb_server"]) for d in listed}

        want = {s: ("device", servers[s]) for s in serials}
        live.wait(lambda: devices() == want, what="both farms' phones, each on its own server")
        listed = data(live.client.get("/accounts"))["list"]
        assert [(a["username"], a["device"], a["device_online"]) for a in listed] == [
            ("a_user_1", "a-0001", True), ("a_user_2", "a-0002", True),
            ("b_user_1", "b-0001", True), ("b_user_2", "b-0002", True),
        ]  # fmt: skip
        # Account mode: each username reaches its own phone, on its own farm.
        body = {"usernames": [a.username for a in accounts], "script_name": "follow",
                "script_config": {"target_users": ["kim"], "access_method": "direct"}}  # fmt: skip
        ids = data(live.client.post("/task", json=body))["task_ids"]
        ended = [live.wait_status(i, 2, timeout=60) for i in ids]
        assert {(t["serial"], t["username"]) for t in ended} == {
            (a.serial, a.username) for a in accounts
        }
    finally:
        live.stop()
    for _, _, proc in two_farms:  # the ground truth files are complete once the farms stop
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    # Each farm's accounts followed on their own phones, and nothing of the other farm's.
    for truth, prefix in ((a_truth, "a-"), (b_truth, "b-")):
        facts = json.loads(truth.read_text())
        assert {
            serial: {user: acc["following"] for user, acc in phone["accounts"].items()}
            for serial, phone in facts.items()
        } == {serial_of(prefix, n): {username_of(prefix, n): ["kim"]} for n in (1, 2)}


def test_serve_simulate_names_its_phones_and_accounts_after_the_prefix(tmp_path):
    live = LiveRunner(tmp_path, simulate=2, accounts=[])
    live.runner.serial_prefix = "c-"  # as `tikrunner serve --simulate 2 --serial-prefix c-`
    live.start()
    try:
        listed = data(live.client.get("/accounts"))["list"]
        assert [(a["username"], a["device"]) for a in listed] == [
            ("c_user_1", "c-0001"),
            ("c_user_2", "c-0002"),
        ]
        live.wait(
            lambda: (
                [d["serial"] for d in data(live.client.get("/devices"))["list"]]
                == ["c-0001", "c-0002"]
            ),
            what="the two phones",
        )
    finally:
        live.stop()


def test_serve_says_the_simulated_phones_serials(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner.cli", "serve", "--simulate", "2", "--serial-prefix", "pc-",
         "--no-http", "--spool", str(tmp_path / "spool")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV,
    )  # fmt: skip
    try:
        line = next(ln for ln in proc.stdout if "serving spool" in ln)
        assert "2 simulated phones (pc-0001..pc-0002) on adb 127.0.0.1:" in line, line
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.wait()
