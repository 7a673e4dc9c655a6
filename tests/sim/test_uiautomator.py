"""Unmodified uiautomator2 against a simulated phone: connect, dump, click, type, keys, restart."""

from __future__ import annotations

import adbutils
import pytest
import uiautomator2 as u2
from lxml import etree

from runner.sim import SimFarm
from tests.sim.conftest import PKG


def test_connect_pushes_the_jar_once_then_trusts_its_md5(adb: adbutils.AdbClient, farm: SimFarm):
    u2.connect(adb.device("sim-0001"))
    phone = farm.phone("sim-0001")
    sends = [p for op, p in phone.sync_log if op == "SEND"]
    assert sends == ["/data/local/tmp/u2.jar"]

    phone.kill_uiautomator()  # a new session on a phone whose server died
    again = u2.connect(adb.device("sim-0001"))
    assert again.info["sdkInt"] == 33
    assert [p for op, p in phone.sync_log if op == "SEND"] == sends
    launches = [c for c in phone.shell_log if "app_process" in c]
    assert len(launches) == 2


def test_device_info_app_info_and_current_app(d: u2.Device):
    assert d.info["displayWidth"] == 1080
    assert d.info["currentPackageName"] == PKG
    assert d.app_info(PKG)["versionName"] == "46.9.3"
    assert d.app_current()["package"] == PKG
    assert d.window_size() == (1080, 2400)
    d.app_stop(PKG)
    assert d.app_current()["package"] != PKG


def test_dump_hierarchy_is_uiautomator_xml(d: u2.Device):
    xml = d.dump_hierarchy()
    root = etree.fromstring(xml.encode())
    assert root.tag == "hierarchy"
    windows = list(root)
    assert [w.get("package") for w in windows] == ["com.android.systemui", PKG]
    assert len(xml) > 60_000 and sum(1 for _ in root.iter("node")) >= 180  # real dumps' size
    descs = {n.get("content-desc") for n in root.iter("node")}
    assert {"Search", "Add or remove this video from Favorites.", "Create", "Home"} <= descs
    assert any(x.startswith("Like video. ") and x.endswith(" likes") for x in descs)
    assert any(x.startswith("Read or add comments. ") for x in descs)
    texts = {n.get("text") for n in root.iter("node")}
    assert {"Home", "Friends", "Inbox", "Profile", "For You"} <= texts
    assert any(n.get("class").startswith("X.") for n in root.iter("node"))  # R8's class names
    node = root.find(".//node[@content-desc='Search']")
    assert set(node.attrib) >= {
        "index",
        "text",
        "resource-id",
        "class",
        "package",
        "checkable",
        "clickable",
        "enabled",
        "focusable",
        "focused",
        "scrollable",
        "long-clickable",
        "password",
        "selected",
        "bounds",
        "drawing-order",
    }
    assert node.get("bounds") == "[933,134][1080,281]"  # tt4693_en_ad_with_label
    assert node.get("resource-id") == f"{PKG}:id/k9z"


def test_the_feed_never_idles_but_the_video_changes_only_on_swipe(d: u2.Device):
    def texts() -> list[str]:
        root = etree.fromstring(d.dump_hierarchy().encode())
        return [n.get("text") for n in root.iter("node")]

    def caption() -> str:
        return d(resourceIdMatches=".*:id/desc").get_text()

    dumps = [texts() for _ in range(4)]
    assert len({tuple(t) for t in dumps}) == 4  # live chrome moves between dumps
    assert len({caption() for _ in range(3)}) == 1  # the video under the finger does not
    seen = {d(resourceIdMatches=".*:id/desc").info["bounds"]["top"], caption()}
    ids = set()
    for _ in range(6):
        d.swipe(540, 1800, 540, 500, 0.05)
        ids.add(d.app_current()["package"])
        if d(resourceIdMatches=".*:id/desc").exists:
            seen.add(caption())
    assert len(seen) > 2


def test_clicking_a_point_hits_the_node_there(d: u2.Device):
    x, y = d(description="Search").center()
    d.click(x, y)
    assert d(className="android.widget.EditText", focused=True).exists


def test_send_keys_types_non_ascii_through_the_clipboard(d: u2.Device, farm: SimFarm):
    d(description="Search").click()
    d.send_keys("héllo 你好 🎉", clear=True)
    assert d(className="android.widget.EditText").get_text() == "héllo 你好 🎉"
    d.send_keys("abc", clear=True)
    assert d(focused=True).get_text() == "abc"
    ran = [argv[0] for argv in farm.phone("sim-0001").exec_log]
    assert "input" not in ran  # uiautomator2 found no AdbKeyboard and used its RPCs


def test_set_text_and_selector_masks(d: u2.Device):
    d(description="Search").click()
    edit = d(className="android.widget.EditText")
    edit.set_text("alice")
    assert edit.get_text() == "alice"
    assert d(textStartsWith="ali").count == 1
    assert d(textMatches="a.*e", className="android.widget.EditText").exists
    assert d(text="Search", clickable=True).count == 1  # the submit Button
    assert not d(text="Search", instance=1).exists
    edit.clear_text()
    assert edit.get_text() == "Search"  # an empty field's text is its hint, as dumped


def test_press_back_pops_one_screen(d: u2.Device):
    d(description="Search").click()
    assert d(className="android.widget.EditText").exists
    d.press("back")
    assert d(descriptionStartsWith="Like video. ").exists
    d.press("back")
    assert d.app_current()["package"] != PKG


def test_missing_element_raises_ui_object_not_found(d: u2.Device):
    with pytest.raises(u2.UiObjectNotFoundError, match=r"UiSelector\[TEXT=Nope\]"):
        _ = d(text="Nope").info
    assert d(text="Nope").wait(timeout=0.1) is False


def test_screenshot_is_a_full_size_image(d: u2.Device):
    img = d.screenshot()
    assert img.size == (1080, 2400)


def test_killed_uiautomator_is_restarted_by_uiautomator2(d: u2.Device, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.kill_uiautomator()
    assert not phone.uia_alive
    assert d(description="Search").exists  # uiautomator2 restarts the server and retries
    assert phone.uia_alive
    assert len([c for c in phone.shell_log if "app_process" in c]) == 2


def test_phone_going_offline_kills_the_uiautomator_server(d: u2.Device, farm: SimFarm):
    phone = farm.phone("sim-0001")
    phone.set_state("offline")
    assert not phone.uia_alive
    phone.set_state("device")
    assert d(description="Search").exists
