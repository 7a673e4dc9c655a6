"""Keyword search, several accounts and clone apps, popups and faults, hot-plug."""

from __future__ import annotations

import time

import adbutils
import pytest
import trio
import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.tiktok import CLONE_PACKAGE
from tests.sim.conftest import PKG, open_profile
from tests.sim.screens import dismiss, popup_showing


def truth(farm: SimFarm, serial: str = "sim-0001", user: str = "sim_user_1") -> dict:
    return farm.ground_truth()[serial]["accounts"][user]


def search(d: u2.Device, words: str, tab: str) -> None:
    d(description="Search").click()
    d.send_keys(words)
    d.press("enter")
    d(text=tab).click()


def test_keyword_videos_open_a_vertical_list(d: u2.Device, farm: SimFarm):
    search(d, "cooking", "Videos")
    cells = d(className="android.widget.Button", resourceIdMatches=".*:id/desc")  # captions
    captions = [i["text"] for i in cells.info_list()]
    assert len(captions) >= 2 and all("cooking" in t for t in captions)
    cells[0].click()
    app = farm.phone("sim-0001").tiktok
    first = app.current_video_id()
    assert d(textStartsWith="cooking").exists  # the caption
    d.swipe(540, 1800, 540, 400, 0.05)
    second = app.current_video_id()
    assert second != first
    d(descriptionStartsWith="Like video. ").click()
    assert truth(farm)["likes"] == [second]
    # Same seed, same keyword: the same results on another phone.
    assert farm.world.keyword_videos("cooking") == SimFarm(1, seed=7).world.keyword_videos(
        "cooking"
    )
    assert farm.world.keyword_videos("cooking") != SimFarm(1, seed=8).world.keyword_videos(
        "cooking"
    )


def test_switching_accounts_on_one_phone(d: u2.Device, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.add_account("second_acc")
    assert ("second_acc", "sim-0001", PKG) in [
        (a.username, a.serial, a.package) for a in farm.accounts
    ]
    d(text="Profile").click()
    assert d(text="@sim_user_1").exists
    d(text="@sim_user_1").click()  # the own handle opens the account sheet
    assert d(text="Add account").exists
    d(text="second_acc").click()
    assert d(text="@second_acc").exists
    open_profile(d, "zed")
    d(text="Follow").click()
    assert truth(farm, user="second_acc")["following"] == ["zed"]
    assert truth(farm)["following"] == []


def test_clone_app_has_its_own_accounts(d: u2.Device, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.add_account("trill_user", package=CLONE_PACKAGE)
    assert CLONE_PACKAGE in d.adb_device.list_packages()
    d.app_start(CLONE_PACKAGE)
    d.shell(["am", "start", "-a", "android.intent.action.VIEW", "-d",
             "https://www.tiktok.com/@yan", "-p", CLONE_PACKAGE])  # fmt: skip
    assert d.app_current()["package"] == CLONE_PACKAGE
    d(text="Follow").click()
    gt = farm.ground_truth()["sim-0001"]
    assert gt["accounts"]["trill_user"]["following"] == ["yan"]
    assert gt["accounts"]["trill_user"]["package"] == CLONE_PACKAGE
    assert gt["accounts"]["sim_user_1"]["following"] == []
    assert set(gt["apps"]) == {PKG, CLONE_PACKAGE}


def test_popup_kinds_and_the_gallery_permission_prompt():
    farm = SimFarm(1, seed=3, popup_rate=1.0)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port).device("sim-0001"))
        d.app_start(PKG)
        kinds = set()
        for _ in range(20):
            popup = popup_showing(farm)
            if popup is not None:
                kinds.add(popup.kind)
                dismiss(d, farm)
            d.swipe(540, 1800, 540, 400, 0.05)
        assert kinds == {"update", "collections"}, kinds
        farm.phone("sim-0001").popup_rate = 0.0
        dismiss(d, farm)
        d(description="Create").click()
        d.click(105, 2216)  # the camera's gallery button (no words, bottom left)
        assert d(text="Allow TikTok to access photos and videos on this device?").exists
        d(text="Allow").click()
        assert d(text="All").exists


