"""Device layer and selector matching: pure parts first (no phone), then against simulated phones."""

from __future__ import annotations

import pytest

from runner.devices import Hierarchy, HierarchyParseError
from runner.scripts.matcher import SelectorFileError, load_selectors, parse_selectors

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


def test_matcher_finds_named_elements_popups_and_screens_in_one_dump():
    book = load_selectors()
    h = Hierarchy.parse(PROFILE_DUMP)
    values = {"package": PKG, "username": "alice"}
    assert book.find(h, "follow_button", values).text == "Follow"
    assert book.find(h, "following_button", values) is None
    assert book.find(h, "profile_handle", values).text == "@alice"
    assert book.find(h, "back_button", values).content_desc == "Back"
    # the exact row, not the look-alike above it and not the search field holding the same text
    row = book.find(h, "user_row", values)
    assert row.text == "alice" and row.class_name == "android.widget.TextView"
    assert row.bounds.top == 800
    assert book.find(h, "user_row", {"package": PKG, "username": "alic"}) is None
    assert book.popup(h, values).text == "Got it"
    assert book.detect_screen(h, values) == "profile"


def test_usernames_fill_templates_as_data_not_as_templates():
    book = load_selectors()
    h = Hierarchy.parse(PROFILE_DUMP.replace("@alice", "@{package}"))
    assert book.find(h, "profile_handle", {"package": PKG, "username": "{package}"}) is not None


def test_shipped_selector_file_names_a_version_for_every_element():
    book = load_selectors()
    assert book is load_selectors()  # read once
    for element in book.elements.values():
        assert element.seen_on and element.alternatives
    assert {"follow_button", "following_button", "search_field", "user_row"} <= set(book.elements)


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
    assert "unknown template field {user}" in msg
    assert "elements.flag.seen_on" in msg
    assert "elements.flag.alternatives[0].clickable: must be true or false" in msg
    assert "screens.profile.any_of: no element named 'nope'" in msg


def test_unreadable_selector_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("elements: [unclosed", encoding="utf-8")
    with pytest.raises(SelectorFileError, match="cannot read selector file"):
        load_selectors(bad)
