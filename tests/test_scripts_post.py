"""post on simulated phones: which files, which caption, never the same file twice, every
post_way on every build in English and French (the real-shaped create flow: a wordless gallery
entry, unnamed tiles picked by order, Next (N), the upload's N% window), and faults and retries
that never lead to a double post."""

from __future__ import annotations

import random
import re

import pytest

from runner.errors import DeviceLost, IntakeError, PostConditionFailed, TaskFailed
from runner.materials import Ledger
from runner.scripts.post import ALREADY_POSTED, PostAttempts
from runner.scripts.text import spin
from runner.sim import VERSIONS, SimFarm
from runner.sim.clock import ManualClock
from tests.scripts.harness import account_truth, context_of, plan, run_contexts

S1 = "sim-0001"
U1 = "sim_user_1"


def _body(**config) -> dict:
    return {"serials": [S1], "script_name": "post", "script_config": config}


def _media(post: dict) -> list[str]:
    return [re.sub(r"^t\d+-\d+-", "", m) for m in post["media"]]


def test_nested_spintax_is_seeded_per_task():
    template = "{Hi|Hello} {there|{big|small} world}!"
    picks = {spin(template, random.Random(seed)) for seed in range(40)}
    assert picks == {
        f"{a} {b}!" for a in ("Hi", "Hello") for b in ("there", "big world", "small world")
    }
    assert spin(template, random.Random(5)) == spin(template, random.Random(5))
    assert spin("{name} and {unclosed", random.Random(1)) == "{name} and {unclosed"


def test_local_folder_uses_the_account_folder_and_its_caption_then_the_root(tmp_path):
    farm = SimFarm(1, seed=31, upload_seconds=0.2)
    own = tmp_path / f"@{U1}"
    own.mkdir()
    (own / "mine.mp4").write_bytes(b"mine")
    (own / "caption.txt").write_text("{Morning|Evening} from me\n", encoding="utf-8")
    (tmp_path / "shared.mp4").write_bytes(b"shared")
    body = _body(material_source="localFolder", material_path=str(tmp_path), post_way="addButton")
    tasks = plan(body, farm.accounts) * 3
    db = tmp_path / "materials.db"
    ctxs = [context_of(t, materials_db=db) for t in tasks]
    outcomes = list(run_contexts(farm, ctxs).values())
    assert outcomes[:2] == ["", ""]
    assert isinstance(outcomes[2], TaskFailed)
    assert "no unposted video file(s) in folder" in outcomes[2].remark
    posts = account_truth(farm, S1, U1)["posts"]
    assert [_media(p) for p in posts] == [["mine.mp4"], ["shared.mp4"]]
    assert re.fullmatch(r"(Morning|Evening) from me", posts[0]["caption"])
    assert Ledger(db).state_of(own / "mine.mp4") == "posted"


def test_material_outside_the_roots_is_refused_at_intake(tmp_path):
    root = tmp_path / "allowed"
    root.mkdir()
    body = _body(material_list=[str(tmp_path / "elsewhere" / "x.mp4"), "inside.mp4"])
    with pytest.raises(IntakeError) as e:
        plan(body, [], upload_folder=root, material_roots=(root,))
    assert e.value.code == 40001
    details = {d.pointer: d.message for d in e.value.details}
    assert list(details) == ["/script_config/material_list/0", "/script_config/material_list/1"]
    assert "is outside the material folders" in details["/script_config/material_list/0"]
    assert "is not an existing file" in details["/script_config/material_list/1"]
    sneaky = _body(material_source="localFolder", material_path=str(root / ".." / "etc"))
    with pytest.raises(IntakeError):
        plan(sneaky, [], material_roots=(root,))
    (root / "ok.mp4").write_bytes(b"ok")
    plan(_body(material_list=[str(root / "ok.mp4")]), [], material_roots=(root,))