def test_crash_at_the_worst_moment_shows_the_system_dialog(d: u2.Device, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.on_screen("comments", "crash")
    d(descriptionStartsWith="Read or add comments").click()
    assert d(text="TikTok keeps stopping").exists
    assert d.app_current()["package"] != PKG
    d(text="Close app").click()
    assert not d(text="TikTok keeps stopping").exists


def test_anr_on_the_nth_tap_and_wait(d: u2.Device, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.on_tap(2, "anr")
    favorites = "Add or remove this video from Favorites."
    d(descriptionStartsWith="Like video. ").click()  # tap 1 lands
    d(description=favorites).click()  # tap 2: the app hangs first, the tap hits the dialog
    assert d(text="TikTok isn't responding").exists
    assert truth(farm)["bookmarks"] == [] and len(truth(farm)["likes"]) == 1
    d(text="Wait").click()
    assert d(description=favorites).exists
    phone.anr()
    d(text="Close app").click()
    assert d.app_current()["package"] != PKG


def test_offline_mid_session_and_back(adb: adbutils.AdbClient, farm: SimFarm):
    d = u2.connect(adb.device("sim-0002"))
    d.app_start(PKG)
    phone = farm.phone("sim-0002")
    phone.on_tap(1, "offline")
    with pytest.raises(Exception):  # noqa: B017 - the stream dies mid-call, as on USB unplug
        d(descriptionStartsWith="Like video. ").click()
    states = {x.serial: x.state for x in adb.list()}
    assert states["sim-0002"] == "offline"
    with pytest.raises(adbutils.AdbError, match="device offline"):
        adb.device("sim-0002").shell("echo hi")
    phone.set_state("device")
    assert adb.device("sim-0002").shell("echo back") == "back"
    # The tap had reached the phone before the cable went: it landed, the reply was lost.
    assert len(truth(farm, "sim-0002", "sim_user_2")["likes"]) == 1


def test_hot_plug_is_reported_by_track_devices(farm: SimFarm):
    async def main(host: str, port: int) -> list[set[str]]:
        seen: list[set[str]] = []
        client = adbutils.AdbClient(host, port)
        stream = client.track_devices()

        def follow() -> None:
            present: set[str] = set()
            for event in stream:
                if event.present:
                    present.add(event.serial)
                else:
                    present.discard(event.serial)
                seen.append(set(present))
                if len(seen) >= 5:
                    return

        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.to_thread.run_sync, follow)
            with trio.fail_after(10):
                while len(seen) < 3:
                    await trio.sleep(0.01)
                new = await trio.to_thread.run_sync(farm.add_phone)
                assert new.serial == "sim-0004"
                while len(seen) < 4:
                    await trio.sleep(0.01)
                await trio.to_thread.run_sync(farm.remove_phone, "sim-0001")
                while len(seen) < 5:
                    await trio.sleep(0.01)
        return seen

    with farm.running() as (host, port):
        seen = trio.run(main, host, port)
        assert seen[3] == {"sim-0001", "sim-0002", "sim-0003", "sim-0004"}
        assert seen[4] == {"sim-0002", "sim-0003", "sim-0004"}
        assert "sim-0001" not in farm.ground_truth()
        client = adbutils.AdbClient(host, port)
        assert client.device("sim-0004").shell("echo new") == "new"
        with pytest.raises(adbutils.AdbError, match="not found"):
            client.device("sim-0001").shell("echo gone")


def test_a_phone_can_drop_offline_for_a_while_and_come_back(adb: adbutils.AdbClient, farm: SimFarm):
    phone = farm.phone("sim-0003")
    phone.set_state_for("unauthorized", 0.3)
    assert {d.serial: d.state for d in adb.list()}["sim-0003"] == "unauthorized"
    with pytest.raises(adbutils.AdbError, match="device unauthorized"):
        adb.device("sim-0003").shell("echo hi")
    deadline = time.monotonic() + 5
    while {d.serial: d.state for d in adb.list()}["sim-0003"] != "device":
        assert time.monotonic() < deadline, "the phone did not come back"
        time.sleep(0.02)
    assert adb.device("sim-0003").shell("echo back") == "back"
