"""Posting through uiautomator2: the media store, the create flow, share intents, sounds."""

from __future__ import annotations

from collections.abc import Iterator

import adbutils
import pytest
import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.clock import ManualClock
from tests.sim.conftest import PKG, open_url, push_media


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def cfarm(clock: ManualClock) -> Iterator[SimFarm]:
    farm = SimFarm(1, seed=11, clock=clock, upload_seconds=4)
    with farm.running() as (host, port):
        farm.client = adbutils.AdbClient(host, port, socket_timeout=5)
        yield farm


@pytest.fixture
def cd(cfarm: SimFarm) -> u2.Device:
    dev = u2.connect(cfarm.client.device("sim-0001"))
    dev.app_start(PKG)
    return dev


def posts(farm: SimFarm) -> list[dict]:
    return farm.ground_truth()["sim-0001"]["accounts"]["sim_user_1"]["posts"]


def publish(d: u2.Device, caption: str) -> None:
    """From the editor: Next, caption, Post, and Publish now when the dialog asks."""
    d(text="Next").click()
    d(description="Describe your post").set_text(caption)
    d(text="Post").click()
    if d(text="Publish now?").exists:
        d(text="Publish now").click()


def test_media_store_lists_scanned_files_newest_first(cd: u2.Device):
    push_media(cd, "a.mp4")
    push_media(cd, "b.jpg", folder="/sdcard/Pictures")
    push_media(cd, "c.mp4", scan=False)
    out = cd.shell(["content", "call", "--uri", "content://media/external/file", "--method",
                    "scan_file", "--arg", "/sdcard/DCIM/Camera/c.mp4"]).output  # fmt: skip
    assert out.startswith("Result: Bundle[")
    cd(description="Create").click()
    cd(text="Upload").click()
    tiles = [
        i["contentDescription"] for i in cd(descriptionMatches=r"(Video|Photo), .*").info_list()
    ]
    assert tiles == ["Video, c.mp4", "Photo, b.jpg", "Video, a.mp4"]
    cd(text="Photos").click()
    assert cd(descriptionMatches=r"(Video|Photo), .*").count == 1


def test_create_flow_posts_a_video_after_the_upload(
    cd: u2.Device, cfarm: SimFarm, clock: ManualClock
):
    push_media(cd, "clip.mp4")
    cd(description="Create").click()
    cd(text="Upload").click()
    assert cd(text="Next").info["enabled"] is False
    cd(description="Select").click()
    assert cd(text="Next").info["enabled"] is True
    cd(text="Next").click()
    cd(text="Add sound").click()
    cd(description="Search sounds").set_text("summer")
    cd(textStartsWith="summer - ").click()
    cd(text="Use this sound").click()
    publish(cd, "hello #fyp")
    assert cd(textStartsWith="Uploading").exists
    assert posts(cfarm) == []  # not before the upload ends
    clock.advance(5)
    assert cd(text="Your post is published").exists
    [post] = posts(cfarm)
    assert post["caption"] == "hello #fyp" and post["media"] == ["clip.mp4"]
    assert post["kind"] == "video" and post["post_way"] == "addButton"
    assert "summer" in post["sound"]["name"]
    cd(text="Profile").click()
    assert cd(description="Post: hello #fyp").exists
    assert cd(text="@sim_user_1").exists


def test_multi_pick_photos_in_order(cd: u2.Device, cfarm: SimFarm, clock: ManualClock):
    for name in ("1.jpg", "2.jpg", "3.jpg"):
        push_media(cd, name)
    cd(description="Create").click()
    cd(text="Upload").click()
    cd(description="Select", instance=2).click()  # 1.jpg (oldest, last)
    cd(description="Select", instance=0).click()  # 3.jpg
    publish_from_gallery = cd(text="Next")
    publish_from_gallery.click()
    publish(cd, "photos")
    clock.advance(10)
    [post] = posts(cfarm)
    assert post["media"] == ["1.jpg", "3.jpg"] and post["kind"] == "images"


def test_share_intent_opens_the_editor_with_the_file(
    cd: u2.Device, cfarm: SimFarm, clock: ManualClock
):
    push_media(cd, "shared.mp4", scan=False)  # a share needs no indexing
    r = cd.adb_device.shell2(["am", "start", "-a", "android.intent.action.SEND", "-t", "video/mp4",
                              "--eu", "android.intent.extra.STREAM",
                              "file:///sdcard/DCIM/Camera/shared.mp4", "-p", PKG])  # fmt: skip
    assert r.returncode == 0 and "(has extras)" in r.output
    assert cd(text="Add sound").exists
    publish(cd, "shared it")
    clock.advance(10)
    [post] = posts(cfarm)
    assert post["post_way"] == "share" and post["media"] == ["shared.mp4"]


def test_share_of_a_missing_file_says_so(cd: u2.Device, cfarm: SimFarm):
    cd.shell(["am", "start", "-a", "android.intent.action.SEND", "-t", "video/mp4", "--eu",
              "android.intent.extra.STREAM", "file:///sdcard/nope.mp4", "-p", PKG])  # fmt: skip
    assert cd(textStartsWith="Couldn't import").exists


def test_am_has_no_uri_array_extra_like_android(cd: u2.Device):
    r = cd.adb_device.shell2(["am", "start", "-a", "android.intent.action.SEND_MULTIPLE", "-t",
                              "image/*", "--eua", "android.intent.extra.STREAM",
                              "file:///sdcard/a.jpg,file:///sdcard/b.jpg", "-p", PKG])  # fmt: skip
    assert r.returncode == 255
    assert "java.lang.IllegalArgumentException: Unknown option: --eua" in r.output


def test_use_sound_from_search_and_from_a_music_url(
    cd: u2.Device, cfarm: SimFarm, clock: ManualClock
):
    push_media(cd, "v.mp4")
    open_url(cd, "https://www.tiktok.com/music/Night-Drive-7012345678901234567")
    assert cd(text="Night Drive").exists
    cd(text="Use sound").click()
    assert cd(text="Night Drive").exists  # the camera shows the attached sound
    cd(text="Upload").click()
    cd(description="Select").click()
    cd(text="Next").click()
    publish(cd, "with sound")
    clock.advance(10)
    [post] = posts(cfarm)
    assert post["post_way"] == "useSound"
    assert post["sound"] == {"id": "7012345678901234567", "name": "Night Drive"}

    cd(description="Search").click()
    cd.send_keys("lofi")
    cd.press("enter")
    cd(text="Sounds").click()
    cd(textStartsWith="lofi - ").click()
    assert cd(text="Use sound").exists


def test_storage_full_fails_the_push_like_adbd(cd: u2.Device, cfarm: SimFarm):
    cfarm.phone("sim-0001").storage_full = True
    with pytest.raises(adbutils.AdbError):
        cd.adb_device.sync.push(b"x" * 100, "/sdcard/DCIM/big.mp4")
    assert cd.adb_device.sync.stat("/sdcard/DCIM/big.mp4").size == 0
