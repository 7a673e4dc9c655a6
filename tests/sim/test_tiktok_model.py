"""The TikTok model's behaviour through uiautomator2 on real-shaped screens: follow, unfollow,
search, intents, popups, versions, and determinism."""

from __future__ import annotations

import adbutils
import uiautomator2 as u2
from lxml import etree

from runner.sim import VERSIONS, SimFarm
from tests.sim.conftest import PKG, open_profile
from tests.sim.screens import dismiss, popup_showing


def truth(farm: SimFarm, serial: str = "sim-0001", user: str = "sim_user_1") -> dict:
    return farm.ground_truth()[serial]["accounts"][user]


def follows(farm: SimFarm) -> dict:
    """The follow part of sim-0001's ground truth."""
    t = truth(farm)
    return {"following": t["following"], "actions": t["actions"]}


def test_accounts_match_the_inventory_contract(farm: SimFarm):
    assert [(a.username, a.serial, a.package) for a in farm.accounts] == [
        (f"sim_user_{n}", f"sim-000{n}", PKG) for n in (1, 2, 3)
    ]
    assert set(farm.ground_truth()) == {"sim-0001", "sim-0002", "sim-0003"}


def test_tapping_follow_on_a_profile_follows(d: u2.Device, farm: SimFarm):
    open_profile(d, "alice")
    assert d(text="@alice").exists
    control = d(text="Follow")
    assert control.info["className"] == "android.widget.TextView"
    assert not control.info["clickable"]  # the word sits in clickable layouts, as on phones
    control.click()
    assert d(text="Following", className="android.widget.TextView", clickable=False).exists
    assert follows(farm) == {
        "following": ["alice"],
        "actions": [{"action": "follow", "target": "alice", "seq": 1}],
    }
    assert truth(farm, "sim-0002", "sim_user_2")["following"] == []


def test_unfollow_asks_for_confirmation(d: u2.Device, farm: SimFarm):
    farm.phone("sim-0001").account.following.add("bob")
    open_profile(d, "bob")
    following = d(text="Following", resourceIdMatches=".*:id/fmp")  # not the counter's label
    following.click()
    assert d(text="Unfollow @bob?").exists
    d(text="Cancel").click()
    assert following.exists and truth(farm)["following"] == ["bob"]

    following.click()
    d(text="Unfollow").click()
    assert d(text="Follow").exists
    assert follows(farm) == {
        "following": [],
        "actions": [{"action": "unfollow", "target": "bob", "seq": 1}],
    }


def test_dialog_blocks_taps_on_the_screen_below(d: u2.Device, farm: SimFarm):
    farm.phone("sim-0001").account.following.add("bob")
    open_profile(d, "bob")
    x, y = d(text="Following", resourceIdMatches=".*:id/fmp").center()
    d.click(x, y)
    d.click(x, y)  # lands on the dialog's backdrop, not on the button below
    assert d(text="Unfollow @bob?").exists
    d.press("back")
    assert not d(text="Unfollow @bob?").exists


def test_search_finds_the_user_first_then_look_alikes(d: u2.Device, farm: SimFarm):
    d(description="Search").click()
    d.send_keys("carol", clear=True)
    d(text="Search", className="android.widget.Button").click()
    d(text="Users").click()
    handles = [i["text"] for i in d(resourceIdMatches=".*:id/tv_aweme_id").info_list()]
    assert handles[0] == "@carol"
    assert "carol_official" in handles
    names = [i["text"] for i in d(resourceIdMatches=".*:id/tv_username").info_list()]
    assert names[0] == "\u200e\u2068Carol\u2069"  # the nickname, in bidi marks as dumped
    assert d(text="carol", className="android.widget.EditText").exists  # the query stays shown
    d(text="@carol").click()
    assert d(text="@carol", className="android.widget.Button").exists
    d(text="Follow").click()
    assert truth(farm)["following"] == ["carol"]
    d.press("back")
    assert d(text="Users").exists


def test_missing_user_has_no_profile_and_no_exact_search_row(d: u2.Device, farm: SimFarm):
    farm.missing_users.add("ghost")
    open_profile(d, "ghost")
    assert d(text="Couldn't find this account").exists
    assert not d(text="Follow").exists
    d.press("back")
    d(description="Search").click()
    d.send_keys("ghost")
    d.press("enter")
    d(text="Users").click()
    assert not d(text="@ghost").exists
    assert d(textMatches="@?ghost_official").exists  # 46.9.3: the first row says @name