def test_sound_options_reach_the_post(tmp_path):
    farm = SimFarm(1, seed=32, upload_seconds=0.2)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"clip")
    bodies = [
        _body(material_list=[str(video)], post_way="useSound", sound_name="summer"),
        _body(
            material_list=[str(video)],
            post_way="addButton",
            add_sound="custom",
            custom_sound_keyword="piano",
        ),  # fmt: skip
        _body(material_list=[str(video)], post_way="share", add_sound="0"),
    ]
    ctxs = [context_of(plan(b, farm.accounts)[0]) for b in bodies]
    assert list(run_contexts(farm, ctxs).values()) == ["", "", ""]
    posts = account_truth(farm, S1, U1)["posts"]
    assert [p["post_way"] for p in posts] == ["useSound", "addButton", "share"]
    assert posts[0]["sound"]["name"].startswith("summer")
    assert posts[1]["sound"]["name"].startswith("piano")
    assert posts[2]["sound"] is None


def test_phone_offline_before_post_fails_then_a_retry_posts_exactly_once(tmp_path):
    farm = SimFarm(1, seed=33, upload_seconds=0.2)
    (tmp_path / "a.mp4").write_bytes(b"a")
    (tmp_path / "b.mp4").write_bytes(b"b")
    db = tmp_path / "materials.db"
    [task] = plan(
        _body(material_source="localFolder", material_path=str(tmp_path), captions="once"),
        farm.accounts,
    )
    farm.phone(S1).on_screen("post", "offline")
    first = context_of(task, materials_db=db, task_id=500)
    [error] = run_contexts(farm, [first]).values()
    assert isinstance(error, DeviceLost)
    assert "device sim-0001 offline: " in error.remark and error.remark.startswith("post: ")
    assert Ledger(db).state_of(tmp_path / "a.mp4") is None  # given back: Post was never tapped
    farm.phone(S1).set_state("device")
    retry = context_of(task, materials_db=db, task_id=500, retry_count=1)
    assert list(run_contexts(farm, [retry]).values()) == [""]
    posts = account_truth(farm, S1, U1)["posts"]
    assert [(_media(p), p["caption"]) for p in posts] == [(["a.mp4"], "once")]


def test_a_retry_after_an_unconfirmed_post_does_not_post_again(tmp_path):
    farm = SimFarm(1, seed=34, upload_seconds=0.2)
    (tmp_path / "a.mp4").write_bytes(b"a")
    [task] = plan(_body(material_list=[str(tmp_path / "a.mp4")], captions="only once"),
                  farm.accounts)  # fmt: skip
    assert list(run_contexts(farm, [context_of(task, task_id=600)]).values()) == [""]
    again = context_of(task, task_id=600, retry_count=1)
    assert list(run_contexts(farm, [again]).values()) == [ALREADY_POSTED]
    assert len(account_truth(farm, S1, U1)["posts"]) == 1


