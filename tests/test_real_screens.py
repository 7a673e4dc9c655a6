"""Real phones' screens as test cases (issue "Real TikTok", point 8): each dump's screen, language
and elements, checked through the code ``tikrunner inspect`` uses (runner.scripts.inspect)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from runner.devices.hierarchy import Hierarchy, normalize
from runner.scripts.inspect import inspect_hierarchy
from runner.scripts.matcher import SelectorFileError, load_selectors

SCREENS = Path(__file__).parent / "real_screens"
EXPECTED = YAML(typ="safe").load((SCREENS / "expected.yaml").read_text(encoding="utf-8"))

# Every dump: the screen it shows and the app's language (None: no text of the app to tell).
# Derived by hand from each dump, in the vocabulary of `tikrunner inspect`.
ALL = {
    "tt4314_fr_collections_popup.xml": ("popup", "fr"),
    "tt4314_fr_comment_sheet.xml": ("comments", "fr"),
    "tt4314_fr_comment_sheet_empty.xml": ("comments", "fr"),
    "tt4314_fr_for_you_live_preview.xml": ("home", "fr"),
    "tt4314_fr_for_you_video.xml": ("home", "fr"),
    "tt4314_fr_home.xml": ("home", "fr"),
    "tt4314_fr_launch_black.xml": (None, None),
    "tt4314_fr_own_profile.xml": ("own_profile", "fr"),
    "tt4314_fr_profile.xml": ("profile", "fr"),
    "tt4314_fr_publish_camera.xml": ("camera", "fr"),
    "tt4314_fr_publish_gallery.xml": ("gallery", "fr"),
    "tt4314_fr_search_users.xml": ("search_results", "fr"),
    "tt4314_fr_update_prompt.xml": ("popup", None),  # a dialog with no text at all
    "tt4314_fr_video_follow_over_avatar.xml": ("home", "fr"),
    "tt4314_publish_post_screen.xml": ("post", "en"),
    "tt4663_en_publish_uploading.xml": ("home", "en"),
    "tt4693_en_ad_caption_more.xml": ("home", "en"),
    "tt4693_en_ad_promoted_sound_only.xml": ("home", "en"),
    "tt4693_en_ad_with_label.xml": ("home", "en"),
    "tt4693_en_for_you_video.xml": ("home", "en"),
    "tt4693_fr_live_preview.xml": ("home", "fr"),
    "tt4693_fr_search_results.xml": ("search_results", "fr"),
    "tt4693_fr_search_users.xml": ("search_results", "fr"),
    "tt4703_fr_comment_sheet.xml": ("comments", "fr"),
    "tt4703_fr_for_you_video.xml": ("home", "fr"),
    "tt4703_fr_own_profile_not_recommended.xml": ("own_profile", "fr"),
    "tt4703_fr_profile_followed.xml": ("profile", "fr"),
    "tt4703_fr_publish_editor_sound.xml": ("editor", "fr"),
    "tt4703_fr_publish_gallery_selected.xml": ("gallery", "fr"),
    "tt4703_fr_publish_post_screen.xml": ("post", "fr"),
    "tt4703_fr_search_field.xml": ("search", "fr"),
    "tt4703_fr_video_page_comment_bar.xml": ("video", "fr"),
    "tt47_fr_profile_follows_us_no_message_entry.xml": ("profile", "fr"),
}


def report(name: str, **kw):
    h = Hierarchy.parse((SCREENS / name).read_text(encoding="utf-8"))
    return inspect_hierarchy(h, load_selectors(), **kw)


def test_every_dump_beside_the_tests_is_listed():
    assert sorted(p.name for p in SCREENS.glob("*.xml")) == sorted(ALL)


@pytest.mark.parametrize("name", sorted(ALL))
def test_each_real_dump_shows_its_screen_and_language(name):
    r = report(name)
    assert (r.screen, r.locale) == ALL[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_elements_are_the_nodes_a_tap_must_land_on(name):
    want = EXPECTED[name]
    r = report(name)
    assert r.screen == want["screen"]
    assert r.locale == want["locale"]
    for element, node in (want.get("elements") or {}).items():
        got = r.elements.get(element)
        assert got is not None, f"{name}: {element} not found"
        assert list(got.bounds) == node["bounds"], f"{name}: {element} is {got}"
        assert got.class_name == node["class"]


def test_follow_control_is_told_from_the_counter_that_shares_its_word():
    # 47.0.3 fr: the control reads "Suivis " (following) and the counter's label "Suivis" too.
    r = report("tt4703_fr_profile_followed.xml")
    assert r.elements["following_button"].bounds == (723, 584, 870, 689)
    assert "follow_button" not in r.elements
    # 43.1.4 fr: "Suivre" is the control; the feed's top tab "Suivis" is never a follow state.
    assert "following_button" not in report("tt4314_fr_for_you_video.xml").elements


def test_a_private_account_that_follows_you_shows_follow_back():
    r = report("tt47_fr_profile_follows_us_no_message_entry.xml")
    assert r.elements["follow_back_button"].text == "Suivre en retour"
    assert r.elements["private_account"].text == "Ce compte est privé"
    assert "follow_button" not in r.elements


def test_ads_and_lives_in_the_feed_are_recognised():
    assert report("tt4693_en_ad_with_label.xml").elements["ad_label"].text == "Ad"
    assert "ad_label" not in report("tt4693_en_for_you_video.xml").elements
    assert "live_label" in report("tt4693_fr_live_preview.xml").elements
    assert "live_label" in report("tt4314_fr_for_you_live_preview.xml").elements


def test_an_upload_in_progress_is_shown_on_the_home_feed():
    r = report("tt4663_en_publish_uploading.xml")
    assert r.screen == "home"
    assert r.elements["upload_progress"].text == "66%"


def test_templated_elements_take_the_target_when_given():
    assert (
        report("tt4314_fr_profile.xml", target="name_1").elements["profile_handle"].text
        == "@name_1"
    )
    assert "profile_handle" not in report("tt4314_fr_profile.xml", target="someone").elements


def test_the_systemui_window_never_counts():
    r = report("tt4693_en_ad_with_label.xml")
    assert all(e.resource_id.startswith("com.zhiliaoapp.musically") or not e.resource_id or
               e.resource_id.startswith("android:") for e in r.elements.values())  # fmt: skip
    assert "back_button" not in r.elements  # systemui has its own "Back"


def test_a_language_without_strings_is_conclusively_unsupported():
    xml = (SCREENS / "tt4693_en_ad_with_label.xml").read_text(encoding="utf-8")
    german = {
        "Like video": "Video liken", "Read or add comments": "Kommentare lesen oder hinzufügen",
        "Share video": "Video teilen", "Add or remove this video from Favorites.":
        "Dieses Video zu Favoriten hinzufügen oder daraus entfernen.", "Follow ": "Folgen ",
        '"Home"': '"Startseite"', '"Friends"': '"Freunde"', '"Inbox"': '"Posteingang"',
        '"Profile"': '"Profil"', '"Create"': '"Erstellen"', '"Search"': '"Suchen"',
        '"For You"': '"Für dich"', '"Following"': '"Folge ich"', '"Shop"': '"Laden"',
        '"Ad"': '"Werbung"', '"Video"': '"Clip"', "Sound:": "Ton:", '"Like"': '"Gefällt mir"',
    }  # fmt: skip
    for en, de in german.items():
        xml = xml.replace(en, de)
    book = load_selectors()
    h = Hierarchy.parse(xml)
    guess = book.detect_locale(h, "com.zhiliaoapp.musically", "de-DE")
    assert guess.code is None and guess.conclusive
    assert report("tt4693_en_ad_with_label.xml").unsupported is False


def test_the_phone_locale_only_breaks_ties():
    book = load_selectors()
    h = Hierarchy.parse((SCREENS / "tt4314_fr_profile.xml").read_text(encoding="utf-8"))
    assert book.detect_locale(h, "com.zhiliaoapp.musically", "en-US").code == "fr"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_bidi_marks_no_break_spaces_and_padding_never_change_a_match(word):
    dressed = "\u200e\u2068 " + word.replace(" ", "\u00a0") + "\u2069 \u202f"
    assert normalize(dressed) == normalize(word)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runner.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_inspect_json_is_exactly_the_documented_shape():
    out = run_cli("inspect", "--json", str(SCREENS / "tt4703_fr_comment_sheet.xml"))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"app", "screen", "locale", "elements", "missing"}
    assert (data["app"], data["screen"], data["locale"]) == ("tiktok", "comments", "fr")
    assert data["elements"]["comment_post"] == {
        "bounds": [732, 2210, 832, 2305],
        "text": "",
        "content_desc": "@2131823358",
        "resource_id": "com.zhiliaoapp.musically:id/l12",
    }
    assert data["missing"] == []


def test_inspect_text_names_the_screen_language_and_elements():
    out = run_cli("inspect", str(SCREENS / "tt4314_fr_profile.xml"))
    assert out.returncode == 0, out.stderr
    assert "screen:   profile" in out.stdout and "language: fr" in out.stdout
    assert "follow_button" in out.stdout and "'Suivre'" in out.stdout


def test_inspect_of_a_broken_dump_is_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "hierarchy.xml"
    bad.write_text("<hierarchy><node", encoding="utf-8")
    out = run_cli("inspect", str(bad))
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert run_cli("inspect").returncode == 2


def test_an_override_patches_one_element_and_keeps_the_rest(tmp_path):
    patch = tmp_path / "patch.yaml"
    patch.write_text(
        "elements:\n  message_button:\n    seen_on: farm patch\n    alternatives:\n"
        "      - {text: Envoyer un message}\n"
        "strings:\n  fr: {message: Envoyer un message}\n",
        encoding="utf-8",
    )
    book = load_selectors(overrides=[patch])
    assert book.element("message_button").seen_on == "farm patch"
    assert (
        book.element("follow_button").seen_on == load_selectors().element("follow_button").seen_on
    )
    assert book.locales.variants("message", "fr") == ("Envoyer un message",)
    out = run_cli(
        "inspect", "--json", "--selectors", str(patch), str(SCREENS / "tt4314_fr_profile.xml")
    )
    assert "message_button" not in json.loads(out.stdout)["elements"]


def test_a_bad_override_lists_every_problem_with_file_and_key(tmp_path):
    folder = tmp_path / "selectors"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "elements:\n  follow_button:\n    seen_on: x\n    alternatives:\n      - {txt: Follow}\n"
        "  like_button:\n    alternatives: []\n",
        encoding="utf-8",
    )
    (folder / "b.yaml").write_text(
        "elements: {share_button: {seen_on: y, alternatives: [{text: '{nope}'}]}}\n"
    )
    with pytest.raises(SelectorFileError) as e:
        load_selectors(overrides=[folder])
    lines = str(e.value).splitlines()[1:]
    assert any(
        str(folder / "a.yaml") in ln and "follow_button" in ln and "'txt'" in ln for ln in lines
    )
    assert any(str(folder / "a.yaml") in ln and "like_button" in ln for ln in lines)
    assert any(
        str(folder / "b.yaml") in ln and "share_button" in ln and "{nope}" in ln for ln in lines
    )


def test_serve_with_a_bad_selectors_override_stops_in_one_line_per_problem(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "elements: {follow_button: {seen_on: x, alternatives: [{txt: a}]}}\n"
    )
    (tmp_path / "tikrunner.yaml").write_text(
        f"selectors: {tmp_path / 'bad.yaml'}\nspool: {tmp_path / 'spool'}\n"
    )
    out = run_cli("serve", "--config", str(tmp_path / "tikrunner.yaml"), "--no-http")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert any("bad.yaml" in ln and "follow_button" in ln for ln in out.stderr.splitlines())


# ------------------------------------------------------------------- the like control's states
LIKED = sorted((SCREENS / "excerpts").glob("*_liked_video_like_control.xml"))
UNLIKED = {  # dumps of videos not liked, and the count their like control shows
    "tt4314_fr_for_you_video.xml": "73",
    "tt4693_en_ad_with_label.xml": "4,869",
    "tt4693_en_for_you_video.xml": "906.2K",
    "tt4703_fr_for_you_video.xml": "34",
    "tt4703_fr_video_page_comment_bar.xml": "127",
}


def _element(path: Path, name: str):
    from runner.scripts.matcher import Values

    values = Values({"package": "com.zhiliaoapp.musically"})
    return load_selectors().find(Hierarchy.parse(path.read_text(encoding="utf-8")), name, values)


@pytest.mark.parametrize("path", LIKED, ids=lambda p: p.name)
def test_a_liked_video_reads_liked_from_the_real_dumps_never_unliked(path):
    """tt4314_fr_liked_video and tt4703_fr_liked_video (excerpts/README.md): the Button stays
    selected="false", reads "Vidéo aimée" without a count; the heart inside is selected; the count
    is its own Button. The like script must see it liked and must not tap it."""
    liked = _element(path, "like_button_selected")
    assert liked is not None and liked.ndesc == "Vidéo aimée" and liked.selected is False
    assert _element(path, "like_button") == liked
    assert _element(path, "like_button_unliked") is None
    assert _element(path, "like_count").text == {"tt4314": "131", "tt4703": "11"}[path.name[:6]]


@pytest.mark.parametrize("name", sorted(UNLIKED))
def test_a_video_not_liked_reads_unliked_with_its_count(name):
    path = SCREENS / name
    assert _element(path, "like_button_selected") is None
    assert _element(path, "like_button_unliked") == _element(path, "like_button")
    assert _element(path, "like_count").text == UNLIKED[name]


@pytest.mark.parametrize(
    ("name", "tiles"), [("tt4703_fr_profile_followed.xml", 9), ("tt4314_fr_profile.xml", 6)]
)
def test_the_first_three_tiles_of_a_real_profile_are_the_pinned_ones(name, tiles):
    from runner.scripts.matcher import Values

    h = Hierarchy.parse((SCREENS / name).read_text(encoding="utf-8"))
    book, values = load_selectors(), Values({"package": "com.zhiliaoapp.musically"})
    found = book.find_all(h, "profile_tile", values)
    badges = book.find_all(h, "pinned_badge", values)
    assert len(found) == tiles
    pinned = [i for i, t in enumerate(found) if any(t.index <= b.index < t.end for b in badges)]
    assert pinned == [0, 1, 2]