def test_view_intent_without_package_opens_the_browser_not_the_app(d: u2.Device, farm: SimFarm):
    d.open_url("https://www.tiktok.com/@dave")  # uiautomator2's open_url names no package
    assert d.app_current()["package"] == "com.android.chrome"
    if d(text="Follow").exists:
        d(text="Follow").click()  # the web page's button: nothing happens in the app
    assert truth(farm)["following"] == []
    open_profile(d, "dave")
    assert d.app_current()["package"] == PKG
    assert d(text="@dave").exists


def test_monkey_and_force_stop(adb: adbutils.AdbClient, farm: SimFarm):
    dev = adb.device("sim-0002")
    dev.shell(["monkey", "-p", PKG, "-c", "android.intent.category.LAUNCHER", "1"])
    assert dev.app_current().package == PKG
    dev.app_stop(PKG)
    assert dev.app_current().package != PKG
    assert PKG in dev.list_packages()
    assert dev.shell2(["monkey", "-p", "com.nope", "1"]).returncode == 252


def test_popups_interrupt_and_block_until_dismissed(adb: adbutils.AdbClient):
    farm = SimFarm(1, seed=3, popup_rate=1.0)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port).device("sim-0001"))
        open_profile(d, "erin")
        kinds = set()
        for _ in range(8):
            popup = popup_showing(farm)
            assert popup is not None
            kinds.add(popup.kind)
            d.click(*d(text="Follow").center())  # covered by the popup: nothing happens
            assert truth(farm)["following"] == []
            dismiss(d, farm)
            open_profile(d, "erin")
        assert kinds == {"update", "collections"}
        dismiss(d, farm)
        d(text="Follow").click()
        assert truth(farm)["following"] == ["erin"]


def test_update_prompt_has_no_words_and_back_dismisses_it(adb: adbutils.AdbClient):
    farm = SimFarm(1, seed=3)
    with farm.running() as (host, port):
        d = u2.connect(adbutils.AdbClient(host, port).device("sim-0001"))
        d.app_start(PKG)
        phone = farm.phone("sim-0001")
        from runner.sim.tiktok.dialogs import Popup

        with farm.lock:
            phone.tiktok.show_overlay(Popup("update"))
        root = etree.fromstring(d.dump_hierarchy().encode())
        top = list(root)[-1]  # the prompt is the last window
        assert top.get("package") == PKG
        assert all(not n.get("text") and not n.get("content-desc") for n in top.iter("node"))
        assert all(n.get("clickable") == "false" for n in top.iter("node"))
        d.click(540, 1200)
        assert popup_showing(farm) is not None
        d.press("back")
        assert popup_showing(farm) is None


def test_app_versions_differ_in_ids_not_in_texts():
    assert sorted(VERSIONS) == ["43.1.4", "46.9.3", "47.0.3"]

    def like_node(version: str) -> tuple[str, str]:
        farm = SimFarm(1, app_version=version)
        with farm.running() as (host, port):
            d = u2.connect(adbutils.AdbClient(host, port).device("sim-0001"))
            d.app_start(PKG)
            info = d(descriptionStartsWith="Like video. ").info
            assert d.app_info(PKG)["versionName"] == version
            return info["contentDescription"].split(". ")[0], info["resourceName"]

    found = [like_node(v) for v in sorted(VERSIONS)]
    assert {desc for desc, _ in found} == {"Like video"}
    assert [rid for _, rid in found] == [f"{PKG}:id/{r}" for r in ("f57", "g6o", "g75")]


def _scripted_run(seed: int) -> tuple[list[str], dict]:
    farm = SimFarm(2, seed=seed, popup_rate=0.4)
    dumps = []
    with farm.running() as (host, port):
        dev = adbutils.AdbClient(host, port).device("sim-0001")
        d = u2.connect(dev)
        d.app_start(PKG)
        for name in ("ann", "ben", "cat", "dan"):
            open_profile(d, name)
            dismiss(d, farm)
            d(text="Follow").click()
            dismiss(d, farm)
            d.press("back")
            xml = d.dump_hierarchy()
            dumps.append(
                " ".join(n.get("text") for n in etree.fromstring(xml.encode()).iter("node"))
            )
    return dumps, farm.ground_truth()


def test_same_seed_same_run():
    first, second, other = _scripted_run(5), _scripted_run(5), _scripted_run(6)
    assert first == second
    assert first[1]["sim-0001"]["accounts"]["sim_user_1"]["following"] == [
        "ann",
        "ben",
        "cat",
        "dan",
    ]
    assert first[0] != other[0]


def test_profile_urls_are_percent_decoded_like_android_does(d: u2.Device):
    open_profile(d, "two%20words")
    assert d(text="@two words").exists
