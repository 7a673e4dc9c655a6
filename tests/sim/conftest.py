"""Fixtures: a simulated farm served on an ephemeral port, real adbutils and uiautomator2 clients."""

from __future__ import annotations

from collections.abc import Iterator

import adbutils
import pytest
import uiautomator2 as u2

from runner.sim import SimFarm

PKG = "com.zhiliaoapp.musically"


@pytest.fixture
def farm() -> Iterator[SimFarm]:
    """Three phones, seed 7, not yet serving (tests may seed state first)."""
    yield SimFarm(3, seed=7)


@pytest.fixture
def adb(farm: SimFarm) -> Iterator[adbutils.AdbClient]:
    """An adbutils client of the farm's fake adb server (5 s socket timeout, so a bug fails fast)."""
    with farm.running() as (host, port):
        yield adbutils.AdbClient(host, port, socket_timeout=5)


@pytest.fixture
def d(adb: adbutils.AdbClient) -> u2.Device:
    """uiautomator2 connected to sim-0001, TikTok launched."""
    dev = u2.connect(adb.device("sim-0001"))
    dev.app_start(PKG)
    return dev


def open_profile(dev: u2.Device, name: str) -> None:
    """Open a profile the way the runner does: a VIEW intent limited to the app's package."""
    dev.shell(
        [
            "am",
            "start",
            "-a",
            "android.intent.action.VIEW",
            "-d",
            f"https://www.tiktok.com/@{name}",
            "-p",
            PKG,
        ]
    )


def open_url(dev: u2.Device, url: str, package: str = PKG) -> None:
    """A VIEW of ``url`` limited to ``package`` (profiles, videos, short links, music)."""
    dev.shell(["am", "start", "-a", "android.intent.action.VIEW", "-d", url, "-p", package])


def push_media(
    dev: u2.Device, name: str, folder: str = "/sdcard/DCIM/Camera", scan: bool = True
) -> str:
    """Push a small file to the phone and (by default) ask the media store to index it."""
    path = f"{folder}/{name}"
    dev.adb_device.sync.push(b"\x00media:" + name.encode(), path)
    if scan:
        out = dev.shell(["am", "broadcast", "-a", "android.intent.action.MEDIA_SCANNER_SCAN_FILE",
                         "-d", f"file://{path}"]).output  # fmt: skip
        assert "Broadcast completed: result=0" in out
    return path
