"""post on simulated phones: which files, which caption, never the same file twice, and faults
that never lead to a double post."""

from __future__ import annotations

import random
import re

import pytest

from runner.errors import DeviceLost, IntakeError, TaskFailed
from runner.materials import Ledger
from runner.scripts.text import spin
from runner.sim import SimFarm
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
    assert [d.pointer for d in e.value.details] == ["/script_config/material_list/0"]
    sneaky = _body(material_source="localFolder", material_path=str(root / ".." / "etc"))
    with pytest.raises(IntakeError):
        plan(sneaky, [], material_roots=(root,))
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
    assert "sim-0001 is offline" in error.remark and error.remark.startswith("post: ")
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
    assert list(run_contexts(farm, [again]).values()) == [
        "post already published by an earlier attempt"
    ]
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
