"""like on simulated phones: ground truth holds exactly the likes asked for, once; by URL and from
a user's profile (newest first, pinned ones left alone when asked), in English and French, on every
simulated build, with popups, faults and TikTok pushing back; an already liked video is left as it
is (nothing tapped, so no like is taken back)."""

from __future__ import annotations

import pytest

from runner.errors import PostConditionFailed, PushBack, TaskFailed
from runner.sim import DEFAULT_VERSION, VERSIONS, SimFarm
from runner.sim.tiktok.pushback import PushBackRule
from tests.scripts.harness import account_truth, context_of, plan, run_contexts

S1 = "sim-0001"
U1 = "sim_user_1"
OTHER_VERSIONS = [v for v in VERSIONS if v != DEFAULT_VERSION]
LANGUAGES = {
    "en": {},
    "fr": {"locale": "fr-FR"},
    **{f"fr_{v}": {"locale": "fr-FR", "app_version": v} for v in OTHER_VERSIONS},
    **{f"en_{v}": {"app_version": v} for v in OTHER_VERSIONS},
}


def _body(**config) -> dict:
    return {"serials": [S1], "script_name": "like", "script_config": config}


def _run(farm: SimFarm, body: dict, **ctx) -> list:
    tasks = plan(body, farm.accounts)
    return list(run_contexts(farm, [context_of(t, **ctx) for t in tasks]).values())


def _truth(farm: SimFarm) -> dict:
    return account_truth(farm, S1, U1)


def _actions(farm: SimFarm) -> list[tuple[str, str]]:
    return [(a["action"], a["target"]) for a in _truth(farm)["actions"]]


def _grid(farm: SimFarm, user: str) -> list[str]:
    """The ids of ``user``'s videos in their grid's order (pinned first, then newest first)."""
    return [v.id for v in farm.world.user_videos(user)]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_url_is_liked_once_and_an_already_liked_one_is_left_alone(language):
    farm = SimFarm(1, seed=401, **LANGUAGES[language])
    urls = [f"https://www.tiktok.com/@maria/video/{n}" for n in (11, 12)]
    assert _run(farm, _body(target_post_urls=urls)) == ["", ""]
    assert _truth(farm)["likes"] == ["11", "12"]
    again = _run(farm, _body(target_post_url=", ".join(urls)))
    assert again == ["already liked (nothing tapped)"] * 2
    assert _actions(farm) == [("like", "11"), ("like", "12")]  # no unlike, no second like


@pytest.mark.parametrize("language", ["en", "fr", "fr_43.1.4", "en_47.0.3"])
def test_count_videos_from_a_profile_newest_first_skipping_the_pinned(language):
    farm = SimFarm(1, seed=402, **LANGUAGES[language])
    farm.pinned["chef"] = 2
    grid = _grid(farm, "chef")
    assert _run(farm, _body(target_users=["@chef"], count=3, skip_pinned=True)) == [""]
    assert _truth(farm)["likes"] == grid[2:5]


@pytest.mark.parametrize("method", ["direct", "search"])
def test_without_skip_pinned_the_grid_is_taken_from_its_first_tile(method):
    farm = SimFarm(1, seed=403)
    farm.pinned["chef"] = 1
    grid = _grid(farm, "chef")
    assert _run(farm, _body(target_users=["chef"], count=2, access_method=method)) == [""]
    assert _truth(farm)["likes"] == grid[:2]


def test_each_target_user_is_its_own_task_and_count_defaults_to_one():
    farm = SimFarm(1, seed=404)
    body = _body(target_user="ann,\n@bob")
    tasks = plan(body, farm.accounts)
    assert [t.script_config["target_users"] for t in tasks] == [["ann"], ["@bob"]]
    assert [t.script_config["target_post_urls"] for t in tasks] == [[], []]
    assert list(run_contexts(farm, [context_of(t) for t in tasks]).values()) == ["", ""]
    assert _truth(farm)["likes"] == [_grid(farm, "ann")[0], _grid(farm, "bob")[0]]


