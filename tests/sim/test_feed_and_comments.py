"""The feed and video screens through uiautomator2: likes, bookmarks, the creator's "+", video
URLs, the comments sheet with text and image, watch time."""

from __future__ import annotations

import adbutils
import pytest
import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.clock import ManualClock
from runner.sim.tiktok.strings import count
from tests.sim.conftest import PKG, open_url, push_media


@pytest.fixture
def farm_fr() -> SimFarm:
    return SimFarm(1, seed=7, locale="fr-FR")


def truth(farm: SimFarm, serial: str = "sim-0001", user: str = "sim_user_1") -> dict:
    return farm.ground_truth()[serial]["accounts"][user]


def video_id(farm: SimFarm, serial: str = "sim-0001") -> str:
    return farm.phone(serial).tiktok.current_video_id()


def test_like_and_bookmark_toggle_and_are_recorded(d: u2.Device, farm: SimFarm):
    vid = video_id(farm)
    like = d(descriptionStartsWith="Like video. ")
    assert like.info["selected"] is False
    assert like.child(className="android.widget.ImageView").info["selected"] is False
    app = farm.phone("sim-0001").tiktok
    likes = app.top.video.likes
    assert like.child(className="android.widget.Button").get_text() == count(app, likes)
    like.click()
    # as tt4703_fr_liked_video: the Button stays unselected and loses its count, the heart
    # inside turns selected, the count Button shows one more
    liked = d(description="Video liked", className="android.widget.Button")
    assert liked.info["selected"] is False
    assert liked.child(className="android.widget.ImageView").info["selected"] is True
    assert liked.child(className="android.widget.Button").get_text() == count(app, likes + 1)
    favorites = d(description="Add or remove this video from Favorites.")
    favorites.click()  # the Button is not clickable: its clickable parent takes the tap
    assert favorites.info["selected"] is True
    t = truth(farm)
    assert t["likes"] == [vid] and t["bookmarks"] == [vid]
    assert [(a["action"], a["target"]) for a in t["actions"]] == [("like", vid), ("bookmark", vid)]
    d(description="Video liked").click()  # tapping again takes the like back
    assert d(descriptionStartsWith="Like video. ").exists
    assert truth(farm)["likes"] == []
    assert truth(farm)["actions"][-1]["action"] == "unlike"


def test_follow_plus_on_the_avatar_follows_the_creator_and_goes_away(d: u2.Device, farm: SimFarm):
    creator = farm.phone("sim-0001").tiktok.top.video.creator
    plus = d(description=f"Follow {creator}")  # 46.9.3 names the creator by username
    assert plus.exists and plus.info["className"] == "android.widget.Button"
    assert d(text=creator, resourceIdMatches=".*:id/title").exists
    plus.click()
    assert not d(description=f"Follow {creator}").exists
    assert truth(farm)["following"] == [creator]


def test_video_urls_open_that_video_and_short_links_are_stable(d: u2.Device, farm: SimFarm):
    open_url(d, "https://www.tiktok.com/@maria/video/7234567890123456789")
    assert d(text="maria", resourceIdMatches=".*:id/title").exists
    assert video_id(farm) == "7234567890123456789"
    d(descriptionStartsWith="Like video. ").click()
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


FIELD = "android.widget.EditText"


def comment_icons(d: u2.Device) -> tuple[u2.UiObject, u2.UiObject, u2.UiObject]:
    """The icons beside the comment field, found by their place (the send button's
    content-desc is an unresolved string id): send (a Button), attach an image, mention."""
    row = d(className=FIELD).sibling(className="android.widget.LinearLayout")
    return (
        row.child(className="android.widget.Button"),
        row.child(className="android.widget.ImageView", instance=1),
        row.child(className="android.widget.ImageView", instance=2),
    )


def gallery_tiles(d: u2.Device) -> u2.UiObject:
    return d(className="android.widget.GridView").child(
        className="android.widget.FrameLayout", longClickable=True
    )


