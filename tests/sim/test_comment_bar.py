"""The comment bar at the bottom of a video opened on its own (tt4703_fr_video_page_comment_bar):
a non-clickable field over a clickable view; a tap on it opens the comments sheet ready to type."""

from __future__ import annotations

import adbutils
import pytest
import uiautomator2 as u2

from runner.sim import SimFarm
from tests.sim.conftest import PKG, open_url, push_media

VIDEO = "https://www.tiktok.com/@maria/video/7234567890123456789"
FIELD = "android.widget.EditText"


def icons(d: u2.Device) -> u2.UiObject:
    """The row of icons beside the comment field (send, image, mention)."""
    return d(className=FIELD).sibling(className="android.widget.LinearLayout")


@pytest.mark.parametrize("version", ["43.1.4", "46.9.3", "47.0.3"])
def test_the_bar_opens_the_sheet_with_the_field_focused(version: str):
    farm = SimFarm(1, seed=9, app_version=version)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port, socket_timeout=5).device("sim-0001"))
        d.app_start(PKG)
        open_url(d, VIDEO)
        app = farm.phone("sim-0001").tiktok
        field = d(className=FIELD)
        assert field.info["clickable"] is False and field.get_text() == "Add comment…"
        field.click()  # the touch passes through the field to the bar's clickable view
        assert app.screen_name() == "comments"
        assert d(className=FIELD).info["focused"] is True
        d.send_keys("hey")
        d.press("enter")
        gt = farm.ground_truth()["sim-0001"]["accounts"]["sim_user_1"]
        assert gt["comments"] == [{"video_id": "7234567890123456789", "text": "hey", "image": None}]
        d.press("back")
        assert app.screen_name() == "video"


def test_the_bars_image_icon_opens_the_sheet_then_the_picker():
    farm = SimFarm(1, seed=9)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port, socket_timeout=5).device("sim-0001"))
        d.app_start(PKG)
        push_media(d, "p.jpg")
        open_url(d, VIDEO)
        icons(d).child(className="android.widget.ImageView", instance=1).click()
        app = farm.phone("sim-0001").tiktok
        assert app.screen_name() == "gallery"
        d(className="android.widget.GridView").child(longClickable=True).click()
        assert app.screen_name() == "comments"
        icons(d).child(className="android.widget.Button").click()  # send: the image alone
        gt = farm.ground_truth()["sim-0001"]["accounts"]["sim_user_1"]
        assert gt["comments"][0]["image"] == "p.jpg"
