"""Device layer and selector matching: pure parts first (no phone), then against simulated phones."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import trio

from runner.devices import Hierarchy, HierarchyParseError
from runner.errors import DeviceLost, TaskFailed
from runner.scripts import run_task
from runner.scripts.matcher import SelectorFileError, load_selectors, parse_selectors
from runner.sim import DEFAULT_VERSION, SimFarm
from tests.devices.simfarm import make_ctx, on_farm, open_session

PKG = "com.zhiliaoapp.musically"

# A dump as uiautomator2 returns it (UiAutomation window dump format), saved from a profile
# page with a popup over it and a search field that still holds the typed name.
PROFILE_DUMP = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<hierarchy rotation="0">
  <node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][1080,2400]">
    <node index="0" text="" resource-id="com.zhiliaoapp.musically:id/b7q" class="android.widget.ImageView" package="com.zhiliaoapp.musically" content-desc="Back" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,80][120,200]" />
    <node index="1" text="alice" resource-id="com.zhiliaoapp.musically:id/et" class="android.widget.EditText" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="true" scrollable="false" long-clickable="true" password="false" selected="false" bounds="[140,80][900,200]" />
    <node index="2" text="@alice" resource-id="com.zhiliaoapp.musically:id/qx" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[300,600][780,660]" />
    <node index="3" text="alice_official" resource-id="" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,700][1080,800]" />
    <node index="4" text="alice" resource-id="" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,800][1080,900]" />
    <node index="5" text="Follow" resource-id="com.zhiliaoapp.musically:id/f1" class="android.widget.Button" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[340,1000][740,1100]" />
    <node index="6" text="" resource-id="" class="android.widget.FrameLayout" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[100,1500][980,1900]">
      <node index="0" text="Got it" resource-id="" class="android.widget.Button" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[400,1750][680,1850]" />
    </node>
  </node>
</hierarchy>"""


def test_dump_is_parsed_into_nodes_with_their_attributes():
    h = Hierarchy.parse(PROFILE_DUMP)
    assert len(h) == 9
    follow = [n for n in h if n.text == "Follow"][0]
    assert follow.class_name == "android.widget.Button"
    assert follow.resource_id == f"{PKG}:id/f1"
    assert follow.clickable and not follow.focused
    assert follow.bounds.center == (540, 1050)
    assert h.focused() is not None and h.focused().text == "alice"
    back = [n for n in h if n.content_desc == "Back"][0]
    assert back.depth == 2


def test_malformed_dump_is_a_clear_error():
    with pytest.raises(HierarchyParseError):
        Hierarchy.parse("<hierarchy><node text='x'></hierarchy>")


def test_external_entities_in_a_dump_are_refused_not_read():
    evil = (
        '<?xml version="1.0"?><!DOCTYPE h [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<hierarchy><node text="&x;" bounds="[0,0][1,1]"/></hierarchy>'
    )
    with pytest.raises(HierarchyParseError, match="external entity"):
        Hierarchy.parse(evil)


REAL = Path(__file__).parent / "real_screens"


def real(name: str) -> Hierarchy:
    return Hierarchy.parse((REAL / name).read_text(encoding="utf-8"))


def test_matcher_finds_named_elements_popups_and_screens_in_one_real_dump():
    book = load_selectors()
    h = real("tt4314_fr_profile.xml")
    values = {"package": PKG, "username": "name_1"}
    assert book.find(h, "follow_button", values).text == "Suivre"
    assert book.find(h, "following_button", values) is None  # the counter "Suivis" is no control
    assert book.find(h, "profile_handle", values).text == "@name_1"
    assert book.find(h, "profile_handle", {"package": PKG, "username": "name_"}) is None
    assert book.detect_screen(h, values) == "profile"
    popup = real("tt4314_fr_collections_popup.xml")
    assert book.popup(popup, values).text == "Pas maintenant"


def test_the_same_id_on_two_controls_never_decides_alone():
    book = load_selectors()
    h = real("tt4693_en_ad_with_label.xml")  # like and share are both g6o on 46.9.3
    like = book.find(h, "like_button", {"package": PKG})
    share = book.find(h, "share_button", {"package": PKG})
    assert like.resource_id == share.resource_id
    assert like.content_desc.startswith("Like video") and share.content_desc.startswith("Share")


