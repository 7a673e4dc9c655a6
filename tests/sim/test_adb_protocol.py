"""The fake adb server as adbutils sees it: host services, device selection errors, shell, sync."""

from __future__ import annotations

import io
import stat

import adbutils
import pytest
import trio

from runner.sim import SimFarm


def test_server_version_is_41_so_adbutils_uses_tport(adb: adbutils.AdbClient):
    assert adb.server_version() == 41


def test_devices_lists_every_phone_with_its_state(adb: adbutils.AdbClient, farm: SimFarm):
    farm.phone("sim-0002").set_state("unauthorized")
    farm.phone("sim-0003").set_state("absent")
    assert [(i.serial, i.state) for i in adb.list()] == [
        ("sim-0001", "device"),
        ("sim-0002", "unauthorized"),
    ]
    [first, _] = adb.list(extended=True)
    assert first.tags["transport_id"] == "1"
    assert first.tags["model"] == "Pixel_6"
    assert [d.serial for d in adb.device_list()] == ["sim-0001"]


def test_track_devices_reports_state_changes_and_removal(adb: adbutils.AdbClient, farm: SimFarm):
    events = adb.track_devices()
    first = {(e.present, e.serial, e.status) for e in (next(events) for _ in range(3))}
    assert first == {(True, f"sim-000{n}", "device") for n in (1, 2, 3)}

    farm.phone("sim-0002").set_state("offline")
    changed = {(e.present, e.serial, e.status) for e in (next(events) for _ in range(2))}
    assert changed == {(False, "sim-0002", "absent"), (True, "sim-0002", "offline")}

    farm.phone("sim-0002").set_state("absent")
    assert next(events).__dict__ == {"present": False, "serial": "sim-0002", "status": "absent"}

    farm.phone("sim-0002").set_state("device")
    assert next(events).__dict__ == {"present": True, "serial": "sim-0002", "status": "device"}


def test_unknown_serial_is_refused_in_adbs_words(adb: adbutils.AdbClient):
    with pytest.raises(adbutils.AdbError, match="device 'nope' not found"):
        adb.device("nope").shell("echo hi")
    with pytest.raises(adbutils.AdbError, match="device 'nope' not found"):
        adb.device("nope").get_state()


@pytest.mark.parametrize(
    ("state", "words"),
    [("offline", "device offline"), ("unauthorized", "device unauthorized.\nThis adb server's")],
)
def test_offline_or_unauthorized_phone_refuses_services(adb, farm, state, words):
    farm.phone("sim-0001").set_state(state)
    dev = adb.device("sim-0001")
    with pytest.raises(adbutils.AdbError) as err:
        dev.shell("echo hi")
    assert str(err.value).startswith(words)
    with pytest.raises(adbutils.AdbError, match=words.split("\n")[0]):
        dev.get_state()
    farm.phone("sim-0001").set_state("device")
    assert dev.shell("echo back") == "back"


def test_transport_id_and_get_state_forms(adb: adbutils.AdbClient):
    dev = adb.device(transport_id=2)
    assert dev.shell("getprop ro.serialno") == "sim-0002"
    assert dev.get_state() == "device"
    assert "shell_v2" in adb.device("sim-0001").get_features().split(",")


def test_shell_v1_exit_codes_come_back_through_x4exit(adb: adbutils.AdbClient):
    dev = adb.device("sim-0001")
    assert dev.shell2("echo hi").__dict__ | {"command": None} == {
        "command": None, "returncode": 0, "output": "hi\n", "stdout": "", "stderr": ""
    }  # fmt: skip
    assert dev.shell2("false").returncode == 1
    missing = dev.shell2("frobnicate --now")
    assert missing.returncode == 127
    assert missing.output == "/system/bin/sh: frobnicate: inaccessible or not found\n"


def test_shell_v2_keeps_stdout_stderr_apart_and_in_order(adb: adbutils.AdbClient):
    r = adb.device("sim-0001").shell2("echo one; echo two >&2; echo three; exit 3", v2=True)
    assert (r.returncode, r.stdout, r.stderr) == (3, "one\nthree\n", "two\n")
    assert r.output == "one\ntwo\nthree\n"


def test_sync_push_stat_list_pull_round_trip(adb: adbutils.AdbClient, farm: SimFarm, tmp_path):
    sync = adb.device("sim-0001").sync
    payload = bytes(range(256)) * 1000  # several DATA chunks
    assert sync.push(io.BytesIO(payload), "/sdcard/DCIM/Camera/clip.mp4", 0o644) == len(payload)

    info = sync.stat("/sdcard/DCIM/Camera/clip.mp4")
    assert (info.size, stat.S_ISREG(info.mode)) == (len(payload), True)
    assert sync.stat("/sdcard/nothing").mtime is None
    assert "clip.mp4" in [e.path for e in sync.list("/sdcard/DCIM/Camera")]

    assert sync.read_bytes("/storage/emulated/0/DCIM/Camera/clip.mp4") == payload
    sync.pull("/sdcard/DCIM/Camera/clip.mp4", tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == payload
    with pytest.raises(adbutils.AdbError, match="No such file or directory"):
        sync.read_bytes("/sdcard/nothing")
    assert ("SEND", "/sdcard/DCIM/Camera/clip.mp4") in farm.phone("sim-0001").sync_log


def test_pushing_outside_writable_roots_fails(adb: adbutils.AdbClient):
    with pytest.raises(adbutils.AdbError, match="FAIL"):
        adb.device("sim-0001").sync.push(b"x", "/system/bin/evil")


def test_serve_reports_its_real_port_and_stops_when_cancelled():
    farm = SimFarm(1)

    async def main() -> int:
        async with trio.open_nursery() as nursery:
            host, port = await nursery.start(farm.serve)
            client = adbutils.AdbClient(host, port, socket_timeout=5)
            version = await trio.to_thread.run_sync(client.server_version)
            nursery.cancel_scope.cancel()
            return version if port else 0

    assert trio.run(main) == 41
