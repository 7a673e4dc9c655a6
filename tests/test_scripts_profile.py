"""profile on simulated phones: the own profile's nickname, bio, website and photo changed and
read back, in English and French on every build, with popups; nothing changed twice."""

from __future__ import annotations

import pytest

from runner.config import Account
from runner.errors import DeviceLost, IntakeError, TaskFailed
from runner.models.scripts import MAX_BIO_CHARS, MAX_NICKNAME_CHARS
from runner.scripts.edit_profile import NOTHING_CHANGED, WEBSITE_ABSENT
from runner.sim import VERSIONS, SimAccount, SimFarm
from tests.scripts.harness import account_truth, context_of, plan, run_contexts

S1 = "sim-0001"
U1 = "sim_user_1"


def _body(**config) -> dict:
    return {"serials": [S1], "script_name": "profile", "script_config": config}


def _edits(truth: dict) -> list[tuple[str, str]]:
    return [(a["target"], a["value"]) for a in truth["actions"] if a["action"] == "profile_edit"]


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_field_on_every_build_and_language(tmp_path, version, locale):
    farm = SimFarm(1, seed=61, app_version=version, locale=locale, popup_rate=0.3)
    photo = tmp_path / "me.jpg"
    photo.write_bytes(b"\xff\xd8me")
    body = _body(nickname="Night Owl", bio="Coffee, code & cats", website="https://example.com",
                 avatar_path=str(photo))  # fmt: skip
    [task] = plan(body, farm.accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    truth = account_truth(farm, S1, U1)
    assert [e[0] for e in _edits(truth)] == ["nickname", "bio", "website", "avatar"]
    assert truth["profile"]["nickname"] == "Night Owl"
    assert truth["profile"]["bio"] == "Coffee, code & cats"
    assert truth["profile"]["website"] == "https://example.com"
    assert truth["profile"]["avatar"].endswith("me.jpg")
    assert not [a for a in truth["actions"] if a["action"] == "story_post"]


def test_a_nickname_changed_this_week_is_refused_and_the_rest_still_saved():
    farm = SimFarm(1, seed=62)
    acc = farm.phone(S1).tiktok.account
    acc.nickname, acc.nickname_changed_at = "Old Name", farm.clock.now() - 3 * 86_400
    [task] = plan(_body(nickname="New Name", bio="still saved"), farm.accounts)
    [error] = run_contexts(farm, [context_of(task)]).values()
    assert isinstance(error, TaskFailed) and error.retry_safe is False
    assert error.remark.startswith("profile: change nickname: TikTok refused the new nickname")
    assert "once every 7 days" in error.remark and error.remark.endswith("saved: bio")
    truth = account_truth(farm, S1, U1)
    assert _edits(truth) == [("bio", "still saved")]
    assert truth["profile"]["nickname"] == "Old Name"


def test_a_week_later_the_nickname_changes():
    farm = SimFarm(1, seed=63)
    acc = farm.phone(S1).tiktok.account
    acc.nickname, acc.nickname_changed_at = "Old Name", farm.clock.now() - 7 * 86_400 - 60
    [task] = plan(_body(nickname="New Name"), farm.accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    assert _edits(account_truth(farm, S1, U1)) == [("nickname", "New Name")]


@pytest.mark.parametrize("business", [False, True])
def test_a_website_where_tiktok_offers_no_field_fails_before_anything_changes(business):
    farm = SimFarm(1, seed=64, locale="fr-FR")
    acc = farm.phone(S1).tiktok.account
    acc.followers_count, acc.business = 12, business  # under 1,000 followers
    [task] = plan(_body(nickname="Linked", website="www.example.org"), farm.accounts)
    [outcome] = run_contexts(farm, [context_of(task)]).values()
    truth = account_truth(farm, S1, U1)
    if business:  # business accounts have the field whatever their followers
        assert outcome == ""
        assert _edits(truth) == [("nickname", "Linked"), ("website", "www.example.org")]
    else:
        assert isinstance(outcome, TaskFailed) and outcome.retry_safe is False
        assert outcome.remark == f"profile: open Edit profile: {WEBSITE_ABSENT}"
        assert _edits(truth) == []


def test_values_already_on_the_profile_are_not_saved_again():
    farm = SimFarm(1, seed=65)
    [task] = plan(_body(nickname="Same", bio="Same bio"), farm.accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    [again] = plan(_body(nickname=" Same ", bio="Other bio"), farm.accounts)
    assert list(run_contexts(farm, [context_of(again)]).values()) == ["already as asked: nickname"]
    [third] = plan(_body(nickname="Same", bio="Other bio"), farm.accounts)
    assert list(run_contexts(farm, [context_of(third)]).values()) == [NOTHING_CHANGED]
    edits = _edits(account_truth(farm, S1, U1))
    assert edits == [("nickname", "Same"), ("bio", "Same bio"), ("bio", "Other bio")]


def test_usernames_mode_changes_the_named_account_only():
    farm = SimFarm(1, seed=66)
    phone = farm.phone(S1)
    phone.tiktok.add_account(SimAccount("second_acc"))
    body = {"usernames": ["second_acc"], "script_name": "profile",
            "script_config": {"bio": "the second one"}}  # fmt: skip
    accounts = [Account(username="second_acc", serial=S1), *farm.accounts]
    [task] = plan(body, accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    truth = farm.ground_truth()[S1]["accounts"]
    assert truth["second_acc"]["profile"]["bio"] == "the second one"
    assert truth[U1]["profile"]["bio"] == ""


# ---------------------------------------------------------------------------------- intake


@pytest.mark.parametrize(
    ("field", "limit"), [("nickname", MAX_NICKNAME_CHARS), ("bio", MAX_BIO_CHARS)]
)
def test_values_over_tiktoks_lengths_are_refused_at_intake(field, limit):
    plan(_body(**{field: "é" * limit}), [])  # exactly the limit is fine (characters, not bytes)
    with pytest.raises(IntakeError) as e:
        plan(_body(**{field: "é" * (limit + 1)}), [])
    assert e.value.code == 40001
    [detail] = e.value.details
    assert detail.pointer == f"/script_config/{field}"
    assert f"at most {limit} characters" in detail.message


def test_a_profile_with_nothing_to_change_is_refused_at_intake():
    for config in ({}, {"nickname": "  ", "bio": ""}):
        with pytest.raises(IntakeError) as e:
            plan(_body(**config), [])
        assert e.value.code == 40001 and "at least one field to change" in str(e.value)


def test_an_avatar_outside_the_material_roots_or_not_an_image_is_refused(tmp_path):
    root = tmp_path / "allowed"
    root.mkdir()
    (root / "clip.mp4").write_bytes(b"v")
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8")
    (root / "link.jpg").symlink_to(tmp_path / "secret.jpg")  # a symlink out of the root
    for raw, words in [(str(tmp_path / "secret.jpg"), "is outside the material folders"),
                       ("link.jpg", "is outside the material folders"),
                       ("clip.mp4", "is not an image file"),
                       ("missing.png", "is not an existing file")]:  # fmt: skip
        with pytest.raises(IntakeError) as e:
            plan(_body(avatar_path=raw), [], upload_folder=root, material_roots=(root,))
        [detail] = e.value.details
        assert detail.pointer == "/script_config/avatar_path" and words in detail.message, raw
    (root / "me.png").write_bytes(b"png")
    plan(_body(avatar_path="me.png"), [], upload_folder=root, material_roots=(root,))


def test_an_avatar_swapped_for_a_symlink_after_intake_is_never_pushed(tmp_path):
    farm = SimFarm(1, seed=67)
    root = tmp_path / "allowed"
    root.mkdir()
    (root / "me.jpg").write_bytes(b"\xff\xd8")
    [task] = plan(_body(avatar_path="me.jpg", bio="b"), farm.accounts, upload_folder=root,
                  material_roots=(root,))  # fmt: skip
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    (root / "me.jpg").unlink()
    (root / "me.jpg").symlink_to(tmp_path / "secret.jpg")
    ctx = context_of(task, upload_folder=root, material_roots=(root,))
    [error] = run_contexts(farm, [ctx]).values()
    assert isinstance(error, TaskFailed)
    assert "is outside the material folders" in error.remark
    assert _edits(account_truth(farm, S1, U1)) == []


# ---------------------------------------------------------------------------------- faults


def test_app_crash_on_the_bio_page_fails_with_the_step_and_saves_nothing_more():
    farm = SimFarm(1, seed=68)
    farm.phone(S1).on_screen("edit_bio", "crash")
    [task] = plan(_body(nickname="Saved First", bio="never"), farm.accounts)
    [error] = run_contexts(farm, [context_of(task)]).values()
    assert isinstance(error, TaskFailed) and not error.retry_safe
    assert error.remark.startswith("profile: change bio: ")
    assert "the app crashed" in error.remark
    assert _edits(account_truth(farm, S1, U1)) == [("nickname", "Saved First")]


def test_uiautomator_death_on_edit_profile_is_recovered_and_each_field_saved_once(tmp_path):
    farm = SimFarm(1, seed=69)
    farm.phone(S1).on_screen("edit_profile", "kill_uiautomator")
    farm.phone(S1).on_screen("edit_nickname", "popup")
    photo = tmp_path / "p.png"
    photo.write_bytes(b"png")
    [task] = plan(_body(nickname="Once", avatar_path=str(photo)), farm.accounts)
    assert list(run_contexts(farm, [context_of(task)]).values()) == [""]
    truth = account_truth(farm, S1, U1)
    assert [e[0] for e in _edits(truth)] == ["nickname", "avatar"]


def test_phone_offline_at_the_photo_fails_as_device_lost_and_the_retry_changes_the_rest(tmp_path):
    farm = SimFarm(1, seed=70)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8")
    farm.phone(S1).on_screen("avatar_crop", "offline")
    [task] = plan(_body(bio="first", avatar_path=str(photo)), farm.accounts)
    [error] = run_contexts(farm, [context_of(task, task_id=950)]).values()
    assert isinstance(error, DeviceLost) and error.remark.startswith("profile: change avatar: ")
    farm.phone(S1).set_state("device")
    retry = context_of(task, task_id=950, retry_count=1)
    assert list(run_contexts(farm, [retry]).values()) == ["already as asked: bio"]
    truth = account_truth(farm, S1, U1)
    assert [e[0] for e in _edits(truth)] == ["bio", "avatar"]
    assert not [a for a in truth["actions"] if a["action"] == "story_post"]
