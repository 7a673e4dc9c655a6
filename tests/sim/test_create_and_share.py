"""Posting through uiautomator2 on real-shaped screens: the media store, the create flow, share
intents, sounds, the upload's progress, in English and French and on each simulated build."""

from __future__ import annotations

import re
from collections.abc import Iterator

import adbutils
import pytest
import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.clock import ManualClock
from runner.sim.hierarchy import walk
from runner.sim.tiktok.create import uploading_tile
from tests.sim.conftest import PKG, open_url, push_media

# The camera's gallery button: a clickable view with no words at the bottom left (every build).
GALLERY_BUTTON = (105, 2216)
GRID = "android.widget.GridView"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_farm(clock: ManualClock, **kw) -> Iterator[SimFarm]:
    farm = SimFarm(1, seed=11, clock=clock, upload_seconds=4, **kw)
    with farm.running() as (host, port):
        farm.client = adbutils.AdbClient(host, port, socket_timeout=5)
        yield farm


@pytest.fixture
def cfarm(clock: ManualClock) -> Iterator[SimFarm]:
    yield from make_farm(clock)


def connect(farm: SimFarm) -> u2.Device:
    dev = u2.connect(farm.client.device("sim-0001"))
    dev.app_start(PKG)
    return dev


@pytest.fixture
def cd(cfarm: SimFarm) -> u2.Device:
    return connect(cfarm)


def posts(farm: SimFarm) -> list[dict]:
    return farm.ground_truth()["sim-0001"]["accounts"]["sim_user_1"]["posts"]


def open_gallery(d: u2.Device) -> None:
    d(description="Create").click()
    d.click(*GALLERY_BUTTON)


def tiles(d: u2.Device) -> u2.UiObject:
    """The gallery's tiles (clickable, long-clickable, no words)."""
    return d(className=GRID).child(className="android.widget.FrameLayout", longClickable=True)


def select_buttons(d: u2.Device) -> u2.UiObject:
    """The round select buttons on the tiles (their text is the pick order)."""
    return d(className=GRID).child(className="android.widget.Button")


def tile_durations(d: u2.Device) -> list[bool]:
    """For each tile, newest first: whether it shows a length (a video)."""
    out = []
    for tile in tiles(d):
        out.append(bool(tile.child(textMatches=r"\d\d:\d\d").exists))
    return out


def publish(d: u2.Device, caption: str, post: str = "Post", now: str = "Publish now") -> None:
    """From the editor: Next, caption, Post, and Publish now when the dialog asks."""
    d(textStartsWith=("Suivant" if post == "Publier" else "Next")).click()
    d(className="android.widget.EditText").set_text(caption)
    d(text=post).click()
    if d(text=now).exists:
        d(text=now).click()


def progress(d: u2.Device) -> str | None:
    node = d(resourceIdMatches=r".*:id/tvProgress")
    return node.get_text() if node.exists else None


def test_media_store_lists_scanned_files_newest_first(cd: u2.Device):
    push_media(cd, "a.mp4")
    push_media(cd, "b.jpg", folder="/sdcard/Pictures")
    push_media(cd, "c.mp4", scan=False)
    out = cd.shell(["content", "call", "--uri", "content://media/external/file", "--method",
                    "scan_file", "--arg", "/sdcard/DCIM/Camera/c.mp4"]).output  # fmt: skip
    assert out.startswith("Result: Bundle[")
    open_gallery(cd)
    assert tile_durations(cd) == [True, False, True]  # c.mp4, b.jpg, a.mp4: videos show a length
    assert all(t.info["contentDescription"] is None for t in tiles(cd))  # tiles carry no words
    cd(description="Photos").click()
    assert tiles(cd).count == 1


def test_create_flow_posts_a_video_after_the_upload(
    cd: u2.Device, cfarm: SimFarm, clock: ManualClock
):
    push_media(cd, "clip.mp4")
    open_gallery(cd)
    next_button = cd(textStartsWith="Next", className="android.widget.Button")
    assert next_button.get_text() == "Next" and next_button.info["clickable"] is False
    select_buttons(cd)[0].click()
    assert select_buttons(cd)[0].get_text() == "1"
    assert next_button.get_text() == "Next (1)" and next_button.info["clickable"] is True
    next_button.click()
    cd(text="Add sound").click()
    cd(className="android.widget.EditText").set_text("summer")
    cd(textStartsWith="summer - ").click()
    cd(text="Use this sound").click()
    assert cd(textStartsWith="summer - ").exists  # the editor shows the chosen sound
    publish(cd, "hello #fyp")
    assert progress(cd) == "0%"
    clock.advance(2)
    assert progress(cd) == "50%"
    assert posts(cfarm) == []  # not before the upload ends
    clock.advance(3)
    assert progress(cd) is None  # posted: the progress window is gone
    [post] = posts(cfarm)
    assert post["caption"] == "hello #fyp" and post["media"] == ["clip.mp4"]
    assert post["kind"] == "video" and post["post_way"] == "addButton"
    assert "summer" in post["sound"]["name"]


def test_the_own_profile_tile_of_an_upload_shows_its_progress(
    cd: u2.Device, cfarm: SimFarm, clock: ManualClock
):
    push_media(cd, "clip.mp4")
    open_gallery(cd)
    select_buttons(cd)[0].click()
    cd(textStartsWith="Next (1)").click()
    publish(cd, "tile")
    app = cfarm.phone("sim-0001").tiktok
    clock.advance(3)
    tile = uploading_tile(app, 0, 946)  # tt4314_fr_publish_posted: `94%` on the first tile
    assert tile is not None and tile.bounds.top == 946
    assert [n.text for n in walk(tile) if n.text] == ["75%"]
    clock.advance(2)
    assert uploading_tile(app, 0, 946) is None


