"""message on simulated phones: the thread's ground truth (exactly the messages asked for, once),
the accounts that cannot be messaged, requests to non-mutual followers, order and faults."""

from __future__ import annotations

import pytest

from runner.errors import TaskFailed
from runner.sim import DEFAULT_VERSION, VERSIONS, SimFarm
from tests.scripts.harness import (
    OUR_COMMANDS,
    account_truth,
    commands_run,
    context_of,
    plan,
    run_contexts,
)

S1 = "sim-0001"
U1 = "sim_user_1"
OTHER_VERSIONS = [v for v in VERSIONS if v != DEFAULT_VERSION]
REQUEST = "sent to @{} as a message request (you are not mutual followers: it waits in their message requests until they accept)"


def _body(users, content: str, **config) -> dict:
    config = {"target_users": users, "message_content": content, **config}
    return {"serials": [S1], "script_name": "message", "script_config": config}


def _run(farm: SimFarm, body: dict, **ctx) -> list:
    tasks = plan(body, farm.accounts)
    return list(run_contexts(farm, [context_of(t, **ctx) for t in tasks]).values())


def _messages(farm: SimFarm) -> dict[str, list[str]]:
    return account_truth(farm, S1, U1)["messages"]


def _friends(farm: SimFarm, *names: str) -> None:
    acc = farm.phone(S1).account
    acc.following.update(names)
    acc.followers.update(names)


LANGUAGES = {
    "en": {},
    "fr": {"locale": "fr-FR"},
    **{f"fr_{v}": {"locale": "fr-FR", "app_version": v} for v in OTHER_VERSIONS},
    **{f"en_{v}": {"app_version": v} for v in OTHER_VERSIONS},
}


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("method", ["direct", "search"])
def test_a_friend_gets_exactly_the_message_once(language, method):
    farm = SimFarm(1, seed=301, **LANGUAGES[language])
    _friends(farm, "pal")
    body = _body(["@pal"], "{Hi|Hello} there, new video up", access_method=method)
    assert _run(farm, body) == [""]
    [(user, [text])] = _messages(farm).items()
    assert user == "pal" and text in ("Hi there, new video up", "Hello there, new video up")
    actions = account_truth(farm, S1, U1)["actions"]
    assert [(a["action"], a["target"]) for a in actions] == [("message", "pal")]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_someone_who_does_not_follow_back_gets_a_request_counted_as_sent(language):
    farm = SimFarm(1, seed=302, **LANGUAGES[language])
    farm.phone(S1).account.followers.add("fan")  # they follow us, we do not follow them
    assert _run(farm, _body(["stranger", "fan"], "hello")) == [
        REQUEST.format("stranger"),
        REQUEST.format("fan"),
    ]
    assert _messages(farm) == {"fan": ["hello"], "stranger": ["hello"]}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_private_account_you_do_not_follow_cannot_be_messaged_and_nothing_is_typed(language):
    farm = SimFarm(1, seed=303, **LANGUAGES[language])
    farm.private_users.add("quiet")
    [error] = _run(farm, _body(["quiet"], "hello"))
    assert isinstance(error, TaskFailed) and error.retry_safe is False
    assert error.remark == (
        "message: open thread: can't message @quiet: the profile offers no Message "
        "(a private account you do not follow); nothing sent"
    )
    assert _messages(farm) == {}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_privacy_settings_that_refuse_messages_fail_quoting_the_app_and_send_nothing(language):
    farm = SimFarm(1, seed=304, **LANGUAGES[language])
    farm.dm_closed_users.add("closed")
    _friends(farm, "closed")
    [error] = _run(farm, _body(["closed"], "hello"))
    assert isinstance(error, TaskFailed) and error.retry_safe is False
    said = {"en": "Unable to send message", "fr": "Impossible d'envoyer le message"}[language]
    assert error.remark == (
        f"message: open thread: can't message @closed: the app says {said!r} (their privacy "
        "settings refuse your messages); nothing sent"
    )
    assert _messages(farm) == {}
    assert [a["action"] for a in account_truth(farm, S1, U1)["actions"]] == []


def test_sequential_order_takes_line_job_count_and_each_target_gets_its_own_task():
    farm = SimFarm(1, seed=305)
    names = ["a1", "a2", "a3", "a4"]
    _friends(farm, *names)
    body = _body(names, "one\ntwo\n\nthree\n", message_order="sequential")
    assert _run(farm, body) == [""] * 4
    assert _messages(farm) == {"a1": ["one"], "a2": ["two"], "a3": ["three"], "a4": ["one"]}


def test_target_user_string_fans_out_like_follow():
    farm = SimFarm(1, seed=306)
    _friends(farm, "x1", "x2")
    body = {"serials": [S1], "script_name": "message",
            "script_config": {"target_user": "x1,\n@x2", "message_content": "yo"}}  # fmt: skip
    tasks = plan(body, farm.accounts)
    assert [t.script_config["target_users"] for t in tasks] == [["x1"], ["@x2"]]
    assert list(run_contexts(farm, [context_of(t) for t in tasks]).values()) == ["", ""]
    assert _messages(farm) == {"x1": ["yo"], "x2": ["yo"]}


def test_with_popups_every_message_is_sent_once():
    farm = SimFarm(1, seed=307, popup_rate=0.4)
    names = [f"p{n}" for n in range(4)]
    _friends(farm, *names)
    assert _run(farm, _body(names, "only once")) == [""] * 4
    assert _messages(farm) == {n: ["only once"] for n in names}


def test_app_crash_in_the_thread_fails_with_the_step_and_sends_nothing():
    farm = SimFarm(1, seed=308)
    _friends(farm, "pal")
    farm.phone(S1).on_screen("chat", "crash")
    [error] = _run(farm, _body(["pal"], "never twice"))
    assert isinstance(error, TaskFailed)
    assert error.remark.startswith("message: ") and "the app crashed" in error.remark
    assert _messages(farm) == {}


def test_uiautomator_death_in_the_thread_is_recovered_and_the_message_sent_once():
    farm = SimFarm(1, seed=309)
    _friends(farm, "pal")
    farm.phone(S1).on_screen("chat", "kill_uiautomator")
    assert _run(farm, _body(["pal"], "exactly once")) == [""]
    assert _messages(farm) == {"pal": ["exactly once"]}


def test_a_retry_finds_the_message_of_the_earlier_attempt_and_sends_nothing():
    farm = SimFarm(1, seed=310)
    _friends(farm, "pal")
    [task] = plan(_body(["pal"], "just one"), farm.accounts)
    run_contexts(farm, [context_of(task, task_id=900)])
    [remark] = run_contexts(farm, [context_of(task, task_id=900, retry_count=1)]).values()
    assert remark == "message already sent by an earlier attempt"
    assert _messages(farm) == {"pal": ["just one"]}


HOSTILE = [
    'it\'s "quoted" `id` $(reboot); rm -rf / && echo pwned | sh > /x',
    "emoji 😀🔥 and 中文 and العربية",
]


def test_hostile_messages_reach_the_thread_exactly_and_run_nothing_of_theirs():
    farm = SimFarm(1, seed=311)
    _friends(farm, "h1", "h2")
    body = _body(["h1", "h2"], "\n".join(HOSTILE), message_order="sequential")
    assert _run(farm, body) == ["", ""]
    assert _messages(farm) == {"h1": [HOSTILE[0]], "h2": [HOSTILE[1]]}
    assert {c[0] for c in commands_run(farm, S1)} <= OUR_COMMANDS
