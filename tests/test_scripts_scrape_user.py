"""scrape_user on simulated phones: the profile read as the app shows it (counts as numbers, in
English and French, on every simulated build), the video links through Share > Copy link, private,
missing and banned accounts, popups and faults; ground truth: nothing but the copied links."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from runner.devices import Hierarchy
from runner.errors import TaskFailed
from runner.scripts.matcher import load_selectors
from runner.scripts.scrape_user import read_profile, read_tiles
from runner.scripts.steps import Steps
from runner.sim import DEFAULT_VERSION, VERSIONS, SimFarm
from runner.sim.tiktok.profile import TILES
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


def _body(users, **config) -> dict:
    return {"serials": [S1], "script_name": "scrape_user",
            "script_config": {"target_users": users, **config}}  # fmt: skip


def _run(farm: SimFarm, body: dict, **ctx) -> list[tuple[str | TaskFailed, dict | None]]:
    ctxs = [context_of(t, **ctx) for t in plan(body, farm.accounts)]
    remarks = run_contexts(farm, ctxs)
    return [(remarks[c.task_id], c.result) for c in ctxs]


def shown(n: int) -> int:
    """What the profile's abbreviated count stands for: one decimal, cut (4,664,270 -> 4.6M)."""
    if n < 10_000:
        return n
    div = next(d for d in (1_000_000_000, 1_000_000, 1000) if n >= d)
    return n * 10 // div * div // 10


def _truth(farm: SimFarm) -> dict:
    return account_truth(farm, S1, U1)


def _chef(farm: SimFarm) -> None:
    farm.bios["chef.mario"] = "Pasta every day 🍝\nRome"
    farm.verified_users.add("chef.mario")
    farm.pinned["chef.mario"] = 1


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("method", ["direct", "search"])
def test_the_profile_and_its_first_video_links_are_read_as_the_app_shows_them(language, method):
    farm = SimFarm(1, seed=401, **LANGUAGES[language])
    _chef(farm)
    [(remark, result)] = _run(farm, _body(["@chef.mario"], video_count=3, access_method=method))
    assert remark == ""
    world = farm.world
    followers, likes = world.user_stats("chef.mario")
    following = world.user_stats("chef.mario/following")[0] % 2000
    assert result["username"] == "chef.mario" and result["status"] == "ok"
    assert result["nickname"] == "Chef Mario"
    assert result["following"] == following  # below 10,000: exact
    assert (result["followers"], result["likes"]) == (shown(followers), shown(likes))
    assert result["bio"] == "Pasta every day 🍝\nRome"
    assert result["verified"] is True and result["private"] is False
    videos = world.user_videos("chef.mario", TILES)[:3]
    assert len(result["videos"]) == 3
    assert [v["pinned"] for v in result["videos"]] == [True, False, False]
    assert all(v["plays"] is not None for v in result["videos"])
    actions = _truth(farm)["actions"]
    assert [(a["action"], a["target"]) for a in actions] == [("share_link", v.id) for v in videos]
    for video, entry in zip(videos, result["videos"], strict=True):
        if entry["id"] is not None:
            assert entry["url"] == f"https://www.tiktok.com/@chef.mario/video/{video.id}"
        else:  # 43.1.4 copies a short link per share: it opens that very video
            code = entry["url"].rstrip("/").rsplit("/", 1)[1]
            assert world.short_links[code] == video.id


def test_video_count_zero_reads_the_profile_without_opening_a_video():
    farm = SimFarm(1, seed=402)
    [(remark, result)] = _run(farm, _body(["chef.mario"], video_count=0))
    assert remark == "" and result["videos"] == [] and result["followers"] is not None
    assert _truth(farm)["actions"] == []


def test_more_videos_than_the_grid_shows_come_from_swiping_the_player():
    farm = SimFarm(1, seed=403)
    farm.video_counts["techtok"] = 14
    [(remark, result)] = _run(farm, _body(["techtok"], video_count=12))
    assert remark == ""
    ids = [v.id for v in farm.world.user_videos("techtok", 14)[:12]]
    assert [v["id"] for v in result["videos"]] == ids
    assert result["videos"][-1]["plays"] is None  # past the first screen's tiles