def test_a_profile_with_fewer_videos_than_count_likes_them_all_and_says_so():
    farm = SimFarm(1, seed=405)
    grid = _grid(farm, "chef")
    farm.phone(S1).account.likes.append(grid[1])  # liked earlier by hand
    [remark] = _run(farm, _body(target_users=["chef"], count=len(grid) + 3))
    assert remark == (
        f"liked {len(grid) - 1} of @chef's videos; 1 already liked (nothing tapped); "
        f"@chef shows only {len(grid)} videos"
    )
    assert sorted(_truth(farm)["likes"]) == sorted(grid)
    assert [a for a, _ in _actions(farm)] == ["like"] * (len(grid) - 1)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_private_profile_fails_with_nothing_tapped_and_is_not_retried(language):
    farm = SimFarm(1, seed=406, **LANGUAGES[language])
    farm.private_users.add("quiet")
    [error] = _run(farm, _body(target_users=["quiet"], count=2))
    assert isinstance(error, TaskFailed) and error.retry_safe is False
    assert error.remark == (
        "like: open the first video: @quiet's profile shows no videos (a private account you do "
        "not follow, or nothing posted); nothing liked"
    )
    assert _actions(farm) == []


def test_only_pinned_videos_with_skip_pinned_fails_saying_so(monkeypatch):
    farm = SimFarm(1, seed=407)
    farm.pinned["chef"] = 3
    monkeypatch.setattr("runner.sim.tiktok.profile.TILES", 3)
    [error] = _run(farm, _body(target_users=["chef"], skip_pinned=True))
    assert isinstance(error, TaskFailed)
    assert error.remark == (
        "like: open the first video: @chef's profile shows only pinned videos (3); nothing liked"
    )
    assert _actions(farm) == []


def test_with_popups_every_video_is_liked_exactly_once():
    farm = SimFarm(1, seed=408, popup_rate=0.4)
    urls = [f"https://www.tiktok.com/@x/video/{n}" for n in range(21, 25)]
    assert _run(farm, _body(target_post_urls=urls)) == [""] * 4
    assert _run(farm, _body(target_users=["chef"], count=3)) == [""]
    assert _truth(farm)["likes"] == ["21", "22", "23", "24", *_grid(farm, "chef")[:3]]
    assert [a for a, _ in _actions(farm)] == ["like"] * 7


def test_app_crash_on_the_video_fails_naming_the_step_and_likes_nothing():
    farm = SimFarm(1, seed=409)
    farm.phone(S1).on_screen("video", "crash")
    [error] = _run(farm, _body(target_post_urls=["https://www.tiktok.com/@x/video/31"]))
    assert isinstance(error, TaskFailed)
    assert error.remark.startswith("like: open post: ") and "the app crashed" in error.remark
    assert _truth(farm)["likes"] == []


def test_uiautomator_death_on_the_video_is_recovered_and_the_like_made_once():
    farm = SimFarm(1, seed=410)
    farm.phone(S1).on_screen("video", "kill_uiautomator")
    assert _run(farm, _body(target_post_urls=["https://www.tiktok.com/@x/video/32"])) == [""]
    assert _truth(farm)["likes"] == ["32"]


def test_a_like_tiktok_refuses_fails_quoting_the_toast_and_nothing_is_liked():
    farm = SimFarm(1, seed=411)
    farm.phone(S1).account.push_back = PushBackRule("toast", action="like")
    [error] = _run(farm, _body(target_post_urls=["https://www.tiktok.com/@x/video/33"]))
    assert isinstance(error, PushBack) and error.retry_safe is False
    assert (
        error.remark
        == 'like: tap Like: TikTok pushed back (rate limit): "You\'re tapping too fast"'
    )
    assert _truth(farm)["likes"] == []
    assert [a["action"] for a in _truth(farm)["actions"]] == ["like_refused"]


def test_a_like_that_does_not_show_fails_and_says_so_without_tapping_twice(monkeypatch):
    """A like TikTok swallows without a word (a dialog-less refusal seen as nothing happening):
    the check after the tap fails the task; the control was tapped once."""
    farm = SimFarm(1, seed=412)
    farm.phone(S1).account.push_back = PushBackRule("verification", action="like")
    monkeypatch.setattr("runner.scripts.like.TAP_TIMEOUT", 1.0)
    [error] = _run(farm, _body(target_post_urls=["https://www.tiktok.com/@x/video/34"]))
    assert isinstance(error, (PushBack, PostConditionFailed))
    assert _truth(farm)["likes"] == []
    assert [a["action"] for a in _truth(farm)["actions"]] == ["like_refused"]


def test_a_retried_task_skips_what_its_first_attempt_liked():
    farm = SimFarm(1, seed=413)
    grid = _grid(farm, "chef")
    [task] = plan(_body(target_users=["chef"], count=2), farm.accounts)
    farm.phone(S1).account.likes.append(grid[0])  # the first attempt got this far
    [remark] = run_contexts(farm, [context_of(task, task_id=950, retry_count=1)]).values()
    assert remark == "liked 1 of @chef's videos; 1 already liked (nothing tapped)"
    assert _truth(farm)["likes"] == grid[:2]