def test_storage_full_fails_with_a_remark_a_person_can_act_on(tmp_path):
    farm = SimFarm(1, seed=35)
    farm.phone(S1).on_screen("profile", "storage_full")  # the disk fills up during a follow
    (tmp_path / "a.mp4").write_bytes(b"a")
    follow = {"serials": [S1], "script_name": "follow", "script_config": {"target_users": ["x"]}}
    [first] = plan(follow, farm.accounts)
    [task] = plan(_body(material_list=[str(tmp_path / "a.mp4")]), farm.accounts)
    [done, error] = run_contexts(farm, [context_of(first), context_of(task)]).values()
    assert done == ""
    assert isinstance(error, TaskFailed) and not isinstance(error, DeviceLost)
    assert error.remark.startswith("post: push media: sim-0001 refused the file")
    assert "storage full" in error.remark
    assert account_truth(farm, S1, U1)["posts"] == []


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_post_way_on_every_build_and_language(tmp_path, version, locale):
    farm = SimFarm(1, seed=41, upload_seconds=0.2, app_version=version, locale=locale,
                   popup_rate=0.3)  # fmt: skip
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"clip")
    images = [tmp_path / f"{c}.jpg" for c in "abc"]
    for i in images:
        i.write_bytes(b"\xff\xd8" + i.name.encode())
    shots = [str(i) for i in images]
    bodies = [
        _body(material_list=[str(video)], post_way="share", captions="shared #one"),
        _body(material_list=[str(video)], post_way="addButton", captions="from Create"),
        _body(material_list=[str(video)], post_way="useSound", sound_name="summer",
              captions="with a sound"),
        _body(material_list=shots, content_type=1, image_count=3, post_way="addButton",
              captions="three photos"),
        _body(material_list=shots[:2], content_type=1, image_count=2, post_way="share",
              captions="two shared"),
        _body(material_list=[str(video)], post_way="addButton", add_sound="1",
              sound_name="piano", captions=""),
    ]  # fmt: skip
    ctxs = [context_of(plan(b, farm.accounts)[0]) for b in bodies]
    assert list(run_contexts(farm, ctxs).values()) == [""] * len(bodies)
    posts = account_truth(farm, S1, U1)["posts"]
    assert [(p["post_way"], p["kind"], _media(p), p["caption"]) for p in posts] == [
        ("share", "video", ["clip.mp4"], "shared #one"),
        ("addButton", "video", ["clip.mp4"], "from Create"),
        # 43.1.4's search has no Sounds tab: the camera's sound picker finds the sound
        ("addButton" if version == "43.1.4" else "useSound", "video", ["clip.mp4"], "with a sound"),
        ("addButton", "images", ["a.jpg", "b.jpg", "c.jpg"], "three photos"),
        ("addButton", "images", ["a.jpg", "b.jpg"], "two shared"),  # am shares one file only
        ("addButton", "video", ["clip.mp4"], ""),
    ]
    assert posts[2]["sound"]["name"].startswith("summer")
    assert posts[5]["sound"]["name"].startswith("piano")
    assert [p["sound"] for p in (posts[0], posts[1], posts[3], posts[4])] == [None] * 4
    # each post carries its own task's files (the gallery's newest, picked in the post's order)
    for c, p in zip(ctxs, posts, strict=True):
        assert all(m.startswith(f"t{c.task_id}-") for m in p["media"])


def test_something_newer_in_the_gallery_is_never_picked_blindly(tmp_path):
    farm = SimFarm(1, seed=42, upload_seconds=0.2)
    (tmp_path / "a.mp4").write_bytes(b"a")

    def screenshot_arrives(phone) -> None:  # a photo lands in the gallery after our video
        phone.fs.makedirs("/sdcard/Pictures/Screenshots")
        phone.fs.write("/sdcard/Pictures/Screenshots/shot.png", b"png")
        phone.media.scan("/sdcard/Pictures/Screenshots/shot.png")

    farm.phone(S1).on_screen("camera", screenshot_arrives)
    [task] = plan(_body(material_list=[str(tmp_path / "a.mp4")], post_way="addButton"),
                  farm.accounts)  # fmt: skip
    [error] = run_contexts(farm, [context_of(task)]).values()
    assert isinstance(error, TaskFailed)
    assert error.remark.startswith("post: find the files in the gallery: ")
    assert "something else is newer" in error.remark and "nothing was picked" in error.remark
    assert account_truth(farm, S1, U1)["posts"] == []


@pytest.mark.parametrize("seed", [50, 51, 52, 53])
def test_a_post_tap_whose_reply_is_lost_is_retried_without_a_second_post(tmp_path, seed):
    """The phone drops off the bus as Post is tapped: the tap lands (the app publishes, or asks
    "Publish video publicly?", as seeded), the runner hears nothing. The retry finds the post on
    the profile (one more than before), or, when the question took the tap, no new post: then
    it posts. Either way the account has exactly one post."""
    farm = SimFarm(1, seed=seed, upload_seconds=0.2)
    phone = farm.phone(S1)
    (tmp_path / "a.mp4").write_bytes(b"a")
    db = tmp_path / "materials.db"
    [task] = plan(_body(material_source="localFolder", material_path=str(tmp_path)),
                  farm.accounts)  # fmt: skip
    phone.on_screen("post", lambda p: p.on_tap(1, "offline"))  # no caption: the tap is Post's
    [error] = run_contexts(farm, [context_of(task, materials_db=db, task_id=700 + seed)]).values()
    assert isinstance(error, DeviceLost)
    assert error.remark.startswith("post: tap Post: ")
    assert Ledger(db).state_of(tmp_path / "a.mp4") == "posted"  # Post was tapped: never reused
    phone.set_state("device")
    retry = context_of(task, materials_db=db, task_id=700 + seed, retry_count=1)
    [remark] = run_contexts(farm, [retry]).values()
    assert remark in ("", ALREADY_POSTED)
    posts = account_truth(farm, S1, U1)["posts"]
    assert [_media(p) for p in posts] == [["a.mp4"]]


