"""The feed and video screens through uiautomator2: likes, bookmarks, the creator's "+", video
URLs, the comments sheet with text and image, watch time."""

from __future__ import annotations

import adbutils
import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.clock import ManualClock
from tests.sim.conftest import PKG, open_url, push_media


def truth(farm: SimFarm, serial: str = "sim-0001", user: str = "sim_user_1") -> dict:
    return farm.ground_truth()[serial]["accounts"][user]


def video_id(farm: SimFarm, serial: str = "sim-0001") -> str:
    return farm.phone(serial).tiktok.current_video_id()


def test_like_and_bookmark_toggle_and_are_recorded(d: u2.Device, farm: SimFarm):
    vid = video_id(farm)
    like = d(description="Like video")
    assert like.info["selected"] is False
    like.click()
    assert d(description="Like video").info["selected"] is True
    d(description="Add to Favorites").click()
    assert d(description="Add to Favorites").info["selected"] is True
    t = truth(farm)
    assert t["likes"] == [vid] and t["bookmarks"] == [vid]
    assert [(a["action"], a["target"]) for a in t["actions"]] == [("like", vid), ("bookmark", vid)]
    d(description="Like video").click()  # tapping again takes the like back
    assert truth(farm)["likes"] == []
    assert truth(farm)["actions"][-1]["action"] == "unlike"


def test_follow_plus_on_the_avatar_follows_the_creator_and_goes_away(d: u2.Device, farm: SimFarm):
    creator = farm.phone("sim-0001").tiktok.top.video.creator
    plus = d(description=f"Follow @{creator}")
    assert plus.exists
    plus.click()
    assert not d(description=f"Follow @{creator}").exists
    assert truth(farm)["following"] == [creator]


def test_video_urls_open_that_video_and_short_links_are_stable(d: u2.Device, farm: SimFarm):
    open_url(d, "https://www.tiktok.com/@maria/video/7234567890123456789")
    assert d(text="@maria").exists
    assert video_id(farm) == "7234567890123456789"
    d(description="Like video").click()
    assert truth(farm)["likes"] == ["7234567890123456789"]
    d.press("back")
    open_url(d, "https://vm.tiktok.com/ZMabc123/")
    short = video_id(farm)
    assert short.isdigit() and len(short) == 19
    d.press("back")
    open_url(d, "https://vm.tiktok.com/ZMabc123/")
    assert video_id(farm) == short


def test_the_video_does_not_change_until_swiped(d: u2.Device, farm: SimFarm):
    first = video_id(farm)
    for _ in range(3):
        d.dump_hierarchy()
    assert video_id(farm) == first
    d.swipe(540, 1800, 540, 400, 0.05)
    assert video_id(farm) != first
    d.swipe(540, 400, 540, 1800, 0.05)  # down: back to the previous one
    assert video_id(farm) == first


def test_comment_with_text_and_image(d: u2.Device, farm: SimFarm):
    push_media(d, "cat.jpg")
    vid = video_id(farm)
    d(description="Read or add comments").click()
    title = d(textMatches=r".* comments").get_text()
    assert not d(text="Post").exists  # nothing to post yet
    d(description="Add comment").click()
    d.send_keys("so cute 😺")
    assert d(description="Add comment").get_text() == "so cute 😺"
    d(description="Add image").click()
    d(description="Photo, cat.jpg").click()
    assert d(description="Selected image").exists
    d(text="Post").click()
    assert truth(farm)["comments"] == [{"video_id": vid, "text": "so cute 😺", "image": "cat.jpg"}]
    assert d(text="so cute 😺").exists and d(text="sim_user_1").exists
    assert d(description="Add comment").get_text() in ("", None)
    assert d(textMatches=r".* comments").get_text() != title or title.endswith("K comments")
    d.press("back")
    assert d(description="Like video").exists


def test_image_only_comment_and_unscanned_media_is_not_in_the_picker(d: u2.Device, farm: SimFarm):
    push_media(d, "hidden.jpg", scan=False)
    push_media(d, "shown.png")
    d(description="Read or add comments").click()
    d(description="Add image").click()
    assert not d(description="Photo, hidden.jpg").exists
    d(description="Photo, shown.png").click()
    d(text="Post").click()
    assert truth(farm)["comments"][0]["image"] == "shown.png"
    assert truth(farm)["comments"][0]["text"] == ""


def test_watch_time_is_the_sim_clock_between_swipes():
    clock = ManualClock()
    farm = SimFarm(1, seed=1, clock=clock)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port).device("sim-0001"))
        d.app_start(PKG)
        first = video_id(farm)
        clock.advance(12.5)
        d.swipe(540, 1800, 540, 400, 0.05)
        second = video_id(farm)
        clock.advance(3)
        d.swipe(540, 1800, 540, 400, 0.05)
    assert truth(farm)["watched"] == [
        {"video_id": first, "seconds": 12.5},
        {"video_id": second, "seconds": 3.0},
    ]