def test_a_profile_with_fewer_videos_than_asked_gives_what_it_has_saying_so():
    farm = SimFarm(1, seed=404)
    farm.video_counts["cats.daily"] = 2
    [(remark, result)] = _run(farm, _body(["cats.daily"], video_count=5))
    assert remark == "@cats.daily has 2 video(s), fewer than the 5 asked"
    assert len(result["videos"]) == 2 and all(v["id"] for v in result["videos"])
    assert len(_truth(farm)["actions"]) == 2


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_private_account_is_read_without_its_videos(language):
    farm = SimFarm(1, seed=405, **LANGUAGES[language])
    farm.private_users.add("quiet")
    [(remark, result)] = _run(farm, _body(["quiet"], video_count=3))
    assert remark == "@quiet is private: its videos are not shown to this account"
    assert result["status"] == "private" and result["private"] is True
    assert result["videos"] == [] and result["followers"] is not None
    assert _truth(farm)["actions"] == []


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", ["not_found", "banned"])
def test_a_missing_or_banned_account_fails_saying_so_with_a_result_that_says_so(language, kind):
    farm = SimFarm(1, seed=406, **LANGUAGES[language])
    (farm.missing_users if kind == "not_found" else farm.banned_users).add("gone")
    [(error, result)] = _run(farm, _body(["gone"]))
    assert isinstance(error, TaskFailed) and error.retry_safe is True  # nothing was done
    words = "does not exist" if kind == "not_found" else "is banned"
    assert error.remark.startswith(f"scrape_user: open profile: account @gone {words}")
    assert result == {"username": "gone", "status": kind, "videos": []}


def test_with_popups_every_link_is_read_once():
    farm = SimFarm(1, seed=407, popup_rate=0.4)
    [(remark, result)] = _run(farm, _body(["chef.mario", "techtok"], video_count=3))[:1]
    assert remark == "" and len(result["videos"]) == 3
    assert len({v["url"] for v in result["videos"]}) == 3


def test_app_crash_in_the_player_fails_naming_the_step():
    farm = SimFarm(1, seed=408)
    farm.phone(S1).on_screen("video", "crash")
    [(error, result)] = _run(farm, _body(["chef.mario"], video_count=2))
    assert isinstance(error, TaskFailed) and error.remark.startswith("scrape_user: ")
    assert result is not None and result["followers"] is not None  # the profile was read


def test_uiautomator_death_in_the_player_is_recovered():
    farm = SimFarm(1, seed=409)
    farm.phone(S1).on_screen("video", "kill_uiautomator")
    [(remark, result)] = _run(farm, _body(["chef.mario"], video_count=2))
    assert remark == "" and len(result["videos"]) == 2


# -- the real dumps: what scrape_user reads on real phones' profiles ------------------------------

SCREENS = Path(__file__).parent / "real_screens"


def _read_real(name: str, handle: str) -> dict:
    h = Hierarchy.parse((SCREENS / name).read_text())
    steps = Steps(None, load_selectors(), script="scrape_user",  # type: ignore[arg-type]
                  package="com.zhiliaoapp.musically", log=logging.getLogger("test"),
                  username=handle)  # fmt: skip
    return read_profile(steps, h, handle) | {"videos": read_tiles(steps, h, 30)}


def test_a_real_43_1_4_profile_reads_its_counts_name_badge_bio_and_tiles():
    got = _read_real("tt4314_fr_profile.xml", "name_1")
    assert (got["following"], got["followers"], got["likes"]) == (115, 3_800_000, 283_100_000)
    assert got["shown"] == {"following": "115", "followers": "3,8 M", "likes": "283,1 M"}
    assert got["nickname"] == "name_1" and got["verified"] is True and got["private"] is False
    assert got["bio"] == "name_3 name_4 name_5 name_6 .. .. .."
    # the second row's tiles are cut by the screen's bottom: their play counts are off screen
    assert [v["plays"] for v in got["videos"]] == [
        4_500_000,
        2_600_000,
        2_200_000,
        None,
        None,
        None,
    ]


def test_a_real_47_0_3_profile_reads_its_counts_bio_and_six_tiles():
    got = _read_real("tt4703_fr_profile_followed.xml", "name_11")
    assert (got["following"], got["followers"], got["likes"]) == (115, 3_800_000, 283_100_000)
    assert got["nickname"] == "name_11" and got["verified"] is False
    assert got["bio"] == "name_12 name_13 name_14 name_15 .. .. .."
    assert [v["plays_shown"] for v in got["videos"]] == [
        "4,5 M", "2,6 M", "2,2 M", "39,9 K", "1,2 M", "1,3 M", None, None, None]  # fmt: skip


def test_a_real_private_profile_reads_as_private_with_its_singular_follower():
    got = _read_real("tt47_fr_profile_follows_us_no_message_entry.xml", "demo_follower")
    assert (got["following"], got["followers"], got["likes"]) == (12, 3, 40)
    assert got["nickname"] == "Demo Follower" and got["private"] is True
    assert got["status"] == "private" and got["bio"] == "" and got["videos"] == []