def test_multi_pick_photos_in_order(cd: u2.Device, cfarm: SimFarm, clock: ManualClock):
    for name in ("1.jpg", "2.jpg", "3.jpg"):
        push_media(cd, name)
    open_gallery(cd)
    select_buttons(cd)[2].click()  # 1.jpg (oldest, last)
    select_buttons(cd)[0].click()  # 3.jpg
    assert [b.get_text() for b in select_buttons(cd)] == ["2", "", "1"]
    cd(textStartsWith="Next (2)").click()
    publish(cd, "photos")
    clock.advance(10)
    [post] = posts(cfarm)
    assert post["media"] == ["1.jpg", "3.jpg"] and post["kind"] == "images"


def test_tapping_a_picked_tile_again_unpicks_it(cd: u2.Device):
    push_media(cd, "x.jpg")
    open_gallery(cd)
    tiles(cd)[0].click()
    assert select_buttons(cd)[0].get_text() == "1"
    tiles(cd)[0].click()
    assert select_buttons(cd)[0].get_text() == ""
    assert cd(textStartsWith="Next", className="android.widget.Button").get_text() == "Next"


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


def test_use_sound_from_a_music_url(cd: u2.Device, cfarm: SimFarm, clock: ManualClock):
    push_media(cd, "v.mp4")
    open_url(cd, "https://www.tiktok.com/music/Night-Drive-7012345678901234567")
    assert cd(text="Night Drive").exists
    cd(text="Use sound").click()
    assert cd(text="Night Drive").exists  # the camera's sound pill shows the attached sound
    cd.click(*GALLERY_BUTTON)
    select_buttons(cd)[0].click()
    cd(textStartsWith="Next (1)").click()
    publish(cd, "with sound")
    clock.advance(10)
    [post] = posts(cfarm)
    assert post["post_way"] == "useSound"
    assert post["sound"] == {"id": "7012345678901234567", "name": "Night Drive"}


def test_the_editor_can_take_the_sound_off(cd: u2.Device, cfarm: SimFarm, clock: ManualClock):
    push_media(cd, "v.mp4")
    open_gallery(cd)
    select_buttons(cd)[0].click()
    cd(textStartsWith="Next (1)").click()
    cd(text="Add sound").click()
    cd(className="android.widget.EditText").set_text("night")
    cd(textStartsWith="night - ").click()
    cd(text="Use this sound").click()
    assert not cd(text="Add sound").exists
    remove = cd(description="@0000000000", className="android.widget.LinearLayout")
    remove.click()  # the remove button beside the sound: no words, an anonymised string id
    assert cd(text="Add sound").exists
    publish(cd, "silent")
    clock.advance(10)
    assert posts(cfarm)[0]["sound"] is None


def test_post_screen_hashtag_and_mention_buttons_add_to_the_caption(cd: u2.Device):
    push_media(cd, "v.mp4")
    open_gallery(cd)
    select_buttons(cd)[0].click()
    cd(textStartsWith="Next (1)").click()
    cd(text="Next").click()
    caption = cd(className="android.widget.EditText")
    assert caption.get_text() == "Add a description..."  # an empty field shows its hint
    cd(text="Hashtags").click()
    cd(text="Mention").click()
    assert caption.get_text() == "#@"


def test_french_create_flow_and_upload_progress(clock: ManualClock):
    for farm in make_farm(clock, locale="fr-FR"):
        d = connect(farm)
        push_media(d, "clip.mp4")
        d(description="Créer").click()
        assert d(text="Ajouter un son").exists
        d.click(*GALLERY_BUTTON)
        assert d(text="Récents").exists and d(description="Tout").exists
        assert d(textStartsWith="Suivant").get_text() == "Suivant"
        select_buttons(d)[0].click()
        d(textStartsWith="Suivant (1)").click()
        assert d(text="Ta Story").exists
        publish(d, "bonjour", post="Publier", now="Publier maintenant")
        assert re.fullmatch(r"\d+%", progress(d) or "")
        clock.advance(10)
        assert progress(d) is None
        assert posts(farm)[0]["caption"] == "bonjour"


@pytest.mark.parametrize("version", ["43.1.4", "46.9.3", "47.0.3"])
def test_each_build_shows_its_own_ids_and_posts_alike(clock: ManualClock, version: str):
    ids = {"43.1.4": ("ymg", "uyb", "qrb"), "46.9.3": ("upload_hot_area", "xyk", "tiq"),
           "47.0.3": ("upload_hot_area", "xyk", "tiq")}[version]  # fmt: skip
    for farm in make_farm(clock, app_version=version):
        d = connect(farm)
        push_media(d, "clip.mp4")
        d(description="Create").click()
        d(resourceId=f"{PKG}:id/{ids[0]}").click()
        select_buttons(d)[0].click()
        d(resourceId=f"{PKG}:id/{ids[1]}").click()
        d(text="Next").click()
        d(className="android.widget.EditText").set_text(version)
        d(resourceId=f"{PKG}:id/{ids[2]}").click()
        if d(text="Publish now").exists:
            d(text="Publish now").click()
        assert progress(d) == "0%"
        clock.advance(10)
        assert posts(farm)[0]["caption"] == version


def test_storage_full_fails_the_push_like_adbd(cd: u2.Device, cfarm: SimFarm):
    cfarm.phone("sim-0001").storage_full = True
    with pytest.raises(adbutils.AdbError):
        cd.adb_device.sync.push(b"x" * 100, "/sdcard/DCIM/big.mp4")
    assert cd.adb_device.sync.stat("/sdcard/DCIM/big.mp4").size == 0