def test_a_user_row_reading_like_a_popup_button_is_not_a_popup():
    book = load_selectors()
    xml = (REAL / "tt4693_fr_search_users.xml").read_text(encoding="utf-8")
    h = Hierarchy.parse(xml.replace("\u200e\u2068user_1\u2069", "Pas maintenant"))
    assert book.popup(h, {"package": PKG}) is None


def test_usernames_fill_templates_as_data_not_as_templates():
    book = load_selectors()
    xml = (REAL / "tt4314_fr_profile.xml").read_text(encoding="utf-8")
    h = Hierarchy.parse(xml.replace("@name_1", "@{package}"))
    assert book.find(h, "profile_handle", {"package": PKG, "username": "{package}"}) is not None


def test_shipped_selector_file_names_a_version_for_every_element():
    book = load_selectors()
    assert book is load_selectors()  # read once
    for element in book.elements.values():
        assert element.seen_on and element.alternatives
    assert {"follow_button", "following_button", "friends_button", "follow_back_button",
            "requested_button", "private_account", "ad_label", "search_field", "user_row"} <= set(
        book.elements
    )  # fmt: skip


def test_bad_selector_file_is_refused_with_every_problem_listed():
    data = {
        "elements": {
            "follow_button": {"seen_on": "1", "alternatives": [{"txt": "Follow"}]},
            "row": {"seen_on": "1", "alternatives": [{"text": "{user}"}]},
            "flag": {"alternatives": [{"clickable": "yes"}]},
        },
        "popups": {"seen_on": "1", "alternatives": [{"text": "Skip"}]},
        "screens": {"profile": {"any_of": ["follow_button", "nope"]}},
    }
    with pytest.raises(SelectorFileError) as e:
        parse_selectors(data, source="bad.yaml")
    msg = str(e.value)
    assert "elements.follow_button.alternatives[0]: unknown key 'txt'" in msg
    assert "{user} is neither a value field" in msg
    assert "elements.flag.seen_on" in msg
    assert "elements.flag.alternatives[0].clickable: must be true or false" in msg
    assert "screens.profile.any_of: no element named 'nope'" in msg


def test_unreadable_selector_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("elements: [unclosed", encoding="utf-8")
    with pytest.raises(SelectorFileError, match="cannot read"):
        load_selectors(bad)


# -- against simulated phones -------------------------------------------------------------------

S1 = "sim-0001"


def test_prepare_reports_the_app_version_and_wakes_the_screen():
    farm = SimFarm(1, seed=1)
    farm.phone(S1).screen_on = False

    async def main(host, port):
        session = await open_session(host, port, S1)
        try:
            return await session.prepare(PKG)
        finally:
            await session.close()

    assert on_farm(farm, main) == DEFAULT_VERSION
    assert farm.phone(S1).screen_on


def test_prepare_fails_naming_the_package_when_the_app_is_missing():
    farm = SimFarm(1, seed=1)

    async def main(host, port):
        session = await open_session(host, port, S1)
        try:
            await session.prepare("com.ss.android.ugc.trill")
        finally:
            await session.close()

    with pytest.raises(TaskFailed) as e:
        on_farm(farm, main)
    assert e.value.remark == "app com.ss.android.ugc.trill is not installed"


def test_uiautomator_killed_between_tasks_is_restarted_once(caplog):
    farm = SimFarm(1, seed=2)
    phone = farm.phone(S1)

    async def main(host, port):
        session = await open_session(host, port, S1)
        try:
            first = await run_task(make_ctx(S1, "follow", "alice"), session)
            await trio.to_thread.run_sync(phone.kill_uiautomator)  # the sim's hooks block
            assert not phone.uia_alive
            second = await run_task(make_ctx(S1, "follow", "bob"), session)
            return first, second
        finally:
            await session.close()

    caplog.set_level(logging.INFO)
    assert on_farm(farm, main) == ("", "")
    assert farm.ground_truth()[S1]["accounts"]["sim_user_1"]["following"] == ["alice", "bob"]
    # bob was followed after the kill: uiautomator2 restarted the dead server once, on the first
    # RPC that found it dead (BasicUiautomatorServer.jsonrpc_call); the health check is one shell
    # call and pings nothing.


