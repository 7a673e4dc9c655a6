"""Conformance with real adb: the same scenario through the fake adb server and through the real
adb server of the adbutils wheel (``adb connect`` to the phone's device-side port) gives the same
ground truth.

The real server runs on its own free port with its own HOME (keys), and is killed at the end
(``adb -P PORT kill-server``). Skipped, saying why, only when the binary cannot run here.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import adbutils
import pytest
import uiautomator2 as u2

from runner.sim import SimFarm
from tests.net import free_port
from tests.sim.conftest import PKG, open_profile, open_url

ADB = Path(adbutils.__file__).parent / "binaries" / "adb"


def _adb_runs() -> str | None:
    """None when the wheel's adb runs here, else why not."""
    if not ADB.exists():
        return f"no adb binary at {ADB}"
    try:
        r = subprocess.run([str(ADB), "version"], capture_output=True, text=True, timeout=10)
    except OSError as e:
        return f"the wheel's adb cannot run here: {e}"
    if r.returncode != 0:
        return f"the wheel's adb cannot run here: exit {r.returncode} {r.stderr.strip()}"
    return None


@pytest.fixture
def real_adb(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """A real adb server on a free port (its HOME in tmp_path); killed afterwards."""
    why = _adb_runs()
    if why:
        pytest.skip(why)
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path), "ANDROID_USER_HOME": str(tmp_path / ".android"),
           "ADB_MDNS": "0", "ADB_MDNS_AUTO_CONNECT": "0"}  # fmt: skip
    r = subprocess.run([str(ADB), "-P", str(port), "start-server"], env=env, capture_output=True,
                       text=True, timeout=30)  # fmt: skip
    if r.returncode != 0:
        pytest.skip(f"the real adb server does not start here: {r.stderr.strip()}")
    try:
        yield port, env
    finally:
        subprocess.run([str(ADB), "-P", str(port), "kill-server"], env=env, capture_output=True,
                       timeout=30)  # fmt: skip


def scenario(dev: adbutils.AdbDevice) -> dict:
    """u2 connect, follow by taps, like and comment with a pushed image, shell; what was seen."""
    d = u2.connect(dev)
    d.app_start(PKG)
    open_profile(d, "alice")
    d(text="Follow").click()
    assert d(text="Following").exists
    dev.sync.push(b"\x89PNG fake image", "/sdcard/DCIM/Camera/pic.png")
    out = dev.shell(["am", "broadcast", "-a", "android.intent.action.MEDIA_SCANNER_SCAN_FILE",
                     "-d", "file:///sdcard/DCIM/Camera/pic.png"])  # fmt: skip
    open_url(d, "https://www.tiktok.com/@bob/video/7000000000000000042")
    d(descriptionStartsWith="Like video. ").click()
    d(descriptionStartsWith="Read or add comments").click()
    field = "android.widget.EditText"
    d(className=field).click()
    d.send_keys("über cool")
    icons = d(className=field).sibling(className="android.widget.LinearLayout")
    icons.child(className="android.widget.ImageView", instance=1).click()  # attach an image
    d(className="android.widget.GridView").child(
        className="android.widget.FrameLayout", longClickable=True
    )[0].click()
    d(className=field).sibling(className="android.widget.LinearLayout").child(
        className="android.widget.Button"
    ).click()  # send: the Button beside the field (its content-desc is a string id)
    r = dev.shell2("echo hi; ls /sdcard/DCIM/Camera; false")
    return {"broadcast": out, "shell": (r.returncode, r.output), "pulled": dev.sync.read_bytes(
        "/sdcard/DCIM/Camera/pic.png")}  # fmt: skip


def test_same_scenario_same_ground_truth_through_fake_and_real_adb(real_adb):
    port, env = real_adb
    fake_farm = SimFarm(1, seed=21)
    with fake_farm.running() as (host, fport):
        via_fake = scenario(adbutils.AdbClient(host, fport, socket_timeout=10).device("sim-0001"))

    real_farm = SimFarm(1, seed=21)
    with real_farm.running():
        dport = real_farm.listen_adbd("sim-0001")
        serial = f"127.0.0.1:{dport}"
        client = adbutils.AdbClient("127.0.0.1", port, socket_timeout=10)
        assert "connected to" in client.connect(serial, timeout=10)
        deadline = time.monotonic() + 10
        while {d.serial: d.state for d in client.list()}.get(serial) != "device":
            assert time.monotonic() < deadline, client.list()
            time.sleep(0.05)
        r = subprocess.run([str(ADB), "-P", str(port), "-s", serial, "shell", "getprop",
                            "ro.serialno"], env=env, capture_output=True, text=True,
                           timeout=30)  # fmt: skip
        assert r.stdout.strip() == "sim-0001"
        via_real = scenario(client.device(serial))
        client.disconnect(serial)

    assert via_real == via_fake
    assert via_fake["shell"] == (1, "hi\npic.png\n")
    truth = real_farm.ground_truth()
    assert truth == fake_farm.ground_truth()
    acc = truth["sim-0001"]["accounts"]["sim_user_1"]
    assert acc["following"] == ["alice"]
    assert acc["comments"] == [
        {"video_id": "7000000000000000042", "text": "über cool", "image": "pic.png"}
    ]
