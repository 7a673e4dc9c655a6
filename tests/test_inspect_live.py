"""``tikrunner inspect --serial`` on a live (simulated) phone through a real adb client, and the
simulator's screens recognised with the same names as real phones' dumps, in every build and
language it models."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import adbutils
import pytest
import uiautomator2 as u2

from runner.devices.hierarchy import Hierarchy
from runner.scripts.inspect import inspect_hierarchy
from runner.scripts.matcher import load_selectors
from runner.sim import SimFarm

PKG = "com.zhiliaoapp.musically"
S1 = "sim-0001"


def test_inspect_a_live_phone_saves_the_dump_and_a_screenshot(tmp_path):
    farm = SimFarm(1, seed=71, locale="fr-FR")
    with farm.running(port=0) as (host, port):
        d = adbutils.AdbClient(host, port).device(S1)
        d.shell(["monkey", "-p", PKG, "-c", "android.intent.category.LAUNCHER", "1"])
        out = subprocess.run(
            [sys.executable, "-m", "runner.cli", "inspect", "--serial", S1, "--adb",
             f"{host}:{port}", "--save", str(tmp_path / "shot"), "--json"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "ADBUTILS_ADB_PATH": "/bin/false"},
        )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["screen"], data["locale"]) == ("home", "fr")
    assert data["elements"]["like_button"]["content_desc"].startswith("Attribuer un «")
    assert (tmp_path / "shot" / "hierarchy.xml").stat().st_size > 50_000  # a real-sized dump
    assert (tmp_path / "shot" / "screenshot.png").read_bytes()[:4] == b"\x89PNG"


def test_inspect_of_a_phone_that_is_not_there_is_one_line_and_exit_1():
    farm = SimFarm(1, seed=72)
    with farm.running(port=0) as (host, port):
        out = subprocess.run(
            [sys.executable, "-m", "runner.cli", "inspect", "--serial", "nope", "--adb",
             f"{host}:{port}"],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "ADBUTILS_ADB_PATH": "/bin/false"},
        )  # fmt: skip
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and "nope" in out.stderr


def _center(report, name):
    b = report.elements[name].bounds
    return (b[0] + b[2]) // 2, (b[1] + b[3]) // 2


@pytest.mark.parametrize("build", ["43.1.4", "46.9.3", "47.0.3"])
@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_simulator_screens_are_recognised_like_real_ones(build, locale):
    farm = SimFarm(1, seed=73, locale=locale, app_version=build)
    book = load_selectors()
    lang = locale[:2]
    farm.phone(S1).tiktok.feed_plan = ["video"]
    with farm.running(port=0) as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port).device(S1))

        def look():
            return inspect_hierarchy(Hierarchy.parse(d.dump_hierarchy()), book)

        d.shell(["monkey", "-p", PKG, "-c", "android.intent.category.LAUNCHER", "1"])
        home = look()
        assert (home.screen, home.locale, home.missing) == ("home", lang, [])
        d.click(*_center(home, "comments_button"))
        sheet = look()
        assert (sheet.screen, sheet.locale) == ("comments", lang)
        assert {"comment_field", "comment_post"} <= set(sheet.elements)
        d.press("back")
        d.click(*_center(look(), "profile_tab"))
        assert look().screen == "own_profile"
        d.shell(["am", "start", "-a", "android.intent.action.VIEW", "-d",
                 "https://www.tiktok.com/@alice", "-p", PKG])  # fmt: skip
        profile = look()
        assert (profile.screen, profile.locale) == ("profile", lang)
        assert "follow_button" in profile.elements and "following_button" not in profile.elements
