"""follow / unfollow on simulated phones: what the account really did (the sim's ground truth),
and the remark a person reads."""

from __future__ import annotations

import logging

import pytest

from runner.errors import TaskFailed
from runner.sim import DEFAULT_VERSION, VERSIONS, SimFarm
from tests.devices.simfarm import OUR_COMMANDS, make_ctx, run_tasks

OTHER_VERSION = next(v for v in VERSIONS if v != DEFAULT_VERSION)
S1 = "sim-0001"
U1 = "sim_user_1"


def account(farm: SimFarm, serial: str = S1, user: str = U1) -> dict:
    return farm.ground_truth()[serial]["accounts"][user]


def actions(farm: SimFarm) -> list[tuple[str, str]]:
    return [(a["action"], a["target"]) for a in account(farm)["actions"]]


@pytest.mark.parametrize("method", ["direct", "search"])
def test_follow_follows_exactly_the_target(method):
    farm = SimFarm(1, seed=1)
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "follow", "@alice", access_method=method)])
    assert remark == ""
    assert account(farm)["following"] == ["alice"]
    assert actions(farm) == [("follow", "alice")]


def test_follow_of_someone_already_followed_taps_nothing():
    farm = SimFarm(1, seed=2)
    farm.phone(S1).account.following.add("bob")
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "follow", "bob")])
    assert remark == "already following @bob"
    assert actions(farm) == []


def test_unfollow_confirms_in_the_dialog():
    farm = SimFarm(1, seed=3)
    farm.phone(S1).account.following.add("carol")
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "unfollow", "@carol")])
    assert remark == ""
    assert account(farm)["following"] == []
    assert actions(farm) == [("unfollow", "carol")]


def test_unfollow_of_someone_not_followed_taps_nothing():
    farm = SimFarm(1, seed=4)
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "unfollow", "dave")])
    assert remark == "not following @dave"
    assert actions(farm) == []


def test_follow_of_a_missing_account_fails_saying_it_does_not_exist():
    farm = SimFarm(1, seed=5)
    farm.missing_users.add("ghost")
    [error] = run_tasks(farm, S1, [make_ctx(S1, "follow", "ghost")])
    assert isinstance(error, TaskFailed)
    assert error.remark == (
        "follow: open profile: account @ghost does not exist "
        '(the app says "Couldn\'t find this account")'
    )
    assert actions(farm) == []


def test_search_opens_the_exact_user_not_a_look_alike():
    farm = SimFarm(1, seed=6)
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "follow", "erin", access_method="search")])
    assert remark == ""
    assert account(farm)["following"] == ["erin"]


def test_search_never_settles_for_a_look_alike(monkeypatch):
    monkeypatch.setattr("runner.scripts.profile.TAP_TIMEOUT", 1.0)
    farm = SimFarm(1, seed=6)
    farm.missing_users.add("ivan")  # the Users tab lists only ivan_official, ivan123, ivan.fan
    [error] = run_tasks(farm, S1, [make_ctx(S1, "follow", "ivan", access_method="search")])
    assert isinstance(error, TaskFailed)
    assert error.remark == (
        "follow: open Users tab: the user_row element did not appear within 1 s "
        "on screen 'search_results'"
    )
    assert actions(farm) == []


def test_follow_and_unfollow_complete_through_frequent_popups(caplog):
    caplog.set_level(logging.INFO)
    farm = SimFarm(1, seed=7, popup_rate=0.6)
    outcomes = run_tasks(
        farm,
        S1,
        [
            make_ctx(S1, "follow", "frank"),
            make_ctx(S1, "follow", "gina", access_method="search"),
            make_ctx(S1, "unfollow", "frank"),
        ],
    )
    assert outcomes == ["", "", ""]
    assert account(farm)["following"] == ["gina"]
    assert actions(farm) == [("follow", "frank"), ("follow", "gina"), ("unfollow", "frank")]
    assert sum("dismissing popup" in r.getMessage() for r in caplog.records) >= 2


def test_follow_works_on_the_other_app_version_with_different_resource_ids():
    farm = SimFarm(1, seed=8, app_version=OTHER_VERSION)
    outcomes = run_tasks(
        farm,
        S1,
        [
            make_ctx(S1, "follow", "hank", access_method="search"),
            make_ctx(S1, "unfollow", "hank"),
        ],
    )
    assert outcomes == ["", ""]
    assert actions(farm) == [("follow", "hank"), ("unfollow", "hank")]


# Shell metacharacters that RFC 3986 also allows unencoded in a URL path: they reach the phone's
# shell raw inside the profile URL, so only shell quoting keeps them from running.
SHELL_HOSTILE = ["o'neil", "a;reboot", "$(reboot)", "x&&reboot", "it's;$(id)&x", "a=b,c+d!*"]
# Names that need percent-encoding in a URL (quotes, spaces, backslash, pipes, non-ASCII).
ENCODED_HOSTILE = ['say "hi"', "`id`", "two words", "back\\slash|pipe>file", "😀emoji", "中文用户"]


def commands_run(farm: SimFarm) -> list[tuple[str, ...]]:
    """Every simple command the phone's shell ran, without leading VAR=value assignments."""
    out = []
    for argv in farm.phone(S1).exec_log:
        words = list(argv)
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)
        out.append(tuple(words))
    return out


