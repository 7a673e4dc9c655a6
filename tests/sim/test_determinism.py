"""Same seed, same run: two runs of one scenario with one seed give identical ground truth (and a
different seed a different one), with popups, the feed, comments and posts in play."""

from __future__ import annotations

import adbutils
import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.clock import ManualClock
from tests.sim.conftest import PKG, open_profile, push_media
from tests.sim.screens import dismiss as dismiss_popups


def run(seed: int, phones: int = 2) -> dict:
    clock = ManualClock()
    farm = SimFarm(phones, seed=seed, popup_rate=0.3, clock=clock, upload_seconds=2)
    with farm.running() as (host, port):
        client = adbutils.AdbClient(host, port, socket_timeout=10)
        for serial in farm.serials:
            d = u2.connect(client.device(serial))

            def dismiss(d: u2.Device, serial: str = serial) -> None:
                dismiss_popups(d, farm, serial)

            d.app_start(PKG)
            push_media(d, "clip.mp4")
            for n in range(4):
                dismiss(d)
                clock.advance(2 + n)
                if n % 2 and d(descriptionStartsWith="Like video. ").exists:  # not on a LIVE
                    d(descriptionStartsWith="Like video. ").click()
                d.swipe(540, 1800, 540, 400, 0.05)
            dismiss(d)
            while not d(descriptionStartsWith="Read or add comments").exists:  # a LIVE: next
                d.swipe(540, 1800, 540, 400, 0.05)
                dismiss(d)
            d(descriptionStartsWith="Read or add comments").click()
            dismiss(d)
            d(className="android.widget.EditText").set_text("nice")
            d(className="android.widget.EditText").sibling(
                className="android.widget.LinearLayout"
            ).child(className="android.widget.Button").click()  # send: the icon beside the field
            d.press("back")
            dismiss(d)
            for name in ("ann", "ben"):
                open_profile(d, name)
                dismiss(d)
                d(text="Follow").click()
            for _ in range(6):  # back to the feed, whatever popped up
                if d(description="Create").exists:
                    break
                d.press("back")
            d(description="Create").click()
            dismiss(d)
            d.click(105, 2216)  # the camera's gallery button (no words, bottom left)
            dismiss(d)
            d(className="android.widget.GridView").child(className="android.widget.Button").click()
            d(textStartsWith="Next (").click()
            dismiss(d)
            d(text="Next").click()
            dismiss(d)
            d(className="android.widget.EditText").set_text("same seed")
            d(text="Post").click()
            if d(text="Publish now").exists:
                d(text="Publish now").click()
            clock.advance(3)
            d.dump_hierarchy()
    return farm.ground_truth()


def test_same_seed_gives_identical_ground_truth():
    first, second, other = run(9), run(9), run(10, phones=1)
    assert first == second
    acc = first["sim-0001"]["accounts"]["sim_user_1"]
    # watched: 4 swipes, and one more past any LIVE preview before the comments
    assert len(acc["likes"]) == 2 and len(acc["watched"]) >= 4 and len(acc["posts"]) == 1
    assert acc["following"] == ["ann", "ben"]
    assert first["sim-0001"] != other["sim-0001"]  # each phone's run depends on its own seed only