def test_phone_going_offline_mid_task_is_device_lost_naming_the_serial():
    farm = SimFarm(1, seed=3)
    phone = farm.phone(S1)

    async def main(host, port):
        session = await open_session(host, port, S1)
        ctx = make_ctx(S1, "follow", "alice", access_method="search")

        async def pull_the_plug():
            # once the task is past its health check and into the search screens
            while session.device_calls < 12:
                await trio.sleep(0.005)
            await trio.to_thread.run_sync(phone.set_state, "offline")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(pull_the_plug)
            try:
                await run_task(ctx, session)
            except DeviceLost as e:
                return e
            finally:
                nursery.cancel_scope.cancel()

    lost = on_farm(farm, main)
    assert isinstance(lost, DeviceLost)
    assert "sim-0001" in lost.remark
    assert "offline" in lost.remark
    assert lost.remark.startswith("follow: ")  # names the step it happened in
    assert farm.ground_truth()[S1]["accounts"]["sim_user_1"]["following"] == []


def test_save_artifacts_writes_a_screenshot_and_the_hierarchy(tmp_path):
    farm = SimFarm(1, seed=4)

    async def main(host, port):
        session = await open_session(host, port, S1)
        try:
            await session.open_url_in_app("https://www.tiktok.com/@alice", PKG)
            await session.save_artifacts(tmp_path / "42")
            await trio.to_thread.run_sync(farm.phone(S1).set_state, "offline")
            await session.save_artifacts(tmp_path / "43")  # never raises; last dump kept
        finally:
            await session.close()

    on_farm(farm, main)
    shot = tmp_path / "42" / "screenshot.jpg"
    assert shot.read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    assert "@alice" in (tmp_path / "42" / "hierarchy.xml").read_text(encoding="utf-8")
    assert "@alice" in (tmp_path / "43" / "hierarchy.xml").read_text(encoding="utf-8")
    assert not (tmp_path / "43" / "screenshot.jpg").exists()


def test_a_cancelled_task_stops_between_device_calls_and_the_session_stays_usable():
    farm = SimFarm(1, seed=5)
    farm.phone(S1).latency = 0.02  # every reply takes a moment, so the cancel lands mid-task

    async def main(host, port):
        session = await open_session(host, port, S1)
        try:
            with trio.move_on_after(0.3) as scope:
                await run_task(make_ctx(S1, "follow", "alice", access_method="search"), session)
            calls_at_cancel = session.device_calls
            await trio.sleep(0.1)
            assert session.device_calls == calls_at_cancel  # nothing kept talking to the phone
            return scope.cancelled_caught, await run_task(make_ctx(S1, "follow", "bob"), session)
        finally:
            await session.close()

    assert on_farm(farm, main) == (True, "")
    assert farm.ground_truth()[S1]["accounts"]["sim_user_1"]["following"] == ["bob"]


def test_a_device_call_to_a_hung_phone_is_bounded_and_a_cancel_lands_mid_call():
    """uiautomator2's own HTTP timeout never reaches its socket: the session bounds each call."""
    from runner.errors import UiautomatorUnavailable

    farm = SimFarm(1, seed=2)

    async def main(host, port):
        session = await open_session(host, port, S1)
        try:
            farm.phone(S1).latency = 3.0  # every reply takes 3 s
            session.call_timeout = 0.5
            start = trio.current_time()
            with pytest.raises(UiautomatorUnavailable) as info:
                await session.dump()
            timed_out = trio.current_time() - start
            start = trio.current_time()
            with trio.move_on_after(0.2):  # a stop while a call is in flight
                session.call_timeout = 60
                await session.dump()
            cancelled = trio.current_time() - start
            return str(info.value), timed_out, cancelled, session.abandoned
        finally:
            farm.phone(S1).latency = 0.0
            await session.close()

    remark, timed_out, cancelled, abandoned = on_farm(farm, main)
    assert remark == f"{S1} did not answer hierarchy dump within 0.5 s"
    assert timed_out < 2.0 and cancelled < 0.5 and abandoned == 2