def test_hostile_usernames_in_profile_urls_run_no_command_of_theirs():
    farm = SimFarm(1, seed=9)
    outcomes = run_tasks(farm, S1, [make_ctx(S1, "follow", name) for name in SHELL_HOSTILE])
    assert outcomes == [""] * len(SHELL_HOSTILE)
    assert account(farm)["following"] == sorted(SHELL_HOSTILE)
    commands = commands_run(farm)
    assert {c[0] for c in commands} <= OUR_COMMANDS, commands
    urls = [c[c.index("-d") + 1] for c in commands if c[:2] == ("am", "start")]
    assert urls == [f"https://www.tiktok.com/@{name}" for name in SHELL_HOSTILE]


def test_hostile_usernames_typed_into_search_reach_the_app_intact():
    farm = SimFarm(1, seed=10)
    names = ENCODED_HOSTILE + SHELL_HOSTILE[:2]
    outcomes = run_tasks(
        farm, S1, [make_ctx(S1, "follow", name, access_method="search") for name in names]
    )
    assert outcomes == [""] * len(names)
    assert account(farm)["following"] == sorted(names)
    assert {c[0] for c in commands_run(farm)} <= OUR_COMMANDS


def test_usernames_needing_percent_encoding_open_the_right_profile():
    farm = SimFarm(1, seed=11)
    outcomes = run_tasks(farm, S1, [make_ctx(S1, "follow", name) for name in ENCODED_HOSTILE])
    assert outcomes == [""] * len(ENCODED_HOSTILE)
    assert account(farm)["following"] == sorted(ENCODED_HOSTILE)
    assert {c[0] for c in commands_run(farm)} <= OUR_COMMANDS


LANGUAGES = {
    "en": {},
    "fr": {"locale": "fr-FR"},
    "fr_43": {"locale": "fr-FR", "app_version": "43.1.4"},
}


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("method", ["direct", "search"])
def test_following_back_an_account_that_follows_you_ends_completed(language, method):
    # The profile shows "Follow back" / "Suivre en retour"; after the tap it reads "Friends".
    farm = SimFarm(1, seed=61, **LANGUAGES[language])
    farm.phone(S1).account.followers.add("fan")
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "follow", "fan", access_method=method)])
    assert remark == ""
    assert account(farm)["following"] == ["fan"]
    # and a second follow of the now mutual friend taps nothing
    [again] = run_tasks(farm, S1, [make_ctx(S1, "follow", "fan")])
    assert again == "already following @fan"
    assert actions(farm) == [("follow", "fan")]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_following_a_private_account_ends_completed_with_the_request_pending(language):
    farm = SimFarm(1, seed=62, **LANGUAGES[language])
    farm.private_users.add("quiet")
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "follow", "quiet")])
    assert remark == "follow request sent to @quiet (private account; pending until they accept)"
    truth = account(farm)
    assert truth["following"] == [] and truth["requested"] == ["quiet"]
    # a retry does not cancel the request (tapping "Requested" would)
    [again] = run_tasks(farm, S1, [make_ctx(S1, "follow", "quiet")])
    assert again == "follow request to @quiet already pending"
    assert account(farm)["requested"] == ["quiet"]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_unfollowing_a_friend_asks_and_leaves_follow_back(language):
    farm = SimFarm(1, seed=63, **LANGUAGES[language])
    acc = farm.phone(S1).account
    acc.following.add("pal")
    acc.followers.add("pal")
    [remark] = run_tasks(farm, S1, [make_ctx(S1, "unfollow", "pal")])
    assert remark == ""
    assert account(farm)["following"] == []


def test_a_language_without_strings_fails_before_anything_is_tapped(monkeypatch):
    # A pseudo-language the simulator shows and tikrunner has no strings for: every English
    # word of the app changed ("Profil Follow" is no English or French string).
    from runner.sim.tiktok import app as sim_app
    from runner.sim.tiktok import strings as sim_strings

    pseudo = {
        k: (f"Xx {v}" if any(c.isalpha() for c in v) else v) for k, v in sim_strings.EN.items()
    }
    monkeypatch.setitem(sim_strings.STRINGS, "xx", pseudo)
    monkeypatch.setattr(sim_app, "LANGUAGES", (*sim_app.LANGUAGES, "xx"))
    farm = SimFarm(1, seed=64, locale="xx-XX")
    [outcome] = run_tasks(farm, S1, [make_ctx(S1, "follow", "alice")])
    assert isinstance(outcome, TaskFailed)
    assert "shows a language tikrunner has no strings for (the phone's language is xx-XX)" in (
        outcome.remark
    )
    assert outcome.remark.endswith("supported: en, fr")
    assert outcome.remark.startswith("follow: open profile:")  # the first dump, before any tap
    assert account(farm)["actions"] == []


def test_after_seven_follows_on_one_phone_search_and_warmup_still_reach_the_home_feed():
    # Each direct follow leaves a profile on the app's back stack; going home must not give up.
    from tests.scripts.harness import context_of, plan

    farm = SimFarm(1, seed=65)
    ctxs = [make_ctx(S1, "follow", f"user{n}") for n in range(7)]
    ctxs.append(make_ctx(S1, "follow", "last", access_method="search"))
    [warm] = plan(
        {"serials": [S1], "script_name": "account_warmup",
         "script_config": {"task_duration": 1, "min_duration": 0.2, "max_duration": 0.3}},
        farm.accounts,
    )  # fmt: skip
    ctxs.append(context_of(warm))
    outcomes = run_tasks(farm, S1, ctxs)
    assert outcomes[:8] == [""] * 8, outcomes
    assert isinstance(outcomes[8], str) and outcomes[8].startswith("watched "), outcomes[8]
    assert len(account(farm)["following"]) == 8