def test_comment_with_text_and_image(d: u2.Device, farm: SimFarm):
    push_media(d, "cat.jpg")
    vid = video_id(farm)
    d(descriptionStartsWith="Read or add comments").click()
    app = farm.phone("sim-0001").tiktok
    total = app.top.video.comments
    assert d(text=f"\u200e{count(app, total)} comments").exists  # 1,234 / 12.5K, as TikTok counts
    send, image, _ = comment_icons(d)
    assert send.info["contentDescription"].startswith("@")  # no words: an unresolved string id
    send.click()  # nothing to send yet
    assert truth(farm)["comments"] == []
    field = d(className=FIELD)
    assert field.get_text() == "Add comment…"  # an empty field shows its hint
    field.click()
    d.send_keys("so cute 😺")
    assert d(className=FIELD).get_text() == "so cute 😺"
    image.click()
    assert gallery_tiles(d).count == 1  # the single-pick gallery lists the indexed photo
    gallery_tiles(d)[0].click()
    send, _, _ = comment_icons(d)
    send.click()
    assert truth(farm)["comments"] == [{"video_id": vid, "text": "so cute 😺", "image": "cat.jpg"}]
    assert (
        d(text="so cute 😺").exists
        and d(text="sim_user_1", className="android.widget.Button").exists
    )
    assert d(className=FIELD).get_text() == "Add comment…"
    assert d(text=f"\u200e{count(app, total + 1)} comments").exists
    d.press("back")
    assert d(descriptionStartsWith="Like video").exists


def test_image_only_comment_and_unscanned_media_is_not_in_the_picker(d: u2.Device, farm: SimFarm):
    push_media(d, "hidden.jpg", scan=False)
    push_media(d, "shown.png")
    d(descriptionStartsWith="Read or add comments").click()
    _, image, _ = comment_icons(d)
    image.click()
    assert gallery_tiles(d).count == 1
    gallery_tiles(d)[0].click()
    comment_icons(d)[0].click()
    assert truth(farm)["comments"][0]["image"] == "shown.png"
    assert truth(farm)["comments"][0]["text"] == ""


def test_enter_sends_and_mention_adds_an_at(d: u2.Device, farm: SimFarm):
    d(descriptionStartsWith="Read or add comments").click()
    _, _, mention = comment_icons(d)
    mention.click()
    d.send_keys("noor nice")
    d.press("enter")
    assert truth(farm)["comments"][0]["text"] == "@noor nice"


def test_tapping_above_the_sheet_closes_it(d: u2.Device):
    d(descriptionStartsWith="Read or add comments").click()
    assert d(className=FIELD).exists
    d.click(540, 300)
    assert not d(className=FIELD).exists


def test_french_comments_sheet(farm_fr: SimFarm):
    with farm_fr.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port, socket_timeout=5).device("sim-0001"))
        d.app_start(PKG)
        vid = video_id(farm_fr)
        d(descriptionStartsWith="Lire ou ajouter des commentaires").click()
        assert d(textMatches="\u200e[0-9\u00a0,K]+ commentaires").exists
        assert d(text="Répondre").exists
        field = d(className=FIELD)
        assert field.get_text() == "Ajouter un commentaire…"
        field.set_text("trop bien")
        comment_icons(d)[0].click()
        assert truth(farm_fr)["comments"] == [{"video_id": vid, "text": "trop bien", "image": None}]


@pytest.mark.parametrize("version", ["43.1.4", "47.0.3"])
def test_the_send_button_is_the_builds_own(version: str):
    farm = SimFarm(1, seed=2, app_version=version)
    send_id, desc = {"43.1.4": ("jfd", "@0000000000"), "47.0.3": ("l12", "@2131823358")}[version]
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port, socket_timeout=5).device("sim-0001"))
        d.app_start(PKG)
        d(descriptionStartsWith="Read or add comments").click()
        send = d(resourceId=f"{PKG}:id/{send_id}")
        assert send.info["contentDescription"] == desc
        d(className=FIELD).set_text("hi")
        send.click()
        assert truth(farm)["comments"][0]["text"] == "hi"


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