def test_an_upload_that_never_finished_is_not_posted_again(tmp_path):
    clock = ManualClock()
    farm = SimFarm(1, seed=55, clock=clock, upload_seconds=5)
    (tmp_path / "a.mp4").write_bytes(b"a")
    body = _body(material_list=[str(tmp_path / "a.mp4")], captions="slow", upload_wait_time=1)
    [task] = plan(body, farm.accounts)
    [error] = run_contexts(farm, [context_of(task, task_id=800)]).values()
    assert isinstance(error, PostConditionFailed)
    assert error.remark.startswith("post: wait for the upload: the upload did not finish")
    # the upload ends while the retry looks at the profile: it posts nothing
    retry = context_of(task, task_id=800, retry_count=1)
    farm_phone = farm.phone(S1)
    farm_phone.on_screen("own_profile", lambda p: clock.advance(10))
    assert list(run_contexts(farm, [retry]).values()) == [ALREADY_POSTED]
    assert [p["caption"] for p in account_truth(farm, S1, U1)["posts"]] == ["slow"]
    # lost (the app died during the upload): a second retry does not post it again either
    [task] = plan(_body(material_list=[str(tmp_path / "a.mp4")], captions="lost",
                        upload_wait_time=1), farm.accounts)  # fmt: skip
    [error] = run_contexts(farm, [context_of(task, task_id=801)]).values()
    assert isinstance(error, PostConditionFailed)
    farm_phone.crash_app()
    [error] = run_contexts(farm, [context_of(task, task_id=801, retry_count=1)]).values()
    assert isinstance(error, PostConditionFailed)
    assert "the post may still appear: not posted again" in error.remark
    assert [p["caption"] for p in account_truth(farm, S1, U1)["posts"]] == ["slow"]


def test_an_upload_wait_of_zero_is_zero_not_the_default(tmp_path):
    clock = ManualClock()
    farm = SimFarm(1, seed=57, clock=clock, upload_seconds=5)
    (tmp_path / "a.mp4").write_bytes(b"a")
    body = _body(material_list=[str(tmp_path / "a.mp4")], upload_wait_time=0)
    [task] = plan(body, farm.accounts)
    [error] = run_contexts(farm, [context_of(task, task_id=810)]).values()
    assert isinstance(error, PostConditionFailed)
    assert "the upload did not finish within 0 s" in error.remark, error.remark


@pytest.mark.parametrize(
    ("posts_before", "stage", "outcome"),
    [(0, "tapped", ""), (None, "tapped", "cannot be told"), (0, "uploading", "may still appear")],
)
def test_a_retry_trusts_only_what_the_profile_can_show(tmp_path, posts_before, stage, outcome):
    """An earlier attempt's record says Post was tapped, and the profile shows no new post: a
    tap that published nothing is posted again; a full grid (no count) or an upload seen
    starting is not."""
    farm = SimFarm(1, seed=56, upload_seconds=0.2)
    (tmp_path / "a.mp4").write_bytes(b"a")
    db = tmp_path / "materials.db"
    record = PostAttempts(db)
    record.tapped(900, serial=S1, account="", posts_before=posts_before)
    record.stage(900, stage)
    [task] = plan(_body(material_list=[str(tmp_path / "a.mp4")], captions="x"), farm.accounts)
    [result] = run_contexts(farm, [context_of(task, materials_db=db, task_id=900,
                                              retry_count=1)]).values()  # fmt: skip
    posts = account_truth(farm, S1, U1)["posts"]
    if outcome == "":
        assert result == "" and len(posts) == 1
    else:
        assert isinstance(result, PostConditionFailed) and outcome in result.remark
        assert posts == []
